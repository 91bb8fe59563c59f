"""``redact apply``: rewrite a run's outputs from the original inputs with reviewed spans — no model.

The inputs are found through the run's reports (their sha256 is checked: a changed input is an error),
and the documents go through the same :func:`redact.pipeline.run` as ``redact run`` — write to a
temporary file, verify with an independent reader, rename — with :class:`Reviewed` as the span source.
Each report records the review (decisions file and its sha256, reviewer, spans added and removed).
Everything is checked before anything is written: a bad decisions file writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import BadInput
from ..formats import WriteOptions, format_for
from ..inputs import Source, display
from ..operators import get_operator
from ..spans import Span
from .decisions import Decisions, load

#: Report settings that are write options (taken from the run unless overridden).
_WRITE_KEYS = ("style", "flatten", "accept_unreadable")


class NotAReport(BadInput):
    """A JSON file in the reports folder that is not the report of one document (a collection's report,
    a decisions file someone saved there...)."""


@dataclass
class Planned:
    """One document to rewrite: its input, the reviewed spans, the run's report and the review record."""

    rel: str
    source: Path
    sha256: str
    spans: list[Span]
    report: dict
    review: dict


def read_report(reports: Path, rel: str, where: str) -> dict:
    """The run's report for the document at ``rel`` (``REPORTS/REL.json``)."""
    path = reports / (rel + ".json")
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"{where}: no report {display(path)} (is this the run's reports folder?)") from None
    except (OSError, ValueError) as exc:
        raise BadInput(f"{where}: cannot read the report {display(path)} ({exc})") from None
    if isinstance(report, dict) and "documents" in report:
        raise NotAReport(f"{where}: {display(path)} is the report of a collection (TAB JSON/JSONL); "
                         f"only files (.txt .docx .pdf...) can be reviewed")
    for key in ("source", "sha256", "spans"):
        if not isinstance(report, dict) or key not in report:
            raise NotAReport(f"{where}: {display(path)} has no '{key}' (not the report of a redact run)")
    return report


def find_source(recorded: str, given: str | None, base: Path) -> list[Path]:
    """Where the input may be: the decisions' ``source`` (relative: to the decisions file, then the
    working folder), then the report's (as the run named it: relative to the working folder)."""
    out = []
    if given:
        p = Path(given)
        out += [p] if p.is_absolute() else [base / p, p]
    out.append(Path(recorded))
    return out


def plan(decisions: Decisions, reports: Path | None = None) -> list[Planned]:
    """Check every document of ``decisions`` against its report and its input; BadInput on the first
    problem (nothing has been written yet)."""
    reports = Path(reports) if reports is not None else decisions.reports
    if not reports.is_dir():
        raise BadInput(f"{decisions.path}: the run's reports folder {display(reports)} does not exist "
                       f"(give it with --run-reports)")
    base = decisions.path.resolve().parent
    plans = []
    for doc in decisions.documents:
        where = f"{decisions.path}: {doc.report}"
        report = read_report(reports, doc.report, where)
        sha = report["sha256"]
        if doc.sha256 is not None and doc.sha256 != sha:
            raise BadInput(f"{where}: sha256 {doc.sha256[:12]}... is not the run's input ({sha[:12]}...)")
        candidates = find_source(report["source"], doc.source, base)
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise BadInput(f"{where}: the input {display(candidates[0])} is not there (give its place as 'source')")
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            raise BadInput(f"{where}: the input {display(path)} changed since the run (sha256 differs); "
                           f"run redact run and review again")
        try:
            text = format_for(path).read(path).text
        except (ValueError, OSError) as exc:
            raise BadInput(f"{where}: cannot read {display(path)} ({exc})") from None
        for j, d in enumerate(doc.spans):
            if d.end > len(text):
                raise BadInput(f"{where}: spans[{j}] ends at {d.end}, after the end of the text ({len(text)})")
            if d.text is not None and text[d.start:d.end] != d.text:
                raise BadInput(f"{where}: spans[{j}] [{d.start}, {d.end}) reads {text[d.start:d.end]!r}, "
                               f"not {d.text!r}")
        spans = doc.redacted()
        before = {(s["start"], s["end"], s["label"]) for s in report["spans"]}
        after = {(s.start, s.end, s.label) for s in spans}
        review = {"reviewed": True, "decisions": display(decisions.path.resolve()),
                  "decisions_sha256": decisions.sha256, "reviewer": decisions.reviewer,
                  "run_spans": len(before), "spans": len(after),
                  "added": len(after - before), "removed": len(before - after),
                  "kept_text": sum(not d.redact for d in doc.spans)}
        plans.append(Planned(doc.report, path, sha, spans, report, review))
    return plans


