"""Images held inside another document (DOCX media, ...): OCR'd, their text appended to the document's
text for the model, redacted in their pixels, replaced in the output, and re-OCR'd when verifying.

A format that carries images calls :meth:`ImageParts.read` with the images' bytes and its own text;
the document text the model sees is ``own_text + parts.text`` (each image's words after a blank line, in
the order given). At write time it hands the spans to :meth:`ImageParts.redact`, which returns the new
bytes of every image that had a word redacted (every OCR'd image is re-encoded: no metadata is carried);
the format replaces the parts with them. Its verifier calls :meth:`ImageParts.verify` on the written
images' bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from . import OcrSettings, OcrUnavailable, Segment, current, join_words, page_redactions, verify_pages

#: why an image stays unreadable when OCR is off or finds no text in it (the report's ``ocr.no_text`` tells
#: the two apart)
NOT_READ = "image (may hold text; not read)"
#: images smaller than this (pixels on the shorter side) cannot hold readable text: icons, rules, bullets
MIN_SIDE = 24


@dataclass
class ImagePart:
    name: str
    fmt: str
    pages: list  # formats.image.PageInfo
    start: int  # offset of this image's text in the document text
    segments: list[Segment] = field(default_factory=list)

    def describe(self) -> dict:
        ocr_pages = [p.ocr.describe() for p in self.pages if p.ocr is not None]
        return {"part": self.name, "format": self.fmt, "pages": ocr_pages}


@dataclass
class ImageParts:
    """The OCR'd images of one document (see the module docstring)."""

    base: int
    parts: list[ImagePart]
    text: str
    settings: OcrSettings
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    no_text: list[str] = field(default_factory=list)  # OCR'd, no words found (also unreadable: not claimed)

    @classmethod
    def read(cls, images: list[tuple[str, bytes]], own_text: str, settings: OcrSettings | None = None) -> "ImageParts":
        """OCR each (name, bytes); images that cannot be decoded (EMF, WMF...), in which OCR finds no text
        (a photo, a logo — or text OCR cannot see: not claimed either way), that are read with a mean
        confidence under ``min_confidence``, or every image when OCR is off, are listed in ``unreadable``."""
        from ..errors import BadInput
        from ..formats import image as image_format

        settings = settings or current()
        base = len(own_text)
        parts: list[ImagePart] = []
        unreadable: list[tuple[str, str]] = []
        no_text: list[str] = []
        pieces: list[str] = []
        pos = base
        for name, data in images:
            if settings.mode == "never":
                unreadable.append((name, NOT_READ))
                continue
            try:
                fmt, pages = image_format.ocr_bytes(data, name, settings)
            except OcrUnavailable as exc:  # not installed: the images stay unreadable, as without OCR
                unreadable.append((name, f"{NOT_READ[:-1]}: {exc})"))
                continue
            except BadInput:
                unreadable.append((name, f"image in a format OCR cannot read ({PurePosixPath(name).suffix or '?'})"))
                continue
            words = [[w for w in p.ocr.words] for p in pages]
            real = [w for page in words for w in page if not w.junk]
            if not real or all(min(p.size) < MIN_SIDE for p in pages):
                no_text.append(name)
                unreadable.append((name, NOT_READ))
                continue
            confs = [w.conf for w in real]
            mean = sum(confs) / len(confs)
            if mean < settings.min_confidence and len(real) >= 3:
                unreadable.append((name, f"image text read with mean confidence {mean:.0f} < {settings.min_confidence:.0f}"))
                continue
            text, segments = join_words(words)
            sep = "\n\n"
            start = pos + len(sep)
            pieces.append(sep + text)
            parts.append(ImagePart(name, fmt, pages, start, segments))
            pos = start + len(text)
        return cls(base, parts, "".join(pieces), settings, unreadable, no_text)

    def spans_before(self, spans) -> list:
        """The spans (clipped) that fall in the document's own text."""
        out = []
        for s in spans:
            if s.start < self.base:
                out.append(s if s.end <= self.base else replace(s, end=self.base))
        return out

    def redact(self, doc_text: str, spans, operator, data: dict[str, bytes]) -> tuple[dict[str, bytes], list[dict], list[dict]]:
        """New bytes for every OCR'd image (name → bytes), per span its image, page and boxes (``{}`` for
        spans in the document's own text), and per image what was done (for the report)."""
        from ..formats import image as image_format

        new: dict[str, bytes] = {}
        details: list[dict] = [{} for _ in spans]
        info: list[dict] = []
        for part in self.parts:
            fills, per_span, redacted = page_redactions(doc_text, part.segments, [p.ocr for p in part.pages], spans,
                                                        operator, self.settings.margin, base=part.start)
            for k, d in enumerate(per_span):
                if d["boxes"]:
                    details[k] = {"image": part.name, "page": d["page"], "boxes": d["boxes"]}
            new[part.name] = image_format.redact_bytes(data[part.name], part.name, part.fmt, part.pages, fills)
            info.append({**part.describe(), "words_redacted": sum(redacted.values()),
                         "boxes": sum(len(v) for v in fills.values())})
        return new, details, info

    def verify(self, written: dict[str, bytes], needles) -> tuple[list[str], int]:
        """Re-OCR every written image (the engine decodes the bytes itself); hits name the image. Returns
        (hits, pages checked). The needles' allowances apply per image."""
        from ..formats import image as image_format

        hits: list[str] = []
        checked = 0
        for name, data in written.items():
            pages = image_format.reocr_bytes(data, PurePosixPath(name).suffix or ".png", self.settings)
            checked += len(pages)
            hits += verify_pages(pages, needles, where=f"{name} (re-OCR)")
        return hits, checked

    def describe(self) -> dict:
        return {"engine": self.parts[0].pages[0].ocr.engine if self.parts else "", "lang": self.settings.lang,
                "images": [p.describe() for p in self.parts], "no_text": self.no_text,
                "unreadable": [n for n, _ in self.unreadable]}
