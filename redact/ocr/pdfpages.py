"""PDF pages that have no usable text layer (scans): rasterized with pdfium at ``--dpi``, OCR'd, redacted in
their pixels and written back as an image of the page; verified by rendering the written page with pdfium
and reading it with a fresh OCR pass.

The PDF format calls :meth:`PdfOcr.read` for the pages it cannot read, puts :meth:`PdfOcr.text` of each
page where that page's text goes (recording the offset with :meth:`PdfOcr.place`), asks
:meth:`PdfOcr.images` for the redacted page images at write time, and :func:`verify_pages` when verifying.
Pages are rasterized *unrotated* (as stored, /Rotate not applied), so the image replaces the page's own
content and the page keeps its /Rotate.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace

from . import OcrSettings, OcrUnavailable, PageOcr, Segment, current, engine, join_words, ocr_pages, page_redactions, verify_pages


#: pdfium must not be called from two threads at once; pages are OCR'd in parallel, rendered one at a time
PDFIUM_LOCK = threading.RLock()


def render(path: str, index: int, dpi: int, grayscale: bool = True):
    """Page ``index`` (0-based) of the PDF at ``path`` as a PIL image at ``dpi``, unrotated (as stored)."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(path)
        try:
            page = doc[index]
            try:
                turn = page.get_rotation() % 360
                bitmap = page.render(scale=dpi / 72, grayscale=grayscale, may_draw_forms=False)
                image = bitmap.to_pil().copy()  # our own pixels, not a view of pdfium's buffer
            finally:
                page.close()
        finally:
            doc.close()
    if turn:  # pdfium shows the page turned clockwise by /Rotate; turn it back to how it is stored
        image = image.rotate(turn, expand=True)
    return image


@dataclass
class OcrPage:
    index: int  # 0-based page number
    ocr: PageOcr
    text: str
    segments: list[Segment]
    start: int = -1  # offset of the page's text in the document text (set by place)


@dataclass
class PdfOcr:
    """The OCR'd pages of one PDF."""

    path: str
    dpi: int
    settings: OcrSettings
    pages: dict[int, OcrPage] = field(default_factory=dict)
    unreadable: dict[int, str] = field(default_factory=dict)  # index -> reason (OCR found nothing / too unsure)
    seconds: float = 0.0

    @classmethod
    def read(cls, path: str, indexes: list[int], settings: OcrSettings | None = None) -> "PdfOcr":
        settings = settings or current()
        started = time.time()
        dpi = settings.dpi
        result = cls(str(path), dpi, settings)
        indexes = sorted(set(indexes))
        loaders = [(lambda i=i: render(str(path), i, dpi)) for i in indexes]
        try:
            done = ocr_pages(loaders, [dpi] * len(indexes), settings)
        except OcrUnavailable as exc:  # not installed: the pages stay unreadable, as without OCR
            result.unreadable = {i: f"no text layer (image only: a scan?); not OCR'd: {exc}" for i in indexes}
            return result
        for index, page in zip(indexes, done):
            real = [w for w in page.words if not w.junk]
            if not real:
                result.unreadable[index] = "no text layer and OCR found no text"
            elif page.mean_confidence < settings.min_confidence:
                result.unreadable[index] = (f"no text layer and OCR read it with mean word confidence "
                                            f"{page.mean_confidence:.0f} < {settings.min_confidence:.0f}")
            if real:
                text, segments = join_words([page.words])
                result.pages[index] = OcrPage(index, page, text, segments)
        result.seconds = time.time() - started
        return result

    def text(self, index: int) -> str:
        page = self.pages.get(index)
        return page.text if page is not None else ""

    def place(self, index: int, start: int) -> None:
        """Record where page ``index``'s OCR text starts in the document text."""
        self.pages[index].start = start

    def images(self, doc_text: str, spans, operator) -> tuple[dict, list[dict], dict[int, int]]:
        """Every OCR'd page rendered again (as at read time) with its redacted words filled: (index → PIL
        image, per span ``{"page", "boxes"}`` in pixels at ``dpi`` (``{}`` when not on an OCR page), index
        → words redacted)."""
        from . import fill_boxes

        images: dict = {}
        details: list[dict] = [{} for _ in spans]
        redacted: dict[int, int] = {}
        for index, page in sorted(self.pages.items()):
            fills, per_span, counts = page_redactions(doc_text, page.segments, [page.ocr], spans, operator,
                                                      self.settings.margin, base=page.start)
            image = render(self.path, index, self.dpi)
            if image.size != page.ocr.size:
                raise RuntimeError(f"{self.path}: page {index + 1} rendered at another size than when read")
            images[index] = fill_boxes(image, fills.get(0, []))
            images[index].info["pdf_filter"] = "DCTDecode"  # written as JPEG (a scan's usual encoding)
            redacted[index] = counts.get(0, 0)
            for k, d in enumerate(per_span):
                if d["boxes"]:
                    details[k] = {"page": index + 1, "ocr_boxes_px": d["boxes"], "dpi": self.dpi}
        return images, details, redacted

    def describe(self, redacted: dict[int, int] | None = None) -> dict:
        pages = []
        for index, page in sorted(self.pages.items()):
            d = {"page": index + 1, **page.ocr.describe()}
            if redacted is not None:
                d["words_redacted"] = redacted.get(index, 0)
            pages.append(d)
        return {"engine": next(iter(self.pages.values())).ocr.engine if self.pages else "",
                "lang": self.settings.lang, "dpi": self.dpi, "pages": pages, "ocr_s": round(self.seconds, 2)}