class Reviewed:
    """A span source (:class:`redact.pipeline.SpanSource`) that replays reviewed spans instead of
    running a model. Model and settings are described as the run's (from its reports), so the same
    decisions give the same outputs; write options come from the run unless ``style`` is given."""

    def __init__(self, plans: list[Planned], decisions_sha256: str, style: str | None = None):
        self.plans = {p.rel: p for p in plans}
        first = plans[0].report
        run_settings = first.get("settings", {}) or {}
        self._model = dict(first.get("model", {}) or {})
        self._settings = {k: v for k, v in run_settings.items() if k not in _WRITE_KEYS}
        self.decisions_sha256 = decisions_sha256
        self.style = style or run_settings.get("style") or "mask"
        self.flatten = bool(run_settings.get("flatten", False))
        self.accept_unreadable = bool(run_settings.get("accept_unreadable", False))

    def predict(self, jobs: Iterable) -> Iterator:
        for job in jobs:
            p = self.plans.get(job.source.rel.as_posix())
            if job.error is None and p is not None:
                if job.sha256 != p.sha256:
                    job.error = f"{job.source.name}: changed while applying (sha256 differs); nothing written"
                else:
                    job.spans = list(p.spans)
                    job.tokens = int(p.report.get("tokens", 0) or 0)
                    job.parsed.info["review"] = dict(p.review)
            yield job

    def model_info(self) -> dict:
        return dict(self._model)

    def settings_info(self, options: WriteOptions | None = None) -> dict:
        info = dict(self._settings, reviewed=self.decisions_sha256[:16])
        if options is not None:
            info.update(style=options.operator.name, flatten=options.flatten,
                        accept_unreadable=options.accept_unreadable)
        return info

    def write_options(self) -> WriteOptions:
        return WriteOptions(get_operator(self.style), self.flatten, self.accept_unreadable)


def prepare(decisions_path: "str | Path", out: "str | Path", reports: "str | Path | None" = None,
            run_reports: "str | Path | None" = None, style: str | None = None):
    """Load and check everything; returns ``(sources, span source, layout)`` for :func:`redact.pipeline.run`.
    ``style``: the replacement (default: the decisions file's, else the run's)."""
    from ..pipeline import Layout

    decisions = load(decisions_path)
    plans = plan(decisions, Path(run_reports) if run_reports else None)
    layout = Layout.for_output(out, reports)
    if layout.reports.resolve() == layout.out.resolve():
        raise BadInput("--reports must not be the output folder (reports quote the removed text)")
    sources = []
    for p in plans:
        dest = (layout.out / p.rel).resolve()
        if dest == p.source.resolve():
            raise BadInput(f"-o {display(out)}: would overwrite the input {display(p.source)}; choose another folder")
        named = Path(p.report["source"])  # as the run named it, when it is the same file
        path = named if named.is_file() and named.resolve() == p.source.resolve() else p.source
        sources.append(Source(path, Path(p.rel), collection=False))
    return sources, Reviewed(plans, decisions.sha256, style or decisions.style), layout


def apply_decisions(decisions_path: "str | Path", out: "str | Path", **kwargs) -> Iterator:
    """Rewrite the documents of a decisions file into ``out``; yields one Report per document."""
    from ..pipeline import run

    sources, source, layout = prepare(decisions_path, out, **kwargs)
    yield from run(sources, source, layout, resume=False)
