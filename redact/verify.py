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


#: Words these formats use in their own fixed names: Word's and LibreOffice's built-in style names
#: ("Body Text", "Balloon Text", "Frame Contents"), default shape and frame names ("Text Box 5", "Picture 2",
#: "Frame1"), VML/CSS keywords in style attributes ("mso-position-vertical-relative:text") and PDF name
#: objects (/MediaBox, /ProcSet [/PDF /Text]). A needle made of these words only (a span the model took
#: from a frame label "Box: ..." or a shape name) is a common word, not an identifier, when it turns up
#: in such a name: there it is not looked for (see :meth:`Needles.split`); in text content it still is.
#: Deliberately a short list, not a dictionary: a surname that is also an English word (Smith, Rose,
#: Baker) stays a needle in style names and PDF names.
VOCABULARY = frozenset("""
    accent acronym address addressee annotation arrow authorities balloon bibliography block body book box
    bullet bullets callout canvas caption character chart cite closing code colorful column columns contents
    continue date default definition diagram drawing emphasis endnote envelope figure figures first followed
    font footer footnote form frame graphics grid group hashtag header heading horizontal hyperlink
    illustration image indent index ink intense internet keyboard light line link list macro mail map
    marginalia medium mention message normal note number numbering object oval page paragraph picture placeholder
    plain preformatted quotations quote rectangle reference return revision salutation sample section
    sender shading shape signature simple smart source spacing standard strong style subject subtitle subtle
    symbols table text textbox theme title toc typewriter unresolved variable vertical visited watermark web
""".split())
#: small numbers that go with vocabulary words in default names ("Text Box 5", "heading 1")
_SMALL_NUMBER = re.compile(r"^\d{1,3}$")


def vocabulary(needle: str) -> bool:
    """The needle is made of :data:`VOCABULARY` words (and small numbers) only.

    >>> vocabulary("text box 5"), vocabulary("box"), vocabulary("kowalski"), vocabulary("5")
    (True, True, False, False)
    """
    words = _WORD.findall(needle)
    return any(w in VOCABULARY for w in words) and all(w in VOCABULARY or _SMALL_NUMBER.match(w) for w in words)


def normalise(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed, soft hyphens (U+00AD, invisible unless a line breaks
    there) dropped: the form needles are compared in.

    >>> normalise("Ｋowal\u00adski\\n  Jan")
    'kowalski jan'
    """
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold().replace("\u00ad", ""))


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

    def _partition(self, keep) -> tuple["Needles", "Needles"]:
        """(the needles ``keep`` is true for, the others), each with its allowance."""
        yes = {n: c for n, c in self.strings.items() if keep(n)}
        return Needles(yes), Needles({n: c for n, c in self.strings.items() if n not in yes})

    def by_words(self) -> tuple["Needles", "Needles"]:
        """(needles of one word, needles of several): structure is searched for the first kind as whole
        words, for the second as they are."""
        return self._partition(lambda n: " " not in n)

    def split(self) -> tuple["Needles", "Needles"]:
        """(needles that are :func:`vocabulary` words, the others): verifiers look for the first kind in
        text content only, not in style, shape, element or PDF names."""
        return self._partition(vocabulary)

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

    def find_bytes(self, data: bytes, where: str, allowed: bool = False, whole_words: bool = False) -> list[str]:
        """Needles in raw bytes under the encodings files use: UTF-8/Latin-1, UTF-16 (both byte orders)
        and hexadecimal text of those. With ``allowed`` the per-needle allowance applies, else any
        occurrence is a hit. With ``whole_words`` a needle counts only where no letter or digit touches
        it: for a file's structure, where "erin" is in "/Ordering" and "ting" in "settings.xml".

        >>> Needles({"erin": 0}).find_bytes(b"/Ordering (Identity)", "x", whole_words=True)
        []
        >>> Needles({"erin": 0}).find_bytes(b"(Erin Brooks)", "x", whole_words=True)
        ["x: 'erin'"]
        """
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
                if n in hits or n not in got:
                    continue
                count = len(re.findall(r"(?<![^\W_])" + re.escape(n) + r"(?![^\W_])", got)) if whole_words \
                    else got.count(n)
                if count > (limit if allowed else 0):
                    hits[n] = label
        return [f"{where}: {n!r}" + (f" ({label})" if label not in ("text", "utf-8") else "")
                for n, label in hits.items()]


# -- the second net: removed strings left in free text ------------------------------------------------------

def needle_labels(text: str, spans) -> dict[str, str]:
    """The verifier's needles (removed strings, and the ≥4-character words of PERSON/CODE/LOC/ORG spans)
    -> the label of a span they come from (``REDACTED`` when none says).

    >>> from redact.spans import Span
    >>> needle_labels("Mr Jan Kowalski", [Span(3, 15, "PERSON")])["kowalski"]
    'PERSON'
    """
    labels: dict[str, str] = {}
    for s in spans:
        original = normalise(text[s.start:s.end]).strip()
        for key in [original] + re.findall(r"\w+", original):
            labels.setdefault(key, s.label)
    return {n: labels.get(n, "REDACTED") for n in Needles.build(text, spans, "").strings}


def mask_needles(value: str, labels: dict[str, str], operator, whole_words: bool = False) -> str:
    """Second net for free text (alt text, attributes, headers): every removed string or word still in
    ``value`` goes (``whole_words``: only where it is a whole word); if the normalised value still holds
    one (Unicode forms, odd spacing), the whole value goes.

    >>> from redact.operators import get_operator
    >>> mask_needles("Photo of Kowalski", {"kowalski": "PERSON"}, get_operator("label"))
    'Photo of [PERSON]'
    """
    for needle in sorted(labels, key=len, reverse=True):
        pattern = r"\s+".join(map(re.escape, needle.split()))
        if whole_words:
            pattern = r"(?<!\w)" + pattern + r"(?!\w)"
        value = re.sub(pattern, lambda m: operator.replace(m.group(0), labels[needle]), value, flags=re.I)
    got = normalise(value)
    for needle, label in labels.items():
        if needle in got:
            return operator.replace(value, label)
    return value
