"""Content-stream interpreter: the position and Unicode text of every glyph a page draws.

Each page's content stream (and every Form XObject it draws, however deeply nested) is walked with the
graphics and text state. Fonts are modelled here (:class:`FontModel`): code lengths come from the CMap's
code-space ranges (never assumed), Unicode from the ToUnicode map, else from the simple font's encoding
(pypdf's ``get_encoding``), widths from ``/Widths``, ``/W`` or the standard-14 metrics.

A glyph is identified by ``(stream key, operation index, array item, byte offset)``: a Form XObject has
one key however many pages draw it, so its removals are the union over every page (see rewrite.py).
What cannot be read reliably is recorded per page (``Page.problems``), never guessed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Hashable

logging.getLogger("pypdf").setLevel(logging.ERROR)

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
MAX_DEPTH = 12
#: an image drawn over more than this share of the page may hold text we cannot read
IMAGE_SHARE = 0.15
TEXT_SHOWING = (b"Tj", b"TJ", b"'", b'"')


def mul(m: Matrix, n: Matrix) -> Matrix:
    """m × n in PDF's row-vector convention (apply m, then n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])


def box_of(m: Matrix, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    if m[1] == 0 and m[2] == 0:  # no rotation or skew (the usual case)
        xa, xb, ya, yb = x0 * m[0] + m[4], x1 * m[0] + m[4], y0 * m[3] + m[5], y1 * m[3] + m[5]
        return (min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb))
    pts = [apply(m, x, y) for x in (x0, x1) for y in (y0, y1)]
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


def num(x, default: float = 0.0) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return default


def stream_key(obj) -> Hashable:
    """One key per stream object, however many times (and from wherever) it is reached."""
    ref = getattr(obj, "indirect_reference", None)
    return ("obj", ref.idnum, ref.generation) if ref is not None else ("id", id(obj))


# ---------------------------------------------------------------------------------------------- CMaps

_CMAP_TOKEN = re.compile(rb"<[0-9A-Fa-f\s]*>|\[|\]|/[^\s<>\[\]/()]*|[^\s<>\[\]/()]+")


@dataclass
class CMap:
    """What a CMap stream says: code-space ranges, code → Unicode (ToUnicode), code → CID (encodings)."""

    ranges: list[tuple[bytes, bytes]] = field(default_factory=list)
    unicode: dict[bytes, str] = field(default_factory=dict)
    cid: dict[bytes, int] = field(default_factory=dict)
    cid_ranges: list[tuple[bytes, bytes, int]] = field(default_factory=list)
    wmode: int = 0


def _hex(tok: bytes) -> bytes:
    digits = re.sub(rb"\s", b"", tok[1:-1])
    if len(digits) % 2:
        digits += b"0"
    return bytes.fromhex(digits.decode())


def _utf16(raw: bytes) -> str:
    return raw.decode("utf-16-be", "replace") if len(raw) % 2 == 0 else raw.decode("latin-1")


def parse_cmap(data: bytes) -> CMap:
    """Parse codespacerange, bfchar/bfrange (ToUnicode) and cidchar/cidrange (encoding CMaps)."""
    from pypdf._codecs import adobe_glyphs

    cm = CMap()
    toks = _CMAP_TOKEN.findall(data)
    section, buf = None, []
    for tok in toks:
        if tok in (b"begincodespacerange", b"beginbfchar", b"beginbfrange", b"begincidchar", b"begincidrange"):
            section, buf = tok[5:], []
            continue
        if tok == b"/WMode":
            section = b"wmode"
            continue
        if section == b"wmode":
            cm.wmode = int(num(tok.decode("latin-1")))
            section = None
            continue
        if section is None:
            continue
        if tok.startswith(b"end"):
            _close_section(cm, section, buf, adobe_glyphs)
            section = None
            continue
        buf.append(tok)
    return cm


