"""``redact plot-training CHECKPOINT...``: redraw training curves from ``training.json``, runs overlaid."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import BadInput


def read_training(path: str) -> dict:
    """The training record of a checkpoint folder (its ``training.json``) or of a training.json file."""
    p = Path(path)
    file = p / "training.json" if p.is_dir() else p
    if not file.is_file():
        raise BadInput(f"{path}: no training.json (train with `redact train`, which writes it)")
    try:
        record = json.loads(file.read_text())
    except json.JSONDecodeError as exc:
        raise BadInput(f"{file}: invalid JSON at line {exc.lineno} ({exc.msg})") from None
    if not isinstance(record, dict) or not record.get("epochs"):
        raise BadInput(f"{file}: no per-epoch scores ('epochs')")
    return record


@click.command("plot-training")
@click.argument("checkpoints", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False),
              help="Picture to write (.png or .svg) [default: CHECKPOINT/training.png for one run, "
                   "training.png here for several].")
def command(checkpoints: tuple[str, ...], out: str | None) -> None:
    """Draw loss and dev scores per epoch of one or several training runs (checkpoint folders or
    training.json files), with the kept epoch and the chosen threshold marked."""
    from ..plots import chart_format, plot_training

    if out is None:
        p = Path(checkpoints[0])
        out = str((p if p.is_dir() else p.parent) / "training.png") if len(checkpoints) == 1 else "training.png"
    chart_format(out)
    records = [read_training(c) for c in checkpoints]
    names = [Path(c).name if Path(c).is_dir() else Path(c).parent.name or c for c in checkpoints]
    names = [n if names.count(n) == 1 else c for n, c in zip(names, checkpoints)]
    chart = plot_training(records, out, names)
    best = ", ".join(f"{n}: best epoch {r.get('best_epoch')}, threshold {r.get('threshold')}"
                     for n, r in zip(names, records))
    click.echo(f"wrote {chart.path} ({chart.width}x{chart.height}); {best}")
