"""DOCX files that hide a person's name in one place each (issue 10), built with python-docx (plus a few
raw parts where python-docx has no API), and one produced by LibreOffice.

Every builder writes ``path`` and returns a :class:`Case`: the strings the model finds in the text
(spans), strings in places the model never sees that must vanish too, and neighbour words that must stay.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

NAME = "Mr Jan Kowalski"
OPENING = "The applicant, Mr Jan Kowalski, lodged the application on 3 May 2004."
NEIGHBOURS = ("applicant", "lodged", "application")
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."


@dataclass
class Case:
    secrets: list[str]  # found in the model's text: become spans
    hidden: list[str] = field(default_factory=list)  # in the input, outside the text: must be gone too
    neighbours: tuple[str, ...] = NEIGHBOURS
    accept_unreadable: bool = False


def _ns() -> str:
    from docx.oxml.ns import nsdecls

    return nsdecls("w", "r", "wp", "a", "pic") + ' xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"'


def _doc():
    import docx

    d = docx.Document()
    d.add_paragraph(OPENING)
    return d


def _append(d, xml: str) -> None:
    """Append block-level XML to the body, keeping sectPr last."""
    from docx.oxml import parse_xml

    body = d.element.body
    body.append(parse_xml(xml))
    sect = body.find(f'{{{body.nsmap["w"]}}}sectPr')
    if sect is not None:
        body.remove(sect)
        body.append(sect)


def _add_part(d, name: str, content_type: str, blob: bytes, reltype: str, source=None):
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    part = Part(PackURI(name), content_type, blob, d.part.package)
    rid = (source or d.part).relate_to(part, reltype)
    return part, rid


def _rewrite(path: Path, replace: dict[str, bytes]) -> None:
    """Replace members of a saved zip; names not in it are added."""
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, replace.get(info.filename, data))
        for name in replace.keys() - {i.filename for i, _ in members}:
            z.writestr(name, replace[name])


def main_part_renamed(path: Path) -> Case:
    """The main document part is word/document2.xml (legal: found through the package relationships)."""
    from docx.opc.packuri import PackURI

    d = _doc()
    d.add_paragraph(f"Counsel for {NAME} was heard.")
    d.part.partname = PackURI("/word/document2.xml")
    d.save(str(path))
    # a decoy at the usual name, referenced by nothing: a reader going by name would redact the wrong part
    decoy = zipfile.ZipFile(path).read("word/document2.xml").replace(b"Counsel for", b"Orphan notes on")
    _rewrite(path, {"word/document.xml": decoy})
    return Case([NAME], hidden=["Orphan notes on"])


def _field(code: str, result: str, ff: str = "") -> str:
    return (f'<w:r><w:fldChar w:fldCharType="begin">{ff}</w:fldChar></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {code} </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t xml:space="preserve">{result}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


def fields(path: Path) -> Case:
    """HYPERLINK / INCLUDETEXT / MERGEFIELD field codes, a nested field in an IF code, fldSimple."""
    d = _doc()
    ns = _ns()
    _append(d, f'<w:p {ns}><w:r><w:t xml:space="preserve">Write to </w:t></w:r>'
               f'{_field("HYPERLINK &quot;mailto:jan.kowalski@example.org&quot;", NAME)}</w:p>')
    _append(d, f'<w:p {ns}>{_field("INCLUDETEXT &quot;C:&#92;Users&#92;Kowalski&#92;notes.docx&quot;", "Included notes")}</w:p>')
    _append(d, f'<w:p {ns}>{_field("MERGEFIELD Kowalski_Surname", "merged value")}</w:p>')
    _append(d, f'<w:p {ns}>{_field("PAGE  &#92;* MERGEFORMAT", "7")}</w:p>')  # stays a live field
    nested = (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> IF </w:instrText></w:r>'
              f'{_field("MERGEFIELD Client", "Zofia Kowalska")}'
              f'<w:r><w:instrText xml:space="preserve"> = "x" "yes" "no" </w:instrText></w:r>'
              f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>conditional text</w:t></w:r>'
              f'<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    _append(d, f'<w:p {ns}>{nested}</w:p>')
    _append(d, f'<w:p {ns}><w:fldSimple w:instr=" AUTHOR &quot;Jan Kowalski&quot; "><w:r><w:t>{NAME}</w:t></w:r>'
               f'</w:fldSimple><w:r><w:t xml:space="preserve"> signed the observations.</w:t></w:r></w:p>')
    d.save(str(path))
    return Case([NAME], hidden=["jan.kowalski@example.org", "Kowalska", "kowalski_surname"],
                neighbours=NEIGHBOURS + ("Included notes", "merged value", "conditional text", "observations"))


def form_fields(path: Path) -> Case:
    """A legacy text form field: its name, help text and default hold the name."""
    d = _doc()
    ff = ('<w:ffData><w:name w:val="Kowalski"/><w:enabled/><w:helpText w:type="text" w:val="Enter Jan Kowalski"/>'
          '<w:textInput><w:default w:val="Jan Kowalski"/></w:textInput></w:ffData>')
    _append(d, f'<w:p {_ns()}><w:r><w:t xml:space="preserve">Name: </w:t></w:r>{_field("FORMTEXT", NAME, ff)}</w:p>')
    d.save(str(path))
    return Case([NAME])


def content_control(path: Path) -> Case:
    """A content control whose alias, tag and list entries name the person."""
    d = _doc()
    _append(d, f'<w:sdt {_ns()}><w:sdtPr><w:alias w:val="Kowalski"/><w:tag w:val="Jan Kowalski"/>'
               f'<w:dropDownList><w:listItem w:displayText="{NAME}" w:value="Kowalski"/></w:dropDownList></w:sdtPr>'
               f'<w:sdtContent><w:p><w:r><w:t>Represented by {NAME} in person.</w:t></w:r></w:p></w:sdtContent></w:sdt>')
    d.save(str(path))
    return Case([NAME], neighbours=NEIGHBOURS + ("Represented", "person"))


def bookmarks(path: Path) -> Case:
    """A bookmark named after the person, and an internal link to it."""
    d = _doc()
    ns = _ns()
    _append(d, f'<w:p {ns}><w:bookmarkStart w:id="7" w:name="Kowalski_statement"/><w:r><w:t>The statement.</w:t></w:r>'
               f'<w:bookmarkEnd w:id="7"/></w:p>')
    _append(d, f'<w:p {ns}><w:hyperlink w:anchor="Kowalski_statement"><w:r><w:t>see the statement</w:t></w:r>'
               f'</w:hyperlink></w:p>')
    d.save(str(path))
    return Case([NAME], hidden=["Kowalski_statement"], neighbours=NEIGHBOURS + ("see the statement",))


def settings_template_vars(path: Path) -> Case:
    """Document variables and an attached template in the user's folder (settings.xml)."""
    from docx.oxml import parse_xml

    d = _doc()
    settings = d.settings.element
    settings.append(parse_xml(f'<w:docVars {_ns()}><w:docVar w:name="Client" w:val="Jan Kowalski"/></w:docVars>'))
    sp = d.part._settings_part
    rid = sp.relate_to("file:///C:/Users/Kowalski/Templates/Kowalski.dotm", RT + "attachedTemplate", is_external=True)
    settings.insert(0, parse_xml(f'<w:attachedTemplate {_ns()} r:id="{rid}"/>'))
    d.save(str(path))
    return Case([NAME], hidden=["Users/Kowalski/Templates"])


