"""Training examples: whole TAB documents → BIO labels per subword → the engine's overlapping windows.

Each annotator of a document is its own example. Only DIRECT and QUASI mentions are labelled; NO_MASK
mentions stay ``O`` (with ``no_mask_weight`` ≠ 1 their tokens carry that loss weight: TAB's explicit
negatives). Special tokens get label -100 (ignored by the loss).

>>> label_list()[:3]
['O', 'B-PERSON', 'I-PERSON']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from redact.spans import ENTITY_TYPES, Document, spans_to_bio
from redact.windows import make_windows

IGNORE = -100


def label_list() -> list[str]:
    """BIO labels over TAB's entity types, ``O`` first."""
    return ["O"] + [f"{p}-{t}" for t in ENTITY_TYPES for p in ("B", "I")]


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]
    #: per-token loss weights (None: all 1)
    weights: list[float] | None = None


def token_labels(doc: Document, annotator, offsets: list[tuple[int, int]]) -> list[str]:
    """BIO tag of every subword token (given by its character offsets) for one annotator's masking."""
    return spans_to_bio(offsets, doc.masked_spans(annotator))


def no_mask_weights(doc: Document, annotator, offsets: list[tuple[int, int]], weight: float,
                    tags: list[int]) -> list[float]:
    """``weight`` for each ``O`` token inside one of ``annotator``'s NO_MASK mentions, else 1.

    >>> from redact.spans import Span
    >>> d = Document("d", "the United Kingdom", [Span(4, 18, "LOC", identifier="NO_MASK", annotator="a")])
    >>> no_mask_weights(d, "a", [(0, 3), (4, 10), (11, 18)], 3.0, [0, 0, 0])
    [1.0, 3.0, 3.0]
    """
    keep = [s for s in doc.spans if s.identifier == "NO_MASK" and s.annotator == annotator]
    inside = spans_to_bio(offsets, keep)  # the same token/span overlap as the labels
    return [weight if tag == 0 and bio != "O" else 1.0 for bio, tag in zip(inside, tags)]


def build_examples(
    docs: Iterable[Document], encode: Callable[[str], tuple[list[int], list[tuple[int, int]]]],
    window: int, overlap: int, cls_id: int | None, sep_id: int | None, no_mask_weight: float = 1.0,
) -> list[Example]:
    """Windows with labels over every token of every document, one set per annotator."""
    index = {lab: i for i, lab in enumerate(label_list())}
    examples = []
    for doc in docs:
        ids, offsets = encode(doc.text)
        for annotator in doc.annotators():
            tags = [index[t] for t in token_labels(doc, annotator, offsets)]
            weights = (no_mask_weights(doc, annotator, offsets, no_mask_weight, tags)
                       if no_mask_weight != 1.0 else None)
            for w in make_windows(0, ids, window, overlap, cls_id, sep_id):
                labels = [IGNORE] * len(w.input_ids)
                labels[w.offset : w.offset + w.end - w.start] = tags[w.start : w.end]
                row = None
                if weights is not None:
                    row = [1.0] * len(w.input_ids)
                    row[w.offset : w.offset + w.end - w.start] = weights[w.start : w.end]
                examples.append(Example(w.input_ids, labels, row))
    return examples
