"""Click options shared by the commands that run the model (`redact run`, `redact serve`): one definition
of each decoding and runtime setting, so the two doors cannot drift apart."""

from __future__ import annotations

import click

from ..runtime import RUNTIMES
from ..settings import DEFAULTS

PRECISIONS = ("auto", "fp32", "bf16", "int8", "fp16")  # redact.models.PRECISIONS, without importing it
STYLES = ("mask", "label", "pseudonym")

_ENGINE_OPTIONS = (
    click.option("--window", type=int, default=None, help="Tokens per window.  [default: the checkpoint's, max 512]"),
    click.option("--overlap", type=int, default=None,
                 help=f"Tokens shared by consecutive windows.  [default: the checkpoint's, else {DEFAULTS['overlap']}]"),
    click.option("--batch-size", type=int, default=None,
                 help=f"Windows per forward pass.  [default: {DEFAULTS['batch_size']}, "
                      f"{DEFAULTS['batch_size_cuda']} on CUDA]"),
    click.option("--threshold", type=float, default=None, help="Mask a token when P(not O) >= this.  "
                 f"[default: the checkpoint's dev-tuned value, else {DEFAULTS['threshold']}]"),
    click.option("--propagate/--no-propagate", default=True, help="Mask every other occurrence of a predicted string."),
    click.option("--patterns/--no-patterns", default=False, help="Add the pattern recognizers "
                 "(application numbers, dates) to the model's spans."),
    click.option("--allow", "allow", type=click.Path(dir_okay=False), default=None,
                 help="File of terms never redacted (one term, or re:REGEX, a line; case-insensitive, whole words)."),
    click.option("--deny", "deny", type=click.Path(dir_okay=False), default=None,
                 help="File of terms always redacted wherever they occur (same syntax; '[LABEL] term' sets the label)."),
    click.option("--runtime", type=click.Choice(RUNTIMES), default="auto",
                 help="Inference runtime. auto: ONNX Runtime on the CPU (no torch import), PyTorch on CUDA or for "
                      "bf16/fp16."),
    click.option("--precision", type=click.Choice(PRECISIONS), default="auto",
                 help="Model arithmetic. auto: int8 on ONNX Runtime; on PyTorch bf16 with AMX, else per-token int8; "
                      "fp16 on CUDA."),
    click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto"),
)


def engine_options(command):
    """Add the decoding, rules and runtime options to a click command.

    >>> @engine_options
    ... def f(**kw): pass
    >>> sorted(p.name for p in f.__click_params__)[:3]
    ['allow', 'batch_size', 'deny']
    """
    for option in reversed(_ENGINE_OPTIONS):
        command = option(command)
    return command
