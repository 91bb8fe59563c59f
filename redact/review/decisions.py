"""The decisions file: what a reviewer decided, as ``redact review``'s page exports it or a person writes it.

::

    {
      "format": "redact-decisions/1",
      "reports": "out.reports",                 the run's reports folder (relative: to this file's folder)
      "reviewer": "A. Clerk",                   optional, copied into every report
      "style": "label",                         optional: mask | label | pseudonym (default: the run's)
      "documents": [
        {"report": "cases/a.pdf",               the document's path under the run's output folder
                                                (its report is REPORTS/cases/a.pdf.json)
         "sha256": "9f2c…",                     optional: the input's sha256 (must equal the report's)
         "source": "/data/cases/a.pdf",         optional: where the input is now (default: the report's)
         "spans": [
           {"start": 120, "end": 131, "label": "PERSON",   character offsets into the document's text
            "redact": true,                     optional (default true); false: keep this text
            "text": "Jan Kowalski",             optional: checked against the input's text
            "score": 0.93, "source": "model"}   optional (defaults 1.0 and "reviewer")
         ]}
      ]
    }

Only the documents listed are rewritten, each with exactly its spans whose ``redact`` is true. Unknown
keys, wrong types, bad offsets and overlapping redacted spans are errors (one line, exit code 2).

>>> d = parse({"format": FORMAT, "reports": "r", "documents": [{"report": "a.txt",
...            "spans": [{"start": 0, "end": 3, "label": "PERSON"}, {"start": 4, "end": 6, "label": "LOC",
...                       "redact": False}]}]}, "d.json")
>>> [(s.start, s.end, s.label, s.annotator) for s in d.documents[0].redacted()]
[(0, 3, 'PERSON', 'reviewer')]
>>> parse({"format": FORMAT, "reports": "r", "documents": [{"report": "a.txt", "spans": [{"start": 5,
...        "end": 2, "label": "LOC"}]}]}, "d.json")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
BadInput: d.json: documents[0].spans[0].end: must be an integer greater than start (5), got 2
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BadInput
from ..operators import OPERATORS
from ..spans import Span

#: The value of the ``format`` key (a later, incompatible schema gets a new number).
FORMAT = "redact-decisions/1"
#: What a span added by the reviewer is marked with.
REVIEWER = "reviewer"
_LABEL = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class SpanDecision:
    """One span the reviewer saw or added: redact it (``redact``) or keep its text."""

    start: int
    end: int
    label: str
    redact: bool = True
    text: str | None = None
    score: float = 1.0
    source: str = REVIEWER

    def span(self) -> Span:
        return Span(self.start, self.end, self.label, self.score, annotator=self.source)


@dataclass
class DocumentDecisions:
    report: str  # REL: the path under the run's output folder
    spans: list[SpanDecision]
    sha256: str | None = None
    source: str | None = None

    def redacted(self) -> list[Span]:
        """The spans to redact, in text order."""
        return sorted((d.span() for d in self.spans if d.redact), key=lambda s: (s.start, s.end))


@dataclass
class Decisions:
    path: Path
    sha256: str
    reports: Path
    documents: list[DocumentDecisions]
    reviewer: str | None = None
    style: str | None = None
    extra: dict = field(default_factory=dict)


class _Checker:
    """Type checks that raise one-line errors naming the file and the JSON path."""

    def __init__(self, name: str):
        self.name = name

    def fail(self, where: str, message: str):
        raise BadInput(f"{self.name}: {where}: {message}" if where else f"{self.name}: {message}")

    def obj(self, value, where: str, required: set[str], optional: set[str]) -> dict:
        if not isinstance(value, dict):
            self.fail(where or "the top level", f"must be an object, got {_kind(value)}")
        missing = sorted(required - set(value))
        if missing:
            self.fail(where, f"missing key '{missing[0]}'")
        unknown = sorted(set(value) - required - optional)
        if unknown:
            self.fail(f"{where}.{unknown[0]}" if where else unknown[0],
                      f"unknown key (expected {', '.join(sorted(required | optional))})")
        return value

    def string(self, value, where: str, pattern: re.Pattern | None = None, what: str = "") -> str:
        if not isinstance(value, str) or not value:
            self.fail(where, f"must be a non-empty string, got {_kind(value)}")
        if pattern is not None and not pattern.match(value):
            self.fail(where, f"must be {what}, got {value!r}")
        return value

    def integer(self, value, where: str, minimum: int, what: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(where, f"must be an integer {what}, got {json.dumps(value)}")
        return value


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), f"the number {value}" if isinstance(value, (int, float)) else type(value).__name__)


def parse(raw, name: str, base: Path = Path(".")) -> Decisions:
    """Validate a loaded decisions object (``name`` for messages; ``base``: where relative paths start)."""
    c = _Checker(name)
    top = c.obj(raw, "", {"format", "reports", "documents"}, {"reviewer", "style", "created", "run", "comment"})
    if top["format"] != FORMAT:
        c.fail("format", f"must be {FORMAT!r}, got {json.dumps(top['format'])}")
    reports = base / c.string(top["reports"], "reports")
    reviewer = c.string(top["reviewer"], "reviewer") if top.get("reviewer") is not None else None
    style = top.get("style")
    if style is not None and style not in OPERATORS:
        c.fail("style", f"must be one of {', '.join(OPERATORS)}, got {json.dumps(style)}")
    if not isinstance(top["documents"], list) or not top["documents"]:
        c.fail("documents", f"must be a non-empty list, got {_kind(top['documents'])}")
    docs: list[DocumentDecisions] = []
    seen: dict[str, int] = {}
    for i, d in enumerate(top["documents"]):
        w = f"documents[{i}]"
        d = c.obj(d, w, {"report", "spans"}, {"sha256", "source", "name", "format"})
        rel = c.string(d["report"], f"{w}.report")
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            c.fail(f"{w}.report", f"must be a path inside the output folder, got {rel!r}")
        if rel in seen:
            c.fail(f"{w}.report", f"{rel!r} is listed twice (also documents[{seen[rel]}])")
        seen[rel] = i
        sha = c.string(d["sha256"], f"{w}.sha256", _HEX64, "64 lowercase hex digits") if "sha256" in d else None
        source = c.string(d["source"], f"{w}.source") if "source" in d else None
        if not isinstance(d["spans"], list):
            c.fail(f"{w}.spans", f"must be a list, got {_kind(d['spans'])}")
        spans = []
        for j, s in enumerate(d["spans"]):
            ws = f"{w}.spans[{j}]"
            s = c.obj(s, ws, {"start", "end", "label"}, {"redact", "text", "score", "source"})
            start = c.integer(s["start"], f"{ws}.start", 0, ">= 0")
            end = c.integer(s["end"], f"{ws}.end", start + 1, f"greater than start ({start})")
            label = c.string(s["label"], f"{ws}.label", _LABEL, "an upper-case label such as PERSON")
            redact = s.get("redact", True)
            if not isinstance(redact, bool):
                c.fail(f"{ws}.redact", f"must be true or false, got {_kind(redact)}")
            text = s.get("text")
            if text is not None and not isinstance(text, str):
                c.fail(f"{ws}.text", f"must be a string, got {_kind(text)}")
            score = s.get("score", 1.0)
            if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
                c.fail(f"{ws}.score", f"must be a number from 0 to 1, got {json.dumps(score)}")
            source_ = c.string(s["source"], f"{ws}.source") if "source" in s else REVIEWER
            spans.append(SpanDecision(start, end, label, redact, text, float(score), source_))
        order = sorted(range(len(spans)), key=lambda k: (spans[k].start, spans[k].end))
        last = None
        for k in order:
            if not spans[k].redact:
                continue
            if last is not None and spans[k].start < spans[last].end:
                c.fail(f"{w}.spans[{k}]", f"[{spans[k].start}, {spans[k].end}) overlaps spans[{last}] "
                                          f"[{spans[last].start}, {spans[last].end}); merge them into one span")
            last = k
        docs.append(DocumentDecisions(rel, spans, sha, source))
    return Decisions(Path(name), "", reports, docs, reviewer, style,
                     {k: v for k, v in top.items() if k in ("created", "run", "comment")})


def load(path: "str | Path") -> Decisions:
    """Read and validate a decisions file; :class:`BadInput` (one line) on any problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: cannot read ({exc.strerror})") from None
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    decisions = parse(raw, str(path), path.resolve().parent)
    decisions.path = path
    decisions.sha256 = hashlib.sha256(data).hexdigest()
    return decisions
