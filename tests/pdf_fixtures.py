"""PDF fixtures for the leak tests: real producers (reportlab with an embedded TrueType subset, fpdf2,
LibreOffice, Chromium, Ghostscript) and hand-written files holding every hiding place a name can have
(ActualText, popups, attachments, links of every action type, widgets, shared and nested forms, actions, metadata...)."""

from __future__ import annotations

import os
import shutil
import subprocess
import zlib
from base64 import a85encode
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NAMES = ["Zbigniew Łukasiewicz", "Şahin Yılmaz", "Bjørn Ødegård"]
KEPT = ["applicant", "hearing", "observations", "Registry"]
PARAGRAPHS = [
    "The applicant, Zbigniew Łukasiewicz, lodged the application with the Registry in 2003.",
    "At the hearing Şahin Yılmaz appeared for the Government; Bjørn Ødegård submitted observations.",
    "The Court notes that Łukasiewicz did not contest the facts.",
]


def which(*tools: str) -> str | None:
    """The first tool found on PATH (or None)."""
    for tool in tools:
        if shutil.which(tool):
            return shutil.which(tool)
    return None


def reportlab_ttf(path: Path, paragraphs=PARAGRAPHS, pages: int = 2) -> None:
    """reportlab, DejaVu Sans embedded as a TrueType subset, an outline entry, a sticky note (with its
    popup), a mailto: link, document info."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", str(DEJAVU)))
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setAuthor(NAMES[2])
    c.setTitle(f"Case of {NAMES[0]}")
    for n in range(pages):
        y = 780
        for para in paragraphs:
            c.setFont("DejaVu", 10)
            c.drawString(60, y, para)
            y -= 16
        if n == 0:
            c.bookmarkPage("p1")
            c.addOutlineEntry(f"Notes by {NAMES[0]}", "p1", level=0)
            c.textAnnotation(f"Call {NAMES[1]}", Rect=(60, 600, 80, 620), addtopage=1, name="note")
            c.linkURL("mailto:zbigniew.lukasiewicz@example.org", (60, 770, 200, 790), relative=0)
        c.showPage()
    c.save()


def fpdf2(path: Path, paragraphs=PARAGRAPHS) -> None:
    """fpdf2, DejaVu Sans as a Type0/CID subset font with Identity-H and a ToUnicode map."""
    from documents import pdf_fpdf2

    pdf_fpdf2(path, paragraphs, author=NAMES[2])


def libreoffice(path: Path, paragraphs=PARAGRAPHS) -> None:
    """LibreOffice Writer's PDF export of an .odt-free plain text file (its own fonts, subset)."""
    work = path.parent / (path.stem + "_lo")
    work.mkdir(exist_ok=True)
    txt = work / (path.stem + ".txt")
    txt.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    profile = work / "profile"
    subprocess.run([which("soffice", "libreoffice"), f"-env:UserInstallation=file://{profile}", "--headless",
                    "--infilter=Text (encoded):UTF8,LF,,", "--convert-to", "pdf", "--outdir", str(work), str(txt)],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(work)})
    shutil.move(str(work / (path.stem + ".pdf")), path)


def chromium(path: Path, paragraphs=PARAGRAPHS) -> None:
    """Chromium's print-to-PDF (Skia): a mailto: link, tagged text, subset fonts."""
    work = path.parent / (path.stem + "_chrome")
    work.mkdir(exist_ok=True)
    html = work / "page.html"
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html.write_text(f'<!doctype html><meta charset="utf-8"><title>Case of {NAMES[0]}</title>'
                    f'<body style="font-family: DejaVu Sans">{body}'
                    f'<p>Contact: <a href="mailto:zbigniew.lukasiewicz@example.org">the applicant</a></p>',
                    encoding="utf-8")
    subprocess.run([which("chromium", "chromium-browser", "google-chrome"), "--headless", "--no-sandbox",
                    "--disable-gpu", f"--user-data-dir={work / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={path}", html.as_uri()],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(work)})


def ghostscript(path: Path, source: Path) -> None:
    """``source`` re-distilled by Ghostscript's pdfwrite (its own font subsets and encodings)."""
    subprocess.run([which("gs"), "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", "-o", str(path), str(source)],
                   check=True, capture_output=True, timeout=180)


