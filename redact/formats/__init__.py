"""File formats behind one small interface: ``read(path) -> Loaded`` (the text the model sees, plus
whatever the writer needs), and ``write(loaded, spans, dest, style) -> dict`` (extra report fields).

>>> sorted(SUFFIXES)
['.docx', '.md', '.pdf', '.text', '.txt']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Loaded:
    """A document read from a file: ``text`` for the model, ``state`` for the writer, and warnings."""

    text: str
    state: Any = None
    info: dict = field(default_factory=dict)


def _module(suffix: str):
    from . import docx, pdf, txt

    return {".txt": txt, ".text": txt, ".md": txt, ".docx": docx, ".pdf": pdf}[suffix]


SUFFIXES = {".txt", ".text", ".md", ".docx", ".pdf"}


def format_for(path: str | Path):
    """The format module (``txt``, ``docx`` or ``pdf``) for a file name."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"unsupported file type '{suffix or Path(path).name}'")
    return _module(suffix)


class RedactedStrings:
    """The strings a document's spans removed, to mask wherever else a format keeps text (properties,
    attributes, link targets, annotations, bookmarks). Whole words only; strings under 3 characters are
    left alone (they would hit unrelated words).

    >>> from redact.spans import Span
    >>> RedactedStrings("Ann Lee met Bo.", [Span(0, 7, "PERSON"), Span(12, 14, "PERSON")]).mask("Ann Lee's Annex")
    "███████'s Annex"
    """

    def __init__(self, text: str, spans, min_chars: int = 3):
        found = {text[s.start : s.end].strip() for s in spans}
        self.strings = sorted((x for x in found if len(x) >= min_chars), key=len, reverse=True)
        self.pattern = (re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, self.strings)) + r")(?!\w)")
                        if self.strings else None)

    def __bool__(self) -> bool:
        return self.pattern is not None

    def mask(self, value: str) -> str:
        """``value`` with every whole-word occurrence replaced by █ of the same length."""
        if self.pattern is None:
            return value
        return self.pattern.sub(lambda m: "█" * len(m.group(0)), value)
