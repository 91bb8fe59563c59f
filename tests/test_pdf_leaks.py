"""PDF leak tests on the format contract (read → write → verify), each output checked by readers that
are not redact's: poppler's pdftotext, pdfium (pypdfium2) and a raw scan of every inflated stream.
Fixtures come from real producers (tests/pdf_fixtures.py); a test is skipped only when its tool is
missing."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib

import pytest

import pdf_fixtures as fx
from redact.errors import BadInput
from redact.formats.base import WriteOptions
from redact.formats.pdf import FORMAT, unreadable_pages
from redact.operators import apply, get_operator
from redact.spans import Span
from redact.verify import Needles

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


# ------------------------------------------------------------------------------------------ helpers
def find_spans(text: str, names: list[str]) -> list[Span]:
    """Every occurrence of each name, and of each of its words of ≥ 4 characters (as propagation does)."""
    words = sorted({w for n in names for w in n.split() if len(w) >= 4}, key=len, reverse=True)
    alts = sorted(names, key=len, reverse=True) + words
    pattern = "|".join(re.escape(a) for a in alts)
    return [Span(m.start(), m.end(), "PERSON") for m in re.finditer(rf"(?<!\w)(?:{pattern})(?!\w)", text)]


def redact(src, names, out, style="mask", spans=None, **flags):
    parsed = FORMAT.read(src)
    spans = find_spans(parsed.text, names) if spans is None else spans
    result = FORMAT.write(parsed, spans, out, WriteOptions(get_operator(style), **flags))
    needles = Needles.build(parsed.text, spans, apply(parsed.text, spans, "mask"))
    return parsed, spans, result, FORMAT.verify(out, needles)


def pdftotext(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdfium_text(path) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def mutool_text(path) -> str:
    return subprocess.run(["mutool", "draw", "-q", "-F", "txt", "-o", "-", str(path)], capture_output=True,
                          text=True, check=True).stdout


def render(path, page=0, scale=1.0):
    import numpy as np
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    image = doc[page].render(scale=scale, draw_annots=False, may_draw_forms=False).to_pil().convert("L")
    return np.asarray(image, dtype=np.int16)


def assert_render_kept(src, out, details, scale=1.0):
    """Rendered pages are the same outside the redaction boxes (the visible layout of kept text)."""
    import numpy as np
    from pypdf import PdfReader

    reader = PdfReader(str(src))
    for index, page in enumerate(reader.pages):
        a, b = render(src, index, scale), render(out, index, scale)
        assert a.shape == b.shape
        keep = np.ones(a.shape, dtype=bool)
        crop = page.cropbox
        for d in details:
            if d["page"] != index + 1 or not d["bbox"]:
                continue
            x0, y0, x1, y1 = d["bbox"]
            c0, c1 = int((x0 - float(crop.left)) * scale) - 2, int((x1 - float(crop.left)) * scale) + 3
            r0, r1 = int((float(crop.top) - y1) * scale) - 2, int((float(crop.top) - y0) * scale) + 3
            keep[max(r0, 0):max(r1, 0), max(c0, 0):max(c1, 0)] = False
        differs = (np.abs(a - b) > 64) & keep
        assert differs.mean() < 0.0005, (index, differs.sum())


def raw_streams(path) -> str:
    """The file's bytes and every stream inflated, under latin-1, UTF-8 and UTF-16 (both alignments)."""
    data = path.read_bytes()
    chunks = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            chunks.append(zlib.decompressobj().decompress(m.group(1)))
        except zlib.error:
            pass
    out = []
    for c in chunks:
        out += [c.decode("latin-1"), c.decode("utf-8", "ignore"), c.decode("utf-16-be", "ignore"),
                c[1:].decode("utf-16-be", "ignore")]
    return "\n".join(out)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).casefold()


def forbidden(names: list[str]) -> set[str]:
    return {n for n in names} | {w for n in names for w in n.split() if len(w) >= 4}


