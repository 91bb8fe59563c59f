"""E-mail (.eml) and web page (.html) formats: fixtures from real producers (the standard library's email
package, git format-patch, pandoc, LibreOffice), redacted with the shipped model, every output read back by
a reader that is not the writer (html5lib / lxml for HTML; ``email`` with policy compat32 plus our own
base64 / quoted-printable decoding for messages; pdftotext for attached PDFs)."""

from __future__ import annotations

import base64
import json
import quopri
import re
import shutil
import subprocess
import sys
import unicodedata
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import run_cli  # noqa: E402

REMOVED = ["Kowalski", "Griffith", "Warsaw", "3 March 2006"]
KEPT = ["applicant", "hearing", "Court"]
LETTER = ("The applicant, Mr Jan Kowalski, was born in 1960 and lives in Warsaw. Anna Griffith wrote to him on "
          "3 March 2006 about the hearing before the Court.")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).casefold()


@pytest.fixture(scope="module")
def redactor():
    import redact

    return redact.Redactor()


def redact_one(redactor, src: Path, dest: Path, **kw):
    report = redactor.redact_file(src, dest, reports=dest.parent / "reports", **kw)
    return report


# -- independent readers --------------------------------------------------------------------------------

def html_text(data: bytes) -> str:
    """Text and every attribute value of a page, read by html5lib (not the writer's lxml)."""
    import html5lib

    tree = html5lib.parse(data, treebuilder="etree", namespaceHTMLElements=False)
    out = []
    for el in tree.iter():
        out += [el.text or "", el.tail or ""]
        out += [str(v) for v in el.attrib.values()]
    return "\n".join(out)


def eml_text(data: bytes, tmp: Path) -> str:
    """Every header and part of a message, decoded by hand (compat32 parser; base64/quopri; charsets); PDFs
    through pdftotext, DOCX through python-docx, HTML through html5lib; nested messages walked."""
    msg = message_from_bytes(data, policy=policy.compat32)
    out = []
    for i, part in enumerate(msg.walk()):
        for k, v in part.items():
            out.append(f"{k}: {make_header(decode_header(str(v)))}")
        if part.is_multipart():
            continue
        raw = part.get_payload()
        cte = (part.get("Content-Transfer-Encoding") or "").lower()
        body = raw.encode("latin-1", "replace")
        if cte == "base64":
            body = base64.b64decode(body)
        elif cte == "quoted-printable":
            body = quopri.decodestring(body)
        ctype = part.get_content_type()
        name = part.get_filename() or ""
        if ctype == "text/html":
            out.append(html_text(body))
        elif ctype.startswith("text/"):
            out.append(body.decode(part.get_content_charset() or "utf-8", "replace"))
        elif name.endswith(".pdf"):
            p = tmp / f"part{i}.pdf"
            p.write_bytes(body)
            out.append(subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True).stdout)
        elif name.endswith(".docx"):
            import docx

            p = tmp / f"part{i}.docx"
            p.write_bytes(body)
            out += [para.text for para in docx.Document(str(p)).paragraphs]
        else:
            out.append(body.decode("latin-1"))
    out.append(data.decode("latin-1"))
    return "\n".join(out)


def assert_clean(text: str, removed=REMOVED, kept=KEPT):
    got = norm(text)
    for r in removed:
        assert norm(r) not in got, r
    for k in kept:
        assert norm(k) in got, k


# -- HTML -----------------------------------------------------------------------------------------------

MARKDOWN = f"""---
title: Letter about Mr Jan Kowalski
author: Anna Griffith
---

# The case

{LETTER}

See the [hearing notes](https://example.org/people/jan-kowalski) and
![Photo of Jan Kowalski](photo.png "Jan Kowalski at home").

| Name | City |
|---|---|
| Mr Jan Kowalski | Warsaw |

Contact: <mailto:jan.kowalski@example.pl>
"""


