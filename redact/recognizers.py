"""Pattern recognizers: a documented layer beside the model for what is regular in court documents
(like Presidio's recognizers). Each has a ``name`` and ``find(text) -> list[Span]``.

>>> [(s.label, s.start, s.end) for s in ApplicationNumber().find("application no. 36244/06 lodged")]
[('CODE', 16, 24)]
>>> [(s.label, s.start, s.end) for s in FullDate().find("born on 3 March 1961 in")]
[('DATETIME', 8, 20)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .spans import Span

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


@dataclass
class PatternRecognizer:
    """Every match of ``pattern`` becomes a span with ``label`` and a fixed ``score``."""

    name: str
    pattern: str
    label: str
    score: float = 1.0

    def __post_init__(self):
        self._re = re.compile(self.pattern)

    def find(self, text: str) -> list[Span]:
        return [Span(m.start(), m.end(), self.label, self.score) for m in self._re.finditer(text)]


def ApplicationNumber() -> PatternRecognizer:
    """ECHR application numbers such as 36244/06 (DIRECT identifiers in TAB)."""
    return PatternRecognizer("application_number", r"(?<![\w/])\d{1,6}/\d{2}(?![\w/])", "CODE")


def FullDate() -> PatternRecognizer:
    """Day-month-year dates such as 3 March 1961."""
    return PatternRecognizer("full_date", rf"\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b", "DATETIME")


def default_recognizers() -> list[PatternRecognizer]:
    """The recognizers ``redact run --patterns`` adds (off by default: on dev they added no recall; see README)."""
    return [ApplicationNumber(), FullDate()]
