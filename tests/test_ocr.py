"""Scanned documents and images: OCR (orientation, skew, boxes), pixel redaction, verification by re-OCR.

Fixtures are made here: text rendered with Pillow (DejaVu Sans), turned slightly (±2°) or by 90°, with
noise, saved as PNG, JPEG or multi-page TIFF. The independent reader is a fresh ``tesseract`` process on
the written file (its own decoding, its own orientation detection), not our OCR code.
"""

import functools
import json
import math
import re
import shutil
import subprocess
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from conftest import run_cli
from tiny import rigged_bert

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None,
                                reason="needs Tesseract (apt-get install tesseract-ocr tesseract-ocr-eng)")

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FIRST, LAST = "Zorbington", "Quixwell"
NAMES = [FIRST, LAST]
BODY = ("The case originated in an application against the Republic of Turkey lodged with the Court under "
        "Article 34 of the Convention by a Turkish national, Mr Zorbington Quixwell, on 12 March 1996. "
        "The applicant was represented by a lawyer practising in Izmir. The Government did not appoint an "
        "Agent for the purposes of the proceedings before the Court. The applicant alleged that his "
        "detention had been unlawful and that Quixwell had no effective remedy.")


# -- fixtures ---------------------------------------------------------------------------------------------

def render(text: str, width: int = 1400, font_size: int = 30, angle: float = 0.0, noise: float = 0.0,
           seed: int = 0, margin: int = 70):
    """A grayscale 'scan' of ``text``: wrapped, rendered black on white, turned by ``angle`` degrees
    (counter-clockwise), with Gaussian noise of standard deviation ``noise``."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, font_size)
    per_line = int((width - 2 * margin) / (font_size * 0.56))
    lines = [l for para in text.split("\n") for l in (textwrap.wrap(para, per_line) or [""])]
    step = int(font_size * 1.6)
    im = Image.new("L", (width, 2 * margin + step * len(lines)), 255)
    draw = ImageDraw.Draw(im)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * step), line, font=font, fill=0)
    if angle:
        im = im.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    if noise:
        a = np.asarray(im, dtype=np.float32) + np.random.default_rng(seed).normal(0, noise, (im.height, im.width))
        im = Image.fromarray(a.clip(0, 255).astype(np.uint8))
    return im


def tesseract_words(path: Path) -> list[list[str]]:
    """The independent reader: a fresh Tesseract process on the file (psm 1: it detects orientation itself);
    words per page, junk (no letter or digit) dropped."""
    st = Path(path).stat()
    return _tesseract_words(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _tesseract_words(path: str, size: int, mtime: int) -> list[list[str]]:
    out = subprocess.run(["tesseract", str(path), "stdout", "--psm", "1", "tsv"], capture_output=True, text=True,
                         env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"}, check=True).stdout
    pages: dict[int, list[str]] = {}
    for row in out.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) == 12 and cols[0] == "5" and any(c.isalnum() for c in cols[11]):
            pages.setdefault(int(cols[1]) - 1, []).append(cols[11])
    return [pages.get(i, []) for i in range(max(pages, default=0) + 1)]


def norm(word: str) -> str:
    return re.sub(r"\W", "", word).casefold()


def readable(path: Path, needle: str) -> bool:
    return any(needle.casefold() in norm(w) for page in tesseract_words(path) for w in page)


def kept_recall(parsed, spans, out: Path) -> float:
    """Share of the input's OCR words not touched by a span that the independent reader finds in the output."""
    from redact.ocr import words_in_spans

    redacted = words_in_spans(parsed.state.segments, spans)
    kept = Counter(norm(w.text) for p, page in enumerate(parsed.state.pages) for i, w in enumerate(page.ocr.words)
                   if (p, i) not in redacted and norm(w.text))
    got = Counter(norm(w) for page in tesseract_words(out) for w in page)
    return sum((kept & got).values()) / max(1, sum(kept.values()))


def spans_for(text: str, words=NAMES):
    from redact.spans import Span

    return sorted((Span(m.start(), m.end(), "PERSON") for w in words for m in re.finditer(w, text)), key=lambda s: s.start)


