"""OCR behind a small interface: page images in, words with pixel boxes and confidences out.

Formats that hold pictures of text (image files, scanned PDF pages, images inside DOCX) call
:func:`ocr_pages` (orientation and skew are detected and corrected first; every box is mapped back to the
pixels of the image as given), join the words into the text the model reads with :func:`join_words`
(reading order, hyphenation across lines joined, a character → word map), fill the redacted words'
boxes with :func:`fill_boxes`, and verify the written image with an independent pass of the engine
(:meth:`OcrEngine.read_file`).

The settings are module-level, set once by the CLI (``redact run --ocr/--ocr-lang/--dpi/--ocr-text-layer``)
or by a library user before a run::

    import redact.ocr
    redact.ocr.configure(mode="always", lang="eng+deu", dpi=300)

>>> configure(mode="never").mode
'never'
>>> _ = configure()   # back to the defaults
>>> current().mode, current().lang, current().dpi
('auto', 'eng', 300)
"""

from __future__ import annotations

import math
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Protocol

from ..errors import BadInput

if TYPE_CHECKING:
    from PIL import Image


class OcrUnavailable(BadInput):
    """The OCR engine or a language it needs is not installed (the message says what to install)."""


MODES = ("auto", "always", "never")
#: a page read as given with at least this mean word confidence is taken to be upright (no orientation pass)
UPRIGHT_CONFIDENCE = 80.0
#: a page read with fewer words (letters or digits) than this, all at low confidence, is read again with
#: sparse segmentation (see ocr_page); verifiers re-read such pages that way too
SPARSE_WORDS = 20


@dataclass(frozen=True)
class OcrSettings:
    """``mode``: ``auto`` (OCR what has no usable text: image files, PDF pages without a text layer, images
    inside DOCX), ``always`` (today the same as auto; meant to add image regions of PDF text pages, which
    still fail closed), ``never`` (such places stay unreadable: the file fails unless
    ``--accept-unreadable``). ``lang``: Tesseract language(s),
    ``eng+deu``. ``dpi``: resolution at which PDF pages are rasterized for OCR. ``text_layer``: PDF pages
    written as images get an invisible text layer of the kept words. ``workers``: OCR processes at once
    (one Tesseract thread each). ``min_confidence``: pages whose mean word confidence is lower are listed
    as unreadable (not claimed redacted). ``margin``: fraction of the line height added around each box."""

    mode: str = "auto"
    lang: str = "eng"
    dpi: int = 300
    text_layer: bool = False
    workers: int = 1
    engine: str = "tesseract"
    min_confidence: float = 50.0
    margin: float = 0.12
    timeout_s: float = 300.0

    def describe(self) -> dict:
        return asdict(self)


_settings = OcrSettings()
_slots = threading.BoundedSemaphore(1)
_lock = threading.Lock()


def configure(**changes) -> OcrSettings:
    """Set the OCR settings for what follows (unnamed fields go back to their defaults); returns them.

    >>> configure(mode="sometimes")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    BadInput: --ocr must be one of auto, always, never
    """
    global _settings, _slots
    new = replace(OcrSettings(), **changes)
    if new.mode not in MODES:
        raise BadInput(f"--ocr must be one of {', '.join(MODES)}")
    if not re.fullmatch(r"[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*", new.lang or ""):
        raise BadInput(f"--ocr-lang {new.lang!r}: expected Tesseract language codes such as eng or eng+deu")
    if not 50 <= new.dpi <= 1200:
        raise BadInput(f"--dpi {new.dpi}: expected 50 to 1200")
    with _lock:
        _settings = replace(new, workers=max(1, int(new.workers)))
        _slots = threading.BoundedSemaphore(_settings.workers)
    return _settings


def current() -> OcrSettings:
    return _settings


# -- what an engine returns ------------------------------------------------------------------------------

Box = tuple[int, int, int, int]  # left, top, right, bottom (pixels, right/bottom exclusive)


