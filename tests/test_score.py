import json
import re

import pytest

from conftest import PEERS, TAB, run_cli
from redact.corpus import read_documents, read_predictions
from redact.errors import BadInput
from redact.score import score
from redact.spans import Document, Span

# Official TAB evaluation script on Presidio's test predictions (uniform weighting), from SOURCES.md.
OFFICIAL = {}
for key, value in re.findall(r"(\w+) (0\.\d+)", (TAB / "SOURCES.md").read_text()):
    OFFICIAL[key] = float(value)


def test_sources_lists_the_official_numbers():
    assert set(OFFICIAL) >= {"token_recall", "mention_recall", "recall_direct_entities",
                             "recall_quasi_entities", "token_precision", "mention_precision"}


def test_agrees_with_official_tab_script_on_presidio():
    proc = run_cli("score", TAB / "test.json", PEERS / "presidio_test.json", "--json")
    assert proc.returncode == 0, proc.stderr
    tab = json.loads(proc.stdout)["tab"]
    for key, official in OFFICIAL.items():
        assert tab[key] == pytest.approx(official, abs=0.005), key


def test_perfect_predictions_score_one():
    gold = list(read_documents(TAB / "dev.json"))
    masked = score(gold, {d.doc_id: d.masked_spans() for d in gold})
    for key in ("recall_direct_entities", "recall_quasi_entities", "token_precision", "mention_precision"):
        assert masked["tab"][key] == pytest.approx(1.0), key
    assert masked["seqeval"]["f1"] == pytest.approx(1.0)
    # Like TAB's script, token recall also counts NO_MASK mentions of entities that need masking.
    assert masked["tab"]["token_recall"] < 1.0
    everything = score(gold, {d.doc_id: d.spans for d in gold})
    assert everything["tab"]["token_recall"] == pytest.approx(1.0)
    assert everything["tab"]["mention_recall"] == pytest.approx(1.0)


def test_function_words_and_titles():
    text = "Mr John Smith and Mr. Brown."
    gold = Document("d", text, [Span(0, 13, "PERSON", 1, "DIRECT", "e1", "a"),
                                Span(18, 27, "PERSON", 1, "DIRECT", "e2", "a")])
    # "Mr " left visible is fine; "Mr." left visible is not (TAB's spaCy keeps the period in the token).
    result = score([gold], {"d": [Span(3, 13, "PERSON"), Span(22, 27, "PERSON")]})
    assert result["tab"]["recall_direct_entities"] == 0.5


def test_missing_document_counts_as_unmasked():
    gold = list(read_documents(TAB / "dev.json"))[:2]
    result = score(gold, {gold[0].doc_id: gold[0].masked_spans()})
    assert result["missing_predictions"] == [gold[1].doc_id]
    assert result["tab"]["token_recall"] < 1.0


def test_jsonl_round_trip_through_stdin(tmp_path):
    gold = list(read_documents(TAB / "dev.json"))[:3]
    lines = "".join(json.dumps({"doc_id": d.doc_id, "spans": [{"start": s.start, "end": s.end, "label": s.label}
                                                              for s in d.masked_spans()]}) + "\n" for d in gold)
    gold_file = tmp_path / "gold.jsonl"
    gold_file.write_text("".join(json.dumps({"doc_id": d.doc_id, "text": d.text, "spans": [
        {"start": s.start, "end": s.end, "label": s.label, "identifier": s.identifier, "entity_id": s.entity_id}
        for s in d.spans]}) + "\n" for d in gold))
    proc = run_cli("score", gold_file, "-", "--json", input=lines)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["tab"]["token_recall"] == pytest.approx(1.0)


