"""Leak tests: redacted PDFs and DOCX files are checked with independent readers (poppler's pdftotext,
pypdfium2, zip + zlib scans of every part/stream), not with redact's own extractor."""

import json
import re
import shutil
import subprocess
import zipfile
import zlib

import pytest

from conftest import ROOT, run_cli
from documents import docx_everything, pdf_fpdf2, pdf_reportlab, pdf_scanned
from tiny import rigged_bert

SECRETS = {"body": "Daryl Arkwell", "table": "Kemal Evcimen", "header": "Zbigniew Radaj", "footer": "Lasse Lilja",
           "comment": "Tony Booth", "comment_author": "Joyce Barrow", "textbox": "Timothy Walker",
           "hyperlink": "Graham Thorne", "revision_author": "Dennis Twomey", "inserted": "Harry Shindler",
           "deleted": "Colin Brien", "footnote": "Hasan Erkan", "endnote": "Leszek Gebura",
           "properties": "Andreas Orphanides"}
# names the model is rigged to find in text (authors and properties are scrubbed as metadata)
IN_TEXT = [v for k, v in SECRETS.items() if k not in ("comment_author", "revision_author", "properties")]
PARAGRAPHS = [
    "The case originated in an application against the Republic lodged by Daryl Arkwell on 3 March 2001.",
    "The applicant, Daryl Arkwell, was represented by Kemal Evcimen, a lawyer practising in the city.",
    "Zbigniew Radaj and Lasse Lilja gave evidence. " * 3,
] + [f"Paragraph {i}: the court heard the parties and examined the observations of Tony Booth." for i in range(60)]
PDF_SECRETS = ["Daryl Arkwell", "Kemal Evcimen", "Zbigniew Radaj", "Lasse Lilja", "Tony Booth"]
NEIGHBOURS = ["originated", "applicant", "represented", "evidence", "observations"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    words = sorted({w for name in SECRETS.values() for w in name.split()})
    return rigged_bert(tmp_path_factory.mktemp("rigged"), words)


def pdftotext(path):
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdfium_text(path):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def raw_pdf_streams(path) -> str:
    """Every stream in the file, inflated where it is Flate-compressed, plus the uncompressed bytes."""
    data = path.read_bytes()
    out = [data.decode("latin-1")]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            out.append(zlib.decompress(m.group(1)).decode("latin-1"))
        except zlib.error:
            pass
    return "\n".join(out)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (installed by .ci/run)")
@pytest.mark.parametrize("producer", ["reportlab", "fpdf2"])
def test_pdf_redaction_leaves_nothing(tmp_path, model, producer):
    from pypdf import PdfReader

    src = tmp_path / "in" / "case.pdf"
    src.parent.mkdir()
    if producer == "reportlab":
        pdf_reportlab(src, PARAGRAPHS, title="Case of Daryl Arkwell", author="Kemal Evcimen",
                      outline="Daryl Arkwell v. the Republic", annotation="Ask Lasse Lilja")
    else:
        pdf_fpdf2(src, PARAGRAPHS, title="Case of Daryl Arkwell", author="Kemal Evcimen")
    before = squeeze(pdftotext(src))
    assert all(s in before for s in PDF_SECRETS)  # the fixture really holds them

    out = tmp_path / "out"
    proc = run_cli("run", "--model", model, src, "-o", out)
    assert proc.returncode == 0, proc.stderr
    red = out / "case.pdf"
    for extract in (pdftotext, pdfium_text):
        text = squeeze(extract(red))
        for secret in PDF_SECRETS:
            for word in secret.split():
                assert word not in text, (extract.__name__, word)
        for word in NEIGHBOURS:
            assert word in text, (extract.__name__, word)
    streams = raw_pdf_streams(red)
    for secret in PDF_SECRETS + ["Arkwell", "Evcimen"]:
        assert secret not in streams
    original, redacted = PdfReader(str(src)), PdfReader(str(red))
    assert len(redacted.pages) == len(original.pages) > 1
    for a, b in zip(original.pages, redacted.pages):
        assert [float(x) for x in a.mediabox] == [float(x) for x in b.mediabox]
    assert not redacted.metadata or not any("Arkwell" in str(v) or "Evcimen" in str(v)
                                            for v in redacted.metadata.values())
    report = json.loads((tmp_path / "out.reports" / "case.pdf.json").read_text())
    assert report["pages"] == len(original.pages)
    assert all(s["page"] >= 1 and len(s["bbox"]) == 4 for s in report["spans"])


def test_scanned_pdf_is_never_claimed_redacted(tmp_path, model):
    src = tmp_path / "scan.pdf"
    pdf_scanned(src)
    proc = run_cli("run", "--model", model, src, "-o", tmp_path / "o")
    assert proc.returncode == 1 and "no text layer" in proc.stderr
    proc = run_cli("run", "--model", model, src, "-o", tmp_path / "o2", "--accept-no-text")
    assert proc.returncode == 0
    report = json.loads((tmp_path / "o2.reports" / "scan.pdf.json").read_text())
    assert report["unreadable_pages"] == [1] and report["verification"]["unverified"] == ["page 1"]


def test_encrypted_pdf_with_password_is_one_clear_error(tmp_path, model):
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / "plain.pdf"
    pdf_reportlab(plain, PARAGRAPHS[:2])
    w = PdfWriter(clone_from=PdfReader(str(plain)))
    w.encrypt(user_password="secret", owner_password="owner")
    locked = tmp_path / "in" / "locked.pdf"
    locked.parent.mkdir()
    w.write(str(locked))
    shutil.copy(plain, locked.parent / "plain.pdf")
    proc = run_cli("run", "--model", model, locked.parent, "-o", tmp_path / "out")
    assert proc.returncode == 1
    assert "encrypted" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "out" / "plain.pdf").exists()


