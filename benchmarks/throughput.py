"""Throughput of redact's engine against transformers' pipeline and a raw batched forward pass,
measured side by side in one run on the same checkpoint and documents.

    python benchmarks/throughput.py [--model tab-minilm] [--docs N] [--memory]

Each method first runs once on 8 documents (warm-up), then is timed on all of them. Prints tokens/s for (a) pipeline("token-classification", stride=128, aggregation_strategy="simple",
batch_size=8), (b) redact's engine per runtime and precision (ONNX Runtime fp32/int8 with fused graphs, int8 unfused,
PyTorch fp32/int8/bf16),
(c) a raw fp32 batched forward pass over pre-tokenized 512-token windows (the limit for fp32), the ratios b/a
and b/c, and whether the spans agree. Whole processes are compared too: `redact run` on the documents as
.txt files against a script that imports transformers, loads the checkpoint and runs the pipeline. With
--memory, the peak RSS of `redact run` over 100 and 2,000 documents (separate processes).
Quality deltas of each backend on the TAB test split are printed with --quality.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redact.engine import Engine, Settings  # noqa: E402
from redact.models import load_model  # noqa: E402
from redact.spans import Document  # noqa: E402
from redact.windows import make_windows  # noqa: E402

TAB = ROOT / "data" / "tab"
BACKENDS = ("torch:fp32", "onnx:fp32", "onnx:int8", "onnx:int8-unfused", "torch:int8", "torch:bf16")
PIPELINE_PROCESS = """
import json, sys
from pathlib import Path
import torch
from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline
tok = AutoTokenizer.from_pretrained(sys.argv[1])
net = AutoModelForTokenClassification.from_pretrained(sys.argv[1], dtype=torch.float32)
pipe = pipeline("token-classification", model=net, tokenizer=tok, stride=128, aggregation_strategy="simple",
                batch_size=8, device=-1)