def assert_clean(src, out, names, kept, text_readers=True):
    """No removed string nor its ≥ 4-character words in any reader; kept words still there; same pages."""
    from pypdf import PdfReader

    readers = [("pdfium", pdfium_text)] + ([("pdftotext", pdftotext)] if shutil.which("pdftotext") else []) \
        + ([("mutool", mutool_text)] if shutil.which("mutool") else [])
    for label, extract in readers if text_readers else []:
        text = squeeze(extract(out))
        for word in forbidden(names):
            assert word.casefold() not in text, (label, word)
        for word in kept:
            assert word.casefold() in text, (label, word)
    raw = raw_streams(out).casefold()
    for word in forbidden(names):
        assert word.casefold() not in raw, ("raw stream scan", word)
    a, b = PdfReader(str(src)), PdfReader(str(out))
    assert len(a.pages) == len(b.pages)
    for pa, pb in zip(a.pages, b.pages):
        assert [round(float(x), 2) for x in pa.mediabox] == [round(float(x), 2) for x in pb.mediabox]
        assert [round(float(x), 2) for x in pa.cropbox] == [round(float(x), 2) for x in pb.cropbox]
        assert int(pa.get("/Rotate", 0)) % 360 == int(pb.get("/Rotate", 0)) % 360


def word_boxes(path) -> dict[str, tuple]:
    """First position of every word, from pdftotext -bbox (poppler)."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    boxes: dict[str, tuple] = {}
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                         html):
        boxes.setdefault(m.group(5), tuple(float(x) for x in m.group(1, 2, 3, 4)))
    return boxes


def assert_layout_kept(src, out, kept):
    before, after = word_boxes(src), word_boxes(out)
    for word in kept:
        hits = [k for k in before if word in k]
        assert hits, word
        assert all(abs(x - y) < 0.6 for x, y in zip(before[hits[0]], after[hits[0]])), (word, before[hits[0]],
                                                                                          after.get(hits[0]))


# ------------------------------------------------------------------------------------------ producers
PRODUCERS = {
    "reportlab": (None, lambda p: fx.reportlab_ttf(p)),
    "fpdf2": (None, lambda p: fx.fpdf2(p)),
    "libreoffice": ("soffice", lambda p: fx.libreoffice(p)),
    "chromium": ("chromium", lambda p: fx.chromium(p)),
    "ghostscript": ("gs", lambda p: (fx.libreoffice(p.with_name("lo.pdf")), fx.ghostscript(p, p.with_name("lo.pdf")))),
    "cairo": ("pdftocairo", lambda p: (fx.fpdf2(p.with_name("fp.pdf")), fx.cairo(p, p.with_name("fp.pdf")))),
    "cid-mixed-code-lengths": (None, lambda p: (fx.fpdf2(p.with_name("fp.pdf")),
                                                fx.cid_mixed_code_lengths(p, p.with_name("fp.pdf")))),
}


@needs_poppler
@pytest.mark.parametrize("producer", sorted(PRODUCERS))
def test_producer_redaction_leaves_nothing(tmp_path, producer):
    tool, build = PRODUCERS[producer]
    if tool and not fx.which(tool, *(("libreoffice",) if tool == "soffice" else ("chromium-browser",))):
        pytest.skip(f"needs {tool}")
    if producer == "ghostscript" and not fx.which("soffice", "libreoffice"):
        pytest.skip("needs soffice (the file Ghostscript re-distils)")
    src = tmp_path / "case.pdf"
    build(src)
    before = squeeze(pdftotext(src))
    assert all(n.casefold() in before for n in fx.NAMES)  # the fixture really holds them
    out = tmp_path / "case.out.pdf"
    parsed, spans, result, verification = redact(src, fx.NAMES, out)
    assert not parsed.unreadable, parsed.unreadable
    assert verification.ok, verification.hits
    assert verification.checked == parsed.info["pages"]
    assert_clean(src, out, fx.NAMES, fx.KEPT)
    assert_layout_kept(src, out, fx.KEPT)
    assert_render_kept(src, out, result.span_details)
    assert len(result.span_details) == len(spans)
    assert all(d["page"] >= 1 and len(d["bbox"]) == 4 for d in result.span_details)
    assert b"mailto:" not in out.read_bytes() and b"/URI" not in out.read_bytes()


def test_reportlab_outline_masked_and_annotations_dropped(tmp_path):
    from pypdf import PdfReader

    src, out = tmp_path / "rl.pdf", tmp_path / "rl.out.pdf"
    fx.reportlab_ttf(src)
    _, _, result, verification = redact(src, fx.NAMES, out)
    assert verification.ok, verification.hits
    titles = [item.title for item in PdfReader(str(out)).outline]
    assert titles and titles[0].startswith("Notes by ") and "Łukasiewicz" not in titles[0]
    assert "annotation /Text page 1" in result.dropped and "document info" in result.dropped
    reader = PdfReader(str(out))
    assert "/Annots" not in reader.pages[0] and not reader.metadata


def test_ghostscript_redistilled_subset_without_unicode_fails_closed(tmp_path):
    if not fx.which("gs"):
        pytest.skip("needs gs (Ghostscript)")
    rl, src = tmp_path / "rl.pdf", tmp_path / "gs.pdf"
    fx.reportlab_ttf(rl)
    fx.ghostscript(src, rl)
    parsed = FORMAT.read(src)
    # Ghostscript re-encodes the non-ASCII glyphs of reportlab's subset without a Unicode map: the
    # names cannot be found, so the file must not pass as redacted
    if parsed.unreadable:
        assert "Unicode" in parsed.unreadable[0].reason
        with pytest.raises(BadInput, match="gs.pdf"):
            FORMAT.write(parsed, [], tmp_path / "o.pdf", WriteOptions(get_operator("mask")))
    else:  # a Ghostscript that keeps the map: then it must redact cleanly
        _, _, _, verification = redact(src, fx.NAMES, tmp_path / "o.pdf")
        assert verification.ok


# ------------------------------------------------------------------------------------------ hiding places
@needs_poppler
def test_every_hiding_place_is_removed_or_dropped(tmp_path):
    from pypdf import PdfReader

    src, out = tmp_path / "hide.pdf", tmp_path / "hide.out.pdf"
    fx.every_hiding_place(src)
    before = squeeze(pdftotext(src)) + squeeze(src.read_bytes().decode("latin-1"))
    assert all(n.casefold() in before for n in fx.HIDDEN)
    parsed, spans, result, verification = redact(src, fx.HIDDEN, out)
    assert not parsed.unreadable
    assert verification.ok, verification.hits
    assert_clean(src, out, fx.HIDDEN, fx.HIDDEN_KEPT)
    assert_layout_kept(src, out, ["applicant", "Second", "quoted", "spaced", "kerned"])  # (the source shows ActualText for "Witness")
    data = out.read_bytes()
    for key in (b"/JavaScript", b"/JS", b"/AA", b"/OpenAction", b"/EmbeddedFile", b"/AcroForm", b"/Metadata",
                b"/StructTreeRoot", b"/ActualText", b"/Popup", b"/Widget", b"/FileAttachment", b"/URI", b"/Info"):
        assert key not in data, key
    assert b"ASCII85" not in data
    assert "hidden" not in raw_streams(out).casefold()  # the form no page draws is not carried
    for what in ("AcroForm", "XMP metadata", "structure tree", "OpenAction", "document info",
                 "annotation /Popup page 1", "annotation /FileAttachment page 1", "annotation /Text page 1",
                 "annotation /Link (URI action) page 1", "annotation /Link (Launch action) page 1",
                 "annotation /Link (GoToR action) page 1", "page actions (/AA) page 1",
                 "annotation /Widget page 1 (appearance flattened into the page)"):
        assert what in result.dropped, what
    # the widget's appearance (the name as a hex string) was drawn into the page, read and redacted
    assert "Anna Griffith" in parsed.text.split("Deep: Zofia Nowak signed")[1].split("Second page")[0]
    assert any("/ActualText" in d for d in result.dropped)
    assert any("soft masks" in d for d in result.dropped)
    reader = PdfReader(str(out))
    # the internal link survives and points at the new page 2; the outline title is masked
    links = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert len(links) == 2  # the two internal ones (/Dest and /GoTo); URI, Launch, GoToR are dropped
    for link in links:
        assert link["/Subtype"] == "/Link" and link["/Dest"][0].get_object() == reader.pages[1].get_object()
        assert set(link) == {"/Type", "/Subtype", "/Rect", "/Border", "/Dest"}
    assert links[1]["/Dest"][1] == "/XYZ" and [float(x) for x in links[1]["/Dest"][2:]] == [0, 800, 0]
    assert [i.title for i in reader.outline] == ["Notes by ████ ████████"]
    assert result.touched == [1, 2]


@needs_poppler
def test_shared_form_is_rewritten_once_with_the_union_of_removals(tmp_path):
    src, out = tmp_path / "hide.pdf", tmp_path / "hide.out.pdf"
    fx.every_hiding_place(src)
    parsed = FORMAT.read(src)
    first = parsed.text.index("Jan Kowalski")  # only the occurrence drawn on page 1
    spans = [Span(first, first + len("Jan Kowalski"), "PERSON")]
    redact(src, [], out, spans=spans)
    pages = [squeeze(p) for p in pdftotext(out).split("\f")]
    assert "kowalski" not in pages[0] and "counsel jan kowalski" not in pages[1]  # page 2 draws the same form
    assert "footer: counsel" in pages[1] and "jan kowalski kerned" in pages[1]  # page 2's own text is kept
    # the form is stored once
    # stored once each: the shared form, three nested, the soft mask group, the widget appearance
    assert len(re.findall(rb"/Subtype\s*/Form", out.read_bytes())) == 6


@needs_poppler
@pytest.mark.parametrize("style,expected", [("label", "[PERSON]"), ("pseudonym", "[PERSON_1]")])
def test_label_and_pseudonym_are_drawn_in_the_box(tmp_path, style, expected):
    src, out = tmp_path / "fp.pdf", tmp_path / "fp.out.pdf"
    fx.fpdf2(src)
    _, _, _, verification = redact(src, fx.NAMES, out, style=style)
    assert verification.ok, verification.hits
    text = pdftotext(out)
    assert expected in text and expected in pdfium_text(out)
    assert_clean(src, out, fx.NAMES, fx.KEPT)


# ------------------------------------------------------------------------------------------ fail closed
UNREADABLE = {
    "font without ToUnicode": (lambda p: (fx.fpdf2(p.with_name("s.pdf")), fx.without_tounicode(p, p.with_name("s.pdf"))),
                               "Unicode"),
    "Type3 glyphs without names": (fx.type3_unnamed, "Unicode"),
    "text in a tiling pattern": (fx.tiling_pattern_text, "tiling pattern"),
    "image and text page": (fx.image_and_text, "image covers"),
    "scan": (lambda p: __import__("documents").pdf_scanned(p), "no text layer"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_unreadable_pages_fail_closed(tmp_path, case):
    build, reason = UNREADABLE[case]
    src = tmp_path / "in.pdf"
    build(src)
    parsed = FORMAT.read(src)
    assert parsed.unreadable and reason in parsed.unreadable[0].reason, parsed.unreadable
    assert unreadable_pages(parsed) == [1] and parsed.info["unreadable_pages"] == [1]
    with pytest.raises(BadInput, match=r"in\.pdf.*page"):
        FORMAT.write(parsed, [], tmp_path / "o.pdf", WriteOptions(get_operator("mask")))


@pytest.mark.parametrize("case", ["font without ToUnicode", "image and text page", "text in a tiling pattern"])
def test_flatten_rasterizes_unreadable_pages(tmp_path, case):
    from pypdf import PdfReader

    build, _ = UNREADABLE[case]
    src, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    build(src)
    parsed, spans, result, verification = redact(src, fx.HIDDEN, out, flatten=True)
    assert verification.ok and not verification.unverified, verification.hits
    assert result.info["flattened_pages"] == [1]
    assert pdfium_text(out).strip() == ""
    if shutil.which("pdftotext"):
        assert pdftotext(out).strip() == ""
    page = PdfReader(str(out)).pages[0]
    assert "/Font" not in page["/Resources"] and list(page.images)
    assert_clean(src, out, fx.HIDDEN, [])


def test_accept_unreadable_is_reported_unverified(tmp_path):
    build, _ = UNREADABLE["font without ToUnicode"]
    src, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    build(src)
    _, _, result, verification = redact(src, fx.NAMES, out, accept_unreadable=True)
    assert verification.unverified == ["page 1"] and result.info["unverified_pages"] == [1]


# ------------------------------------------------------------------------------------------ the verifier
def test_verify_reports_a_name_left_in(tmp_path):
    from pypdf import PdfReader, PdfWriter

    src = tmp_path / "hide.pdf"
    fx.every_hiding_place(src)
    parsed = FORMAT.read(src)
    spans = find_spans(parsed.text, fx.HIDDEN)
    needles = Needles.build(parsed.text, spans, apply(parsed.text, spans, "mask"))
    copy = tmp_path / "copy.pdf"
    shutil.copy(src, copy)  # a "writer" that forgot everything
    hits = FORMAT.verify(copy, needles).hits
    assert any("pdfium text" in h for h in hits) and any("object" in h for h in hits)
    # a clean output with only the metadata put back is caught by the raw scan
    out = tmp_path / "out.pdf"
    FORMAT.write(parsed, spans, out, WriteOptions(get_operator("mask")))
    assert FORMAT.verify(out, needles).ok
    w = PdfWriter(clone_from=PdfReader(str(out)))
    w.add_metadata({"/Author": "Zofia Nowak"})
    w.write(str(out))
    hits = FORMAT.verify(out, needles).hits
    assert hits and all("pdfium" not in h for h in hits)


# ------------------------------------------------------------------------------------------ encryption
def test_encrypted_pdfs(tmp_path):
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / "plain.pdf"
    fx.fpdf2(plain)
    open_one, locked = tmp_path / "aes.pdf", tmp_path / "locked.pdf"
    w = PdfWriter(clone_from=PdfReader(str(plain)))
    w.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    w.write(str(open_one))
    w = PdfWriter(clone_from=PdfReader(str(plain)))
    w.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    w.write(str(locked))
    _, _, _, verification = redact(open_one, fx.NAMES, tmp_path / "o.pdf")
    assert verification.ok
    assert_clean(plain, tmp_path / "o.pdf", fx.NAMES, fx.KEPT)
    with pytest.raises(BadInput) as err:
        FORMAT.read(locked)
    assert "locked.pdf" in str(err.value) and "encrypted" in str(err.value) and "\n" not in str(err.value)


def test_flatten_keeps_rotation_and_looks_the_same(tmp_path):
    """A rotated, cropped page with an unreadable font, flattened: same boxes, same picture."""
    import numpy as np
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, FloatObject, NameObject, NumberObject

    fx.fpdf2(tmp_path / "s.pdf")
    fx.without_tounicode(tmp_path / "n.pdf", tmp_path / "s.pdf")
    w = PdfWriter(clone_from=PdfReader(str(tmp_path / "n.pdf")))
    w.pages[0][NameObject("/Rotate")] = NumberObject(90)
    w.pages[0][NameObject("/CropBox")] = ArrayObject(FloatObject(x) for x in (10, 20, 580, 830))
    src, out = tmp_path / "rot.pdf", tmp_path / "out.pdf"
    w.write(str(src))
    _, _, result, verification = redact(src, [], out, flatten=True)
    assert verification.ok and result.info["flattened_pages"] == [1]
    assert pdfium_text(out).strip() == ""
    assert_clean(src, out, [], [], text_readers=False)
    a, b = render(src), render(out)
    assert a.shape == b.shape
    assert (np.abs(a - b) > 96).mean() < 0.01  # the same picture, give or take resampling


def test_standard_font_text_is_readable_and_redacted(tmp_path):
    """reportlab's Helvetica (WinAnsi, no embedded font, no /Widths): punctuation, Latin-1 names, no
    over-refusal; the shipped samples read without unreadable pages."""
    from documents import pdf_reportlab

    from conftest import ROOT

    names = ["Bjørn Ødegård", "Åse Müller-Lüdenscheidt"]
    src, out = tmp_path / "helv.pdf", tmp_path / "helv.out.pdf"
    pdf_reportlab(src, ["The application (no. 27961/02) by Bjørn Ødegård — «the applicant» — cost €5; "
                        "Åse Müller-Lüdenscheidt & Co. [observations] {hearing} 100% #1 @Registry."] * 3,
                  title="Case of Bjørn Ødegård", outline="Bjørn Ødegård v. Norway")
    parsed, _, result, verification = redact(src, names, out)
    assert not parsed.unreadable and "(no. 27961/02)" in parsed.text
    assert verification.ok, verification.hits
    assert_clean(src, out, names, ["application", "27961/02", "observations", "hearing", "Registry"])
    if shutil.which("pdftotext"):
        assert_layout_kept(src, out, ["application", "observations", "Registry"])
    assert_render_kept(src, out, result.span_details)
    for sample in sorted((ROOT / "samples").glob("*.pdf")):
        assert not FORMAT.read(sample).unreadable, sample.name


def test_ocr_scan_fails_closed_and_flatten_burns_the_boxes_into_the_image(tmp_path):
    """An OCR'd scan (image + invisible text): never passed as redacted as it is; flattened, the boxes
    over the OCR words are burned into the page image itself."""
    import numpy as np

    src, out = tmp_path / "ocr.pdf", tmp_path / "ocr.out.pdf"
    fx.ocr_scan(src)
    parsed = FORMAT.read(src)
    assert "Anna Griffith" in parsed.text and "image covers" in parsed.unreadable[0].reason
    _, _, result, verification = redact(src, ["Anna Griffith"], out, flatten=True)
    assert verification.ok and pdfium_text(out).strip() == ""
    x0, y0, x1, y1 = result.span_details[0]["bbox"]
    pixels = render(out, 0, scale=2.0)[int((842 - y1) * 2) + 2:int((842 - y0) * 2) - 2, int(x0 * 2) + 2:int(x1 * 2) - 2]
    assert pixels.size and (pixels < 64).mean() > 0.95  # black, in the pixels of the only image
    before = render(src, 0, scale=2.0)[int((842 - y1) * 2) + 2:int((842 - y0) * 2) - 2, int(x0 * 2) + 2:int(x1 * 2) - 2]
    assert (before < 64).mean() < 0.5  # (it was the scanned name there: dark strokes on white)
    assert np.asarray(before).shape == pixels.shape


@needs_poppler
def test_ghostscript_postscript_with_embedded_cff_subsets(tmp_path):
    if not fx.which("gs"):
        pytest.skip("needs gs (Ghostscript)")
    names, kept = ["Jan Kowalski", "Zofia Nowak"], ["applicant", "Observations", "replied", "writing"]
    src, out = tmp_path / "ps.pdf", tmp_path / "ps.out.pdf"
    fx.ghostscript_postscript(src)
    parsed, _, result, verification = redact(src, names, out)
    assert not parsed.unreadable and verification.ok, verification.hits
    assert_clean(src, out, names, kept)
    assert_layout_kept(src, out, kept)
    assert_render_kept(src, out, result.span_details)


@pytest.mark.parametrize("content", [b"", b"not a pdf at all", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"])
def test_broken_pdf_is_one_clear_error(tmp_path, content):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(content)
    with pytest.raises(BadInput) as err:
        FORMAT.read(bad)
    assert "broken.pdf" in str(err.value) and "\n" not in str(err.value)


def test_type3_font_with_standard_glyph_names_is_read(tmp_path):
    src = tmp_path / "t3.pdf"
    fx.type3_unnamed(src, names=b"/A /n")
    parsed = FORMAT.read(src)
    assert not parsed.unreadable and "Kept applicant text.\nAn" in parsed.text


def test_raw_string_decoding_of_the_verifier():
    from redact.formats.pdf.verify import strings

    data = rb"<< /A (Bj\370rn \(x\) \\ \9 \8 tail) /B <FEFF0041> >> [(Ab) -3 (cd)] Tj (\101\102\103)(unterminated \\"
    assert strings(data).split(b"\n")[:5] == [b"Bj\xf8rn (x) \\ 9 8 tail", b"\xfe\xff\x00A", b"Ab", b"cd", b"ABC"]


def test_kept_occurrences_are_not_hits(tmp_path):
    """A needle the model kept elsewhere (its allowance) is counted once per place, not once per reading
    of the raw bytes: a clean file with a kept occurrence verifies."""
    from documents import pdf_reportlab

    src, out = tmp_path / "k.pdf", tmp_path / "k.out.pdf"
    pdf_reportlab(src, ["The widow received benefits; the widow's benefits were paid (octal \\\\ \\(escapes\\))."])
    parsed = FORMAT.read(src)
    first = parsed.text.index("benefits")
    spans = [Span(first, first + 8, "MISC")]  # the second "benefits" is kept by the model's decision
    FORMAT.write(parsed, spans, out, WriteOptions(get_operator("mask")))
    needles = Needles.build(parsed.text, spans, apply(parsed.text, spans, "mask"))
    assert needles.strings == {"benefits": 1}
    assert FORMAT.verify(out, needles).ok