def _close_section(cm: CMap, section: bytes, buf: list[bytes], glyphs: dict) -> None:
    def dest(tok: bytes) -> str:
        if tok.startswith(b"<"):
            return _utf16(_hex(tok))
        return glyphs.get(tok.decode("latin-1"), "")

    i = 0
    if section == b"codespacerange":
        while i + 1 < len(buf):
            cm.ranges.append((_hex(buf[i]), _hex(buf[i + 1])))
            i += 2
    elif section == b"bfchar":
        while i + 1 < len(buf):
            cm.unicode[_hex(buf[i])] = dest(buf[i + 1])
            i += 2
    elif section == b"cidchar":
        while i + 1 < len(buf):
            cm.cid[_hex(buf[i])] = int(num(buf[i + 1].decode("latin-1")))
            i += 2
    elif section == b"cidrange":
        while i + 2 < len(buf):
            cm.cid_ranges.append((_hex(buf[i]), _hex(buf[i + 1]), int(num(buf[i + 2].decode("latin-1")))))
            i += 3
    elif section == b"bfrange":
        while i + 2 < len(buf):
            lo, hi = _hex(buf[i]), _hex(buf[i + 1])
            n, a, b = len(lo), int.from_bytes(lo, "big"), int.from_bytes(hi, "big")
            if buf[i + 2] == b"[":
                j = i + 3
                items = []
                while j < len(buf) and buf[j] != b"]":
                    items.append(buf[j])
                    j += 1
                for k, tok in enumerate(items[: max(0, b - a + 1)]):
                    cm.unicode[(a + k).to_bytes(n, "big")] = dest(tok)
                i = j + 1
                continue
            if buf[i + 2].startswith(b"<"):
                start = _hex(buf[i + 2])
                base = int.from_bytes(start, "big")
                for k in range(min(b - a + 1, 65536)):
                    cm.unicode[(a + k).to_bytes(n, "big")] = _utf16((base + k).to_bytes(len(start), "big"))
            i += 3


def _in_range(code: bytes, lo: bytes, hi: bytes) -> bool:
    return len(code) == len(lo) == len(hi) and all(l <= c <= h for c, l, h in zip(code, lo, hi))


# ---------------------------------------------------------------------------------------------- fonts

_UNICODE_CMAPS = ("-UCS2-", "-UTF16-")


def _substitute(base: str) -> str:
    """The standard-14 font a viewer uses for a non-embedded font without widths."""
    name = base.lstrip("/").split("+")[-1].replace(" ", "").lower()
    family = "Courier" if "courier" in name or "mono" in name else \
        "Times" if "times" in name or "serif" in name and "sans" not in name else "Helvetica"
    bold, italic = "bold" in name, "italic" in name or "oblique" in name
    if family == "Times":
        return "Times-" + ("BoldItalic" if bold and italic else "Bold" if bold else "Italic" if italic else "Roman")
    style = ("Bold" if bold else "") + ("Oblique" if italic else "")
    return family + ("-" + style if style else "")


