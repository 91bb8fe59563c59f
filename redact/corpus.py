"""Reading and writing annotated corpora: TAB standoff JSON, our JSONL, and TAB prediction files.

Every reader yields :class:`~redact.spans.Document` objects and raises :class:`~redact.errors.BadInput`
with a one-line message naming the file and the document or line at fault.

>>> docs = list(read_documents("data/tab/dev.json"))  # doctest: +SKIP
>>> docs[0].doc_id  # doctest: +SKIP
'001-...'
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import IO, Iterable, Iterator

from .errors import BadInput
from .spans import Document, Span


def _open_text(path: str | Path) -> IO[str]:
    if str(path) == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8")
    p = Path(path)
    if not p.exists():
        raise BadInput(f"{path}: no such file")
    if p.is_dir():
        raise BadInput(f"{path}: is a folder, expected a JSON or JSONL file")
    return open(p, encoding="utf-8")


def _check_span(where: str, text: str, start, end) -> None:
    if not isinstance(start, int) or not isinstance(end, int):
        raise BadInput(f"{where}: offsets must be integers, got {start!r}, {end!r}")
    if start < 0 or end > len(text):
        raise BadInput(f"{where}: offsets [{start}, {end}) outside the text (length {len(text)})")
    if start >= end:
        raise BadInput(f"{where}: start {start} is not before end {end}")


def tab_document(raw: dict, where: str) -> Document:
    """One TAB standoff document (all annotators' mentions become spans tagged with their annotator)."""
    for key in ("doc_id", "text"):
        if key not in raw:
            raise BadInput(f"{where}: missing '{key}'")
    doc_id, text = str(raw["doc_id"]), raw["text"]
    annotations = raw.get("annotations")
    if not annotations or not isinstance(annotations, dict):
        raise BadInput(f"{where} (doc {doc_id}): no annotations")
    spans = []
    for annotator, ann in annotations.items():
        mentions = ann.get("entity_mentions") if isinstance(ann, dict) else None
        if mentions is None:
            raise BadInput(f"{where} (doc {doc_id}, annotator {annotator}): missing entity_mentions")
        for m in mentions:
            try:
                start, end = m["start_offset"], m["end_offset"]
                _check_span(f"{where} (doc {doc_id}, mention {m.get('entity_mention_id', '?')})", text, start, end)
                spans.append(
                    Span(start, end, m["entity_type"], 1.0, m["identifier_type"], m.get("entity_id"), annotator)
                )
            except KeyError as exc:
                raise BadInput(f"{where} (doc {doc_id}): mention without {exc}") from None
    meta = {k: v for k, v in raw.items() if k not in ("doc_id", "text", "annotations")}
    return Document(doc_id, text, spans, meta)


def jsonl_document(raw: dict, where: str) -> Document:
    """One line of our JSONL: ``{"doc_id", "text", "spans": [{"start", "end", "label", ...}]}``."""
    if not isinstance(raw, dict) or "doc_id" not in raw:
        raise BadInput(f"{where}: expected an object with 'doc_id'")
    doc_id, text = str(raw["doc_id"]), raw.get("text")
    spans = []
    for s in raw.get("spans", []):
        try:
            if text is not None:
                _check_span(f"{where} (doc {doc_id})", text, s["start"], s["end"])
            spans.append(
                Span(s["start"], s["end"], s.get("label", "MASK"), float(s.get("score", 1.0)),
                     s.get("identifier"), s.get("entity_id"), s.get("annotator"))
            )
        except (KeyError, TypeError) as exc:
            raise BadInput(f"{where} (doc {doc_id}): span without start/end ({exc})") from None
    meta = {k: v for k, v in raw.items() if k not in ("doc_id", "text", "spans")}
    return Document(doc_id, text if text is not None else "", spans, meta)


def _iter_jsonl(fh: IO[str], name: str) -> Iterator[Document]:
    for lineno, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{name}, line {lineno}: invalid JSON ({exc.msg})") from None
        yield jsonl_document(raw, f"{name}, line {lineno}")


def read_documents(path: str | Path) -> Iterator[Document]:
    """Yield documents from a TAB JSON file (a list) or a JSONL file (streamed line by line).

    >>> next(read_documents("data/tab/dev.json")).annotators()  # doctest: +SKIP
    ['annotator1']
    """
    name = str(path)
    with _open_text(path) as fh:
        first = _peek(fh)
        if first == "[":
            try:
                raw_docs = json.load(fh)
            except json.JSONDecodeError as exc:
                raise BadInput(f"{name}: invalid JSON at line {exc.lineno} ({exc.msg})") from None
            for i, raw in enumerate(raw_docs):
                if not isinstance(raw, dict):
                    raise BadInput(f"{name}: item {i} is not a document object")
                if "annotations" in raw:
                    yield tab_document(raw, name)
                else:
                    yield jsonl_document(raw, f"{name}, item {i}")
        elif first == "{":
            yield from _iter_jsonl(fh, name)
        elif first == "":
            raise BadInput(f"{name}: empty file")
        else:
            raise BadInput(f"{name}: not JSON (expected a TAB list or JSONL objects)")


def _peek(fh: IO[str]) -> str:
    """First non-space character, without consuming the stream (buffered for stdin)."""
    if fh.seekable():
        pos = fh.tell()
        while True:
            ch = fh.read(1)
            if not ch or not ch.isspace():
                fh.seek(pos)
                return ch
    buf = getattr(fh, "buffer", None)
    if buf is not None and hasattr(buf, "peek"):
        head = buf.peek(64).decode("utf-8", "ignore").lstrip()
        return head[:1]
    return ""


def read_predictions(path: str | Path) -> dict[str, list[Span]]:
    """Predicted spans per doc id, from our JSONL (``redact run --jsonl``) or TAB's prediction
    format ``{doc_id: [[start, end, (label)], ...]}``.

    >>> preds = read_predictions("data/peers/presidio_test.json")  # doctest: +SKIP
    """
    name = str(path)
    with _open_text(path) as fh:
        text = fh.read()
    stripped = text.lstrip()
    if not stripped:
        raise BadInput(f"{name}: empty file")
    try:
        whole = json.loads(stripped)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict) and "doc_id" not in whole:
        return _tab_predictions(whole, name)
    if isinstance(whole, list):
        raise BadInput(f"{name}: a JSON list is gold data, not predictions (expected JSONL or {{doc_id: spans}})")
    out: dict[str, list[Span]] = {}
    for doc in _iter_jsonl(io.StringIO(stripped), name):
        out.setdefault(doc.doc_id, []).extend(doc.spans)
    return out


