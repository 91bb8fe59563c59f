"""Exporting a checkpoint to ONNX graphs (needs torch; the runtime that reads them does not).

``model.onnx`` is the fp32 network with a softmax on top (inputs ``input_ids``, ``attention_mask``, both
int64 (batch, length), dynamic axes; output ``probs``), opset 17, TorchScript exporter. BERT-shaped
networks are exported with eager attention and then fused by ONNX Runtime's transformer optimizer
(``Attention``, ``EmbedLayerNormalization``, ``SkipLayerNormalization``, ``BiasGelu``): the SDPA export
hides the attention pattern from the fuser, and the fused int8 graph ran 1.44x the tokens/s of the
unfused one (``benchmarks/throughput.py``, README). A network the fuser does not recognise keeps its plain
graph. ``model.int8.onnx`` is that graph through ``onnxruntime.quantization.quantize_dynamic`` (per-channel
int8 weights, int8 activations scaled per tensor — see :mod:`redact.runtime.onnx` for why windows then run
one per call; the fused attention becomes ``QAttention``).

>>> export_checkpoint("redact/checkpoints/tab-minilm", "/tmp/graphs")  # doctest: +SKIP
{'fp32': PosixPath('/tmp/graphs/model.onnx'), 'int8': PosixPath('/tmp/graphs/model.int8.onnx')}
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from pathlib import Path

from .onnx import EXPORT_VERSION, PRECISIONS, graph_name


def _network(checkpoint: Path):
    from ..models import load_model

    return load_model(str(checkpoint), device="cpu", precision="fp32", runtime="torch")


#: transformer families ONNX Runtime's optimizer fuses with its BERT patterns
FUSABLE = ("bert", "roberta", "xlm-roberta", "distilbert", "electra", "mpnet")


def _fuse(graph: Path, config) -> dict:
    """Fuse ``graph`` in place with ONNX Runtime's transformer optimizer; returns the fused operator counts,
    or {} leaving the graph as exported when the attention was not fused or the fused graph's
    probabilities on a probe window differ from the plain graph's by more than 1e-4."""
    import logging

    import numpy as np
    from onnxruntime.transformers.optimizer import optimize_model

    from .onnx import OnnxRuntime

    logging.getLogger("onnxruntime.transformers").setLevel(logging.ERROR)
    model = optimize_model(str(graph), model_type="bert", num_heads=config.num_attention_heads,
                           hidden_size=config.hidden_size, opt_level=None)
    fused = {k: v for k, v in model.get_fused_operator_statistics().items() if v}
    if not fused.get("Attention"):  # a half-fused graph is not worth the risk of a pattern matched wrongly
        return {}
    candidate = graph.with_name("fused.onnx")
    model.save_model_to_file(str(candidate))
    probe = [(7 * i + 3) % config.vocab_size for i in range(200)]  # any ids the vocabulary has
    plain, done = (OnnxRuntime(g, "fp32", workers=1).one(probe) for g in (graph, candidate))
    if float(np.abs(plain - done).max()) > 1e-4:
        candidate.unlink()
        return {}
    os.replace(candidate, graph)
    return fused


def export_checkpoint(checkpoint: "str | Path", out_dir: "str | Path | None" = None,
                      precisions=PRECISIONS, prefix: str = "", fuse: bool = True) -> dict:
    """Write the graphs of ``precisions`` for ``checkpoint`` into ``out_dir`` (default: the checkpoint
    folder, with ``onnx.json`` recording the weights they came from). Files appear atomically.
    ``fuse=False`` keeps the plain graph (for comparisons: ``benchmarks/throughput.py``)."""
    import torch

    checkpoint = Path(checkpoint)
    out = Path(out_dir) if out_dir is not None else checkpoint
    out.mkdir(parents=True, exist_ok=True)
    clf = _network(checkpoint)
    network = clf.network.eval()
    config = getattr(network, "config", None)
    fusable = fuse and getattr(config, "model_type", None) in FUSABLE and hasattr(network, "set_attn_implementation")
    if fusable:
        network.set_attn_implementation("eager")  # the same function, in the pattern the fuser knows

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
        fused = _fuse(fp32, config) if fusable else {}
        if "int8" in precisions:
            import logging

            import onnx
            from onnxruntime.quantization import QuantType, quantize_dynamic

            logging.getLogger().setLevel(logging.ERROR)  # the quantizer's "consider pre-processing" notice
            # fused operators come from ONNX Runtime's own domain, where shape inference gives no types
            quantize_dynamic(str(fp32), str(Path(tmp) / "model.int8.onnx"), per_channel=True,
                             weight_type=QuantType.QInt8,
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        for precision in precisions:
            dest = out / f"{prefix}{graph_name(precision)}"
            os.replace(Path(tmp) / graph_name(precision), dest)
            made[precision] = dest
    if out_dir is None or out == checkpoint:
        record = {"weights_sha256": clf.checkpoint_hash, "export_version": EXPORT_VERSION,
                  "graphs": sorted(graph_name(p) for p in precisions),
                  "opset": 17, "exporter": f"torch {torch.__version__} (TorchScript)",
                  "fused": fused or "none (plain graph)",
                  "int8": "onnxruntime quantize_dynamic, per-channel QInt8 weights, per-tensor dynamic activations"}
        (out / "onnx.json").write_text(json.dumps(record, indent=2) + "\n")
    return made
