"""Builders for real PDF and DOCX files (two PDF producers; DOCX with every story type).

Used by the tests and by samples/make_samples.py."""

from __future__ import annotations

import textwrap
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def pdf_reportlab(path: Path, paragraphs: list[str], title: str = "", author: str = "",
                  outline: str = "", annotation: str = "") -> None:
    """Letter pages, Helvetica (a standard Type1 font: no embedded widths), one Tj per line."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    c.setTitle(title)
    c.setAuthor(author)
    c.setSubject(title)
    y = 740
    first = True
    for para in paragraphs:
        for line in textwrap.wrap(para, 95) or [""]:
            if y < 60:
                c.showPage()
                y = 740
            t = c.beginText(60, y)
            t.setFont("Helvetica", 10)
            t.textLine(line)
            c.drawText(t)
            if first and outline:
                c.bookmarkPage("p1")
                c.addOutlineEntry(outline, "p1", level=0)
                first = False
            y -= 13
        y -= 6
    if annotation:
        c.textAnnotation(annotation, Rect=(60, 20, 200, 40))
    c.save()


def pdf_fpdf2(path: Path, paragraphs: list[str], title: str = "", author: str = "") -> None:
    """A4 pages, DejaVu Sans embedded as a TrueType subset (a Type0/CID font with Identity-H)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.set_font("DejaVu", size=10)
    for para in paragraphs:
        pdf.multi_cell(0, 5, para)
        pdf.ln(2)
    pdf.output(str(path))


def pdf_scanned(path: Path) -> None:
    """A page with only an image (no text layer), like a scan."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    from PIL import Image

    img = Image.new("RGB", (200, 100), "white")
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(img), 50, 600, 200, 100)
    c.save()


def docx_simple(path: Path, paragraphs: list[str], author: str = "", title: str = "") -> None:
    import docx

    d = docx.Document()
    for para in paragraphs:
        d.add_paragraph(para)
    d.core_properties.author = author
    d.core_properties.title = title
    d.core_properties.last_modified_by = author
    d.save(str(path))


def docx_everything(path: Path, secret: dict[str, str]) -> None:
    """A DOCX with the secret strings placed in every story type python-docx and Word know:
    body (split across differently formatted runs), nested tables, headers/footers (default, first,
    even), footnote, endnote, comment, text box, hyperlink, tracked insertion and deletion, and
    core/app/custom properties. ``secret`` maps a place name to the string put there."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    p = d.add_paragraph("The applicant, ")
    first, last = secret["body"].split(" ", 1)
    r1 = p.add_run(first + " ")
    r1.bold = True
    r2 = p.add_run(last)
    r2.italic = True
    p.add_run(", was born in 1961.")

    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Outer cell"
    inner = table.cell(0, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = f"Nested: {secret['table']} lives here."

    section = d.sections[0]
    section.different_first_page_header_footer = True
    d.settings.odd_and_even_pages_header_footer = True
    section.header.paragraphs[0].text = f"Header {secret['header']}"
    section.footer.paragraphs[0].text = f"Footer {secret['footer']}"
    section.first_page_header.paragraphs[0].text = f"First header {secret['header']}"
    section.even_page_footer.paragraphs[0].text = f"Even footer {secret['footer']}"

    # comment (python-docx API)
    cp = d.add_paragraph("A remark on the facts.")
    d.add_comment(cp.runs, text=f"Check {secret['comment']}", author=secret["comment_author"], initials="XY")

    body = d.element.body
    w = nsdecls("w", "r") + ' xmlns:v="urn:schemas-microsoft-com:vml"'
    # text box (VML, as Word writes in its fallback)
    body.append(parse_xml(
        f'<w:p {w}><w:r><w:pict><v:shape style="width:200pt;height:40pt"><v:textbox><w:txbxContent>'
        f'<w:p><w:r><w:t>Box: {secret["textbox"]} signed.</w:t></w:r></w:p>'
        f'</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>'))
    # hyperlink
    link_name = secret["hyperlink"].lower().replace(" ", ".")
    rid = d.part.relate_to(f"mailto:{link_name}@example.org", RT.HYPERLINK, is_external=True)
    body.append(parse_xml(
        f'<w:p {w}><w:r><w:t xml:space="preserve">See </w:t></w:r><w:hyperlink r:id="{rid}"><w:r>'
        f'<w:t>{secret["hyperlink"]}</w:t></w:r></w:hyperlink></w:p>'))
    # tracked changes
    body.append(parse_xml(
        f'<w:p {w}><w:ins w:id="91" w:author="{secret["revision_author"]}" w:date="2020-01-01T00:00:00Z"><w:r>'
        f'<w:t xml:space="preserve">Inserted {secret["inserted"]} here. </w:t></w:r></w:ins>'
        f'<w:del w:id="92" w:author="{secret["revision_author"]}" w:date="2020-01-01T00:00:00Z"><w:r>'
        f'<w:delText>Deleted {secret["deleted"]} text.</w:delText></w:r></w:del></w:p>'))
    # footnote and endnote parts, with references from the body
    for kind in ("footnote", "endnote"):
        xml = (f'<w:{kind}s {nsdecls("w")}><w:{kind} w:id="1"><w:p><w:r><w:t xml:space="preserve">'
               f'{kind.title()}: {secret[kind]} was heard.</w:t></w:r></w:p></w:{kind}></w:{kind}s>')
        part = Part(PackURI(f"/word/{kind}s.xml"),
                    f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml",
                    xml.encode(), d.part.package)
        d.part.relate_to(part, f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}s")
        body.append(parse_xml(f'<w:p {w}><w:r><w:t>Note</w:t></w:r><w:r><w:{kind}Reference w:id="1"/></w:r></w:p>'))
    # keep sectPr last
    sect = body.find(f'{{{body.nsmap["w"]}}}sectPr')
    if sect is not None:
        body.remove(sect)
        body.append(sect)

    props = d.core_properties
    props.author = secret["properties"]
    props.last_modified_by = secret["properties"]
    props.title = f"Case of {secret['properties']}"
    props.subject = secret["properties"]
    props.keywords = secret["properties"]
    props.comments = secret["properties"]
    d.save(str(path))
