"""Fast quality tests: recognizers (one test each), decoding rules on hand-made probabilities, per-type
thresholds from a checkpoint, selective propagation, and the data generators."""

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from redact.engine import STOP_WORDS, Engine, Settings, join_fragments, propagate
from redact.recognizers import DEFAULT, default_recognizers, get_recognizer
from redact.spans import Span
from trainers.data import label_list

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "data"))

LABELS = label_list()


class FakeModel:
    """Just what ``Engine.decode`` needs: labels, settings, the device."""

    def __init__(self, settings=None):
        self.labels = LABELS
        self.settings = settings or {"threshold": 0.3}
        self.max_length = 512
        self.device = "cpu"


def tokens(text):
    return [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)]


def probs_for(text, marks, default_o=0.99):
    """Token probabilities: tokens inside a marked (substring, TYPE, p, begin) get P(not O) = p; the
    first token of each marked substring is B-, the rest I-; all others are O."""
    offs = tokens(text)
    p = np.zeros((len(offs), len(LABELS)), np.float32)
    p[:, 0] = default_o
    p[:, 1] = 1 - default_o  # a little B-PERSON mass everywhere
    pos = 0
    for sub, etype, prob, *rest in marks:
        start = text.index(sub, pos)
        end = start + len(sub)
        pos = start
        first = True
        for k, (a, b) in enumerate(offs):
            if a >= start and b <= end:
                p[k] = 0
                p[k, 0] = 1 - prob
                p[k, LABELS.index(("B-" if first else "I-") + etype)] = prob
                first = False
    return offs, p


def decode(text, marks, **settings):
    engine = Engine(FakeModel(), Settings(**settings))
    offs, p = probs_for(text, marks)
    return [(text[s.start:s.end], s.label) for s in engine.decode(text, offs, p)]


# ---------------------------------------------------------------------------------------------- recognizers

@pytest.mark.parametrize("name, text, expected", [
    ("application_number", "application no. 36244/06 lodged", ["36244/06"]),
    ("full_date", "born on 3 March 1961 in", ["3 March 1961"]),
    ("iban", "IBAN NO93 8601 1117 947 and NO93 8601 1117 948", ["NO93 8601 1117 947"]),
    ("payment_card", "card 4111 1111 1111 1111, not 4111 1111 1111 1112", ["4111 1111 1111 1111"]),
    ("email", "write to harald.pettersen@example.no.", ["harald.pettersen@example.no"]),
    ("url", "see https://example.org/u/anna?id=3, or www.example.com.", ["https://example.org/u/anna?id=3",
                                                                          "www.example.com"]),
    ("ip", "from 192.168.10.4 and 2001:db8::1, not version 3.4.2 or 999.1.1.1", ["192.168.10.4", "2001:db8::1"]),
    ("phone", "call +47 912 34 567 or (931)547-6169, not in 1999 or 36244/06", ["+47 912 34 567", "(931)547-6169"]),
    ("national_id", "PESEL 44051401458, DNI 12345678Z; not 44051401459 nor 12345678", ["44051401458", "12345678Z"]),
    ("vat", "VAT DE136695976, not DE136695975", ["DE136695976"]),
])
def test_recognizer(name, text, expected):
    found = get_recognizer(name).find(text)
    assert [text[s.start:s.end] for s in found] == expected
    assert all(s.label in ("CODE", "DATETIME") for s in found)


def test_default_recognizers_are_registered():
    assert [r.name for r in default_recognizers()] == list(DEFAULT)


# ---------------------------------------------------------------------------------------------- decoding

def test_no_span_of_only_stop_words_punctuation_salutations_or_emoji():
    text = "Dear Mr Hansen, it is, but oh so rewarding! 😀 # Yours sincerely, Kari"
    marks = [("Dear", "PERSON", 0.9), ("is", "MISC", 0.9), ("but oh so", "MISC", 0.9), ("!", "MISC", 0.9),
             ("😀", "MISC", 0.9), ("#", "CODE", 0.9), ("Yours sincerely", "PERSON", 0.9), ("Kari", "PERSON", 0.9)]
    got = decode(text, marks)
    assert got == [("Kari", "PERSON")]
    for span, _ in got:
        assert any(w.lower() not in STOP_WORDS for w in re.findall(r"\w+", span))


def test_salutation_trimmed_title_kept():
    text = "Dear Mr Jan Kowalski, thank you."
    assert decode(text, [("Dear Mr Jan Kowalski", "PERSON", 0.9)]) == [("Mr Jan Kowalski", "PERSON")]


def test_fragments_of_one_identifier_become_one_span():
    text = "Born 02 11 1971, tel. +47 912 34 567, mail harald.pettersen@example.no, ref. RF-2020-1204."
    marks = [("02", "DATETIME", 0.8), ("11", "QUANTITY", 0.6), ("1971", "DATETIME", 0.8),
             ("+47", "CODE", 0.9), ("912", "CODE", 0.9), ("34", "QUANTITY", 0.5), ("567", "CODE", 0.9),
             ("harald.pettersen", "CODE", 0.9), ("@example", "CODE", 0.7),
             ("RF-2020-12", "CODE", 0.9)]
    got = [s for s, _ in decode(text, marks)]
    assert got == ["02 11 1971", "+47 912 34 567", "harald.pettersen@example.no", "RF-2020-1204"]