class FontModel:
    """Codes, Unicode and widths of one font dictionary."""

    def __init__(self, fd, resource_name: str):
        from pypdf._cmap import get_encoding

        self.base = str(fd.get("/BaseFont", fd.get("/Name", "?")))
        self.label = f"{resource_name} ({self.base.lstrip('/')})"
        subtype = fd.get("/Subtype")
        self.simple = subtype != "/Type0"
        self.type3 = subtype == "/Type3"
        self.problem: str | None = None
        self.unicode: dict[bytes, str] = {}
        self.ranges: list[tuple[bytes, bytes]] = []
        self.encoding: dict[int, str] = {}
        self.widths: dict[int, float] = {}
        self.scale = 0.001  # glyph space → text space
        self.default_width = 0.0
        self.cmap: CMap | None = None
        self.cid_identity = True
        self.unicode_codes = False
        tu = fd.get("/ToUnicode")
        tu = tu.get_object() if tu is not None else None
        if tu is not None and hasattr(tu, "get_data"):
            parsed = parse_cmap(tu.get_data())
            self.unicode = parsed.unicode
        descriptor = fd.get("/FontDescriptor")
        if self.simple:
            self.ranges = [(b"\x00", b"\xff")]
            enc, file_map = get_encoding(fd)
            if isinstance(enc, dict):
                self.encoding = dict(enc)
            for key, value in (file_map or {}).items():
                if isinstance(key, str) and len(key) == 1 and isinstance(value, str):
                    self.unicode.setdefault(bytes([ord(key)]) if ord(key) < 256 else b"", value)
            if self.type3:
                matrix = fd.get("/FontMatrix", [0.001, 0, 0, 0.001, 0, 0])
                self.scale = num(matrix[0], 0.001)
            first = int(num(fd.get("/FirstChar", 0)))
            widths = fd.get("/Widths")
            widths = widths.get_object() if widths is not None else None
            if widths:
                for k, w in enumerate(widths):
                    self.widths[first + k] = num(w.get_object() if hasattr(w, "get_object") else w)
            else:
                self._core_widths()
            if descriptor is not None:
                descriptor = descriptor.get_object()
                missing = num(descriptor.get("/MissingWidth", 0))
                self.default_width = missing or self.default_width
                flags = int(num(descriptor.get("/Flags", 0)))
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                if tu is None and "/Encoding" not in fd and flags & 4 and embedded and not self.type3 \
                        and not file_map:
                    self.problem = "symbolic font without a Unicode map"
        else:
            descendants = fd.get("/DescendantFonts")
            desc = descendants.get_object()[0].get_object() if descendants else None
            enc = fd.get("/Encoding")
            enc = enc.get_object() if enc is not None else None
            if isinstance(enc, str):
                if enc in ("/Identity-H", "/Identity-V"):
                    self.ranges = [(b"\x00\x00", b"\xff\xff")]
                elif any(u in enc for u in _UNICODE_CMAPS):
                    self.ranges = [(b"\x00\x00", b"\xff\xff")]
                    self.unicode_codes = True
                    self.cid_identity = False
                else:
                    self.ranges = [(b"\x00\x00", b"\xff\xff")]
                    self.problem = f"predefined CMap {enc} is not supported"
                if enc.endswith("-V"):
                    self.problem = "vertical writing is not supported"
            elif enc is not None and hasattr(enc, "get_data"):
                self.cmap = parse_cmap(enc.get_data())
                self.ranges = self.cmap.ranges or [(b"\x00\x00", b"\xff\xff")]
                self.cid_identity = False
                if self.cmap.wmode == 1 or num(enc.get("/WMode", 0)) == 1:
                    self.problem = "vertical writing is not supported"
            else:
                self.ranges = [(b"\x00\x00", b"\xff\xff")]
            if desc is not None:
                self.default_width = num(desc.get("/DW", 1000), 1000)
                self._cid_widths(desc.get("/W"))
                descriptor = desc.get("/FontDescriptor")
        self.ascent, self.descent = 0.8, -0.2
        if descriptor is not None:
            descriptor = descriptor.get_object()
            a, d = num(descriptor.get("/Ascent", 0)), num(descriptor.get("/Descent", 0))
            if a > 0:
                self.ascent = a / 1000
            if d < 0:
                self.descent = d / 1000
        elif self.type3 and "/FontBBox" in fd:
            bb = [num(v) for v in fd["/FontBBox"]]
            if len(bb) == 4 and bb[3] > bb[1]:
                self.ascent, self.descent = bb[3] * abs(self.scale), bb[1] * abs(self.scale)
        if not self.unicode and not self.encoding and not self.unicode_codes and self.problem is None:
            self.problem = "no Unicode map"

    def _core_widths(self) -> None:
        """Widths of a simple font without /Widths: the standard 14 (or the one a viewer substitutes)."""
        try:
            from pypdf._codecs.core_font_metrics import CORE_FONT_METRICS
        except ImportError:  # pragma: no cover - older pypdf
            self.default_width = 500
            return
        metrics = CORE_FONT_METRICS.get(self.base.lstrip("/")) or CORE_FONT_METRICS.get(_substitute(self.base))
        if metrics is None:
            self.default_width = 500
            return
        self.default_width = metrics.character_widths.get("default", 500)
        for code, char in self.encoding.items():
            if char in metrics.character_widths:
                self.widths[code] = metrics.character_widths[char]
        if metrics.font_descriptor is not None:
            self._core_ascent = metrics.font_descriptor.ascent

    def _cid_widths(self, w) -> None:
        w = w.get_object() if w is not None else None
        if not w:
            return
        items = [x.get_object() if hasattr(x, "get_object") else x for x in w]
        i = 0
        while i < len(items):
            first = int(num(items[i]))
            nxt = items[i + 1] if i + 1 < len(items) else None
            if isinstance(nxt, list):
                for k, v in enumerate(nxt):
                    self.widths[first + k] = num(v)
                i += 2
            elif i + 2 < len(items):
                last, value = int(num(nxt)), num(items[i + 2])
                for c in range(first, min(last, first + 65535) + 1):
                    self.widths[c] = value
                i += 3
            else:
                break

    def split(self, data: bytes):
        """(start, end, code bytes) per character code, using the code-space ranges."""
        if len(self.ranges) == 1 and set(self.ranges[0][0]) <= {0} and set(self.ranges[0][1]) <= {255}:
            n = len(self.ranges[0][0]) or 1  # one full range: fixed-length codes
            for i in range(0, len(data), n):
                yield i, min(i + n, len(data)), data[i : i + n]
            return
        lengths = sorted({len(lo) for lo, _ in self.ranges}) or [1]
        i = 0
        while i < len(data):
            for n in lengths:
                code = data[i : i + n]
                if len(code) == n and any(_in_range(code, lo, hi) for lo, hi in self.ranges):
                    break
            else:
                n = lengths[0]
                code = data[i : i + n]
            yield i, i + len(code), code
            i += max(len(code), 1)

    def cid(self, code: bytes) -> int:
        if self.simple or self.cid_identity:
            return int.from_bytes(code, "big")
        if self.cmap is not None:
            if code in self.cmap.cid:
                return self.cmap.cid[code]
            for lo, hi, start in self.cmap.cid_ranges:
                if _in_range(code, lo, hi):
                    return start + int.from_bytes(code, "big") - int.from_bytes(lo, "big")
        return int.from_bytes(code, "big")

    def text(self, code: bytes) -> str | None:
        """Unicode of a code, or None when the font does not say."""
        mapped = self.unicode.get(code)
        if mapped:
            return mapped
        if self.unicode_codes:
            return _utf16(code)
        if self.simple and code:
            char = self.encoding.get(code[0])
            if isinstance(char, str) and char and not (len(char) > 1 and char.startswith("/")) \
                    and char not in ("\x00", "\ufffd"):
                return char
        return None

    def width(self, code: bytes) -> float:
        """Horizontal advance in text space for a font size of 1."""
        key = code[0] if self.simple else self.cid(code)
        return self.widths.get(key, self.default_width) * self.scale


