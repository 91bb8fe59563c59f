"""The streaming inference engine: documents in, predicted character spans out.

read → tokenize → windows → batched model → merge window probabilities → decode BIO → spans.
Documents stream through a bounded buffer, so memory does not grow with their number.

>>> from redact.models import load_model
>>> engine = Engine(load_model("tab-minilm"))  # doctest: +SKIP
>>> [(s.label, s.start, s.end) for s in engine.spans("Mr John Smith lives in Oslo.")]  # doctest: +SKIP
[('PERSON', 3, 13), ('LOC', 23, 27)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Protocol, Sequence

import numpy as np
import torch

from .models import TokenClassifier
from .spans import Document, Span, merge_spans
from .settings import Settings
from .windows import Window, make_windows

__all__ = ["Engine", "Settings", "propagate"]

_WORD_CHAR = re.compile(r"\w")


class Item(Protocol):
    """What the engine reads (``text``) and fills in (``spans``, ``tokens``)."""

    text: str
    spans: list
    tokens: int


@dataclass
class _Pending:
    doc: Item
    offsets: list[tuple[int, int]]
    prob_sum: np.ndarray
    counts: np.ndarray


class Engine:
    """Runs a :class:`TokenClassifier` over documents of any length.

    >>> engine = Engine(model, Settings(overlap=64, threshold=0.3))  # doctest: +SKIP
    """

    def __init__(self, model: TokenClassifier, settings: Settings | None = None, recognizers: Sequence = ()):
        self.model = model
        device = str(next(model.network.parameters()).device)
        s = (settings or Settings()).resolve(model.settings, model.max_length, device)
        self.window, self.overlap, self.threshold = s.window, s.overlap, s.threshold
        self.settings = s
        self.recognizers = list(recognizers)
        labels = model.labels
        self.o_index = labels.index("O")
        self.types = sorted({lab[2:] for lab in labels if lab != "O"})
        self.b_index = np.array([labels.index(f"B-{t}") if f"B-{t}" in labels else -1 for t in self.types])
        self.i_index = np.array([labels.index(f"I-{t}") if f"I-{t}" in labels else -1 for t in self.types])

    def describe(self) -> dict:
        """The effective settings, for reports."""
        return {"window": self.window, "overlap": self.overlap, "threshold": self.threshold,
                "batch_size": self.settings.batch_size, "propagate": self.settings.propagate,
                "recognizers": [r.name for r in self.recognizers]}

    def spans(self, text: str) -> list[Span]:
        """Predicted spans of one text."""
        return next(self.predict([Document("-", text)])).spans

    def predict(self, docs: Iterable[Item]) -> Iterator[Item]:
        """Yield each item (in input order) with ``spans`` and ``tokens`` set. An item is anything with a
        ``text`` attribute (a :class:`~redact.spans.Document`, the pipeline's job)."""
        for doc, offsets, probs in self.probabilities(docs):
            doc.spans = self.decode(doc.text, offsets, probs)
            yield doc

    def probabilities(self, docs: Iterable[Item]) -> Iterator[tuple[Item, list, np.ndarray]]:
        """Yield ``(item, token offsets, token class probabilities)`` in input order."""
        buffer: list[_Pending] = []
        windows: list[Window] = []
        for doc in docs:
            ids, offsets = self.model.encode(doc.text)
            doc.tokens = len(ids)
            wins = make_windows(len(buffer), ids, self.window, self.overlap, self.model.cls_id, self.model.sep_id)
            n = len(ids)
            buffer.append(_Pending(doc, offsets, np.zeros((n, len(self.model.labels)), np.float32),
                                   np.zeros(n, np.float32)))
            windows.extend(wins)
            if len(windows) >= self.settings.buffer_windows:
                self._run(windows, buffer)
                windows = []
                yield from self._drain(buffer)
        self._run(windows, buffer)
        yield from self._drain(buffer)

    def padded_width(self, n: int) -> int:
        """The width a window of ``n`` tokens is padded to: a function of its own length only, so its
        arithmetic never depends on which other windows share its batch (same input, same output)."""
        return min(-(-n // 32) * 32, self.window)

    def _run(self, windows: list[Window], buffer: list[_Pending]) -> None:
        # Batches hold windows of one padded width only (rounded up to 32: a small set of kernel shapes,
        # which CPU kernels cache per shape). Rows of a batch are then computed exactly as they would be
        # alone (int8 included: its activations are scaled per token, see quant.py).
        by_width: dict[int, list[Window]] = {}
        for w in windows:
            by_width.setdefault(self.padded_width(len(w)), []).append(w)
        bs = self.settings.batch_size
        device = next(self.model.network.parameters()).device
        for width, group in sorted(by_width.items()):
            for i in range(0, len(group), bs):
                batch = group[i : i + bs]
                ids = torch.full((len(batch), width), self.model.pad_id, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, w in enumerate(batch):
                    ids[row, : len(w)] = torch.tensor(w.input_ids)
                    mask[row, : len(w)] = 1
                probs = self.model.probabilities(ids.to(device), mask.to(device)).cpu().numpy()
                for row, w in enumerate(batch):
                    p = buffer[w.doc]
                    p.prob_sum[w.start : w.end] += probs[row, w.offset : w.offset + (w.end - w.start)]
                    p.counts[w.start : w.end] += 1

    def _drain(self, buffer: list[_Pending]) -> Iterator[tuple[Item, list, np.ndarray]]:
        # Every window of every buffered document has run by now; emit in order and forget them.
        for p in buffer:
            yield p.doc, p.offsets, p.prob_sum / np.maximum(p.counts, 1)[:, None]
        buffer.clear()

    def decode(self, text: str, offsets: Sequence[tuple[int, int]], probs: np.ndarray) -> list[Span]:
        """Character spans from per-token class probabilities (see :class:`Settings` for the rule)."""
        spans: list[Span] = []
        if len(offsets):
            p_entity = 1.0 - probs[:, self.o_index]
            b = np.where(self.b_index >= 0, probs[:, np.maximum(self.b_index, 0)], 0.0)
            i = np.where(self.i_index >= 0, probs[:, np.maximum(self.i_index, 0)], 0.0)
            type_idx = (b + i).argmax(1)
            begins = b[np.arange(len(type_idx)), type_idx] > i[np.arange(len(type_idx)), type_idx]
            cur = None  # [start, end, type, scores]
            for k, (start, end) in enumerate(offsets):
                if end <= start:
                    continue
                if p_entity[k] < self.threshold:
                    if cur is not None:
                        spans.append(self._span(text, cur))
                        cur = None
                    continue
                t = self.types[type_idx[k]]
                new_word = k == 0 or offsets[k - 1][1] != start
                if cur is not None and (t != cur[2] or (begins[k] and new_word)):
                    spans.append(self._span(text, cur))
                    cur = None
                if cur is None:
                    cur = [start, end, t, [float(p_entity[k])]]
                else:
                    cur[1] = end
                    cur[3].append(float(p_entity[k]))
            if cur is not None:
                spans.append(self._span(text, cur))
        for recognizer in self.recognizers:
            spans.extend(recognizer.find(text))
        spans = merge_spans(spans)
        if self.settings.propagate:
            spans = merge_spans(spans + propagate(text, spans, self.settings.min_propagate_chars))
        return spans

    @staticmethod
    def _span(text: str, cur: list) -> Span:
        start, end = cur[0], cur[1]
        # Snap to whole words: a span never leaves part of a word visible.
        while start > 0 and _WORD_CHAR.match(text[start - 1]) and _WORD_CHAR.match(text[start]):
            start -= 1
        while end < len(text) and _WORD_CHAR.match(text[end]) and _WORD_CHAR.match(text[end - 1]):
            end += 1
        return Span(start, end, cur[2], sum(cur[3]) / len(cur[3]))


def propagate(text: str, spans: Iterable[Span], min_chars: int = 4) -> list[Span]:
    """Every other whole-word, case-sensitive occurrence of a predicted string, with the same label.

    >>> [(s.start, s.end) for s in propagate("Smith met Smithson and Smith.", [Span(0, 5, "PERSON")])]
    [(23, 28)]
    """
    first: dict[str, Span] = {}
    existing = set()
    for s in spans:
        needle = text[s.start : s.end]
        existing.add((s.start, s.end))
        if len(needle.strip()) >= min_chars and needle not in first:
            first[needle] = s
    if not first:
        return []
    # one pass over the text for all strings, longest first so a name wins over its parts
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(first, key=len, reverse=True))
                         + r")(?!\w)")
    return [Span(m.start(), m.end(), first[m.group(0)].label, first[m.group(0)].score)
            for m in pattern.finditer(text) if m.span() not in existing]