@pytest.fixture(scope="module")
def html_fixtures(tmp_path_factory):
    d = tmp_path_factory.mktemp("html")
    (d / "doc.md").write_text(MARKDOWN)
    if not shutil.which("pandoc"):
        pytest.skip("pandoc not installed")
    subprocess.run(["pandoc", "-s", "doc.md", "-o", "pandoc.html"], cwd=d, check=True, capture_output=True)
    subprocess.run(["pandoc", "doc.md", "-o", "doc.docx"], cwd=d, check=True, capture_output=True)
    if shutil.which("soffice"):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{d}/lo", "--headless", "--convert-to", "html",
                        "--outdir", str(d / "lo-out"), "doc.docx"], cwd=d, capture_output=True, timeout=180)
        if (d / "lo-out" / "doc.html").exists():
            shutil.copy(d / "lo-out" / "doc.html", d / "libreoffice.html")
    (d / "hiding.htm").write_text(
        "<html><head><meta name='author' content='Anna Griffith'><meta name='description' content='About Mr Jan "
        "Kowalski'><title>Mr Jan Kowalski</title><script>var who='Jan Kowalski';</script>"
        "<style>/* Griffith */ p { color: red }</style></head><body>"
        f"<!-- written by Anna Griffith --><p data-person='Mr Jan Kowalski' onclick=\"alert('Kowalski')\">{LETTER}</p>"
        "<iframe src='https://example.org/kowalski'></iframe><object data='x.swf'>Kowalski</object>"
        "<p><img alt='Jan Kowalski' src='data:image/png;base64,AAAA'> <a href='/files/Kowalski.pdf'>file</a> "
        "<a href='https://example.org/help' title='Griffith'>help</a></p>"
        "<p>Mr Jan <b>Kow</b>alski signed it.</p><noscript>Kowalski</noscript></body></html>", encoding="utf-8")
    return d


@pytest.mark.parametrize("name", ["pandoc.html", "libreoffice.html", "hiding.htm"])
def test_html_outputs_read_back_clean(redactor, html_fixtures, tmp_path, name):
    src = html_fixtures / name
    if not src.exists():
        pytest.skip(f"{name} was not produced")
    dest = tmp_path / name
    report = redact_one(redactor, src, dest)
    assert report.status == "redacted", report.error
    data = dest.read_bytes()
    assert_clean(html_text(data))
    assert_clean(data.decode("utf-8"))  # raw bytes too
    import lxml.html

    assert_clean(lxml.html.document_fromstring(data).text_content())
    assert report.verification["reader"].startswith("html.parser")


def test_html_drops_scripts_comments_and_embedded(redactor, html_fixtures, tmp_path):
    dest = tmp_path / "hiding.htm"
    report = redact_one(redactor, html_fixtures / "hiding.htm", dest)
    out = dest.read_text()
    for gone in ("<script", "<!--", "<iframe", "<object", "onclick", "<noscript", "data:image", "author"):
        assert gone not in out.lower(), gone
    assert "https://example.org/help" in out  # a clean link stays
    assert "/files/" not in out  # a link naming the person goes, its text stays
    assert ">file</a>" in out
    dropped = " ".join(report.dropped)
    assert "<script>" in dropped and "comments" in dropped and "<meta name=author>" in dropped


def test_html_verifier_catches_a_leak(redactor, html_fixtures, tmp_path):
    from redact.formats import format_for
    from redact.verify import Needles

    fmt = format_for("x.html")
    leaky = tmp_path / "leak.html"
    leaky.write_text('<p title="x">ok</p><p data-x="J&#97;n Kowalski">fine</p>')
    needles = Needles.for_redaction("Jan Kowalski", [__import__("redact.spans").spans.Span(0, 12, "PERSON")])
    assert not fmt.verify(leaky, needles).ok
    leaky.write_text('<p>ok <a href="https://x.org/jan%20kowalski">x</a></p>')
    assert not fmt.verify(leaky, needles).ok


def test_html_through_the_cli(html_fixtures, tmp_path):
    out = tmp_path / "out"
    res = run_cli("run", html_fixtures / "pandoc.html", "-o", out, "--style", "label")
    assert res.returncode == 0, res.stderr
    data = (out / "pandoc.html").read_bytes()
    assert "[PERSON]" in data.decode()
    assert_clean(html_text(data))


def test_html_bomb_fails_alone(tmp_path):
    from redact.formats import html as H

    deep = tmp_path / "deep.html"
    deep.write_text("<div>" * 5000 + "Jan Kowalski" + "</div>" * 5000)
    binary = tmp_path / "bin.html"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    for p in (deep, binary):
        with pytest.raises(H.BadInput):
            H.FORMAT.read(p)


# -- EML ------------------------------------------------------------------------------------------------

def _headers(m, subject="Hearing of Mr Jan Kowalski in Warsaw"):
    m["From"] = Address("Anna Griffith", "anna.griffith", "example.org")
    m["To"] = Address("Jan Kowalski", "jan.kowalski", "example.pl")
    m["Subject"] = subject
    m["Date"] = "Fri, 03 Mar 2006 10:00:00 +0100"
    m["Message-ID"] = "<20060303.123@mail.griffith.example.org>"
    m["Received"] = "from mail.griffith.example.org (10.0.0.1) by mx.example.pl"
    m["X-Originating-IP"] = "10.0.0.1"
    m["DKIM-Signature"] = "v=1; a=rsa-sha256; d=example.org; b=abc"


