"""Allow and deny lists: organisation-wide rules beside the model.

A rules file holds one rule a line: a term (matched case-insensitively, as whole words, any run of
whitespace in the term matching any run of whitespace in the text), or ``re:`` and a regular expression
(case-insensitive; write ``\\b`` yourself; ``(?-i:...)`` for a case-sensitive part). A deny rule may start
with a label in brackets (``[PERSON] Zorbington``; default ``MISC``). Blank lines and lines starting
with ``#`` are ignored.

- **deny**: every match is redacted, wherever it occurs (its span's source is ``deny:RULE``);
- **allow**: a predicted span that lies inside a match is not redacted; a span that overlaps one loses
  the allowed part. Deny beats allow: a term on both lists is redacted.

>>> deny = Rules.parse(["[PERSON] Zorbington", "re:PRJ-\\\\d{4}"], "deny")
>>> [(s.start, s.end, s.label, s.annotator) for s in deny.find("zorbington and prj-1234 and Zorbingtons")]
[(0, 10, 'PERSON', 'deny:Zorbington'), (15, 23, 'MISC', 'deny:re:PRJ-\\\\d{4}')]
>>> allow = Rules.parse(["European Court of Human Rights"], "allow")
>>> text = "the European Court of\\nHuman Rights, Strasbourg"
>>> [text[s.start:s.end] for s in allow.keep_out(text, [Span(4, 46, "ORG", 0.9)])]
['Strasbourg']
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from .errors import BadInput
from .spans import ENTITY_TYPES, Span, merge_spans

#: The label of a deny rule that names none.
DEFAULT_LABEL = "MISC"
_LABEL = re.compile(r"^\[([A-Z_]+)\]\s*")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Rule:
    """One line of a rules file: ``name`` is the line as written (without its label)."""

    name: str
    pattern: re.Pattern
    label: str = DEFAULT_LABEL


def compile_rule(line: str, where: str, labelled: bool = True) -> Rule:
    """A :class:`Rule` from one line; :class:`BadInput` naming ``where`` if it cannot be used.

    >>> compile_rule("Mr  Smith", "x").pattern.search("MR SMITH said").group(0)
    'MR SMITH'
    >>> compile_rule("re:(", "deny.txt, line 3")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    BadInput: deny.txt, line 3: bad regular expression 're:(' (missing ), unterminated subpattern)
    """
    label = DEFAULT_LABEL
    m = _LABEL.match(line) if labelled else None
    if m:
        if m.group(1) not in ENTITY_TYPES:
            raise BadInput(f"{where}: unknown label [{m.group(1)}]; use one of {', '.join(ENTITY_TYPES)}")
        label, line = m.group(1), line[m.end():]
    if line.startswith("re:"):
        try:
            pattern = re.compile(line[3:], re.IGNORECASE)
        except re.error as exc:
            raise BadInput(f"{where}: bad regular expression {line!r} ({exc})") from None
        if pattern.search(""):
            raise BadInput(f"{where}: {line!r} matches the empty string")
    else:
        words = line.split()
        if not words:
            raise BadInput(f"{where}: empty term")
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)
    return Rule(line, pattern, label)


class Rules:
    """An allow or deny list (``kind``), from a file (:meth:`load`) or lines (:meth:`parse`)."""

    def __init__(self, rules: list[Rule], kind: str, origin: str = "", digest: str = ""):
        self.rules, self.kind, self.origin, self.digest = rules, kind, origin, digest

    @classmethod
    def parse(cls, lines: Iterable[str], kind: str, origin: str = "") -> "Rules":
        lines = [line.rstrip("\r\n") for line in lines]
        rules = []
        for n, line in enumerate(lines, 1):
            line = line.strip()
            if line and not line.startswith("#"):
                rules.append(compile_rule(line, f"{origin or kind}, line {n}", labelled=kind == "deny"))
        digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
        return cls(rules, kind, origin, digest)

    @classmethod
    def load(cls, path: "str | Path", kind: str) -> "Rules":
        """Read a rules file (UTF-8); one-line :class:`BadInput` if it is missing or a line is bad."""
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"--{kind} {path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
        return cls.parse(text.splitlines(), kind, str(path))

    def __len__(self) -> int:
        return len(self.rules)

    def describe(self) -> dict:
        """For reports and the run fingerprint (a changed list redoes the inputs)."""
        return {"file": self.origin, "rules": len(self.rules), "sha256": self.digest}

    def matches(self, text: str) -> list[tuple[int, int, Rule]]:
        """Every non-empty match of every rule, in text order."""
        found = [(m.start(), m.end(), r) for r in self.rules for m in r.pattern.finditer(text) if m.end() > m.start()]
        return sorted(found, key=lambda f: (f[0], -f[1]))

    # -- deny ----------------------------------------------------------------------------------------------

    def find(self, text: str) -> list[Span]:
        """Deny spans (score 1.0, ``annotator`` ``deny:RULE``), overlapping matches merged."""
        spans = [Span(a, b, r.label, 1.0, annotator=f"deny:{r.name}") for a, b, r in self.matches(text)]
        return merge_spans(spans)

    # -- allow ---------------------------------------------------------------------------------------------

    def keep_out(self, text: str, spans: Iterable[Span]) -> list[Span]:
        """``spans`` without the parts that an allow rule matches (a piece left with no word is dropped)."""
        allowed = [(a, b) for a, b, _ in self.matches(text)]
        if not allowed:
            return list(spans)
        out = []
        for s in spans:
            pieces = [(s.start, s.end)]
            for a, b in allowed:
                if b <= s.start or a >= s.end:
                    continue
                pieces = [p for x, y in pieces for p in ((x, min(y, a)), (max(x, b), y)) if p[1] > p[0]]
            for x, y in pieces:
                while x < y and not _WORD.match(text[x]):
                    x += 1
                while y > x and not _WORD.match(text[y - 1]):
                    y -= 1
                if y > x:
                    out.append(s if (x, y) == (s.start, s.end) else replace(s, start=x, end=y))
        return out


def combine(predicted: list[Span], deny: list[Span], text: str) -> list[Span]:
    """Predicted and deny spans, overlaps merged; a merged span says where it came from
    (``model``, ``deny:RULE``, or both joined by ``+``).

    >>> p, d = [Span(0, 5, "PERSON", 0.8)], [Span(3, 9, "MISC", 1.0, annotator="deny:x")]
    >>> [(s.start, s.end, s.label, s.annotator) for s in combine(p, d, "Smith Jr.")]
    [(0, 9, 'MISC', 'model+deny:x')]
    """
    parts = predicted + deny
    merged = merge_spans(parts)
    if len(merged) == len(parts):
        return [s if s.annotator else replace(s, annotator="model") for s in merged]
    out = []
    for m in merged:
        sources = list(dict.fromkeys(p.annotator or "model" for p in parts if p.start < m.end and m.start < p.end))
        out.append(replace(m, annotator="+".join(sources)))
    return out


def apply_rules(text: str, predicted: list[Span], allow: "Rules | None", deny: "Rules | None") -> list[Span]:
    """The spans to redact: predicted minus allowed parts, plus deny matches (deny beats allow)."""
    spans = allow.keep_out(text, predicted) if allow else list(predicted)
    return combine(spans, deny.find(text) if deny else [], text)


def as_rules(value: "Rules | str | Path | Iterable[str] | None", kind: str) -> "Rules | None":
    """A library argument as :class:`Rules`: a Rules object, a file path, or an iterable of lines."""
    if value is None or isinstance(value, Rules):
        return value
    if isinstance(value, (str, Path)):
        return Rules.load(value, kind)
    return Rules.parse(list(value), kind, f"{kind} list")
