"""Pictures of training runs, corpora and scores, drawn with matplotlib's headless Agg canvas (no display
needed, no pyplot state); the file's extension picks PNG or SVG. matplotlib is imported only when drawing.

>>> chart_format("curves.svg")
'svg'
>>> chart = plot_training([{"epochs": [{"epoch": 1, "loss": 1.0, "token_f1": 0.5}]}], "/tmp/t.png")  # doctest: +SKIP
>>> chart.width, chart.height  # doctest: +SKIP
(1200, 450)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .errors import BadInput

FORMATS = ("png", "svg")
#: Dots per inch of PNG output (figure sizes below are in inches).
DPI = 100
#: Dev metrics drawn per epoch: (training.json key, legend label).
DEV_METRICS = (("token_recall", "token recall"), ("token_precision", "token precision"), ("token_f1", "token F1"),
               ("recall_direct_entities", "ER_di"), ("recall_quasi_entities", "ER_qi"))
_RUN_STYLES = {"token_f1": "-", "token_recall": "--", "token_precision": ":"}


@dataclass
class Chart:
    """A picture written to ``path``; ``width`` × ``height`` in pixels (for SVG: at :data:`DPI`)."""

    path: Path
    format: str
    width: int
    height: int


def chart_format(path: str | Path) -> str:
    """``png`` or ``svg`` from the file name; anything else is a :class:`BadInput`.

    >>> chart_format("a.PNG")
    'png'
    >>> chart_format("a.pdf")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    redact.errors.BadInput: a.pdf: pictures are written as .png or .svg
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise BadInput(f"{path}: pictures are written as .png or .svg")
    return suffix


def _figure(width: float, height: float, rows: int = 1, cols: int = 1):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, squeeze=False)
    return fig, [ax for row in axes for ax in row]


def _save(fig, path: str | Path) -> Chart:
    fmt = chart_format(path)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=fmt, dpi=DPI, metadata={"Software": None} if fmt == "png" else {"Date": None})
    w, h = fig.get_size_inches()
    return Chart(path, fmt, round(w * DPI), round(h * DPI))


