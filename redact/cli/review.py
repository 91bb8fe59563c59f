"""``redact review``: build the review page of a run (one self-contained HTML file)."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("review")
@click.argument("out_dir", metavar="OUT")
@click.option("-o", "--output", "page", default=None,
              help="Where to write the page (it quotes the removed text: keep it private).  "
                   "[default: OUT.reports/review.html]")
@click.option("--reports", "reports_dir", default=None, help="The run's reports folder.  [default: OUT.reports]")
@click.option("--from", "base", default=None, type=click.Path(file_okay=False),
              help="The folder `redact run` was started in (its reports name inputs relative to it).  "
                   "[default: the current folder]")
@click.option("--low", type=float, default=0.5, show_default=True, help="Mark spans scored below this.")
@click.option("--decisions", "decisions_out", default=None,
              help="Also write the decisions file as exported with no change (a starting point to edit by hand).")
def command(out_dir, page, reports_dir, base, low, decisions_out) -> None:
    """Build a review page from the reports of `redact run ... -o OUT`: every document's text with its
    spans highlighted (label colour, score on hover, low scores marked). On the page: click a span or
    press t to keep/redact it, n/p to move between spans, select text to add a span, "apply to all
    occurrences", filter by label and score, and "Export decisions" for `redact apply`.

    \b
    redact run samples/ -o out/
    redact review out/ -o review.html
    redact apply decisions.json -o out/

    Each input is read again (its sha256 must match the report). The page needs no network.
    """
    from ..errors import BadInput
    from ..pipeline import Layout, write_private
    from ..review.page import collect, render, unchanged_decisions

    if not 0 <= low <= 1:
        raise BadInput(f"--low must be between 0 and 1, got {low}")
    layout = Layout.for_output(out_dir, reports_dir)
    data = collect(layout.reports, Path(base) if base else None, low,
                   warn=lambda line: click.echo(f"redact: {line}", err=True))
    dest = Path(page) if page else layout.reports / "review.html"
    if dest.exists() and dest.is_dir():
        raise BadInput(f"-o {dest}: is a folder")
    html = render(data)
    write_private(dest, html)
    if decisions_out:
        write_private(Path(decisions_out), json.dumps(unchanged_decisions(data), indent=1, ensure_ascii=False))
    spans = sum(len(d["spans"]) for d in data["documents"])
    click.echo(f"redact: review page for {len(data['documents'])} documents ({spans} spans, "
               f"{len(html.encode()) / 1e6:.2f} MB) in {dest}", err=True)