def test_identifier_masked_whole_never_its_last_digits_left():
    text = "Our ref. AB-77812-04 and account 1234.56.78903."
    got = [s for s, _ in decode(text, [("AB-77812", "CODE", 0.9), ("1234.56", "CODE", 0.9)])]
    assert got == ["AB-77812-04", "1234.56.78903"]


def test_span_never_crosses_a_line_break():
    text = "Ms Maria Viitanen\nPorinbulevardi 5\n\nPatient"
    got = decode(text, [("Ms Maria Viitanen\nPorinbulevardi 5", "PERSON", 0.9)])
    assert got == [("Ms Maria Viitanen", "PERSON"), ("Porinbulevardi 5", "PERSON")]


def test_join_fragments_keeps_different_names_apart():
    text = "Anna Berg, Oslo and 1990, 1991"
    spans = [Span(0, 4, "PERSON"), Span(5, 9, "PERSON"), Span(11, 15, "LOC"), Span(20, 24, "DATETIME"),
             Span(26, 30, "DATETIME")]
    assert [text[s.start:s.end] for s in join_fragments(text, spans)] == ["Anna Berg", "Oslo", "1990", "1991"]


def test_per_type_thresholds_from_the_checkpoint_and_override():
    text = "Anna Berg is Norwegian."
    marks = [("Anna Berg", "PERSON", 0.4), ("Norwegian", "DEM", 0.4)]
    offs, p = probs_for(text, marks)
    engine = Engine(FakeModel({"threshold": 0.3, "thresholds": {"DEM": 0.6}}), Settings())
    assert [(text[s.start:s.end], s.label) for s in engine.decode(text, offs, p)] == [("Anna Berg", "PERSON")]
    # an explicit --threshold applies to every type
    engine = Engine(FakeModel({"threshold": 0.3, "thresholds": {"DEM": 0.6}}), Settings(threshold=0.35))
    assert len(engine.decode(text, offs, p)) == 2
    assert engine.describe()["thresholds"] == {}


def test_decode_is_a_pure_function_of_text_and_probabilities():
    text = "Mr Jan Kowalski met Anna Berg in Oslo on 3 March 2006. Kowalski left."
    marks = [("Jan Kowalski", "PERSON", 0.9), ("Anna Berg", "PERSON", 0.45), ("Oslo", "LOC", 0.7),
             ("3 March 2006", "DATETIME", 0.8)]
    offs, p = probs_for(text, marks)
    engine = Engine(FakeModel(), Settings())
    first = engine.decode(text, offs, p.copy())
    assert first == engine.decode(text, offs, p.copy()) == Engine(FakeModel(), Settings()).decode(text, offs, p)


def test_propagation_is_selective():
    text = "Kowalski reads books. Kowalski likes books and Berg."
    spans = [Span(0, 8, "PERSON", 0.9), Span(15, 20, "MISC", 0.9), Span(47, 51, "PERSON", 0.35)]
    found = [(text[s.start:s.end], s.start) for s in propagate(text, spans, 4, 0.5, name_like=True)]
    assert found == [("Kowalski", 22)]  # not the common word, not the low-confidence name
    assert len(propagate(text, spans)) == 2  # the old rule copies "books" too


def test_old_decoding_still_available():
    text = "Dear Kari, it is fine."
    got = decode(text, [("Dear", "PERSON", 0.9), ("Kari", "PERSON", 0.9), ("is", "MISC", 0.9)], whole=False)
    assert ("is", "MISC") in got


def test_rigged_model_decodes_with_checkpoint_thresholds(tmp_path):
    from redact.models import load_model
    from tiny import rigged_bert

    folder = rigged_bert(tmp_path / "rigged", ["Zorbington", "Quixwell"])
    text = "Dear Zorbington Quixwell, the hearing is on Monday. Yours sincerely, the Registry."
    model = load_model(str(folder))
    assert [text[s.start:s.end] for s in Engine(model).spans(text)] == ["Zorbington Quixwell"]
    cfg = json.loads((folder / "redact.json").read_text())
    (folder / "redact.json").write_text(json.dumps({**cfg, "thresholds": {"PERSON": 0.7}}))
    engine = Engine(load_model(str(folder)))
    assert engine.thresholds == {"PERSON": 0.7} and engine.describe()["thresholds"] == {"PERSON": 0.7}
    assert [text[s.start:s.end] for s in engine.spans(text)] == ["Zorbington Quixwell"]  # it is confident


# ---------------------------------------------------------------------------------------------- data

def _mentions(doc):
    return next(iter(doc["annotations"].values()))["entity_mentions"]


