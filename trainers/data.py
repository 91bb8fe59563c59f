"""Training examples: whole TAB documents → BIO labels per subword → the engine's overlapping windows.

Each annotator of a document is its own example. Only DIRECT and QUASI mentions are labelled; NO_MASK
mentions stay ``O``. Special tokens get label -100 (ignored by the loss).

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


def token_labels(doc: Document, annotator, offsets: list[tuple[int, int]]) -> list[str]:
    """BIO tag of every subword token (given by its character offsets) for one annotator's masking."""
    return spans_to_bio(offsets, doc.masked_spans(annotator))


def build_examples(
    docs: Iterable[Document], encode: Callable[[str], tuple[list[int], list[tuple[int, int]]]],
    window: int, overlap: int, cls_id: int | None, sep_id: int | None,
) -> list[Example]:
    """Windows with labels over every token of every document, one set per annotator."""
    index = {lab: i for i, lab in enumerate(label_list())}
    examples = []
    for doc in docs:
        ids, offsets = encode(doc.text)
        for annotator in doc.annotators():
            tags = [index[t] for t in token_labels(doc, annotator, offsets)]
            for w in make_windows(0, ids, window, overlap, cls_id, sep_id):
                labels = [IGNORE] * len(w.input_ids)
                labels[w.offset : w.offset + w.end - w.start] = tags[w.start : w.end]
                examples.append(Example(w.input_ids, labels))
    return examples