@pytest.mark.parametrize("gold_text,pred_text,message", [
    (None, "{}", "no such file"),
    ("[{\"doc_id\": \"a\", \"text\": \"abc\"", "{}", "invalid JSON"),
    ("[{\"doc_id\": \"a\", \"text\": \"abc\", \"annotations\": {}}]", "{}", "no annotations"),
    ('[{"doc_id": "a", "text": "abc", "annotations": {"x": {"entity_mentions": [{"start_offset": 0, '
     '"end_offset": 9, "entity_type": "PERSON", "identifier_type": "DIRECT", "entity_id": "e"}]}}}]', "{}",
     "outside the text"),
    ('[{"doc_id": "a", "text": "abc", "annotations": {"x": {"entity_mentions": [{"start_offset": 2, '
     '"end_offset": 1, "entity_type": "PERSON", "identifier_type": "DIRECT", "entity_id": "e"}]}}}]', "{}",
     "not before end"),
    ('[{"doc_id": "a", "text": "abc", "annotations": {"x": {"entity_mentions": [{"start_offset": 0, '
     '"end_offset": 1, "entity_type": "PERSON", "identifier_type": "DIRECT", "entity_id": "e"}]}}}]',
     '{"zzz": [[0, 1]]}', "not in the gold data"),
    ('[{"doc_id": "a", "text": "abc", "annotations": {"x": {"entity_mentions": [{"start_offset": 0, '
     '"end_offset": 1, "entity_type": "PERSON", "identifier_type": "DIRECT", "entity_id": "e"}]}}}]',
     '{"a": [[0, 10]]}', "outside the text"),
    ('[{"doc_id": "a", "text": "abc", "annotations": {"x": {"entity_mentions": [{"start_offset": 0, '
     '"end_offset": 1, "entity_type": "PERSON", "identifier_type": "DIRECT", "entity_id": "e"}]}}}]',
     '{"doc_id": "a", "spans": [{"start": 0}]}\nnot json\n', "line 1"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, gold_text, pred_text, message):
    gold = tmp_path / "gold.json"
    if gold_text is not None:
        gold.write_text(gold_text)
    preds = tmp_path / "preds.json"
    preds.write_text(pred_text)
    proc = run_cli("score", gold, preds)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_reader_rejects_gold_list_as_predictions():
    with pytest.raises(BadInput):
        read_predictions(TAB / "dev.json")


def test_jsonl_writer_round_trips(tmp_path):
    import io

    from redact.corpus import write_jsonl

    docs = list(read_documents(TAB / "dev.json"))[:3]
    buf = io.StringIO()
    assert write_jsonl(docs, buf) == 3
    path = tmp_path / "docs.jsonl"
    path.write_text(buf.getvalue())
    again = list(read_documents(path))
    assert [(d.doc_id, d.text, d.spans) for d in again] == [(d.doc_id, d.text, d.spans) for d in docs]


def test_seqeval_is_strict_iob2():
    """Strict IOB2 and seqeval's default (conlleval-like) mode disagree on a chunk starting with I- and on a
    B- followed by an I- of another type; we report the strict value."""
    from seqeval.metrics import f1_score

    from redact.score import seqeval_scores

    gold = [["B-PERSON", "I-PERSON", "O", "B-LOC", "I-LOC", "O"]]
    pred = [["I-PERSON", "I-PERSON", "O", "B-LOC", "I-LOC", "O"]]
    assert f1_score(gold, pred) == pytest.approx(1.0)  # default mode accepts the I-PERSON start
    strict = seqeval_scores(gold, pred)
    assert strict["precision"] == pytest.approx(1.0)  # LOC is the only entity strict mode sees, and it is right
    assert strict["recall"] == pytest.approx(0.5)
    assert strict["f1"] == pytest.approx(2 / 3)
    assert strict["by_type"]["PERSON"]["recall"] == 0.0


def test_precision_by_label_brackets_token_precision():
    gold = list(read_documents(TAB / "test.json"))
    result = score(gold, read_predictions(PEERS / "presidio_test.json"))
    by_label = result["tab"]["token_precision_by_label"]
    assert {"PERSON", "LOCATION", "DATE_TIME"} <= set(by_label)
    assert min(by_label.values()) < result["tab"]["token_precision"] < max(by_label.values())
