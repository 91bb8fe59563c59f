"""Image files (PNG, JPEG, TIFF with any number of pages): OCR, then the redacted words are filled in the
pixels and the image is written back in its own format.

read: every page is OCR'd (:mod:`redact.ocr`: orientation and skew corrected, boxes mapped back to the
page's pixels); the text the model sees is the pages' words in reading order, hyphenated line ends joined,
with a character → word map. Pages where OCR found no text, or read it with a mean confidence under
``min_confidence``, are listed as unreadable (the file fails unless ``--accept-unreadable``); so is every
page with ``--ocr never``.

write: the input is decoded again (and must still have the bytes that were read); every word a span
touches is filled black over its width and its line's height plus a margin (labels and pseudonyms are
drawn in white inside the bar); each page is copied into a fresh image, so no metadata (EXIF, XMP, IPTC,
ICC, text chunks, thumbnails) is carried — only the resolution. PNG stays PNG, JPEG stays JPEG (the source's
quantisation tables), TIFF keeps its compression where it is lossless for the page (else LZW).

verify: Tesseract reads the written file on its own (it decodes the file, detects orientation itself,
``--psm 1``); junk tokens (no letter or digit, as black bars read) are dropped and no removed string may
be readable; the file's remaining metadata is checked too.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .. import ocr
from ..errors import BadInput
from .base import Parsed, Unreadable, Verification, WriteOptions, WriteResult

_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "TIFF": "TIFF"}
_LOSSLESS_TIFF = {"raw", "tiff_lzw", "tiff_adobe_deflate", "packbits", "tiff_deflate"}
_BILEVEL_TIFF = {"group3", "group4", "tiff_ccitt"}


@dataclass
class PageInfo:
    ocr: ocr.PageOcr | None
    mode: str
    size: tuple[int, int]
    dpi: tuple[float, float] | None
    compression: str | None = None
    jpeg: dict | None = None  # the source's quantisation tables and subsampling (written back alike)


@dataclass
class State:
    path: str
    sha256: str
    format: str  # PIL format name the output is written in
    pages: list[PageInfo]
    segments: list[ocr.Segment] = field(default_factory=list)
    settings: ocr.OcrSettings | None = None
    dropped: list[str] = field(default_factory=list)


def _open(path, name: str | None = None):
    """The image at ``path`` (a path or a binary file object), loaded; BadInput when Pillow cannot read it
    or it is not PNG, JPEG or TIFF."""
    from PIL import Image, UnidentifiedImageError

    name = name or str(path)
    Image.MAX_IMAGE_PIXELS = 300_000_000  # a 600 dpi A0 scan; beyond this Pillow refuses (decompression bombs)
    try:
        im = Image.open(path)
        im.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise BadInput(f"{name}: not a readable image ({type(exc).__name__}: {exc})") from None
    if im.format not in _FORMATS:
        raise BadInput(f"{name}: {im.format} image; PNG, JPEG and TIFF are supported")
    return im


def _frames(im):
    """Each page of the image (one for PNG/JPEG; every frame of a TIFF), loaded."""
    from PIL import ImageSequence

    if im.format == "TIFF":
        for frame in ImageSequence.Iterator(im):
            frame.load()
            yield frame
    else:
        yield im


def _frame(path: Path, index: int):
    """Page ``index`` of the image file, decoded on its own."""
    im = _open(path)
    if index:
        im.seek(index)
        im.load()
    return im


def _dpi(frame) -> tuple[float, float] | None:
    dpi = frame.info.get("dpi")
    try:
        if dpi and float(dpi[0]) >= 20:
            return float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        pass
    return None


class ImageFormat:
    name = "image"
    suffixes = (".png", ".jpg", ".jpeg", ".tif", ".tiff")

    def read(self, path: Path) -> Parsed:
        path = Path(path)
        data = path.read_bytes()
        settings = ocr.current()
        im = _open(path)
        fmt = _FORMATS[im.format]
        pages: list[PageInfo] = []
        for frame in _frames(im):
            dpi = _dpi(frame)
            pages.append(PageInfo(None, frame.mode, frame.size, dpi, frame.info.get("compression"), _jpeg(frame)))
            if im.format == "MPO":
                break
        im.close()
        # each page is decoded again when its OCR starts: only the pages in flight are held in memory
        images = [lambda i=i: _frame(path, i) for i in range(len(pages))]
        state = State(str(path), hashlib.sha256(data).hexdigest(), fmt, pages, settings=settings)
        if im.format == "MPO" and getattr(im, "n_frames", 1) > 1:
            state.dropped.append(f"{im.n_frames - 1} extra MPO frame(s) (previews)")
        unreadable: list[Unreadable] = []
        info: dict = {"pages": len(pages)}
        if settings.mode == "never":
            for i in range(len(pages)):
                unreadable.append(Unreadable(f"page {i + 1}", "image of text; OCR is off (--ocr never)", page=i + 1))
            return Parsed("", self.name, state, unreadable, info)
        results = ocr.ocr_pages(images, [int(round(p.dpi[0])) if p.dpi else None for p in pages], settings)
        del images
        for i, (page, res) in enumerate(zip(pages, results)):
            page.ocr = res
            real = [w for w in res.words if not w.junk]
            if not real:
                unreadable.append(Unreadable(f"page {i + 1}", "OCR found no text", page=i + 1))
            elif res.mean_confidence < settings.min_confidence:
                unreadable.append(Unreadable(f"page {i + 1}", f"OCR mean word confidence "
                                             f"{res.mean_confidence:.0f} < {settings.min_confidence:.0f}", page=i + 1))
        text, state.segments = ocr.join_words([p.ocr.words for p in pages])
        info["ocr"] = {"engine": results[0].engine if results else "", "lang": settings.lang,
                       "pages": [{"page": i + 1, **p.ocr.describe()} for i, p in enumerate(pages)]}
        return Parsed(text, self.name, state, unreadable, info)

    # -- write ---------------------------------------------------------------------------------------

    def write(self, parsed: Parsed, spans, dest: Path, options: WriteOptions) -> WriteResult:
        state: State = parsed.state
        src = Path(state.path)
        data = src.read_bytes()
        if hashlib.sha256(data).hexdigest() != state.sha256:
            raise BadInput(f"{src}: changed since it was read; run again")
        im = _open(src)
        settings = state.settings or ocr.current()
        fills, details, redacted = ocr.page_redactions(parsed.text, state.segments,
                                                       [p.ocr for p in state.pages], spans, options.operator,
                                                       settings.margin)
        outputs = []
        ocr_info = [dict(p) for p in parsed.info.get("ocr", {}).get("pages", [])]
        for i, frame in enumerate(_frames(im)):
            if i >= len(state.pages):
                break
            out = ocr.fill_boxes(_fresh(frame), fills.get(i, []))
            if i < len(ocr_info):
                ocr_info[i]["words_redacted"] = redacted.get(i, 0)
                ocr_info[i]["boxes"] = len(fills.get(i, []))
            outputs.append((out, state.pages[i]))
            if state.format != "TIFF":
                break
        _save(outputs, dest, state.format)
        unreadable_pages = sorted({u.page for u in parsed.unreadable if u.page})
        with _lock:
            _written[str(dest)] = (state.settings or ocr.current(), unreadable_pages)
        info = {}
        if ocr_info:
            info["ocr"] = {**parsed.info["ocr"], "pages": ocr_info}
        return WriteResult(span_details=details, touched=sorted({d["page"] for d in details if d["page"]}),
                           dropped=["metadata (EXIF, XMP, IPTC, ICC profile, text chunks, thumbnails)"] + state.dropped,
                           info=info)

    # -- verify --------------------------------------------------------------------------------------

    def verify(self, dest: Path, needles) -> Verification:
        with _lock:
            settings, unreadable = _written.pop(str(dest), (ocr.current(), []))
        eng = ocr.engine(settings.engine)
        reader = f"{eng.name} {eng.version()} re-OCR of the written file (its own decoding and orientation, psm 1)"
        unverified = [f"page {p}" for p in unreadable]
        if not needles:
            return Verification(reader, unverified=unverified, checked=0)
        pages = eng.read_file(str(dest), settings.lang)
        hits = ocr.verify_pages(pages, needles)
        hits += metadata_hits(Path(dest), needles)
        return Verification(reader, hits=hits, unverified=unverified, checked=len(pages))


_written: dict[str, tuple] = {}
_lock = threading.Lock()


def _fresh(frame):
    """A new image holding only ``frame``'s pixels (no info, tags, EXIF or palette tricks)."""
    from PIL import Image

    mode = frame.mode
    if mode == "P":
        mode = "RGBA" if "transparency" in frame.info else "RGB"
        frame = frame.convert(mode)
    elif mode == "PA":
        mode, frame = "RGBA", frame.convert("RGBA")
    out = Image.new(mode, frame.size)
    out.paste(frame, (0, 0))
    return out


