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
from pathlib import Path

import numpy as np

#: precisions with an ONNX graph
PRECISIONS = ("fp32", "int8")


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
    if own.exists() and record.get("weights_sha256") == weights_hash:
        return own
    cached = cache_dir() / f"{weights_hash}-{graph_name(precision)}"
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
    made = export_checkpoint(checkpoint, out, precisions=(precision,), prefix=f"{weights_hash}-")
    return made[precision]


class OnnxRuntime:
    """One ONNX Runtime session on the CPU.

    ``threads``: intra-op threads (default: ONNX Runtime's, the physical cores). Results do not depend on
    it (tested)."""

    name = "onnx"
    device = "cpu"
    one_window_per_call = True

    def __init__(self, graph: Path, precision: str, threads: int | None = None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            options.intra_op_num_threads = threads
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
