"""Cutting a tokenized document into overlapping windows, shared by inference and training.

>>> window_ranges(10, size=4, overlap=2)
[(0, 4), (2, 6), (4, 8), (6, 10)]
>>> window_ranges(700, size=510, overlap=128)
[(0, 415), (285, 700)]
>>> window_ranges(3, size=4, overlap=2)
[(0, 3)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence


def window_ranges(n_tokens: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """Half-open token ranges of at most ``size`` tokens covering ``n_tokens``, consecutive ones sharing
    at least ``overlap`` tokens.

    It uses as few windows as the overlap allows and spreads them evenly with equal lengths, so a
    700-token document gets two windows of about 414 tokens rather than two of 512: less padding and
    less repeated work, with every token still seen in a window with context on both sides."""
    if size <= 0:
        raise ValueError("window size must be positive")
    if not 0 <= overlap < size:
        raise ValueError(f"overlap must be between 0 and the window size minus one ({size - 1}), got {overlap}")
    if n_tokens <= size:
        return [(0, n_tokens)] if n_tokens else []
    k = math.ceil((n_tokens - overlap) / (size - overlap))
    length = min(size, math.ceil((n_tokens + (k - 1) * overlap) / k) + 1)
    starts = [(i * (n_tokens - length)) // (k - 1) for i in range(k)]
    return [(s, s + length) for s in starts]


@dataclass
class Window:
    """One model input: content tokens ``[start, end)`` of document ``doc`` wrapped in special tokens."""

    doc: int
    start: int
    end: int
    input_ids: list[int]
    #: index in ``input_ids`` of the first content token (1 after a [CLS], else 0)
    offset: int

    def __len__(self) -> int:
        return len(self.input_ids)


def make_windows(
    doc: int, ids: Sequence[int], size: int, overlap: int, cls_id: int | None, sep_id: int | None
) -> list[Window]:
    """Windows over ``ids`` with ``size`` tokens in all, special tokens included.

    >>> [w.input_ids for w in make_windows(0, [5, 6, 7], size=4, overlap=1, cls_id=1, sep_id=2)]
    [[1, 5, 6, 2], [1, 6, 7, 2]]
    """
    n_special = (cls_id is not None) + (sep_id is not None)
    content = size - n_special
    head = [cls_id] if cls_id is not None else []
    tail = [sep_id] if sep_id is not None else []
    return [
        Window(doc, s, e, head + list(ids[s:e]) + tail, len(head))
        for s, e in window_ranges(len(ids), content, min(overlap, content - 1))
    ]
