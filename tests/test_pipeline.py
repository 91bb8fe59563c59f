"""Batch runs: same input → same output, layout, resume, bad input, reports folder, the library door."""

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, TAB, run_cli
from tiny import rigged_bert

NAME = "Zorbington Quixwell"


@pytest.fixture(scope="module")
def rigged(tmp_path_factory):
    return rigged_bert(tmp_path_factory.mktemp("rigged"), ["Zorbington", "Quixwell"])


# -- same input, same output ---------------------------------------------------------------------------

@pytest.mark.parametrize("runtime,precision", [("onnx", "int8"), ("onnx", "fp32"), ("torch", "fp32"),
                                               ("torch", "bf16"), ("torch", "int8")])
def test_spans_do_not_depend_on_the_batch(runtime, precision):
    """Each text alone, in a batch of many, in reverse order and with other batch sizes: identical spans
    (shipped model, real tokenizer), on each runtime and precision."""
    from redact.engine import Engine, Settings
    from redact.models import load_model
    from redact.spans import Document

    texts = [d["text"][:6000] for d in json.loads((TAB / "dev.json").read_text())[:5]]
    texts += [(ROOT / "samples" / n).read_text() for n in sorted(os.listdir(ROOT / "samples")) if n.endswith(".txt")]
    texts += [t[:700] for t in texts[:3]] + ["Mr John Smith was born in Oslo on 3 May 1961."]
    model = load_model("tab-minilm", precision=precision, runtime=runtime)
    assert model.runtime.name == runtime

    def spans(items, batch_size=8):
        engine = Engine(model, Settings(batch_size=batch_size))
        return {d.doc_id: [(s.start, s.end, s.label, round(s.score, 4)) for s in d.spans]
                for d in engine.predict(Document(str(i), t) for i, t in items)}

    together = spans(list(enumerate(texts)))
    assert spans(list(enumerate(texts))[::-1]) == together
    assert spans(list(enumerate(texts)), batch_size=3) == together
    for i, t in enumerate(texts):
        assert spans([(i, t)], batch_size=1) == {str(i): together[str(i)]}, i


