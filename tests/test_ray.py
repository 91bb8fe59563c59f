"""``redact run --engine ray``: the same outputs, reports and manifest as the local engine; bad documents
fail alone; a crashed actor is retried; a cluster started with ``ray start --head`` is joined; Ray runs
without network (usage stats off, no dashboard, no cloud probes, loopback only).

One local Ray instance (2 CPUs) is shared by the in-process tests; the CLI tests start their own."""

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

if importlib.util.find_spec("ray") is None:  # not imported here: the code under test sets the environment first
    pytest.skip("Ray is not installed (pip install 'redact[ray]')", allow_module_level=True)

from conftest import ROOT, TAB  # noqa: E402
from tiny import rigged_bert  # noqa: E402

NAME = "Zorbington Quixwell"
ENV_KEYS = ("RAY_USAGE_STATS_ENABLED", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "REDACT_HOME", "REDACT_RAY_HOME")


@pytest.fixture(scope="module")
def rigged(tmp_path_factory):
    """Tags the words below as PERSON: many spans on TAB texts, in milliseconds (not institution words such
    as "applicant", which never make a span alone)."""
    return rigged_bert(tmp_path_factory.mktemp("rigged"), ["Zorbington", "Quixwell", "application", "case", "decision"])


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    """A local Ray instance with 2 CPUs for this module; the environment is put back after."""
    saved = {k: os.environ.get(k) for k in ENV_KEYS}
    os.environ["REDACT_RAY_HOME"] = str(tmp_path_factory.mktemp("rayhome"))
    from redact.distributed import ray as engine

    started = engine.start(num_cpus=2)
    import ray

    yield ray
    if started:
        ray.shutdown()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def run_cli(*args, env=None, timeout=600):
    """The CLI in a subprocess (as a user runs it), with extra environment variables."""
    return subprocess.run([sys.executable, "-c", "from redact.cli import main; main()", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**clean_env(), "TQDM_DISABLE": "1", **(env or {})})


