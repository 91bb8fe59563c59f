"""Pictures and corpus statistics: real images, counts that match the raw files, several systems in one call,
and no display needed."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from conftest import PEERS, ROOT, TAB, run_cli
from redact.plots import plot_scores, plot_stats, plot_training
from redact.stats import CheckpointTokenizer, corpus_stats

PANORAMA = ROOT / "data" / "panorama" / "panorama151.json"
TRAINING = ROOT / "checkpoints" / "tab-minilm" / "training.json"


def assert_picture(path: Path, size: tuple[int, int]) -> None:
    """A real PNG of ``size`` pixels with several colours (not blank)."""
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size == size
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 20
    # more than one hue in quantity: not just antialiased black on white
    strong = {c for n, c in colours if n > 200 and max(c) - min(c) > 60}
    assert len(strong) >= 2, strong


def without_display() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND", "WAYLAND_DISPLAY")}
    return {**env, "TQDM_DISABLE": "1"}


# --- training curves ---------------------------------------------------------------------------------

def test_training_curves_from_the_shipped_checkpoint(tmp_path):
    record = json.loads(TRAINING.read_text())
    chart = plot_training([record], tmp_path / "t.png", ["tab-minilm"])
    assert (chart.width, chart.height) == (1200, 450)
    assert_picture(tmp_path / "t.png", (1200, 450))
    svg = plot_training([record], tmp_path / "t.svg")
    assert svg.format == "svg" and (tmp_path / "t.svg").read_text().lstrip().startswith("<?xml")
    assert "<svg" in (tmp_path / "t.svg").read_text()[:2000]


def test_plot_training_command_overlays_runs(tmp_path):
    other = json.loads(TRAINING.read_text())
    for row in other["epochs"]:
        row["token_f1"] *= 0.9
        row["dev_loss"] = row["loss"] * 1.5  # newer records carry a dev loss too
    other["best_epoch"] = 4
    (tmp_path / "run2").mkdir()
    (tmp_path / "run2" / "training.json").write_text(json.dumps(other))
    out = tmp_path / "both.png"
    proc = run_cli("plot-training", ROOT / "checkpoints" / "tab-minilm", tmp_path / "run2", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "tab-minilm: best epoch 10" in proc.stdout and "run2: best epoch 4" in proc.stdout
    assert_picture(out, (1200, 450))


def test_plot_training_errors_are_one_line(tmp_path):
    proc = run_cli("plot-training", tmp_path)
    assert proc.returncode == 2 and "no training.json" in proc.stderr
    proc = run_cli("plot-training", ROOT / "checkpoints" / "tab-minilm", "-o", tmp_path / "x.pdf")
    assert proc.returncode == 2 and ".png or .svg" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# --- corpus statistics -------------------------------------------------------------------------------

def _expected(path: Path) -> dict:
    """Counts straight from the raw TAB file and the tokenizer, without redact's readers."""
    from tokenizers import Tokenizer

    raw = json.loads(path.read_text())
    tok = Tokenizer.from_file(str(ROOT / "checkpoints" / "tab-minilm" / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    geometry = json.loads((ROOT / "checkpoints" / "tab-minilm" / "redact.json").read_text())
    content, overlap = geometry["window"] - 2, geometry["overlap"]  # [CLS] and [SEP]
    exp = {"documents": len(raw), "characters": sum(len(d["text"]) for d in raw), "tokens": 0, "windows": 0,
           "mentions": {}, "masked": 0, "annotated": 0, "annotators": {}, "mentions_per_document": []}
    for d in raw:
        offsets = tok.encode(d["text"], add_special_tokens=False).offsets
        n = len(offsets)
        exp["tokens"] += n
        exp["windows"] += 1 if n <= content else math.ceil((n - overlap) / (content - overlap))
        k = str(len(d["annotations"]))
        exp["annotators"][k] = exp["annotators"].get(k, 0) + 1
        total = 0
        for ann in d["annotations"].values():
            ms = ann["entity_mentions"]
            total += len(ms)
            for m in ms:
                row = exp["mentions"].setdefault(m["entity_type"], {})
                row[m["identifier_type"]] = row.get(m["identifier_type"], 0) + 1
            masked = [(m["start_offset"], m["end_offset"]) for m in ms if m["identifier_type"] != "NO_MASK"]
            exp["masked"] += sum(any(s < me and ms_ < e for ms_, me in masked) for s, e in offsets)
            exp["annotated"] += n
        exp["mentions_per_document"].append(total / len(d["annotations"]))
    return exp


def test_stats_json_matches_counts_from_the_raw_files():
    proc = run_cli("stats", TAB / "dev.json", PANORAMA, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["model"] == "tab-minilm" and [c["name"] for c in out["corpora"]] == ["tab/dev", "panorama/panorama151"]
    for corpus, path in zip(out["corpora"], (TAB / "dev.json", PANORAMA)):
        exp = _expected(path)
        assert corpus["documents"] == exp["documents"]
        assert corpus["characters"] == exp["characters"]
        assert corpus["tokens"] == exp["tokens"] == sum(corpus["tokens_per_document"])
        assert corpus["windows"] == exp["windows"]
        assert corpus["mentions"] == exp["mentions"]
        assert corpus["masked_tokens"] == exp["masked"] and corpus["annotated_tokens"] == exp["annotated"]
        assert corpus["mask_share"] == pytest.approx(exp["masked"] / exp["annotated"])
        assert corpus["annotators_per_document"] == exp["annotators"]
        assert corpus["mentions_per_document"] == pytest.approx(exp["mentions_per_document"])
        assert corpus["window"] == 512 and corpus["overlap"] == 64
    # PANORAMA's SOURCES.md: 580 mentions, 323 DIRECT, 215 QUASI, 42 NO_MASK
    assert out["corpora"][1]["mentions_by_identifier"] == {"DIRECT": 323, "NO_MASK": 42, "QUASI": 215}


def test_agreement_between_two_annotators(tmp_path):
    text = "Anna Berg met Carl Dahl in Oslo on Monday."
    words = [(0, 4), (5, 9), (10, 13), (14, 18), (19, 23), (24, 26), (27, 31), (32, 34), (35, 41)]

    def mention(i, j, typ, ident="DIRECT"):
        return {"start_offset": words[i][0], "end_offset": words[j][1], "entity_type": typ,
                "identifier_type": ident, "entity_id": f"e{i}"}

    doc = {"doc_id": "d1", "text": text, "annotations": {
        "a1": {"entity_mentions": [mention(0, 1, "PERSON"), mention(3, 4, "PERSON"), mention(6, 6, "LOC", "QUASI")]},
        "a2": {"entity_mentions": [mention(0, 1, "PERSON"), mention(6, 6, "LOC", "QUASI"),
                                   mention(8, 8, "DATETIME", "NO_MASK")]}}}
    path = tmp_path / "two.json"
    path.write_text(json.dumps([doc]))
    s = corpus_stats(path)
    tok = CheckpointTokenizer.load()
    offsets = tok.offsets([text])[0]
    in_ = lambda spans: [any(a < e2 and b > s2 for s2, e2 in spans) for a, b in offsets]  # noqa: E731
    a1 = in_([(0, 9), (14, 23), (27, 31)])
    a2 = in_([(0, 9), (27, 31)])
    n = len(offsets)
    both = sum(x and y for x, y in zip(a1, a2))
    only1 = sum(x and not y for x, y in zip(a1, a2))
    po = 1 - only1 / n
    pa, pb = sum(a1) / n, sum(a2) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    assert s.agreement.pairs == 1 and s.agreement.tokens == n
    assert s.agreement.observed == pytest.approx(po)
    assert s.agreement.kappa == pytest.approx((po - pe) / (1 - pe))
    assert s.agreement.f1 == pytest.approx(2 * both / (sum(a1) + sum(a2)))
    assert s.annotators_per_document == {2: 1}
    assert s.entities_per_document == [3.0] and s.mentions_per_document == [3.0]
    assert s.masked_tokens == sum(a1) + sum(a2)


def test_stats_picture_of_two_corpora(tmp_path):
    stats = [corpus_stats(TAB / "dev.json"), corpus_stats(PANORAMA)]
    chart = plot_stats(stats, tmp_path / "s.png")
    assert_picture(chart.path, (1200, 850))


def test_stats_text_table_lists_both_corpora():
    proc = run_cli("stats", TAB / "dev.json", PANORAMA)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "tab/dev" in lines[0] and "panorama/panorama151" in lines[0]
    assert any(line.startswith("share of tokens to mask") for line in lines)
    assert any(line.startswith("PERSON") for line in lines)


def test_stats_errors_are_one_line(tmp_path):
    proc = run_cli("stats", tmp_path / "missing.json")
    assert proc.returncode == 2 and "no such file" in proc.stderr
    proc = run_cli("stats", TAB / "dev.json", "--model", tmp_path)
    assert proc.returncode == 2 and "not a checkpoint folder" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# --- scores --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def second_system(tmp_path_factory):
    """A cheap second prediction file: gold DIRECT mentions only (TAB prediction format)."""
    gold = json.loads((TAB / "test.json").read_text())
    preds = {d["doc_id"]: [[m["start_offset"], m["end_offset"], m["entity_type"]]
                           for a in d["annotations"].values() for m in a["entity_mentions"]
                           if m["identifier_type"] == "DIRECT"] for d in gold}
    path = tmp_path_factory.mktemp("preds") / "direct_only.json"
    path.write_text(json.dumps(preds))
    return path


def test_score_two_files_equals_two_single_calls(tmp_path, second_system):
    presidio = PEERS / "presidio_test.json"
    both = run_cli("score", TAB / "test.json", presidio, second_system, "--json", "--plot", tmp_path / "s.png")
    assert both.returncode == 0, both.stderr
    systems = json.loads(both.stdout)["systems"]
    assert [s["name"] for s in systems] == ["presidio_test", "direct_only"]
    for system, path in zip(systems, (presidio, second_system)):
        single = run_cli("score", TAB / "test.json", path, "--json")
        assert single.returncode == 0, single.stderr
        alone = json.loads(single.stdout)
        assert {k: system[k] for k in alone} == alone
    assert systems[0]["tab"]["token_recall"] != systems[1]["tab"]["token_recall"]
    assert_picture(tmp_path / "s.png", (1100, 750))


def test_score_table_has_one_row_per_system(second_system):
    proc = run_cli("score", TAB / "test.json", PEERS / "presidio_test.json", second_system, "--by-type")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:2] == ["system", "tok.R"]
    assert lines[1].startswith("presidio_test ") and lines[2].startswith("direct_only ")
    assert lines[1].split()[1] == "0.703"  # TAB's official token recall for Presidio (SOURCES.md)
    assert "token recall by type" in lines


def test_score_chart_draws_every_type(tmp_path):
    from redact.corpus import read_documents, read_predictions
    from redact.score import score

    gold = list(read_documents(TAB / "test.json"))
    results = [("presidio", score(gold, read_predictions(PEERS / "presidio_test.json"))),
               ("gold", score(gold, {d.doc_id: d.masked_spans() for d in gold}))]
    svg = plot_scores(results, tmp_path / "s.svg")
    text = svg.path.read_text()
    for label in ("PERSON", "DATETIME", "LOCATION", "presidio"):
        assert label in text


# --- no display ------------------------------------------------------------------------------------------

def test_everything_draws_without_a_display(tmp_path):
    env = without_display()
    base = [sys.executable, "-c", "from redact.cli import main; main()"]
    cmds = [["stats", str(TAB / "dev.json"), "--plot", str(tmp_path / "a.png")],
            ["plot-training", str(ROOT / "checkpoints" / "tab-minilm"), "-o", str(tmp_path / "b.png")],
            ["score", str(TAB / "test.json"), str(PEERS / "presidio_test.json"), "--plot", str(tmp_path / "c.png")]]
    for cmd in cmds:
        proc = subprocess.run(base + cmd, capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stderr
    for name, size in (("a.png", (1200, 850)), ("b.png", (1200, 450)), ("c.png", (1100, 750))):
        assert_picture(tmp_path / name, size)


def test_help_does_not_import_matplotlib_or_torch():
    code = ("import sys\nfrom redact.cli import cli\n"
            "for name in ('stats', 'plot-training', 'score', 'train'):\n"
            "    cli.get_command(None, name)\n"
            "print('matplotlib' in sys.modules, 'torch' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=without_display())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "False"]


def test_stats_read_jsonl_like_tab_json(tmp_path):
    from redact.corpus import read_documents, write_jsonl

    path = tmp_path / "dev.jsonl"
    with open(path, "w") as fh:
        write_jsonl(read_documents(TAB / "dev.json"), fh)
    a, b = corpus_stats(TAB / "dev.json").to_dict(), corpus_stats(path).to_dict()
    for key in ("name", "path"):
        a.pop(key), b.pop(key)
    assert a == b