def write_and_verify(parsed, spans, dest: Path, style: str = "mask"):
    from redact.formats.base import WriteOptions
    from redact.formats.image import FORMAT
    from redact.operators import apply, get_operator
    from redact.verify import Needles

    result = FORMAT.write(parsed, spans, dest, WriteOptions(get_operator(style)))
    needles = Needles.build(parsed.text, spans, apply(parsed.text, spans, "mask"))
    return result, FORMAT.verify(dest, needles)


@pytest.fixture(autouse=True)
def ocr_defaults():
    import redact.ocr

    redact.ocr.configure()
    yield
    redact.ocr.configure()


@pytest.fixture(scope="module")
def rigged(tmp_path_factory):
    return rigged_bert(tmp_path_factory.mktemp("rigged"), NAMES)


@pytest.fixture(scope="module")
def skewed_png(tmp_path_factory):
    path = tmp_path_factory.mktemp("scan") / "skewed.png"
    render(BODY, angle=1.7, noise=18, seed=1).save(path, dpi=(300, 300))
    return path


# -- geometry and text (no OCR) -------------------------------------------------------------------------

@pytest.mark.parametrize("angle", [0, 90, 180, 270, 1.7, -2.0, 93.5])
def test_boxes_map_back_onto_the_pixels_they_came_from(angle):
    """A box found on the turned image maps back to a box enclosing the same pixels of the original."""
    import numpy as np
    from PIL import Image

    from redact.ocr import Turn

    src = Image.new("L", (640, 480), 255)
    src.paste(0, (200, 120, 260, 150))  # the 'word'
    for scale in (1.0, 2.0):
        turn = Turn(src.size, scale, angle)
        seen = np.asarray(turn.apply(src))
        assert seen.shape == (turn.size[1], turn.size[0])
        ys, xs = np.nonzero(seen < 128)
        box = turn.back((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))
        assert box[0] <= 201 and box[1] <= 121 and box[2] >= 259 and box[3] >= 149, (angle, scale, box)
        slack = 4 + 62 * abs(math.sin(math.radians(angle))) * abs(math.cos(math.radians(angle)))
        assert box[0] >= 200 - slack and box[2] <= 260 + slack, (angle, scale, box)


def test_skew_estimate_levels_the_lines():
    from redact.ocr import estimate_skew

    for angle in (-2.0, 1.2, 0.0):
        assert abs(estimate_skew(render(BODY, angle=angle)) + angle) <= 0.25, angle


# -- the image format, called directly ---------------------------------------------------------------------

def test_skewed_noisy_png_names_unreadable_kept_words_readable(skewed_png, tmp_path):
    from redact.formats.image import FORMAT

    parsed = FORMAT.read(skewed_png)
    assert parsed.unreadable == []
    assert f"Mr {FIRST} {LAST}, on 12 March 1996" in " ".join(parsed.text.split())
    page = parsed.info["ocr"]["pages"][0]
    assert page["engine"].startswith("tesseract") and page["mean_confidence"] > 80
    assert abs(page["skew"] + 1.7) <= 0.3 and page["rotation"] == 0
    spans = spans_for(parsed.text)
    out = tmp_path / "out.png"
    result, verification = write_and_verify(parsed, spans, out)
    assert verification.ok and verification.checked == 1 and "re-OCR" in verification.reader
    assert all(d["page"] == 1 and d["boxes"] for d in result.span_details)
    assert result.info["ocr"]["pages"][0]["words_redacted"] == 3
    for name in NAMES:
        assert readable(skewed_png, name) and not readable(out, name)
    assert kept_recall(parsed, spans, out) >= 0.95
    from PIL import Image

    with Image.open(out) as im, Image.open(skewed_png) as orig:
        assert im.format == "PNG" and im.size == orig.size and im.mode == orig.mode


def test_rotated_scan_is_turned_for_ocr_and_redacted_in_place(tmp_path):
    from PIL import Image

    from redact.formats.image import FORMAT

    src = tmp_path / "sideways.png"
    render(BODY[:330], noise=10).rotate(90, expand=True).save(src)
    parsed = FORMAT.read(src)
    assert parsed.info["ocr"]["pages"][0]["rotation"] == 90
    assert parsed.info["ocr"]["pages"][0]["orientation"].startswith("detected")
    assert f"{FIRST} {LAST}" in " ".join(parsed.text.split())
    spans = spans_for(parsed.text)
    out = tmp_path / "out.png"
    _, verification = write_and_verify(parsed, spans, out)
    assert verification.ok
    with Image.open(out) as im:
        assert im.size == Image.open(src).size  # written as it came, sideways
    assert not readable(out, FIRST) and not readable(out, LAST) and readable(src, LAST)
    assert kept_recall(parsed, spans, out) >= 0.95


