"""PDF: text with the position of every glyph, and true redaction of the content stream.

Reading interprets each page's content stream (and the Form XObjects it draws) with the text state:
fonts, sizes, spacing, matrices, simple and CID (Type0) fonts with their encodings, ToUnicode maps and
widths (pypdf's font model). The text the model sees is built in drawing order with a map from every
character back to its glyph.

Writing removes the glyphs of each span from the content stream: the string operator becomes a TJ
array whose kept glyphs stay where they were (a removed glyph becomes a position adjustment of its
width), then an opaque box is drawn over the removed area. The file is written fresh (no incremental
update, no orphaned streams); document info, XMP metadata and embedded files are not copied; outline
titles and annotations holding a redacted string are masked or dropped. Pages without a text layer
(scans) are reported as ``needs_ocr``; they are never claimed as redacted.

>>> loaded = read("samples/001-61744.pdf")  # doctest: +SKIP
>>> loaded.info["pages"]  # doctest: +SKIP
4
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadInput
from . import Loaded, RedactedStrings

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """m × n in PDF's row-vector convention (apply m, then n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])


@dataclass
class Glyph:
    page: int
    stream: int  # index into the page's list of content streams (0: page, 1..: forms)
    op: int  # operation index in that stream
    item: int  # index in the TJ array (0 for Tj, ', ")
    byte_start: int
    byte_end: int
    text: str
    adjust: float  # TJ adjustment (thousandths of text space) that replaces the glyph's advance
    bbox: tuple[float, float, float, float]
    size: float
    baseline: tuple[float, float]


class _FontInfo:
    def __init__(self, font_dict):
        from pypdf.generic._font import Font

        font = Font.from_font_resource(font_dict)
        self.simple = isinstance(font.encoding, dict)
        self.encoding = font.encoding if self.simple else {}
        self.cmap = font.character_map
        self.widths = font.character_widths
        self.default_width = font.character_widths.get("default", 500)
        self.ascent = font.font_descriptor.ascent or 700
        self.descent = font.font_descriptor.descent or -200

    def codes(self, data: bytes):
        """(code bytes, unicode text, width in glyph units/1000, is single-byte space) per glyph."""
        step = 1 if self.simple else 2
        for i in range(0, len(data) - step + 1, step):
            raw = data[i : i + step]
            code = raw[0] if step == 1 else int.from_bytes(raw, "big")
            key = chr(code)
            if self.simple:
                enc = self.encoding.get(code, key)
                text = self.cmap.get(enc, enc) if isinstance(self.cmap.get(enc, enc), str) else enc
            else:
                mapped = self.cmap.get(key)
                text = mapped if isinstance(mapped, str) else ""
            width = self.widths.get(key, self.default_width)
            yield i, i + step, text, float(width), step == 1 and code == 32