# ---------------------------------------------------------------------------------------------- pages


@dataclass(slots=True)
class Glyph:
    page: int  # 0-based page on which this instance is drawn
    stream: Hashable  # the content stream holding the operator (page or form)
    op: int  # operation index in that stream
    item: int  # index in the TJ array (0 for Tj, ', ")
    start: int  # byte range of the code in the string
    end: int
    text: str | None
    adjust: float  # TJ number that replaces the glyph's advance
    bbox: tuple[float, float, float, float]
    size: float
    baseline: tuple[float, float]

    @property
    def key(self) -> tuple:
        return (self.stream, self.op, self.item, self.start)


@dataclass
class Stream:
    """A content stream: the page's (all /Contents joined) or a Form XObject's."""

    key: Hashable
    kind: str  # "page" or "form"
    operations: list
    resources: object  # effective resources (resolved dict or None)
    source: object  # the form's stream object (None for pages)
    pages: set = field(default_factory=set)


@dataclass
class Page:
    index: int
    glyphs: list[Glyph] = field(default_factory=list)
    streams: list[Hashable] = field(default_factory=list)  # page stream first, then forms drawn
    problems: dict[str, None] = field(default_factory=dict)  # an ordered set
    image_share: float = 0.0
    has_images: bool = False
    image_boxes: list = field(default_factory=list)  # (x0, y0, x1, y1) in default user space

    def problem(self, reason: str) -> None:
        self.problems.setdefault(reason, None)


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    font: FontModel | None = None
    size: float = 0.0
    tc: float = 0.0
    tw: float = 0.0
    th: float = 1.0
    tl: float = 0.0
    rise: float = 0.0

    def copy(self) -> "_State":
        return _State(**self.__dict__)