def alternative(path: Path) -> None:
    m = EmailMessage()
    _headers(m)
    m.set_content(f"Dear Mr Jan Kowalski,\n\n{LETTER}\n\nRegards,\nAnna Griffith\n")
    m.add_alternative(f"<html><body><p>Dear Mr Jan Kowalski,</p><p>{LETTER}</p>"
                      "<p><a href='mailto:anna.griffith@example.org'>Anna Griffith</a></p></body></html>",
                      subtype="html")
    path.write_bytes(m.as_bytes())


def latin2_encoded_words(path: Path) -> None:
    m = EmailMessage()
    m["From"] = Address("Józef Wiśniewski", "jozef", "example.pl")
    m["To"] = Address("Anna Griffith", "anna.griffith", "example.org")
    m["Subject"] = "Sprawa Pana Józefa Wiśniewskiego i Mr Jan Kowalski"
    m["Date"] = "Fri, 03 Mar 2006 10:00:00 +0100"
    m.set_content(f"{LETTER}\nPozdrawiam, Józef Wiśniewski z Krakowa.\n", charset="iso-8859-2", cte="quoted-printable")
    data = m.as_bytes()
    assert b"=?utf-8?" in data.lower() or b"=?iso-8859-2?" in data.lower()
    path.write_bytes(data)


def thread(path: Path) -> None:
    body = [f"Thanks, I will tell Mr Jan Kowalski.\n\nAnna Griffith\n"]
    quote = f"{LETTER}\nBest, Anna Griffith"
    for n in range(12):
        quote = f"On {n + 1} April 2006, Anna Griffith <anna.griffith@example.org> wrote:\n" + \
            "\n".join("> " + line for line in quote.splitlines())
        body.append(quote)
    m = EmailMessage()
    _headers(m, "Re: Re: Re: hearing")
    m["In-Reply-To"] = "<20060302.99@mail.griffith.example.org>"
    m["References"] = "<20060301.1@mail.griffith.example.org> <20060302.99@mail.griffith.example.org>"
    m.set_content("\n\n".join(body[:2]) + "\n\n" + body[-1], charset="windows-1252")
    path.write_bytes(m.as_bytes())


def mixed_with_attachments(path: Path, tmp: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    from pdf_fixtures import DEJAVU, fpdf2

    pdf = tmp / "statement.pdf"
    fpdf2(pdf, [LETTER, "The Court adjourned the hearing."])
    import docx

    d = docx.Document()
    d.add_paragraph(LETTER)
    d.add_paragraph("The hearing was adjourned by the Court.")
    d.save(tmp / "minutes.docx")
    img = Image.new("RGB", (1400, 200), "white")
    ImageDraw.Draw(img).text((20, 60), "The applicant Anna Griffith appeared.",
                             fill="black", font=ImageFont.truetype(str(DEJAVU), 48))
    img.save(tmp / "scan.png")
    inner = EmailMessage()
    _headers(inner, "Fwd: the hearing")
    inner.set_content(f"Forwarded: {LETTER}\n")
    m = EmailMessage()
    _headers(m)
    m.set_content(f"Dear Mr Jan Kowalski,\n\n{LETTER}\nPlease see the attached documents for the hearing.\n")
    m.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename="statement.pdf")
    m.add_attachment((tmp / "minutes.docx").read_bytes(), maintype="application",
                     subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="minutes.docx")
    m.add_attachment((tmp / "scan.png").read_bytes(), maintype="image", subtype="png", filename="scan.png")
    m.add_attachment(inner)
    path.write_bytes(m.as_bytes())