def test_hyphenated_name_is_joined_for_the_model_and_both_halves_filled(tmp_path):
    from redact.formats.image import FORMAT

    src = tmp_path / "hyphen.png"
    render("The applicant, Mr Zorbington Quix-\nwell, was heard by the Court.", width=900).save(src)
    parsed = FORMAT.read(src)
    assert "Zorbington Quixwell, was heard" in parsed.text
    spans = spans_for(parsed.text)
    out = tmp_path / "out.png"
    result, verification = write_and_verify(parsed, spans, out)
    assert verification.ok
    assert [len(d["boxes"]) for d in result.span_details] == [1, 2]  # 'Zorbington'; 'Quix-' and 'well,'
    words = " ".join(w for page in tesseract_words(out) for w in page)
    assert "Quix" not in words and "well," not in words and "heard" in words


def test_verifier_reads_a_leak(skewed_png, tmp_path):
    """The output written without filling the boxes (a broken writer) fails verification."""
    from redact.formats.image import FORMAT
    from redact.verify import Needles

    parsed = FORMAT.read(skewed_png)
    spans = spans_for(parsed.text)
    leak = tmp_path / "leak.png"
    shutil.copy(skewed_png, leak)
    verification = FORMAT.verify(leak, Needles.build(parsed.text, spans, parsed.text.replace(LAST, "█" * 8)
                                                     .replace(FIRST, "█" * 10)))
    assert not verification.ok and any("quixwell" in h for h in verification.hits)
    from PIL import Image, PngImagePlugin

    from redact.formats.image import metadata_hits

    meta = PngImagePlugin.PngInfo()
    meta.add_text("Comment", f"scan of {LAST}'s letter")
    Image.new("L", (50, 50), 255).save(tmp_path / "meta.png", pnginfo=meta)
    needles = Needles({"quixwell": 0, "1995": 0})
    assert metadata_hits(tmp_path / "meta.png", needles) == ["image metadata: 'quixwell'"]


def test_label_style_draws_the_label_inside_the_bar(skewed_png, tmp_path):
    from redact.formats.image import FORMAT

    import numpy as np
    from PIL import Image

    parsed = FORMAT.read(skewed_png)
    out = tmp_path / "label.png"
    result, verification = write_and_verify(parsed, spans_for(parsed.text), out, style="label")
    assert verification.ok and not readable(out, LAST)
    pixels = np.asarray(Image.open(out))
    for detail in result.span_details:
        l, t, r, b = detail["boxes"][0]
        bar = pixels[t:b, l:r]
        assert (bar < 40).mean() > 0.5 and (bar > 200).any()  # a black bar with white lettering


def test_page_without_text_and_ocr_never_are_unreadable(tmp_path):
    import redact.ocr
    from PIL import Image

    from redact.formats.image import FORMAT

    blank = tmp_path / "blank.png"
    Image.new("RGB", (600, 400), (250, 250, 250)).save(blank)
    parsed = FORMAT.read(blank)
    assert [(u.page, u.reason) for u in parsed.unreadable] == [(1, "OCR found no text")]
    redact.ocr.configure(mode="never")
    parsed = FORMAT.read(blank)
    assert "--ocr never" in parsed.unreadable[0].reason and parsed.text == ""


# -- the CLI with the rigged model ------------------------------------------------------------------------