def _colours(n: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def plot_training(runs: Sequence[dict], path: str | Path, names: Sequence[str] | None = None) -> Chart:
    """Loss per epoch (train, and dev where recorded) on the left, dev metrics per epoch on the right, from
    ``training.json`` records; the kept epoch is marked, and the dev recall/precision at the chosen threshold.
    Several runs are overlaid, one colour each (metrics then reduced to recall, precision and F1).

    >>> run = {"epochs": [{"epoch": 1, "loss": 1.2, "dev_loss": 1.0, "token_recall": 0.5, "token_precision": 0.6,
    ...        "token_f1": 0.55}, {"epoch": 2, "loss": 0.6, "dev_loss": 0.8, "token_recall": 0.8,
    ...        "token_precision": 0.7, "token_f1": 0.75}], "best_epoch": 2, "threshold": 0.5}
    >>> chart = plot_training([run], "/tmp/redact-doctest-training.png")
    >>> chart.width, chart.height
    (1200, 450)
    """
    if not runs:
        raise BadInput("no training runs to draw")
    names = list(names) if names else [f"run {i + 1}" for i in range(len(runs))]
    fig, (loss_ax, dev_ax) = _figure(12, 4.5, 1, 2)
    single = len(runs) == 1
    colours = _colours(max(len(runs), len(DEV_METRICS)))
    all_losses = []
    for i, (run, name) in enumerate(zip(runs, names)):
        rows = run.get("epochs") or []
        if not rows:
            raise BadInput(f"{name}: training record without epochs")
        epochs = [r["epoch"] for r in rows]
        colour = colours[i]
        prefix = "" if single else f"{name}: "
        for key, label, style in (("loss", "train loss", "-"), ("dev_loss", "dev loss", "--")):
            points = [(e, r[key]) for e, r in zip(epochs, rows) if r.get(key) is not None]
            if points:
                all_losses += [v for _, v in points]
                loss_ax.plot(*zip(*points), style, marker="o", ms=3, color=colours[0 if key == "loss" else 1]
                             if single else colour, label=prefix + label)
        metrics = DEV_METRICS if single else [m for m in DEV_METRICS if m[0] in _RUN_STYLES]
        for j, (key, label) in enumerate(metrics):
            points = [(e, r[key]) for e, r in zip(epochs, rows) if r.get(key) is not None]
            if points:
                dev_ax.plot(*zip(*points), _RUN_STYLES.get(key, "-") if not single else "-", marker="o", ms=3,
                            color=colours[j] if single else colour, label=prefix + label)
        best = run.get("best_epoch")
        if best and best > 0:
            for ax in (loss_ax, dev_ax):
                ax.axvline(best, color=colour if not single else "0.35", ls=":", lw=1.2)
            kept = rows[best - 1] if best <= len(rows) else {}
            if kept.get("token_f1") is not None:
                dev_ax.plot([best], [kept["token_f1"]], marker="*", ms=14, color=colour if not single else colours[2],
                            mec="black", mew=0.6, zorder=5, label=f"{prefix}kept epoch {best}")
            tuned = (run.get("threshold_search") or {}).get(str(run.get("threshold")))
            if tuned:
                for key, marker in (("token_recall", "^"), ("token_precision", "v")):
                    dev_ax.plot([best], [tuned[key]], marker=marker, ms=9, ls="none", mec="black", mew=0.6,
                                color=colour if not single else colours[0 if key == "token_recall" else 1],
                                zorder=5)
                dev_ax.plot([], [], marker="^", ls="none", color="0.6", mec="black", mew=0.6,
                            label=f"{prefix}threshold {run['threshold']}: recall "
                                  f"{tuned['token_recall']:.3f}, precision {tuned['token_precision']:.3f}")
    if all_losses and min(all_losses) > 0 and max(all_losses) / min(all_losses) > 20:
        loss_ax.set_yscale("log")
    loss_ax.set(title="Loss per epoch", xlabel="epoch", ylabel="cross-entropy")
    dev_ax.set(title="Dev scores per epoch (at 0.5; ▲▼ at the chosen threshold)", xlabel="epoch",
               ylabel="score", ylim=(0, 1.02))
    for ax in (loss_ax, dev_ax):
        ax.grid(alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=8, loc="best")
    return _save(fig, path)


def plot_scores(results: Sequence[tuple[str, dict]], path: str | Path) -> Chart:
    """Per-type token recall (by gold entity type) and token precision (by each system's own labels), one bar
    group per type and one colour per system, from :func:`redact.score.score` results.

    >>> r = {"tab": {"token_recall_by_type": {"PERSON": 0.9, "LOC": 0.5}, "token_precision_by_label": {"PERSON": 0.8},
    ...      "token_recall": 0.8, "token_precision": 0.8}}
    >>> plot_scores([("a", r), ("b", r)], "/tmp/redact-doctest-scores.png").width
    1100
    """
    from .spans import ENTITY_TYPES

    if not results:
        raise BadInput("no scores to draw")
    fig, (rec_ax, prec_ax) = _figure(11, 7.5, 2, 1)
    colours = _colours(len(results))

    def ordered(keys) -> list[str]:
        keys = set(keys)
        return [t for t in ENTITY_TYPES if t in keys] + sorted(keys - set(ENTITY_TYPES))

    panels = ((rec_ax, "token_recall_by_type", "token_recall", "Token recall by gold entity type"),
              (prec_ax, "token_precision_by_label", "token_precision",
               "Token precision by the system's own label (uniform, TAB)"))
    for ax, key, overall, title in panels:
        types = ordered(t for _, r in results for t in r["tab"].get(key, {})) + ["all"]
        width = 0.8 / len(results)
        for i, (name, r) in enumerate(results):
            values = {**r["tab"].get(key, {}), "all": r["tab"].get(overall)}
            xs = [k + (i - (len(results) - 1) / 2) * width for k in range(len(types))]
            heights = [values.get(t) for t in types]
            bars = ax.bar([x for x, h in zip(xs, heights) if h is not None], [h for h in heights if h is not None],
                          width * 0.95, color=colours[i], label=name)
            if len(results) * len(types) <= 40:
                ax.bar_label(bars, fmt="%.2f", fontsize=6, padding=1)
        ax.set_xticks(range(len(types)), types, fontsize=8)
        ax.set(title=title, ylim=(0, 1.2), ylabel=overall.replace("_", " "))
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8, ncols=min(4, len(results)), loc="upper center")
    return _save(fig, path)