def _tab_predictions(raw: dict, name: str) -> dict[str, list[Span]]:
    out = {}
    for doc_id, spans in raw.items():
        if not isinstance(spans, list):
            raise BadInput(f"{name} (doc {doc_id}): expected a list of [start, end] spans")
        parsed = []
        for s in spans:
            if not isinstance(s, (list, tuple)) or len(s) < 2 or not all(isinstance(x, int) for x in s[:2]):
                raise BadInput(f"{name} (doc {doc_id}): bad span {s!r}, expected [start, end, ...]")
            if s[0] < 0 or s[0] >= s[1]:
                raise BadInput(f"{name} (doc {doc_id}): bad span {s!r}: start must be >= 0 and before end")
            label = s[2] if len(s) > 2 and isinstance(s[2], str) else "MASK"
            parsed.append(Span(s[0], s[1], label))
        out[str(doc_id)] = parsed
    return out


def document_record(doc: Document, with_text: bool = True) -> dict:
    """The JSONL object for one document (the schema ``redact score`` reads back)."""
    rec = {"doc_id": doc.doc_id}
    if with_text:
        rec["text"] = doc.text
    rec["spans"] = [
        {k: v for k, v in (("start", s.start), ("end", s.end), ("label", s.label), ("score", round(s.score, 4)),
                           ("identifier", s.identifier), ("entity_id", s.entity_id), ("annotator", s.annotator))
         if v is not None}
        for s in doc.spans
    ]
    rec.update(doc.metadata)
    return rec


def write_jsonl(docs: Iterable[Document], fh: IO[str], with_text: bool = True) -> int:
    """Write one JSON object per document; returns how many were written."""
    n = 0
    for doc in docs:
        fh.write(json.dumps(document_record(doc, with_text), ensure_ascii=False) + "\n")
        n += 1
    return n
