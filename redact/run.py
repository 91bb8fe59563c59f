"""``redact run`` as a Python API: sources → documents → engine → redacted files, reports, JSONL.

>>> from redact.models import load_model
>>> from redact.engine import Engine
>>> results = list(redact_sources(expand_inputs(["samples"]), Engine(load_model("tab-minilm")),
...                               out_dir="out"))  # doctest: +SKIP
>>> results[0].ok  # doctest: +SKIP
True
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .corpus import read_documents
from .engine import Engine
from .errors import BadInput, RedactError
from .formats import Loaded, format_for, txt
from .inputs import Source, expand_inputs  # noqa: F401  (re-exported for the API)
from .spans import Document, Span
from .styles import redact_text


@dataclass
class Result:
    """What happened to one document."""

    source: Source
    doc_id: str
    text: str = ""
    spans: list[Span] = field(default_factory=list)
    error: str | None = None
    output: Path | None = None
    tokens: int = 0
    info: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def _read(source: Source) -> Iterable[tuple[Document, Loaded | None, bytes]]:
    """Documents of one source. A collection is streamed (read lazily, one document at a time);
    a file is read whole. Raises on unreadable input."""
    if source.collection:
        return ((doc, None, b"") for doc in read_documents(source.path or "-"))
    if source.path is None:
        data = sys.stdin.buffer.read()
        loaded = Loaded(txt.decode(data, "-"))
    else:
        data = source.path.read_bytes()
        loaded = format_for(source.path).read(source.path)
    if not loaded.text.strip() and not loaded.info.get("needs_ocr_pages"):
        raise BadInput(f"{source.name}: no text to redact (empty)")
    return [(Document(source.rel.as_posix() if source.path else "-", loaded.text), loaded, data)]


def _documents(sources: Iterable[Source], workers: int) -> Iterator[Document]:
    """Documents in input order; a source that fails becomes an empty document carrying its error.

    With ``workers`` > 0, files are parsed in a thread pool a few files ahead of the model."""
    def load(src: Source):
        try:
            return src, _read(src), None
        except (RedactError, ValueError, OSError) as exc:
            return src, [], str(exc) if isinstance(exc, RedactError) else f"{src.name}: {exc}"
        except Exception as exc:  # a corrupt file must not stop the batch
            return src, [], f"{src.name}: cannot read ({type(exc).__name__}: {exc})"

    def emit(item):
        src, docs, error = item
        try:
            for doc, loaded, data in docs:
                doc.metadata.update({"source": src, "loaded": loaded, "data": data})
                yield doc
        except RedactError as exc:  # a collection that turns out malformed part-way
            error = str(exc)
        if error:
            yield Document(src.name, "", metadata={"source": src, "error": error})

    if workers <= 0:
        for src in sources:
            yield from emit(load(src))
        return
    with ThreadPoolExecutor(workers) as pool:
        pending = []
        for src in sources:
            pending.append(pool.submit(load, src))
            if len(pending) > 2 * workers:
                yield from emit(pending.pop(0).result())
        for fut in pending:
            yield from emit(fut.result())


def _atomic_write(dest: Path, write) -> None:
    """Write through a temporary file in the destination folder, then rename (no half-written output)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".redact-", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def span_records(text: str, spans: list[Span]) -> list[dict]:
    """Report entries for spans, with the text each one removed."""
    return [{"start": s.start, "end": s.end, "label": s.label, "score": round(s.score, 4),
             "text": text[s.start : s.end]} for s in spans]


def check_outputs(sources: list[Source], out_dir: Path) -> None:
    """Refuse an output folder that would overwrite any input."""
    out = out_dir.resolve()
    for src in sources:
        if src.path is None:
            continue
        target = (out / src.rel).resolve()
        if target == src.path.resolve() or Path(str(target) + ".json").resolve() == src.path.resolve():
            raise BadInput(f"-o {out_dir}: would overwrite the input {src.path}; choose another output folder")