def links(path: Path) -> Case:
    """A mailto: link with a tooltip, a web link whose address names the person, and a harmless link."""
    d = _doc()
    ns = _ns()
    mail = d.part.relate_to("mailto:jan.kowalski@example.org", RT + "hyperlink", is_external=True)
    web = d.part.relate_to("https://example.org/cases/Kowalski%20v%20Poland", RT + "hyperlink", is_external=True)
    court = d.part.relate_to("https://www.echr.coe.int/", RT + "hyperlink", is_external=True)
    _append(d, f'<w:p {ns}><w:r><w:t xml:space="preserve">Write to </w:t></w:r><w:hyperlink r:id="{mail}" '
               f'w:tooltip="Email Jan Kowalski"><w:r><w:t>the applicant’s address</w:t></w:r></w:hyperlink></w:p>')
    _append(d, f'<w:p {ns}><w:r><w:t xml:space="preserve">See </w:t></w:r><w:hyperlink r:id="{web}">'
               f'<w:r><w:t>the case file</w:t></w:r></w:hyperlink><w:r><w:t xml:space="preserve"> and </w:t></w:r>'
               f'<w:hyperlink r:id="{court}"><w:r><w:t>the Court’s site</w:t></w:r></w:hyperlink></w:p>')
    d.save(str(path))
    return Case([NAME], hidden=["jan.kowalski@example.org", "Kowalski%20v%20Poland"],
                neighbours=NEIGHBOURS + ("the case file", "the Court’s site", "address"))