@dataclass
class Word:
    """One recognised word. ``box`` and ``line_box`` are in the pixels of the image as given (after the
    rotation/deskew that OCR used is undone); ``line`` is (block, paragraph, line) in reading order."""

    text: str
    box: Box
    conf: float
    line: tuple[int, int, int]
    line_box: Box
    #: word and line box in the pixels OCR read (after rotation/deskew/scaling); see PageOcr.turn
    seen: tuple[Box, Box] | None = field(default=None, repr=False, compare=False)

    @property
    def junk(self) -> bool:
        """No letter or digit: rules, specks and the tokens a black box re-OCRs as.

        >>> Word("|", (0, 0, 1, 1), 20.0, (1, 1, 1), (0, 0, 1, 1)).junk, Word("Ann,", (0, 0, 1, 1), 96, (1, 1, 1), (0, 0, 1, 1)).junk
        (True, False)
        """
        return not any(c.isalnum() for c in self.text)


@dataclass
class PageOcr:
    """The OCR of one page image: words in reading order and how they were obtained."""

    words: list[Word]
    size: tuple[int, int]
    engine: str
    rotation: int = 0  # degrees clockwise the page was turned before OCR (0, 90, 180, 270)
    skew: float = 0.0  # degrees counter-clockwise the page was turned to level its lines
    dpi: int = 300
    seconds: float = 0.0
    turn: "Turn | None" = field(default=None, repr=False)
    orientation: str = "upright (read well as given)"

    @property
    def mean_confidence(self) -> float:
        confs = [w.conf for w in self.words if not w.junk]
        return round(sum(confs) / len(confs), 1) if confs else 0.0

    def describe(self) -> dict:
        return {"engine": self.engine, "rotation": self.rotation, "orientation": self.orientation,
                "skew": round(self.skew, 2), "dpi": self.dpi,
                "words": len(self.words), "mean_confidence": self.mean_confidence, "ocr_s": round(self.seconds, 2)}


class OcrEngine(Protocol):
    """What an OCR engine provides (Tesseract is :mod:`redact.ocr.tesseract`)."""

    name: str

    def version(self) -> str: ...

    def orientation(self, image: "Image.Image", dpi: int) -> tuple[int, float]:
        """(degrees clockwise to turn the image upright, confidence); (0, 0.0) when unsure."""

    def words(self, image: "Image.Image", lang: str, dpi: int, sparse: bool = False) -> list[Word]:
        """Words of an upright grayscale image, boxes in its pixels, in reading order; with ``sparse``
        the engine looks for scattered text without layout analysis (Tesseract ``--psm 11``)."""

    def read_file(self, path: str, lang: str) -> list[list[Word]]:
        """An independent pass over a written image file (decoded by the engine itself, orientation
        detected by the engine): words per page."""


ENGINES: dict[str, str] = {"tesseract": "redact.ocr.tesseract"}
_engines: dict[str, OcrEngine] = {}


def engine(name: str | None = None) -> OcrEngine:
    """The engine by name (default: the configured one), created once."""
    import importlib

    name = name or _settings.engine
    if name not in _engines:
        if name not in ENGINES:
            raise BadInput(f"unknown OCR engine {name!r}; choose from {', '.join(ENGINES)}")
        _engines[name] = importlib.import_module(ENGINES[name]).ENGINE
    return _engines[name]


# -- geometry: undo the turn that OCR saw --------------------------------------------------------------

