"""``redact export``: write a checkpoint's ONNX graphs (the CPU runtime's files) into it."""

from __future__ import annotations

import click


@click.command("export")
@click.argument("checkpoint")
@click.option("--precision", "precisions", type=click.Choice(["fp32", "int8"]), multiple=True,
              help="Graphs to write (repeatable).  [default: int8, the CPU default]")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder for the graphs (default: the checkpoint folder, with onnx.json).")
def command(checkpoint, precisions, out_dir) -> None:
    """Export CHECKPOINT (a name or folder) to ONNX for `--runtime onnx` (needs torch).

    \b
    Examples:
      redact export runs/minilm                   # model.int8.onnx + onnx.json in runs/minilm
      redact export tab-minilm --precision fp32 --precision int8
    """
    from ..models import find_checkpoint
    from ..runtime.export import export_checkpoint

    path = find_checkpoint(checkpoint)
    made = export_checkpoint(path, out_dir, precisions=tuple(precisions) or ("int8",))
    for precision, graph in made.items():
        click.echo(f"{precision}: {graph} ({graph.stat().st_size / 1e6:.1f} MB)")
