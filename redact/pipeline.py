"""One job per input: Source → Parsed → spans → write (temporary file) → verify → rename → Report.

The CLI, the library (:class:`redact.Redactor`) and any other door go through :func:`run`, so the same
input gives the same output whichever door it came through. Nothing is written under its final name
before a reader that is not its writer has checked it; reports (they quote what was removed) go to a
separate folder, readable by the owner only.

>>> from redact import Redactor
>>> reports = list(run(expand_inputs(["samples"]), Redactor(), Layout.for_output("out")))  # doctest: +SKIP
>>> reports[0].status  # doctest: +SKIP
'redacted'
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

from .corpus import jsonl_document, tab_document
from .errors import BadInput, RedactError
from .formats import Format, Parsed, Verification, WriteOptions, format_for
from .formats.txt import FORMAT as TEXT
from .inputs import Source, display, expand_inputs  # noqa: F401  (re-exported for the API)
from .manifest import Entry, Manifest
from .operators import Operator, apply
from .spans import Span
from .verify import Needles


class SpanSource(Protocol):
    """What :func:`run` needs besides the inputs: where spans come from (a :class:`~redact.api.Redactor`
    runs its model and rules; :class:`redact.review.apply.Reviewed` replays reviewed decisions) and how
    to describe and write them."""

    def predict(self, jobs: Iterable[Job]) -> Iterator[Job]: ...  # each job, in order, with spans set

    def model_info(self) -> dict: ...

    def settings_info(self, options: WriteOptions | None = None) -> dict: ...

    def write_options(self) -> WriteOptions: ...


#: What a run refuses to parse (each can be raised with the matching option).
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_PAGES = 5000


@dataclass
class Layout:
    """Where outputs and reports go. ``out`` None: nothing is written (stdout/JSONL modes)."""

    out: Path | None
    reports: Path | None

    @classmethod
    def for_output(cls, out: "str | Path | None", reports: "str | Path | None" = None) -> "Layout":
        """Reports default to a sibling folder ``OUT.reports`` (never inside the folder you share). A relative
        ``OUT`` such as ``.`` is resolved first: ``-o .`` in ``/cases`` puts reports in ``/cases.reports``.

        >>> Layout.for_output("out/").reports.name
        'out.reports'
        >>> import os; Layout.for_output(".").reports == Path(os.getcwd() + ".reports")
        True
        """
        if out is None:
            return cls(None, None)
        out = Path(out)
        if reports:
            return cls(out, Path(reports))
        full = out.resolve()
        if not full.name:  # the file-system root has no sibling
            raise BadInput(f"-o {out}: reports need a folder beside it; name one with --reports DIR")
        return cls(out, full.with_name(full.name + ".reports"))


    def check_inputs(self, inputs: Iterable[str]) -> None:
        """Refuse an output or reports folder that is one of the input folders (it would overwrite them)."""
        if self.out is None:
            return
        for item in inputs:
            p = Path(item)
            if item != "-" and p.is_dir() and p.resolve() in (self.out.resolve(), self.reports.resolve()):
                raise BadInput(f"-o {display(self.out)}: would overwrite the input folder {display(p)}; "
                               f"choose another output folder")


@dataclass
class Job:
    """One document on its way through the pipeline (what the engine reads and fills in)."""

    source: Source
    doc_id: str
    text: str = ""
    parsed: Parsed | None = None
    format: Format | None = None
    sha256: str = ""
    error: str | None = None
    spans: list[Span] = field(default_factory=list)
    tokens: int = 0
    stat: tuple[int, int] = (0, 0)  # size, mtime_ns


@dataclass
class Report:
    """What happened to one document; :meth:`to_dict` is the JSON report written next to no output.

    ``status``: ``redacted``, ``failed`` or ``skipped`` (done by an earlier run, unchanged)."""

    source: str
    doc_id: str
    status: str
    output: str | None = None
    report_path: str | None = None
    error: str | None = None
    format: str | None = None
    sha256: str = ""
    model: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    spans: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    tokens: int = 0
    info: dict = field(default_factory=dict)
    touched: list = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unreadable: list[dict] = field(default_factory=list)
    verification: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    #: the document's text and spans, for callers printing text or JSONL (not in the JSON report)
    text: str = field(default="", repr=False)
    span_objects: list[Span] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k not in ("text", "span_objects", "report_path")}
        d.update(d.pop("info"))
        return d


def span_records(text: str, spans: list[Span]) -> list[dict]:
    """Report entries for spans, with the text each one removed.

    ``source`` is what made the span (the span's ``annotator``: ``model``, ``deny:RULE``, ``reviewer``).

    >>> span_records("Ann met Bo", [Span(0, 3, "PERSON", 0.91234)])
    [{'start': 0, 'end': 3, 'label': 'PERSON', 'score': 0.9123, 'text': 'Ann', 'source': 'model'}]
    """
    return [{"start": s.start, "end": s.end, "label": s.label, "score": round(s.score, 4),
             "text": text[s.start : s.end], "source": s.annotator or "model"} for s in spans]


def fingerprint(redactor: "SpanSource", options: WriteOptions) -> str:
    """Model + settings + write options, hashed: a manifest entry is reused only under the same key."""
    from dataclasses import asdict

    from . import ocr

    blob = json.dumps({"model": redactor.model_info(), "settings": redactor.settings_info(),
                       "style": options.operator.name, "flatten": options.flatten,
                       "accept_unreadable": options.accept_unreadable,
                       "ocr": {k: v for k, v in asdict(ocr.current()).items() if k != "workers"}},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _tmp_path(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".redact-", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    return Path(tmp)


def write_private(dest: Path, text: str) -> None:
    """Write ``text`` atomically with mode 0600 (reports and manifests quote removed text)."""
    tmp = _tmp_path(dest)  # mkstemp creates it 0600
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _public_mode(path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def clean_temporaries(folder: Path | None) -> int:
    """Remove ``.redact-*`` files a killed run left behind (they are ours); returns how many."""
    if folder is None or not folder.is_dir():
        return 0
    n = 0
    for p in folder.rglob(".redact-*"):
        if p.is_file():
            p.unlink(missing_ok=True)
            n += 1
    return n


# -- reading --------------------------------------------------------------------------------------------

def _read_file(src: Source, max_bytes: int) -> Job:
    job = Job(src, display(src.rel.as_posix()) if src.path is not None else "-")
    if src.problem:
        job.error = src.problem
        return job
    try:
        if src.path is None:
            data = sys.stdin.buffer.read()
            job.parsed, job.format = TEXT.parse(data, "-"), TEXT
        else:
            st = src.path.stat()
            job.stat = (st.st_size, st.st_mtime_ns)
            if st.st_size > max_bytes:
                raise BadInput(f"{src.name}: {st.st_size} bytes is over the limit of {max_bytes} (--max-bytes)")
            data = src.path.read_bytes()
            job.format = format_for(src.path)
            job.parsed = job.format.read(src.path)
        job.sha256 = hashlib.sha256(data).hexdigest()
        job.text = job.parsed.text
        if not job.text.strip() and not job.parsed.unreadable:
            raise BadInput(f"{src.name}: no text to redact (empty)")
    except RedactError as exc:
        job.error = str(exc)
    except (ValueError, OSError) as exc:
        job.error = f"{src.name}: {exc}"
    except Exception as exc:  # a corrupt file must not stop the batch
        job.error = f"{src.name}: cannot read ({type(exc).__name__}: {exc})"
    return job


def _collection_jobs(src: Source) -> Iterator[Job]:
    """Documents of a TAB JSON / JSONL collection, streamed; a bad document is one failed job."""
    from .corpus import _open_text, _peek

    try:
        fh = _open_text(src.path or "-")
    except RedactError as exc:
        yield Job(src, src.name, error=str(exc))
        return
    with fh:
        first = _peek(fh)
        if first == "[":
            try:
                items = json.load(fh)
            except json.JSONDecodeError as exc:
                yield Job(src, src.name, error=f"{src.name}: invalid JSON at line {exc.lineno} ({exc.msg})")
                return
            rows = ((f"{src.name}, item {i}", raw) for i, raw in enumerate(items))
        elif first == "{":
            rows = ((f"{src.name}, line {n}", line) for n, line in enumerate(fh, 1) if line.strip())
        else:
            yield Job(src, src.name, error=f"{src.name}: not JSON (expected a TAB list or JSONL objects)")
            return
        for where, raw in rows:
            try:
                if isinstance(raw, str):
                    try:
                        raw = json.loads(raw)
                    except json.JSONDecodeError as exc:
                        raise BadInput(f"{where}: invalid JSON ({exc.msg})") from None
                if not isinstance(raw, dict):
                    raise BadInput(f"{where}: not a document object")
                if not isinstance(raw.get("text"), str):
                    raise BadInput(f"{where}: 'text' must be a string")
                doc = tab_document(raw, where) if "annotations" in raw else jsonl_document(raw, where)
                yield Job(src, doc.doc_id, doc.text, Parsed(doc.text, "jsonl"))
            except RedactError as exc:
                yield Job(src, str(raw.get("doc_id", where)) if isinstance(raw, dict) else where, error=str(exc))


def read_jobs(sources: Iterable[Source], workers: int = 1, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Job]:
    """Jobs in input order; files are parsed in ``workers`` threads a few files ahead of the model."""
    def load(src: Source):
        if src.collection:
            return _collection_jobs(src)
        return [_read_file(src, max_bytes)]

    if workers <= 0:
        for src in sources:
            yield from load(src)
        return
    with ThreadPoolExecutor(workers) as pool:
        pending = []
        for src in sources:
            if src.collection:  # streamed lazily: never parsed ahead as a whole
                for fut in pending:
                    yield from fut.result()
                pending = []
                yield from load(src)
                continue
            pending.append(pool.submit(load, src))
            if len(pending) > 2 * workers:
                yield from pending.pop(0).result()
        for fut in pending:
            yield from fut.result()


# -- writing --------------------------------------------------------------------------------------------

def _unreadable_error(job: Job) -> str:
    places = job.parsed.unreadable
    pages = [u.page for u in places if u.page is not None]
    where = (f"pages {', '.join(map(str, sorted(set(pages))))}" if pages and len(pages) == len(places)
             else ", ".join(u.where for u in places[:5]) + (" ..." if len(places) > 5 else ""))
    reasons = sorted({u.reason for u in places})
    flags = "--flatten (rasterize them with the boxes burned in) or --accept-unreadable" \
        if job.format is not None and job.format.name == "pdf" else "--accept-unreadable"
    return f"{job.source.name}: {where} cannot be read reliably ({'; '.join(reasons)}) and would NOT be " \
           f"redacted; pass {flags}"


def job_problem(job: Job, options: WriteOptions, max_pages: int = DEFAULT_MAX_PAGES) -> str | None:
    """Why a document that was read must not be written (too many pages; places that cannot be read
    reliably, unless flattened or accepted), or None. Shared by the local loop and the Ray write tasks."""
    if job.parsed is None:
        return None
    if job.parsed.info.get("pages", 0) > max_pages:
        return f"{job.source.name}: {job.parsed.info['pages']} pages is over the limit of {max_pages} (--max-pages)"
    if job.parsed.unreadable and not (options.flatten or options.accept_unreadable):
        return _unreadable_error(job)
    return None


def write_job(job: Job, dest: Path, options: WriteOptions) -> tuple[Report, Path | None]:
    """Write ``job`` to a temporary file beside ``dest``, verify it, and rename it into place.

    Returns the report and the final path (None when it failed; nothing is left behind then)."""
    report = Report(job.source.name, job.doc_id, "redacted", format=job.format.name, sha256=job.sha256,
                    tokens=job.tokens, info=dict(job.parsed.info), text=job.text, span_objects=job.spans)
    report.spans = span_records(job.text, job.spans)
    report.counts = dict(Counter(s.label for s in job.spans))
    report.unreadable = [{"where": u.where, "reason": u.reason, **({"page": u.page} if u.page else {})}
                         for u in job.parsed.unreadable]
    started = time.time()
    tmp = _tmp_path(dest)
    try:
        result = job.format.write(job.parsed, job.spans, tmp, options)
        written = time.time()
        needles = Needles.for_redaction(job.text, job.spans)
        verification: Verification = job.format.verify(tmp, needles)
        if not verification.ok:
            tmp.unlink(missing_ok=True)
            report.status = "failed"
            report.error = (f"{job.source.name}: verification found removed text in the output "
                            f"({'; '.join(verification.hits[:3])}{' ...' if len(verification.hits) > 3 else ''});"
                            f" nothing written")
            return report, None
        _public_mode(tmp)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    for rec, more in zip(report.spans, result.span_details):
        rec.update(more)
    report.touched, report.dropped = result.touched, result.dropped
    report.info.update(result.info)
    report.verification = {"reader": verification.reader, "checked": verification.checked,
                           "needles": len(needles.strings), "unverified": verification.unverified}
    report.timings = {"write_s": round(written - started, 4), "verify_s": round(time.time() - written, 4)}
    report.output = display(dest)
    return report, dest


class _Collections:
    """Open JSONL outputs of collections: lines are written as documents finish; each file is read back,
    checked and renamed when its collection is complete."""

    def __init__(self):
        self.open: dict[Path, tuple] = {}

    def add(self, dest: Path, job: Job, operator: Operator) -> None:
        if dest not in self.open:
            tmp = _tmp_path(dest)
            self.open[dest] = (tmp, open(tmp, "w", encoding="utf-8"), {})
        tmp, fh, needles = self.open[dest]
        red = apply(job.text, job.spans, operator.fresh())
        fh.write(json.dumps({"doc_id": job.doc_id, "text": red,
                             "spans": [{"start": s.start, "end": s.end, "label": s.label, "score": round(s.score, 4)}
                                       for s in job.spans]}, ensure_ascii=False) + "\n")
        needles[job.doc_id] = Needles.for_redaction(job.text, job.spans)

    def finish(self, dest: Path) -> list[str]:
        """Verify and rename one collection's output; returns the hits (then nothing is written)."""
        tmp, fh, needles = self.open.pop(dest)
        fh.close()
        hits = []
        with open(tmp, encoding="utf-8") as back:  # read back from disk, not from what we wrote
            for line in back:
                rec = json.loads(line)
                hits += needles[rec["doc_id"]].find(rec["text"], where=f"doc {rec['doc_id']}")
        if hits:
            tmp.unlink(missing_ok=True)
        else:
            _public_mode(tmp)
            os.replace(tmp, dest)
        return hits

    def abort(self) -> None:
        for tmp, fh, _ in self.open.values():
            fh.close()
            tmp.unlink(missing_ok=True)
        self.open.clear()


def run(sources: list[Source], redactor: "SpanSource", layout: Layout, workers: int = 1, resume: bool = True,
        max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int = DEFAULT_MAX_PAGES,
        on_skip: Callable[[Source], None] | None = None) -> Iterator[Report]:
    """Redact every source; yields one :class:`Report` per document as soon as it is done.

    With ``layout.out`` None nothing is written (callers print text or JSONL from the reports). With
    ``resume``, inputs the manifest shows done and unchanged under the same model and settings are
    skipped (one ``skipped`` report each)."""
    options = redactor.write_options()
    out, reports = layout.out, layout.reports
    key = fingerprint(redactor, options)
    manifest, skipped, todo = prepare(sources, layout, key, resume)
    yield from skipped
    collections = _Collections()
    coll_reports: dict[Path, list[dict]] = {}
    last: Source | None = None
    coll_failed = 0

    def close_collection(src: Source) -> Iterator[Report]:
        nonlocal coll_failed
        dest = out / src.output_rel
        hits = collections.finish(dest) if dest in collections.open else []
        docs = coll_reports.pop(dest, [])
        yield from collection_done(src, dest, hits, docs, coll_failed, reports, manifest, key,
                                   redactor.model_info(), redactor.settings_info())
        coll_failed = 0

    try:
        for job in redactor.predict(read_jobs(todo, workers, max_bytes)):
            src = job.source
            if last is not None and last is not src and last.collection and out is not None:
                yield from close_collection(last)
            last = src
            if job.error is None:
                job.error = job_problem(job, options, max_pages)
            if job.error is not None:
                if src.collection:
                    coll_failed += 1
                elif manifest is not None:
                    _forget(manifest, src, key, "failed", job.error)
                yield Report(src.name, job.doc_id, "failed", error=job.error, text=job.text)
                continue
            if out is None:
                yield Report(src.name, job.doc_id, "redacted", format=job.parsed.format, sha256=job.sha256,
                             spans=span_records(job.text, job.spans), tokens=job.tokens, text=job.text,
                             span_objects=job.spans)
                continue
            if src.collection:
                dest = out / src.output_rel
                collections.add(dest, job, options.operator)
                coll_reports.setdefault(dest, []).append({"doc_id": job.doc_id,
                                                          "spans": span_records(job.text, job.spans)})
                yield Report(src.name, job.doc_id, "redacted", output=display(dest), format="jsonl",
                             spans=span_records(job.text, job.spans), tokens=job.tokens, text=job.text,
                             span_objects=job.spans)
                continue
            dest = out / src.output_rel
            options.operator = options.operator.fresh()
            try:
                report, final = write_job(job, dest, options)
            except RedactError as exc:
                report, final = Report(src.name, job.doc_id, "failed", error=str(exc)), None
            except Exception as exc:
                report, final = Report(src.name, job.doc_id, "failed",
                                       error=f"{src.name}: cannot write ({type(exc).__name__}: {exc})"), None
            if final is None:
                _forget(manifest, src, key, "failed", report.error)
                yield report
                continue
            report.model, report.settings = redactor.model_info(), redactor.settings_info(options)
            rpath = reports / (src.rel.as_posix() + ".json")
            rpath.parent.mkdir(parents=True, exist_ok=True)
            write_private(rpath, json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
            report.report_path = display(rpath)
            manifest.record(Entry(src.rel.as_posix(), src.name, job.stat[0], job.stat[1], job.sha256, key, "done",
                                  str(final), str(rpath)))
            yield report
        if last is not None and last.collection and out is not None:
            yield from close_collection(last)
    finally:
        collections.abort()
        if manifest is not None:
            manifest.compact()


def collection_done(src: Source, dest: Path, hits: list[str], documents: list[dict], failed: int, reports: Path,
                    manifest: Manifest, key: str, model_info: dict, settings_info: dict) -> Iterator[Report]:
    """After a collection's output was verified (``hits`` empty) or refused: its report and manifest line."""
    if hits:
        yield Report(src.name, src.name, "failed", error=f"{src.name}: verification found removed text "
                     f"({'; '.join(hits[:3])}); nothing written")
        _forget(manifest, src, key, "failed", hits[0])
        return
    rpath = reports / (src.rel.as_posix() + ".json")
    write_private(rpath, json.dumps({"source": src.name, "output": display(dest), "model": model_info,
                                     "settings": settings_info, "documents": documents},
                                    indent=2, ensure_ascii=False))
    st = src.path.stat() if src.path is not None else None
    manifest.record(Entry(src.rel.as_posix(), src.name, st.st_size if st else 0, st.st_mtime_ns if st else 0,
                          "", key, "done", str(dest), str(rpath), f"{failed} documents failed" if failed else None))


def prepare(sources: list[Source], layout: Layout, key: str, resume: bool):
    """Before a run: output and reports folders (reports 0700), leftover temporaries removed, the manifest,
    and the inputs done already. Returns ``(manifest, skipped reports, sources to do)``."""
    if layout.out is None:
        return None, [], list(sources)
    for folder in (layout.out, layout.reports):
        folder.mkdir(parents=True, exist_ok=True)
        clean_temporaries(folder)
    os.chmod(layout.reports, 0o700)
    manifest = Manifest(layout.reports)
    skipped, todo = [], []
    for src in sources:
        entry = None
        if resume and src.path is not None and not src.problem:
            try:
                st = src.path.stat()
                entry = manifest.done(src.rel.as_posix(), st.st_size, st.st_mtime_ns, key)
            except OSError:
                entry = None
        if entry is not None:
            skipped.append(Report(src.name, display(src.rel.as_posix()), "skipped", output=entry.output,
                                  report_path=entry.report))
        else:
            todo.append(src)
    return manifest, skipped, todo


def _forget(manifest: Manifest | None, src: Source, key: str, status: str, error: str | None) -> None:
    """An input that now fails loses the outputs an earlier run left for it (no stale redactions)."""
    if manifest is None or src.path is None:
        return
    old = manifest.entries.get(src.rel.as_posix())
    if old is not None:
        for p in (old.output, old.report):
            if p:
                Path(p).unlink(missing_ok=True)
    manifest.record(Entry(src.rel.as_posix(), src.name, 0, 0, "", key, status, error=error))