def _save(outputs, dest: Path, fmt: str) -> None:

    first, page = outputs[0]
    kwargs: dict = {}
    if page.dpi:
        kwargs["dpi"] = page.dpi
    if fmt == "JPEG":
        if first.mode not in ("L", "RGB", "CMYK"):
            first = first.convert("RGB")
        kwargs.update(quality=92, optimize=False)
        src = _jpeg_tables(page)
        if src:
            kwargs.update(src)
        first.save(dest, format="JPEG", **kwargs)
        return
    if fmt == "PNG":
        first.save(dest, format="PNG", **kwargs)
        return
    # TIFF: one compression for the file; the source's where it is lossless for every page
    comp = page.compression or "raw"
    modes = {img.mode for img, _ in outputs}
    if comp in _BILEVEL_TIFF and modes == {"1"}:
        comp = "group4"
    elif comp not in _LOSSLESS_TIFF:
        comp = "tiff_lzw"
    kwargs["compression"] = comp
    rest = [img for img, _ in outputs[1:]]
    first.save(dest, format="TIFF", save_all=bool(rest), append_images=rest, **kwargs)


def _jpeg(frame) -> dict | None:
    if frame.format not in ("JPEG", "MPO"):
        return None
    from PIL import JpegImagePlugin

    out: dict = {}
    if getattr(frame, "quantization", None):
        out["qtables"] = dict(frame.quantization)
    sampling = JpegImagePlugin.get_sampling(frame)
    if sampling != -1:
        out["subsampling"] = sampling
    return out or None


