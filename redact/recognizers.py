"""Recognizers: a documented layer beside the model for what is regular (like Presidio's recognizers).

Each is a :class:`Recognizer` with a ``name`` and ``find(text) -> list[Span]``; :data:`RECOGNIZERS` is the
registry. Three kinds: :class:`PatternRecognizer` (a regular expression), :class:`DictionaryRecognizer`
(a deny-list of terms, whole words, case-insensitive) and :class:`ChecksumRecognizer` (a pattern whose
matches must also pass a checksum — IBANs, payment cards — via python-stdnum, so random digit runs are
not taken for identifiers).

>>> [(s.label, s.start, s.end) for s in get_recognizer("application_number").find("application no. 36244/06 lodged")]
[('CODE', 16, 24)]
>>> [(s.label, s.start, s.end) for s in get_recognizer("full_date").find("born on 3 March 1961 in")]
[('DATETIME', 8, 20)]
>>> [text for text in ("IBAN NO93 8601 1117 947", "IBAN NO93 8601 1117 948")
...  if get_recognizer("iban").find(text)]
['IBAN NO93 8601 1117 947']
>>> [(s.start, s.end) for s in DictionaryRecognizer("clients", ["Acme Holdings"]).find("acme holdings paid")]
[(0, 13)]
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from .spans import Span

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


class Recognizer:
    """Base class: ``find(text)`` returns the spans it recognises (label and a fixed score)."""

    name = "recognizer"
    label = "MISC"
    score = 1.0

    def find(self, text: str) -> list[Span]:
        raise NotImplementedError


class PatternRecognizer(Recognizer):
    """Every match of ``pattern`` becomes a span with ``label``."""

    def __init__(self, name: str, pattern: str, label: str, score: float = 1.0, flags: int = 0):
        self.name, self.label, self.score = name, label, score
        self.pattern = re.compile(pattern, flags)

    def accept(self, match: str) -> bool:
        return True

    def find(self, text: str) -> list[Span]:
        return [Span(m.start(), m.end(), self.label, self.score) for m in self.pattern.finditer(text)
                if self.accept(m.group(0))]


class DictionaryRecognizer(PatternRecognizer):
    """Whole-word, case-insensitive occurrences of fixed terms (a deny-list)."""

    def __init__(self, name: str, terms: Iterable[str], label: str = "MISC", score: float = 1.0):
        terms = sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)
        body = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in terms) or r"(?!x)x"
        super().__init__(name, rf"(?<!\w)(?:{body})(?!\w)", label, score, re.IGNORECASE)


class ChecksumRecognizer(PatternRecognizer):
    """Pattern matches kept only when ``valid(compact)`` holds (separators removed first)."""

    def __init__(self, name: str, pattern: str, label: str, valid: Callable[[str], bool], score: float = 1.0):
        super().__init__(name, pattern, label, score)
        self.valid = valid

    def accept(self, match: str) -> bool:
        return self.valid(re.sub(r"[\s.-]", "", match))


def _stdnum(module: str) -> Callable[[str], bool]:
    def valid(value: str) -> bool:
        import importlib

        return bool(importlib.import_module(f"stdnum.{module}").is_valid(value))
    return valid


#: name -> factory. ``redact run --patterns`` adds :data:`DEFAULT`.
RECOGNIZERS: dict[str, Callable[[], Recognizer]] = {
    # ECHR application numbers such as 36244/06 (DIRECT identifiers in TAB)
    "application_number": lambda: PatternRecognizer("application_number", r"(?<![\w/])\d{1,6}/\d{2}(?![\w/])", "CODE"),
    # day-month-year dates such as 3 March 1961
    "full_date": lambda: PatternRecognizer("full_date", rf"\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b", "DATETIME"),
    # IBANs (mod-97 checksum) and payment card numbers (Luhn)
    "iban": lambda: ChecksumRecognizer("iban", r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b",
                                       "CODE", _stdnum("iban")),
    "payment_card": lambda: ChecksumRecognizer("payment_card", r"\b(?:\d[ -]?){12,18}\d\b", "CODE", _stdnum("luhn")),
}
DEFAULT = ("application_number", "full_date", "iban", "payment_card")


def register_recognizer(name: str, factory: Callable[[], Recognizer]) -> None:
    """Make a recognizer available by name."""
    RECOGNIZERS[name] = factory


def get_recognizer(name: str) -> Recognizer:
    if name not in RECOGNIZERS:
        raise ValueError(f"unknown recognizer {name!r}; choose from {', '.join(RECOGNIZERS)}")
    return RECOGNIZERS[name]()


def default_recognizers() -> list[Recognizer]:
    """The recognizers ``redact run --patterns`` adds (off by default: on dev they added no recall; see README)."""
    return [get_recognizer(n) for n in DEFAULT]
