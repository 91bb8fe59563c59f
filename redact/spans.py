"""Documents and spans, and the pure conversions between character spans and BIO tags.

>>> doc = Document("d1", "Mr John Smith lives in Oslo.")
>>> toks = word_tokens(doc.text)
>>> tags = spans_to_bio(toks, [Span(3, 13, "PERSON"), Span(23, 27, "LOC")])
>>> tags
['O', 'B-PERSON', 'I-PERSON', 'O', 'O', 'B-LOC', 'O']
>>> [(s.start, s.end, s.label) for s in bio_to_spans(toks, tags)]
[(3, 13, 'PERSON'), (23, 27, 'LOC')]
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

#: TAB's entity types, in a fixed order (the label set of every model we train).
ENTITY_TYPES = ("PERSON", "CODE", "LOC", "ORG", "DEM", "DATETIME", "QUANTITY", "MISC")
#: Identifier types that must be masked.
MASKED_IDENTIFIERS = ("DIRECT", "QUASI")

_WORD_RE = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) of a document with a label.

    ``identifier`` (DIRECT/QUASI/NO_MASK), ``entity_id`` and ``annotator`` are known for gold mentions.

    >>> Span(5, 9, "LOC", score=0.9).length
    4
    """

    start: int
    end: int
    label: str
    score: float = 1.0
    identifier: str | None = None
    entity_id: str | None = None
    annotator: str | None = None

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def needs_masking(self) -> bool:
        """True unless the gold annotation says NO_MASK."""
        return self.identifier != "NO_MASK"

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass
class Document:
    """A document's id, full text, spans (gold or predicted) and free-form metadata.

    >>> Document("a", "text").spans
    []
    """

    doc_id: str
    text: str
    spans: list[Span] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    #: subword tokens the model saw (set by the engine)
    tokens: int = 0

    def annotators(self) -> list[str]:
        """Annotators present in the spans, in first-seen order (``[None]`` for unattributed spans)."""
        return list(dict.fromkeys(s.annotator for s in self.spans)) if self.spans else []

    def masked_spans(self, annotator: str | None = None) -> list[Span]:
        """Spans that need masking, optionally those of one annotator."""
        return [s for s in self.spans if s.needs_masking and (annotator is None or s.annotator == annotator)]


def word_tokens(text: str) -> list[tuple[int, int]]:
    """Character ranges of words and punctuation marks (the unit BIO tags are scored on).

    >>> word_tokens("Smith, J.")
    [(0, 5), (5, 6), (7, 8), (8, 9)]
    """
    return [m.span() for m in _WORD_RE.finditer(text)]


def spans_to_bio(tokens: Sequence[tuple[int, int]], spans: Iterable[Span]) -> list[str]:
    """BIO tags for ``tokens``: a token is inside a span when it overlaps it; earlier, longer spans win.

    >>> spans_to_bio([(0, 2), (3, 5)], [Span(0, 5, "ORG")])
    ['B-ORG', 'I-ORG']
    """
    tags = ["O"] * len(tokens)
    owner = [-1] * len(tokens)
    ordered = sorted(enumerate(spans), key=lambda p: (p[1].start, -p[1].length))
    starts = [t[0] for t in tokens]


    for idx, span in ordered:
        i = max(bisect.bisect_right(starts, span.start) - 1, 0)
        first = True
        while i < len(tokens) and tokens[i][0] < span.end:
            if tokens[i][1] > span.start and owner[i] == -1:
                tags[i] = ("B-" if first else "I-") + span.label
                owner[i] = idx
                first = False
            i += 1
    return tags


def bio_to_spans(
    tokens: Sequence[tuple[int, int]], tags: Sequence[str], scores: Sequence[float] | None = None
) -> list[Span]:
    """Character spans from BIO tags. An I- after O (or after another type) starts a span.

    The span's score is the mean of its tokens' scores when ``scores`` is given.

    >>> [(s.start, s.end) for s in bio_to_spans([(0, 1), (2, 3), (4, 5)], ["I-LOC", "I-LOC", "B-LOC"])]
    [(0, 3), (4, 5)]
    """
    spans: list[Span] = []
    cur: list[int] | None = None  # [start, end, first_token, last_token]
    label = None

    def close():
        if cur is not None:
            sc = scores[cur[2] : cur[3] + 1] if scores is not None else [1.0]
            spans.append(Span(cur[0], cur[1], label, float(sum(sc) / len(sc))))

    for i, ((start, end), tag) in enumerate(zip(tokens, tags)):
        if tag == "O":
            close()
            cur = None
            continue
        prefix, _, typ = tag.partition("-")
        if prefix == "B" or cur is None or typ != label:
            close()
            cur, label = [start, end, i, i], typ
        else:
            cur[1], cur[3] = end, i
    close()
    return spans


def merge_spans(spans: Iterable[Span], text: str | None = None) -> list[Span]:
    """Union of overlapping spans (and of spans separated only by whitespace when ``text`` is given
    and their labels agree). The merged span keeps the label of its highest-scoring part.

    >>> [(s.start, s.end, s.label) for s in merge_spans([Span(0, 5, "A", 0.9), Span(3, 8, "B", 0.5)])]
    [(0, 8, 'A')]
    """
    out: list[Span] = []
    best: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if out:
            prev = out[-1]
            joined = span.start < prev.end or (
                text is not None
                and span.label == prev.label
                and span.start >= prev.end
                and text[prev.end : span.start].strip() == ""
                and "\n" not in text[prev.end : span.start]
            )
            if joined:
                top = max(best[-1], span, key=lambda s: s.score)
                best[-1] = top
                out[-1] = replace(prev, end=max(prev.end, span.end), label=top.label, score=max(prev.score, span.score))
                continue
        out.append(span)
        best.append(span)
    return out
