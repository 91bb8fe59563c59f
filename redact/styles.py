"""What replaces a redacted span: ``mask`` (█ of the same length), ``label`` ([PERSON]) or
``pseudonym`` ([PERSON_1], the same number for the same string within a document).

>>> r = Replacer("pseudonym")
>>> r("John Smith", "PERSON"), r("Anna Berg", "PERSON"), r("John Smith", "PERSON")
('[PERSON_1]', '[PERSON_2]', '[PERSON_1]')
>>> Replacer("mask")("Oslo", "LOC")
'████'
"""

from __future__ import annotations

STYLES = ("mask", "label", "pseudonym")
MASK_CHAR = "█"


class Replacer:
    """Stateful per document (pseudonym numbering)."""

    def __init__(self, style: str = "mask"):
        if style not in STYLES:
            raise ValueError(f"unknown style {style!r}; choose from {', '.join(STYLES)}")
        self.style = style
        self._numbers: dict[tuple[str, str], int] = {}
        self._counts: dict[str, int] = {}

    def __call__(self, original: str, label: str) -> str:
        if self.style == "mask":
            return "".join(c if c in "\n\r" else MASK_CHAR for c in original)
        if self.style == "label":
            return f"[{label}]"
        key = (label, original)
        if key not in self._numbers:
            self._counts[label] = self._counts.get(label, 0) + 1
            self._numbers[key] = self._counts[label]
        return f"[{label}_{self._numbers[key]}]"


def redact_text(text: str, spans, style: str = "mask") -> str:
    """``text`` with every span replaced (spans must not overlap; see ``merge_spans``).

    >>> from redact.spans import Span
    >>> redact_text("Ann met Bob.", [Span(0, 3, "PERSON"), Span(8, 11, "PERSON")], "label")
    '[PERSON] met [PERSON].'
    """
    replace = Replacer(style)
    out, pos = [], 0
    for s in sorted(spans, key=lambda s: s.start):
        out.append(text[pos : s.start])
        out.append(replace(text[s.start : s.end], s.label))
        pos = s.end
    out.append(text[pos:])
    return "".join(out)
