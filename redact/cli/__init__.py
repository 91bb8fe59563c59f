"""The ``redact`` command: a click group with one module per subcommand."""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import RedactError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="redact")
def cli() -> None:
    """Find and remove personal identifiers from legal documents (TXT, DOCX, PDF).

    \b
    redact run samples/ -o out/          redact files with the shipped model
    redact score GOLD PREDS              TAB anonymisation metrics + seqeval
    redact train minilm --train T --dev D -o DIR
    redact models                        list known models
    """


def _register() -> None:
    from . import models, run, score, train

    for mod in (run, score, train, models):
        cli.add_command(mod.command)


def main() -> None:
    """Entry point: runs the CLI, turning known errors into one line on stderr and an exit code."""
    _register()
    try:
        code = cli.main(standalone_mode=False)
    except RedactError as exc:
        click.echo(f"redact: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("redact: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code else exc.exit_code)
    except KeyboardInterrupt:
        click.echo("redact: interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
