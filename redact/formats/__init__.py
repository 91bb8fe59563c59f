"""File formats behind one contract (:class:`~redact.formats.base.Format`) and one registry.

Adding a format is one module exposing ``FORMAT`` plus one line in :data:`BUILTIN`; third-party
packages register theirs under the entry-point group ``redact.formats`` (the entry point names an
object that fulfils the contract).

>>> format_for("a/b.PDF").name
'pdf'
>>> sorted(BUILTIN)
['.docx', '.eml', '.htm', '.html', '.jpeg', '.jpg', '.md', '.pdf', '.png', '.text', '.tif', '.tiff', '.txt', '.xhtml']
"""

from __future__ import annotations

import importlib
from pathlib import Path

from .base import Format, Parsed, Unreadable, Verification, WriteOptions, WriteResult  # noqa: F401

#: suffix -> module holding ``FORMAT``. Modules are imported when a file of theirs is met.
BUILTIN: dict[str, str] = {
    ".txt": "redact.formats.txt", ".text": "redact.formats.txt", ".md": "redact.formats.txt",
    ".docx": "redact.formats.docx",
    ".pdf": "redact.formats.pdf",
    ".png": "redact.formats.image",
    ".jpg": "redact.formats.image",
    ".jpeg": "redact.formats.image",
    ".tif": "redact.formats.image",
    ".tiff": "redact.formats.image",
    ".html": "redact.formats.html", ".htm": "redact.formats.html", ".xhtml": "redact.formats.html",
    ".eml": "redact.formats.eml",
}

_registry: dict[str, Format] = {}
_plugins_loaded = False


def register(fmt: Format) -> Format:
    """Register a format object for its suffixes (later registrations win)."""
    if not isinstance(fmt, Format):
        raise TypeError(f"{fmt!r} does not fulfil the Format contract (name, suffixes, read, write, verify)")
    for suffix in fmt.suffixes:
        _registry[suffix.lower()] = fmt
    return fmt


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    from importlib.metadata import entry_points

    for ep in entry_points(group="redact.formats"):
        register(ep.load())


def suffixes() -> set[str]:
    """Every suffix a format is known for."""
    _load_plugins()
    return set(BUILTIN) | set(_registry)


def format_for(path: str | Path) -> Format:
    """The format object for a file name (by suffix, case-insensitive); ``ValueError`` if unknown."""
    suffix = Path(path).suffix.lower()
    _load_plugins()
    if suffix not in _registry and suffix in BUILTIN:
        register(importlib.import_module(BUILTIN[suffix]).FORMAT)
    if suffix not in _registry:
        raise ValueError(f"unsupported file type '{suffix or Path(path).name}'")
    return _registry[suffix]