def png_bytes(size=(40, 20)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, "PNG")
    return buf.getvalue()


def image_alt_text(path: Path) -> Case:
    """A picture whose alt text, title and file name name the person."""
    d = _doc()
    d.add_picture(io.BytesIO(png_bytes()))
    for el in d.element.body.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "docPr":
            el.set("descr", f"Photograph of {NAME}")
            el.set("title", "Kowalski at the hearing")
        elif tag == "cNvPr":
            el.set("name", "kowalski.png")
            el.set("descr", f"Photograph of {NAME}")
    d.save(str(path))
    return Case([NAME], hidden=["kowalski.png", "Kowalski at the hearing"], accept_unreadable=True)


def people_and_comments(path: Path) -> Case:
    """A comment by the person (author, initials) and word/people.xml with their account."""
    d = _doc()
    p = d.add_paragraph("A remark on the facts.")
    d.add_comment(p.runs, text="Check the dates.", author="Jan Kowalski", initials="JK")
    people = ('<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
              '<w15:person w15:author="Jan Kowalski"><w15:presenceInfo w15:providerId="AD" '
              'w15:userId="S::jan.kowalski@example.org::1"/></w15:person></w15:people>').encode()
    _add_part(d, "/word/people.xml", WML + "people+xml", people,
              "http://schemas.microsoft.com/office/2011/relationships/people")
    d.save(str(path))
    return Case([NAME], hidden=["Jan Kowalski", "jan.kowalski@example.org"],
                neighbours=NEIGHBOURS + ("remark", "Check the dates."))


def custom_xml(path: Path) -> Case:
    """A custom XML data part naming the client."""
    d = _doc()
    _add_part(d, "/customXml/item7.xml", "application/xml",
              b"<client><name>Jan Kowalski</name><email>jan.kowalski@example.org</email></client>",
              RT + "customXml")
    d.save(str(path))
    return Case([NAME], hidden=["<name>Jan Kowalski</name>"])


def glossary(path: Path) -> Case:
    """A glossary document (building blocks) holding the name."""
    from docx.oxml.ns import nsdecls

    d = _doc()
    xml = (f'<w:glossaryDocument {nsdecls("w")}><w:docParts><w:docPart><w:docPartPr><w:name w:val="Kowalski block"/>'
           f'</w:docPartPr><w:docPartBody><w:p><w:r><w:t>Jan Kowalski, Warsaw</w:t></w:r></w:p></w:docPartBody>'
           f'</w:docPart></w:docParts></w:glossaryDocument>').encode()
    _add_part(d, "/word/glossary/document.xml", WML + "document.glossary+xml", xml, RT + "glossaryDocument")
    d.save(str(path))
    return Case([NAME], hidden=["Kowalski block", "Jan Kowalski, Warsaw"])


def app_properties(path: Path) -> Case:
    """app.xml naming the document after the person (TitlesOfParts) and their firm; core properties."""
    d = _doc()
    d.core_properties.author = "Jan Kowalski"
    d.core_properties.title = "Kowalski v. Poland"
    d.save(str(path))
    app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           '<Company>Kowalski &amp; Partners</Company><TitlesOfParts><vt:vector size="1" baseType="lpstr">'
           '<vt:lpstr>Kowalski v. Poland</vt:lpstr></vt:vector></TitlesOfParts></Properties>').encode()
    _rewrite(path, {"docProps/app.xml": app})
    return Case([NAME], hidden=["Kowalski &amp; Partners", "Kowalski v. Poland"])