def cairo(path: Path, source: Path) -> None:
    """``source`` redrawn by Cairo (poppler's pdftocairo): Cairo's own font subsets and content streams."""
    subprocess.run([which("pdftocairo"), "-pdf", str(source), str(path)], check=True, capture_output=True,
                   timeout=180)


# ------------------------------------------------------------------------------------ hand-written


def raw_pdf(objects: dict[int, bytes], root: int = 1, info: int | None = None) -> bytes:
    """A PDF file from numbered object bodies (a stream body is given as ``dict_bytes + stream``)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[num]) if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R" % (size, root)
    if info:
        out += b" /Info %d 0 R" % info
    out += b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", encode: str = "flate") -> bytes:
    if encode == "flate":
        data, extra = zlib.compress(data), extra + b" /Filter /FlateDecode"
    elif encode == "a85":
        data, extra = a85encode(data, adobe=True)[2:], extra + b" /Filter /ASCII85Decode"
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


HIDDEN = ["Anna Griffith", "Jan Kowalski", "Zofia Nowak"]
HIDDEN_KEPT = ["applicant", "appeared", "Witness", "Footer", "counsel", "Deep", "signed", "Second", "briefly",
               "quoted", "spaced", "kerned"]


def every_hiding_place(path: Path) -> None:
    """Two pages (the second rotated, another size) hiding the names in: page text, a Form XObject
    shared by both pages (ASCII85, like reportlab's), forms nested three deep, a form never drawn,
    /ActualText (literal and UTF-16 hex), a sticky note and its popup, a file attachment annotation
    (embedded file stream), a mailto: link, a widget whose appearance writes the name as a hex string,
    AcroForm values, page /AA JavaScript, /OpenAction, the names tree (attachment and JavaScript),
    XMP, the structure tree's /Alt, document info, an outline title and a soft mask's group; page 2
    inherits its resources from the page tree and uses ' " and a TJ array splitting the name."""
    o: dict[int, bytes] = {}
    o[1] = (b"<< /Type /Catalog /Pages 2 0 R /Outlines 20 0 R /AcroForm 30 0 R /Names 40 0 R /OpenAction 50 0 R"
            b" /Metadata 60 0 R /StructTreeRoot 70 0 R /PageMode /UseOutlines >>")
    # page 2 inherits its resources from the page tree
    o[2] = (b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2"
            b" /Resources << /Font << /F1 10 0 R >> /XObject << /Fm1 11 0 R >> >> >>")
    o[3] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 14 0 R"
            b" /Resources << /Font << /F1 10 0 R >> /XObject << /Fm1 11 0 R /Fm0 12 0 R /Fx 13 0 R >>"
            b" /ExtGState << /GS1 32 0 R >> >>"
            b" /Annots [15 0 R 16 0 R 17 0 R 18 0 R 19 0 R 21 0 R 33 0 R 34 0 R 35 0 R]"
            b" /AA << /O << /S /JavaScript /JS (app.alert('Anna Griffith')) >> >> >>")
    o[4] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate 90 /Contents 22 0 R >>"
    o[10] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    o[11] = stream(b"BT /F1 10 Tf 72 100 Td (Footer: counsel Jan Kowalski) Tj ET",
                   b"/Type /XObject /Subtype /Form /BBox [0 0 612 200] /Resources << /Font << /F1 10 0 R >> >>",
                   encode="a85")
    o[12] = stream(b"q 1 0 0 1 0 -20 cm /Fm2 Do Q", b"/Type /XObject /Subtype /Form /BBox [0 0 612 792]"
                   b" /Resources << /XObject << /Fm2 23 0 R >> >>")
    o[23] = stream(b"q 1 0 0 1 0 -20 cm /Fm3 Do Q", b"/Type /XObject /Subtype /Form /BBox [0 0 612 792]"
                   b" /Resources << /XObject << /Fm3 24 0 R >> >>")
    o[24] = stream(b"BT /F1 11 Tf 72 600 Td (Deep: Zofia Nowak signed) Tj ET",
                   b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 10 0 R >> >>")
    o[13] = stream(b"BT /F1 11 Tf 72 300 Td (Hidden Anna Griffith) Tj ET",
                   b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 10 0 R >> >>")
    o[14] = stream(b"/P << /ActualText (Anna Griffith) /MCID 0 >> BDC BT /F1 12 Tf 72 700 Td"
                   b" (The applicant Anna Griffith appeared.) Tj ET EMC\n"
                   b"/Span << /ActualText <FEFF0041006E006E0061002000470072006900660066006900740068> >> BDC"
                   b" BT /F1 12 Tf 72 680 Td (Witness statement kept here.) Tj ET EMC\n"
                   b"/Fm1 Do q /Fm0 Do Q q /GS1 gs 0 0 1 rg 400 100 100 50 re f Q")
    # a soft mask whose luminosity group writes a name (drawn by no Do: text we do not interpret)
    o[32] = b"<< /Type /ExtGState /SMask << /Type /Mask /S /Luminosity /G 31 0 R >> >>"
    o[31] = stream(b"BT /F1 11 Tf 400 120 Td (Mask Anna Griffith) Tj ET",
                   b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Group << /S /Transparency /CS /DeviceGray >>"
                   b" /Resources << /Font << /F1 10 0 R >> >>")
    o[15] = (b"<< /Type /Annot /Subtype /Text /Rect [400 700 420 720] /Contents (Call Anna Griffith)"
             b" /T (Jan Kowalski) /Popup 16 0 R >>")
    o[16] = b"<< /Type /Annot /Subtype /Popup /Rect [420 600 600 700] /Parent 15 0 R /Open true >>"
    o[17] = (b"<< /Type /Annot /Subtype /FileAttachment /Rect [400 650 420 670] /Contents (Attached letter)"
             b" /FS << /Type /Filespec /F (griffith.txt) /EF << /F 25 0 R >> >> >>")
    o[25] = stream(b"Letter from Anna Griffith to Jan Kowalski", b"/Type /EmbeddedFile")
    o[18] = (b"<< /Type /Annot /Subtype /Link /Rect [72 695 300 715] /Border [0 0 0]"
             b" /A << /S /URI /URI (mailto:anna.griffith@example.org) >> >>")
    o[19] = (b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (signer) /TU (Zofia Nowak) /V (Anna Griffith)"
             b" /DV (Anna Griffith) /Rect [72 400 300 420] /AP << /N 26 0 R >> /P 3 0 R >>")
    o[26] = stream(b"BT /F1 10 Tf 2 4 Td <416E6E61204772696666697468> Tj ET",
                   b"/Type /XObject /Subtype /Form /BBox [0 0 228 20] /Resources << /Font << /F1 10 0 R >> >>")
    o[21] = b"<< /Type /Annot /Subtype /Link /Rect [72 660 300 675] /Border [0 0 0] /Dest [4 0 R /Fit] >>"
    o[33] = (b"<< /Type /Annot /Subtype /Link /Rect [72 640 200 655] /A << /S /Launch /F (griffith.exe)"
             b" /Win << /F (kowalski.exe) /P (Zofia Nowak) >> >> >>")
    o[34] = b"<< /Type /Annot /Subtype /Link /Rect [72 620 200 635] /A << /S /GoToR /F (Kowalski.pdf) /D [0 /Fit] >> >>"
    o[35] = (b"<< /Type /Annot /Subtype /Link /Rect [300 620 400 635] /Contents (to Anna Griffith)"
             b" /A << /S /GoTo /D [4 0 R /XYZ 0 800 0] /Next << /S /JavaScript /JS (Anna Griffith) >> >> >>")
    o[30] = b"<< /Fields [19 0 R] /DA (/Helv 0 Tf 0 g) >>"
    o[20] = b"<< /Type /Outlines /First 27 0 R /Last 27 0 R /Count 1 >>"
    o[27] = b"<< /Title (Notes by Anna Griffith) /Parent 20 0 R /Dest [3 0 R /Fit] >>"
    o[40] = (b"<< /EmbeddedFiles << /Names [(griffith.txt) << /Type /Filespec /F (griffith.txt)"
             b" /EF << /F 25 0 R >> >>] >> /JavaScript << /Names [(init) 29 0 R] >> >>")
    o[29] = b"<< /S /JavaScript /JS (var who = 'Jan Kowalski';) >>"
    o[50] = b"<< /S /JavaScript /JS (app.alert('Zofia Nowak')) >>"
    o[60] = stream(b'<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Anna Griffith'
                   b"</dc:creator></x:xmpmeta><?xpacket end=\"w\"?>", b"/Type /Metadata /Subtype /XML", encode="")
    o[70] = b"<< /Type /StructTreeRoot /K << /S /Figure /Alt (Portrait of Anna Griffith) >> >>"
    o[22] = stream(b"BT /F1 12 Tf 72 500 Td (Second page mentions Zofia Nowak briefly.) Tj ET /Fm1 Do\n"
                   b"BT /F1 12 Tf 14 TL 72 450 Td (Quotes:) Tj (Zofia Nowak quoted) ' 3 0.5 (Anna Griffith spaced) \""
                   b" T* [(Jan Ko) -30 (walski) -250 (kerned)] TJ ET")
    o[80] = b"<< /Author (Jan Kowalski) /Title (Anna Griffith) /Producer (hand) >>"
    path.write_bytes(raw_pdf(o, info=80))


def tiling_pattern_text(path: Path) -> None:
    """A page filled with a tiling pattern whose cell writes a name (text we do not interpret)."""
    o = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         3: (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font"
             b" << /F1 6 0 R >> /Pattern << /P1 5 0 R >> >> >>"),
         4: stream(b"BT /F1 12 Tf 72 700 Td (Kept applicant text.) Tj ET /Pattern cs /P1 scn 72 300 400 200 re f"),
         5: stream(b"BT /F1 9 Tf 2 10 Td (Anna Griffith) Tj ET",
                   b"/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 100 30] /XStep 100"
                   b" /YStep 30 /Resources << /Font << /F1 6 0 R >> >>"),
         6: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"}
    path.write_bytes(raw_pdf(o))


def type3_unnamed(path: Path, names: bytes = b"/g1 /g2") -> None:
    """A Type3 font whose glyph names mean nothing (/g1, /g2): its text cannot be read (with standard
    names, e.g. ``b"/A /n"``, it can)."""
    o = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         3: (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font"
             b" << /T3 5 0 R /F1 8 0 R >> >> >>"),
         4: stream(b"BT /F1 12 Tf 72 700 Td (Kept applicant text.) Tj ET BT /T3 12 Tf 72 600 Td <0102> Tj ET"),
         5: (b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0]"
             b" /CharProcs << %s >> /Encoding << /Type /Encoding /Differences [1 %s] >>"
             b" /FirstChar 1 /LastChar 2 /Widths [1000 1000] /Resources << >> >>"),
         6: stream(b"1000 0 0 0 1000 1000 d1 0 0 1000 1000 re f"),
         7: stream(b"1000 0 0 0 1000 1000 d1 0 0 500 1000 re f"),
         8: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"}
    first, second = names.split()
    o[5] = o[5] % (first + b" 6 0 R " + second + b" 7 0 R", names)
    path.write_bytes(raw_pdf(o))


def without_tounicode(path: Path, source: Path) -> None:
    """``source`` with every font's /ToUnicode removed (fpdf2's Identity-H codes then map to nothing)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    w = PdfWriter(clone_from=PdfReader(str(source)))
    for page in w.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/ToUnicode" in font:
                del font[NameObject("/ToUnicode")]
    w.write(str(path))


def image_and_text(path: Path) -> None:
    """A page that is a large image (a scanned judgment) plus one line of real text (a footer)."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("RGB", (600, 400), "white")
    ImageDraw.Draw(img).text((20, 20), "Anna Griffith v. the Republic", fill="black")
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.drawImage(ImageReader(img), 50, 300, 500, 400)
    c.setFont("Helvetica", 9)
    c.drawString(60, 40, "Footer: the applicant Anna Griffith, page 1")
    c.save()


def cid_mixed_code_lengths(path: Path, source: Path) -> None:
    """fpdf2's CID font re-encoded with an embedded CMap whose code space mixes 1-byte codes
    (<40>-<5F> for CIDs 0-31) and 2-byte codes (<8000>-<80FF> for the rest), plus a matching ToUnicode:
    a reader that assumes 2-byte codes reads nonsense."""
    import re

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ByteStringObject, ContentStream, DecodedStreamObject, NameObject

    w = PdfWriter(clone_from=PdfReader(str(source)))
    page = w.pages[0]
    font = page["/Resources"]["/Font"]["/F1"].get_object()
    old = font["/ToUnicode"].get_object().get_data()
    unicode = {int(a, 16): b for a, b in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", old.split(b"beginbfchar", 1)[1])}

    def code(cid: int) -> bytes:
        return bytes([0x40 + cid]) if cid < 0x20 else (0x8000 + cid).to_bytes(2, "big")

    cs = ContentStream(page.get_contents(), w)
    for operands, op in cs.operations:
        if op == b"Tj":
            data = bytes(operands[0].original_bytes if hasattr(operands[0], "original_bytes") else operands[0])
            cids = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]
            assert max(cids) < 0x100
            operands[0] = ByteStringObject(b"".join(code(c) for c in cids))
    page.replace_contents(cs)
    header = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Mixed def /CMapType %d def\n"
              b"2 begincodespacerange <00> <7F> <8000> <FFFF> endcodespacerange\n")
    encoding = DecodedStreamObject()
    encoding.set_data(header % 1 + b"2 begincidrange <40> <5F> 0 <8000> <80FF> 0 endcidrange\n"
                      b"endcmap CMapName currentdict /CMap defineresource pop end end")
    encoding.update({NameObject("/Type"): NameObject("/CMap"), NameObject("/CMapName"): NameObject("/Mixed"),
                     NameObject("/CIDSystemInfo"): font["/DescendantFonts"][0].get_object()["/CIDSystemInfo"]})
    lines = b"".join(b"<%s> <%s>\n" % (code(cid).hex().upper().encode(), uni) for cid, uni in unicode.items())
    tounicode = DecodedStreamObject()
    tounicode.set_data(header % 2 + b"%d beginbfchar\n" % len(unicode) + lines +
                       b"endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
    font[NameObject("/Encoding")] = w._add_object(encoding)
    font[NameObject("/ToUnicode")] = w._add_object(tounicode)
    w.write(str(path))


def ocr_scan(path: Path, name: str = "Anna Griffith") -> None:
    """An OCR'd scan: a page image showing the text, with the OCR text drawn invisibly (Tr 3) over it."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    line = f"The applicant {name} appeared."
    size = 24  # points; the image is 2 px per point
    img = Image.new("RGB", (1000, 600), "white")  # the page's scan (here a third of it)
    font = ImageFont.truetype(str(DEJAVU), size * 2)
    ImageDraw.Draw(img).text((20, 60), line, fill="black", font=font)
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.drawImage(ImageReader(img), 50, 400, 500, 300)
    text = c.beginText(60, 400 + 300 - 30 - size * 0.8)
    text.setTextRenderMode(3)
    text.setFont("Helvetica", size)
    text.setHorizScale(100 * (font.getlength(line) / 2) / stringWidth(line, "Helvetica", size))
    text.textLine(line)
    c.drawText(text)
    c.save()


def ghostscript_postscript(path: Path) -> None:
    """A PostScript program distilled by Ghostscript with its fonts embedded: CFF (Type1C) subsets,
    WinAnsi encoding, no ToUnicode map (the text comes from the encoding)."""
    ps = path.with_suffix(".ps")
    ps.write_bytes(b"%!PS\n/Helvetica findfont 12 scalefont setfont\n"
                   b"72 700 moveto (The applicant Jan Kowalski lodged the application.) show\n"
                   b"72 680 moveto (Observations by Zofia Nowak were heard.) show\n"
                   b"/Times-Roman findfont 11 scalefont setfont\n"
                   b"72 660 moveto (Kowalski replied in writing.) show\nshowpage\n")
    subprocess.run([which("gs"), "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", "-dEmbedAllFonts=true",
                    "-o", str(path), "-c", "<</NeverEmbed []>> setdistillerparams", "-f", str(ps)],
                   check=True, capture_output=True, timeout=180)


# ------------------------------------------------------------------------------- refusals (issue 12)

HYPHENATED_NAME = "Kowalczykowski"


def typst_hyphenated(path: Path) -> None:
    """typst (the PyPI compiler), justified text on a narrow page with hyphenation: words, the name
    among them, broken across lines with U+00AD (soft hyphen) as the drawn hyphen."""
    import typst

    source = path.with_suffix(".typ")
    source.write_text(
        '#set page(width: 5.5cm, height: auto, margin: 0.8cm)\n'
        '#set text(size: 11pt, hyphenate: true, lang: "en")\n#set par(justify: true)\n'
        f"The application originated in an application against the Republic of Poland lodged with the Court "
        f"by a lawyer representing Mr {HYPHENATED_NAME}, a Polish national, concerning the hearing of "
        f"Mr {HYPHENATED_NAME} and the Registry.\n", encoding="utf-8")
    typst.compile(str(source), output=str(path))


FRAME_FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:automatic-styles><text:list-style style:name="L1"><text:list-level-style-number text:level="1" style:num-prefix="Kowalski exhibit " style:num-suffix="." style:num-format="1"/></text:list-style></office:automatic-styles>
<office:body><office:text>
<text:p>The applicant, Jan Kowalski, lodged the application with the Registry.</text:p>
<text:p><draw:frame draw:name="Text Box 5" text:anchor-type="paragraph" svg:width="8cm" svg:height="2cm"><draw:text-box><text:p>Box: notes of Jan Kowalski</text:p></draw:text-box></draw:frame>Kept text follows.</text:p>
<text:list text:style-name="L1"><text:list-item><text:p>A letter of 3 March 2006.</text:p></text:list-item><text:list-item><text:p>A receipt.</text:p></text:list-item></text:list>
</office:text></office:body></office:document>
"""


def libreoffice_frame(path: Path) -> None:
    """LibreOffice Writer (from flat ODT) to ``path``'s format (.pdf or .docx): a text frame named
    "Text Box 5" whose text starts with the label "Box:", and a numbered list labelled
    "Kowalski exhibit %1." (numbering.xml ``w:lvlText`` in DOCX)."""
    work = path.parent / (path.stem + "_lo")
    work.mkdir(exist_ok=True)
    src = work / (path.stem + ".fodt")
    src.write_text(FRAME_FODT, encoding="utf-8")
    target = path.suffix.lstrip(".")
    subprocess.run([which("soffice", "libreoffice"), f"-env:UserInstallation=file://{work / 'profile'}", "--headless",
                    "--convert-to", target, "--outdir", str(work), str(src)],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(work)})
    shutil.move(str(work / (path.stem + "." + target)), path)