def test_cli_png_jpeg_and_multipage_tiff(rigged, tmp_path):
    """One run over a folder: a PNG (with a text chunk naming the applicant), a JPEG with EXIF, a two-page
    TIFF. Each comes back in its format, same pages and size, no metadata, no name readable."""
    from PIL import Image, PngImagePlugin

    inp = tmp_path / "scans"
    inp.mkdir()
    meta = PngImagePlugin.PngInfo()
    meta.add_text("Author", f"{FIRST} {LAST}")
    render(BODY[:260], angle=-1.2, noise=12).save(inp / "a.png", pnginfo=meta, dpi=(300, 300))
    exif = Image.Exif()
    exif[0x013B] = f"{FIRST} {LAST}"  # Artist
    render(BODY[150:420], noise=8).convert("RGB").save(inp / "b.jpg", quality=90, exif=exif)
    p1 = render(BODY[:200], width=1200)
    p2 = render("Page two. " + BODY[200:], width=1200, angle=1.0).convert("1")
    p1.convert("1").save(inp / "c.tif", save_all=True, append_images=[p2], compression="group4", dpi=(300, 300))
    out = tmp_path / "out"
    proc = run_cli("run", "--model", rigged, inp, "-o", out, "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    for name, fmt, pages in (("a.png", "PNG", 1), ("b.jpg", "JPEG", 1), ("c.tif", "TIFF", 2)):
        with Image.open(out / name) as im, Image.open(inp / name) as orig:
            assert im.format == fmt and getattr(im, "n_frames", 1) == pages and im.size == orig.size
            assert "Author" not in im.info and LAST not in str(dict(im.getexif())) and 0x013B not in im.getexif()
        assert not readable(out / name, LAST) and not readable(out / name, FIRST), name
        report = json.loads((tmp_path / "out.reports" / f"{name}.json").read_text())
        assert report["status"] == "redacted" and report["format"] == "image" and report["pages"] == pages
        assert report["verification"]["checked"] == pages and "re-OCR" in report["verification"]["reader"]
        assert [p["page"] for p in report["ocr"]["pages"]] == list(range(1, pages + 1))
        assert all(p["mean_confidence"] > 70 and "words_redacted" in p for p in report["ocr"]["pages"])
        assert {s["text"] for s in report["spans"]} <= {FIRST, LAST, f"{FIRST} {LAST}"} and report["spans"]
    with Image.open(out / "c.tif") as im:
        assert im.mode == "1" and im.info.get("compression") == "group4"
    assert readable(out / "c.tif", "Convention")  # page two's kept text


def test_cli_ocr_never_fails_closed_and_accept_unreadable_writes(rigged, tmp_path, skewed_png):
    proc = run_cli("run", "--model", rigged, skewed_png, "-o", tmp_path / "o1", "--ocr", "never")
    assert proc.returncode == 1 and "cannot be read reliably" in proc.stderr and "--ocr never" in proc.stderr
    assert not (tmp_path / "o1" / skewed_png.name).exists()
    proc = run_cli("run", "--model", rigged, skewed_png, "-o", tmp_path / "o2", "--ocr", "never",
                   "--accept-unreadable")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "o2.reports" / f"{skewed_png.name}.json").read_text())
    assert report["verification"]["unverified"] == ["page 1"] and report["unreadable"][0]["page"] == 1


def test_missing_language_names_the_package(skewed_png):
    import redact.ocr
    from redact.errors import BadInput
    from redact.formats.image import FORMAT

    redact.ocr.configure(lang="eng+xxx")
    with pytest.raises(BadInput, match="apt-get install tesseract-ocr-xxx"):
        FORMAT.read(skewed_png)
    with pytest.raises(BadInput, match="--ocr-lang"):
        redact.ocr.configure(lang="eng; rm -rf")


def test_without_tesseract_images_fail_with_the_install_line_and_parts_stay_unreadable(monkeypatch, skewed_png):
    import redact.ocr
    from redact.formats.image import FORMAT
    from redact.ocr.parts import ImageParts
    from redact.ocr.tesseract import TesseractEngine

    monkeypatch.setitem(redact.ocr._engines, "tesseract", TesseractEngine("no-such-tesseract"))
    with pytest.raises(redact.ocr.OcrUnavailable, match="apt-get install tesseract-ocr"):
        FORMAT.read(skewed_png)
    parts = ImageParts.read([("word/media/image1.png", skewed_png.read_bytes())], "Body.")
    assert parts.parts == [] and parts.unreadable[0][1].startswith("image (may hold text; not read")


# -- images inside documents (the helper DOCX and PDF use) -------------------------------------------------