def test_docx_every_story_is_redacted(tmp_path, model):
    import docx

    src = tmp_path / "in" / "case.docx"
    src.parent.mkdir()
    docx_everything(src, SECRETS)
    raw_before = "".join(zipfile.ZipFile(src).read(n).decode("utf-8", "ignore") for n in zipfile.ZipFile(src).namelist())
    assert all(word in raw_before for v in SECRETS.values() for word in v.split())
    assert "mailto:graham.thorne@" in raw_before

    out = tmp_path / "out"
    proc = run_cli("run", "--model", model, src, "-o", out, "--style", "label")
    assert proc.returncode == 0, proc.stderr
    red = out / "case.docx"
    with zipfile.ZipFile(red) as z:
        for name in z.namelist():  # every part: XML, relationships (link targets), properties
            data = z.read(name).decode("utf-8", "ignore").lower()
            for place, secret in SECRETS.items():
                for word in secret.lower().split():
                    assert word not in data, (name, place, word)
    d = docx.Document(str(red))  # opens cleanly
    body = "\n".join(p.text for p in d.paragraphs)
    assert "The applicant, [PERSON], was born in 1961." in body
    assert "Nested: [PERSON] lives here." in d.tables[0].cell(0, 1).tables[0].cell(0, 0).text
    assert d.sections[0].header.paragraphs[0].text == "Header [PERSON]"
    assert d.core_properties.author == "" and d.core_properties.title == ""
    # each run kept its own formatting: the bold run now holds the label, the italic run is emptied
    runs = d.paragraphs[0].runs
    assert runs[1].bold and runs[1].text == "[PERSON]" and runs[2].italic and runs[2].text == ""


def test_docx_names_that_are_part_names_are_redacted_not_refused(tmp_path):
    """People called Header or Page in a DOCX with a header and a footer: the words are also in the
    package's own part names ("/word/header1.xml", "footer1.xml"), which are not text: the file is
    redacted (not refused), and no part read back by unzip holds the names' other words."""
    import docx

    model = rigged_bert(tmp_path / "rigged", ["Emily", "Header", "Jimmy", "Page"])
    src = tmp_path / "in" / "statement.docx"
    src.parent.mkdir()
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Statement of Jimmy Page"
    d.sections[0].footer.paragraphs[0].text = "Witness statement, Emily Header"
    d.add_paragraph("The witness, Jimmy Page, lives with Ms Emily Header in Leeds.")
    d.save(str(src))
    assert "header1.xml" in "".join(zipfile.ZipFile(src).namelist())
    out = tmp_path / "out"
    proc = run_cli("run", "--model", model, src, "-o", out)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out / "statement.docx") as z:
        text = " ".join(re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8", "ignore")) for n in z.namelist())
    assert "Leeds" in text and "Witness statement" in text
    for word in ("Emily", "Jimmy", "Page", "Header"):
        assert word not in text, word


def test_samples_redact_in_all_three_formats(tmp_path):
    """The shipped model over the samples: in every output, read back by an independent reader, no removed
    string occurs more often than in the intended redaction (the input with the report's spans masked:
    what the model kept elsewhere stays, what it removed is gone)."""
    from redact.formats import format_for

    samples = ROOT / "samples"
    assert {p.suffix for p in samples.iterdir()} >= {".txt", ".docx", ".pdf"}
    out = tmp_path / "out"
    proc = run_cli("run", samples, "-o", out)
    assert proc.returncode == 0, proc.stderr
    for src in sorted(p for p in samples.iterdir() if p.suffix in (".txt", ".docx", ".pdf")):
        report = json.loads((tmp_path / "out.reports" / (src.name + ".json")).read_text())
        assert report["spans"] and report["verification"]["reader"]
        original = format_for(src).read(src).text
        intended, pos = [], 0
        for s in report["spans"]:
            assert original[s["start"] : s["end"]] == s["text"]
            intended += [original[pos : s["start"]], " " * (s["end"] - s["start"])]
            pos = s["end"]
        intended = squeeze("".join(intended + [original[pos:]]))
        red = out / src.name
        if src.suffix == ".pdf":
            text = squeeze(pdftotext(red)) if shutil.which("pdftotext") else pdfium_text(red)
        elif src.suffix == ".docx":
            with zipfile.ZipFile(red) as z:
                text = squeeze(" ".join(re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8", "ignore"))
                                        for n in z.namelist() if n.endswith(".xml")))
        else:
            text = squeeze(red.read_text())
        for secret in {s["text"] for s in report["spans"] if len(s["text"]) >= 4}:
            pattern = r"(?<!\w)" + re.escape(squeeze(secret)) + r"(?!\w)"
            assert len(re.findall(pattern, text)) <= len(re.findall(pattern, intended)), (red.name, secret)
