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
>>> t = "Mail a.b@example.no, see https://example.org/x. From 10.0.0.12 call +47 912 34 567."
>>> [t[s.start:s.end] for n in ("email", "url", "ip", "phone") for s in get_recognizer(n).find(t)]
['a.b@example.no', 'https://example.org/x', '10.0.0.12', '+47 912 34 567']
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


class EmailRecognizer(PatternRecognizer):
    """Email addresses (local part, ``@``, a domain with a dot), whole."""

    def __init__(self, name: str = "email", label: str = "CODE"):
        super().__init__(name, r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])", label)


class UrlRecognizer(PatternRecognizer):
    """Web addresses with a scheme or ``www.`` (trailing sentence punctuation left out)."""

    def __init__(self, name: str = "url", label: str = "CODE"):
        super().__init__(name, r"(?:https?://|www\.)[^\s<>\"'“”]+", label, flags=re.IGNORECASE)

    def find(self, text: str) -> list[Span]:
        out = []
        for m in self.pattern.finditer(text):
            end = m.end()
            while end > m.start() and text[end - 1] in ".,;:!?)]}":
                end -= 1
            out.append(Span(m.start(), end, self.label, self.score))
        return out


class IpRecognizer(PatternRecognizer):
    """IPv4 and IPv6 addresses, checked by :mod:`ipaddress` (not version numbers like 3.4.2)."""

    def __init__(self, name: str = "ip", label: str = "CODE"):
        super().__init__(name, r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})"
                               r"(?![\w.:])", label)

    def accept(self, match: str) -> bool:
        import ipaddress

        try:
            ipaddress.ip_address(match)
        except ValueError:
            return False
        return match.count(":") >= 2 or match.count(".") == 3


class PhoneRecognizer(Recognizer):
    """Phone numbers that ``phonenumbers`` finds valid: international ones (``+47 912 34 567``) anywhere,
    national ones for each of ``regions`` (``(931)547-6169`` for US, ``020 7946 0958`` for GB)."""

    def __init__(self, name: str = "phone", label: str = "CODE", regions: Iterable[str] = ("US", "GB", "DE", "FR", "NO"),
                 score: float = 1.0):
        self.name, self.label, self.score, self.regions = name, label, score, tuple(regions)

    def find(self, text: str) -> list[Span]:
        import phonenumbers

        found = {}
        for region in self.regions or (None,):
            for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
                found[(m.start, m.end)] = Span(m.start, m.end, self.label, self.score)
        return [found[k] for k in sorted(found)]


#: python-stdnum modules of national identity numbers with a strong structure (a date of birth and/or a
#: check digit), tried on candidate strings; plain 9-digit numbers with a weak checksum are left out.
NATIONAL_IDS = ("no.fodselsnummer", "dk.cpr", "se.personnummer", "fi.hetu", "pl.pesel", "es.dni", "es.nie",
                "fr.nir", "ro.cnp", "tr.tckimlik", "it.codicefiscale", "ie.pps", "be.nn", "ee.ik", "lt.asmens",
                "bg.egn", "cz.rc", "gb.nhs")


class NationalIdRecognizer(Recognizer):
    """National identity numbers valid for one of ``modules`` (python-stdnum), e.g. Norwegian
    fødselsnummer, Polish PESEL, Spanish DNI, Italian codice fiscale."""

    _CANDIDATE = re.compile(r"(?<![\w/-])(?:[A-Z0-9]{6,16}|\d{6}[-+ /]?\d{3,5}[A-Z]?|\d{3}[- ]\d{3}[- ]\d{4})(?![\w/-])")

    def __init__(self, name: str = "national_id", label: str = "CODE", modules: Iterable[str] = NATIONAL_IDS,
                 score: float = 1.0):
        self.name, self.label, self.score, self.modules = name, label, score, tuple(modules)

    def find(self, text: str) -> list[Span]:
        import importlib

        mods = [importlib.import_module(f"stdnum.{m}") for m in self.modules]
        out = []
        for m in self._CANDIDATE.finditer(text):
            value = m.group(0)
            if not any(c.isdigit() for c in value) or value.isdigit() and len(value) < 9:
                continue
            if any(_quiet_valid(mod, value) for mod in mods):
                out.append(Span(m.start(), m.end(), self.label, self.score))
        return out


def _quiet_valid(module, value: str) -> bool:
    try:
        return bool(module.is_valid(value))
    except Exception:  # noqa: BLE001 - a validator that chokes on a foreign format: not valid
        return False


class VatRecognizer(ChecksumRecognizer):
    """EU VAT numbers with their country prefix (``DE136695976``, ``NL 8046.98.442.B01``), checked by
    python-stdnum's ``eu.vat``."""

    def __init__(self, name: str = "vat", label: str = "CODE"):
        super().__init__(name, r"\b(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)"
                               r"[ ]?[0-9A-Z][0-9A-Z .]{6,14}[0-9A-Z]\b", label, _stdnum("eu.vat"))


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
    "email": EmailRecognizer,
    "url": UrlRecognizer,
    "ip": IpRecognizer,
    # valid phone numbers (phonenumbers): international anywhere, national for a few regions
    "phone": PhoneRecognizer,
    # national identity numbers and EU VAT numbers with checksums (python-stdnum)
    "national_id": NationalIdRecognizer,
    "vat": VatRecognizer,
}
DEFAULT = ("application_number", "full_date", "iban", "payment_card", "email", "url", "ip", "phone", "national_id",
           "vat")


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
