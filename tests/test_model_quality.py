"""The shipped model, as `redact run` runs it (ONNX Runtime int8, default settings), on real held-out data:
TAB test31 quality, readability of judgments (TAB test31 and dev), and names in many scripts (the held-out
synthetic scripts test). Thresholds sit a few points below what was measured (README, "Quality")."""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict

import pytest

from conftest import ROOT, TAB

SCRIPTS_TEST = ROOT / "data" / "synthetic" / "scripts_test.json"
INSTITUTION_ONLY = {"court", "government", "commission", "convention", "applicant"}
#: the scripts the held-out test must cover, each with every name masked
SCRIPTS = ("latin", "cyrillic", "greek", "hebrew", "arabic", "devanagari", "cjk", "hangul", "thai", "myanmar",
           "georgian", "armenian")


@pytest.fixture(scope="module")
def redactor():
    import redact

    return redact.Redactor()


def predict(redactor, path):
    from redact.corpus import read_documents
    from redact.spans import Document

    gold = list(read_documents(path))
    preds = {d.doc_id: d.spans for d in redactor.predict(Document(g.doc_id, g.text) for g in gold)}
    return gold, preds


@pytest.fixture(scope="module")
def tab_test(redactor):
    return predict(redactor, TAB / "test.json")


@pytest.mark.slow
def test_tab_test_quality(tab_test):
    from redact.score import score

    tab = score(*tab_test)["tab"]
    assert tab["recall_direct_entities"] == 1.0
    assert tab["token_recall"] >= 0.91, tab["token_recall"]
    assert tab["token_precision"] >= 0.78, tab["token_precision"]


def _bare(text: str) -> str:
    t = text.strip().lower()
    return t[4:] if t.startswith("the ") else t


@pytest.mark.slow
def test_judgments_stay_readable(redactor, tab_test):
    """No span that is only "Court", "Government", "Commission", "Convention" or "applicant"."""
    for gold, preds in (tab_test, predict(redactor, TAB / "dev.json")):
        texts = {g.doc_id: g.text for g in gold}
        bare = [texts[d][s.start:s.end] for d, spans in preds.items() for s in spans
                if _bare(texts[d][s.start:s.end]) in INSTITUTION_ONLY]
        assert bare == []


def script_of(text: str) -> str | None:
    """The script a name is written in (Latin only when it carries a diacritic)."""
    names = [unicodedata.name(c, "") for c in text if c.isalpha()]
    for n in names:
        first = n.split(" ")[0].lower()
        if first in ("cjk", "hiragana", "katakana"):
            return "cjk"
        if first != "latin":
            return {"myanmar": "myanmar"}.get(first, first)
    return "latin" if any(not c.isascii() for c in text if c.isalpha()) else None


def test_names_in_twelve_scripts_are_masked(redactor):
    """Every person named in the held-out scripts test (names alone, after a rank or title, or in
    parentheses after a Latin name) is fully masked, in each of the 12 scripts."""
    docs = json.loads(SCRIPTS_TEST.read_text())
    seen, missed = defaultdict(int), defaultdict(list)
    for doc in docs:
        spans = redactor.spans(doc["text"])
        for m in doc["annotations"]["annotator1"]["entity_mentions"]:
            script = script_of(m["span_text"]) if m["entity_type"] == "PERSON" else None
            if script is None:
                continue
            seen[script] += 1
            covered = set()
            for s in spans:
                covered.update(range(max(s.start, m["start_offset"]), min(s.end, m["end_offset"])))
            if any(not doc["text"][i].isspace() and i not in covered
                   for i in range(m["start_offset"], m["end_offset"])):
                missed[script].append(m["span_text"])
    assert all(seen[s] >= 3 for s in SCRIPTS), dict(seen)
    assert dict(missed) == {}


#: names the shipped model still leaves (partly) visible in tests/data/name_shapes.json: a nickname in
#: «guillemets», a Spanish given name after "la pintora", a sentence-initial "De la Cruz" labelled DEM
KNOWN_MISSED = {"el Pelayo", "Ana Lucía Ferreyra Sosa", "De la Cruz"}


def test_whole_names_of_every_shape_are_masked(redactor):
    """Names with initials ("A. Fitzgerald-Moore"), hyphenated halves ("Oyelaran-Price"), particles
    ("R. ap Gwilym", "Ramón de la Cruz Albarracín"), a regnal numeral ("Benedict XVI") in signature blocks, tribunal headers, a contract, a claim
    form and two biographies (hand-written documents, not from any training set): every letter and digit of
    every direct name is masked, except the listed known misses."""
    docs = json.loads((ROOT / "tests" / "data" / "name_shapes.json").read_text())
    missed, checked = set(), 0
    for doc in docs:
        text, spans = doc["text"], redactor.spans(doc["text"])
        for start, end in doc["names"]:
            checked += 1
            if any(ch.isalnum() and not any(s.start <= i < s.end for s in spans)
                   for i, ch in enumerate(text[start:end], start)):
                missed.add(text[start:end])
    assert checked >= 25
    assert missed <= KNOWN_MISSED, missed - KNOWN_MISSED
