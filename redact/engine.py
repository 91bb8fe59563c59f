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
import unicodedata
from dataclasses import dataclass, replace
from typing import Iterable, Iterator, Protocol, Sequence

import numpy as np

from .models import TokenClassifier
from .spans import Document, Span, merge_spans
from .settings import Settings
from .windows import Window, make_windows

__all__ = ["Engine", "Settings", "propagate"]

_WORD_CHAR = re.compile(r"\w")


def _word_char(ch: str) -> bool:
    return bool(_WORD_CHAR.match(ch)) or unicodedata.category(ch).startswith("M")


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
        s = (settings or Settings()).resolve(model.settings, model.max_length, model.device)
        self.window, self.overlap, self.threshold = s.window, s.overlap, s.threshold
        #: per-type thresholds (types not listed use ``threshold``)
        self.thresholds = dict(s.thresholds or ())
        #: a span with no capital letter and no digit ("system", "amazing kids") needs this mean score
        self.lower_threshold = s.lower_threshold or 0.0
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
                "thresholds": dict(sorted(self.thresholds.items())), "whole": self.settings.whole,
                "lower_threshold": self.lower_threshold,
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
        if self.model.runtime.one_window_per_call:
            yield from self._stream(docs)
            return
        buffer: list[_Pending] = []
        windows: list[Window] = []
        for doc in docs:
            p, wins = self._pending(doc, len(buffer))
            buffer.append(p)
            windows.extend(wins)
            if len(windows) >= self.settings.buffer_windows:
                self._run(windows, buffer)
                windows = []
                yield from self._drain(buffer)
        self._run(windows, buffer)
        yield from self._drain(buffer)

    def _pending(self, doc: Item, index: int = 0) -> tuple[_Pending, list[Window]]:
        """A document tokenized, its windows (``index``: its place in the buffer) and empty sums."""
        ids, offsets = self.model.encode(doc.text)
        doc.tokens = n = len(ids)
        wins = make_windows(index, ids, self.window, self.overlap, self.model.cls_id, self.model.sep_id)
        return _Pending(doc, offsets, np.zeros((n, len(self.model.labels)), np.float32), np.zeros(n, np.float32)), wins

    def _stream(self, docs: Iterable[Item]) -> Iterator[tuple[Item, list, np.ndarray]]:
        """Runtimes that take one window per call: each window is handed to the runtime as soon as its
        document is tokenized, and a document is yielded as soon as its own windows are done, so the
        caller's work on it (decoding, writing, verifying) overlaps the model's work on the next ones.
        At most ``buffer_windows`` windows are in flight. A window's result is added to its document in
        window order whatever order they finish in (float sums in a fixed order: same input, same output)."""
        from collections import deque

        runtime = self.model.runtime
        queue: deque = deque()  # (pending document, its windows, their futures), in input order
        in_flight = 0

        def finish():
            nonlocal in_flight
            p, wins, futures = queue.popleft()
            for w, fut in zip(wins, futures):
                self._add(p, w, fut.result())
            in_flight -= len(wins)
            return p.doc, p.offsets, p.prob_sum / np.maximum(p.counts, 1)[:, None]

        try:
            for doc in docs:
                p, wins = self._pending(doc)
                queue.append((p, wins, [runtime.submit(w.input_ids) for w in wins]))
                in_flight += len(wins)
                while queue and (in_flight > self.settings.buffer_windows or all(f.done() for f in queue[0][2])):
                    yield finish()
            while queue:
                yield finish()
        finally:  # stopped early (an error, Ctrl-C, a consumer that stops reading): drop windows not started
            for _, _, futures in queue:
                for fut in futures:
                    fut.cancel()

    def padded_width(self, n: int) -> int:
        """The width a window of ``n`` tokens is padded to: a function of its own length only, so its
        arithmetic never depends on which other windows share its batch (same input, same output)."""
        return min(-(-n // 32) * 32, self.window)

    def _run(self, windows: list[Window], buffer: list[_Pending]) -> None:
        # (runtimes taking one window per call go through _stream: the int8 ONNX graph scales activations
        # per tensor, so a window alone and unpadded is computed the same whatever else is being redacted)
        # Batches hold windows of one padded width only (rounded up to 32: a small set of kernel shapes,
        # which CPU kernels cache per shape). Rows of a batch are then computed exactly as they would be
        # alone (int8 included: its activations are scaled per token, see quant.py).
        by_width: dict[int, list[Window]] = {}
        for w in windows:
            by_width.setdefault(self.padded_width(len(w)), []).append(w)
        bs = self.settings.batch_size
        for width, group in sorted(by_width.items()):
            for i in range(0, len(group), bs):
                batch = group[i : i + bs]
                ids = np.full((len(batch), width), self.model.pad_id, dtype=np.int64)
                mask = np.zeros((len(batch), width), dtype=np.int64)
                for row, w in enumerate(batch):
                    ids[row, : len(w)] = w.input_ids
                    mask[row, : len(w)] = 1
                probs = self.model.probabilities(ids, mask)
                for row, w in enumerate(batch):
                    self._add(buffer[w.doc], w, probs[row])

    @staticmethod
    def _add(p: _Pending, w: Window, probs: np.ndarray) -> None:
        p.prob_sum[w.start : w.end] += probs[w.offset : w.offset + (w.end - w.start)]
        p.counts[w.start : w.end] += 1

    def _drain(self, buffer: list[_Pending]) -> Iterator[tuple[Item, list, np.ndarray]]:
        # Every window of every buffered document has run by now; emit in order and forget them.
        for p in buffer:
            yield p.doc, p.offsets, p.prob_sum / np.maximum(p.counts, 1)[:, None]
        buffer.clear()

    def decode(self, text: str, offsets: Sequence[tuple[int, int]], probs: np.ndarray) -> list[Span]:
        """Character spans from per-token class probabilities: a pure function of the text and the
        probabilities (and the settings), whatever the batch.

        1. A token is in a span when P(not O) >= the threshold of its most likely type (per-type thresholds
           from the checkpoint's ``redact.json`` ``thresholds``, else the global ``threshold``).
        2. Consecutive such tokens of one type form a span (a new span at a B- tag that starts a word).
        3. Each span is snapped to whole words, widened to the whole identifier it touches (a run without
           spaces that holds a digit or ``@``: emails, reference numbers, dates, phone parts), and trimmed of
           salutations and closing formulas at its edges; a span left with only stop words, salutations,
           punctuation or emoji is dropped (:func:`content_span`).
        4. Fragments of one identifier are joined (:func:`join_fragments`); recognizers' spans are added.
        5. ``propagate``: other occurrences of confident, name-like predicted strings (:func:`propagate`).
        """
        spans: list[Span] = []
        if len(offsets):
            p_entity = 1.0 - probs[:, self.o_index]
            b = np.where(self.b_index >= 0, probs[:, np.maximum(self.b_index, 0)], 0.0)
            i = np.where(self.i_index >= 0, probs[:, np.maximum(self.i_index, 0)], 0.0)
            type_idx = (b + i).argmax(1)
            begins = b[np.arange(len(type_idx)), type_idx] > i[np.arange(len(type_idx)), type_idx]
            by_type = np.array([self.thresholds.get(t, self.threshold) for t in self.types], dtype=np.float64)
            on = p_entity >= by_type[type_idx]
            cur = None  # [start, end, type, scores]
            for k, (start, end) in enumerate(offsets):
                if end <= start:
                    continue
                if not on[k]:
                    if cur is not None:
                        spans.append(self._span(text, cur))
                        cur = None
                    continue
                t = self.types[type_idx[k]]
                new_word = k == 0 or offsets[k - 1][1] != start
                # a span never crosses a line break (a name and the address on the next line are two)
                if cur is not None and (t != cur[2] or (begins[k] and new_word)
                                        or (self.settings.whole and "\n" in text[cur[1]:start])):
                    spans.append(self._span(text, cur))
                    cur = None
                if cur is None:
                    cur = [start, end, t, [float(p_entity[k])]]
                else:
                    cur[1] = end
                    cur[3].append(float(p_entity[k]))
            if cur is not None:
                spans.append(self._span(text, cur))
        if self.settings.whole:
            spans = [c for s in spans for part in split_span(text, s) for c in [content_span(text, part)]
                     if c is not None and (c.score >= self.lower_threshold or _has_capital_or_digit(text[c.start:c.end]))]
        for recognizer in self.recognizers:
            spans.extend(recognizer.find(text))
        spans = merge_spans(spans)
        if self.settings.whole:
            spans = join_fragments(text, spans)
            spans = person_edges(text, spans)
        if self.settings.propagate:
            found = propagate(text, spans, self.settings.min_propagate_chars,
                              self.settings.min_propagate_score if self.settings.whole else 0.0,
                              name_like=self.settings.whole)
            spans = merge_spans(spans + found)
        return spans

    @staticmethod
    def _span(text: str, cur: list) -> Span:
        start, end = cur[0], cur[1]
        # Snap to whole words: a span never leaves part of a word visible (combining marks included:
        # Burmese, Devanagari and Thai vowel signs are marks, not \w)
        while start > 0 and _word_char(text[start - 1]) and _word_char(text[start]):
            start -= 1
        while end < len(text) and _word_char(text[end]) and _word_char(text[end - 1]):
            end += 1
        return Span(start, end, cur[2], sum(cur[3]) / len(cur[3]))


# ------------------------------------------------------------------------------------------------ span rules

#: Words that are never an identifier on their own: function words, pronouns, auxiliaries. A span made
#: only of these, :data:`SALUTATIONS` and
#: :data:`HEADINGS` (or of punctuation/emoji) is dropped.
STOP_WORDS = frozenset("""
a an the and or but nor so yet if then than as at by for from in into of on onto off out over to up upon with
within without via per under against between among across through during before after since until about
near this that these those there here it its it's is are was were be been being am do does did done have has
had having will would shall should can could may might must not no yes oh ok okay too very just also only
even still more most much many some any all each every both either neither such own same other another
i me my mine myself we us our ours you your yours he him his himself she her hers herself they them their
theirs who whom whose which what when where why how s e g
""".split())
#: Salutations and closing formulas: trimmed from a span's edges in any case ("Dear John" -> "John").
SALUTATIONS = frozenset("""dear hi hello hey greetings sincerely regards faithfully truly yours cordially best
kind warm warmest thanks thank cheers respectfully love wishes good morning afternoon evening""".split())
#: Field names and headings written before an identifier ("Tel.", "IBAN", "Name", "DNI"): trimmed from a
#: span's edges in any case.
HEADINGS = frozenset("""name names surname address tel phone mobile cell email e-mail mail fax iban bic swift account
number no nr id ref reference dob born signed date subject re fwd fw cc bcc attn patient employee occupation
location contact price timestamp username user seller registration quoting ip passport dni ssn pesel cpr bsn nif
nir cnp nino pps vat card website url web login""".split())
_EDGE_ANY_CASE = SALUTATIONS | HEADINGS
#: Generic names of institutions, roles and instruments of legal texts ("the Court", "Government",
#: "European Court of Human Rights", "the applicant"): a span made only of these (and stop words) names no
#: one, and masking it makes a judgment unreadable ("lodged with the █"). A span holding any other word
#: ("Ankara State Security Court", "Mr Smith") is unaffected.
INSTITUTIONS = frozenset("""court courts government governments commission commissions convention conventions
applicant applicants respondent respondents claimant claimants defendant defendants plaintiff plaintiffs appellant
appellants complainant complainants accused state states chamber grand tribunal tribunals registry parliament
ministry prosecution police protocol article articles section european human rights supreme constitutional
administrative regional district appeal appeals cassation high federal first instance criminal civil public
security council office republic kingdom union national justice interior affairs foreign""".split())
# (titles that head a name — Judge, President, Minister, Agent, Registrar — are not here: "Judge" is part
# of the mention "Judge Patrick Moran", like "Mr")
_NEVER_ALONE = STOP_WORDS | SALUTATIONS | HEADINGS
_NEVER_ALONE_SPAN = _NEVER_ALONE | INSTITUTIONS


def _spaced(gap: str) -> bool:
    return any(c.isspace() for c in gap) or gap in (",", ":", ";")


#: lower-case words trimmed from a span's edges: articles, prepositions, conjunctions, verbs of being
_EDGE_LOWER = frozenset("""a an the and or but nor so yet if then than as at by for from in into of on onto off out
over to up upon with within without via per under against between among across through during before after since
until about near is are was were be been being this that these those""".split())


def _edge_word(word: str) -> bool:
    low = word.lower()
    return low in _EDGE_ANY_CASE or (word == low and (low in _EDGE_LOWER or low in INSTITUTIONS)) or word == "I"


def _mark_class() -> str:
    """A regex class of every combining mark in the Basic Multilingual Plane (``re`` has no ``\\p{M}``)."""
    ranges, start, prev = [], None, None
    for cp in range(0x300, 0x10000):
        if unicodedata.category(chr(cp)).startswith("M"):
            if start is None:
                start = cp
            prev = cp
        elif start is not None:
            ranges.append(f"\\u{start:04x}-\\u{prev:04x}" if prev > start else f"\\u{start:04x}")
            start = None
    return "".join(ranges)


#: a word: letters/digits with the combining marks inside and after them (Devanagari, Thai, Burmese...)
_W = rf"[\w{_mark_class()}]"
_TOKEN = re.compile(rf"\w{_W}*(?:['’]{_W}+)?")
# a run without spaces that is one identifier when it holds a digit or an @ (emails, references, dates)


def _is_identifier_run(run: str) -> bool:
    return any(c.isdigit() for c in run) or ("@" in run and not run.startswith("@"))


def _run_at(text: str, k: int) -> tuple[int, int]:
    """The space-free run of characters holding position ``k``."""
    s = k
    while s > 0 and not text[s - 1].isspace():
        s -= 1
    e = k
    while e < len(text) and not text[e].isspace():
        e += 1
    return s, e


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to the whole space-free identifier runs (holding a digit or an inner ``@``) at
    its two ends: an email, reference number or date is covered whole, never its last digits left."""
    rs, re_ = _run_at(text, start)
    if _is_identifier_run(text[rs:re_]):
        start = rs
        end = max(end, re_) if re_ >= end else end
    rs, re_ = _run_at(text, end - 1)
    if _is_identifier_run(text[rs:re_]):
        end = max(end, re_)
        start = min(start, rs)
    return start, end


_SPLIT = re.compile(r"\n|(?:(?<=[a-z]{2})|(?<=\w{4})|(?<=\d))[.!?…]+(?=\s)|[!?]+(?=\s)|:(?=\s)|\s[/|•]\s")


def split_span(text: str, span: Span) -> list[Span]:
    """A span cut at line breaks, sentence ends (``screen. I``; not after an initial or ``Mr.``/``St.``),
    colons before a space and `` / `` lists: one identifier never runs across them.

    >>> t = "matthews_71 : I said. Mr A. Berg, +47 912 34 567 / anna@example.no"
    >>> [t[s.start:s.end] for s in split_span(t, Span(0, len(t), "CODE"))]
    ['matthews_71 ', ' I said', ' Mr A. Berg, +47 912 34 567', 'anna@example.no']
    """
    out, pos = [], span.start
    for m in _SPLIT.finditer(text, span.start, span.end):
        if m.start() > pos:
            out.append(replace(span, start=pos, end=m.start()))
        pos = m.end()
    if span.end > pos:
        out.append(replace(span, start=pos, end=span.end))
    return out


def _has_capital_or_digit(s: str) -> bool:
    return any(c.isupper() or c.isdigit() for c in s)


def content_span(text: str, span: Span) -> Span | None:
    """``span`` widened to whole identifiers, with salutations and closing formulas trimmed from its edges
    and stray punctuation dropped; ``None`` when nothing but stop words, salutations, punctuation, emoji or
    underscores is left.

    >>> t = "Dear John, call +47 912 34 567 or mail harald.pettersen@example.no."
    >>> [t[s.start:s.end] for s in (content_span(t, Span(0, 9, "PERSON")), content_span(t, Span(43, 55, "CODE")))]
    ['John', 'harald.pettersen@example.no']
    >>> [content_span("It is, but oh so nice", Span(a, b, "MISC")) for a, b in ((3, 5), (7, 16), (5, 6))]
    [None, None, None]
    >>> content_span("Signed: ______", Span(8, 14, "CODE")) is None
    True
    >>> t = "lodged with the Court by the applicant, Mr Smith"
    >>> s = content_span(t, Span(29, 48, "PERSON"))
    >>> content_span(t, Span(12, 21, "ORG")), t[s.start:s.end]
    (None, 'Mr Smith')
    """
    start, end = _widen(text, span.start, span.end)
    tokens = [(m.start() + start, m.end() + start) for m in _TOKEN.finditer(text[start:end])]
    # trim salutations, headings and lower-case stop words at the edges (never titles: "Mr" stays)
    # (a word joined to its neighbour without a space is part of an identifier: "example.no" stays whole)
    while tokens and _edge_word(text[tokens[0][0]:tokens[0][1]]) and \
            (len(tokens) == 1 or _spaced(text[tokens[0][1]:tokens[1][0]])):
        tokens.pop(0)
    while tokens and _edge_word(text[tokens[-1][0]:tokens[-1][1]]) and \
            (len(tokens) == 1 or _spaced(text[tokens[-2][1]:tokens[-1][0]])):
        tokens.pop()
    if not tokens or all(text[a:b].lower() in _NEVER_ALONE_SPAN for a, b in tokens) \
            or not any(ch.isalnum() for a, b in tokens for ch in text[a:b]):  # "______": a signature line
        return None
    first, last = tokens[0][0], tokens[-1][1]
    lead = text[start:first]
    keep = len(lead) - len(lead.rstrip("+#(")) if lead else 0  # +47, #E104, (931)...
    start = first - keep
    if last - first == 1 and text[first:last].isupper() and text[last:last + 1] == "." and end > last:
        last += 1  # an initial keeps its period ("Mr A.")
    while last < len(text) and unicodedata.category(text[last]).startswith("M"):
        last += 1  # a vowel sign or virama ends many Devanagari, Bengali, Thai and Burmese words
    end = last
    return replace(span, start=start, end=end)


#: Ranks, titles and honorifics written before a name ("Lt Gen", "Maj. Gen.", "Prof."): part of the mention
#: (they narrow down who it is). Mr/Mrs/Ms are not forced in: "Mr █" is how published judgments read, and
#: the model already includes them where TAB's annotators did.
RANKS = frozenset("""lt lieut lieutenant gen general maj major col colonel capt captain sgt sergeant brig brigadier
adm admiral cpl corporal cmdr commander rev reverend sheikh rabbi ayatollah imam dr prof professor sir dame lord
lady judge""".split())
_RANK_BEFORE = re.compile(r"(?:\b([A-Za-z]+)\.? )$")
#: Lower-case links inside a person's name ("Jan van der Berg", "Inés de la Cruz", "José Cruz y Echeverría",
#: "Rhys ap Gwilym", "Omar bin Laden"): a name's words on both sides of them are one mention.
PARTICLES = frozenset("""de del della dei di da das do dos du des la le lo van vander von der den ter ten zu
zur ap ab bin bint ibn al el y e""".split())
_PARTICLES_BEFORE = re.compile(r"(?:(?<![\w.])(\w+) )?((?:(?:[A-Za-z]+) )+)$")
_INITIALS_BEFORE = re.compile(r"(?:(?<![\w.])[^\W\d_]\.[ \t]?)+$")
_PARTICLES_AFTER = re.compile(r"((?: [A-Za-z]+)+) (\w+)")
# (regnal and family numerals of two letters or more: "Benedict XVI", "Karekin II"; a lone "I"/"V" is too
# often a pronoun or "v." to take)
_SUFFIX_AFTER = re.compile(r",? (?:Jr|Sr|Snr|Jnr)\b\.?| [IVX]{2,5}\b(?!\.\w)"
                           r"|(?<=Jr|Sr)\.|(?<=Snr|Jnr)\.")  # used with match(pos)
_PAREN_NAME = re.compile(r"^ ?\(([^()\n]{1,80})\)")


def _other_script_run(s: str) -> int:
    """Length of the leading run of ``s`` written in letters outside Latin (with marks and inner spaces)."""
    n, seen = 0, False
    for k, ch in enumerate(s):
        if ch.isalpha() or unicodedata.category(ch).startswith("M"):
            if ch.isalpha() and ord(ch) < 0x250:  # Latin (with diacritics): not another script's name
                return 0
            seen, n = True, k + 1
        elif ch in " \u200c\u200d\u00b7・-'’" and seen:
            continue
        else:
            break
    return n if seen else 0


def person_edges(text: str, spans: list[Span]) -> list[Span]:
    """Whole person mentions: a PERSON span takes the ranks before it ("Lt Gen"), the initials before it
    ("J. R. R."), the "Jr."/"Sr."/"XVI" after it, both halves of a hyphenated or apostrophed name
    ("Oyelaran-Price", "O'Donnell"), and the particles and names around them ("Inés de la Cruz y
    Echeverría"); a name in another script in parentheses right after it is masked too ("Yitzhak Rabin
    (יצחק רבין)"): the tokenizer splits most scripts into characters the model rarely saw.

    >>> t = "Lt Gen Aung San (အောင်ဆန်း; 1915) and John Smith Jr. met."
    >>> [t[s.start:s.end] for s in person_edges(t, [Span(7, 15, "PERSON"), Span(38, 48, "PERSON")])]
    ['Lt Gen Aung San', 'အောင်ဆန်း', 'John Smith Jr.']
    >>> t = "Signed: S. M. O'Donnell-Keane and Inés de la Cruz y Echeverría."
    >>> [t[s.start:s.end] for s in person_edges(t, [Span(16, 23, "PERSON"), Span(45, 49, "PERSON")])]
    ["S. M. O'Donnell-Keane", 'Inés de la Cruz y Echeverría']
    >>> t = "Pope Benedict XVI met Minister Ana Sosa."
    >>> [t[s.start:s.end] for s in person_edges(t, [Span(5, 13, "PERSON"), Span(35, 39, "PERSON")])]
    ['Benedict XVI', 'Sosa']
    """
    out: list[Span] = []
    for sp in spans:
        if sp.label != "PERSON":
            out.append(sp)
            continue
        start, end = _name_words(text, sp.start, sp.end)
        while True:
            m = _RANK_BEFORE.search(text, max(0, start - 16), start)
            if not m or m.group(1).lower() not in RANKS or not m.group(1)[0].isupper():
                break
            start = m.start()
        m = _INITIALS_BEFORE.search(text, max(0, start - 24), start)
        if m and m.end() == start:
            start = m.start()
        m = _SUFFIX_AFTER.match(text, end, min(len(text), end + 9))
        if m:
            end = m.end()
        out.append(replace(sp, start=start, end=end))
        m = _PAREN_NAME.match(text[end : end + 84])
        if m:
            n = _other_script_run(m.group(1))
            if n:
                at = end + m.start(1)
                out.append(Span(at, at + n, "PERSON", sp.score))
    return merge_spans(out)


def _name_word(word: str | None) -> bool:
    """A capitalised word that can be part of a name (not "The", "Court", "Article")."""
    return bool(word) and word[0].isupper() and word.lower() not in _NEVER_ALONE_SPAN


def _name_words(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) of a PERSON span widened over the name it is part of: hyphen and apostrophe halves
    ("Oyelaran-Price", "O'Donnell", "al-Rashid") and particles with the name word on their other side
    ("[Inés] de la [Cruz]", "[Cruz] y [Echeverría]"; a span that starts with its particles, "De la Cruz",
    takes them). Only at a span's edges: the model found a name there. (A capitalised word right before a
    span is not taken: "Header", "Tell", "Minister" are not names, and a common word removed by mistake can
    make the verifier refuse a good file where the word is also structure, as "header" is in a DOCX.)"""
    while True:
        changed = False
        # hyphenated or apostrophed halves: "-Price" after, "O'" or "Jean-" before
        m = re.match(r"[-‐'’]([^\W\d_]\w*)", text[end:end + 40])
        if m and text[end] in "-‐" and m.group(1)[0].isupper():
            end, changed = end + m.end(), True
        if start >= 2 and text[start - 1] in "-‐'’" and text[start - 2].isalpha():
            k = start - 1
            while k > 0 and _word_char(text[k - 1]):
                k -= 1
            start, changed = k, True
        m = _PARTICLES_BEFORE.search(text, max(0, start - 40), start)
        if m and m.end() == start and all(w.lower() in PARTICLES for w in m.group(2).split()):
            start = m.start(2) if not _name_word(m.group(1)) else m.start(1)
            changed = True
        m = _PARTICLES_AFTER.match(text, end, min(len(text), end + 60))
        if m and all(w in PARTICLES for w in m.group(1).split()) and _name_word(m.group(2)):
            end, changed = m.end(), True
        if not changed:
            return start, end


_JOIN_GAP = re.compile(r"[ \t\-./+()]{1,3}")
_DIGITISH = re.compile(r"^[+(]?\d[\d\s\-./()]*$")


def join_fragments(text: str, spans: list[Span]) -> list[Span]:
    """Join neighbouring spans that are pieces of one identifier: touching spans; spans of one type
    separated only by a space (a name); digit groups separated by spaces or ``-./+()`` (phone numbers,
    dates, account numbers), whatever types the pieces were given. Spans are sorted and disjoint.

    >>> t = "born 02 11 1971, tel. +47 912 34 567"
    >>> [t[s.start:s.end] for s in join_fragments(t, [Span(5, 7, "DATETIME"), Span(8, 10, "QUANTITY"),
    ...     Span(11, 15, "DATETIME"), Span(22, 25, "CODE"), Span(26, 29, "CODE"), Span(30, 32, "QUANTITY"),
    ...     Span(33, 36, "CODE")])]
    ['02 11 1971', '+47 912 34 567']
    """
    out: list[Span] = []
    for s in spans:
        if out:
            prev = out[-1]
            gap = text[prev.end:s.start]
            join = gap == "" or (
                "\n" not in gap and (
                    (s.label == prev.label and gap.strip() == "" and len(gap) <= 2)
                    or (_JOIN_GAP.fullmatch(gap) is not None
                        and _DIGITISH.match(text[prev.start:prev.end]) is not None
                        and _DIGITISH.match(text[s.start:s.end]) is not None)))
            if join:
                top = prev if prev.score >= s.score else s
                out[-1] = replace(prev, end=s.end, label=top.label, score=max(prev.score, s.score))
                continue
        out.append(s)
    return out


def _name_like(needle: str) -> bool:
    """A string worth propagating: it has a capitalised word or a digit, and is not only stop words."""
    words = _TOKEN.findall(needle)
    if not words or all(w.lower() in STOP_WORDS for w in words):
        return False
    return any(w[0].isupper() or any(c.isdigit() for c in w) for w in words if w.lower() not in STOP_WORDS)


def propagate(text: str, spans: Iterable[Span], min_chars: int = 4, min_score: float = 0.0,
              name_like: bool = False) -> list[Span]:
    """Every other whole-word, case-sensitive occurrence of a predicted string, with the same label.
    Only strings of at least ``min_chars`` characters whose span scored at least ``min_score``, and, with
    ``name_like``, that look like a name or number (:func:`_name_like`: not "books", "rewarding").

    >>> [(s.start, s.end) for s in propagate("Smith met Smithson and Smith.", [Span(0, 5, "PERSON")])]
    [(23, 28)]
    >>> propagate("books and books", [Span(0, 5, "MISC")], name_like=True)
    []
    >>> t = "Mr Jan Kowalski appealed. Kowalski lost."
    >>> [t[s.start:s.end] for s in propagate(t, [Span(0, 15, "PERSON")], name_like=True)]
    ['Kowalski']
    """
    first: dict[str, Span] = {}
    existing = set()
    surnames: dict[str, Span] = {}
    for s in spans:
        needle = text[s.start : s.end]
        existing.add((s.start, s.end))
        if len(needle.strip()) >= min_chars and needle not in first and s.score >= min_score \
                and (not name_like or _name_like(needle)):
            first[needle] = s
            # one entity, every mention: "Kowalski" later in a text that named "Mr Jan Kowalski"
            words = _TOKEN.findall(needle)
            if name_like and s.label == "PERSON" and len(words) >= 2 and len(words[-1]) >= min_chars \
                    and words[-1][0].isupper() and words[-1].lower() not in _NEVER_ALONE_SPAN \
                    and words[-1].lower() not in RANKS:
                surnames.setdefault(words[-1], s)
    for name, s in surnames.items():
        first.setdefault(name, s)
    if not first:
        return []
    # one pass over the text for all strings, longest first so a name wins over its parts
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(first, key=len, reverse=True))
                         + r")(?!\w)")
    return [Span(m.start(), m.end(), first[m.group(0)].label, first[m.group(0)].score)
            for m in pattern.finditer(text) if m.span() not in existing]