@dataclass
class Turn:
    """Image as given → image OCR'd: scale by ``scale``, then PIL ``rotate(angle, expand=True)``
    (counter-clockwise degrees). :meth:`back` maps a box on the OCR'd image to the enclosing box on
    the image as given.

    >>> t = Turn((200, 100), 1.0, 90.0)
    >>> t.size
    (100, 200)
    >>> t.back((0, 0, 10, 20))   # top-left of the turned image is the top-right of the original
    (180, 0, 200, 10)
    """

    src: tuple[int, int]
    scale: float = 1.0
    angle: float = 0.0

    def _scaled(self) -> tuple[int, int]:
        return (round(self.src[0] * self.scale), round(self.src[1] * self.scale)) if self.scale != 1.0 else self.src

    def _geometry(self) -> tuple[tuple[int, int], list[float]]:
        """Output size and the affine matrix output → scaled input, computed exactly as PIL's
        ``Image.rotate(angle, expand=True)`` does (so boxes map back onto the pixels they came from)."""
        w, h = self._scaled()
        angle = -math.radians(self.angle)
        m = [round(math.cos(angle), 15), round(math.sin(angle), 15), 0.0,
             round(-math.sin(angle), 15), round(math.cos(angle), 15), 0.0]

        def tf(x, y):
            return m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]

        m[2], m[5] = tf(-w / 2, -h / 2)
        m[2] += w / 2
        m[5] += h / 2
        xx, yy = zip(*(tf(x, y) for x, y in ((0, 0), (w, 0), (w, h), (0, h))))
        nw = math.ceil(max(xx)) - math.floor(min(xx))
        nh = math.ceil(max(yy)) - math.floor(min(yy))
        m[2], m[5] = tf(-(nw - w) / 2.0, -(nh - h) / 2.0)
        return (nw, nh), m

    @property
    def size(self) -> tuple[int, int]:
        return self._geometry()[0]

    def apply(self, image: "Image.Image") -> "Image.Image":
        from PIL import Image

        out = image
        if self.scale != 1.0:
            out = out.resize(self._scaled(), Image.LANCZOS)
        if self.angle % 360:
            if self.angle % 90 == 0:
                out = out.rotate(self.angle, expand=True)
            else:
                out = out.rotate(self.angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
        return out

    def back(self, box: Box) -> Box:
        _, m = self._geometry()
        sw, sh = self.src
        w, h = self._scaled()
        fx, fy = sw / w, sh / h
        xs, ys = [], []
        for x, y in ((box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])):
            xs.append((m[0] * x + m[1] * y + m[2]) * fx)
            ys.append((m[3] * x + m[4] * y + m[5]) * fy)
        return (max(0, math.floor(min(xs) + 1e-6)), max(0, math.floor(min(ys) + 1e-6)),
                min(sw, math.ceil(max(xs) - 1e-6)), min(sh, math.ceil(max(ys) - 1e-6)))


def estimate_skew(gray: "Image.Image", limit: float = 10.0) -> float:
    """Degrees (counter-clockwise, PIL's sense) that level the text lines, by projection profiles on a
    small binarised copy: the angle whose row sums are most peaked. 0.0 for pages without enough ink."""
    import numpy as np
    from PIL import Image

    small = gray.copy()
    small.thumbnail((900, 900))
    a = np.asarray(small, dtype=np.uint8)
    ink = a < min(160, int(a.mean()) - 30)
    if ink.mean() < 0.002:
        return 0.0
    mask = Image.fromarray((ink * 255).astype(np.uint8))

    def score(angle: float) -> float:
        rows = np.asarray(mask.rotate(angle, resample=Image.NEAREST, expand=True), dtype=np.float32).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    coarse = max(np.arange(-limit, limit + 1e-9, 0.5), key=score)
    fine = max(np.arange(coarse - 0.5, coarse + 0.5 + 1e-9, 0.1), key=score)
    return round(float(fine), 2)


# -- one page ------------------------------------------------------------------------------------------

def _gray(image: "Image.Image") -> "Image.Image":
    from PIL import Image

    if image.mode in ("L",):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    if image.mode.startswith("I;16") or image.mode == "I":
        import numpy as np

        a = np.asarray(image, dtype=np.float64)
        hi = a.max() or 1.0
        return Image.fromarray((a * (255.0 / hi)).clip(0, 255).astype(np.uint8))
    return image.convert("L")