def sparse_scan(path: Path) -> None:
    """A scanned form, written by Pillow as a one-page image PDF (300 dpi): only a boxed "Case 001-72664"
    in a table cell, the page speckled. Tesseract's layout analysis (--psm 3) takes it all for noise."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    width, height = 2480, 3508  # A4 at 300 dpi, then cropped to the table
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(DEJAVU), 42)
    x0, y0 = 900, 1500
    draw.rectangle((x0, y0, x0 + 700, y0 + 120), outline=0, width=4)
    draw.rectangle((x0 - 300, y0 - 120, x0 + 1000, y0 + 240), outline=0, width=3)
    draw.line((x0 - 300, y0 + 60, x0, y0 + 60), fill=0, width=3)
    draw.text((x0 + 40, y0 + 35), "Case 001-72664", font=font, fill=0)
    rng = np.random.default_rng(3)
    pixels = np.asarray(img).copy()
    for y, x in zip(rng.integers(0, height, 20000), rng.integers(0, width, 20000)):
        pixels[y:y + rng.integers(2, 6), x:x + rng.integers(2, 6)] = rng.integers(0, 120)
    pixels = pixels[1000:2100, 300:2100]
    Image.fromarray(pixels).save(path, "PDF" if path.suffix == ".pdf" else None, resolution=300.0)


def small_image_on_text_page(path: Path, words: str | None = "signed: Anna Griffith") -> None:
    """A reportlab text page with a small picture (about 6 % of the page) of a signature line — or, with
    ``words=None``, of a logo without text (a filled circle and a bar)."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (600, 170), "white")
    draw = ImageDraw.Draw(image)
    if words:
        draw.text((20, 55), words, fill="black", font=ImageFont.truetype(DEJAVU, 44))
    else:
        draw.ellipse((20, 20, 150, 150), fill=(30, 80, 160))
        draw.rectangle((180, 70, 580, 100), fill=(200, 40, 40))
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 11)
    c.drawString(72, 770, "The Court delivered its judgment in the case of the applicant on 4 May 2010.")
    c.drawString(72, 750, "The parties were informed of the decision in writing.")
    c.drawImage(ImageReader(image), 72, 560, width=300, height=85)  # 25,500 pt² of 500,990: 5 %
    c.showPage()
    c.save()
