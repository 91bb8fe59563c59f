"""``redact apply``: rewrite a run's outputs with a reviewer's decisions (no model run)."""

from __future__ import annotations

import sys

import click

STYLES = ("mask", "label", "pseudonym")


@click.command("apply")
@click.argument("decisions", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out_dir", required=True, help="Output folder (may be the run's own: its "
              "outputs and reports are replaced by the reviewed ones).")
@click.option("--reports", "reports_dir", default=None,
              help="Folder for the new reports and manifest.  [default: OUTPUT.reports]")
@click.option("--run-reports", default=None, help="The run's reports folder, if it is not where the decisions "
              "file says ('reports').")
@click.option("--style", type=click.Choice(STYLES), default=None,
              help="Replacement.  [default: the run's (or the decisions file's 'style')]")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def command(decisions, out_dir, reports_dir, run_reports, style, quiet) -> None:
    """Rewrite the documents of DECISIONS (exported by the page of `redact review`, or written by hand)
    from the original inputs, each with exactly its reviewed spans.

    \b
    redact run samples/ -o out/
    redact review out/ -o review.html        (review, then "Export decisions")
    redact apply decisions.json -o out/

    The inputs are found through the run's reports and must be unchanged (sha256). Every output is
    written, verified by an independent reader and renamed into place as in `redact run`; each report
    records the review (decisions sha256, spans added and removed). A decisions file with any error
    writes nothing. Exit code 0: all done; 1: some documents failed; 2: bad decisions file or usage.
    """
    from ..pipeline import run
    from ..review.apply import prepare
    from .run import _Progress

    sources, reviewed, layout = prepare(decisions, out_dir, reports_dir, run_reports, style)
    summary = _Progress(sources, quiet)
    for report in run(sources, reviewed, layout, resume=False):
        summary.add(report)
    summary.close(out_dir, layout)
    sys.exit(1 if summary.failures else 0)
