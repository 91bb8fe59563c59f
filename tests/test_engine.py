import json

import pytest

from conftest import run_cli
from redact.engine import Engine, Settings, propagate
from redact.models import load_model
from redact.spans import Span, bio_to_spans, merge_spans, spans_to_bio, word_tokens
from redact.windows import make_windows, window_ranges
from tiny import rigged_bert

NAME = "Zorbington Quixwell"


@pytest.fixture(scope="module")
def rigged(tmp_path_factory):
    return rigged_bert(tmp_path_factory.mktemp("rigged"), ["Zorbington", "Quixwell"])


def long_text(n_filler: int = 60) -> str:
    filler = "The court held a hearing in the case and the parties made observations. "
    return filler * n_filler + f"The applicant {NAME} appeared. " + filler * 3


def test_window_ranges_cover_everything_with_overlap():
    for n in (1, 13, 14, 15, 100, 513):
        ranges = window_ranges(n, 14, 4)
        covered = set()
        for s, e in ranges:
            assert e - s <= 14
            covered.update(range(s, e))
        assert covered == set(range(n))
        for (s1, e1), (s2, e2) in zip(ranges, ranges[1:]):
            assert e1 - s2 >= 4  # consecutive windows share at least the overlap


def test_windows_carry_special_tokens():
    wins = make_windows(0, list(range(100, 130)), size=16, overlap=4, cls_id=1, sep_id=2)
    assert all(len(w.input_ids) <= 16 and w.input_ids[0] == 1 and w.input_ids[-1] == 2 for w in wins)
    assert all(w.input_ids[w.offset : w.offset + w.end - w.start] == list(range(100 + w.start, 100 + w.end))
               for w in wins)


def test_bio_round_trip_and_merge():
    text = "Ann Lee met Bob in Oslo."
    toks = word_tokens(text)
    spans = [Span(0, 7, "PERSON"), Span(12, 15, "PERSON"), Span(19, 23, "LOC")]
    assert [(s.start, s.end, s.label) for s in bio_to_spans(toks, spans_to_bio(toks, spans))] == \
        [(s.start, s.end, s.label) for s in spans]
    merged = merge_spans([Span(0, 5, "A", 0.2), Span(3, 9, "B", 0.9), Span(20, 22, "C")])
    assert [(s.start, s.end, s.label) for s in merged] == [(0, 9, "B"), (20, 22, "C")]


def _cut_by_window(model, text):
    ids, offsets = model.encode(text)
    start = text.index(NAME)
    name = [i for i, (s, e) in enumerate(offsets) if start <= s < start + len(NAME)]
    # a window starts or ends inside the name
    return len(ids), any(name[0] < e <= name[-1] or name[0] < s <= name[-1]
                         for s, e in window_ranges(len(ids), 14, 4))


def test_entity_across_window_boundary_is_one_exact_span(rigged):
    model = load_model(str(rigged))
    candidates = (long_text() + " x" * k for k in range(40))
    text = next(t for t in candidates if _cut_by_window(model, t)[1])
    n_tokens, cut = _cut_by_window(model, text)
    assert cut and len(window_ranges(n_tokens, 14, 4)) > 5
    spans = Engine(model, Settings(window=16, overlap=4, propagate=False)).spans(text)
    start = text.index(NAME)
    assert [(s.start, s.end, s.label) for s in spans] == [(start, start + len(NAME), "PERSON")]


@pytest.mark.parametrize("shift", range(0, 14, 3))
def test_span_is_whole_wherever_the_boundary_falls(rigged, shift):
    model = load_model(str(rigged))
    text = "x " * shift + long_text(8)
    spans = Engine(model, Settings(window=16, overlap=4, propagate=False)).spans(text)
    assert [text[s.start : s.end] for s in spans] == [NAME]


def test_batches_across_documents_keep_order(rigged):
    model = load_model(str(rigged))
    engine = Engine(model, Settings(window=16, overlap=4, batch_size=3, buffer_windows=7))
    from redact.spans import Document

    docs = [Document(str(i), "word " * (i * 7) + ("Quixwell" if i % 2 else "")) for i in range(12)]
    out = list(engine.predict(docs))
    assert [d.doc_id for d in out] == [str(i) for i in range(12)]
    for d in out:
        assert [d.text[s.start : s.end] for s in d.spans] == (["Quixwell"] if int(d.doc_id) % 2 else [])


def test_propagation_masks_other_occurrences():
    text = "Quixwell spoke. Later quixwell and Quixwellson and Quixwell left."
    found = propagate(text, [Span(0, 8, "PERSON")])
    assert [(text[s.start : s.end], s.start) for s in found] == [("Quixwell", text.rindex("Quixwell"))]
    assert propagate("Al and Al", [Span(0, 2, "PERSON")]) == []  # too short to propagate
    # a longer string is propagated even where a shorter span already starts
    text = "Widows Fund paid. Widows Fund again."
    found = propagate(text, [Span(0, 11, "ORG"), Span(18, 24, "DEM")])
    assert [(s.start, s.end) for s in found] == [(18, 29)]


