"""``redact score GOLD PREDS...``: TAB anonymisation metrics and seqeval entity scores, one or several systems."""

from __future__ import annotations

import json

import click

from ..score import SystemScore, score_files

#: (column header, section, key) of the one-row-per-system table
COLUMNS = (("tok.R", "tab", "token_recall"), ("ment.R", "tab", "mention_recall"),
           ("ER_di", "tab", "recall_direct_entities"), ("ER_qi", "tab", "recall_quasi_entities"),
           ("tok.P", "tab", "token_precision"), ("ment.P", "tab", "mention_precision"), ("tok.F1", "tab", "token_f1"),
           ("seq.P", "seqeval", "precision"), ("seq.R", "seqeval", "recall"), ("seq.F1", "seqeval", "f1"))


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.3f}"


def format_table(result: dict, by_type: bool) -> str:
    """Render one score result as aligned text lines."""
    tab, seq = result["tab"], result["seqeval"]
    rows = [
        ("token recall", tab["token_recall"]),
        ("mention recall", tab["mention_recall"]),
        ("entity recall, direct (ER_di)", tab["recall_direct_entities"]),
        ("entity recall, quasi (ER_qi)", tab["recall_quasi_entities"]),
        ("token precision (uniform)", tab["token_precision"]),
        ("mention precision (uniform)", tab["mention_precision"]),
        ("token F1", tab["token_f1"]),
        ("seqeval precision (strict)", seq["precision"]),
        ("seqeval recall (strict)", seq["recall"]),
        ("seqeval F1 (strict)", seq["f1"]),
    ]
    lines = [f"documents: {result['documents']}"]
    lines += _missing(result)
    lines += [f"{name:<32}{_fmt(v):>8}" for name, v in rows]
    if by_type:
        lines.append("")
        lines.append(f"{'type':<12}{'tok.recall':>11}{'seq.P':>8}{'seq.R':>8}{'seq.F1':>8}{'support':>9}")
        types = sorted(set(tab["token_recall_by_type"]) | set(seq["by_type"]))
        for t in types:
            tr = tab["token_recall_by_type"].get(t)
            st = seq["by_type"].get(t, {})
            lines.append(f"{t:<12}{_fmt(tr):>11}{_fmt(st.get('precision')):>8}{_fmt(st.get('recall')):>8}"
                         f"{_fmt(st.get('f1')):>8}{st.get('support', 0):>9}")
        labels = tab.get("token_precision_by_label", {})
        if labels:
            lines.append("")
            lines.append("token precision by predicted label: "
                         + ", ".join(f"{lab} {_fmt(v)}" for lab, v in labels.items()))
    return "\n".join(lines)


def _missing(result: dict) -> list[str]:
    if not result["missing_predictions"]:
        return []
    return [f"no predictions for {len(result['missing_predictions'])} documents (counted as nothing masked): "
            f"{', '.join(result['missing_predictions'][:5])}"]


def format_systems(systems: list[SystemScore], by_type: bool) -> str:
    """Several systems: one row each (TAB metrics, then seqeval strict), and per-type token recall columns.

    >>> r = {"documents": 1, "missing_predictions": [], "tab": {"token_recall": 0.5, "token_recall_by_type": {}},
    ...      "seqeval": {"f1": 0.25}}
    >>> format_systems([SystemScore("a", "a.json", r)], False).splitlines()[1].split()
    ['a', '0.500', '-', '-', '-', '-', '-', '-', '-', '-', '0.250']
    """
    width = max(10, *(len(s.name) + 1 for s in systems))
    lines = [f"{'system':<{width}}" + "".join(f"{h:>8}" for h, _, _ in COLUMNS)]
    for s in systems:
        lines.append(f"{s.name:<{width}}" + "".join(f"{_fmt(s.result[sec].get(key)):>8}" for _, sec, key in COLUMNS))
    lines.append(f"documents: {systems[0].result['documents']}")
    for s in systems:
        lines += [f"{s.name}: {line}" for line in _missing(s.result)]
    if by_type:
        types = sorted({t for s in systems for t in s.result["tab"]["token_recall_by_type"]})
        widths = [max(8, len(s.name) + 2) for s in systems]
        lines += ["", "token recall by type", f"{'type':<12}" + "".join(f"{s.name:>{w}}" for s, w in zip(systems, widths))]
        for t in types:
            lines.append(f"{t:<12}" + "".join(f"{_fmt(s.result['tab']['token_recall_by_type'].get(t)):>{w}}"
                                               for s, w in zip(systems, widths)))
    return "\n".join(lines)


@click.command("score")
@click.argument("gold", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("preds", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table (one object per system "
              "under 'systems' when several PREDS are given).")
@click.option("--by-type", is_flag=True, help="Add per-entity-type rows to the table.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help="Also draw per-type token recall and precision, one colour per system (.png or .svg).")
def command(gold: str, preds: tuple[str, ...], as_json: bool, by_type: bool, plot_path: str | None) -> None:
    """Score one or several PREDS files against GOLD.

    GOLD is TAB standoff JSON or our JSONL; each PREDS is JSONL (as written by `redact run --jsonl`) or TAB's
    prediction format {doc_id: [[start, end, label], ...]}. One of them may be '-' for stdin. With several
    PREDS the table has one row per system (named after the file).
    """
    if sum(p == "-" for p in (gold, *preds)) > 1:
        raise click.UsageError("only one of GOLD and PREDS can be '-' (stdin)")
    if plot_path:
        from ..plots import chart_format

        chart_format(plot_path)  # a bad extension fails before the scoring work
    systems = score_files(gold, list(preds))
    if as_json:
        if len(systems) == 1:
            click.echo(json.dumps(systems[0].result, indent=2))
        else:
            click.echo(json.dumps({"gold": gold, "systems": [{"name": s.name, "path": s.path, **s.result}
                                                             for s in systems]}, indent=2))
    elif len(systems) == 1:
        click.echo(format_table(systems[0].result, by_type))
    else:
        click.echo(format_systems(systems, by_type))
    if plot_path:
        from ..plots import plot_scores

        chart = plot_scores([(s.name, s.result) for s in systems], plot_path)
        click.echo(f"wrote {chart.path} ({chart.width}x{chart.height})", err=True)
