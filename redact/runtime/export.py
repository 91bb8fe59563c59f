"""Exporting a checkpoint to ONNX graphs (needs torch; the runtime that reads them does not).

``model.onnx`` is the fp32 network with a softmax on top (inputs ``input_ids``, ``attention_mask``, both
int64 (batch, length), dynamic axes; output ``probs``), opset 17, TorchScript exporter. ``model.int8.onnx``
is that graph through ``onnxruntime.quantization.quantize_dynamic`` (per-channel int8 weights, int8
activations scaled per tensor — see :mod:`redact.runtime.onnx` for why windows then run one per call).

>>> export_checkpoint("redact/checkpoints/tab-minilm", "/tmp/graphs")  # doctest: +SKIP
{'fp32': PosixPath('/tmp/graphs/model.onnx'), 'int8': PosixPath('/tmp/graphs/model.int8.onnx')}
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from pathlib import Path

from .onnx import PRECISIONS, graph_name


def _network(checkpoint: Path):
    from ..models import load_model

    return load_model(str(checkpoint), device="cpu", precision="fp32", runtime="torch")


def export_checkpoint(checkpoint: "str | Path", out_dir: "str | Path | None" = None,
                      precisions=PRECISIONS, prefix: str = "") -> dict:
    """Write the graphs of ``precisions`` for ``checkpoint`` into ``out_dir`` (default: the checkpoint
    folder, with ``onnx.json`` recording the weights they came from). Files appear atomically."""
    import torch

    checkpoint = Path(checkpoint)
    out = Path(out_dir) if out_dir is not None else checkpoint
    out.mkdir(parents=True, exist_ok=True)
    clf = _network(checkpoint)
    network = clf.network.eval()

    class WithSoftmax(torch.nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, input_ids, attention_mask):
            res = self.net(input_ids=input_ids, attention_mask=attention_mask)
            logits = res.logits if hasattr(res, "logits") else res
            return torch.softmax(logits.float(), dim=-1)

    made: dict = {}
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        fp32 = Path(tmp) / "model.onnx"
        ids = torch.full((2, 40), clf.cls_id if clf.cls_id is not None else clf.pad_id, dtype=torch.long)  # in every vocabulary
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(WithSoftmax(network), (ids, torch.ones_like(ids)), str(fp32),
                              input_names=["input_ids", "attention_mask"], output_names=["probs"],
                              dynamic_axes={n: {0: "batch", 1: "length"} for n in ("input_ids", "attention_mask", "probs")},
                              opset_version=17, dynamo=False)
        if "int8" in precisions:
            import logging

            from onnxruntime.quantization import QuantType, quantize_dynamic

            logging.getLogger().setLevel(logging.ERROR)  # the quantizer's "consider pre-processing" notice
            quantize_dynamic(str(fp32), str(Path(tmp) / "model.int8.onnx"), per_channel=True,
                             weight_type=QuantType.QInt8)
        for precision in precisions:
            dest = out / f"{prefix}{graph_name(precision)}"
            os.replace(Path(tmp) / graph_name(precision), dest)
            made[precision] = dest
    if out_dir is None or out == checkpoint:
        record = {"weights_sha256": clf.checkpoint_hash, "graphs": sorted(graph_name(p) for p in precisions),
                  "opset": 17, "exporter": f"torch {torch.__version__} (TorchScript)",
                  "int8": "onnxruntime quantize_dynamic, per-channel QInt8 weights, per-tensor dynamic activations"}
        (out / "onnx.json").write_text(json.dumps(record, indent=2) + "\n")
    return made
