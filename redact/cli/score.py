"""``redact score GOLD PREDS``: TAB anonymisation metrics and seqeval entity scores."""

from __future__ import annotations

import json

import click

from ..corpus import read_documents, read_predictions
from ..score import score


def format_table(result: dict, by_type: bool) -> str:
    """Render a score result as aligned text lines."""
    tab, seq = result["tab"], result["seqeval"]
    rows = [
        ("token recall", tab["token_recall"]),
        ("mention recall", tab["mention_recall"]),
        ("entity recall, direct (ER_di)", tab["recall_direct_entities"]),
        ("entity recall, quasi (ER_qi)", tab["recall_quasi_entities"]),
        ("token precision (uniform)", tab["token_precision"]),
        ("mention precision (uniform)", tab["mention_precision"]),
        ("token F1", tab["token_f1"]),
        ("seqeval precision", seq["precision"]),
        ("seqeval recall", seq["recall"]),
        ("seqeval F1", seq["f1"]),
    ]
    lines = [f"documents: {result['documents']}"]
    if result["missing_predictions"]:
        lines.append(f"no predictions for {len(result['missing_predictions'])} documents (counted as nothing "
                     f"masked): {', '.join(result['missing_predictions'][:5])}")
    lines += [f"{name:<32}{'-' if v is None else f'{v:.3f}':>8}" for name, v in rows]
    if by_type:
        lines.append("")
        lines.append(f"{'type':<12}{'tok.recall':>11}{'seq.P':>8}{'seq.R':>8}{'seq.F1':>8}{'support':>9}")
        types = sorted(set(tab["token_recall_by_type"]) | set(seq["by_type"]))
        for t in types:
            tr = tab["token_recall_by_type"].get(t)
            st = seq["by_type"].get(t, {})
            fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
            lines.append(f"{t:<12}{fmt(tr):>11}{fmt(st.get('precision')):>8}{fmt(st.get('recall')):>8}"
                         f"{fmt(st.get('f1')):>8}{st.get('support', 0):>9}")
    return "\n".join(lines)


@click.command("score")
@click.argument("gold", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("preds", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--by-type", is_flag=True, help="Add per-entity-type rows to the table.")
def command(gold: str, preds: str, as_json: bool, by_type: bool) -> None:
    """Score PREDS against GOLD.

    GOLD is TAB standoff JSON or our JSONL; PREDS is JSONL (as written by `redact run --jsonl`) or TAB's
    prediction format {doc_id: [[start, end, label], ...]}. Either may be '-' for stdin.
    """
    gold_docs = list(read_documents(gold))
    result = score(gold_docs, read_predictions(preds))
    click.echo(json.dumps(result, indent=2) if as_json else format_table(result, by_type))