def chart_with_workbook(path: Path) -> Case:
    """An embedded chart whose title and cache name the person, with its .xlsx workbook (stored
    uncompressed so the name is visible in the input's bytes)."""
    d = _doc()
    ns = _ns()
    wb = io.BytesIO()
    with zipfile.ZipFile(wb, "w", zipfile.ZIP_STORED) as z:
        z.writestr("xl/sharedStrings.xml", "<sst><si><t>Jan Kowalski</t></si></sst>")
    chart = (f'<c:chartSpace {ns}><c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>Income of Jan Kowalski'
             f'</a:t></a:r></a:p></c:rich></c:tx></c:title><c:plotArea><c:barChart><c:ser><c:tx><c:strRef>'
             f'<c:strCache><c:pt idx="0"><c:v>Kowalski</c:v></c:pt></c:strCache></c:strRef></c:tx></c:ser>'
             f'</c:barChart></c:plotArea></c:chart><c:externalData r:id="rId1"/></c:chartSpace>').encode()
    part, rid = _add_part(d, "/word/charts/chart1.xml",
                          "application/vnd.openxmlformats-officedocument.drawingml.chart+xml", chart, RT + "chart")
    _add_part(d, "/word/embeddings/Microsoft_Excel_Worksheet.xlsx",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", wb.getvalue(), RT + "package",
              source=part)
    _append(d, f'<w:p {ns}><w:r><w:t xml:space="preserve">Chart: </w:t></w:r><w:r><w:drawing><wp:inline>'
               f'<wp:extent cx="2743200" cy="1600200"/><wp:docPr id="90" name="Chart 1"/><a:graphic>'
               f'<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart r:id="{rid}"/>'
               f'</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
    d.save(str(path))
    return Case([NAME], hidden=["Income of Jan Kowalski", "<t>Jan Kowalski</t>"], neighbours=NEIGHBOURS + ("Chart:",))


def alt_chunk(path: Path) -> Case:
    """An altChunk: an HTML file imported into the body when Word opens it."""
    d = _doc()
    part, rid = _add_part(d, "/word/afchunk.htm", "text/html",
                          b"<html><body><p>Statement of Jan Kowalski, Sopot</p></body></html>", RT + "aFChunk")
    _append(d, f'<w:altChunk {_ns()} r:id="{rid}"/>')
    cell = d.add_table(rows=1, cols=1).cell(0, 0)._tc  # a cell whose only content is an altChunk
    cell.remove(cell.find(f'{{{cell.nsmap["w"]}}}p'))
    from docx.oxml import parse_xml
    cell.append(parse_xml(f'<w:altChunk {_ns()} r:id="{rid}"/>'))
    d.add_paragraph("Closing words of the registry.")
    d.save(str(path))
    return Case([NAME], hidden=["Statement of Jan Kowalski, Sopot"], neighbours=NEIGHBOURS + ("registry",))


def ole_object(path: Path) -> Case:
    """An embedded OLE object (a Word 97 document in the package) with its preview picture: the object,
    its preview and its run go; the preview is not an unreadable image of the output."""
    d = _doc()
    ns = _ns() + ' xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    _, img = _add_part(d, "/word/media/image9.png", "image/png", png_bytes(), RT + "image")
    _, ole = _add_part(d, "/word/embeddings/oleObject1.bin", "application/vnd.openxmlformats-officedocument.oleObject",
                       b"\xd0\xcf\x11\xe0 Statement by Jan Kowalski " + "Jan Kowalski".encode("utf-16-le"),
                       RT + "oleObject")
    _append(d, f'<w:p {ns}><w:r><w:t xml:space="preserve">Annex: </w:t></w:r><w:r><w:object>'
               f'<v:shape id="_x0000_i1025" type="#_x0000_t75" style="width:40pt;height:20pt">'
               f'<v:imagedata r:id="{img}" o:title="Kowalski statement"/></v:shape>'
               f'<o:OLEObject Type="Embed" ProgID="Word.Document.8" ShapeID="_x0000_i1025" DrawAspect="Icon" '
               f'ObjectID="_1234" r:id="{ole}"/></w:object></w:r></w:p>')
    d.save(str(path))
    return Case([NAME], hidden=["Statement by Jan Kowalski"], neighbours=NEIGHBOURS + ("Annex:",))


def _gfxdata() -> str:
    """What Word puts in a VML shape's o:gfxdata: a base64 zip holding the DrawingML shape, text included."""
    import base64

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("drs/shapexml.xml", date_time=(2020, 1, 1, 0, 0, 0)), f"<wps:txbx><w:t>Box: {NAME} signed.</w:t></wps:txbx>" + " " * 300)
    return base64.b64encode(buf.getvalue()).decode()