def _jpeg_tables(page) -> dict:
    return page.jpeg or {}


def metadata_hits(path: Path, needles) -> list[str]:
    """Removed strings in the text the written image carries besides pixels (text chunks, EXIF and TIFF
    tags holding text). Numbers are not looked at: strip offsets and sizes are not text, and a removed
    year such as '1995' turns up among them by chance."""
    from PIL import Image

    texts = []

    def add(value) -> None:
        if isinstance(value, bytes):
            texts.append(value.decode("latin-1"))
        elif isinstance(value, str):
            texts.append(value)
        elif isinstance(value, (tuple, list)) and any(isinstance(v, (str, bytes)) for v in value):
            for v in value:
                add(v)

    with Image.open(path) as im:
        for frame_no in range(getattr(im, "n_frames", 1)):
            im.seek(frame_no)
            for source in (im.info, im.getexif(), getattr(im, "tag_v2", {})):
                for value in source.values():
                    add(value)
    return needles.find_any("\n".join(texts), where="image metadata")


# -- images held in memory (parts of other formats: DOCX media) ---------------------------------------------

def ocr_bytes(data: bytes, name: str, settings: "ocr.OcrSettings | None" = None) -> tuple[str, list[PageInfo]]:
    """OCR an image held in memory: (PIL format it is written back in, pages with their OCR)."""
    import io

    settings = settings or ocr.current()
    im = _open(io.BytesIO(data), name)
    fmt = _FORMATS[im.format]
    pages, images = [], []
    for frame in _frames(im):
        pages.append(PageInfo(None, frame.mode, frame.size, _dpi(frame), frame.info.get("compression"), _jpeg(frame)))
        images.append(frame.copy())
        if fmt != "TIFF":
            break
    for page, res in zip(pages, ocr.ocr_pages(images, [int(round(p.dpi[0])) if p.dpi else None for p in pages],
                                             settings)):
        page.ocr = res
    return fmt, pages


def redact_bytes(data: bytes, name: str, fmt: str, pages: list[PageInfo], fills: dict[int, list]) -> bytes:
    """The image in ``data`` with ``fills`` (page → (box, label) pairs) burned into fresh pixels, encoded in
    ``fmt`` without metadata."""
    import io

    im = _open(io.BytesIO(data), name)
    outputs = []
    for i, frame in enumerate(_frames(im)):
        if i >= len(pages):
            break
        outputs.append((ocr.fill_boxes(_fresh(frame), fills.get(i, [])), pages[i]))
        if fmt != "TIFF":
            break
    buf = io.BytesIO()
    _save(outputs, buf, fmt)
    return buf.getvalue()


def reocr_bytes(data: bytes, suffix: str, settings: "ocr.OcrSettings | None" = None) -> list[list]:
    """An independent re-OCR of an image held in memory (written to a private temporary file that the
    engine decodes itself): words per page."""
    import os
    import tempfile

    settings = settings or ocr.current()
    fd, tmp = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return ocr.engine(settings.engine).read_file(tmp, settings.lang)
    finally:
        os.unlink(tmp)


FORMAT = ImageFormat()