def test_cli_stdin_pipeline_and_styles(rigged):
    text = f"Mr {NAME} met Mr Quixwell."
    for style, expected in [("mask", f"Mr {'█' * len(NAME)} met Mr {'█' * 8}."),
                            ("label", "Mr [PERSON] met Mr [PERSON]."),
                            ("pseudonym", "Mr [PERSON_1] met Mr [PERSON_2].")]:
        proc = run_cli("run", "--model", rigged, "-", "--style", style, "-q", input=text)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == expected


def test_jsonl_pipeline_into_score(rigged, tmp_path):
    gold = tmp_path / "gold.json"
    text = f"The applicant {NAME} lives here. {NAME} complained."
    s1 = text.index(NAME)
    s2 = text.rindex(NAME)
    gold.write_text(json.dumps([{"doc_id": "d1", "text": text, "annotations": {"a": {"entity_mentions": [
        {"start_offset": s1, "end_offset": s1 + len(NAME), "entity_type": "PERSON", "identifier_type": "DIRECT",
         "entity_id": "e1"},
        {"start_offset": s2, "end_offset": s2 + len(NAME), "entity_type": "PERSON", "identifier_type": "DIRECT",
         "entity_id": "e1"}]}}}]))
    run = run_cli("run", "--model", rigged, gold, "--jsonl", "-q")
    assert run.returncode == 0, run.stderr
    rec = json.loads(run.stdout)
    assert rec["doc_id"] == "d1" and [s["text"] for s in rec["spans"]] == [NAME, NAME]
    scored = run_cli("score", gold, "-", "--json", input=run.stdout)
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout)["tab"]["recall_direct_entities"] == 1.0


def test_batch_with_bad_files_goes_on(rigged, tmp_path):
    inp = tmp_path / "in"
    (inp / "sub").mkdir(parents=True)
    (inp / "good.txt").write_text(f"Dear {NAME}, hello.")
    (inp / "sub" / "also.txt").write_text("Quixwell wrote.")
    (inp / "empty.txt").write_text("   ")
    (inp / "binary.txt").write_bytes(b"\xff\xfe\x00\xd8" + b"\x00\xdc" * 3)
    (inp / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (inp / "broken.docx").write_bytes(b"PK not a zip")
    out = tmp_path / "out"
    proc = run_cli("run", "--model", rigged, inp, "-o", out)
    assert proc.returncode == 1
    failed = [l for l in proc.stderr.splitlines() if "failed:" in l]
    assert len(failed) == 4, proc.stderr
    assert "Traceback" not in proc.stderr
    assert (out / "good.txt").read_text() == f"Dear {'█' * len(NAME)}, hello."
    assert (out / "sub" / "also.txt").read_text() == "████████ wrote."
    assert not list(out.rglob("*.json"))  # reports quote removed text: never in the shared folder
    report = json.loads((tmp_path / "out.reports" / "good.txt.json").read_text())
    assert report["spans"][0]["text"] == NAME and report["counts"] == {"PERSON": 1}
    assert len(report["sha256"]) == 64 and report["model"]["checkpoint_sha256"]
    assert not list(out.rglob(".redact-*"))  # no temporary leftovers
    assert not (out / "empty.txt").exists() and not (out / "broken.pdf").exists()


def test_refuses_to_overwrite_inputs(rigged, tmp_path):
    (tmp_path / "a.txt").write_text("Quixwell")
    proc = run_cli("run", "--model", rigged, tmp_path, "-o", tmp_path)
    assert proc.returncode == 2 and "overwrite" in proc.stderr
    assert (tmp_path / "a.txt").read_text() == "Quixwell"


def test_missing_model_is_one_line(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    proc = run_cli("run", "--model", "no-such-model", tmp_path / "a.txt", "-o", tmp_path / "o")
    assert proc.returncode == 2
    assert "redact train" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_collection_streams_and_reports_a_bad_line(rigged, tmp_path):
    coll = tmp_path / "cases.jsonl"
    coll.write_text(json.dumps({"doc_id": "a", "text": f"{NAME} wrote."}) + "\n"
                    + json.dumps({"doc_id": "b", "text": "Nobody here."}) + "\n" + "{broken\n")
    proc = run_cli("run", "--model", rigged, coll, "--jsonl", "-q")
    assert proc.returncode == 1
    assert [json.loads(line)["doc_id"] for line in proc.stdout.splitlines()] == ["a", "b"]
    assert "line 3" in proc.stderr and "invalid JSON" in proc.stderr
    out = tmp_path / "out"
    proc = run_cli("run", "--model", rigged, coll, "-o", out, "-q")
    lines = [json.loads(line) for line in (out / "cases.jsonl").read_text().splitlines()]
    assert [r["text"] for r in lines] == [f"{'█' * len(NAME)} wrote.", "Nobody here."]
