"""Scoring predicted spans against TAB gold annotations.

Two families of numbers:

* TAB's anonymisation metrics (Pilán et al. 2022), computed the way TAB's evaluation script does:
  recall over the tokens/mentions/entities that must be masked, and uniform precision where each
  predicted token counts by the share of annotators who masked it.
* seqeval's entity-level precision/recall/F1 over BIO tags on word tokens, in strict IOB2 mode (an entity
  counts only when its type and both boundaries match, and a chunk must start with ``B-``).

>>> from redact.corpus import read_documents, read_predictions
>>> result = score(read_documents("gold.json"), read_predictions("preds.jsonl"))  # doctest: +SKIP
>>> result["tab"]["token_recall"]  # doctest: +SKIP
0.702
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from .errors import BadInput
from .spans import Document, Span, spans_to_bio, word_tokens

# Words whose characters may stay unmasked without a mention counting as missed: titles, articles,
# prepositions, conjunctions and particles (TAB ignores these, since annotators disagree on them).
# TAB finds them with spaCy, whose tokenizer keeps an abbreviation's period ("Mr.") in the token, so a
# title followed by a period is not skipped.
TITLES = ("mr", "mrs", "ms", "no", "nr")
FUNCTION_WORDS = (
    "about", "and", "or", "but", "nor", "from", "until", "to", "after", "as",
    "at", "before", "between", "by", "during", "for", "in", "into", "of", "on", "over", "since", "with",
    "the", "a", "an", "’s", "'s", "s", "under", "against", "within", "without", "via", "per", "than", "upon",
    "through", "among", "across", "near",
)
_SKIP_RE = re.compile(
    "(?:" + "|".join([r"\b" + re.escape(w) + r"\b(?!\.)" for w in TITLES]
                     + [r"\b" + re.escape(w) + r"\b" for w in FUNCTION_WORDS]
                     + [re.escape(c) for c in ",.-;:/&()[]–'\" ’“”"]) + ")",
    re.IGNORECASE,
)
_TOKEN_RE = re.compile(r"\w+")


@dataclass
class _Entity:
    entity_id: str
    annotator: str
    entity_type: str
    is_direct: bool
    mentions: list[tuple[int, int]] = field(default_factory=list)
    mention_masking: list[bool] = field(default_factory=list)

    @property
    def need_masking(self) -> bool:
        return any(self.mention_masking)


def _entities(doc: Document) -> list[_Entity]:
    ents: dict[tuple, _Entity] = {}
    for s in doc.spans:
        key = (s.annotator, s.entity_id or f"{s.start}-{s.end}")
        if key not in ents:
            ents[key] = _Entity(key[1], s.annotator, s.label, s.identifier == "DIRECT")
        ents[key].mentions.append((s.start, s.end))
        ents[key].mention_masking.append(s.needs_masking)
    return list(ents.values())


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in _TOKEN_RE.finditer(text[start:end])]


class _Masked:
    """Character coverage of the predicted spans of one document."""

    def __init__(self, text: str, spans: list[Span]):
        self.text = text
        self.covered = bytearray(len(text))
        for s in spans:
            self.covered[max(s.start, 0) : min(s.end, len(text))] = b"\x01" * (min(s.end, len(text)) - max(s.start, 0))

    def is_masked(self, start: int, end: int) -> bool:
        missing = {i for i in range(start, end) if not self.covered[i]}
        if missing:
            for m in _SKIP_RE.finditer(self.text[start:end].lower()):
                missing.difference_update(range(start + m.start(), start + m.end()))
        return not missing


class _Counter:
    def __init__(self):
        self.hit = 0.0
        self.total = 0.0

    def add(self, hit: float, total: float = 1.0):
        self.hit += hit
        self.total += total

    @property
    def ratio(self) -> float | None:
        return self.hit / self.total if self.total else None


def score(gold: Iterable[Document], predictions: dict[str, list[Span]]) -> dict:
    """Score ``predictions`` (doc id → spans) against gold documents; returns a JSON-ready dict.

    Gold documents without predictions count as nothing masked and are listed under
    ``missing_predictions``; predictions for doc ids absent from gold raise :class:`BadInput`.

    >>> gold = Document("d", "Ann met Bob.", [Span(0, 3, "PERSON", 1, "DIRECT", "e1", "a1")])
    >>> score([gold], {"d": [Span(0, 3, "PERSON")]})["tab"]["token_recall"]
    1.0
    """
    c = defaultdict(_Counter)
    by_type: dict[str, _Counter] = defaultdict(_Counter)
    by_label: dict[str, _Counter] = defaultdict(_Counter)
    y_true, y_pred = [], []
    seen, missing = set(), []
    n_docs = 0
    for doc in gold:
        n_docs += 1
        if not doc.spans:
            raise BadInput(f"gold doc {doc.doc_id}: no annotations")
        seen.add(doc.doc_id)
        if doc.doc_id not in predictions:
            missing.append(doc.doc_id)
        pred = predictions.get(doc.doc_id, [])
        for s in pred:
            if s.end > len(doc.text):
                raise BadInput(f"predictions (doc {doc.doc_id}): span [{s.start}, {s.end}) outside the text "
                               f"(length {len(doc.text)})")
        masked = _Masked(doc.text, pred)
        entities = [e for e in _entities(doc) if e.need_masking]
        for e in entities:
            all_masked = True
            for (start, end), must in zip(e.mentions, e.mention_masking):
                ok = masked.is_masked(start, end)
                c["mention_recall"].add(ok)
                if not ok and must:
                    all_masked = False
                for ts, te in _tokens(doc.text, start, end):
                    tok_ok = masked.is_masked(ts, te)
                    c["token_recall"].add(tok_ok)
                    by_type[e.entity_type].add(tok_ok)
            c["recall_direct_entities" if e.is_direct else "recall_quasi_entities"].add(all_masked)

        # Precision: each predicted token (or span) counts by the share of annotators who masked it.
        annotator_masks = defaultdict(list)
        for s in doc.spans:
            if s.needs_masking and any(e.annotator == s.annotator and e.need_masking for e in entities):
                annotator_masks[s.annotator].append((s.start, s.end))
        n_annotators = len({s.annotator for s in doc.spans})
        for s in pred:
            units = [("token_precision", t) for t in _tokens(doc.text, s.start, s.end)]
            units.append(("mention_precision", (s.start, s.end)))
            for metric, (us, ue) in units:
                agree = sum(any(ms <= us and me >= ue for ms, me in spans) for spans in annotator_masks.values())
                c[metric].add(agree, n_annotators)
                if metric == "token_precision":
                    by_label[s.label].add(agree, n_annotators)

        tokens = word_tokens(doc.text)
        pred_tags = spans_to_bio(tokens, pred)
        for annotator in doc.annotators():
            y_true.append(spans_to_bio(tokens, [s for s in doc.masked_spans(annotator)]))
            y_pred.append(pred_tags)

    unknown = sorted(set(predictions) - seen)
    if unknown:
        raise BadInput(f"predictions: doc id {unknown[0]!r} is not in the gold data"
                       + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""))
    if not n_docs:
        raise BadInput("gold: no documents")

    tab = {k: c[k].ratio for k in ("token_recall", "mention_recall", "recall_direct_entities",
                                   "recall_quasi_entities", "token_precision", "mention_precision")}
    r, p = tab["token_recall"] or 0.0, tab["token_precision"] or 0.0
    tab["token_f1"] = 2 * r * p / (r + p) if r + p else 0.0
    tab["token_recall_by_type"] = {t: by_type[t].ratio for t in sorted(by_type)}
    # by the system's own label: what share of the tokens it labelled so should have been masked (any type)
    tab["token_precision_by_label"] = {lab: by_label[lab].ratio for lab in sorted(by_label)}
    return {"documents": n_docs, "missing_predictions": missing, "tab": tab, "seqeval": seqeval_scores(y_true, y_pred)}


def seqeval_scores(y_true: list[list[str]], y_pred: list[list[str]]) -> dict:
    """seqeval's micro and per-type entity precision/recall/F1 in strict IOB2 mode: a predicted entity
    counts only when its type and both boundaries match a gold one, and a chunk must start with ``B-``
    (seqeval's default, conlleval-like mode would also accept one starting with ``I-``).

    >>> seqeval_scores([["B-LOC", "I-LOC", "O"]], [["I-LOC", "I-LOC", "O"]])["f1"]
    0.0
    >>> seqeval_scores([["B-LOC", "I-LOC", "O"]], [["B-LOC", "I-LOC", "O"]])["f1"]
    1.0
    """
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    report = classification_report(y_true, y_pred, output_dict=True, zero_division=0, mode="strict", scheme=IOB2)
    micro = report.get("micro avg", {})
    return {
        "precision": float(micro.get("precision", 0.0)),
        "recall": float(micro.get("recall", 0.0)),
        "f1": float(micro.get("f1-score", 0.0)),
        "by_type": {k: {"precision": float(v["precision"]), "recall": float(v["recall"]),
                        "f1": float(v["f1-score"]), "support": int(v["support"])}
                    for k, v in report.items() if not k.endswith(" avg")},
    }


@dataclass
class SystemScore:
    """One prediction file's scores (:func:`score`'s result) under a short name."""

    name: str
    path: str
    result: dict


def system_names(paths: Sequence[str]) -> list[str]:
    """Short names for prediction files: the file stem, or the whole path where stems repeat.

    >>> system_names(["runs/a/test.jsonl", "peers/presidio_test.json", "runs/b/test.jsonl"])
    ['runs/a/test.jsonl', 'presidio_test', 'runs/b/test.jsonl']
    """
    stems = [Path(p).stem if p != "-" else "stdin" for p in paths]
    return [stem if stems.count(stem) == 1 else str(p) for stem, p in zip(stems, paths)]


def score_files(gold_path: str, pred_paths: Sequence[str]) -> list[SystemScore]:
    """Score several prediction files against one gold file (read once); one :class:`SystemScore` each.

    >>> [s.name for s in score_files("data/tab/test.json", ["data/peers/presidio_test.json"])]  # doctest: +SKIP
    ['presidio_test']
    """
    from .corpus import read_documents, read_predictions

    gold = list(read_documents(gold_path))
    return [SystemScore(name, str(path), score(gold, read_predictions(path)))
            for name, path in zip(system_names(pred_paths), pred_paths)]
