"""The ``redact`` command: a click group with one module per subcommand, imported only when it runs."""

from __future__ import annotations

import importlib
import sys

import click

from .. import __version__
from ..errors import RedactError

#: command name -> (module under redact.cli, one line for ``redact --help``). Modules load lazily,
#: so ``redact --help`` does not import torch.
COMMANDS = {
    "run": ("run", "Redact files, folders, globs, collections or stdin."),
    "score": ("score", "Score predictions against gold TAB annotations."),
    "train": ("train", "Train a token classifier on TAB documents."),
    "models": ("models", "List the named models and where they are."),
    "export": ("export", "Write a checkpoint's ONNX graphs (the CPU runtime)."),
    "stats": ("stats", "Describe annotated corpora side by side (tables, JSON, a picture)."),
    "plot-training": ("plot_training", "Draw training curves from checkpoints' training.json."),
    "review": ("review", "Build a review page (one HTML file) from a run's reports."),
    "apply": ("apply", "Rewrite a run's outputs with reviewed decisions (no model run)."),
    "serve": ("serve", "Serve redaction over HTTP (JSON text, file uploads), the model loaded once."),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        return importlib.import_module(f"{__name__}.{COMMANDS[name][0]}").command

    def format_commands(self, ctx, formatter):
        with formatter.section("Commands"):
            formatter.write_dl([(name, line) for name, (_, line) in COMMANDS.items()])


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="redact")
def cli() -> None:
    """Find and remove personal identifiers from legal documents (TXT, DOCX, PDF).

    \b
    redact run samples/ -o out/          redact files with the shipped model
    redact score GOLD PREDS              TAB anonymisation metrics + seqeval
    redact train minilm --train T --dev D -o DIR
    redact models                        list known models
    """


def main() -> None:
    """Entry point: runs the CLI, turning known errors into one line on stderr and an exit code."""
    try:
        code = cli.main(standalone_mode=False)
    except RedactError as exc:
        click.echo(f"redact: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("redact: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code else exc.exit_code)
    except KeyboardInterrupt:
        click.echo("redact: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)
