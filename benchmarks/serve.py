"""`redact serve` over loopback against `redact run` on the same documents, bounded in requests and time.

    python benchmarks/serve.py [--docs 64] [--clients 8] [--requests 500] [--threads 0] [--max-seconds 900]

1. Throughput: `redact run DOCS.jsonl --jsonl` (the documents as one batch, one process; its start-up cost
   measured on a one-paragraph input and subtracted) vs the server with --clients concurrent clients
   posting the same TAB test judgments to /v1/spans. Prints docs/s for both, the ratio, failed requests,
   and whether every document's spans equal the CLI's.
2. Latency: one-paragraph requests to /v1/redact, one at a time while the server is otherwise idle (p50, p90).
3. Memory: the server's RSS after a warm-up and after --requests one-paragraph requests in a row.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from redact.cli import main; main()"]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cli_seconds(path: Path, env: dict) -> tuple[float, list]:
    started = time.perf_counter()
    res = subprocess.run([*CLI, "run", str(path), "--jsonl", "-q"], capture_output=True, text=True, env=env)
    took = time.perf_counter() - started
    if res.returncode != 0:
        sys.exit(f"redact run failed: {res.stderr.strip()[-500:]}")
    return took, [json.loads(line)["spans"] for line in res.stdout.splitlines()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=64,
                    help="TAB judgments: test, then dev, then train (data/tab/; 144 in all)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=500, help="requests in a row for the RSS check (5000: the goal)")
    ap.add_argument("--latency", type=int, default=40, help="one-paragraph requests for the latency check")
    ap.add_argument("--threads", type=int, default=0, help="runtime threads, the same for the CLI and the server")
    ap.add_argument("--max-seconds", type=float, default=900, help="stop the RSS phase after this many seconds")
    args = ap.parse_args()

    docs = [d for split in ("test", "dev", "train") for d in json.loads((ROOT / f"data/tab/{split}.json").read_text())]
    docs = docs[: args.docs]
    texts = [d["text"] for d in docs]
    paragraphs = [p for t in texts for p in t.split("\n") if 300 <= len(p) <= 800]
    env = {**os.environ, "TQDM_DISABLE": "1"}
    if args.threads:
        env["OMP_NUM_THREADS"] = str(args.threads)
    tmp = Path(tempfile.mkdtemp())
    (tmp / "docs.jsonl").write_text("".join(json.dumps({"doc_id": str(i), "text": t}) + "\n"
                                            for i, t in enumerate(texts)))
    (tmp / "one.jsonl").write_text(json.dumps({"doc_id": "p", "text": paragraphs[0]}) + "\n")
    print(f"{len(texts)} documents, {sum(map(len, texts))} characters; {len(paragraphs)} paragraphs; "
          f"threads={args.threads or 'default'}; load average {os.getloadavg()[0]:.1f}", flush=True)

    # 1a. the CLI: all documents as one batch, minus its start-up (model load, imports)
    startup, _ = cli_seconds(tmp / "one.jsonl", env)
    wall, cli_spans = cli_seconds(tmp / "docs.jsonl", env)
    net = max(wall - startup, 1e-9)
    print(f"redact run: {wall:.1f}s wall, {startup:.1f}s start-up on one paragraph, {net:.1f}s net "
          f"-> {len(texts) / net:.3f} docs/s", flush=True)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([*CLI, "serve", "--port", str(port), "--log-level", "warning",
                               *(["--threads", str(args.threads)] if args.threads else [])],
                              env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=600) as c:  # warm-up
            for p in paragraphs[:5]:
                c.post("/v1/spans", json={"text": p}).raise_for_status()

        # 1b. the server: --clients clients, each taking the next document until none is left
        results: list = [None] * len(texts)
        failures = []
        nxt = iter(range(len(texts)))
        lock = threading.Lock()

        def client():
            with httpx.Client(base_url=url, timeout=600) as c:
                while True:
                    with lock:
                        i = next(nxt, None)
                    if i is None:
                        return
                    try:
                        r = c.post("/v1/spans", json={"text": texts[i]})
                        r.raise_for_status()
                        results[i] = r.json()["spans"]
                    except Exception as exc:  # noqa: BLE001 - counted
                        failures.append(type(exc).__name__)

        started = time.perf_counter()
        pool = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        took = time.perf_counter() - started
        same = sum(1 for a, b in zip(results, cli_spans)
                   if a is not None and [(s["start"], s["end"], s["label"]) for s in a]
                   == [(s["start"], s["end"], s["label"]) for s in b])
        print(f"serve, {args.clients} clients: {took:.1f}s -> {len(texts) / took:.3f} docs/s; ratio serve/run "
              f"{net / took:.2f}; failed requests {len(failures)}; spans equal to the CLI's {same}/{len(texts)}",
              flush=True)

        # 2. latency, one request at a time
        lat = []
        with httpx.Client(base_url=url, timeout=60) as c:
            for i in range(args.latency):
                p = paragraphs[i % len(paragraphs)]
                t0 = time.perf_counter()
                c.post("/v1/redact", json={"text": p}).raise_for_status()
                lat.append((time.perf_counter() - t0) * 1000)
        lat.sort()
        print(f"one paragraph ({statistics.mean(map(len, paragraphs)):.0f} chars mean), idle: p50 "
              f"{statistics.median(lat):.1f} ms, p90 {lat[int(len(lat) * 0.9) - 1]:.1f} ms over {len(lat)}",
              flush=True)

        # 3. RSS over requests in a row
        with httpx.Client(base_url=url, timeout=60) as c:
            for p in paragraphs[:50]:
                c.post("/v1/redact", json={"text": p}).raise_for_status()
            before = rss_kib(server.pid)
            started, done, bad = time.perf_counter(), 0, 0
            for i in range(args.requests):
                if time.perf_counter() - started > args.max_seconds:
                    break
                path = "/v1/redact" if i % 2 else "/v1/spans"
                bad += c.post(path, json={"text": paragraphs[i % len(paragraphs)]}).status_code != 200
                done += 1
            after = rss_kib(server.pid)
        print(f"RSS: {before / 1024:.1f} MiB after warm-up, {after / 1024:.1f} MiB after {done} requests in a row "
              f"({(after - before) / before * 100:+.1f}%), {bad} failed, {done / (time.perf_counter() - started):.0f} "
              f"requests/s", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)


if __name__ == "__main__":
    main()