def ocr_page(image: "Image.Image", dpi: int | None = None, settings: OcrSettings | None = None) -> PageOcr:
    """OCR one page image: skew (projection profiles), orientation (the engine's, when the page does not
    read well as given), small scans scaled up to ~300 dpi; words whose boxes are mapped back onto
    ``image``'s pixels."""
    settings = settings or _settings
    eng = engine(settings.engine)
    started = time.time()
    gray = _gray(image)
    dpi = int(dpi or settings.dpi)
    scale = 1.0
    if dpi < 200:  # Tesseract reads small print better at ~300 dpi
        scale = min(4.0, 300 / dpi)

    def attempt(rotation: int, sparse: bool = False) -> PageOcr:
        skew = estimate_skew(Turn(gray.size, 1.0, -rotation).apply(gray))
        skew = 0.0 if abs(skew) < 0.3 else skew
        turn = Turn(gray.size, scale, -rotation + skew)
        with _slots:
            raw = eng.words(turn.apply(gray), settings.lang, round(dpi * scale), **({"sparse": True} if sparse else {}))
        words = [Word(w.text, turn.back(w.box), w.conf, w.line, turn.back(w.line_box), (w.box, w.line_box))
                 for w in raw]
        return PageOcr(words, image.size, f"{eng.name} {eng.version()}", rotation % 360, skew, dpi, turn=turn)

    # Most pages are upright: read them as they are, and ask for the orientation only when the text
    # reads poorly (a page on its side or upside down reads as junk at confidence < 50).
    page = attempt(0)
    if page.mean_confidence < UPRIGHT_CONFIDENCE:
        with _slots:
            rotation, conf = eng.orientation(gray, dpi)
        page.orientation = f"detected ({conf:.1f})" if conf else "undetected"
        if rotation:
            trial = attempt(rotation)
            if trial.mean_confidence > page.mean_confidence:
                trial.orientation = page.orientation
                page = trial
        if page.words and page.mean_confidence < settings.min_confidence + 20 and conf < 5:
            # detection was unsure and the text still reads poorly: try the other turns
            for other in (90, 180, 270):
                if other != rotation:
                    trial = attempt(other)
                    if trial.mean_confidence > page.mean_confidence + 10:
                        trial.orientation = "best of four turns"
                        page = trial
    real = [w for w in page.words if not w.junk]
    if len(real) < SPARSE_WORDS and (not real or page.mean_confidence < settings.min_confidence):
        # next to nothing read: a sparse page (one boxed line in a speckled table cell) that layout
        # analysis takes for noise. Sparse segmentation as given, then on the page's other orientations
        # (a form scanned sideways), before the page is declared unreadable; only such pages pay for it.
        # It reads every speck as a "word" at low confidence: those under ``min_confidence`` are noise
        # and dropped, and the reading counts only if it holds a real word (4+ letters or digits, read
        # with confidence) — specks never make one, so a page of noise stays unreadable.
        for rotation in (0, 90, 270):
            trial = attempt(rotation, sparse=True)
            trial.words = [w for w in trial.words if w.conf >= settings.min_confidence]
            if any(sum(c.isalnum() for c in w.text) >= 4 for w in trial.words):
                trial.orientation = f"sparse text (turned {rotation})" if rotation else "sparse text"
                page = trial
                break
    page.seconds = time.time() - started
    return page


def ocr_pages(images: Iterable, dpis: Iterable[int | None] | None = None,
              settings: OcrSettings | None = None) -> list[PageOcr]:
    """OCR several page images, ``settings.workers`` at a time (each a Tesseract process with one thread;
    ``images`` may be callables that produce the image, so only the pages in flight are decoded)."""
    settings = settings or _settings
    items = list(images)
    dpis = list(dpis) if dpis is not None else [None] * len(items)

    def one(i: int) -> PageOcr:
        img = items[i]() if callable(items[i]) else items[i]
        return ocr_page(img, dpis[i], settings)

    if settings.workers <= 1 or len(items) <= 1:
        return [one(i) for i in range(len(items))]
    with ThreadPoolExecutor(min(settings.workers, len(items))) as pool:
        return list(pool.map(one, range(len(items))))


# -- text for the model --------------------------------------------------------------------------------

@dataclass
class Segment:
    """Characters ``start:end`` of the joined text come from word ``word`` of page ``page`` (0-based)."""

    start: int
    end: int
    page: int
    word: int


_HYPHENS = "-\u00ad\u2010\u2011"


def join_words(pages: list[list[Word]], page_sep: str = "\n\n") -> tuple[str, list[Segment]]:
    """The text of OCR'd pages in reading order (words by spaces, lines by newlines, paragraphs and
    blocks by blank lines, pages by ``page_sep``) and where each word landed. A line ending in a hyphen
    whose next line in the paragraph starts with a lower-case letter is joined (``Kowal-`` + ``ski`` →
    ``Kowalski``, both words mapped).

    >>> w = lambda t, l: Word(t, (0, 0, 1, 1), 90.0, l, (0, 0, 1, 1))
    >>> text, segs = join_words([[w("Mr", (1, 1, 1)), w("Kowal-", (1, 1, 1)), w("ski", (1, 1, 2)), w("came.", (1, 1, 2))],
    ...                          [w("Page", (1, 1, 1))]])
    >>> text
    'Mr Kowalski came.\\n\\nPage'
    >>> [(text[s.start:s.end], s.page, s.word) for s in segs]
    [('Mr', 0, 0), ('Kowal', 0, 1), ('ski', 0, 2), ('came.', 0, 3), ('Page', 1, 0)]
    """
    out: list[str] = []
    segs: list[Segment] = []
    pos = 0
    for p, words in enumerate(pages):
        if p and out:
            out.append(page_sep)
            pos += len(page_sep)
        prev: Word | None = None
        glue = False
        for i, word in enumerate(words):
            if prev is not None and not glue:
                sep = " " if word.line == prev.line else ("\n" if word.line[:2] == prev.line[:2] else "\n\n")
                out.append(sep)
                pos += len(sep)
            text = word.text
            nxt = words[i + 1] if i + 1 < len(words) else None
            glue = (nxt is not None and len(text) > 2 and text[-1] in _HYPHENS and text[-2].isalpha()
                    and nxt.line != word.line and nxt.line[:2] == word.line[:2] and nxt.text[:1].islower())
            if glue:
                text = text[:-1]
            out.append(text)
            segs.append(Segment(pos, pos + len(text), p, i))
            pos += len(text)
            prev = word
    return "".join(out), segs