def test_same_file_alone_or_in_a_batch_gives_identical_output(rigged, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    for i in range(6):
        (inp / f"f{i}.txt").write_text(f"Case {i}. " + "The court heard the parties. " * (40 * i + 1)
                                       + f"{NAME} appeared." + " Quixwell left." * i)
    assert run_cli("run", "--model", rigged, inp, "-o", tmp_path / "all", "-q").returncode == 0
    for i in (0, 5):
        assert run_cli("run", "--model", rigged, inp / f"f{i}.txt", "-o", tmp_path / f"one{i}", "-q").returncode == 0
        assert (tmp_path / f"one{i}" / f"f{i}.txt").read_bytes() == (tmp_path / "all" / f"f{i}.txt").read_bytes()


# -- output layout ---------------------------------------------------------------------------------------

def test_outputs_mirror_inputs_from_their_common_root(rigged, tmp_path):
    for sub in ("a", "b"):
        (tmp_path / "cases" / sub).mkdir(parents=True)
        (tmp_path / "cases" / sub / "x.txt").write_text(f"{sub}: {NAME} wrote.")
    proc = run_cli("run", "--model", rigged, str(tmp_path / "cases" / "**" / "*.txt"), "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "a" / "x.txt").read_text().startswith("a: ")
    assert (tmp_path / "out" / "b" / "x.txt").read_text().startswith("b: ")


def test_two_inputs_for_one_output_is_a_usage_error(rigged, tmp_path):
    (tmp_path / "x.json").write_text(json.dumps([{"doc_id": "1", "text": "a"}]))
    (tmp_path / "x.jsonl").write_text(json.dumps({"doc_id": "2", "text": "b"}) + "\n")
    proc = run_cli("run", "--model", rigged, tmp_path / "x.json", tmp_path / "x.jsonl", "-o", tmp_path / "out")
    assert proc.returncode == 2 and "both be written" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_output_folder_inside_the_input_folder_is_not_read_back(rigged, tmp_path):
    (tmp_path / "a.txt").write_text(f"{NAME} wrote.")
    for _ in range(2):
        proc = run_cli("run", "--model", rigged, tmp_path, "-o", tmp_path / "redacted", "--overwrite")
        assert proc.returncode == 0, proc.stderr
        assert "1 documents redacted" in proc.stderr
    assert not (tmp_path / "redacted" / "redacted").exists()


# -- resume ------------------------------------------------------------------------------------------------

def test_second_run_skips_done_redoes_changed_and_cleans_failed(rigged, tmp_path):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    for i in range(3):
        (inp / f"{i}.txt").write_text(f"Doc {i} by {NAME}.")
    assert run_cli("run", "--model", rigged, inp, "-o", out).returncode == 0
    proc = run_cli("run", "--model", rigged, inp, "-o", out)
    assert proc.returncode == 0 and "3 skipped" in proc.stderr and "0 documents redacted" in proc.stderr
    time.sleep(0.01)
    (inp / "1.txt").write_text("Changed: Quixwell.")
    (inp / "2.txt").write_bytes(b"\xff\xfe\x00\xd8")  # now unreadable
    proc = run_cli("run", "--model", rigged, inp, "-o", out)
    assert proc.returncode == 1 and "1 skipped" in proc.stderr and "1 documents redacted" in proc.stderr
    assert (out / "1.txt").read_text() == "Changed: ████████."
    assert not (out / "2.txt").exists() and not (tmp_path / "out.reports" / "2.txt.json").exists()
    proc = run_cli("run", "--model", rigged, inp, "-o", out, "--overwrite")
    assert "2 documents redacted" in proc.stderr


def test_killed_run_then_rerun_ends_complete_and_consistent(rigged, tmp_path):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    n = 60
    for i in range(n):
        (inp / f"{i:03}.txt").write_text(f"Doc {i}. " + "The court heard the parties. " * 200 + NAME)
    cmd = [sys.executable, "-c", "from redact.cli import main; main()", "run", "--model", str(rigged), str(inp),
           "-o", str(out), "-q", "--workers", "0"]
    proc = subprocess.Popen(cmd)
    deadline = time.time() + 60
    while time.time() < deadline and len(list(out.glob("*.txt"))) < 5:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len(list(out.glob("*.txt")))
    assert 0 < done_before < n
    rerun = subprocess.run(cmd, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert sorted(p.name for p in out.glob("*.txt")) == sorted(p.name for p in inp.glob("*.txt"))
    assert not list(out.rglob(".redact-*")) and not list((tmp_path / "out.reports").rglob(".redact-*"))
    for p in out.glob("*.txt"):
        assert NAME not in p.read_text() and p.read_text().endswith("█" * len(NAME))
        assert (tmp_path / "out.reports" / (p.name + ".json")).exists()
    manifest = [json.loads(l) for l in (tmp_path / "out.reports" / "manifest.jsonl").read_text().splitlines()]
    assert len(manifest) == n and all(e["status"] == "done" for e in manifest)


# -- bad input ---------------------------------------------------------------------------------------------

def test_bad_documents_and_special_files_are_one_line_each(rigged, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "cases.jsonl").write_text(json.dumps({"doc_id": "x", "text": 5}) + "\n"
                                     + json.dumps({"doc_id": "y", "text": f"{NAME} wrote."}) + "\n")
    odd = os.fsdecode(b"caf\xe9.txt")
    (inp / odd).write_text(f"Dear {NAME}.")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    proc = run_cli("run", "--model", rigged, inp, fifo, "-o", out, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    failed = [l for l in proc.stderr.splitlines() if "failed:" in l]
    assert len(failed) == 2, proc.stderr
    assert any("'text' must be a string" in l for l in failed) and any("not a regular file" in l for l in failed)
    lines = [json.loads(l) for l in (out / "in" / "cases.jsonl").read_text().splitlines()]
    assert [r["doc_id"] for r in lines] == ["y"] and NAME not in lines[0]["text"]
    assert (out / "in" / odd).read_text() == f"Dear {'█' * len(NAME)}."
    report = json.loads((tmp_path / "out.reports" / "in" / (odd + ".json")).read_bytes())
    assert report["source"].endswith("caf\\xe9.txt")


@pytest.mark.parametrize("args, message", [(["--overlap", "-1"], "--overlap"), (["--window", "2"], "--window"),
                                           (["--threshold", "0"], "--threshold"), (["--batch-size", "0"], "--batch-size")])
def test_bad_settings_are_one_line(rigged, tmp_path, args, message):
    (tmp_path / "a.txt").write_text("x")
    proc = run_cli("run", "--model", rigged, tmp_path / "a.txt", "-o", tmp_path / "o", *args)
    assert proc.returncode == 2 and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


# -- reports ------------------------------------------------------------------------------------------------

def test_reports_are_private_and_outside_the_output_folder(rigged, tmp_path):
    (tmp_path / "a.txt").write_text(f"{NAME} wrote.")
    out = tmp_path / "share"
    assert run_cli("run", "--model", rigged, tmp_path / "a.txt", "-o", out).returncode == 0
    assert [p.name for p in out.iterdir()] == ["a.txt"]
    report = tmp_path / "share.reports" / "a.txt.json"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "share.reports").stat().st_mode) == 0o700
    assert stat.S_IMODE((out / "a.txt").stat().st_mode) & 0o044  # the output itself is ordinary
    data = json.loads(report.read_text())
    assert data["verification"]["reader"] and data["spans"][0]["text"] == NAME
    assert run_cli("run", "--model", rigged, tmp_path / "a.txt", "-o", tmp_path / "x",
                   "--reports", tmp_path / "x").returncode == 2


def test_dot_and_relative_destinations(rigged, tmp_path):
    """`redact run x -o .` (reports beside the resolved folder), a relative -o, and the library's relative
    destinations in the current folder; an output that would be its input is refused (exit 2)."""
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "in.txt").write_text(f"{NAME} wrote.")
    (tmp_path / "elsewhere.txt").write_text(f"{NAME} came.")
    same = run_cli("run", "--model", rigged, "in.txt", "-o", ".", cwd=cases)
    assert same.returncode == 2 and "overwrite" in same.stderr and "Traceback" not in same.stderr
    assert (cases / "in.txt").read_text() == f"{NAME} wrote."
    ok = run_cli("run", "--model", rigged, "../elsewhere.txt", "-o", ".", cwd=cases)
    assert ok.returncode == 0, ok.stderr
    assert (cases / "elsewhere.txt").read_text() == "█" * len(NAME) + " came."
    assert (tmp_path / "cases.reports" / "elsewhere.txt.json").exists()
    rel = run_cli("run", "--model", rigged, "in.txt", "-o", "out", cwd=cases)
    assert rel.returncode == 0 and (cases / "out" / "in.txt").exists() and (cases / "out.reports").is_dir()
    code = ("import redact, sys; r = redact.Redactor(sys.argv[1]); rep = r.redact_file('in.txt', 'red.txt'); "
            "print(rep.status, rep.report_path)")
    lib = subprocess.run([sys.executable, "-c", code, str(rigged)], cwd=cases, capture_output=True, text=True,
                         timeout=300)
    assert lib.returncode == 0, lib.stderr
    assert lib.stdout.split()[0] == "redacted" and (cases / "red.txt").read_text() == "█" * len(NAME) + " wrote."
    assert lib.stdout.split()[1] == str(tmp_path / "cases.reports" / "red.txt.json")


# -- the library ---------------------------------------------------------------------------------------------

def test_library_front_door(rigged, tmp_path):
    import redact

    r = redact.Redactor(str(rigged), precision="fp32")
    assert r.redact_text(f"Mr {NAME} wrote.", style="label") == "Mr [PERSON] wrote."
    assert [(s.start, s.end) for s in r.spans(f"Mr {NAME}")] == [(3, 3 + len(NAME))]
    (tmp_path / "a.txt").write_text(f"{NAME}.")
    report = r.redact_file(tmp_path / "a.txt", tmp_path / "out" / "a.txt")
    assert report.ok and (tmp_path / "out" / "a.txt").read_text() == "█" * len(NAME) + "."
    reports = list(r.redact_many([tmp_path / "a.txt"], tmp_path / "many", style="pseudonym"))
    assert [x.status for x in reports] == ["redacted"] and (tmp_path / "many" / "a.txt").read_text() == "[PERSON_1]."
    from_generator = list(r.redact_many((p for p in [tmp_path / "a.txt"]), tmp_path / "gen"))
    assert [x.status for x in from_generator] == ["redacted"] and (tmp_path / "gen" / "a.txt").exists()


def test_a_new_format_is_one_object_and_one_registry_line(rigged, tmp_path, registry):
    """A toy format (tab-separated values: the second column is text) plugged in through the registry."""
    from redact.formats import Parsed, Verification, WriteResult
    from redact.operators import apply
    import redact

    class TSV:
        name, suffixes = "tsv", (".tsv",)

        def read(self, path):
            rows = [line.split("\t", 1) for line in Path(path).read_text().splitlines()]
            return Parsed("\n".join(r[1] for r in rows), "tsv", state=[r[0] for r in rows])

        def write(self, parsed, spans, dest, options):
            lines = apply(parsed.text, spans, options.operator).split("\n")
            Path(dest).write_text("".join(f"{k}\t{v}\n" for k, v in zip(parsed.state, lines)))
            return WriteResult()

        def verify(self, dest, needles):
            return Verification("plain read", hits=needles.find(Path(dest).read_text(), Path(dest).name))

    registry.register(TSV())
    (tmp_path / "t.tsv").write_text(f"1\t{NAME} wrote\n2\tnothing\n")
    report = redact.Redactor(str(rigged)).redact_file(tmp_path / "t.tsv", tmp_path / "o" / "t.tsv")
    assert report.ok and (tmp_path / "o" / "t.tsv").read_text() == f"1\t{'█' * len(NAME)} wrote\n2\tnothing\n"


def test_verification_failure_writes_nothing(rigged, tmp_path, registry):
    """A writer that forgets a span: the verifier (a separate reader) catches it, nothing is renamed."""
    from redact.formats.txt import TextFormat
    import redact

    class Forgetful(TextFormat):
        name, suffixes = "forgetful", (".fgt",)

        def write(self, parsed, spans, dest, options):
            return super().write(parsed, spans[1:], dest, options)

    registry.register(Forgetful())
    (tmp_path / "f.fgt").write_text(f"{NAME} and Quixwell.")
    report = redact.Redactor(str(rigged)).redact_file(tmp_path / "f.fgt", tmp_path / "o" / "f.fgt")
    assert report.status == "failed" and "verification found removed text" in report.error
    assert not (tmp_path / "o" / "f.fgt").exists() and not list((tmp_path / "o").glob(".redact-*"))
