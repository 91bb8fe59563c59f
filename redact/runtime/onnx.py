"""ONNX Runtime inference over a checkpoint's exported graph (the CPU default).

Graphs live in the checkpoint folder (``model.int8.onnx``, ``model.onnx``) with ``onnx.json`` naming the
weights file hash they were exported from; a missing or stale graph is rebuilt once (that needs torch) and
cached under ``$REDACT_CACHE`` (default ``~/.cache/redact``).

``int8`` is ``onnxruntime.quantization.quantize_dynamic`` with per-channel int8 weights: its activations
are quantized with one scale per tensor, i.e. per call, so the engine runs one unpadded window per call
(:attr:`OnnxRuntime.one_window_per_call`) and a window's numbers depend on the window only. ``fp32`` rows
do not interact either, but the same rule keeps both paths identical in how they are fed.

>>> graph_name("int8"), graph_name("fp32")
('model.int8.onnx', 'model.onnx')
"""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from . import completed

#: precisions with an ONNX graph
PRECISIONS = ("fp32", "int8")
#: how graphs are made (2: fused attention/LayerNorm/GELU); a graph from an older exporter is rebuilt
EXPORT_VERSION = 2


def graph_name(precision: str) -> str:
    """The graph file of a precision inside a checkpoint or cache folder."""
    return "model.onnx" if precision == "fp32" else f"model.{precision}.onnx"


def cache_dir() -> Path:
    return Path(os.environ.get("REDACT_CACHE", Path.home() / ".cache" / "redact"))


def find_graph(checkpoint: Path, weights_hash: str, precision: str) -> Path | None:
    """The checkpoint's own graph when it was exported from these weights, else a cached one, else None."""
    own = checkpoint / graph_name(precision)
    try:
        record = json.loads((checkpoint / "onnx.json").read_text())
    except (OSError, ValueError):
        record = {}
    if own.exists() and record.get("weights_sha256") == weights_hash \
            and record.get("export_version", 1) == EXPORT_VERSION:
        return own
    cached = cache_dir() / f"{weights_hash}-v{EXPORT_VERSION}-{graph_name(precision)}"
    return cached if cached.exists() else None


def graph_for(checkpoint: Path, weights_hash: str, precision: str, quiet: bool = False) -> Path:
    """The graph to run; builds and caches it (once, with one line on stderr) when missing or stale."""
    found = find_graph(checkpoint, weights_hash, precision)
    if found is not None:
        return found
    from .export import export_checkpoint

    out = cache_dir()
    if not quiet:
        print(f"redact: building the {precision} ONNX graph of {checkpoint.name} (once; cached in {out})",
              file=sys.stderr)
    made = export_checkpoint(checkpoint, out, precisions=(precision,), prefix=f"{weights_hash}-v{EXPORT_VERSION}-")
    return made[precision]


def default_workers() -> int:
    """Windows run at once: ``$REDACT_ONNX_WORKERS`` (a Ray actor's share), else one per CPU this process
    may use."""
    if os.environ.get("REDACT_ONNX_WORKERS", "").isdigit():
        return max(1, int(os.environ["REDACT_ONNX_WORKERS"]))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class OnnxRuntime:
    """One ONNX Runtime session on the CPU, run by ``workers`` threads at once (one window each).

    Windows are small matrix products: two single-threaded runs side by side went 1.45x as fast as one run
    on two threads (2-core Xeon, README). ``threads``: intra-op threads per run (default 1). Results do not
    depend on either (each window is computed alone; tested)."""

    name = "onnx"
    device = "cpu"
    one_window_per_call = True

    def __init__(self, graph: Path, precision: str, threads: int | None = None, workers: int | None = None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads or 1
        self.workers = workers or default_workers()
        self._pool = None
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self.graph, self.precision = graph, precision
        # the exporter drops an input the network never reads (a rigged test model ignores the mask)
        self.inputs = {i.name for i in self.session.get_inputs()}

    def probabilities(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": np.ascontiguousarray(input_ids, dtype=np.int64),
                "attention_mask": np.ascontiguousarray(attention_mask, dtype=np.int64)}
        out = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})
        return out[0].astype(np.float32, copy=False)

    def one(self, ids: list) -> np.ndarray:
        """Probabilities of one window (a list of token ids), run alone and unpadded."""
        a = np.asarray([ids], dtype=np.int64)
        return self.probabilities(a, np.ones_like(a))[0]

    def submit(self, ids: list) -> Future:
        """:meth:`one` on the runtime's ``workers`` threads (ONNX Runtime releases the GIL while it runs,
        so the caller goes on tokenizing and decoding meanwhile); done at once with one worker."""
        if self.workers <= 1:
            return completed(self.one(ids))
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="redact-onnx")
        return self._pool.submit(self.one, ids)