def test_image_parts_read_redact_verify(tmp_path):
    """Images held in memory: their text follows the document's own text, spans there fill their pixels,
    the re-encoded bytes re-OCR clean; an undecodable image and one without text stay unreadable."""
    import io

    from PIL import Image

    from redact.ocr.parts import ImageParts
    from redact.operators import apply, get_operator
    from redact.verify import Needles

    buf = io.BytesIO()
    render(BODY[:260], noise=6).save(buf, format="PNG")
    png = buf.getvalue()
    icon = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 0, 0)).save(icon, format="PNG")
    own = f"The letter from {FIRST} is attached.\n"
    parts = ImageParts.read([("word/media/image1.png", png), ("word/media/image2.emf", b"\x01\x00\x00\x00EMF"),
                             ("word/media/icon.png", icon.getvalue())], own)
    assert [n for n, _ in parts.unreadable] == ["word/media/image2.emf", "word/media/icon.png"]
    assert parts.no_text == ["word/media/icon.png"]
    text = own + parts.text
    assert text.index(LAST) > len(own) and f"{FIRST} {LAST}" in " ".join(text.split())
    spans = spans_for(text)
    assert parts.spans_before(spans) == spans[:1]
    new, details, info = parts.redact(text, spans, get_operator("mask"), {"word/media/image1.png": png})
    assert details[0] == {} and all(d["image"] == "word/media/image1.png" and d["boxes"] for d in details[1:])
    assert info[0]["words_redacted"] == 2 and Image.open(io.BytesIO(new["word/media/image1.png"])).format == "PNG"
    needles = Needles.build(text, spans, apply(text, spans, "mask"))
    assert parts.verify(new, needles) == ([], 1)
    hits, _ = parts.verify({"word/media/image1.png": png}, needles)
    assert any("image1.png" in h and "quixwell" in h for h in hits)


def test_docx_image_of_text_is_ocrd_redacted_and_replaced(tmp_path):
    """A DOCX whose body names the applicant and holds a scanned letter (PNG) naming him too: the image's
    words reach the model, the name is filled in its pixels, the part is replaced, verification re-OCRs it."""
    import io
    import zipfile

    import docx

    from redact.formats import format_for
    from redact.formats.base import WriteOptions
    from redact.operators import apply, get_operator
    from redact.verify import Needles

    src = tmp_path / "letter.docx"
    d = docx.Document()
    d.add_paragraph(f"The applicant, Mr {FIRST} {LAST}, sent the following letter.")
    buf = io.BytesIO()
    render(BODY[:260], noise=6, angle=0.8).save(buf, format="PNG")
    d.add_picture(io.BytesIO(buf.getvalue()))
    d.save(src)
    fmt = format_for(src)
    parsed = fmt.read(src)
    assert parsed.unreadable == [] and parsed.info["ocr"]["images"][0]["part"] == "word/media/image1.png"
    assert parsed.text.count(LAST) == 2  # body and image
    spans = spans_for(parsed.text)
    out = tmp_path / "out.docx"
    result = fmt.write(parsed, spans, out, WriteOptions(get_operator("mask")))
    assert result.info["images_unverified"] == [] and result.info["ocr"]["images"][0]["words_redacted"] == 2
    assert [d.get("image") for d in result.span_details] == [None, None, "word/media/image1.png", "word/media/image1.png"]
    verification = fmt.verify(out, Needles.build(parsed.text, spans, apply(parsed.text, spans, "mask")))
    assert verification.ok and verification.unverified == [] and "re-OCR" in verification.reader
    with zipfile.ZipFile(out) as z:
        (tmp_path / "image1.png").write_bytes(z.read("word/media/image1.png"))
        assert LAST not in z.read("word/document.xml").decode()
    assert not readable(tmp_path / "image1.png", LAST) and not readable(tmp_path / "image1.png", FIRST)
    assert readable(tmp_path / "image1.png", "Convention")


