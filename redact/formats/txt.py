"""Plain text (UTF-8; UTF-16 with a BOM is also accepted). Written as UTF-8.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"; _ = p.write_text("Ann met Bo")
>>> parsed = FORMAT.read(p)
>>> from redact.spans import Span
>>> from redact.operators import get_operator
>>> _ = FORMAT.write(parsed, [Span(0, 3, "PERSON")], p.with_name("b.txt"), WriteOptions(get_operator("label")))
>>> p.with_name("b.txt").read_text()
'[PERSON] met Bo'
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BadInput
from ..operators import apply
from .base import Parsed, Verification, WriteOptions, WriteResult


def decode(data: bytes, name: str) -> str:
    """Text of a file's bytes: UTF-16 with a BOM, else UTF-8 (BOM optional); one-line error otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{name}: not UTF-8 text (byte {exc.start})") from None


class TextFormat:
    name = "txt"
    suffixes = (".txt", ".text", ".md")

    def read(self, path: Path) -> Parsed:
        return self.parse(Path(path).read_bytes(), str(path))

    def parse(self, data: bytes, name: str) -> Parsed:
        return Parsed(decode(data, name), self.name)

    def write(self, parsed: Parsed, spans, dest: Path, options: WriteOptions) -> WriteResult:
        Path(dest).write_text(apply(parsed.text, spans, options.operator), encoding="utf-8")
        return WriteResult()

    def verify(self, dest: Path, needles) -> Verification:
        # read back as bytes under every encoding (not through our writer's string)
        return Verification("raw bytes (utf-8/utf-16/hex)", hits=needles.find_bytes(Path(dest).read_bytes(),
                                                                                     Path(dest).name, allowed=True),
                            checked=1)


FORMAT = TextFormat()
