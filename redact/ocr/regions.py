"""Images drawn on PDF pages that also carry a text layer: do they hold text?

A signature line or a stamp pasted as a small picture ("signed: Anna Griffith", 6 % of the page) is not in
the text layer, so the model never sees it and its pixels would be written unchanged. Each image big enough
to hold a line of text is cut from the rendered page and read by OCR; an image OCR reads words in makes its
page unreadable (the file fails unless ``--flatten``/``--accept-unreadable``: its pixels are not redacted),
an image without words (a logo, a rule, a photo) passes. Without OCR (``--ocr never`` or Tesseract missing)
such an image cannot be checked, so its page fails closed too.

>>> worth_reading((0, 0, 20, 20)), worth_reading((72, 700, 300, 716))
(False, True)
"""

from __future__ import annotations

#: smaller images (in points) cannot hold a legible line of text: a 5 pt line is the floor
MIN_WIDTH, MIN_HEIGHT = 36.0, 7.0
#: a region counts as text when OCR reads this many words of 3+ letters or digits, confidently
MIN_WORDS = 1
RENDER_DPI = 200


def worth_reading(box: tuple[float, float, float, float]) -> bool:
    """True for an image box (points) that could hold a line of text."""
    return box[2] - box[0] >= MIN_WIDTH and box[3] - box[1] >= MIN_HEIGHT


def image_text_problems(path: str, index: int, boxes: list, crop: tuple[float, float, float, float]) -> list[str]:
    """Reasons page ``index`` cannot be claimed redacted because of the images in ``boxes`` (empty: none).
    ``crop`` is the page's crop box; boxes are in the same user space."""
    from . import current, engine

    boxes = [b for b in boxes if worth_reading(b)]
    if not boxes:
        return []
    settings = current()
    if settings.mode == "never":
        return [f"{len(boxes)} image(s) on the page may hold text (OCR is off: --ocr never)"]
    try:
        ocr = engine()
        ocr.version()
    except Exception as exc:  # noqa: BLE001 - Tesseract missing: cannot check, so fail closed
        return [f"{len(boxes)} image(s) on the page may hold text and OCR is unavailable ({exc})"]
    from .pdfpages import render

    page = render(path, index, RENDER_DPI)
    scale = RENDER_DPI / 72.0
    cx0, cy0, cx1, cy1 = crop
    found = 0
    for x0, y0, x1, y1 in boxes:
        # PDF user space has y up from the crop box's bottom; pixels have y down from its top
        left, top = max(0, int((x0 - cx0) * scale)), max(0, int((cy1 - y1) * scale))
        right, bottom = min(page.width, int((x1 - cx0) * scale) + 1), min(page.height, int((cy1 - y0) * scale) + 1)
        if right - left < 8 or bottom - top < 8:
            continue
        region = page.crop((left, top, right, bottom))
        words = [w for w in ocr.words(region, settings.lang, RENDER_DPI)
                 if w.conf >= settings.min_confidence and sum(c.isalnum() for c in w.text) >= 3]
        if len(words) >= MIN_WORDS:
            found += 1
    if found:
        return [f"{found} image(s) on the page hold text (read by OCR; their pixels are not redacted)"]
    return []
