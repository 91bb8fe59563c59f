"""Review before release: allow/deny lists, the review page in a real browser (headless Chromium driven by
Selenium), and ``redact apply`` of the exported decisions, checked with readers that are not ours
(plain bytes for TXT, zipfile + XML for DOCX, poppler's pdftotext for PDF)."""

import html
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from conftest import run_cli
from documents import docx_everything, docx_simple, pdf_fpdf2
from tiny import rigged_bert

NAME = "Zorbington Quixwell"
PLACE = "Oldcastle"
CITY = "Bristol"
MASK = "█"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
PARAS = [f"The applicant, Mr {NAME}, was born in 1961 and lives in {PLACE}.",
         f"The Court notes that {NAME} lodged the application through a solicitor practising in {CITY}.",
         "The Government contested the claim."]


@pytest.fixture(scope="module")
def rigged(tmp_path_factory):
    return rigged_bert(tmp_path_factory.mktemp("rigged"), ["Zorbington", "Quixwell"])


@pytest.fixture(scope="module")
def run_dir(rigged, tmp_path_factory):
    """A run over one TXT, one DOCX and one PDF, and its review page (plus the unchanged decisions)."""
    base = tmp_path_factory.mktemp("review")
    inp = base / "in"
    inp.mkdir()
    # an astral character (two UTF-16 units, one Python character) before the spans checks the offsets
    (inp / "a.txt").write_text("Case 𝒜-1.\n\n" + "\n\n".join(PARAS) + "\n", encoding="utf-8")
    docx_simple(inp / "b.docx", PARAS)
    pdf_fpdf2(inp / "c.pdf", PARAS)
    proc = run_cli("run", "--model", rigged, inp, "-o", base / "out", "-q")
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("review", base / "out", "-o", base / "page.html", "--decisions", base / "unchanged.json")
    assert proc.returncode == 0, proc.stderr
    return base


# -- independent readers ----------------------------------------------------------------------------------