def verify_pdf_pages(path: str, indexes: list[int], needles, settings: OcrSettings | None = None) -> tuple[list[str], int]:
    """Render pages ``indexes`` of the written PDF with pdfium (as displayed) and read each with a fresh
    OCR pass that detects orientation itself; (hits, pages checked). The allowances apply per page."""
    import os
    import tempfile

    settings = settings or current()
    eng = engine(settings.engine)
    hits: list[str] = []
    for index in indexes:
        image = render(path, index, settings.dpi)
        fd, tmp = tempfile.mkstemp(suffix=".png")
        os.close(fd)
        try:
            image.save(tmp, format="PNG")
            pages = eng.read_file(tmp, settings.lang)
        finally:
            os.unlink(tmp)
        hits += verify_pages(pages, needles, where=f"page {index + 1} (re-OCR)", name_pages=False)
    return hits, len(indexes)


def text_layer_ops(ocr: "PdfOcr", index: int, doc_text: str, spans, crop: tuple[float, float, float, float],
                   font_name: str, width_of) -> list:
    """Content operations drawing the *kept* words of OCR'd page ``index`` as invisible text (render mode
    3) over their place in the page image, so the output stays searchable: Helvetica ``font_name``, each
    word scaled to its box (``width_of(text)`` is the font's width at size 1). A word any span touches is
    never written, nor is a junk token. ``crop`` is the crop box (x0, y0, x1, y1) the image covers."""
    from pypdf.generic import ByteStringObject, FloatObject, NameObject, NumberObject

    from . import words_in_spans

    page = ocr.pages[index]
    shifted = [replace(s, start=s.start - page.start, end=s.end - page.start) for s in spans]
    gone = {w for (_, w) in words_in_spans(page.segments, shifted)}
    W, H = page.ocr.size
    x0, y0, x1, y1 = crop
    sx, sy = (x1 - x0) / W, (y1 - y0) / H
    turn = page.ocr.turn
    geometry = turn._geometry()[1] if turn is not None else None
    fx, fy = (turn.src[0] / turn._scaled()[0], turn.src[1] / turn._scaled()[1]) if turn is not None else (1, 1)

    def to_pdf(x: float, y: float, seen: bool) -> tuple[float, float]:
        if seen:  # a point of the image OCR read (levelled, upright) -> the page image -> the page
            m = geometry
            x, y = (m[0] * x + m[1] * y + m[2]) * fx, (m[3] * x + m[4] * y + m[5]) * fy
        return x0 + x * sx, y0 + (H - y) * sy

    f = lambda v: FloatObject(round(v, 4))  # noqa: E731
    ops = [([], b"BT"), ([NumberObject(3)], b"Tr"), ([NameObject(font_name), f(1)], b"Tf")]
    drawn = 0
    for i, word in enumerate(page.ocr.words):
        if i in gone or word.junk:
            continue
        data = word.text.encode("cp1252", "replace")
        natural = width_of(word.text)
        if natural <= 0:
            continue
        seen = word.seen is not None and geometry is not None
        l, t, r, b = word.seen[0] if seen else word.box
        p0, p1, p2 = to_pdf(l, b, seen), to_pdf(r, b, seen), to_pdf(l, t, seen)
        bx, by = p1[0] - p0[0], p1[1] - p0[1]  # the baseline, along the reading direction
        ux, uy = p2[0] - p0[0], p2[1] - p0[1]  # up, one box height (= 1 em)
        ops += [([f(bx / natural), f(by / natural), f(ux), f(uy), f(p0[0] + 0.2 * ux), f(p0[1] + 0.2 * uy)], b"Tm"),
                ([ByteStringObject(data)], b"Tj")]
        drawn += 1
    ops.append(([], b"ET"))
    return ops if drawn else []