def words_in_spans(segments: list[Segment], spans) -> dict[tuple[int, int], int]:
    """(page, word) → index of the first span overlapping any of its characters.

    >>> from redact.spans import Span
    >>> words_in_spans([Segment(0, 2, 0, 0), Segment(3, 8, 0, 1), Segment(8, 11, 0, 2)], [Span(3, 11, "PERSON")])
    {(0, 1): 0, (0, 2): 0}
    """
    import bisect

    starts = [s.start for s in segments]
    hit: dict[tuple[int, int], int] = {}
    for k, span in enumerate(spans):
        i = max(0, bisect.bisect_right(starts, span.start) - 1)
        while i < len(segments) and segments[i].start < span.end:
            seg = segments[i]
            if seg.end > span.start and seg.end > seg.start:
                hit.setdefault((seg.page, seg.word), k)
            i += 1
    return hit


# -- pixels --------------------------------------------------------------------------------------------

def redaction_boxes(words: list[Word], chosen: dict[int, int], margin: float,
                    turn: "Turn | None" = None) -> list[tuple[Box, int]]:
    """Rectangles to fill for the chosen words of one page (word index → span index): the word's width and
    its line's height, plus ``margin`` × line height around; consecutive chosen words of one line and one
    span become one bar. Bars are drawn in the pixels OCR read (levelled lines) and mapped back through
    ``turn``, so a skewed line gets a bar just tall enough to cover it. Returns (box, span index) pairs.

    >>> w = lambda x, line: Word("x", (x, 10, x + 30, 30), 90.0, line, (0, 8, 500, 34))
    >>> redaction_boxes([w(0, (1, 1, 1)), w(40, (1, 1, 1)), w(80, (1, 1, 1)), w(0, (1, 1, 2))], {1: 0, 2: 0, 3: 1}, 0.1)
    [((37, 5, 113, 37), 0), ((0, 5, 33, 37), 1)]
    """
    bars: list[list] = []  # [box, span, line, last word index]
    seen = turn is not None and all(words[i].seen is not None for i in chosen)
    for i in sorted(chosen):
        w = words[i]
        box, line_box = w.seen if seen else (w.box, w.line_box)
        lh = max(1, line_box[3] - line_box[1])
        m = max(2, round(margin * lh))
        bar = [box[0] - m, min(box[1], line_box[1]) - m, box[2] + m, max(box[3], line_box[3]) + m]
        last = bars[-1] if bars else None
        if last is not None and last[1] == chosen[i] and last[2] == w.line and last[3] == i - 1:
            b = last[0]
            last[0] = [min(b[0], bar[0]), min(b[1], bar[1]), max(b[2], bar[2]), max(b[3], bar[3])]
            last[3] = i
        else:
            bars.append([bar, chosen[i], w.line, i])
    out = []
    for bar, k, _, _ in bars:
        box = turn.back(tuple(bar)) if seen else tuple(bar)
        out.append((tuple(max(0, int(v)) for v in box), k))
    return out