class Interpreter:
    """Walks every page of a document; shares Stream records and fonts between pages."""

    def __init__(self, reader):
        self.reader = reader
        self.streams: dict[Hashable, Stream] = {}
        self._fonts: dict[Hashable, FontModel] = {}

    def font(self, resources, name) -> FontModel | None:
        fonts = resources.get("/Font") if resources is not None else None
        ref = fonts.get_object().get(name) if fonts is not None else None
        return self._font_obj(ref, str(name)) if ref is not None else None

    def _font_obj(self, ref, name: str) -> FontModel | None:
        obj = ref.get_object()
        key = stream_key(obj)
        if key not in self._fonts:
            try:
                self._fonts[key] = FontModel(obj, name)
            except Exception as exc:  # a font we cannot model: its text cannot be read
                model = FontModel.__new__(FontModel)
                model.__dict__.update(simple=True, type3=False, label=name, problem=f"unreadable font ({exc})",
                                      unicode={}, ranges=[(b"\x00", b"\xff")], encoding={}, widths={},
                                      scale=0.001, default_width=0.5, ascent=0.8, descent=-0.2, cmap=None,
                                      cid_identity=True, unicode_codes=False, base=name)
                self._fonts[key] = model
        return self._fonts[key]

    def run_page(self, index: int, page, appearances: list = ()) -> Page:
        """Interpret a page; ``appearances`` — (form ref, matrix) of annotations being flattened — are
        drawn after its content, under fresh XObject names."""
        from pypdf.generic import ContentStream, DictionaryObject, FloatObject, NameObject

        out = Page(index)
        box = page.cropbox
        self._area = max(abs(float(box.width) * float(box.height)), 1.0)
        key = ("page", index)
        contents = page.get_contents()
        ops = ContentStream(contents, self.reader).operations if contents is not None else []
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        if appearances:
            resources = DictionaryObject(resources or {})
            xobjects = resources.get("/XObject")
            xobjects = DictionaryObject(xobjects.get_object() if xobjects is not None else {})
            resources[NameObject("/XObject")] = xobjects
            for n, (ref, matrix) in enumerate(appearances):
                name = NameObject(f"/RedactAnnot{n}")
                xobjects[name] = ref
                ops = ops + [([], b"q"), ([FloatObject(round(x, 6)) for x in matrix], b"cm"), ([name], b"Do"),
                             ([], b"Q")]
        self.streams[key] = Stream(key, "page", ops, resources, None, {index})
        out.streams.append(key)
        self._run(out, self.streams[key], _State(), 0, set())
        return out

    def _run(self, page: Page, stream: Stream, gs: _State, depth: int, active: set) -> None:
        resources = stream.resources
        stack: list[_State] = []
        tm = tlm = IDENTITY
        for op_index, (operands, op) in enumerate(stream.operations):
            try:
                # --- graphics state: save/restore, transformation matrix, parameter dictionaries
                if op == b"q":
                    stack.append(gs.copy())
                elif op == b"Q":
                    if stack:
                        gs = stack.pop()
                elif op == b"cm":
                    gs.ctm = mul(tuple(num(x) for x in operands[:6]), gs.ctm)
                elif op == b"gs":
                    ext = resources.get("/ExtGState") if resources is not None else None
                    params = ext.get_object().get(operands[0]) if ext is not None else None
                    params = params.get_object() if params is not None else None
                    if params is not None and "/Font" in params:
                        ref, size = params["/Font"][0], params["/Font"][1]
                        gs.font, gs.size = self._font_obj(ref, "(ExtGState font)"), num(size)
                # --- text objects: BT resets the text matrices
                elif op == b"BT":
                    tm = tlm = IDENTITY
                # --- text state: spacing, scaling, leading, font and size, rise
                elif op == b"Tc":
                    gs.tc = num(operands[0])
                elif op == b"Tw":
                    gs.tw = num(operands[0])
                elif op == b"Tz":
                    gs.th = num(operands[0], 100.0) / 100.0
                elif op == b"TL":
                    gs.tl = num(operands[0])
                elif op == b"Ts":
                    gs.rise = num(operands[0])
                elif op == b"Tf":
                    gs.font, gs.size = self.font(resources, operands[0]), num(operands[1])
                    if gs.font is None:
                        page.problem(f"font {operands[0]} is missing from the resources")
                # --- text positioning
                elif op in (b"Td", b"TD"):
                    tx, ty = num(operands[0]), num(operands[1])
                    if op == b"TD":
                        gs.tl = -ty
                    tm = tlm = mul((1, 0, 0, 1, tx, ty), tlm)
                elif op == b"Tm":
                    tm = tlm = tuple(num(x) for x in operands[:6])
                elif op == b"T*":
                    tm = tlm = mul((1, 0, 0, 1, 0, -gs.tl), tlm)
                # --- text showing: one Glyph per character code
                elif op in TEXT_SHOWING:
                    if op == b'"':
                        gs.tw, gs.tc = num(operands[0]), num(operands[1])
                    if op in (b"'", b'"'):
                        tm = tlm = mul((1, 0, 0, 1, 0, -gs.tl), tlm)
                    tm = self._show(page, stream, op_index, op, operands, gs, tm)
                # --- XObjects: images are measured, forms are interpreted in place
                elif op == b"Do":
                    self._do(page, stream, operands[0], gs, depth, active)
                # --- inline images
                elif op == b"INLINE IMAGE":
                    self._image(page, gs.ctm)
                # --- colour: a tiling pattern's cell may draw text we do not interpret
                elif op in (b"scn", b"SCN") and operands and isinstance(operands[-1], str) \
                        and str(operands[-1]).startswith("/"):
                    self._pattern(page, resources, operands[-1])
            except (IndexError, TypeError, ValueError, AttributeError, KeyError) as exc:
                page.problem(f"malformed operator {op.decode('latin-1', 'replace')} ({type(exc).__name__})")

    def _show(self, page, stream, op_index, op, operands, gs: _State, tm: Matrix) -> Matrix:
        font, size = gs.font, gs.size
        items = operands[0] if op == b"TJ" else [operands[-1]]
        for item_index, item in enumerate(items):
            if not isinstance(item, (bytes, str)):
                tm = mul((1, 0, 0, 1, -num(item) / 1000.0 * size * gs.th, 0), tm)
                continue
            if font is None:
                continue
            data = item.original_bytes if hasattr(item, "original_bytes") else bytes(item)
            for start, end, code in font.split(data):
                w0 = font.width(code)
                is_space = len(code) == 1 and code == b" "
                advance = (w0 * size + gs.tc + (gs.tw if is_space else 0.0)) * gs.th
                trm = mul(tm, gs.ctm)
                bbox = box_of(trm, 0.0, font.descent * size + gs.rise, advance, font.ascent * size + gs.rise)
                adjust = -(advance / gs.th) * 1000.0 / size if size and gs.th else 0.0
                scale = (trm[2] ** 2 + trm[3] ** 2) ** 0.5 * size
                text = font.text(code)
                page.glyphs.append(Glyph(page.index, stream.key, op_index, item_index if op == b"TJ" else 0,
                                         start, end, text, adjust, bbox, scale, apply(trm, 0, gs.rise)))
                if text is None:
                    page.problem(f"font {font.label} has codes without a Unicode map")
                elif font.problem:
                    page.problem(f"font {font.label}: {font.problem}")
                tm = (tm[0], tm[1], tm[2], tm[3], tm[4] + advance * tm[0], tm[5] + advance * tm[1])
        return tm

    def _image(self, page: Page, ctm: Matrix) -> None:
        x0, y0, x1, y1 = box_of(ctm, 0, 0, 1, 1)
        page.has_images = True
        page.image_share = max(page.image_share, abs((x1 - x0) * (y1 - y0)) / self._area)
        page.image_boxes.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))

    def _do(self, page: Page, stream: Stream, name, gs: _State, depth: int, active: set) -> None:
        from pypdf.generic import ContentStream

        resources = stream.resources
        xobjects = resources.get("/XObject") if resources is not None else None
        ref = xobjects.get_object().get(name) if xobjects is not None else None
        obj = ref.get_object() if ref is not None else None
        if obj is None:
            return
        subtype = obj.get("/Subtype")
        if subtype == "/Image":
            self._image(page, gs.ctm)
            return
        if subtype != "/Form":
            return
        key = stream_key(obj)
        if depth >= MAX_DEPTH or key in active:
            page.problem("Form XObjects nested too deeply (or drawing themselves)")
            return
        if key not in self.streams:
            own = obj.get("/Resources")
            own = own.get_object() if own is not None else resources
            self.streams[key] = Stream(key, "form", ContentStream(obj, self.reader).operations, own, obj)
        form = self.streams[key]
        form.pages.add(page.index)
        if key not in page.streams:
            page.streams.append(key)
        inner = gs.copy()
        matrix = obj.get("/Matrix")
        inner.ctm = mul(tuple(num(x) for x in matrix[:6]) if matrix is not None else IDENTITY, gs.ctm)
        self._run(page, form, inner, depth + 1, active | {key})

    def _pattern(self, page: Page, resources, name) -> None:
        from pypdf.generic import ContentStream

        patterns = resources.get("/Pattern") if resources is not None else None
        pat = patterns.get_object().get(name) if patterns is not None else None
        pat = pat.get_object() if pat is not None else None
        if pat is None or num(pat.get("/PatternType", 0)) != 1:
            return
        if any(op in TEXT_SHOWING for _, op in ContentStream(pat, self.reader).operations):
            page.problem(f"tiling pattern {name} draws text")