def drawing_text_box(path: Path) -> Case:
    """A DrawingML text box (Word 2010+: mc:AlternateContent with a wps text box and its VML fallback)
    whose shape is named after the person."""
    d = _doc()
    ns = (_ns() + ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
          ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
          ' xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"')
    box = f'<w:txbxContent><w:p><w:r><w:t>Box: {NAME} signed.</w:t></w:r></w:p></w:txbxContent>'
    _append(d, f'<w:p {ns}><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:inline>'
               f'<wp:extent cx="1828800" cy="457200"/><wp:docPr id="77" name="Text Box Kowalski" descr="Note by {NAME}"/>'
               f'<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
               f'<wps:wsp><wps:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr><wps:txbx>{box}</wps:txbx>'
               f'<wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice>'
               f'<mc:Fallback><w:pict><v:shape style="width:144pt;height:36pt" alt="Note by {NAME}" '
               f'o:gfxdata="{_gfxdata()}"><v:imagedata o:href="file:///C:/Users/Kowalski/box.png"/><v:textbox>{box}'
               f'</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>')
    d.save(str(path))
    return Case([NAME], hidden=["Text Box Kowalski", _gfxdata()[:40], "Users/Kowalski"],
                neighbours=NEIGHBOURS + ("Box:", "signed"))


def watermark_and_table_caption(path: Path) -> Case:
    """A WordArt watermark in the header (text in an attribute) and a table's alt text."""
    from docx.oxml import parse_xml

    d = _doc()
    ns = _ns() + ' xmlns:v="urn:schemas-microsoft-com:vml"'
    header = d.sections[0].header
    header.paragraphs[0]._p.append(parse_xml(
        f'<w:r {ns}><w:pict><v:shape style="width:400pt;height:100pt" type="#_x0000_t136">'
        f'<v:textpath style="font-family:Calibri" string="Draft for {NAME}"/></v:shape></w:pict></w:r>'))
    table = d.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "Amount claimed"
    table._tbl.tblPr.append(parse_xml(f'<w:tblCaption {ns} w:val="Claims of {NAME}"/>'))
    table._tbl.tblPr.append(parse_xml(f'<w:tblDescription {ns} w:val="Kowalski family claims"/>'))
    d.save(str(path))
    return Case([NAME], hidden=["Kowalski family claims", f"Draft for {NAME}"],
                neighbours=NEIGHBOURS + ("Amount claimed",))


NON_ASCII = ["Zbigniew Łukasiewicz", "Şahin Yılmaz", "Bjørn Ødegård"]


def non_ascii(path: Path) -> Case:
    """Polish, Turkish and Norwegian names in the body (split across formatted runs), a header,
    a footnote-free comment and a table."""
    d = _doc()
    p = d.add_paragraph("The witnesses ")
    bold = p.add_run("Zbigniew Łuka")
    bold.bold = True
    p.add_run("siewicz and Şahin Yılmaz were heard.")
    t = d.add_table(rows=1, cols=1)
    t.cell(0, 0).text = "Expert: Bjørn Ødegård, Bergen."
    d.sections[0].header.paragraphs[0].text = "Case of Şahin Yılmaz"
    d.add_comment(p.runs, text="Bjørn Ødegård disagrees.", author="Bjørn Ødegård", initials="BØ")
    d.save(str(path))
    return Case([NAME] + NON_ASCII, neighbours=NEIGHBOURS + ("witnesses", "Expert", "Bergen"))


