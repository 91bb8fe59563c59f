"""What an annotated corpus (TAB JSON or our JSONL) is made of: documents, characters, the model's tokens and
the windows each document needs, mentions by entity type × identifier type, the share of tokens to mask,
entities and mentions per document, annotators per document and their token-level agreement.

Only the ``tokenizers`` library is used (the checkpoint's ``tokenizer.json``): no torch, so it is quick.

>>> tok = CheckpointTokenizer.load("tab-minilm")
>>> tok.windows(900), tok.windows(1000)  # windows of 512 tokens (510 + [CLS], [SEP]) overlapping by 64
(2, 3)
>>> s = corpus_stats("data/tab/dev.json", tok)  # doctest: +SKIP
>>> s.documents, round(s.mask_share, 3)  # doctest: +SKIP
(21, 0.151)
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path

from .corpus import read_documents
from .errors import BadInput, ModelMissing
from .spans import Document, spans_to_bio
from .windows import window_ranges

from .models import find_checkpoint  # torch-free: torch is imported only when a model is loaded
from .settings import DEFAULTS

#: Used when a checkpoint's redact.json gives no window (the engine's maximum).
FALLBACK_WINDOW = 512


@dataclass
class CheckpointTokenizer:
    """A checkpoint's fast tokenizer with its window geometry (window and overlap from ``redact.json``)."""

    name: str
    tokenizer: object  # tokenizers.Tokenizer
    window: int
    overlap: int
    #: special tokens each window adds ([CLS] and [SEP] for BERT-like models)
    n_special: int

    @classmethod
    def load(cls, model: str = "tab-minilm") -> "CheckpointTokenizer":
        """From a checkpoint folder or a named checkpoint (see ``redact models``)."""
        from tokenizers import Tokenizer

        folder = find_checkpoint(model)
        if not (folder / "tokenizer.json").is_file():
            raise ModelMissing(f"{folder}: no tokenizer.json (needed to count tokens)")
        tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        settings = json.loads((folder / "redact.json").read_text()) if (folder / "redact.json").exists() else {}
        n_special = len(tok.encode("a").ids) - len(tok.encode("a", add_special_tokens=False).ids)
        return cls(folder.name, tok, settings.get("window", FALLBACK_WINDOW),
                   settings.get("overlap", DEFAULTS["overlap"]), n_special)

    def offsets(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        """Character offsets of each text's tokens (no special tokens)."""
        return [enc.offsets for enc in self.tokenizer.encode_batch(texts, add_special_tokens=False)]

    def windows(self, n_tokens: int) -> int:
        """How many windows the engine cuts a document of ``n_tokens`` tokens into."""
        content = self.window - self.n_special
        return len(window_ranges(n_tokens, content, min(self.overlap, content - 1)))


@dataclass
class Agreement:
    """Token-level agreement on masking between the annotators of the same documents, pooled over every pair.

    ``observed`` is the share of tokens both mask or both keep, ``kappa`` Cohen's kappa, ``f1`` the overlap of
    their masked tokens (2·both / (a + b)). All ``None`` when no document has two annotators.
    """

    pairs: int = 0
    tokens: int = 0
    both: int = 0
    first_only: int = 0
    second_only: int = 0

    def add(self, a: list[bool], b: list[bool]) -> None:
        self.pairs += 1
        self.tokens += len(a)
        self.both += sum(x and y for x, y in zip(a, b))
        self.first_only += sum(x and not y for x, y in zip(a, b))
        self.second_only += sum(y and not x for x, y in zip(a, b))

    @property
    def observed(self) -> float | None:
        return 1 - (self.first_only + self.second_only) / self.tokens if self.tokens else None

    @property
    def kappa(self) -> float | None:
        if not self.tokens:
            return None
        pa, pb = (self.both + self.first_only) / self.tokens, (self.both + self.second_only) / self.tokens
        expected = pa * pb + (1 - pa) * (1 - pb)
        return (self.observed - expected) / (1 - expected) if expected < 1 else 1.0

    @property
    def f1(self) -> float | None:
        masked = 2 * self.both + self.first_only + self.second_only
        return 2 * self.both / masked if masked else None


@dataclass
class CorpusStats:
    """Statistics of one corpus; :meth:`to_dict` is what ``redact stats --json`` prints."""

    name: str
    path: str
    model: str
    window: int
    overlap: int
    #: special tokens in each window ([CLS], [SEP])
    special_tokens: int = 0
    documents: int = 0
    characters: int = 0
    tokens: int = 0
    tokens_per_document: list[int] = field(default_factory=list)
    windows_per_document: list[int] = field(default_factory=list)
    #: entity type → identifier type (DIRECT, QUASI, NO_MASK) → mentions, every annotator's counted
    mentions: dict[str, dict[str, int]] = field(default_factory=dict)
    #: tokens inside a DIRECT/QUASI mention, counted once per (document, annotator)
    masked_tokens: int = 0
    #: tokens counted once per (document, annotator)
    annotated_tokens: int = 0
    #: per document, averaged over its annotators
    entities_per_document: list[float] = field(default_factory=list)
    mentions_per_document: list[float] = field(default_factory=list)
    #: number of annotators → documents
    annotators_per_document: dict[int, int] = field(default_factory=dict)
    agreement: Agreement = field(default_factory=Agreement)

    @property
    def mask_share(self) -> float | None:
        """Share of tokens an annotator marked for masking."""
        return self.masked_tokens / self.annotated_tokens if self.annotated_tokens else None

    @property
    def mention_total(self) -> int:
        return sum(sum(row.values()) for row in self.mentions.values())

    def by_identifier(self) -> dict[str, int]:
        """Mentions per identifier type, over all entity types."""
        out: Counter = Counter()
        for row in self.mentions.values():
            out.update(row)
        return dict(sorted(out.items()))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["annotators_per_document"] = {str(k): v for k, v in sorted(self.annotators_per_document.items())}
        d["agreement"].update(observed=self.agreement.observed, kappa=self.agreement.kappa, f1=self.agreement.f1)
        d["mask_share"] = self.mask_share
        d["mentions_total"] = self.mention_total
        d["mentions_by_identifier"] = self.by_identifier()
        d["windows"] = sum(self.windows_per_document)
        return d


def corpus_stats(path: str | Path, tokenizer: CheckpointTokenizer | None = None, name: str | None = None) -> CorpusStats:
    """Describe one TAB JSON / JSONL corpus with ``tokenizer`` (default: the shipped tab-minilm's); its
    ``name`` defaults to the folder and file stem (``tab/train``).

    >>> s = corpus_stats("data/panorama/panorama151.json")  # doctest: +SKIP
    >>> s.documents, s.mention_total, s.by_identifier()  # doctest: +SKIP
    (151, 580, {'DIRECT': 323, 'NO_MASK': 42, 'QUASI': 215})
    """
    tok = tokenizer or CheckpointTokenizer.load()
    docs: list[Document] = list(read_documents(path))
    if not docs:
        raise BadInput(f"{path}: no documents")
    p = Path(str(path))
    st = CorpusStats(name or (f"{p.parent.name}/{p.stem}" if p.parent.name else p.stem), str(path), tok.name, tok.window, tok.overlap, tok.n_special)
    mentions: dict[str, Counter] = defaultdict(Counter)
    annotators: Counter = Counter()
    for doc, offsets in zip(docs, tok.offsets([d.text for d in docs])):
        st.documents += 1
        st.characters += len(doc.text)
        st.tokens += len(offsets)
        st.tokens_per_document.append(len(offsets))
        st.windows_per_document.append(tok.windows(len(offsets)))
        people = doc.annotators()
        annotators[len(people)] += 1
        for s in doc.spans:
            mentions[s.label][s.identifier or "UNSPECIFIED"] += 1
        masks = []
        for a in people:
            mask = [tag != "O" for tag in spans_to_bio(offsets, doc.masked_spans(a))]
            masks.append(mask)
            st.masked_tokens += sum(mask)
            st.annotated_tokens += len(mask)
        for a, b in combinations(masks, 2):
            st.agreement.add(a, b)
        n = max(1, len(people))
        st.mentions_per_document.append(len(doc.spans) / n)
        st.entities_per_document.append(len({(s.annotator, s.entity_id or (s.start, s.end)) for s in doc.spans}) / n)
    st.mentions = {t: dict(sorted(c.items())) for t, c in sorted(mentions.items())}
    st.annotators_per_document = dict(sorted(annotators.items()))
    return st


def summary_rows(stats: list[CorpusStats]) -> list[tuple[str, list[str]]]:
    """The text table ``redact stats`` prints: one row per quantity, one cell per corpus.

    >>> summary_rows([CorpusStats("x", "x.json", "m", 512, 64, documents=2)])[0]
    ('documents', ['2'])
    """
    def cells(fn) -> list[str]:
        return [fn(s) for s in stats]

    def dist(values) -> str:
        if not values:
            return "-"
        return f"{statistics.mean(values):,.1f} / {statistics.median(values):,.0f} / {max(values):,.0f}"

    def pct(v) -> str:
        return "-" if v is None else f"{100 * v:.1f}%"

    def num(v) -> str:
        return "-" if v is None else f"{v:.3f}"

    idents = sorted({i for s in stats for i in s.by_identifier()})
    rows = [
        ("documents", cells(lambda s: f"{s.documents:,}")),
        ("characters", cells(lambda s: f"{s.characters:,}")),
        ("tokens", cells(lambda s: f"{s.tokens:,}")),
        ("tokens/doc mean / median / max", cells(lambda s: dist(s.tokens_per_document))),
        ("windows (window, overlap)", cells(lambda s: f"{sum(s.windows_per_document):,} ({s.window}, {s.overlap})")),
        ("docs needing > 1 window", cells(lambda s: f"{sum(w > 1 for w in s.windows_per_document):,}")),
        ("mentions", cells(lambda s: f"{s.mention_total:,}")),
    ]
    rows += [(f"  {i}", cells(lambda s, i=i: f"{s.by_identifier().get(i, 0):,}")) for i in idents]
    rows += [
        ("mentions/doc mean / median / max", cells(lambda s: dist(s.mentions_per_document))),
        ("entities/doc mean / median / max", cells(lambda s: dist(s.entities_per_document))),
        ("share of tokens to mask", cells(lambda s: pct(s.mask_share))),
        ("annotators/doc (docs)", cells(lambda s: ", ".join(f"{k}: {v}" for k, v in s.annotators_per_document.items()))),
        ("agreement pairs", cells(lambda s: f"{s.agreement.pairs}")),
        ("agreement kappa (tokens)", cells(lambda s: num(s.agreement.kappa))),
        ("agreement F1 (masked tokens)", cells(lambda s: num(s.agreement.f1))),
    ]
    return rows


def mention_rows(stats: list[CorpusStats]) -> list[tuple[str, list[str]]]:
    """Mentions per entity type, each cell ``DIRECT/QUASI/NO_MASK`` for one corpus.

    >>> mention_rows([CorpusStats("x", "x.json", "m", 512, 64, mentions={"LOC": {"QUASI": 3}})])
    [('LOC', ['0/3/0'])]
    """
    from .spans import ENTITY_TYPES

    types = [t for t in ENTITY_TYPES if any(t in s.mentions for s in stats)]
    types += sorted({t for s in stats for t in s.mentions} - set(types))
    return [(t, [f"{r.get('DIRECT', 0)}/{r.get('QUASI', 0)}/{r.get('NO_MASK', 0)}"
                 for r in (s.mentions.get(t, {}) for s in stats)]) for t in types]