def plot_stats(stats: Sequence, path: str | Path) -> Chart:
    """Corpora side by side (one colour each): mentions per document by entity type (stacked DIRECT / QUASI
    / NO_MASK), tokens per document against the model's windows, entities and mentions per document, and the
    share of tokens to mask with annotator agreement. ``stats`` are :class:`redact.stats.CorpusStats`.

    >>> from redact.stats import CorpusStats
    >>> s = CorpusStats("x", "x.json", "m", 512, 64, documents=2, tokens_per_document=[100, 900],
    ...                 windows_per_document=[1, 2], mentions={"LOC": {"QUASI": 3}}, masked_tokens=10,
    ...                 annotated_tokens=1000, entities_per_document=[1, 2], mentions_per_document=[1, 2])
    >>> plot_stats([s], "/tmp/redact-doctest-stats.png").height
    850
    """
    import numpy as np

    from .spans import ENTITY_TYPES

    if not stats:
        raise BadInput("no corpora to draw")
    fig, (types_ax, tokens_ax, per_doc_ax, share_ax) = _figure(12, 8.5, 2, 2)
    colours = _colours(len(stats))
    n = len(stats)

    types = [t for t in ENTITY_TYPES if any(t in s.mentions for s in stats)]
    types += sorted({t for s in stats for t in s.mentions} - set(types))
    width = 0.8 / n
    shades = (("DIRECT", 1.0, None), ("QUASI", 0.6, None), ("NO_MASK", 0.25, "//"))
    for i, s in enumerate(stats):
        xs = np.arange(len(types)) + (i - (n - 1) / 2) * width
        bottom = np.zeros(len(types))
        for ident, alpha, hatch in shades:
            h = np.array([s.mentions.get(t, {}).get(ident, 0) / max(1, s.documents) for t in types])
            types_ax.bar(xs, h, width * 0.95, bottom=bottom, color=colours[i], alpha=alpha, hatch=hatch,
                         edgecolor=colours[i], label=f"{s.name} {ident}")
            bottom += h
    types_ax.set_xticks(range(len(types)), types, fontsize=8)
    types_ax.set_ylim(0, 1.35 * max([p.get_y() + p.get_height() for p in types_ax.patches], default=1))
    types_ax.set(title="Mentions per document by entity type", ylabel="mentions / document")
    types_ax.legend(fontsize=7, ncols=n)
    types_ax.grid(axis="y", alpha=0.3)

    # tokens per document, log-spaced bins, with the lengths where a document needs one more window
    longest = max((max(s.tokens_per_document, default=1) for s in stats), default=1)
    bins = np.geomspace(8, max(16, longest * 1.1), 30)
    for i, s in enumerate(stats):
        if s.tokens_per_document:
            tokens_ax.hist(s.tokens_per_document, bins=bins, histtype="step", lw=1.8, color=colours[i],
                           weights=np.full(len(s.tokens_per_document), 100 / len(s.tokens_per_document)),
                           label=f"{s.name} ({sum(w > 1 for w in s.windows_per_document)} of {s.documents} "
                                 f"need > 1 window)")
    s0 = stats[0]
    content = s0.window - s0.special_tokens
    for k in range(1, 5):  # the first length needing k + 1 windows of this geometry
        edge = k * (content - s0.overlap) + s0.overlap + 1
        if edge > bins[-1]:
            break
        tokens_ax.axvline(edge, color="0.4", ls=":", lw=1)
        tokens_ax.text(edge, 1.0, f" {k + 1} windows", rotation=90, va="top", ha="right", fontsize=7, color="0.3",
                       transform=tokens_ax.get_xaxis_transform())
    tokens_ax.set_xscale("log")
    tokens_ax.set(title=f"Tokens per document ({s0.model}: window {s0.window}, overlap {s0.overlap})",
                  xlabel="tokens (log scale)", ylabel="% of documents")
    tokens_ax.legend(fontsize=7)
    tokens_ax.grid(alpha=0.3)

    most = max((max(s.mentions_per_document, default=1) for s in stats), default=1)
    # bins centred on whole numbers, widening geometrically for large counts
    edges = np.unique(np.round(np.geomspace(1, max(2, most * 1.1), 30))) - 0.5
    for i, s in enumerate(stats):
        for values, style, what in ((s.mentions_per_document, "-", "mentions"), (s.entities_per_document, "--",
                                                                                  "entities")):
            if values:
                per_doc_ax.hist(values, bins=edges, histtype="step", lw=1.6, ls=style, color=colours[i],
                                weights=np.full(len(values), 100 / len(values)), label=f"{s.name} {what}")
    per_doc_ax.set_xscale("log")
    per_doc_ax.set(title="Entities (dashed) and mentions (solid) per document", xlabel="per document (log scale)",
                   ylabel="% of documents")
    per_doc_ax.legend(fontsize=7)
    per_doc_ax.grid(alpha=0.3)

    def ident_share(ident):
        return lambda s: s.by_identifier().get(ident, 0) / s.mention_total if s.mention_total else None

    measures = (("tokens\nto mask", lambda s: s.mask_share),
                ("mentions\nDIRECT", ident_share("DIRECT")), ("mentions\nQUASI", ident_share("QUASI")),
                ("mentions\nNO_MASK", ident_share("NO_MASK")),
                ("documents,\n≥ 2 annotators", lambda s: sum(v for k, v in s.annotators_per_document.items()
                                                               if k >= 2) / max(1, s.documents)),
                ("agreement\n(κ, tokens)", lambda s: s.agreement.kappa))
    for i, s in enumerate(stats):
        xs = np.arange(len(measures)) + (i - (n - 1) / 2) * width
        for x, (label, fn) in zip(xs, measures):
            v = fn(s)
            if v is None:
                share_ax.text(x, 0.01, "n/a", ha="center", va="bottom", fontsize=7, rotation=90, color=colours[i])
                continue
            bar = share_ax.bar([x], [v], width * 0.95, color=colours[i], label=s.name if label == measures[0][0]
                               else None)
            share_ax.bar_label(bar, fmt="%.3f", fontsize=7, padding=1)
    share_ax.set_xticks(range(len(measures)), [m[0] for m in measures], fontsize=8)
    share_ax.set(title="What must be masked; annotators", ylim=(0, 1.05), ylabel="share")
    share_ax.legend(fontsize=7)
    share_ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)