docs = [p.read_text() for p in sorted(Path(sys.argv[2]).glob("*.txt"))]
print(sum(len(x) for x in pipe(docs)))
"""


def texts(n: int | None) -> list[str]:
    docs = []
    for split in ("test", "dev", "train"):
        docs += [d["text"] for d in json.loads((TAB / f"{split}.json").read_text())]
    return docs[:n] if n else docs


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def run_pipeline(model_dir: str, docs: list[str]):
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    tok = AutoTokenizer.from_pretrained(model_dir)
    net = AutoModelForTokenClassification.from_pretrained(model_dir, dtype=torch.float32)
    pipe = pipeline("token-classification", model=net, tokenizer=tok, stride=128, aggregation_strategy="simple",
                    batch_size=8, device=-1)
    pipe(docs[:8])  # warm-up, as for every method
    out, secs = timed(lambda: pipe(docs))
    spans = [[(e["start"], e["end"]) for e in doc] for doc in out]
    return spans, secs


def run_raw(model, docs: list[str], batch: int = 8):
    """fp32 forward over the engine's windows, pre-tokenized and length-sorted: no tokenizing, merging,
    decoding or I/O (the limit of the engine with an fp32 model)."""
    windows = []
    overlap = model.settings.get("overlap", 128)
    for i, text in enumerate(docs):
        ids, _ = model.encode(text)
        windows += make_windows(i, ids, 512, overlap, model.cls_id, model.sep_id)
    windows.sort(key=len)
    batches = []
    for i in range(0, len(windows), batch):
        chunk = windows[i : i + batch]
        width = max(len(w) for w in chunk)
        ids = torch.full((len(chunk), width), model.pad_id)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for r, w in enumerate(chunk):
            ids[r, : len(w)] = torch.tensor(w.input_ids)
            mask[r, : len(w)] = 1
        batches.append((ids, mask))

    def go():
        with torch.inference_mode():
            for ids, mask in batches:
                model.network(input_ids=ids, attention_mask=mask)

    with torch.inference_mode():  # warm-up, as for every method
        for ids, mask in batches[:2]:
            model.network(input_ids=ids, attention_mask=mask)
    return timed(go)[1]


def run_engine(model, docs: list[str], **settings):
    engine = Engine(model, Settings(**settings))
    list(engine.predict(Document(str(i), t) for i, t in enumerate(docs[:8])))  # warm-up
    out, secs = timed(lambda: list(engine.predict(Document(str(i), t) for i, t in enumerate(docs))))
    return [[(s.start, s.end) for s in d.spans] for d in out], secs


def agreement(a, b) -> float:
    """Share of characters whose masked/unmasked state agrees between two span lists."""
    same = total = 0
    for x, y in zip(a, b):
        end = max([e for _, e in x + y] + [0])
        ma, mb = bytearray(end), bytearray(end)
        for s, e in x:
            ma[s:e] = b"\x01" * (e - s)
        for s, e in y:
            mb[s:e] = b"\x01" * (e - s)
        same += sum(1 for i in range(end) if ma[i] == mb[i])
        total += end
    return same / total if total else 1.0


def peak_rss(n_docs: int, model: str, extra: list[str]) -> float:
    """Peak RSS (MiB) of a `redact run` process over ``n_docs`` TAB documents (cycled) streamed from JSONL."""
    base = texts(None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.jsonl"
        with open(path, "w") as fh:
            for i in range(n_docs):
                # the same 100 documents over and over: only the count changes, not the mix of lengths
                fh.write(json.dumps({"doc_id": f"d{i}", "text": base[i % 100]}) + "\n")
        proc = subprocess.Popen([sys.executable, "-m", "redact", "run", str(path), "--jsonl", "-q", "--model",
                                 model, *extra], stdout=subprocess.DEVNULL)
        # VmHWM of the child's own address space, polled: wait4's ru_maxrss also counts the memory of this
        # (large) parent, which the child carried until it exec'd
        peak = 0
        while proc.poll() is None:
            try:
                for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        if proc.returncode != 0:
            raise SystemExit(f"redact run failed with status {proc.returncode}")
        return peak / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="tab-minilm")
    ap.add_argument("--docs", type=int, default=None, help="number of TAB documents (default: all 144)")
    ap.add_argument("--memory", action="store_true", help="also measure peak RSS at 100 vs 2,000 documents, and "
                    "of 1,000 documents on each runtime")
    ap.add_argument("--quality", action="store_true", help="also score each backend on the TAB test split")
    ap.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=list(BACKENDS),
                    help="engine runtime:precision pairs to time (the first is the quality reference)")
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)

    docs = texts(args.docs)
    fp32 = load_model(args.model, runtime="torch")
    n_tokens = sum(len(fp32.encode(t)[0]) for t in docs)
    from redact.models import fast_cpu_precision

    print(f"{len(docs)} documents, {n_tokens} tokens, {torch.get_num_threads()} threads, model {fp32.path}, "
          f"`redact run` precision auto = {fast_cpu_precision()} on this CPU")

    results = {}
    spans_a, secs = run_pipeline(str(fp32.path), docs)
    results["a: transformers pipeline"] = secs
    secs_c = run_raw(fp32, docs)
    results["c: raw fp32 forward"] = secs_c
    engines, models = {}, {}
    for backend in args.backends:
        name = f"b: redact {backend}"
        runtime, precision = backend.split(":")
        if precision == "int8-unfused":  # the graph as exported, without ONNX Runtime's transformer fusions
            from redact.runtime.export import export_checkpoint
            from redact.runtime.onnx import OnnxRuntime

            models[name] = load_model(args.model, precision="int8", runtime="onnx")
            plain = export_checkpoint(models[name].path, tempfile.mkdtemp(), precisions=("int8",), fuse=False)
            models[name].runtime = OnnxRuntime(plain["int8"], "int8")
        else:
            models[name] = load_model(args.model, precision=precision, runtime=runtime)
        spans_b, secs = run_engine(models[name], docs, threshold=0.5, propagate=False)
        results[name] = secs
        engines[name] = spans_b
    with tempfile.TemporaryDirectory() as tmp:  # end to end: process start, model load, files in and out
        folder = Path(tmp) / "in"
        folder.mkdir()
        for i, text in enumerate(docs):
            (folder / f"doc{i:04d}.txt").write_text(text)
        one = Path(tmp) / "one.txt"
        one.write_text("The applicant was born in 1961.")

        def cli(inputs: Path, out: str) -> float:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "redact", "run", str(inputs), "-o", str(Path(tmp) / out), "-q",
                            "--model", args.model], check=True)
            return time.perf_counter() - start

        startup = cli(one, "out1")
        results["b: `redact run` CLI, auto"] = cli(folder, "out")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", PIPELINE_PROCESS, str(fp32.path), str(folder)], check=True,
                       stdout=subprocess.DEVNULL)
        results["a: pipeline, whole process"] = time.perf_counter() - start
    for name, secs in results.items():
        print(f"{name:<28}{n_tokens / secs:>10.0f} tokens/s  ({secs:.1f}s)")
    a = results["a: transformers pipeline"]
    e2e = results["b: `redact run` CLI, auto"]
    print(f"whole processes: `redact run` vs a pipeline script = "
          f"{results['a: pipeline, whole process'] / e2e:.2f}x")
    print(f"`redact run` end to end (.txt files in and out, propagation on): b/a = {a / e2e:.2f} including "
          f"its {startup:.1f}s start-up (imports, model load: timed on a one-line file), "
          f"{a / (e2e - startup):.2f} without it")
    for name in engines:
        print(f"{name}: b/a = {a / results[name]:.2f}   b/c = {secs_c / results[name]:.2f}   "
              f"character agreement with the pipeline's spans: {agreement(spans_a, engines[name]):.4f}")
    if args.quality:
        from redact.corpus import read_documents
        from redact.score import score

        gold = list(read_documents(TAB / "test.json"))
        reference = None
        print("quality on the TAB test split (default decoding), deltas against fp32:")
        for name, model in models.items():
            engine = Engine(model)
            preds = {d.doc_id: d.spans for d in engine.predict(Document(g.doc_id, g.text) for g in gold)}
            tab = score(gold, preds)["tab"]
            reference = reference or tab
            print(f"  {name:<26} token recall {tab['token_recall']:.4f} ({tab['token_recall'] - reference['token_recall']:+.4f})"
                  f"  token precision {tab['token_precision']:.4f} "
                  f"({tab['token_precision'] - reference['token_precision']:+.4f})")
    if args.memory:
        r100 = peak_rss(100, args.model, [])
        r2000 = peak_rss(2000, args.model, [])
        print(f"peak RSS: 100 docs {r100:.0f} MiB, 2000 docs {r2000:.0f} MiB, ratio {r2000 / r100:.3f}")
        onnx, torch_ = peak_rss(1000, args.model, ["--runtime", "onnx"]), peak_rss(1000, args.model, ["--runtime", "torch"])
        print(f"peak RSS of a 1,000-document collection: ONNX Runtime {onnx:.0f} MiB, PyTorch {torch_:.0f} MiB, "
              f"ratio {onnx / torch_:.2f}")


if __name__ == "__main__":
    main()
