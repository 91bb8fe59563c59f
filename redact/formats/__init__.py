"""File formats behind one small interface: ``read(path) -> Loaded`` (the text the model sees, plus
whatever the writer needs), and ``write(loaded, spans, dest, style) -> dict`` (extra report fields).

>>> sorted(SUFFIXES)
['.docx', '.md', '.pdf', '.text', '.txt']
"""

from __future__ import annotations

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