def test_scanned_pdf_pages_are_ocrd_redacted_and_replaced(tmp_path):
    """An image-only PDF (a skewed page, and a page stored sideways): OCR'd (rotation detected), the names
    burned out of the pixels, each page written as its redacted image; pdfium renders the output and a
    fresh Tesseract cannot read the names, pdftotext finds no text layer."""
    import pypdfium2 as pdfium

    from redact.formats import format_for
    from redact.formats.base import WriteOptions
    from redact.operators import apply, get_operator
    from redact.verify import Needles

    src = tmp_path / "scan.pdf"
    one = render(BODY[:300], angle=1.5, noise=12, font_size=30)
    two = render("Page two. " + BODY[300:], noise=12, font_size=30).rotate(90, expand=True)
    one.save(src, save_all=True, append_images=[two], resolution=200)
    fmt = format_for(src)
    import redact.ocr

    redact.ocr.configure(dpi=200)
    parsed = fmt.read(src)
    assert parsed.unreadable == [], parsed.unreadable
    pages = parsed.info["ocr"]["pages"]
    assert [p["page"] for p in pages] == [1, 2] and [p["rotation"] for p in pages] == [0, 90]
    assert parsed.text.index(LAST) < parsed.text.index("Page two")  # page order
    spans = spans_for(parsed.text)
    out = tmp_path / "out.pdf"
    result = fmt.write(parsed, spans, out, WriteOptions(get_operator("mask")))
    assert {d["page"] for d in result.span_details} == {1, 2} and result.touched == [1, 2]
    assert [p["words_redacted"] for p in result.info["ocr"]["pages"]] == [2, 1]
    verification = fmt.verify(out, Needles.build(parsed.text, spans, apply(parsed.text, spans, "mask")))
    assert verification.ok and "re-OCR of 2" in verification.reader, verification
    from pypdf import PdfReader

    for page in PdfReader(str(out)).pages:  # one new JPEG per page, nothing of the source's
        xobjects = page["/Resources"]["/XObject"]
        assert len(xobjects) == 1 and all(x.get_object()["/Filter"] == "/DCTDecode" for x in xobjects.values())
    assert out.stat().st_size < 3 * src.stat().st_size
    doc = pdfium.PdfDocument(str(out))
    for i in range(2):
        doc[i].render(scale=200 / 72).to_pil().save(tmp_path / f"page{i}.png")
        assert not readable(tmp_path / f"page{i}.png", LAST) and not readable(tmp_path / f"page{i}.png", FIRST)
    assert readable(tmp_path / "page1.png", "remedy")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert LAST not in text and FIRST not in text and not text.strip()
    # --ocr-text-layer: the kept words as invisible text, searchable; the removed ones never
    redact.ocr.configure(dpi=200, text_layer=True)
    parsed = fmt.read(src)
    result = fmt.write(parsed, spans, out, WriteOptions(get_operator("mask")))
    assert result.info["ocr"]["text_layer_pages"] == [1, 2]
    assert fmt.verify(out, Needles.build(parsed.text, spans, apply(parsed.text, spans, "mask"))).ok
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "Convention" in text and "remedy" in text and LAST not in text and FIRST not in text


def test_cli_scanned_pdf_and_docx_image(rigged, tmp_path):
    """`redact run scans/ -o out/` over an image-only PDF and a DOCX holding an image of text: both written,
    the reports say what was OCR'd, how well, what was redacted and that it was verified by re-OCR."""
    import io
    import zipfile

    import docx

    inp = tmp_path / "scans"
    inp.mkdir()
    render(BODY[:300], angle=-1.0, noise=10).save(inp / "scan.pdf", resolution=200)
    d = docx.Document()
    d.add_paragraph("The applicant sent the following letter.")
    buf = io.BytesIO()
    render(BODY[100:360], noise=6).save(buf, format="PNG")
    d.add_picture(io.BytesIO(buf.getvalue()))
    d.save(inp / "letter.docx")
    out = tmp_path / "out"
    proc = run_cli("run", "--model", rigged, inp, "-o", out, "--dpi", "200", "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    pdf = json.loads((tmp_path / "out.reports" / "scan.pdf.json").read_text())
    page = pdf["ocr"]["pages"][0]
    assert page["engine"].startswith("tesseract") and page["mean_confidence"] > 80 and page["words_redacted"] == 2
    assert "re-OCR of 1" in pdf["verification"]["reader"] and pdf["unreadable"] == []
    letter = json.loads((tmp_path / "out.reports" / "letter.docx.json").read_text())
    assert letter["ocr"]["images"][0]["words_redacted"] == 2 and letter["verification"]["unverified"] == []
    with zipfile.ZipFile(out / "letter.docx") as z:
        (tmp_path / "image1.png").write_bytes(z.read("word/media/image1.png"))
    assert not readable(tmp_path / "image1.png", LAST)