class _Interpreter:
    """Walks one page's content (and nested forms), recording glyphs in drawing order."""

    def __init__(self, page_index: int, writer):
        self.page_index = page_index
        self.writer = writer
        self.streams: list[tuple[object, object]] = []  # (ContentStream, owner: page or form stream)
        self.glyphs: list[Glyph] = []
        self.has_images = False
        self._fonts: dict[int, _FontInfo] = {}

    def run_page(self, page) -> None:
        from pypdf.generic import ContentStream

        contents = page.get_contents()
        if contents is None:
            return
        cs = ContentStream(contents, self.writer)
        self.streams.append((cs, page))
        self._run(cs, 0, page.get("/Resources"), IDENTITY, depth=0)

    def _font(self, resources, name):
        fonts = resources.get("/Font") if resources is not None else None
        ref = fonts.get(name) if fonts is not None else None
        if ref is None:
            return None
        obj = ref.get_object()
        key = id(obj)
        if key not in self._fonts:
            self._fonts[key] = _FontInfo(obj)
        return self._fonts[key]

    def _run(self, cs, stream_index: int, resources, ctm: Matrix, depth: int) -> None:
        from pypdf.generic import ContentStream

        resources = resources.get_object() if resources is not None else None
        stack = []
        tm = tlm = IDENTITY
        font, size, tc, tw, th, tl, rise = None, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0
        for op_index, (operands, op) in enumerate(cs.operations):
            if op == b"q":
                stack.append((ctm, font, size, tc, tw, th, tl, rise))
            elif op == b"Q" and stack:
                ctm, font, size, tc, tw, th, tl, rise = stack.pop()
            elif op == b"cm":
                ctm = _mul(tuple(float(x) for x in operands), ctm)
            elif op == b"BT":
                tm = tlm = IDENTITY
            elif op == b"Tf":
                font, size = self._font(resources, operands[0]), float(operands[1])
            elif op == b"Tc":
                tc = float(operands[0])
            elif op == b"Tw":
                tw = float(operands[0])
            elif op == b"Tz":
                th = float(operands[0]) / 100.0
            elif op == b"TL":
                tl = float(operands[0])
            elif op == b"Ts":
                rise = float(operands[0])
            elif op in (b"Td", b"TD"):
                tx, ty = float(operands[0]), float(operands[1])
                if op == b"TD":
                    tl = -ty
                tm = tlm = _mul((1, 0, 0, 1, tx, ty), tlm)
            elif op == b"Tm":
                tm = tlm = tuple(float(x) for x in operands)
            elif op == b"T*":
                tm = tlm = _mul((1, 0, 0, 1, 0, -tl), tlm)
            elif op in (b"Tj", b"TJ", b"'", b'"'):
                if op == b'"':
                    tw, tc = float(operands[0]), float(operands[1])
                if op in (b"'", b'"'):
                    tm = tlm = _mul((1, 0, 0, 1, 0, -tl), tlm)
                items = operands[0] if op == b"TJ" else [operands[-1]]
                for item_index, item in enumerate(items):
                    if isinstance(item, (int, float)) or type(item).__name__ in ("NumberObject", "FloatObject"):
                        tm = _mul((1, 0, 0, 1, -float(item) / 1000.0 * size * th, 0), tm)
                        continue
                    if font is None:
                        continue
                    data = item.original_bytes if hasattr(item, "original_bytes") else bytes(item)
                    for start, end, text, width, is_space in font.codes(data):
                        advance = (width / 1000.0 * size + tc + (tw if is_space else 0.0)) * th
                        trm = _mul(tm, ctm)
                        corners = [_apply(trm, x, y) for x in (0.0, advance)
                                   for y in (font.descent / 1000.0 * size + rise, font.ascent / 1000.0 * size + rise)]
                        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
                        adjust = -(advance / th) * 1000.0 / size if size else 0.0
                        scale = (trm[2] ** 2 + trm[3] ** 2) ** 0.5 * size if size else 0.0
                        self.glyphs.append(Glyph(self.page_index, stream_index, op_index, item_index if op == b"TJ"
                                                 else 0, start, end, text, adjust,
                                                 (min(xs), min(ys), max(xs), max(ys)), scale, _apply(trm, 0, rise)))
                        tm = _mul((1, 0, 0, 1, advance, 0), tm)
            elif op == b"Do" and resources is not None and depth < 8:
                xobjects = resources.get("/XObject")
                target = xobjects.get(operands[0]) if xobjects is not None else None
                obj = target.get_object() if target is not None else None
                if obj is None:
                    continue
                if obj.get("/Subtype") == "/Image":
                    self.has_images = True
                elif obj.get("/Subtype") == "/Form":
                    matrix = tuple(float(x) for x in obj.get("/Matrix", IDENTITY))
                    form_cs = ContentStream(obj, self.writer)
                    self.streams.append((form_cs, obj))
                    self._run(form_cs, len(self.streams) - 1, obj.get("/Resources", resources),
                              _mul(matrix, ctm), depth + 1)
            elif op == b"INLINE IMAGE":
                self.has_images = True


def read(path: Path) -> Loaded:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise BadInput(f"{path}: encrypted PDF that needs a password; decrypt it first (e.g. qpdf --decrypt)")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        pages = []
        for i, page in enumerate(writer.pages):
            interp = _Interpreter(i, writer)
            interp.run_page(page)
            pages.append(interp)
    except BadInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise BadInput(f"{path}: corrupt or unsupported PDF ({type(exc).__name__}: {exc})") from None

    pieces: list[str] = []
    char_glyph: list[int | None] = []
    glyphs: list[Glyph] = []

    def put(s: str, glyph: int | None):
        pieces.append(s)
        char_glyph.extend([glyph] * len(s))

    for interp in pages:
        prev = None
        for g in interp.glyphs:
            if prev is not None:
                if abs(g.baseline[1] - prev.baseline[1]) > 0.5 * max(g.size, 1):
                    put("\n", None)
                elif g.bbox[0] - prev.bbox[2] > 0.15 * max(g.size, 1) and not g.text.isspace() \
                        and not prev.text.isspace():
                    put(" ", None)
            glyphs.append(g)
            put(g.text, len(glyphs) - 1)
            prev = g
        put("\n\n", None)
    needs_ocr = [p.page_index + 1 for p in pages if not p.glyphs and p.has_images]
    info = {"pages": len(pages)}
    if needs_ocr:
        info["needs_ocr_pages"] = needs_ocr
    state = {"reader": reader, "writer": writer, "pages": pages, "glyphs": glyphs, "char_glyph": char_glyph}
    return Loaded("".join(pieces), state, info)