def test_synthetic_documents_are_labelled_by_construction():
    import synthetic

    docs = synthetic.generate(18, seed=5, split="t")
    assert docs == synthetic.generate(18, seed=5, split="t")  # same seed, same documents
    kinds = {(m["entity_type"], m["identifier_type"]) for d in docs for m in _mentions(d)}
    assert ("PERSON", "DIRECT") in kinds and ("CODE", "DIRECT") in kinds and ("ORG", "NO_MASK") in kinds
    for d in docs:
        for m in _mentions(d):
            assert d["text"][m["start_offset"]:m["end_offset"]] == m["span_text"]
    no_pii = [d for d in docs if d["meta"]["genre"] == "no_pii"]
    assert no_pii and all(m["identifier_type"] == "NO_MASK" for d in no_pii for m in _mentions(d))


def test_tab_mention_substitution_keeps_offsets_and_changes_names():
    import random

    import build

    doc = {"doc_id": "d", "text": "Mr Jan Kowalski was born on 3 March 1961 in Gdańsk. Kowalski (no. 36244/06).",
           "annotations": {"a1": {"entity_mentions": [
               {"entity_type": "PERSON", "identifier_type": "DIRECT", "start_offset": 0, "end_offset": 15,
                "span_text": "Mr Jan Kowalski", "entity_mention_id": "m1", "entity_id": "e1"},
               {"entity_type": "DATETIME", "identifier_type": "QUASI", "start_offset": 28, "end_offset": 40,
                "span_text": "3 March 1961", "entity_mention_id": "m2", "entity_id": "e2"},
               {"entity_type": "LOC", "identifier_type": "QUASI", "start_offset": 44, "end_offset": 50,
                "span_text": "Gdańsk", "entity_mention_id": "m3", "entity_id": "e3"},
               {"entity_type": "PERSON", "identifier_type": "DIRECT", "start_offset": 52, "end_offset": 60,
                "span_text": "Kowalski", "entity_mention_id": "m4", "entity_id": "e1"},
               {"entity_type": "CODE", "identifier_type": "DIRECT", "start_offset": 66, "end_offset": 74,
                "span_text": "36244/06", "entity_mention_id": "m5", "entity_id": "e4"}]}}}
    new = build.substitute(doc, random.Random(1), "-aug")
    ms = _mentions(new)
    assert all(new["text"][m["start_offset"]:m["end_offset"]] == m["span_text"] for m in ms)
    assert "Kowalski" not in new["text"] and "36244/06" not in new["text"]
    assert ms[0]["span_text"].startswith("Mr ") and ms[0]["span_text"].endswith(ms[3]["span_text"])
    assert ms[4]["span_text"].endswith("/06")


def test_span_cut_at_sentence_end_and_lists_not_after_initials():
    text = "matthews_71 : I tried. Mr A. Berg wrote +47 912 34 567 / anna@example.no today."
    got = [s for s, _ in decode(text, [("matthews_71 : I", "PERSON", 0.9), ("Mr A. Berg", "PERSON", 0.9),
                                       ("+47 912 34 567 / anna@example.no", "CODE", 0.9)])]
    assert got == ["matthews_71", "Mr A. Berg", "+47 912 34 567", "anna@example.no"]


def test_lower_case_spans_need_a_higher_score():
    text = "The system of Anna Berg and the widow of 1990."
    marks = [("system", "ORG", 0.6), ("Anna Berg", "PERSON", 0.6), ("widow", "DEM", 0.8), ("1990", "DATETIME", 0.6)]
    got = [s for s, _ in decode(text, marks, lower_threshold=0.7)]
    assert got == ["Anna Berg", "widow", "1990"]
    assert [s for s, _ in decode(text, marks)] == ["system", "Anna Berg", "widow", "1990"]


def test_annotator_agreement_scores_real_multi_annotated_judgments():
    """The ceiling measurement of ``benchmarks/quality.py --agreement`` on TAB's multi-annotated train
    judgments: a layer scored against itself is perfect, and the real annotators do disagree."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from quality import agreement
    from redact.corpus import read_documents
    from redact.spans import Document

    docs = [d for d in read_documents(ROOT / "data" / "tab" / "train_extra.json") if len(d.annotators()) > 1]
    n, pairs, r = agreement(docs)
    assert n == len(docs) >= 10 and pairs >= 2 * n
    assert 0.5 < r["token_recall"] < 0.99 and 0.5 < r["token_precision"] < 0.99
    twin = [Document(d.doc_id, d.text, d.spans + [s.__class__(**{**s.__dict__, "annotator": "copy"})
                                                  for s in d.spans if s.annotator == d.annotators()[0]])
            for d in docs[:3]]
    for d in twin:  # only the first annotator and its copy
        d.spans[:] = [s for s in d.spans if s.annotator in (d.annotators()[0], "copy")]
    _, _, same = agreement(twin)
    # (TAB's recall also counts an entity's NO_MASK mentions when another mention of it is masked: an
    # annotator "misses" those in their own layer)
    assert same["token_precision"] == 1.0 and same["token_recall"] > max(0.99, r["token_recall"])