def docx_text(path: Path) -> str:
    """The text of word/document.xml: w:t runs, paragraphs on lines (zipfile + regular expressions)."""
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    paras = re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
    return "\n".join(html.unescape("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p))) for p in paras)


def docx_all_text(path: Path) -> str:
    """Every part of the package as text (XML, relationships, properties)."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(html.unescape(z.read(n).decode("utf-8", "replace")) for n in z.namelist())


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def words(text: str) -> Counter:
    return Counter(re.findall(r"\w+", text.replace(MASK, " ")))


# -- the browser --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("chromium and chromium-driver (apt) are needed for the browser tests")
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900"):
        options.add_argument(arg)
    options.binary_location = str(CHROMIUM)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)  # no Selenium Manager
    yield driver
    driver.quit()


def open_page(driver, page: Path) -> float:
    started = time.time()
    driver.get(page.as_uri())
    deadline = time.time() + 10
    while driver.execute_script("return document.body.dataset.ready") != "1":
        assert time.time() < deadline, "the page did not initialise"
        time.sleep(0.02)
    return time.time() - started


def open_document(driver, report: str) -> None:
    driver.find_element("css selector", f'#docs .item[data-doc="{doc_index(driver, report)}"]').click()
    assert driver.execute_script("return redactReview.state.doc.d.report") == report


def doc_index(driver, report: str) -> int:
    return driver.execute_script("return redactReview.docs.findIndex(d => d.d.report === arguments[0])", report)


def select_text(driver, needle: str, occurrence: int = 0) -> None:
    """Select part of ``needle`` in the document text as a mouse would (the page snaps to whole words)
    and release the button."""
    driver.execute_script("""
        const box = document.getElementById('text'), [needle, nth] = [arguments[0], arguments[1]];
        const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
        let node, seen = 0;
        while ((node = walker.nextNode())) {
          let i = node.data.indexOf(needle);
          while (i >= 0 && seen < nth) { seen++; i = node.data.indexOf(needle, i + 1); }
          if (i >= 0) {
            const r = document.createRange(); r.setStart(node, i + 1); r.setEnd(node, i + needle.length - 1);
            const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
            box.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
            return;
          }
        }
        throw new Error('not found: ' + needle);""", needle, occurrence)


def keys(driver, text: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(text).perform()


def export(driver) -> dict:
    driver.find_element("id", "export").click()
    return json.loads(driver.find_element("id", "decisions-json").get_attribute("value"))


# -- the review workflow ------------------------------------------------------------------------------------

def test_review_page_toggle_add_export_apply(run_dir, browser, tmp_path):
    out, page = run_dir / "out", run_dir / "page.html"
    assert open_page(browser, page) < 5
    names = [e.text.split("\n")[0] for e in browser.find_elements("css selector", "#docs .item")]
    assert sorted(names) == ["a.txt", "b.docx", "c.pdf"]

    # exported without a change: the decisions `redact review --decisions` wrote, and the same outputs
    unchanged = browser.execute_script("return redactExport()")
    expected = json.loads((run_dir / "unchanged.json").read_text())
    assert {k: v for k, v in unchanged.items() if k != "created"} == expected
    (tmp_path / "same.json").write_text(json.dumps(unchanged))
    proc = run_cli("apply", tmp_path / "same.json", "-o", tmp_path / "same", "-q")
    assert proc.returncode == 0, proc.stderr
    for name in ("a.txt", "b.docx", "c.pdf"):
        assert (tmp_path / "same" / name).read_bytes() == (out / name).read_bytes(), name
        review = json.loads((tmp_path / "same.reports" / (name + ".json")).read_text())["review"]
        assert review["reviewed"] and review["added"] == review["removed"] == 0

    # in each document: n, n, t keeps the second mention of the name
    for name in ("a.txt", "b.docx", "c.pdf"):
        open_document(browser, name)
        keys(browser, "nnt")
        spans = browser.execute_script("return redactReview.state.doc.spans")
        assert [(s["r"], s["src"]) for s in spans] == [(True, "model"), (False, "model")], name
        assert browser.find_elements("css selector", "#text mark.kept")[0].text == NAME
    # a.txt: select part of "Bristol" and redact it (snapped to the whole word)
    open_document(browser, "a.txt")
    select_text(browser, CITY)
    assert browser.find_element("id", "add").is_displayed()
    assert browser.find_element("id", "add-text").text == CITY
    browser.find_element("css selector", "#add-label option[value='LOC']").click()
    browser.find_element("id", "add-one").click()
    # b.docx: select "Oldcastle" and redact all occurrences (in every document)
    open_document(browser, "b.docx")
    select_text(browser, PLACE)
    browser.find_element("css selector", "#add-label option[value='LOC']").click()
    browser.find_element("id", "add-all").click()

    decisions = export(browser)
    assert browser.find_element("id", "download").get_attribute("href").startswith("blob:")
    by_doc = {d["report"]: d for d in decisions["documents"]}
    added = {n: [(s["text"], s["label"]) for s in d["spans"] if s["source"] == "reviewer"] for n, d in by_doc.items()}
    assert added == {"a.txt": [(PLACE, "LOC"), (CITY, "LOC")], "b.docx": [(PLACE, "LOC")], "c.pdf": [(PLACE, "LOC")]}
    (tmp_path / "decisions.json").write_text(json.dumps(decisions))
    proc = run_cli("apply", tmp_path / "decisions.json", "-o", tmp_path / "reviewed", "-q")
    assert proc.returncode == 0, proc.stderr

    # TXT: exactly the original with the first name, Oldcastle and Bristol masked
    original = (run_dir / "in" / "a.txt").read_text(encoding="utf-8")
    first = original.index(NAME)
    want = original[:first] + MASK * len(NAME) + original[first + len(NAME):]
    for word in (PLACE, CITY):
        want = want.replace(word, MASK * len(word))
    assert (tmp_path / "reviewed" / "a.txt").read_text(encoding="utf-8") == want
    # DOCX: the document part's text is the run's, with the second name back and Oldcastle masked
    before, after = docx_text(out / "b.docx"), docx_text(tmp_path / "reviewed" / "b.docx")
    i = before.index(MASK * len(NAME), before.index(MASK * len(NAME)) + 1)
    assert after == (before[:i] + NAME + before[i + len(NAME):]).replace(PLACE, MASK * len(PLACE))
    # PDF (pdftotext): the run's words plus the second name, minus Oldcastle
    before, after = words(pdf_text(out / "c.pdf")), words(pdf_text(tmp_path / "reviewed" / "c.pdf"))
    assert after == before + Counter(NAME.split()) - Counter([PLACE])
    assert before[PLACE] == 1 and NAME.split()[0] not in before
    for name, n_added in (("a.txt", 2), ("b.docx", 1), ("c.pdf", 1)):
        report = json.loads((tmp_path / "reviewed.reports" / (name + ".json")).read_text())
        assert (report["review"]["added"], report["review"]["removed"]) == (n_added, 1), name
        assert report["review"]["decisions_sha256"] and report["verification"]["needles"] > 0
        assert {s["source"] for s in report["spans"]} == {"model", "reviewer"}
    manifest = (tmp_path / "reviewed.reports" / "manifest.jsonl").read_text().splitlines()
    assert len(manifest) == 3 and all(json.loads(line)["status"] == "done" for line in manifest)


def test_filters_keyboard_and_apply_to_all(run_dir, browser):
    open_page(browser, run_dir / "page.html")
    open_document(browser, "a.txt")
    marks = browser.find_elements("css selector", "#text mark")
    assert [m.text for m in marks] == [NAME, NAME]
    assert "PERSON" in marks[0].get_attribute("title") and "score" in marks[0].get_attribute("title")
    # label filter: PERSON hidden -> dimmed and skipped by n
    browser.find_element("css selector", "#filters input[data-label='PERSON']").click()
    assert all("dim" in m.get_attribute("class") for m in browser.find_elements("css selector", "#text mark"))
    keys(browser, "n")
    assert browser.execute_script("return [redactReview.state.doc.d.report, redactReview.state.cur]") == ["a.txt", -1]
    browser.find_element("css selector", "#filters input[data-label='PERSON']").click()
    # score filter: only spans scored <= 0.5 are visited (the rigged model scores ~1)
    open_document(browser, "a.txt")
    browser.execute_script("const r = document.getElementById('maxscore'); r.value = 0.5;"
                           "r.dispatchEvent(new Event('input'))")
    assert browser.execute_script("return redactReview.state.maxScore") == 0.5
    assert all("dim" in m.get_attribute("class") for m in browser.find_elements("css selector", "#text mark"))
    browser.execute_script("const r = document.getElementById('maxscore'); r.value = 1;"
                           "r.dispatchEvent(new Event('input'))")
    # p goes back; click toggles; "apply to all occurrences" keeps the name in every document
    open_document(browser, "a.txt")
    keys(browser, "nnp")
    assert browser.execute_script("return redactReview.state.cur") == 0
    browser.find_elements("css selector", "#text mark")[0].click()
    assert browser.execute_script("return redactReview.state.doc.spans[0].r") is False
    browser.find_element("id", "all").click()
    decisions = browser.execute_script("return redactExport()")
    assert all(not s["redact"] for d in decisions["documents"] for s in d["spans"])
    assert browser.find_elements("css selector", "#text mark.kept")


def test_low_scores_are_marked_and_the_page_fetches_nothing(browser, tmp_path):
    from redact.review.page import render

    text = "Ann Lee met 𝒜 Bo Berg in Oslo; BO BERG left."
    spans = [[0, 7, "PERSON", 0.97, "model"], [14, 21, "PERSON", 0.31, "model"], [25, 29, "LOC", 0.49, "model"]]
    data = {"format": "redact-decisions/1", "reports": "/r", "run": {"model": {"name": "m"}}, "low": 0.5,
            "labels": ["PERSON", "LOC"], "documents": [{"report": "x.txt", "source": "/x.txt", "sha256": "0" * 64,
                                                         "format": "txt", "text": text, "spans": spans,
                                                         "unreadable": 0}]}
    page = render(data)
    assert not re.search(r"(src|href)=[\"']?(https?:|//)", page)  # nothing to fetch: inline CSS/JS only
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    open_page(browser, tmp_path / "p.html")
    marks = browser.find_elements("css selector", "#text mark")
    assert [m.text for m in marks] == ["Ann Lee", "Bo Berg", "Oslo"]  # offsets are characters, as in Python
    assert ["low" in m.get_attribute("class") for m in marks] == [False, True, True]
    names = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert names == []
    # "a" applies the decision on the current span to every occurrence: the upper-case one is added
    browser.execute_script("redactReview.select(1)")
    keys(browser, "a")
    assert [(s["text"], s["redact"]) for s in browser.execute_script("return redactExport()")["documents"][0]["spans"]
            ] == [("Ann Lee", True), ("Bo Berg", True), ("Oslo", True), ("BO BERG", True)]


def test_review_refuses_a_changed_input(run_dir, tmp_path):
    shutil.copytree(run_dir / "in", tmp_path / "in")
    reports = tmp_path / "out.reports"
    shutil.copytree(run_dir / "out.reports", reports)
    for p in reports.glob("*.json"):  # point the copied reports at the copied inputs
        data = json.loads(p.read_text())
        data["source"] = str(tmp_path / "in" / Path(data["source"]).name)
        p.write_text(json.dumps(data))
    assert run_cli("review", tmp_path / "out", "-o", tmp_path / "ok.html").returncode == 0
    (tmp_path / "in" / "a.txt").write_text("changed", encoding="utf-8")
    proc = run_cli("review", tmp_path / "out", "-o", tmp_path / "page.html")
    assert proc.returncode == 2 and "changed since the run" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "page.html").exists()


# -- decisions files: schema errors -------------------------------------------------------------------------

def _decisions(run_dir) -> dict:
    return json.loads((run_dir / "unchanged.json").read_text())


def _break(mutate):
    def make(run_dir):
        d = _decisions(run_dir)
        mutate(d)
        return json.dumps(d)
    return make


BROKEN = {
    "not JSON": (lambda run_dir: '{"format": ', "not valid JSON (line 1"),
    "a list": (lambda run_dir: "[]", "the top level: must be an object, got a list"),
    "wrong format": (_break(lambda d: d.update(format="v2")), "format: must be 'redact-decisions/1'"),
    "no documents": (_break(lambda d: d.pop("documents")), "missing key 'documents'"),
    "unknown key": (_break(lambda d: d["documents"][0]["spans"][0].update(redcat=False)),
                    "documents[0].spans[0].redcat: unknown key"),
    "end before start": (_break(lambda d: d["documents"][1]["spans"][0].update(end=1, start=5)),
                         "documents[1].spans[0].end: must be an integer greater than start (5), got 1"),
    "string offset": (_break(lambda d: d["documents"][0]["spans"][0].update(start="3")),
                      "documents[0].spans[0].start: must be an integer >= 0, got \"3\""),
    "bad label": (_break(lambda d: d["documents"][0]["spans"][0].update(label="person")),
                  "must be an upper-case label"),
    "redact not bool": (_break(lambda d: d["documents"][0]["spans"][0].update(redact="no")),
                        "redact: must be true or false"),
    "overlap": (_break(lambda d: d["documents"][0]["spans"].append(
        {"start": d["documents"][0]["spans"][0]["start"] + 1, "end": d["documents"][0]["spans"][0]["end"] + 2,
         "label": "PERSON"})), "overlaps spans[0]"),
    "text differs": (_break(lambda d: d["documents"][0]["spans"][0].update(text="Somebody Else")),
                     "reads 'Zorbington Quixwell', not 'Somebody Else'"),
    "past the end": (_break(lambda d: d["documents"][0]["spans"].append(
        {"start": 100000, "end": 100005, "label": "LOC"})), "after the end of the text"),
    "wrong sha256": (_break(lambda d: d["documents"][0].update(sha256="0" * 64)), "is not the run's input"),
    "twice": (_break(lambda d: d["documents"].append(d["documents"][0])), "is listed twice"),
    "no report": (_break(lambda d: d["documents"][0].update(report="zzz.txt")), "no report"),
    "bad style": (_break(lambda d: d.update(style="blur")), "style: must be one of mask, label, pseudonym"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_decisions_errors_are_one_line_exit_2_nothing_written(run_dir, tmp_path, monkeypatch, capsys, case):
    make, message = BROKEN[case]
    (tmp_path / "d.json").write_text(make(run_dir))
    from redact.cli import main

    monkeypatch.setattr(sys, "argv", ["redact", "apply", str(tmp_path / "d.json"), "-o", str(tmp_path / "out"), "-q"])
    with pytest.raises(SystemExit) as exc:
        main()
    err = capsys.readouterr().err
    assert exc.value.code == 2, err
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.reports").exists()


def test_changed_input_is_an_error_in_a_real_process(run_dir, tmp_path):
    shutil.copytree(run_dir / "in", tmp_path / "in")
    d = _decisions(run_dir)
    for doc in d["documents"]:
        doc["source"] = str(tmp_path / "in" / doc["report"])
    (tmp_path / "in" / "c.pdf").write_bytes((tmp_path / "in" / "c.pdf").read_bytes() + b"\n%changed\n")
    (tmp_path / "d.json").write_text(json.dumps(d))
    proc = run_cli("apply", tmp_path / "d.json", "-o", tmp_path / "out")
    assert proc.returncode == 2 and "c.pdf changed since the run" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_hand_written_decisions_file(run_dir, tmp_path):
    """Relative reports folder, only the keys needed, one document: only it is rewritten, labels style."""
    shutil.copytree(run_dir / "out.reports", tmp_path / "runs" / "out.reports")
    text = (run_dir / "in" / "a.txt").read_text(encoding="utf-8")
    start = text.index(CITY)
    (tmp_path / "runs" / "d.json").write_text(json.dumps({
        "format": "redact-decisions/1", "reports": "out.reports", "reviewer": "A. Clerk", "style": "label",
        "documents": [{"report": "a.txt", "spans": [{"start": start, "end": start + len(CITY), "label": "LOC"}]}]}))
    proc = run_cli("apply", tmp_path / "runs" / "d.json", "-o", tmp_path / "o", "-q")
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["a.txt"]
    assert (tmp_path / "o" / "a.txt").read_text(encoding="utf-8") == text.replace(CITY, "[LOC]")
    review = json.loads((tmp_path / "o.reports" / "a.txt.json").read_text())["review"]
    assert review["reviewer"] == "A. Clerk" and (review["added"], review["removed"]) == (1, 2)


# -- allow and deny lists -----------------------------------------------------------------------------------

SECRET = "Brindlemoor"


def test_deny_and_allow_lists_in_every_format(rigged, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    paras = [f"Mr {NAME} met {SECRET} about project PRJ-2024 in {PLACE}.", f"{SECRET.upper()} left; "
             f"{NAME} stayed.", "The European Court of Human Rights decided."]
    (inp / "a.txt").write_text("\n".join(paras), encoding="utf-8")
    docx_everything(inp / "b.docx", {"body": f"Hal {SECRET}", "table": f"{NAME} with {SECRET}", "header": SECRET,
                                     "footer": SECRET, "comment": SECRET, "comment_author": "Reviewer",
                                     "textbox": SECRET, "hyperlink": f"Hal {SECRET}", "inserted": SECRET,
                                     "deleted": SECRET, "footnote": f"{SECRET} on PRJ-2024", "endnote": SECRET,
                                     "properties": SECRET, "revision_author": "Editor"})
    pdf_fpdf2(inp / "c.pdf", paras, title=f"Case of {SECRET}", author=SECRET)
    (tmp_path / "deny.txt").write_text(f"# people the model does not know\n[PERSON] {SECRET}\nre:PRJ-\\d{{4}}\n")
    (tmp_path / "allow.txt").write_text("Quixwell\n")
    proc = run_cli("run", "--model", rigged, inp, "-o", tmp_path / "out", "--deny", tmp_path / "deny.txt",
                   "--allow", tmp_path / "allow.txt", "-q")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    outputs = {"a.txt": (out / "a.txt").read_text(encoding="utf-8"), "b.docx": docx_all_text(out / "b.docx"),
               "c.pdf": pdf_text(out / "c.pdf") + (out / "c.pdf").read_bytes().decode("latin-1")}
    for name, text in outputs.items():
        assert SECRET.lower() not in text.lower(), name  # denied: gone from every place
        assert "prj-2024" not in text.lower(), name
        assert "Quixwell" in text, name  # allowed: the model's prediction is not applied
        assert "Zorbington" not in text, name
        report = json.loads((tmp_path / "out.reports" / (name + ".json")).read_text())
        sources = Counter(s["source"] for s in report["spans"])
        assert sources[f"deny:{SECRET}"] >= 2 and sources["deny:re:PRJ-\\d{4}"] == 1, (name, sources)
        assert all(s["text"] != "Quixwell" for s in report["spans"])
        assert report["settings"]["deny"]["rules"] == 2 and report["settings"]["allow"]["rules"] == 1
        assert report["verification"]["needles"] >= 2
    assert outputs["a.txt"].splitlines()[0] == f"Mr {MASK * 10} Quixwell met {MASK * len(SECRET)} about project " \
                                              f"{MASK * 8} in {PLACE}."


def test_the_verifier_checks_deny_spans(rigged, tmp_path, registry):
    """A writer that forgets the deny spans: the independent reader catches it, nothing is written."""
    import redact
    from redact.formats.txt import TextFormat

    class ForgetsDenied(TextFormat):
        name, suffixes = "forgets-denied", (".fdn",)

        def write(self, parsed, spans, dest, options):
            return super().write(parsed, [s for s in spans if not s.annotator.startswith("deny:")], dest, options)

    registry.register(ForgetsDenied())
    (tmp_path / "f.fdn").write_text(f"{NAME} and {SECRET}.")
    r = redact.Redactor(str(rigged), deny=[SECRET])
    report = r.redact_file(tmp_path / "f.fdn", tmp_path / "o" / "f.fdn")
    assert report.status == "failed" and "verification found removed text" in report.error
    assert SECRET.lower() in report.error.lower() and not (tmp_path / "o" / "f.fdn").exists()
    # the library door: deny beats allow, allowed parts of predictions stay
    r = redact.Redactor(str(rigged), deny=["[PERSON] " + SECRET], allow=["Zorbington", SECRET])
    assert r.redact_text(f"{NAME} met {SECRET}.", style="label") == "Zorbington [PERSON] met [PERSON]."


def test_bad_rules_file_is_one_line(rigged, tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "deny.txt").write_text("fine\nre:(unclosed\n")
    proc = run_cli("run", "--model", rigged, tmp_path / "a.txt", "-o", tmp_path / "o", "--deny", tmp_path / "deny.txt")
    assert proc.returncode == 2 and "line 2: bad regular expression" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "o").exists()
