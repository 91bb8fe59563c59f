"""Plain text (UTF-8; UTF-16 with a BOM is also accepted).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"; _ = p.write_text("Ann")
>>> read(p).text
'Ann'
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BadInput
from ..styles import redact_text
from . import Loaded


def decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{name}: not UTF-8 text (byte {exc.start})") from None


def read(path: Path) -> Loaded:
    return Loaded(decode(Path(path).read_bytes(), str(path)))


def write(loaded: Loaded, spans, dest: Path, style: str) -> dict:
    Path(dest).write_text(redact_text(loaded.text, spans, style), encoding="utf-8")
    return {}
