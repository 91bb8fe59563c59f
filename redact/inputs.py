"""Turning command-line inputs (files, folders, globs, ``-``) into a stream of sources.

>>> [s.rel.as_posix() for s in expand_inputs(["samples"])]  # doctest: +SKIP
['001-61744.docx', '001-61744.pdf', '001-61744.txt', ...]
"""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import BadInput
from .formats import SUFFIXES

COLLECTION_SUFFIXES = {".json", ".jsonl"}


@dataclass
class Source:
    """One input: a file (``path``), or stdin (``path`` None); ``rel`` is its path under the output folder."""

    path: Path | None
    rel: Path
    collection: bool = False

    @property
    def name(self) -> str:
        return "-" if self.path is None else str(self.path)


def _is_wanted(p: Path) -> bool:
    return p.suffix.lower() in SUFFIXES | COLLECTION_SUFFIXES and not p.name.startswith(".")


def expand_inputs(inputs: list[str], collection: bool = False) -> Iterator[Source]:
    """Yield sources in a stable order; folders are walked recursively (only known file types).

    A missing path or a glob that matches nothing raises :class:`BadInput` before any work starts.
    """
    plan: list[Source] = []
    for item in inputs:
        if item == "-":
            plan.append(Source(None, Path("stdin.txt"), collection))
            continue
        p = Path(item)
        if p.is_dir():
            for f in sorted(x for x in p.rglob("*") if x.is_file() and _is_wanted(x)):
                plan.append(Source(f, f.relative_to(p), f.suffix.lower() in COLLECTION_SUFFIXES))
        elif p.exists():
            plan.append(Source(p, Path(p.name), collection or p.suffix.lower() in COLLECTION_SUFFIXES))
        elif any(c in item for c in "*?["):
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True) if Path(m).is_file())
            if not matches:
                raise BadInput(f"{item}: no files match")
            plan.extend(Source(m, Path(m.name), collection or m.suffix.lower() in COLLECTION_SUFFIXES)
                        for m in matches)
        else:
            raise BadInput(f"{item}: no such file or folder")
    yield from plan
