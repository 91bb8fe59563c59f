"""The PyTorch runtime: the network as trained (fp32 reference, bf16 on AMX CPUs, fp16 on CUDA, per-token
int8 on the CPU — see :mod:`redact.quant`). Windows are batched by padded width (fp32 rows never interact,
int8 scales activations per token), except bf16 on the CPU: oneDNN's AMX kernels were seen to change a
window's result with the batch size, so bf16 windows run one per call, unpadded.
"""

from __future__ import annotations

from concurrent.futures import Future

import numpy as np

from . import completed


class TorchRuntime:
    name = "torch"

    def __init__(self, network, device: str, precision: str):
        self.network, self.device, self.precision = network, str(device), precision
        self.one_window_per_call = precision == "bf16" and self.device == "cpu"

    def probabilities(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            ids = torch.from_numpy(np.ascontiguousarray(input_ids, dtype=np.int64)).to(self.device)
            mask = torch.from_numpy(np.ascontiguousarray(attention_mask, dtype=np.int64)).to(self.device)
            out = self.network(input_ids=ids, attention_mask=mask)
            logits = out.logits if hasattr(out, "logits") else out
            return torch.softmax(logits.float(), dim=-1).cpu().numpy()

    def submit(self, ids: list) -> Future:
        """One window (a list of token ids) alone and unpadded (bf16 on the CPU), computed at once: torch
        already spreads one call over every core."""
        a = np.asarray([ids], dtype=np.int64)
        return completed(self.probabilities(a, np.ones_like(a))[0])
