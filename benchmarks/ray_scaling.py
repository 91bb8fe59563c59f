"""Throughput of ``redact run --engine ray`` with 1 and 2 model actors against the local engine, side by
side in one run on the same cores, the same checkpoint and the same documents (TAB's 144 court cases,
written as .txt files), and the scaling model for a cluster.

    python benchmarks/ray_scaling.py [--model tab-minilm] [--docs N] [--cpus 2] [--actors 1 2]
                                     [--local-threads T] [--json]

Each method redacts every document into a fresh output folder (files written and verified, reports,
manifest), model loading included: the local engine loads its model once, each Ray actor once. Ray's own
start (``ray.init``, a local instance with --cpus CPUs) is timed separately: on a cluster it is already up.
The local engine runs first and again last (the gap shows how much the machine drifted during the run);
ratios are to the mean of the two. Prints seconds, tokens/s and that ratio per method, whether every
output is byte-identical to the local engine's, then tokens/s per actor and what N actors would give.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TAB = ROOT / "data" / "tab"


def write_inputs(folder: Path, n: int | None) -> int:
    docs = []
    for split in ("test", "dev", "train"):
        docs += json.loads((TAB / f"{split}.json").read_text())
    for d in docs[:n] if n else docs:
        (folder / f"{d['doc_id']}.txt").write_text(d["text"], encoding="utf-8")
    return len(docs[:n] if n else docs)


def same_outputs(a: Path, b: Path) -> bool:
    files = sorted(p.name for p in a.glob("*.txt"))
    return files == sorted(p.name for p in b.glob("*.txt")) and \
        all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="tab-minilm")
    ap.add_argument("--docs", type=int, default=None, help="first N TAB documents (default: all 144)")
    ap.add_argument("--cpus", type=int, default=os.cpu_count(), help="CPUs of the local Ray instance")
    ap.add_argument("--actors", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--local-threads", type=int, default=None,
                    help="torch threads of the local engine (default: torch's, one per core)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args()

    if args.local_threads:
        import torch

        torch.set_num_threads(args.local_threads)
    from redact.api import Redactor
    from redact.distributed import ray as engine
    from redact.pipeline import Layout, expand_inputs, run

    work = Path(tempfile.mkdtemp(prefix="redact-ray-bench-"))
    os.environ.setdefault("REDACT_RAY_HOME", str(work / "rayhome"))
    try:
        inp = work / "in"
        inp.mkdir()
        n_docs = write_inputs(inp, args.docs)
        rows = []

        def record(name, out, reports, secs):
            tokens = sum(r.tokens for r in reports)
            failed = [r.error for r in reports if r.status == "failed"]
            rows.append({"method": name, "seconds": round(secs, 2), "tokens": tokens,
                         "tokens_per_s": round(tokens / secs), "failed": len(failed), "out": out})

        def sources(out):
            layout = Layout.for_output(out)
            return expand_inputs([str(inp)], exclude=[layout.out, layout.reports]), layout

        def local(name):
            out = work / name
            src, layout = sources(out)
            start = time.perf_counter()
            reports = list(run(src, Redactor(args.model), layout, resume=False))
            record(f"local engine (model load included){', again' if name != 'local' else ''}", out, reports,
                   time.perf_counter() - start)

        local("local")

        start = time.perf_counter()
        engine.start(num_cpus=args.cpus)
        ray_start = time.perf_counter() - start
        for actors in args.actors:
            out = work / f"ray{actors}"
            src, layout = sources(out)
            start = time.perf_counter()
            reports = list(engine.run(src, args.model, {}, layout, actors=actors, resume=False))
            record(f"--engine ray, {actors} actor{'s' if actors > 1 else ''} (actor start included)", out,
                   reports, time.perf_counter() - start)
        import ray

        ray.shutdown()
        local("local2")  # again after Ray: the machine's drift shows as the gap between the two

        base = (rows[0]["tokens_per_s"] + rows[-1]["tokens_per_s"]) / 2
        import torch

        print(f"{n_docs} TAB documents, {rows[0]['tokens']:,} tokens, model {args.model}, local engine with "
              f"{torch.get_num_threads()} torch thread(s), "
              f"{os.cpu_count()} CPUs here, Ray instance with {args.cpus} CPUs (ray.init took {ray_start:.1f}s, "
              f"not counted)\n")
        print("| method | seconds | tokens/s | vs local (mean of both) | outputs identical | failed |\n"
              "|---|---|---|---|---|---|")
        for r in rows:
            r["vs_local"] = round(r["tokens_per_s"] / base, 2)
            r["identical"] = same_outputs(rows[0]["out"], r["out"])
            print(f"| {r['method']} | {r['seconds']:.1f} | {r['tokens_per_s']:,} | {r['vs_local']:.2f} | "
                  f"{'yes' if r['identical'] else 'NO'} | {r['failed']} |")
        per_actor = max((r["tokens_per_s"] / a for r, a in zip(rows[1:-1], args.actors)), default=0)
        print(f"\nScaling model: about {per_actor:,.0f} tokens/s per actor here (best of the runs above, "
              f"per actor); N actors on nodes like this one, each with its own cores, give about N x that "
              f"(e.g. {4 * per_actor:,.0f} tokens/s for 4, {16 * per_actor:,.0f} for 16) while reading and "
              f"writing keep up and the shared output folder takes the writes.")
        if args.json:
            for r in rows:
                r["out"] = str(r["out"])
            print(json.dumps({"docs": n_docs, "ray_init_s": round(ray_start, 2), "rows": rows,
                              "tokens_per_s_per_actor": round(per_actor)}, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