def libreoffice(path: Path, workdir: Path) -> Case:
    """A DOCX written by LibreOffice (from HTML): its own XML style, settings, properties and links, an
    embedded picture and a picture linked from a file named after the person."""
    import base64

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is not installed"
    (workdir / "kowalski_photo.png").write_bytes(png_bytes())
    embedded = base64.b64encode(png_bytes((30, 30))).decode()
    html = workdir / (path.stem + ".html")
    html.write_text(
        '<html><head><meta charset="utf-8"><title>Case of Zbigniew Łukasiewicz</title>'
        '<meta name="author" content="Jan Kowalski"></head><body>'
        f"<p>{OPENING}</p>"
        "<p>The witnesses Zbigniew Łukasiewicz, Şahin Yılmaz and Bjørn Ødegård were heard in Sopot.</p>"
        '<p>Write to <a href="mailto:jan.kowalski@example.org">the applicant</a> or see '
        '<a href="https://example.org/Kowalski">the file</a>.</p>'
        '<p>Photos: <img src="kowalski_photo.png" width="40" height="20"> '
        f'<img src="data:image/png;base64,{embedded}" width="30" height="30"></p>'
        "<table><tr><td>Witness</td><td>Şahin Yılmaz</td></tr></table></body></html>", encoding="utf-8")
    profile = workdir / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(workdir), str(html)],
                   check=True, capture_output=True, timeout=120)
    shutil.move(workdir / (path.stem + ".docx"), path)
    return Case([NAME] + NON_ASCII, hidden=["jan.kowalski@example.org", "kowalski_photo.png"],
                neighbours=NEIGHBOURS + ("witnesses", "Witness", "Sopot", "Photos:"), accept_unreadable=True)


_FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:meta><dc:creator>Jan Kowalski</dc:creator><dc:title>Kowalski v. Poland</dc:title><meta:user-defined meta:name="Client">Jan Kowalski</meta:user-defined></office:meta>
 <office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"><style:header><text:p>Case of Zbigniew Łukasiewicz</text:p></style:header><style:footer><text:p>Page <text:page-number text:select-page="current">1</text:page-number></text:p></style:footer></style:master-page></office:master-styles>
 <office:body><office:text>
  <text:tracked-changes><text:changed-region text:id="ct1"><text:insertion><office:change-info><dc:creator>Jan Kowalski</dc:creator><dc:date>2020-01-01T00:00:00</dc:date></office:change-info></text:insertion></text:changed-region></text:tracked-changes>
  <text:p>The applicant, Mr Jan Kowalski, lodged the application on 3 May 2004.<text:note text:id="n1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Footnote on Şahin Yılmaz.</text:p></text:note-body></text:note></text:p>
  <text:p><text:bookmark text:name="Kowalski_statement"/>Statement by <text:change-start text:change-id="ct1"/>Bjørn Ødegård<text:change-end text:change-id="ct1"/> follows.<office:annotation><dc:creator>Jan Kowalski</dc:creator><dc:date>2020-01-01T00:00:00</dc:date><text:p>Ask Mr Jan Kowalski.</text:p></office:annotation></text:p>
  <text:p>Author field: <text:author-name>Jan Kowalski</text:author-name>; title: <text:title>Kowalski v. Poland</text:title>; user field: <text:user-defined text:name="Client">Jan Kowalski</text:user-defined>.</text:p>
  <text:p>Link: <text:a xlink:type="simple" xlink:href="mailto:jan.kowalski@example.org" office:title="Email Jan Kowalski">write</text:a>. See <text:bookmark-ref text:reference-format="text" text:ref-name="Kowalski_statement">the statement</text:bookmark-ref>.</text:p>
 </office:text></office:body>
</office:document>
"""


def libreoffice_odt(path: Path, workdir: Path) -> Case:
    """A DOCX written by LibreOffice from an ODT with fields (author, title, user-defined property,
    page number, cross-reference), a bookmark, a footnote, a comment and a tracked insertion, all by or
    about the person; custom properties."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is not installed"
    src = workdir / (path.stem + ".fodt")
    src.write_text(_FODT, encoding="utf-8")
    subprocess.run([soffice, f"-env:UserInstallation=file://{workdir / 'lo-profile'}", "--headless", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(workdir), str(src)],
                   check=True, capture_output=True, timeout=120)
    shutil.move(workdir / (path.stem + ".docx"), path)
    return Case([NAME, "Jan Kowalski", "Kowalski"] + NON_ASCII,
                hidden=["Kowalski_statement", "jan.kowalski@example.org", 'w:author="jan kowalski"'],
                neighbours=NEIGHBOURS + ("Statement by", "Author field:", "Link:", "Page 1"))


BUILDERS = [main_part_renamed, fields, form_fields, content_control, bookmarks, settings_template_vars, links,
            image_alt_text, people_and_comments, custom_xml, glossary, app_properties, chart_with_workbook,
            alt_chunk, ole_object, drawing_text_box,
            watermark_and_table_caption, non_ascii]
