"""Int8 linear layers whose result for a token depends on that token only.

PyTorch's dynamic quantization scales the activations of a whole batch by one number, so a window's
result changes with the windows batched beside it (and with their padding). Here each row (token) gets
its own activation scale and each output channel its own weight scale, and the int8 × int8 product is
exact in int32 (``torch._int_mm``): the same window gives the same numbers in any batch.

>>> import torch
>>> lin = torch.nn.Linear(64, 32)
>>> q = RowwiseInt8Linear.from_linear(lin)
>>> x = torch.randn(40, 64)
>>> bool(torch.equal(q(x)[:3], q(x[:3].repeat(8, 1))[:3]))  # a row's result ignores the other rows
True
>>> float((q(x) - lin(x).detach()).abs().max()) < 0.05
True
"""

from __future__ import annotations

import torch

#: ``torch._int_mm`` on the CPU wants at least this many rows; smaller inputs are padded with zeros.
_MIN_ROWS = 32


class RowwiseInt8Linear(torch.nn.Module):
    """y = x Wᵀ + b with int8 weights (per output channel) and int8 activations (per row)."""

    def __init__(self, weight_q: torch.Tensor, weight_scale: torch.Tensor, bias: torch.Tensor | None):
        super().__init__()
        self.register_buffer("weight_t", weight_q.t().contiguous())  # (in, out) int8
        self.register_buffer("weight_scale", weight_scale)  # (out,) float32
        self.bias = None if bias is None else torch.nn.Parameter(bias.detach().float(), requires_grad=False)
        self.in_features, self.out_features = weight_q.shape[1], weight_q.shape[0]

    @classmethod
    def from_linear(cls, linear: torch.nn.Linear) -> "RowwiseInt8Linear":
        w = linear.weight.detach().float()
        scale = w.abs().amax(dim=1).clamp(min=1e-12) / 127.0
        q = torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8)
        return cls(q, scale, linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        rows = x.reshape(-1, shape[-1]).float()
        n = rows.shape[0]
        scale = rows.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127.0
        q = torch.round(rows / scale).clamp(-127, 127).to(torch.int8)
        if n < _MIN_ROWS:
            q = torch.cat([q, q.new_zeros(_MIN_ROWS - n, q.shape[1])])
        acc = torch._int_mm(q, self.weight_t)[:n]
        y = acc.float() * scale * self.weight_scale
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(*shape[:-1], self.out_features)


def quantize_rowwise(module: torch.nn.Module, cache: "str | None" = None) -> torch.nn.Module:
    """Replace every ``nn.Linear`` whose sizes suit int8 matrix products (multiples of 8) in place.

    With ``cache`` (a file path), the int8 weights and scales are read from it when it exists and written
    to it otherwise (computing them is a noticeable part of start-up); a damaged cache is recomputed."""
    stored: dict = {}
    if cache is not None:
        try:
            from safetensors.torch import load_file

            stored = load_file(cache)
        except Exception:
            stored = {}
    computed: dict = {}
    _replace(module, "", stored, computed)
    if cache is not None and computed and not stored:
        try:
            import os
            import tempfile

            from safetensors.torch import save_file

            os.makedirs(os.path.dirname(cache), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(cache), suffix=".tmp")
            os.close(fd)
            save_file(computed, tmp)
            os.replace(tmp, cache)
        except OSError:
            pass  # a read-only home: just compute next time
    return module


def _replace(module: torch.nn.Module, prefix: str, stored: dict, computed: dict) -> None:
    for name, child in module.named_children():
        key = f"{prefix}{name}"
        if isinstance(child, torch.nn.Linear) and child.in_features % 8 == 0 and child.out_features % 8 == 0:
            q, s = stored.get(f"{key}.q"), stored.get(f"{key}.scale")
            if q is None or s is None or tuple(q.shape) != tuple(child.weight.shape):
                layer = RowwiseInt8Linear.from_linear(child)
                q, s = layer.weight_t.t().contiguous(), layer.weight_scale
            else:
                layer = RowwiseInt8Linear(q, s, child.bias)
            computed[f"{key}.q"], computed[f"{key}.scale"] = q, s
            setattr(module, name, layer)
        else:
            _replace(child, f"{key}.", stored, computed)
