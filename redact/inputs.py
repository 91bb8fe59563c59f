"""Turning command-line inputs (files, folders, globs, ``-``) into sources with their output paths.

Outputs mirror the inputs' paths relative to their common root: ``cases/a/x.pdf`` and ``cases/b/x.pdf``
become ``a/x.pdf`` and ``b/x.pdf``; two inputs that would still map to one output are refused before
any work starts. Folders named in ``exclude`` (the output and reports folders) are never read.

>>> [s.rel.as_posix() for s in expand_inputs(["samples"])][:2]  # doctest: +SKIP
['001-82370.docx', '001-82370.pdf']
"""

from __future__ import annotations

import glob
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .errors import BadInput
from .formats import suffixes

COLLECTION_SUFFIXES = {".json", ".jsonl"}


def display(path: "str | Path") -> str:
    """A path as text that can always be printed and stored (undecodable bytes escaped).

    >>> display(os.fsdecode(b"caf\\xe9.txt"))
    'caf\\\\xe9.txt'
    """
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass
class Source:
    """One input: a file (``path``), or stdin (``path`` None); ``rel`` is its path under the output folder;
    ``problem`` is why it cannot be read at all (a special file), reported as a failure of that input."""

    path: Path | None
    rel: Path
    collection: bool = False
    problem: str | None = None

    @property
    def name(self) -> str:
        return "-" if self.path is None else display(self.path)

    @property
    def output_rel(self) -> Path:
        """Where the redacted copy goes under ``-o`` (collections become ``NAME.jsonl``)."""
        return self.rel.with_suffix(".jsonl") if self.collection else self.rel


def _is_wanted(p: Path) -> bool:
    return p.suffix.lower() in suffixes() | COLLECTION_SUFFIXES and not p.name.startswith(".")


def _inside(p: Path, folders: list[Path]) -> bool:
    return any(p == f or f in p.parents for f in folders)


def expand_inputs(inputs: Iterable[str], collection: bool = False, exclude: Iterable[str | Path] = ()) -> list[Source]:
    """Sources in a stable order; folders are walked recursively (known file types only).

    A missing path, a glob that matches nothing, or two inputs mapping to one output raise
    :class:`BadInput` before any work starts.
    """
    excluded = [Path(e).resolve() for e in exclude]
    found: list[tuple[Path, Path, bool]] = []  # (file, anchor folder, collection)
    stdin = False
    for item in inputs:
        if item == "-":
            stdin = True
            continue
        p = Path(item)
        if p.is_dir():
            for f in sorted(x for x in p.rglob("*") if _is_wanted(x)):
                if not _inside(f.resolve(), excluded) and not any(part.startswith(".") for part in
                                                                  f.relative_to(p).parts[:-1]):
                    found.append((f, p, collection or f.suffix.lower() in COLLECTION_SUFFIXES))
        elif p.exists() or p.is_symlink():
            found.append((p, p.parent, collection or p.suffix.lower() in COLLECTION_SUFFIXES))
        elif any(c in item for c in "*?["):
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True) if Path(m).is_file())
            matches = [m for m in matches if not _inside(m.resolve(), excluded)]
            if not matches:
                raise BadInput(f"{item}: no files match")
            found.extend((m, m.parent, collection or m.suffix.lower() in COLLECTION_SUFFIXES) for m in matches)
        else:
            raise BadInput(f"{display(item)}: no such file or folder")

    sources: list[Source] = [Source(None, Path("stdin.txt"), collection)] if stdin else []
    if found:
        anchors = {str(a.resolve()) for _, a, _ in found}
        root = Path(os.path.commonpath(sorted(anchors)))
        seen: dict[str, Source] = {}
        files: set[Path] = set()
        for f, _, coll in found:
            resolved = f.resolve()
            if resolved in files:
                continue  # the same file named twice
            files.add(resolved)
            rel = Path(os.path.abspath(f)).relative_to(root) if Path(os.path.abspath(f)).is_relative_to(root) \
                else resolved.relative_to(root)
            src = Source(f, rel, coll, _problem(f))
            key = src.output_rel.as_posix().casefold()
            if key in seen:
                raise BadInput(f"{src.name} and {seen[key].name} would both be written to "
                               f"{src.output_rel.as_posix()}; rename one or redact them in separate runs")
            seen[key] = src
            sources.append(src)
    return sources


def _problem(p: Path) -> str | None:
    try:
        mode = p.stat().st_mode
    except OSError as exc:
        return f"{display(p)}: cannot read ({exc.strerror})"
    if not stat.S_ISREG(mode):
        return f"{display(p)}: not a regular file (a pipe, device or socket); not read"
    return None
