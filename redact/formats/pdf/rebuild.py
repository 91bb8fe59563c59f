"""A fresh PDF built from an allowlist: pages (rewritten content, the resources they use), fonts,
images, Form XObjects (each rewritten once), internal links and masked outline titles — nothing else.

Every object is copied through :class:`Builder`: known dictionaries (fonts, font descriptors, images,
graphics states, forms) keep only the keys listed here; anything else reachable from them is copied
generically without the keys that carry actions, metadata, structure or attachments, and a content
stream we did not interpret (soft mask, tiling pattern) loses its text operators. Document info, XMP,
the structure tree, AcroForm, the names tree (attachments, JavaScript, named destinations), actions,
page labels, optional content, thumbnails and piece info are simply never copied.
"""

from __future__ import annotations

from collections import defaultdict

from .interpret import Interpreter, stream_key
from .rewrite import rewrite, scrub_text, used_resources

FONT_KEYS = {"/Type", "/Subtype", "/BaseFont", "/FirstChar", "/LastChar", "/Widths", "/FontDescriptor",
             "/Encoding", "/ToUnicode", "/DescendantFonts", "/CIDSystemInfo", "/CIDToGIDMap", "/W", "/W2",
             "/DW", "/DW2", "/FontBBox", "/FontMatrix", "/CharProcs", "/Resources", "/Name"}
DESCRIPTOR_KEYS = {"/Type", "/FontName", "/FontFamily", "/FontStretch", "/FontWeight", "/Flags", "/FontBBox",
                   "/ItalicAngle", "/Ascent", "/Descent", "/Leading", "/CapHeight", "/XHeight", "/StemV",
                   "/StemH", "/AvgWidth", "/MaxWidth", "/MissingWidth", "/FontFile", "/FontFile2", "/FontFile3",
                   "/CharSet", "/CIDSet", "/Style", "/FD"}
IMAGE_KEYS = {"/Type", "/Subtype", "/Width", "/Height", "/ColorSpace", "/BitsPerComponent", "/Filter",
              "/DecodeParms", "/Decode", "/Intent", "/ImageMask", "/Mask", "/SMask", "/SMaskInData",
              "/Interpolate", "/Matte"}
FORM_KEYS = {"/Type", "/Subtype", "/FormType", "/BBox", "/Matrix", "/Group"}
EXTGSTATE_KEYS = {"/Type", "/LW", "/LC", "/LJ", "/ML", "/D", "/RI", "/OP", "/op", "/OPM", "/Font", "/BG", "/BG2",
                  "/UCR", "/UCR2", "/TR", "/TR2", "/HT", "/FL", "/SM", "/SA", "/BM", "/SMask", "/CA", "/ca",
                  "/AIS", "/TK"}
PAGE_BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")
#: never copied, wherever they are met
DENY = {"/Metadata", "/PieceInfo", "/AA", "/A", "/JS", "/URI", "/OpenAction", "/StructParent", "/StructParents",
        "/Parent", "/P", "/Annots", "/Thumb", "/AF", "/EF", "/EmbeddedFile", "/EmbeddedFiles", "/Names", "/OC",
        "/OPI", "/Length", "/ActualText", "/Alt", "/E", "/T", "/TU", "/Contents", "/RC", "/Alternates",
        "/StructTreeRoot", "/Dests", "/Outlines", "/ID", "/LastModified"}
LABEL_FONT = "/RedactHelvetica"
IMAGE_NAME = "/RedactPage"


