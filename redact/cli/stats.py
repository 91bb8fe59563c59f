"""``redact stats DATA...``: what annotated corpora are made of, side by side."""

from __future__ import annotations

import json

import click

from ..stats import CheckpointTokenizer, corpus_stats, mention_rows, summary_rows


def format_stats(stats: list) -> str:
    """The text tables: one column per corpus."""
    summary, mentions = summary_rows(stats), mention_rows(stats)
    width = max(12, *(len(s.name) for s in stats), *(len(c) for _, cells in summary + mentions for c in cells)) + 2
    lines = [f"{'tokens: ' + stats[0].model + ' tokenizer':<34}" + "".join(f"{s.name:>{width}}" for s in stats)]
    lines += [f"{label:<34}" + "".join(f"{c:>{width}}" for c in cells) for label, cells in summary]
    lines += ["", f"{'mentions DIRECT/QUASI/NO_MASK':<34}" + "".join(f"{s.name:>{width}}" for s in stats)]
    lines += [f"{label:<34}" + "".join(f"{c:>{width}}" for c in cells) for label, cells in mentions]
    return "\n".join(lines)


@click.command("stats")
@click.argument("data", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--model", default="tab-minilm", show_default=True,
              help="Checkpoint (name or folder) whose tokenizer and window geometry count tokens and windows.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per corpus) instead of tables.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help="Also draw the corpora side by side (.png or .svg).")
def command(data: tuple[str, ...], model: str, as_json: bool, plot_path: str | None) -> None:
    """Describe TAB JSON / JSONL corpora: documents, characters, tokens and windows per document (with the
    model's tokenizer), mentions by entity type x identifier type, share of tokens to mask, entities and
    mentions per document, annotators per document and their token-level agreement (Cohen's kappa).

    Mentions count every annotator's annotations; per-document numbers are averaged over the document's
    annotators; the mask share counts each (document, annotator) pair, as training sees them.
    """
    if plot_path:
        from ..plots import chart_format

        chart_format(plot_path)
    tokenizer = CheckpointTokenizer.load(model)
    stats = [corpus_stats(path, tokenizer) for path in data]
    names = [s.name for s in stats]
    for s in stats:
        if names.count(s.name) > 1:
            s.name = s.path
    if as_json:
        click.echo(json.dumps({"model": tokenizer.name, "corpora": [s.to_dict() for s in stats]}, indent=2))
    else:
        click.echo(format_stats(stats))
    if plot_path:
        from ..plots import plot_stats

        chart = plot_stats(stats, plot_path)
        click.echo(f"wrote {chart.path} ({chart.width}x{chart.height})", err=True)
