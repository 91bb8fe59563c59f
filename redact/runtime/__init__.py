"""Inference runtimes: one small interface — class probabilities for token windows — behind every model.

* :mod:`redact.runtime.onnx` (the CPU default): ONNX Runtime over the checkpoint's exported graph. Importing
  it loads neither torch nor transformers (tokenizers + onnxruntime + numpy), so a run starts in well under
  the time of ``import torch``.
* :mod:`redact.runtime.torch`: the PyTorch network (training, CUDA, bf16/fp16, and the fp32 reference).
* :mod:`redact.runtime.export`: writes a checkpoint's ONNX graphs (needs torch; ``redact export``).

A runtime takes ``input_ids`` and ``attention_mask`` (int64 numpy arrays, shape (batch, width)) and
returns float32 probabilities (batch, width, labels). ``one_window_per_call`` tells the engine to pass a
single unpadded window per call (:meth:`Runtime.submit`, which returns a future: ONNX Runtime computes it on
its own worker threads while the engine goes on tokenizing and decoding): the int8 ONNX graph scales
activations per tensor, so a window's numbers would otherwise depend on what shares its batch.

>>> RUNTIMES
('auto', 'onnx', 'torch')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from concurrent.futures import Future

    import numpy as np

RUNTIMES = ("auto", "onnx", "torch")


class Runtime(Protocol):
    """What the engine needs from a model's arithmetic."""

    name: str  # "onnx" or "torch"
    device: str  # "cpu" or "cuda..."
    precision: str
    one_window_per_call: bool

    def probabilities(self, input_ids: "np.ndarray", attention_mask: "np.ndarray") -> "np.ndarray": ...

    def submit(self, ids: list) -> "Future[np.ndarray]": ...  # one window (token ids) alone, maybe in the background


def completed(value) -> "Future":
    """A future already holding ``value``: :meth:`Runtime.submit` for a window computed at once.

    >>> completed(3).result()
    3
    """
    from concurrent.futures import Future

    fut: Future = Future()
    fut.set_result(value)
    return fut