def redact_sources(sources: Iterable[Source], engine: Engine, out_dir: str | Path | None = None,
                   style: str = "mask", workers: int = 0, model_info: dict | None = None,
                   accept_no_text: bool = False) -> Iterator[Result]:
    """Redact every source; yields one :class:`Result` per document as soon as it is written.

    A PDF with pages that have no text layer fails (nothing written) unless ``accept_no_text``.
    With ``out_dir`` None nothing is written (the caller prints JSONL or the redacted text).
    Collections (TAB JSON / JSONL) give one result per document, written together as ``NAME.jsonl``."""
    out = Path(out_dir) if out_dir is not None else None
    collections: dict[Path, io.TextIOBase] = {}
    settings = engine.describe()
    try:
        for doc in engine.predict(_documents(sources, workers)):
            src: Source = doc.metadata["source"]
            if "error" in doc.metadata:
                yield Result(src, doc.doc_id, error=doc.metadata["error"])
                continue
            result = Result(src, doc.doc_id, doc.text, doc.spans, tokens=doc.metadata.get("tokens", 0))
            loaded = doc.metadata.get("loaded")
            needs_ocr = loaded.info.get("needs_ocr_pages") if loaded is not None else None
            if needs_ocr and not accept_no_text:
                result.error = (f"{src.name}: pages {', '.join(map(str, needs_ocr))} have no text layer and "
                                f"were NOT redacted (OCR them first, or pass --accept-no-text)")
                yield result
                continue
            if out is not None:
                try:
                    if src.collection:
                        _write_collection_line(collections, out / src.rel.with_suffix(".jsonl"), doc, style)
                        result.output = out / src.rel.with_suffix(".jsonl")
                    else:
                        result.output, result.info = _write_file(out, src, doc, style, settings, model_info or {})
                except RedactError as exc:
                    result.error = str(exc)
                except Exception as exc:
                    result.error = f"{src.name}: cannot write ({type(exc).__name__}: {exc})"
            yield result
    finally:
        for path, fh in collections.items():
            fh.close()
            os.replace(fh.name, path)


def _write_collection_line(open_files: dict, dest: Path, doc: Document, style: str) -> None:
    if dest not in open_files:
        dest.parent.mkdir(parents=True, exist_ok=True)
        open_files[dest] = open(dest.with_name(f".redact-{dest.name}"), "w", encoding="utf-8")
    rec = {"doc_id": doc.doc_id, "text": redact_text(doc.text, doc.spans, style),
           "spans": span_records(doc.text, doc.spans)}
    open_files[dest].write(json.dumps(rec, ensure_ascii=False) + "\n")


def _write_file(out: Path, src: Source, doc: Document, style: str, settings: dict,
                model_info: dict) -> tuple[Path, dict]:
    loaded: Loaded = doc.metadata["loaded"]
    fmt = format_for(src.rel) if src.path is not None else txt
    dest = out / src.rel
    started = time.time()
    extra: dict = {}

    def write(tmp: Path) -> None:
        extra.update(fmt.write(loaded, doc.spans, tmp, style) or {})

    _atomic_write(dest, write)
    spans = span_records(doc.text, doc.spans)
    for rec, more in zip(spans, extra.pop("span_details", [{}] * len(spans))):
        rec.update(more)
    report = {
        "source": src.name, "output": str(dest), "sha256": hashlib.sha256(doc.metadata["data"]).hexdigest(),
        "model": model_info, "settings": {**settings, "style": style},
        "spans": spans, "counts": dict(Counter(s.label for s in doc.spans)),
        **loaded.info, **extra, "tokens": doc.metadata.get("tokens"),
        "timings": {"write_s": round(time.time() - started, 4)},
    }
    report_path = dest.with_name(dest.name + ".json")
    _atomic_write(report_path, lambda tmp: tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False)))
    return dest, report