def page_redactions(text: str, segments: list[Segment], pages: list[PageOcr], spans, operator,
                    margin: float, base: int = 0) -> tuple[dict[int, list[tuple[Box, str | None]]], list[dict], dict[int, int]]:
    """What to fill on OCR'd pages for ``spans`` (offsets in a document text where the OCR text starts at
    ``base``; ``text`` is that document text): per page the (box, label) pairs for :func:`fill_boxes`
    (a label for the first bar of each span when the operator is not a same-length mask), per span its
    page and boxes (``{"page": n, "boxes": [...]}``, 1-based pages; None/[] when it touches no OCR word),
    and per page how many words were redacted."""
    shifted = [replace(s, start=s.start - base, end=s.end - base) for s in spans] if base else list(spans)
    chosen = words_in_spans(segments, shifted)
    per_page: dict[int, dict[int, int]] = {}
    for (page, word), k in chosen.items():
        per_page.setdefault(page, {})[word] = k
    details: list[dict] = [{"page": None, "boxes": []} for _ in spans]
    fills: dict[int, list[tuple[Box, str | None]]] = {}
    for p, chosen_words in sorted(per_page.items()):
        ocr = pages[p]
        for box, k in redaction_boxes(ocr.words, chosen_words, margin, ocr.turn):
            s = spans[k]
            label = None
            if not details[k]["boxes"] and not getattr(operator, "same_length", False):
                label = operator.replace(text[s.start : s.end], s.label)
            details[k]["page"] = details[k]["page"] or p + 1
            details[k]["boxes"].append(list(box))
            fills.setdefault(p, []).append((box, label))
    return fills, details, {p: len(w) for p, w in per_page.items()}


def _color(mode: str, rgb: tuple[int, int, int]):
    from PIL import Image

    probe = Image.new("RGB", (1, 1), rgb)
    return probe.convert(mode).getpixel((0, 0)) if mode not in ("I;16", "I;16B", "I;16L") else (0 if rgb == (0, 0, 0) else 65535)


def fill_boxes(image: "Image.Image", boxes: list[tuple[Box, str | None]]) -> "Image.Image":
    """``image`` with each box filled black in its pixels (in place; returned for chaining), the
    replacement text (labels, pseudonyms) drawn in white when one is given and it fits."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    black = _color(image.mode, (0, 0, 0))
    white = _color(image.mode, (255, 255, 255))
    W, H = image.size
    for (l, t, r, b), label in boxes:
        l, t, r, b = max(0, l), max(0, t), min(W, r), min(H, b)
        if r <= l or b <= t:
            continue
        draw.rectangle((l, t, r - 1, b - 1), fill=black)
        if label and image.mode not in ("1",):
            size = max(6, int((b - t) * 0.6))
            font = _font(size)
            while size > 6 and draw.textlength(label, font=font) > (r - l) - 4:
                size -= 2
                font = _font(size)
            if draw.textlength(label, font=font) <= (r - l) - 2:
                draw.text(((l + r) / 2, (t + b) / 2), label, fill=white, font=font, anchor="mm")
    return image


_fonts: dict[int, object] = {}


def _font(size: int):
    from PIL import ImageFont

    if size not in _fonts:
        try:
            _fonts[size] = ImageFont.truetype("DejaVuSans.ttf", size)
        except OSError:
            try:
                _fonts[size] = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", size)
            except OSError:
                try:
                    _fonts[size] = ImageFont.load_default(size)  # Pillow >= 10.1
                except TypeError:
                    _fonts[size] = ImageFont.load_default()
    return _fonts[size]


# -- verification ----------------------------------------------------------------------------------------

def reading_texts(pages: list[list[Word]]) -> list[str]:
    """What a verifier searches in re-OCR'd pages: junk tokens (no letter or digit, e.g. what black
    boxes read as) dropped, then the text with hyphenated line ends joined and, separately, as read."""
    clean = [[w for w in words if not w.junk] for words in pages]
    joined, _ = join_words(clean)
    raw = "\n\n".join("\n".join(w.text for w in words) for words in clean)
    return [joined, raw]


def verify_pages(pages: list[list[Word]], needles, where: str = "re-OCR", name_pages: bool = True) -> list[str]:
    """Needles readable in re-OCR'd pages (each hit names the pages it was read on, unless ``name_pages``
    is False: ``where`` names the page already)."""
    hits: dict[str, None] = {}
    for text in reading_texts(pages):
        for line in needles.find(text, where=where):
            hits.setdefault(line, None)
    if not hits or not name_pages:
        return list(hits)
    from ..verify import normalise

    out = []
    for line in hits:
        needle = line.split(": ", 1)[1].strip("'\"")
        on = [str(i + 1) for i, words in enumerate(pages)
              if needle in normalise(" ".join(w.text for w in words)) or needle in normalise(reading_texts([words])[0])]
        out.append(f"{where}, page {', '.join(on) or '?'}: {needle!r}")
    return out