def write(loaded: Loaded, spans, dest: Path, style: str) -> dict:
    from pypdf.generic import ArrayObject, ByteStringObject, FloatObject, NameObject

    state = loaded.state
    writer, pages, glyphs, char_glyph = state["writer"], state["pages"], state["glyphs"], state["char_glyph"]
    remove: set[int] = set()
    details = []
    for s in spans:
        ids = sorted({char_glyph[i] for i in range(s.start, s.end) if char_glyph[i] is not None})
        remove.update(ids)
        boxes = [glyphs[i].bbox for i in ids]
        details.append({"page": glyphs[ids[0]].page + 1 if ids else None,
                        "bbox": [round(min(b[0] for b in boxes), 2), round(min(b[1] for b in boxes), 2),
                                 round(max(b[2] for b in boxes), 2), round(max(b[3] for b in boxes), 2)]
                        if boxes else None})

    by_stream: dict[tuple[int, int], dict[int, list[Glyph]]] = {}
    for i in remove:
        g = glyphs[i]
        by_stream.setdefault((g.page, g.stream), {}).setdefault(g.op, []).append(g)

    touched_pages = sorted({p for p, _ in by_stream})
    for (page_index, stream_index), ops in by_stream.items():
        cs, owner = pages[page_index].streams[stream_index]
        new_ops = []
        for op_index, (operands, op) in enumerate(cs.operations):
            if op_index not in ops:
                new_ops.append((operands, op))
                continue
            gone = {(g.item, g.byte_start): g for g in ops[op_index]}
            items = operands[0] if op == b"TJ" else [operands[-1]]
            array = ArrayObject()
            for item_index, item in enumerate(items):
                if not hasattr(item, "original_bytes") and not isinstance(item, (bytes, str)):
                    array.append(item)
                    continue
                data = item.original_bytes if hasattr(item, "original_bytes") else bytes(item)
                kept = bytearray()
                step = 1 if any(g.byte_end - g.byte_start == 1 for g in ops[op_index]) else 2
                pos = 0
                while pos < len(data):
                    g = gone.get((item_index if op == b"TJ" else 0, pos))
                    end = g.byte_end if g is not None else pos + step
                    if g is None:
                        kept += data[pos:end]
                    else:
                        if kept:
                            array.append(ByteStringObject(bytes(kept)))
                            kept = bytearray()
                        array.append(FloatObject(round(g.adjust, 4)))
                    pos = end
                if kept:
                    array.append(ByteStringObject(bytes(kept)))
            if op == b'"':
                new_ops += [([operands[0]], b"Tw"), ([operands[1]], b"Tc")]
            if op in (b"'", b'"'):
                new_ops.append(([], b"T*"))
            new_ops.append(([array], b"TJ"))
        cs.operations = new_ops
        if stream_index == 0:
            owner.replace_contents(cs)
        else:
            owner.set_data(cs.get_data())

    # Opaque boxes over what was removed, in page space, outside any state the page left open.
    from pypdf.generic import ContentStream

    for page_index in sorted({glyphs[i].page for i in remove}):
        page = writer.pages[page_index]
        rects = [glyphs[i].bbox for i in sorted(remove) if glyphs[i].page == page_index]
        cs = ContentStream(page.get_contents(), writer)
        body = [([], b"q")] + cs.operations + [([], b"Q"), ([], b"q"),
                                                ([FloatObject(0), FloatObject(0), FloatObject(0)], b"rg")]
        for x0, y0, x1, y1 in rects:
            body.append(([FloatObject(round(x0, 3)), FloatObject(round(y0, 3)), FloatObject(round(x1 - x0 + 0.2, 3)),
                          FloatObject(round(y1 - y0, 3))], b"re"))
            body.append(([], b"f"))
        body.append(([], b"Q"))
        cs.operations = body
        page.replace_contents(cs)

    for page in writer.pages:  # page thumbnails show the old text; page metadata may quote it
        for key in ("/Thumb", "/Metadata", "/PieceInfo"):
            if key in page:
                del page[NameObject(key)]
    secrets = RedactedStrings(loaded.text, spans)
    _scrub_annotations(writer, secrets)
    _copy_outline(state["reader"], writer, secrets)
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    with open(dest, "wb") as fh:
        writer.write(fh)
    return {"span_details": details, "pages_touched": [p + 1 for p in touched_pages]}


def _scrub_annotations(writer, secrets: RedactedStrings) -> None:
    """Drop annotations (comments, form widgets, links) whose text holds a redacted string."""
    from pypdf.generic import ArrayObject, NameObject

    for page in writer.pages:
        annots = page.get("/Annots")
        if annots is None:
            continue
        keep = ArrayObject()
        for ref in annots.get_object():
            annot = ref.get_object()
            text = " ".join(str(annot.get(k, "")) for k in ("/Contents", "/T", "/TU", "/V", "/RC", "/CA"))
            if annot.get("/AP") is not None:
                try:
                    normal = annot["/AP"].get_object().get("/N")
                    text += " " + normal.get_object().get_data().decode("latin-1", "ignore")
                except Exception:
                    pass
            if secrets.mask(text) != text:
                continue
            keep.append(ref)
        page[NameObject("/Annots")] = keep


def _copy_outline(reader, writer, secrets: RedactedStrings) -> None:
    """Rebuild bookmarks with redacted strings masked in their titles."""
    def walk(items, parent):
        last = None
        for item in items:
            if isinstance(item, list):
                if last is not None:
                    walk(item, last)
                continue
            try:
                page_number = reader.get_destination_page_number(item)
            except Exception:
                page_number = None
            last = writer.add_outline_item(title=secrets.mask(str(item.title)), page_number=page_number,
                                           parent=parent)

    try:
        walk(reader.outline, None)
    except Exception:
        pass
