"""What a verifier looks for in a written output: the removed strings and their parts.

Built from the original text, the spans and the text as it should read after redaction. A needle is a
removed string, or a word of ≥ 4 characters of a PERSON/CODE/LOC/ORG span (or any span of a direct
identifier type); it is compared case-insensitively after Unicode normalisation (NFKC) and with runs
of whitespace collapsed. A needle counts as *leaked* in an output when it occurs there more often than
in the expected redacted text: "Lee" kept elsewhere in the document by the model's decision is not a
leak, a "Kowalski" the writer forgot is.

>>> from redact.spans import Span
>>> text = "Mr Jan Kowalski met the Court."
>>> n = Needles.build(text, [Span(3, 15, "PERSON")], "Mr ████████████ met the Court.")
>>> sorted(n.strings)
['jan kowalski', 'kowalski']
>>> n.find("Kowalski was here", where="page 1")
["page 1: 'kowalski'"]
>>> n.find("the Court", where="page 1")
[]
>>> n.find_bytes("Kowalski".encode("utf-16-be"), where="stream 4")
["stream 4: 'kowalski' (utf-16-be)"]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

#: Entity types whose single words identify on their own (a surname, a street, a company name, an ID).
WORD_TYPES = {"PERSON", "CODE", "LOC", "ORG"}
MIN_WORD = 4
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: the form needles are compared in.

    >>> normalise("Ｋowalski\\n  Jan")
    'kowalski jan'
    """
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold())


@dataclass
class Needles:
    """Removed strings (normalised) with how often each may legitimately appear in the output."""

    strings: dict[str, int] = field(default_factory=dict)  # needle -> allowed count (in expected text)

    @classmethod
    def build(cls, text: str, spans: Iterable, expected: str) -> "Needles":
        """Needles for an output whose text should read ``expected`` (the redacted text)."""
        exp = normalise(expected)
        found: set[str] = set()
        for s in spans:
            original = normalise(text[s.start : s.end]).strip()
            if len(original) >= 3:
                found.add(original)
            if s.label in WORD_TYPES:
                found.update(w for w in _WORD.findall(original) if len(w) >= MIN_WORD and not w.isdigit()
                             or len(w) >= 5 and w.isdigit())
        return cls({n: exp.count(n) for n in sorted(found)})

    @classmethod
    def for_redaction(cls, text: str, spans: Iterable) -> "Needles":
        """Needles for an output meant to read as ``text`` with ``spans`` masked."""
        from .operators import apply

        return cls.build(text, spans, apply(text, spans, "mask"))

    def __bool__(self) -> bool:
        return bool(self.strings)

    def find(self, output_text: str, where: str) -> list[str]:
        """One line per needle that occurs in ``output_text`` more often than it may."""
        got = normalise(output_text)
        return [f"{where}: {n!r}" for n, allowed in self.strings.items() if got.count(n) > allowed]

    def find_any(self, output_text: str, where: str) -> list[str]:
        """One line per needle occurring at all (for places that hold no document text: metadata,
        link targets, attachments)."""
        got = normalise(output_text)
        squeezed = got.replace(" ", "")
        return [f"{where}: {n!r}" for n in self.strings if n in got or n.replace(" ", "") in squeezed]

    def find_bytes(self, data: bytes, where: str, allowed: bool = False) -> list[str]:
        """Needles in raw bytes under the encodings files use: UTF-8/Latin-1, UTF-16 (both byte orders)
        and hexadecimal text of those. With ``allowed`` the per-needle allowance applies, else any
        occurrence is a hit."""
        hits: dict[str, str] = {}
        variants = [("text", data.decode("latin-1"))]
        try:
            variants.append(("utf-8", data.decode("utf-8")))
        except UnicodeDecodeError:
            pass
        for enc in ("utf-16-be", "utf-16-le"):
            variants.append((enc, data[: len(data) // 2 * 2].decode(enc, "ignore")))
            variants.append((enc, data[1 : 1 + (len(data) - 1) // 2 * 2].decode(enc, "ignore")))
        for hexrun in re.findall(rb"[0-9A-Fa-f]{8,}", data):
            try:
                raw = bytes.fromhex(hexrun[: len(hexrun) // 2 * 2].decode())
            except ValueError:
                continue
            variants.append(("hex", raw.decode("latin-1")))
            variants.append(("hex utf-16", raw[: len(raw) // 2 * 2].decode("utf-16-be", "ignore")))
        for label, text in variants:
            got = normalise(text)
            for n, limit in self.strings.items():
                if n not in hits and got.count(n) > (limit if allowed else 0):
                    hits[n] = label
        return [f"{where}: {n!r}" + (f" ({label})" if label not in ("text", "utf-8") else "")
                for n, label in hits.items()]
