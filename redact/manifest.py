"""The run manifest: what was done to each input, so a second run into the same folders skips what is
done and unchanged, redoes what changed, and cleans up after inputs that now fail.

It lives in the reports folder as JSON lines appended (and flushed to disk) after each input's output
and report are in place; the last line for an input wins. A run killed at any moment leaves at worst an
input whose output exists without its line: the next run redoes it.

>>> import tempfile
>>> m = Manifest(Path(tempfile.mkdtemp()))
>>> m.record(Entry("a.txt", "a.txt", 3, 1, "abc", "k1", "done"))
>>> m.done("a.txt", size=3, mtime_ns=1, key="k1") is not None
True
>>> m.done("a.txt", size=4, mtime_ns=1, key="k1") is None  # changed input: redo
True
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

NAME = "manifest.jsonl"


@dataclass
class Entry:
    """One input's last outcome. ``key`` fingerprints the model and settings that produced it."""

    rel: str
    input: str
    size: int
    mtime_ns: int
    sha256: str
    key: str
    status: str  # "done" or "failed"
    output: str | None = None
    report: str | None = None
    error: str | None = None


class Manifest:
    """Append-only record in ``folder/manifest.jsonl``; :meth:`compact` rewrites it at the end of a run."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / NAME
        self.entries: dict[str, Entry] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    e = Entry(**json.loads(line))
                except (ValueError, TypeError):
                    continue  # a line cut by a kill: ignore it, the input is redone
                self.entries[e.rel] = e
        self._fh = None

    def done(self, rel: str, size: int, mtime_ns: int, key: str, sha256: str | None = None) -> Entry | None:
        """The entry if ``rel`` was done with the same settings and is unchanged (same size and mtime,
        or the same content when ``sha256`` is given), and its output still exists."""
        e = self.entries.get(rel)
        if e is None or e.status != "done" or e.key != key or e.size != size:
            return None
        if e.mtime_ns != mtime_ns and (sha256 is None or sha256 != e.sha256):
            return None
        if e.output and not Path(e.output).exists():
            return None
        return e

    def record(self, entry: Entry) -> None:
        """Append one entry and push it to disk."""
        self.entries[entry.rel] = entry
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", encoding="utf-8")
        self._fh.write(json.dumps(asdict(entry)) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def compact(self) -> None:
        """Rewrite the file with one line per input (atomically)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if not self.entries:
            return
        tmp = self.path.with_name(".redact-" + NAME)
        tmp.write_text("".join(json.dumps(asdict(e)) + "\n" for e in self.entries.values()),
                       encoding="utf-8")
        os.replace(tmp, self.path)