def clean_env() -> dict:
    """This process's environment without what Ray's driver set in it (e.g. RAY_AUTH_MODE)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}


def local_run(inputs, out, model, **kw):
    from redact.api import Redactor
    from redact.pipeline import Layout, expand_inputs, run

    layout = Layout.for_output(out)
    sources = expand_inputs([str(p) for p in inputs], exclude=[p for p in (layout.out, layout.reports) if p])
    return list(run(sources, Redactor(str(model), **kw), layout))


def ray_run(inputs, out, model, actors=None, crash_once=None, **kw):
    from redact.distributed.ray import run
    from redact.pipeline import Layout, expand_inputs

    layout = Layout.for_output(out)
    sources = expand_inputs([str(p) for p in inputs], exclude=[p for p in (layout.out, layout.reports) if p])
    return list(run(sources, str(model), kw, layout, actors=actors, crash_once=crash_once))


def by_doc(reports):
    return {(r.source, r.doc_id): r for r in reports}


def assert_same_run(a: Path, b: Path, a_reports=None, b_reports=None):
    """Same files; TXT/JSONL byte for byte; every JSON report the same but for paths and timings; the
    same manifest (status, hash, settings key); the same spans in every yielded report."""
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files:
        if rel.suffix in (".txt", ".jsonl", ".md"):
            assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    ra, rb = a.with_name(a.name + ".reports"), b.with_name(b.name + ".reports")
    names = sorted(p.relative_to(ra) for p in ra.rglob("*.json"))
    assert names == sorted(p.relative_to(rb) for p in rb.rglob("*.json"))
    for rel in names:
        da, db = json.loads((ra / rel).read_text()), json.loads((rb / rel).read_text())
        for d in (da, db):
            d.pop("output", None), d.pop("timings", None)
        assert da == db, rel

    def manifest(folder):
        return sorted((e["rel"], e["status"], e["sha256"], e["key"], e["error"]) for e in
                      map(json.loads, (folder / "manifest.jsonl").read_text().splitlines()))

    assert manifest(ra) == manifest(rb)
    if a_reports is not None:
        ea, eb = by_doc(a_reports), by_doc(b_reports)
        assert sorted(ea) == sorted(eb)
        for k in ea:
            assert (ea[k].status, ea[k].error, ea[k].spans, ea[k].tokens) == \
                   (eb[k].status, eb[k].error, eb[k].spans, eb[k].tokens), k
            assert ea[k].span_objects == eb[k].span_objects, k


# -- environment: no network beyond loopback ------------------------------------------------------------

def test_environment_is_set_before_ray_is_imported(tmp_path):
    code = ("import os, sys; from redact.distributed.ray import prepare_environment; h = prepare_environment(); "
            "print(os.environ['RAY_USAGE_STATS_ENABLED'], os.environ['RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER'], h, "
            "'ray' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env.update(HOME=str(tmp_path), REDACT_RAY_HOME=str(tmp_path / "rh"))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["0", "0", str(tmp_path / "rh"), "False"]
    import yaml

    assert yaml.safe_load((tmp_path / "rh" / "ray_bootstrap_config.yaml").read_text()) == {"provider": {"type": "local"}}


def test_local_instance_listens_on_loopback_without_dashboard_or_usage_stats(local_ray):
    ray = local_ray
    assert [n["NodeManagerAddress"] for n in ray.nodes() if n["Alive"]] == ["127.0.0.1"]
    assert ray.cluster_resources()["CPU"] == 2

    @ray.remote(num_cpus=0.1)
    def environment():
        home = Path(os.environ["HOME"])
        return (os.environ.get("RAY_USAGE_STATS_ENABLED"), (home / "ray_bootstrap_config.yaml").read_text(),
                ray.util.get_node_ip_address())

    stats, bootstrap, ip = ray.get(environment.remote())  # Ray's processes got that HOME, not ours
    assert stats == "0" and "type: local" in bootstrap and ip == "127.0.0.1"
    assert Path(os.environ["HOME"]) != Path(os.environ["REDACT_RAY_HOME"])
    from ray._private.worker import global_worker

    assert not global_worker.node.address_info.get("webui_url")  # no dashboard


# -- same outputs as the local engine --------------------------------------------------------------------

def test_tab_documents_and_a_collection_same_as_local_then_resume(local_ray, rigged, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    n = 0
    for split in ("train", "dev", "test"):
        for doc in json.loads((TAB / f"{split}.json").read_text()):
            (inp / f"{doc['doc_id']}.txt").write_text(doc["text"])
            n += 1
    shutil.copy(TAB / "test.json", inp / "test.json")  # a collection: one JSONL output
    assert n == 144
    local = local_run([inp], tmp_path / "local", rigged)
    remote = ray_run([inp], tmp_path / "ray", rigged)
    assert sum(r.status == "redacted" for r in remote) == 144 + 31
    assert sum(len(r.spans) for r in remote) > 1000
    assert_same_run(tmp_path / "local", tmp_path / "ray", local, remote)
    # resume: done and unchanged is skipped, and the two engines' manifests are interchangeable
    assert {r.status for r in ray_run([inp], tmp_path / "ray", rigged)} == {"skipped"}
    assert {r.status for r in ray_run([inp], tmp_path / "local", rigged)} == {"skipped"}


def test_samples_with_the_shipped_model_same_as_local(local_ray, tmp_path):
    local = local_run([ROOT / "samples"], tmp_path / "local", "tab-minilm")
    remote = ray_run([ROOT / "samples"], tmp_path / "ray", "tab-minilm")
    assert {Path(r.source).suffix for r in remote if r.status == "redacted"} == {".txt", ".docx", ".pdf"}
    assert_same_run(tmp_path / "local", tmp_path / "ray", local, remote)


def test_jsonl_mode_gives_the_same_predictions(local_ray, rigged, tmp_path):
    """Nothing written (``--jsonl``): the same spans per document, collections included."""
    (tmp_path / "a.txt").write_text(f"The applicant {NAME} wrote.")
    (tmp_path / "c.jsonl").write_text("".join(json.dumps({"doc_id": str(i), "text": f"{i}: {NAME} and the "
                                                                 "Government."}) + "\n" for i in range(3)))
    inputs = [tmp_path / "a.txt", tmp_path / "c.jsonl"]
    local, remote = local_run(inputs, None, rigged), ray_run(inputs, None, rigged)
    assert len(remote) == 4 and {r.status for r in remote} == {"redacted"}
    ea, eb = by_doc(local), by_doc(remote)
    assert {k: (r.spans, r.tokens, r.format) for k, r in ea.items()} == \
           {k: (r.spans, r.tokens, r.format) for k, r in eb.items()}


# -- faults ----------------------------------------------------------------------------------------------

def test_an_actor_that_dies_is_restarted_and_its_batch_retried(local_ray, rigged, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    for i in range(40):
        (inp / f"{i:02}.txt").write_text(f"Doc {i}. " + "The court heard the parties. " * 30 + f"{NAME} appeared.")
    marker = tmp_path / "crashed"
    remote = ray_run([inp], tmp_path / "ray", rigged, crash_once=str(marker), actors=2)
    assert marker.exists()  # an actor process ended in its first call
    assert [r.status for r in remote] == ["redacted"] * 40
    local = local_run([inp], tmp_path / "local", rigged)
    assert_same_run(tmp_path / "local", tmp_path / "ray", local, remote)


def test_bad_documents_fail_alone_through_the_cli(rigged, tmp_path):
    """The CLI starts its own local Ray instance; a corrupt PDF, a corrupt DOCX and a bad JSONL record are
    one failure line each; everything else is written."""
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "good.txt").write_text(f"Dear {NAME}.")
    (inp / "broken.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(300))
    (inp / "broken.docx").write_bytes(b"PK\x03\x04" + os.urandom(300))
    (inp / "cases.jsonl").write_text(json.dumps({"doc_id": "x", "text": 5}) + "\n"
                                     + json.dumps({"doc_id": "y", "text": f"{NAME} wrote."}) + "\n")
    env_home = tmp_path / "rayhome"
    proc = run_cli("run", "--engine", "ray", "--model", rigged, inp, "-o", tmp_path / "out", timeout=400,
                   env={"REDACT_RAY_HOME": str(env_home)})
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    failed = [line for line in proc.stderr.splitlines() if "failed:" in line]
    assert len(failed) == 3, proc.stderr
    assert any("broken.pdf" in f for f in failed) and any("broken.docx" in f for f in failed)
    assert any("'text' must be a string" in f for f in failed)
    assert (tmp_path / "out" / "good.txt").read_text() == f"Dear {'█' * len(NAME)}."
    lines = [json.loads(line) for line in (tmp_path / "out" / "cases.jsonl").read_text().splitlines()]
    assert [r["doc_id"] for r in lines] == ["y"] and NAME not in lines[0]["text"]
    assert "2 documents redacted, 3 failed" in proc.stderr
    assert (env_home / "ray_bootstrap_config.yaml").exists()


# -- a cluster started with `ray start --head` -----------------------------------------------------------

def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in found:
                found.add(c)
                todo.append(c)
    return found


def test_joins_a_cluster_started_with_ray_start(rigged, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    for i in range(6):
        (inp / f"{i}.txt").write_text(f"Case {i}: the applicant {NAME} against the Government. " * (i + 1))
    home = tmp_path / "home"
    home.mkdir()
    (home / "ray_bootstrap_config.yaml").write_text("provider:\n  type: local\n")
    tmp = Path(tempfile.mkdtemp(prefix="rt", dir="/tmp"))  # short: Ray's socket paths must fit
    env = {**clean_env(), "HOME": str(home), "RAY_TMPDIR": str(tmp), "RAY_USAGE_STATS_ENABLED": "0",
           "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S": "0"}
    head = None
    try:
        for _ in range(2):  # a loaded machine can miss Ray's 30 s start-up window once
            head = subprocess.Popen([sys.executable, "-c", "from ray.scripts.scripts import main; main()",
                                     "start", "--head", "--num-cpus",
                                     "2", "--block", "--include-dashboard=false", "--port", "0",
                                     "--disable-usage-stats"], env=env, stdout=subprocess.DEVNULL,
                                    stderr=open(tmp_path / "head.log", "ab"))
            address = tmp / "ray" / "ray_current_cluster"
            deadline = time.time() + 90
            while time.time() < deadline and head.poll() is None and not address.exists():
                time.sleep(0.5)
            if head.poll() is None and address.exists():
                break
            head.wait()
        assert address.exists(), (tmp_path / "head.log").read_text()[-3000:]
        assert address.read_text().startswith("127.0.0.1:")
        time.sleep(2)
        proc = run_cli("run", "--engine", "ray", "--ray-address", "auto", "--model", rigged, inp, "-o",
                       tmp_path / "ray", "-q", timeout=400, env={"RAY_TMPDIR": str(tmp)})
        assert proc.returncode == 0, proc.stderr
    finally:
        if head is not None and head.poll() is None:
            family = _descendants(head.pid)
            head.send_signal(signal.SIGTERM)  # its own processes go with it (not `ray stop`: that kills by name)
            head.wait(timeout=120)
            deadline = time.time() + 30
            while time.time() < deadline and any(Path(f"/proc/{p}").exists() for p in family):
                time.sleep(0.5)
            assert not [p for p in family if Path(f"/proc/{p}").exists()]
        shutil.rmtree(tmp, ignore_errors=True)
    local_run([inp], tmp_path / "local", rigged)
    assert_same_run(tmp_path / "local", tmp_path / "ray")
