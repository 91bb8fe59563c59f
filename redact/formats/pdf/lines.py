"""A page's text as the model reads it, from its glyphs in drawing order: line breaks where the baseline
moves (or the text jumps back left, a new column), spaces where glyphs leave a gap, and words broken at a
line end joined again.

A producer that hyphenates (typst does by default with justified text, LibreOffice with automatic
hyphenation) draws ``Kowal`` + U+00AD (soft hyphen) on one line and ``czykowski`` on the next. Read as
drawn, the model sees two fragments: junk spans, and the fragments then turn up elsewhere and fail the
file. So a line-end soft hyphen is always a join; a visible hyphen (``-``, U+2010, U+2011) only when a
letter precedes it and the next line starts with a lower-case letter (``well-`` + ``known`` stays as is
only when the next line is capitalised — the same rule as the OCR path, :func:`redact.ocr.join_words`).
The hyphen is left out of the text and *attached* to the glyph before it: a span over the word removes
both halves and the hyphen. A soft hyphen inside a line is invisible and is left out of the text the same
way.

>>> from redact.formats.pdf.interpret import Glyph
>>> def g(text, x, y): return Glyph(0, "s", 0, 0, 0, 1, text, 0.0, (x, y, x + 5, y + 10), 10.0, (x, y))
>>> line1 = [g(c, 10 + 6 * i, 100) for i, c in enumerate("Mr Kowal\\xad")]
>>> line2 = [g(c, 10 + 6 * i, 88) for i, c in enumerate("ski came")]
>>> pieces, attached = page_text(line1 + line2)
>>> "".join(t for t, _ in pieces)
'Mr Kowalski came'
>>> attached
{7: [8]}
>>> def two(a, b): return [g(c, 10 + 6 * i, 100) for i, c in enumerate(a)] + [g(c, 10 + 6 * i, 88) for i, c in enumerate(b)]
>>> "".join(t for t, _ in page_text(two("appli-", "cant"))[0])
'applicant'
>>> "".join(t for t, _ in page_text(two("Anna-", "Maria"))[0])
'Anna-\\nMaria'
"""

from __future__ import annotations

from .interpret import Glyph

SOFT_HYPHEN = "\u00ad"
#: visible hyphens that may break a word at a line end
HYPHENS = ("-", "\u2010", "\u2011")


def new_line(prev: Glyph, g: Glyph) -> bool:
    """``g`` starts a new line after ``prev``: its baseline moved, or it jumps back left (a new column)."""
    size = max(g.size, 1)
    return abs(g.baseline[1] - prev.baseline[1]) > 0.5 * size or g.bbox[2] < prev.bbox[0] - 2 * size


def _gap(prev: Glyph, g: Glyph) -> bool:
    """A space between two glyphs on one line that the producer drew as a gap, not as a space glyph."""
    return g.bbox[0] - prev.bbox[2] > 0.15 * max(g.size, 1) and not g.text.isspace() and not prev.text.isspace()


def _break(drawn: list[Glyph], prev: int | None, k: int) -> int | None:
    """When glyph ``k`` is a hyphen breaking a word at a line end, the index of the glyph that continues
    the word on the next line (spaces drawn after the hyphen skipped), else None."""
    g = drawn[k]
    if prev is None or g.text not in (SOFT_HYPHEN, *HYPHENS) or not drawn[prev].text[-1:].isalpha():
        return None
    j = k + 1
    while j < len(drawn) and drawn[j].text.isspace() and not new_line(g, drawn[j]):
        j += 1
    if j >= len(drawn) or not new_line(g, drawn[j]):
        return None
    first = drawn[j].text[:1]
    return j if (first.isalpha() if g.text == SOFT_HYPHEN else first.islower()) else None


def page_text(drawn: list[Glyph]) -> tuple[list[tuple[str, int | None]], dict[int, list[int]]]:
    """(pieces, attached) for a page's glyphs that have text: ``pieces`` are (text, index of the glyph
    drawing it, or None for an inferred space / line break); ``attached`` maps a glyph index to the
    glyphs left out of the text that go wherever it goes (line-end hyphens, soft hyphens)."""
    pieces: list[tuple[str, int | None]] = []
    attached: dict[int, list[int]] = {}
    prev: int | None = None
    joined = False  # the previous glyph ended a line with a hyphen: no line break before this one
    tight = False  # a soft hyphen inside the line was left out: its width is no space
    k = 0
    while k < len(drawn):
        g = drawn[k]
        nxt = _break(drawn, prev, k)
        if nxt is not None:
            attached.setdefault(prev, []).extend(range(k, nxt))
            joined, k = True, nxt
            continue
        if g.text == SOFT_HYPHEN and prev is not None:
            attached.setdefault(prev, []).append(k)
            tight, k = True, k + 1
            continue
        if prev is not None and not joined:
            if new_line(drawn[prev], g):
                pieces.append(("\n", None))
            elif _gap(drawn[prev], g) and not tight:
                pieces.append((" ", None))
        joined = tight = False
        pieces.append((g.text, k))
        prev = k
        k += 1
    return pieces, attached
