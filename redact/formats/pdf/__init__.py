"""PDF: true redaction — the glyphs are removed from the content streams and the output is a new file
rebuilt from an allowlist, then read back by independent readers.

- ``interpret``: content-stream interpreter (glyph positions and Unicode, what cannot be read);
- ``lines``: the page text the model reads (line breaks, spaces, words hyphenated at a line end joined);
- ``rewrite``: glyph removal and marked-content clean-up at the operator level;
- ``rebuild``: the new file (pages, used resources, fonts, images, forms once, links, outlines);
- ``verify``: pdfium page text plus a raw scan of every object and decoded stream.

Pages whose text cannot be read reliably (scans, fonts without a Unicode map, Type3 glyphs without names,
large images on text pages, text inside tiling patterns) are listed in ``Parsed.unreadable``.
Image-only pages (scans) are OCR'd instead (:mod:`redact.ocr.pdfpages`, ``--ocr``/``--dpi``): rasterized
by pdfium, their words put where the page's text goes, the redacted words filled in the pixels, and the
page written as that image only (the original image objects are not carried); the written page is
rendered again and re-OCR'd when verifying. With ``WriteOptions.flatten`` the pages that are still
unreadable are rasterized (pdfium, 150 dpi) with the boxes burned in and no text layer.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import BadInput
from ..base import Parsed, Unreadable, Verification, WriteOptions, WriteResult
from . import rebuild as _rebuild
from . import verify as _verify
from .interpret import IMAGE_SHARE, Glyph, Interpreter, Page
from .lines import page_text

FLATTEN_DPI = 150
#: catalog entries that are never carried (reported as dropped when present)
_CATALOG_DROPPED = {"/Metadata": "XMP metadata", "/StructTreeRoot": "structure tree", "/AcroForm": "AcroForm",
                    "/Names": "names tree (attachments, JavaScript, named destinations)",
                    "/OpenAction": "OpenAction", "/AA": "document actions (/AA)", "/OCProperties": "optional content",
                    "/PageLabels": "page labels", "/Dests": "named destinations", "/URI": "URI base",
                    "/Threads": "article threads", "/AF": "associated files", "/PieceInfo": "piece info",
                    "/Perms": "permissions", "/Collection": "portfolio", "/SpiderInfo": "web capture info",
                    "/Legal": "legal attestation", "/Lang": "language", "/MarkInfo": "mark info",
                    "/ViewerPreferences": "viewer preferences"}
_PAGE_DROPPED = {"/AA": "page actions (/AA)", "/Thumb": "thumbnail", "/PieceInfo": "piece info",
                 "/Metadata": "page XMP metadata", "/B": "article beads", "/AF": "associated files",
                 "/Trans": "transition", "/PresSteps": "presentation steps"}


@dataclass
class State:
    reader: object
    interp: Interpreter
    pages: list[Page]
    glyphs: list[Glyph]
    char_glyph: list[int | None]
    attached: dict[int, list[int]] = field(default_factory=dict)  # glyph -> hyphens removed with it
    dropped: list[str] = field(default_factory=list)
    links: dict[int, list] = field(default_factory=dict)  # page -> [(rect, target page, fit array)]
    path: str = ""
    ocr: object = None  # redact.ocr.pdfpages.PdfOcr: the scanned pages, OCR'd


def unreadable_pages(parsed: Parsed) -> list[int]:
    """1-based numbers of the pages whose text could not be read (what OCR would have to do)."""
    return sorted({u.page for u in parsed.unreadable if u.page is not None})


def _open(path: Path):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise BadInput(f"{path}: encrypted PDF that needs a password; decrypt it first (e.g. qpdf --decrypt)")
        _ = len(reader.pages)
        return reader
    except BadInput:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            NotImplementedError, OSError) as exc:
        raise BadInput(f"{path}: corrupt or unsupported PDF ({type(exc).__name__}: {exc})") from None


#: annotations whose normal appearance is drawn into the page (then read and redacted like page text)
FLATTENED = {"/Widget", "/FreeText", "/Stamp", "/Square", "/Circle", "/Line", "/Polygon", "/PolyLine", "/Ink",
             "/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Caret"}
_HIDDEN_FLAGS = 2 | 32  # Hidden, NoView


def _annotations(targets: dict, page, index: int, dropped: list[str], default_resources) -> tuple[list, list]:
    """Internal links (explicit page destinations) are kept; visible widgets and markup annotations are
    flattened (their appearance joins the page content, where it is read and redacted); every
    annotation dictionary — values, contents, authors, actions — is dropped.
    Returns (links, appearances): ``(rect, target page, fit)`` and ``(appearance ref, matrix)``."""
    keep, draws = [], []
    annots = page.get("/Annots")
    annots = annots.get_object() if annots is not None else []
    for ref in annots or []:
        try:
            annot = ref.get_object()
            subtype = str(annot.get("/Subtype", "?"))
            dest = None
            if subtype == "/Link":
                dest = annot.get("/Dest")
                action = annot.get("/A")
                action = action.get_object() if action is not None else None
                if dest is None and action is not None and action.get("/S") == "/GoTo":
                    dest = action.get("/D")
                dest = dest.get_object() if dest is not None else None
            if isinstance(dest, list) and dest and hasattr(dest[0], "idnum") and dest[0].idnum in targets:
                rect = [float(x) for x in annot["/Rect"]]
                keep.append((rect, targets[dest[0].idnum], list(dest[1:])))
                continue
            drawn = _appearance(annot, default_resources) if subtype in FLATTENED else None
            if drawn is not None:
                draws.append(drawn)
                dropped.append(f"annotation {subtype} page {index + 1} (appearance flattened into the page)")
            else:
                action = annot.get("/A")
                action = action.get_object() if action is not None else None
                kind = f" ({str(action.get('/S', '?')).lstrip('/')} action)" if hasattr(action, "get") else ""
                dropped.append(f"annotation {subtype}{kind} page {index + 1}")
        except Exception:
            dropped.append(f"annotation (unreadable) page {index + 1}")
    return keep, draws


def _appearance(annot, default_resources):
    """(appearance stream, matrix placing it on the page) for a visible annotation, else None."""
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    from .interpret import box_of, num

    if int(num(annot.get("/F", 0))) & _HIDDEN_FLAGS or "/AP" not in annot:
        return None
    normal = annot["/AP"].get_object().get("/N")
    ref = normal
    normal = normal.get_object() if normal is not None else None
    if isinstance(normal, DictionaryObject) and not isinstance(normal, StreamObject):
        state = annot.get("/AS")
        ref = normal.get(state) if state is not None else None
        normal = ref.get_object() if ref is not None else None
    if not isinstance(normal, StreamObject) or "/BBox" not in normal:
        return None
    if "/Resources" not in normal and default_resources is not None:
        normal[NameObject("/Resources")] = default_resources  # (in memory: fields may rely on /DR)
    matrix = tuple(num(x) for x in normal.get("/Matrix", [1, 0, 0, 1, 0, 0]))
    bx0, by0, bx1, by1 = box_of(matrix, *(num(x) for x in normal["/BBox"]))
    rx0, ry0, rx1, ry1 = (num(x) for x in annot["/Rect"])
    rx0, rx1, ry0, ry1 = min(rx0, rx1), max(rx0, rx1), min(ry0, ry1), max(ry0, ry1)
    if bx1 - bx0 <= 0 or by1 - by0 <= 0:
        return None
    sx, sy = (rx1 - rx0) / (bx1 - bx0), (ry1 - ry0) / (by1 - by0)
    return ref, (sx, 0.0, 0.0, sy, rx0 - bx0 * sx, ry0 - by0 * sy)


class PdfFormat:
    name = "pdf"
    suffixes = (".pdf",)

    def __init__(self):
        self._accepted: dict[str, list[str]] = {}
        self._ocr: dict[str, tuple] = {}  # written path -> (OCR settings, 0-based pages to re-OCR)

    # --------------------------------------------------------------------------------------- read
    def read(self, path: Path) -> Parsed:
        reader = _open(Path(path))
        interp = Interpreter(reader)
        pages: list[Page] = []
        dropped: list[str] = []
        links: dict[int, list] = {}
        try:
            targets = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages) if p.indirect_reference}
            form = reader.trailer["/Root"].get_object().get("/AcroForm")
            form = form.get_object() if form is not None else None
            default_resources = form.get("/DR") if hasattr(form, "get") else None
            for i, page in enumerate(reader.pages):
                for key, what in _PAGE_DROPPED.items():
                    if key in page:
                        dropped.append(f"{what} page {i + 1}")
                links[i], draws = _annotations(targets, page, i, dropped, default_resources)
                pages.append(interp.run_page(i, page, draws))
            root = reader.trailer["/Root"].get_object()
        except BadInput:
            raise
        except Exception as exc:
            raise BadInput(f"{path}: corrupt or unsupported PDF ({type(exc).__name__}: {exc})") from None
        if reader.trailer.get("/Info") is not None:
            dropped.insert(0, "document info")
        dropped[:0] = [what for key, what in _CATALOG_DROPPED.items() if key in root]

        pieces: list[str] = []
        char_glyph: list[int | None] = []
        glyphs: list[Glyph] = []
        from ... import ocr as _ocr

        scans = [p.index for p in pages if not any(g.text for g in p.glyphs) and p.has_images]
        ocr = None
        if scans and _ocr.current().mode != "never":
            from ...ocr.pdfpages import PdfOcr

            ocr = PdfOcr.read(str(path), scans)

        def put(s: str, glyph: int | None):
            pieces.append(s)
            char_glyph.extend([glyph] * len(s))

        unreadable: list[Unreadable] = []
        attached: dict[int, list[int]] = {}  # glyph -> glyphs left out of the text, removed with it
        for p in pages:
            base = len(glyphs)
            drawn = [g for g in p.glyphs if g.text]
            glyphs.extend(drawn)
            page_pieces, page_attached = page_text(drawn)
            for text, k in page_pieces:
                put(text, None if k is None else base + k)
            for k, more in page_attached.items():
                attached[base + k] = [base + m for m in more]
            if ocr is not None and p.index in ocr.pages:
                ocr.place(p.index, len(char_glyph))
                put(ocr.text(p.index), None)
            put("\n\n", None)
            reasons = list(dict.fromkeys(p.problems))
            if not any(g.text for g in p.glyphs) and p.has_images:
                if ocr is not None and p.index in ocr.unreadable:
                    reasons.insert(0, ocr.unreadable[p.index])
                elif ocr is None or p.index not in ocr.pages:
                    reasons.insert(0, "no text layer (image only: a scan?)")
            elif p.image_share > IMAGE_SHARE:
                reasons.append(f"an image covers {p.image_share:.0%} of the page (it may hold text)")
            elif p.image_boxes:  # small pictures on a text page: a signature line, a stamp (see ocr.regions)
                from ...ocr.regions import image_text_problems

                crop = tuple(float(x) for x in reader.pages[p.index].cropbox)
                reasons.extend(image_text_problems(str(path), p.index, p.image_boxes, crop))
            for reason in reasons[:5]:
                unreadable.append(Unreadable(f"page {p.index + 1}", reason, page=p.index + 1))
        state = State(reader, interp, pages, glyphs, char_glyph, attached, dropped, links, str(path), ocr)
        info = {"pages": len(pages)}
        if ocr is not None:
            info["ocr"] = ocr.describe()
        bad = sorted({u.page for u in unreadable})
        if bad:
            info["unreadable_pages"] = bad
        return Parsed("".join(pieces), self.name, state=state, unreadable=unreadable, info=info)

    # -------------------------------------------------------------------------------------- write
    def write(self, parsed: Parsed, spans, dest: Path, options: WriteOptions) -> WriteResult:
        from ...verify import Needles

        state: State = parsed.state
        bad = unreadable_pages(parsed)
        if bad and not (options.flatten or options.accept_unreadable):
            raise BadInput(f"{state.path}: pages {', '.join(map(str, bad))} cannot be read reliably "
                           f"({parsed.unreadable[0].reason}); use --flatten or --accept-unreadable")
        glyphs, char_glyph = state.glyphs, state.char_glyph
        removals: dict = defaultdict(lambda: defaultdict(list))
        removed_keys: set = set()
        details: list[dict] = []
        boxes: dict[int, list] = defaultdict(list)  # page -> [(x0, y0, x1, y1)]
        labels: dict[int, list] = defaultdict(list)  # page -> [(rect, text)]
        for s in spans:
            ids = {char_glyph[i] for i in range(s.start, min(s.end, len(char_glyph))) if char_glyph[i] is not None}
            ids = sorted(ids.union(*(state.attached.get(i, ()) for i in ids)))  # + hyphens of broken words
            lines: list[list] = []
            for i in ids:
                g = glyphs[i]
                if g.key not in removed_keys:
                    removed_keys.add(g.key)
                    removals[g.stream][g.op].append((g.item, g.start, g.end, g.adjust))
                for line in lines:
                    if line[0] == g.page and abs(line[1] - g.baseline[1]) <= 0.5 * max(g.size, 1):
                        b = line[2]
                        line[2] = (min(b[0], g.bbox[0]), min(b[1], g.bbox[1]), max(b[2], g.bbox[2]),
                                   max(b[3], g.bbox[3]))
                        break
                else:
                    lines.append([g.page, g.baseline[1], g.bbox])
            if not lines:
                details.append({"page": None, "bbox": None})
                continue
            rects = [line[2] for line in lines]
            details.append({"page": lines[0][0] + 1,
                            "bbox": [round(min(r[0] for r in rects), 2), round(min(r[1] for r in rects), 2),
                                     round(max(r[2] for r in rects), 2), round(max(r[3] for r in rects), 2)]})
            if not options.operator.same_length:
                page, _, rect = max(lines, key=lambda line: line[2][2] - line[2][0])
                labels[page].append((rect, options.operator.replace(parsed.text[s.start:s.end], s.label)))
        # a box wherever a removed glyph is drawn (a shared form removes it on every page drawing it)
        for p in state.pages:
            for g in p.glyphs:
                if g.key in removed_keys:
                    boxes[p.index].append(g.bbox)
        touched = sorted({p for p in boxes} | {i for key in removals for i in state.interp.streams[key].pages})

        flatten = set(u - 1 for u in bad) if options.flatten else set()
        images = {}
        if flatten:  # first pass: the redacted pages unrotated, rendered by pdfium
            scratch = self._build(state, removals, boxes, labels, rotate=False)
            images = _render(scratch, flatten)
        ocr_info = None
        text_layers: dict = {}
        if state.ocr is not None and state.ocr.pages:  # scanned pages: their redacted images replace them
            ocr_images, ocr_details, redacted = state.ocr.images(parsed.text, spans, options.operator)
            ocr_images = {i: im for i, im in ocr_images.items() if i not in flatten}
            images.update(ocr_images)
            for d, extra in zip(details, ocr_details):
                if extra:
                    d.update(extra)
            touched = sorted(set(touched) | {i for i, n in redacted.items() if n})
            ocr_info = state.ocr.describe(redacted)
            self._ocr[str(dest)] = (state.ocr.settings, sorted(ocr_images))
            if state.ocr.settings.text_layer:  # invisible kept words, never a removed one
                from ...ocr.pdfpages import text_layer_ops

                for i in ocr_images:
                    crop = state.reader.pages[i].cropbox
                    ops = text_layer_ops(state.ocr, i, parsed.text, spans,
                                         (float(crop.left), float(crop.bottom), float(crop.right), float(crop.top)),
                                         _rebuild.LABEL_FONT, _rebuild.helvetica_width)
                    if ops:
                        text_layers[i] = (ops, {"/Font": {_rebuild.LABEL_FONT: _rebuild.label_font()}})
                ocr_info["text_layer_pages"] = sorted(i + 1 for i in text_layers)
        builder = self._build(state, removals, boxes, labels, images=images, text_layers=text_layers)
        needles = Needles.for_redaction(parsed.text, spans)
        outline_count = _outline(state.reader, builder.writer, needles)
        buf = io.BytesIO()
        builder.writer.write(buf)
        Path(dest).write_bytes(buf.getvalue())

        dropped = list(state.dropped)
        for key, n in sorted(builder.stripped.items()):
            dropped.append(f"marked-content {key} ({n})")
        if builder.scrubbed:
            dropped.append(f"text in soft masks / tiling patterns ({builder.scrubbed} operators)")
        if flatten:
            dropped.append(f"text layer of pages {', '.join(str(i + 1) for i in sorted(flatten))} (flattened)")
        if ocr_info is not None:
            dropped.append(f"original images of the OCR'd pages {', '.join(str(p['page']) for p in ocr_info['pages'])} "
                           f"(replaced by their redacted renderings)")
        accepted = [f"page {n}" for n in bad if n - 1 not in flatten]
        self._accepted[str(dest)] = accepted
        return WriteResult(span_details=details, touched=[p + 1 for p in touched], dropped=dropped,
                           info={"pages": len(state.pages), "flattened_pages": sorted(i + 1 for i in flatten),
                                 "unverified_pages": [int(a.split()[1]) for a in accepted],
                                 "outline_items": outline_count,
                                 **({"ocr": ocr_info} if ocr_info is not None else {})})

    def _build(self, state: State, removals, boxes, labels, rotate: bool = True, images=None, text_layers=None):
        from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NullObject, NumberObject

        builder = _rebuild.Builder(state.interp, removals)
        new_pages = []
        for p in state.pages:
            src = state.reader.pages[p.index]
            image = (images or {}).get(p.index)
            ops, extra = _box_ops(boxes.get(p.index, []), labels.get(p.index, []))
            if image is not None:  # the boxes are in the image; an OCR'd page may get its text layer
                ops, extra = (text_layers or {}).get(p.index, ([], {}))
            new_pages.append(builder.page(p.index, src, ops, extra, rotate=rotate, image=image))
        for index, page in enumerate(new_pages):
            annots = ArrayObject()
            if images and index in images:
                continue
            for rect, target, fit in state.links.get(index, []):
                dest = ArrayObject([new_pages[target].indirect_reference])
                if fit and isinstance(fit[0], str) and all(_plain(x) for x in fit[1:]):
                    dest += [NameObject(str(fit[0]))] + [NullObject() if _plain(x) == "null" else FloatObject(float(x))
                                                         for x in fit[1:]]
                else:
                    dest.append(NameObject("/Fit"))
                annot = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                                          NameObject("/Subtype"): NameObject("/Link"),
                                          NameObject("/Rect"): ArrayObject(FloatObject(x) for x in rect),
                                          NameObject("/Border"): ArrayObject([NumberObject(0)] * 3),
                                          NameObject("/Dest"): dest})
                annots.append(builder.writer._add_object(annot))
            if annots:
                page[NameObject("/Annots")] = annots
        return builder

    # ------------------------------------------------------------------------------------- verify
    def verify(self, dest: Path, needles) -> Verification:
        result = _verify.check(Path(dest), needles, self._accepted.pop(str(dest), []))
        settings, ocr_pages = self._ocr.pop(str(dest), (None, []))
        if ocr_pages and needles:  # scanned pages: rendered again by pdfium and read by a fresh OCR pass
            from ...ocr.pdfpages import verify_pdf_pages

            hits, checked = verify_pdf_pages(str(dest), ocr_pages, needles, settings)
            result.hits += hits
            result.reader += f" + re-OCR of {checked} scanned page(s)"
        return result


def _plain(x):
    """A destination parameter: "null", a number (truthy marker), or None when it is anything else."""
    from pypdf.generic import NullObject

    if x is None or isinstance(x, NullObject):
        return "null"
    return "number" if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def _box_ops(rects, labels):
    """Opaque black boxes over removed glyphs, and replacement text (white Helvetica, fitted) in them."""
    from pypdf.generic import ByteStringObject, FloatObject, NameObject

    if not rects and not labels:
        return [], {}
    f = lambda x: FloatObject(round(x, 3))  # noqa: E731
    ops = [([], b"q"), ([f(0), f(0), f(0)], b"rg")]
    for x0, y0, x1, y1 in rects:
        ops += [([f(x0 - 0.3), f(y0), f(x1 - x0 + 0.6), f(y1 - y0)], b"re"), ([], b"f")]
    extra = {}
    if labels:
        extra = {"/Font": {_rebuild.LABEL_FONT: _rebuild.label_font()}}
        ops += [([f(1), f(1), f(1)], b"rg")]
        for (x0, y0, x1, y1), text in labels:
            width, height = x1 - x0, y1 - y0
            size = min(height * 0.8, width / max(_rebuild.helvetica_width(text), 0.01))
            if size < 1:
                continue
            tx = x0 + (width - _rebuild.helvetica_width(text) * size) / 2
            ty = y0 + (height - size * 0.72) / 2
            data = text.encode("cp1252", "replace")
            ops += [([], b"BT"), ([NameObject(_rebuild.LABEL_FONT), f(size)], b"Tf"), ([f(tx), f(ty)], b"Td"),
                    ([ByteStringObject(data)], b"Tj"), ([], b"ET")]
    ops.append(([], b"Q"))
    return ops, extra


def _render(builder, pages: set[int]) -> dict:
    """Render ``pages`` of a built (unrotated) file with pdfium: the flattened images."""
    import pypdfium2 as pdfium

    buf = io.BytesIO()
    builder.writer.write(buf)
    doc = pdfium.PdfDocument(buf.getvalue())
    out = {}
    try:
        for i in sorted(pages):
            page = doc[i]
            out[i] = page.render(scale=FLATTEN_DPI / 72, may_draw_forms=False).to_pil()
            page.close()
    finally:
        doc.close()
    return out


def _outline(reader, writer, needles) -> int:
    """Bookmarks rebuilt from their titles, every needle word masked; their targets are the new pages."""
    import re

    from ...operators import MASK_CHAR
    from ...verify import normalise

    words = {w for n in needles.strings for w in re.findall(r"\w+", n)}

    def mask(title: str) -> str:
        masked = re.sub(r"\w+", lambda m: MASK_CHAR * len(m.group()) if normalise(m.group()) in words
                        else m.group(), title)
        low = normalise(masked)
        return MASK_CHAR * 3 if any(n in low for n in needles.strings) else masked

    count = 0

    def walk(items, parent):
        nonlocal count
        last = None
        for item in items:
            if isinstance(item, list):
                if last is not None:
                    walk(item, last)
                continue
            try:
                number = reader.get_destination_page_number(item)
            except Exception:
                number = None
            last = writer.add_outline_item(title=mask(str(item.title or "")), page_number=number, parent=parent)
            count += 1

    try:
        walk(reader.outline, None)
    except Exception:
        pass
    return count


FORMAT = PdfFormat()
