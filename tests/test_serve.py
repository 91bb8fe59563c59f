"""`redact serve`: the real server (uvicorn in a subprocess, started like a user would), over HTTP."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, run_cli

SAMPLES = ROOT / "samples"
#: a name no model output or log line would hold by chance
SECRET_NAME = "Zorbington Quillfeather"
PARAGRAPH = (f"The case originated in an application against the Republic of Poland lodged with the Court by a "
             f"Polish national, Mr Jan Kowalski, on 3 March 2006. He was represented by Ms {SECRET_NAME}, a lawyer "
             f"practising in Warsaw.")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, *args: str, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from redact.cli import main; main()", "serve", "--port", str(self.port), *args],
            stdout=subprocess.DEVNULL, stderr=open(log, "wb"), env={**os.environ, "TQDM_DISABLE": "1"})
        deadline = time.time() + 180
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redact serve exited {self.proc.returncode}: {log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.time() > deadline:
                self.proc.kill()
                raise RuntimeError("redact serve did not start within 180 s")
            time.sleep(0.2)
        self.client = httpx.Client(base_url=self.url, timeout=120)

    def stop(self) -> int:
        self.client.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return -9


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server("--max-bytes", "1000000", log=tmp_path_factory.mktemp("serve") / "server.log")
    yield srv
    assert srv.stop() == 0


@pytest.fixture(scope="module")
def redactor():
    import redact

    return redact.Redactor()


@pytest.fixture(scope="module")
def cli_outputs(tmp_path_factory):
    """`redact run` on a PDF and a DOCX sample, as a user would run it."""
    out = tmp_path_factory.mktemp("cli") / "out"
    res = run_cli("run", SAMPLES / "001-91088.pdf", SAMPLES / "001-82370.docx", "-o", out, "-q")
    assert res.returncode == 0, res.stderr
    return out


def _spans(records):
    return [(s["start"], s["end"], s["label"], round(s["score"], 4)) for s in records]


def _lib(spans):
    return [(s.start, s.end, s.label, round(s.score, 4)) for s in spans]


# -- text ------------------------------------------------------------------------------------------------

def test_text_spans_match_library_and_cli(server, redactor):
    texts = [PARAGRAPH, (SAMPLES / "001-91088.txt").read_text(encoding="utf-8")[:6000], "", "no names here."]
    for text in texts:
        r = server.client.post("/v1/spans", json={"text": text})
        assert r.status_code == 200, r.text
        assert _spans(r.json()["spans"]) == _lib(redactor.spans(text))
        r = server.client.post("/v1/redact", json={"text": text, "style": "label"})
        assert r.status_code == 200
        assert r.json()["text"] == redactor.redact_text(text, style="label")
        assert _spans(r.json()["spans"]) == _lib(redactor.spans(text))
    # the same spans as `redact run - --jsonl`
    res = run_cli("run", "-", "--jsonl", "-q", input=PARAGRAPH)
    assert res.returncode == 0, res.stderr
    cli = json.loads(res.stdout.splitlines()[0])["spans"]
    assert _spans(server.client.post("/v1/spans", json={"text": PARAGRAPH}).json()["spans"]) == _spans(cli)
    assert SECRET_NAME.split()[0] not in server.client.post("/v1/redact", json={"text": PARAGRAPH}).json()["text"]


def test_request_lists_match_library(server):
    import redact

    allow, deny = ["Republic of Poland", "Warsaw"], ["[ORG] the Court", "re:\\b3 March\\b"]
    expected = redact.Redactor(allow=allow, deny=deny).spans(PARAGRAPH)
    r = server.client.post("/v1/spans", json={"text": PARAGRAPH, "allow": allow, "deny": deny})
    assert r.status_code == 200, r.text
    assert _spans(r.json()["spans"]) == _lib(expected)
    assert any(s["label"] == "ORG" and PARAGRAPH[s["start"]:s["end"]] == "the Court" for s in r.json()["spans"])


def test_concurrent_requests_are_batched_and_equal(server, redactor):
    doc = (SAMPLES / "001-82370.txt").read_text(encoding="utf-8")
    texts = [PARAGRAPH, doc[:3000], doc[3000:9000], PARAGRAPH.upper(), doc[:500]] * 4
    results: list = [None] * len(texts)

    def post(i):
        with httpx.Client(base_url=server.url, timeout=120) as c:
            results[i] = c.post("/v1/spans", json={"text": texts[i]})

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status_code == 200 for r in results)
    for text, r in zip(texts, results):
        assert _spans(r.json()["spans"]) == _lib(redactor.spans(text))


# -- files -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["001-91088.pdf", "001-82370.docx"])
def test_file_same_bytes_as_cli(server, cli_outputs, name):
    data = (SAMPLES / name).read_bytes()
    r = server.client.post("/v1/redact/file", files={"file": (name, data)})
    assert r.status_code == 200, r.text
    assert r.content == (cli_outputs / name).read_bytes()
    assert r.headers["content-type"].startswith("application/")
    r = server.client.post("/v1/redact/file?report=1", files={"file": (name, data)})
    assert r.status_code == 200
    body = r.json()
    assert base64.b64decode(body["file"]) == (cli_outputs / name).read_bytes()
    assert body["report"]["status"] == "redacted" and body["report"]["source"] == name
    assert body["report"]["spans"] and "text" in body["report"]["spans"][0]
    # no server paths: neither the upload folder nor anything else under /tmp (the model's own folder, which
    # reports name, is left out: a checkout may itself live under /tmp)
    shown = json.dumps(body["report"]).replace(body["report"]["model"]["path"], "MODEL")
    assert "redact-serve-" not in shown and "/tmp" not in shown


def test_corrupt_and_encrypted_pdf_422(server, tmp_path):
    from pypdf import PdfReader, PdfWriter

    r = server.client.post("/v1/redact/file", files={"file": ("bad.pdf", b"%PDF-1.7\n1 0 obj <<\ngarbage")})
    assert r.status_code == 422
    assert list(r.json()) == ["error"] and "\n" not in r.json()["error"] and "bad.pdf" in r.json()["error"]
    w = PdfWriter(clone_from=PdfReader(SAMPLES / "001-91088.pdf"))
    w.encrypt("secret-password", algorithm="AES-128")
    w.write(tmp_path / "enc.pdf")
    r = server.client.post("/v1/redact/file", files={"file": ("enc.pdf", (tmp_path / "enc.pdf").read_bytes())})
    assert r.status_code == 422, r.text
    assert "\n" not in r.json()["error"]
    r = server.client.post("/v1/redact/file", files={"file": ("zip.docx", b"PK\x03\x04 not really a zip")})
    assert r.status_code == 422
    assert server.client.get("/v1/health").json()["status"] == "ok"  # still serving


# -- bad requests ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("body,status", [
    (b'{"text": ', 400), (b"\xff\xfe", 400), (b'["text"]', 422), (b'{"text": 3}', 422),
    (b'{"text": "x", "colour": 1}', 422), (b'{"text": "x", "style": "blur"}', 422),
    (b'{"text": "x", "deny": ["re:("]}', 422), (b'{"text": "x", "allow": "re:\\\\d+"}', 200)])
def test_bad_json(server, body, status):
    r = server.client.post("/v1/redact", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == status, r.text
    if status != 200:
        assert list(r.json()) == ["error"] and "\n" not in r.json()["error"]


def test_wrong_content_type_415(server):
    r = server.client.post("/v1/redact", content=b"hello", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and "error" in r.json()
    r = server.client.post("/v1/redact/file", json={"text": "hello"})
    assert r.status_code == 415
    r = server.client.post("/v1/redact/file", files={"file": ("x.toml", b"a = 1")})
    assert r.status_code == 415
    r = server.client.post("/v1/redact/file", files={"other": ("x.txt", b"Mr Smith")})
    assert r.status_code == 422


def test_too_large_413(server):
    big = {"text": "word " * 300_000}  # 1.5 MB over the test server's --max-bytes 1000000
    r = server.client.post("/v1/redact", json=big)
    assert r.status_code == 413 and "error" in r.json()

    def chunks():  # no Content-Length: counted while it streams
        yield b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
        for _ in range(40):
            yield b"x" * 50_000

    r = server.client.post("/v1/redact/file", content=chunks(),
                           headers={"Content-Type": "multipart/form-data; boundary=zzz"})
    assert r.status_code == 413
    assert server.client.get("/v1/health").status_code == 200


def test_slow_upload_does_not_stall_others(server):
    data = (SAMPLES / "001-91088.txt").read_bytes()
    head = (b'--bnd\r\nContent-Disposition: form-data; name="file"; filename="slow.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\n")
    body = head + data + b"\r\n--bnd--\r\n"
    result = {}

    def slow():
        def gen():
            for i in range(0, len(body), len(body) // 6 + 1):
                yield body[i:i + len(body) // 6 + 1]
                time.sleep(0.5)
        with httpx.Client(base_url=server.url, timeout=120) as c:
            result["r"] = c.post("/v1/redact/file", content=gen(),
                                 headers={"Content-Type": "multipart/form-data; boundary=bnd"})

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.6)
    started = time.perf_counter()
    fast = server.client.post("/v1/spans", json={"text": PARAGRAPH})
    took = time.perf_counter() - started
    t.join()
    assert fast.status_code == 200 and took < 2.5
    assert result["r"].status_code == 200, result["r"].text
    assert b"Kowalski" not in result["r"].content or b"Kowalski" not in data


def test_models_health_openapi(server):
    m = server.client.get("/v1/models").json()
    assert m["model"]["name"] == "tab-minilm" and ".pdf" in m["formats"] and m["limits"]["max_bytes"] == 1000000
    assert server.client.get("/v1/health").json()["status"] == "ok"
    spec = server.client.get("/openapi.json").json()
    assert {"/v1/redact", "/v1/redact/file", "/v1/spans", "/v1/health", "/v1/models"} <= set(spec["paths"])
    assert server.client.get("/v1/nothing").status_code == 404


def test_logs_hold_no_text(server):
    server.client.post("/v1/redact", json={"text": PARAGRAPH})
    server.client.post("/v1/redact", content=b'{"text": "' + SECRET_NAME.encode() + b'"',
                       headers={"Content-Type": "application/json"})
    time.sleep(0.2)
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert "POST /v1/redact 200" in log
    for word in (SECRET_NAME.split() + ["Kowalski", "001-91088", "enc.pdf"]):
        assert word not in log


# -- binding, auth, shutdown -----------------------------------------------------------------------------

def test_public_bind_needs_token_or_no_auth():
    res = run_cli("serve", "--host", "0.0.0.0", "--port", str(_free_port()), timeout=60)
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "--token" in res.stderr


def test_token_and_graceful_shutdown(tmp_path):
    srv = Server("--token", "s3cret", log=tmp_path / "server.log")
    try:
        assert srv.client.post("/v1/spans", json={"text": "Mr Smith"}).status_code == 401
        assert srv.client.post("/v1/spans", json={"text": "Mr Smith"},
                               headers={"Authorization": "Bearer nope"}).status_code == 401
        assert srv.client.get("/v1/models").status_code == 401
        assert srv.client.get("/v1/health").status_code == 200
        auth = {"Authorization": "Bearer s3cret"}
        assert srv.client.post("/v1/spans", json={"text": PARAGRAPH}, headers=auth).status_code == 200

        # SIGTERM while an upload is arriving: the request finishes, then the server exits 0
        data = (SAMPLES / "001-91088.txt").read_bytes()
        body = (b'--bnd\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
                + data + b"\r\n--bnd--\r\n")
        result = {}

        def gen():
            half = len(body) // 2
            yield body[:half]
            time.sleep(1.0)
            yield body[half:]

        def post():
            with httpx.Client(base_url=srv.url, timeout=120) as c:
                result["r"] = c.post("/v1/redact/file", content=gen(),
                                     headers={**auth, "Content-Type": "multipart/form-data; boundary=bnd"})

        t = threading.Thread(target=post)
        t.start()
        time.sleep(0.4)
        srv.proc.send_signal(signal.SIGTERM)
        t.join(120)
        assert result["r"].status_code == 200, result["r"].text
        assert srv.proc.wait(60) == 0
    finally:
        srv.stop()



class _Held:
    """The real redactor, holding back its result for the item whose text is ``hold_at`` until ``release``."""

    def __init__(self, redactor, hold_at: str):
        self.redactor, self.hold_at, self.release = redactor, hold_at, threading.Event()

    def predict(self, items):
        for item in self.redactor.predict(items):
            if item.text == self.hold_at:
                assert self.release.wait(60)
            yield item


def test_batcher_answers_each_item_as_soon_as_it_is_done(redactor):
    from redact.serve.batcher import Batcher, TextItem

    held = _Held(redactor, hold_at="HOLD Mr Jan Kowalski lives in Warsaw.")
    b = Batcher(held, wait_ms=0, threads=1)
    first, second = b.submit(TextItem(PARAGRAPH)), b.submit(TextItem(held.hold_at))  # one batch of two
    b.start()
    try:
        assert [s.label for s in first.result(60).spans]  # answered while the batch's second item is held
        assert not second.done()
        held.release.set()
        assert "Kowalski" in [held.hold_at[s.start:s.end] for s in second.result(60).spans][0]
    finally:
        held.release.set()
        b.stop(30)
    assert b.batches == 1 and not any(t.is_alive() for t in b._threads)


def test_batcher_second_thread_runs_while_a_batch_is_held(redactor):
    from redact.serve.batcher import Batcher, TextItem

    held = _Held(redactor, hold_at="HOLD Mr Jan Kowalski lives in Warsaw.")
    b = Batcher(held, wait_ms=0, threads=2).start()
    try:
        blocked = b.submit(TextItem(held.hold_at))
        for _ in range(600):  # until an engine thread has taken it
            if b.batches:
                break
            time.sleep(0.01)
        other = b.submit(TextItem(PARAGRAPH))
        assert other.result(60).spans and not blocked.done()
        held.release.set()
        assert blocked.result(60).spans
    finally:
        held.release.set()
        b.stop(30)
    assert not any(t.is_alive() for t in b._threads)