class Builder:
    """Copies what is allowed from a reader into a new writer."""

    def __init__(self, interp: Interpreter, removals: dict):
        from pypdf import PdfWriter

        self.interp = interp
        self.removals = removals  # stream key -> {op index: [(item, start, end, adjust)]}
        self.writer = PdfWriter()
        try:
            self.writer._info = None  # no document information dictionary at all
        except Exception:  # pragma: no cover
            pass
        self.memo: dict = {}
        self.forms: dict = {}
        self.stripped: dict[str, int] = defaultdict(int)
        self.scrubbed = 0

    # ------------------------------------------------------------------------------------- objects
    def _indirect(self, src, make):
        """Copy ``src`` (maybe an indirect reference) once; ``make(resolved)`` builds the copy."""
        from pypdf.generic import IndirectObject

        if isinstance(src, IndirectObject):
            key = (src.idnum, src.generation)
            if key in self.memo:
                return self.memo[key]
            obj = src.get_object()
            from pypdf.generic import NullObject

            placeholder = self.writer._add_object(NullObject())
            self.memo[key] = placeholder
            copy = make(obj)
            if isinstance(copy, IndirectObject):  # the maker added it itself (forms)
                self.memo[key] = copy
                return copy
            self.writer._objects[placeholder.idnum - 1] = copy
            copy.indirect_reference = placeholder
            return placeholder
        return make(src)

    def generic(self, src, allowed: set | None = None):
        """Any object: dictionaries without DENY keys (or only ``allowed`` keys), arrays, streams
        (a form-like stream loses its text operators), scalars as they are."""
        return self._indirect(src, lambda obj: self._generic(obj, allowed))

    def _generic(self, obj, allowed):
        from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

        if isinstance(obj, StreamObject):
            key = stream_key(obj)
            if key in self.interp.streams and self.interp.streams[key].kind == "form":
                return self.form(key)
            if obj.get("/Subtype") == "/Form" or "/PatternType" in obj or "/BBox" in obj:
                return self._scrubbed_form(obj)
            return self._raw_stream(obj, allowed)
        if isinstance(obj, DictionaryObject):
            out = DictionaryObject()
            for k, v in obj.items():
                if (allowed is not None and k not in allowed) or (allowed is None and k in DENY):
                    continue
                out[NameObject(k)] = self.generic(v)
            return out
        if isinstance(obj, ArrayObject):
            return ArrayObject(self.generic(v) for v in obj)
        return obj

    def _raw_stream(self, obj, allowed):
        from pypdf.generic import DecodedStreamObject, EncodedStreamObject, NameObject

        new = EncodedStreamObject() if "/Filter" in obj else DecodedStreamObject()
        for k, v in obj.items():
            if k == "/Length" or (allowed is not None and k not in allowed) or (allowed is None and k in DENY):
                continue
            new[NameObject(k)] = self.generic(v)
        new._data = obj._data
        return new

    def _scrubbed_form(self, obj):
        from pypdf.generic import ContentStream, NameObject

        ops, dropped = scrub_text(ContentStream(obj, self.interp.reader).operations)
        self.scrubbed += dropped
        new = self._content(ops)
        for k, v in obj.items():
            if k in ("/Length", "/Filter", "/DecodeParms", "/Resources") or k in DENY:
                continue
            new[NameObject(k)] = self.generic(v)
        if "/Resources" in obj:
            new[NameObject("/Resources")] = self.generic(obj["/Resources"])
        return new

    def _content(self, operations):
        from pypdf.generic import ContentStream, DecodedStreamObject

        cs = ContentStream(None, self.writer)
        cs.operations = operations
        new = DecodedStreamObject()
        new.set_data(cs.get_data())
        return new.flate_encode()

    def font(self, src):
        def make(obj):
            from pypdf.generic import ArrayObject, DictionaryObject, NameObject

            out = DictionaryObject()
            for k, v in obj.items():
                if k not in FONT_KEYS:
                    continue
                if k == "/FontDescriptor":
                    out[NameObject(k)] = self.generic(v, DESCRIPTOR_KEYS)
                elif k == "/DescendantFonts":
                    out[NameObject(k)] = self._indirect(v, lambda arr: ArrayObject(self.font(f) for f in arr))
                else:
                    out[NameObject(k)] = self.generic(v)
            return out

        return self._indirect(src, make)

    def image(self, src):
        def make(obj):
            from pypdf.generic import NameObject, StreamObject

            new = self._raw_stream(obj, IMAGE_KEYS - {"/Mask", "/SMask"})
            for k in ("/Mask", "/SMask"):
                if k in obj:
                    target = obj[k].get_object()
                    new[NameObject(k)] = self.image(obj[k]) if isinstance(target, StreamObject) \
                        else self.generic(obj[k])
            return new

        return self._indirect(src, make)

    def xobject(self, src):
        obj = src.get_object()
        subtype = obj.get("/Subtype")
        if subtype == "/Image":
            return self.image(src)
        if subtype == "/Form":
            key = stream_key(obj)
            if key in self.interp.streams:
                return self.form(key)
            return self.generic(src)
        return None  # /PS and unknown kinds are not carried

    def extgstate(self, src):
        def make(obj):
            from pypdf.generic import ArrayObject, DictionaryObject, NameObject

            out = DictionaryObject()
            for k, v in obj.items():
                if k not in EXTGSTATE_KEYS:
                    continue
                if k == "/Font":
                    arr = v.get_object()
                    out[NameObject(k)] = ArrayObject([self.font(arr[0]), arr[1]])
                else:
                    out[NameObject(k)] = self.generic(v)
            return out

        return self._indirect(src, make)

    def resources(self, src, used: dict[str, set], extra: dict | None = None):
        """A resource dictionary holding only the names the operations use."""
        from pypdf.generic import DictionaryObject, NameObject

        out = DictionaryObject()
        for category, names in sorted(used.items()):
            pool = src.get(category) if src is not None else None
            pool = pool.get_object() if pool is not None else None
            sub = DictionaryObject()
            for name in sorted(names):
                ref = pool.get(name) if pool is not None else None
                if ref is None:
                    continue
                if category == "/Font":
                    value = self.font(ref)
                elif category == "/XObject":
                    value = self.xobject(ref)
                elif category == "/ExtGState":
                    value = self.extgstate(ref)
                else:
                    value = self.generic(ref)
                if value is not None:
                    sub[NameObject(name)] = value
            if sub:
                out[NameObject(category)] = sub
        for category, entries in (extra or {}).items():
            sub = out.setdefault(NameObject(category), DictionaryObject())
            for name, value in entries.items():
                sub[NameObject(name)] = value
        return out

    # ------------------------------------------------------------------------------------- content
    def form(self, key):
        """A Form XObject rewritten once, with the union of its removals over every page drawing it."""
        from pypdf.generic import NameObject

        if key in self.forms:
            return self.forms[key]
        stream = self.interp.streams[key]
        ops, stats = rewrite(stream.operations, self.removals.get(key, {}))
        for k, n in stats.items():
            self.stripped[k] += n
        new = self._content(ops)
        ref = self.writer._add_object(new)
        self.forms[key] = ref
        for k, v in stream.source.items():
            if k in FORM_KEYS:
                new[NameObject(k)] = self.generic(v)
        new[NameObject("/Resources")] = self.resources(stream.resources, used_resources(ops))
        return ref

    def page(self, index: int, src_page, extra_ops: list, extra_resources: dict, rotate: bool = True,
             image=None):
        """Add page ``index``: its rewritten content plus ``extra_ops`` (boxes, labels), or — when
        ``image`` (a PIL image of the page) is given — only that image over the crop box, then
        ``extra_ops`` (an OCR'd page's invisible text layer)."""
        from pypdf.generic import ArrayObject, FloatObject, NameObject, NumberObject

        media = src_page.mediabox
        page = self.writer.add_blank_page(float(media.width), float(media.height))
        for box in PAGE_BOXES:
            if box in src_page:
                page[NameObject(box)] = ArrayObject(FloatObject(float(x)) for x in getattr(src_page, box[1:].lower()))
        if rotate and int(src_page.get("/Rotate", 0) or 0) % 360:
            page[NameObject("/Rotate")] = NumberObject(int(src_page["/Rotate"]) % 360)
        if "/UserUnit" in src_page:
            page[NameObject("/UserUnit")] = FloatObject(float(src_page["/UserUnit"]))
        if image is not None:
            crop = src_page.cropbox
            x0, y0 = float(crop.left), float(crop.bottom)
            ops = [([], b"q"), ([FloatObject(float(crop.width)), 0, 0, FloatObject(float(crop.height)),
                                 FloatObject(x0), FloatObject(y0)], b"cm"), ([NameObject(IMAGE_NAME)], b"Do"),
                   ([], b"Q")] + list(extra_ops)
            ops = [([NumberObject(x) if isinstance(x, int) else x for x in operands], op) for operands, op in ops]
            page[NameObject("/Contents")] = self.writer._add_object(self._content(ops))
            page[NameObject("/Resources")] = self.resources(None, {}, {"/XObject": {IMAGE_NAME: self._image(image)},
                                                                       **(extra_resources or {})})
            return page
        key = ("page", index)
        stream = self.interp.streams[key]
        ops, stats = rewrite(stream.operations, self.removals.get(key, {}))
        for k, n in stats.items():
            self.stripped[k] += n
        body = [([], b"q")] + ops + [([], b"Q")] + extra_ops
        page[NameObject("/Contents")] = self.writer._add_object(self._content(body))
        page[NameObject("/Resources")] = self.resources(stream.resources, used_resources(ops), extra_resources)
        if "/Group" in src_page:
            page[NameObject("/Group")] = self.generic(src_page["/Group"])
        return page

    def _image(self, image):
        import zlib

        from pypdf.generic import EncodedStreamObject, NameObject, NumberObject

        gray = image.mode in ("L", "1")  # scans OCR'd in grayscale stay gray (a third of the bytes)
        rgb = image.convert("L" if gray else "RGB")
        new = EncodedStreamObject()
        new.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                    NameObject("/Width"): NumberObject(rgb.width), NameObject("/Height"): NumberObject(rgb.height),
                    NameObject("/ColorSpace"): NameObject("/DeviceGray" if gray else "/DeviceRGB"),
                    NameObject("/BitsPerComponent"): NumberObject(8),
                    NameObject("/Filter"): NameObject("/FlateDecode")})
        new._data = zlib.compress(rgb.tobytes(), 6)
        if image.info.get("pdf_filter") == "DCTDecode":  # OCR'd scans: JPEG, like the scans they replace
            import io

            buf = io.BytesIO()
            rgb.save(buf, format="JPEG", quality=int(image.info.get("jpeg_quality", 85)))
            new[NameObject("/Filter")] = NameObject("/DCTDecode")
            new._data = buf.getvalue()
        return self.writer._add_object(new)


def label_font():
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica"),
                             NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})


def helvetica_width(text: str) -> float:
    """Width of ``text`` in Helvetica at size 1."""
    try:
        from pypdf._codecs.core_font_metrics import CORE_FONT_METRICS

        widths = CORE_FONT_METRICS["Helvetica"].character_widths
    except (ImportError, KeyError):  # pragma: no cover
        widths = {}
    return sum(widths.get(c, 600) for c in text) / 1000.0