def git_format_patch(path: Path, tmp: Path) -> None:
    repo = tmp / "repo"
    repo.mkdir()
    env = {"GIT_AUTHOR_NAME": "Anna Griffith", "GIT_AUTHOR_EMAIL": "anna.griffith@example.org",
           "GIT_COMMITTER_NAME": "Anna Griffith", "GIT_COMMITTER_EMAIL": "anna.griffith@example.org",
           "GIT_AUTHOR_DATE": "2006-03-03T10:00:00", "GIT_COMMITTER_DATE": "2006-03-03T10:00:00",
           "HOME": str(tmp), "PATH": "/usr/bin:/bin"}
    git = lambda *a: subprocess.run(["git", *a], cwd=repo, env=env, check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    (repo / "notes.txt").write_text(LETTER + "\n")
    git("add", "notes.txt")
    git("commit", "-q", "-m", "Notes on the hearing of Mr Jan Kowalski", "-m", LETTER)
    patch = subprocess.run(["git", "format-patch", "-1", "--stdout"], cwd=repo, env=env, check=True,
                           capture_output=True).stdout
    path.write_bytes(patch)


@pytest.fixture(scope="module")
def eml_fixtures(tmp_path_factory):
    d = tmp_path_factory.mktemp("eml")
    alternative(d / "alternative.eml")
    latin2_encoded_words(d / "latin2.eml")
    thread(d / "thread.eml")
    git_format_patch(d / "patch.eml", d)
    return d


@pytest.mark.parametrize("name", ["alternative.eml", "latin2.eml", "thread.eml", "patch.eml"])
def test_eml_outputs_read_back_clean(redactor, eml_fixtures, tmp_path, name):
    dest = tmp_path / name
    report = redact_one(redactor, eml_fixtures / name, dest)
    assert report.status == "redacted", report.error
    text = eml_text(dest.read_bytes(), tmp_path)
    assert_clean(text, kept=KEPT if name != "thread.eml" else ["applicant", "Court"])
    for gone in ("griffith.example.org", "10.0.0.1", "jan.kowalski@", "anna.griffith@", "X-Originating", "DKIM",
                 "Received"):
        assert gone.lower() not in text.lower(), gone
    assert "redacted.invalid" in text
    dropped = " ".join(report.dropped)
    if name in ("alternative.eml", "thread.eml"):
        assert "Received" in dropped and "X-*" in dropped and "DKIM" in dropped
    assert report.verification["reader"].startswith("email (compat32)")


def test_eml_charset_and_encoded_words(redactor, eml_fixtures, tmp_path):
    dest = tmp_path / "latin2.eml"
    report = redact_one(redactor, eml_fixtures / "latin2.eml", dest, style="label")
    assert report.status == "redacted", report.error
    msg = message_from_bytes(dest.read_bytes(), policy=policy.default)
    assert "Wiśniewski" not in str(msg["From"]) and "[PERSON]" in str(msg["From"])
    body = msg.get_body(("plain",))
    assert body.get_content_charset() == "iso-8859-2"  # '[PERSON]' fits: the charset is kept
    assert "Kowalski" not in body.get_content() and "hearing" in body.get_content()


def test_eml_alternatives_consistent_and_thread_pseudonyms(redactor, eml_fixtures, tmp_path):
    dest = tmp_path / "alternative.eml"
    redact_one(redactor, eml_fixtures / "alternative.eml", dest, style="pseudonym")
    msg = message_from_bytes(dest.read_bytes(), policy=policy.default)
    plain = msg.get_body(("plain",)).get_content()
    html = html_text(msg.get_body(("html",)).get_content().encode())
    tags = lambda t: sorted(set(re.findall(r"\[[A-Z]+_\d+\]", t)))  # noqa: E731
    assert tags(plain) and tags(plain) == tags(html)
    dest = tmp_path / "thread.eml"
    redact_one(redactor, eml_fixtures / "thread.eml", dest, style="pseudonym")
    body = message_from_bytes(dest.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
    assert "Kowalski" not in body and "Griffith" not in body
    quoted = [line for line in body.splitlines() if line.startswith("> " * 12)]
    assert quoted and any(re.search(r"\[PERSON_\d+\]", line) for line in quoted)
    first = re.findall(r"\[PERSON_\d+\]", body.split("\n")[0])
    assert first  # the same pseudonym in the reply and the deepest quote
    assert first[0] in "\n".join(quoted)


def test_eml_attachments_through_their_formats(redactor, tmp_path):
    src = tmp_path / "mixed.eml"
    mixed_with_attachments(src, tmp_path)
    dest = tmp_path / "out" / "mixed.eml"
    report = redact_one(redactor, src, dest)
    assert report.status == "redacted", report.error
    reader = report.verification["reader"]
    assert "pdf:" in reader and "docx:" in reader and "png:" in reader
    text = eml_text(dest.read_bytes(), tmp_path)
    assert_clean(text, kept=["applicant", "hearing", "adjourned"])
    msg = message_from_bytes(dest.read_bytes(), policy=policy.default)
    names = [p.get_filename() for p in msg.iter_attachments()]
    assert {"statement.pdf", "minutes.docx", "scan.png"} <= set(names)
    assert any(p.get_content_type() == "message/rfc822" for p in msg.iter_attachments())
    # the image's pixels: Tesseract reads no removed name back
    png = next(p for p in msg.iter_attachments() if p.get_filename() == "scan.png").get_content()
    (tmp_path / "back.png").write_bytes(png)
    ocr = subprocess.run(["tesseract", str(tmp_path / "back.png"), "-"], capture_output=True, text=True).stdout
    assert "Griffith" not in ocr and "applicant" in ocr


def test_eml_unknown_attachment_fails_closed(redactor, tmp_path):
    m = EmailMessage()
    _headers(m)
    m.set_content(LETTER)
    m.add_attachment(b"PK\x03\x04 not really a zip Kowalski", maintype="application", subtype="zip",
                     filename="evidence.zip")
    src = tmp_path / "zip.eml"
    src.write_bytes(m.as_bytes())
    report = redact_one(redactor, src, tmp_path / "out" / "zip.eml")
    assert report.status == "failed" and "evidence.zip" in report.error and "\n" not in report.error
    import redact

    report = redact.Redactor(accept_unreadable=True).redact_file(src, tmp_path / "out2" / "zip.eml")
    assert report.status == "redacted", report.error
    out = (tmp_path / "out2" / "zip.eml").read_bytes()
    assert b"evidence.zip" not in out and b"Kowalski" not in out
    assert any("unreadable parts" in d for d in report.dropped)


def _deep(n: int) -> bytes:
    head = b"From: a@example.org\nSubject: x\nMIME-Version: 1.0\n"
    parts = b""
    for i in range(n):
        parts += f"Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n".encode()
    parts += b"Content-Type: text/plain\n\nJan Kowalski\n"
    for i in reversed(range(n)):
        parts += f"--b{i}--\n".encode()
    return head + parts


def _many(n: int) -> bytes:
    m = EmailMessage()
    _headers(m)
    m.set_content("x")
    for i in range(n):
        m.add_attachment(f"part {i}", filename=f"p{i}.txt")
    return m.as_bytes()


def test_eml_corrupt_and_bombs_fail_alone(tmp_path, eml_fixtures, monkeypatch):
    import resource

    from redact.formats import eml

    good = (eml_fixtures / "alternative.eml").read_bytes()
    cases = {
        "binary.eml": b"\x00\x01\x02\x03" * 1000,
        "truncated.eml": good[: len(good) * 2 // 3],
        "deep.eml": _deep(60),
        "many.eml": _many(eml.MAX_PARTS + 5),
        "badb64.eml": good.replace(b"Content-Transfer-Encoding: quoted-printable\n\nDear Mr",
                                   b"Content-Transfer-Encoding: base64\n\n!!@@##"),
    }
    big = EmailMessage()
    _headers(big)
    big.set_content("x")
    big.add_attachment(b"A" * 3_000_000, maintype="application", subtype="pdf", filename="huge.pdf")
    cases["huge.eml"] = big.as_bytes()
    monkeypatch.setattr(eml, "MAX_DECODED", 2_000_000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert cases["badb64.eml"] != good
    for name, data in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(eml.BadInput) as exc:
            eml.FORMAT.read(p)
        assert "\n" not in str(exc.value) and name in str(exc.value), (name, str(exc.value))
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 500_000  # KiB: memory bounded


def test_eml_batch_cli_one_line_per_bad_file(eml_fixtures, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(eml_fixtures / "alternative.eml", inputs / "good.eml")
    (inputs / "bad.eml").write_bytes((eml_fixtures / "alternative.eml").read_bytes()[:700])
    (inputs / "deep.eml").write_bytes(_deep(60))
    res = run_cli("run", inputs, "-o", tmp_path / "out")
    assert res.returncode == 1, res.stderr
    assert (tmp_path / "out" / "good.eml").exists()
    assert not (tmp_path / "out" / "bad.eml").exists() and not (tmp_path / "out" / "deep.eml").exists()
    failed = [line for line in res.stderr.splitlines() if "bad.eml" in line or "deep.eml" in line]
    assert len(failed) >= 2
    report = json.loads((tmp_path / "out.reports" / "good.eml.json").read_text())
    assert report["verification"]["reader"].startswith("email")


def test_eml_verifier_catches_a_leak(tmp_path):
    from redact.formats import format_for
    from redact.spans import Span
    from redact.verify import Needles

    m = EmailMessage()
    m["From"] = Address("Jan Kowalski", "x", "redacted.invalid")
    m["Subject"] = "ok"
    m.set_content("nothing here")
    p = tmp_path / "leak.eml"
    p.write_bytes(m.as_bytes())
    needles = Needles.for_redaction("Jan Kowalski", [Span(0, 12, "PERSON")])
    assert not format_for(p).verify(p, needles).ok
    m = EmailMessage()
    m["Subject"] = "ok"
    m.set_content("Ja\u006e Kowalski here", cte="base64")
    p.write_bytes(m.as_bytes())
    assert b"Kowalski" not in p.read_bytes()
    assert not format_for(p).verify(p, needles).ok
