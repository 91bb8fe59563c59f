"""``redact run --engine ray``: the local pipeline's jobs spread over a Ray cluster with Ray Data.

    input references ──flat_map──▶ read and parse (tasks): text, sha256, why it cannot be written
                     ──map_batches──▶ model (a pool of actors, each building one Redactor; CPU or GPU):
                                     the windows of many documents batched as the local engine does
                     ──map──▶ re-read, write to a temporary file, verify, rename (tasks)
                     ──▶ driver: small records (status, error, output path, spans, tokens) → JSON reports,
                                 manifest, one :class:`~redact.pipeline.Report` per document

Every step calls the local pipeline's functions (``_read_file``/``_collection_jobs`` to read,
``Redactor.predict`` for spans, ``job_problem`` and ``write_job`` to check, write and verify,
``_Collections`` for TAB JSON/JSONL outputs, ``Manifest`` for resume), and a document's spans depend only
on it, the model and the settings, so outputs are the same as ``--engine local``'s. Parsed format state
(PDF objects, XML trees) never travels: the write task parses the file again (deterministic; a file
whose bytes changed in between fails). Only text goes to the actors; only spans come back.

Faults: a document that cannot be read, predicted or written is one failed row (caught per row, an
``error`` column), never the whole run. A killed actor is restarted and its batch retried
(``max_restarts``/``max_task_retries``). The driver writes the manifest as records arrive, so an
interrupted run leaves the output folder consistent and the next run skips what is done.

Network: a local instance listens on loopback only and sends nothing anywhere (see
:func:`prepare_environment`).
"""

from __future__ import annotations

import json
import logging
import math
import os
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Iterator

from ..errors import BadInput, RedactError
from ..formats import WriteOptions
from ..inputs import Source, display
from ..manifest import Entry
from ..operators import Operator, Pseudonym, get_operator
from ..pipeline import (DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, Job, Layout, Report, _Collections, _collection_jobs,
                        _forget, _read_file, collection_done, fingerprint, job_problem, prepare, span_records, write_job, write_private)
from ..spans import Span

#: What read and write tasks ask of a node (fractional: on 2 cores, tasks and actors must all fit).
TASK_CPUS = 0.5
#: Documents handed to an actor per call (the engine batches their windows by length inside the call).
DOCS_PER_CALL = 16
#: Input files per read task.
FILES_PER_TASK = 4
#: Retries of an actor's batch after the actor died (the actor itself is restarted without limit).
BATCH_RETRIES = 3

BOOTSTRAP = "ray_bootstrap_config.yaml"


class RunStopped(RedactError):
    """The Ray run could not go on (what finished is in the manifest; running again continues)."""

    exit_code = 1


# -- environment -----------------------------------------------------------------------------------------

def ray_home() -> Path:
    """The HOME that Ray's own processes get: ``$REDACT_RAY_HOME``, else ``$REDACT_HOME/ray``."""
    if os.environ.get("REDACT_RAY_HOME"):
        return Path(os.environ["REDACT_RAY_HOME"])
    return Path(os.environ.get("REDACT_HOME", Path.home() / ".redact")) / "ray"


def _loopback(address: str | None) -> bool:
    """Whether ``address`` (None: a new local instance) is a cluster on this machine's loopback interface
    (``auto`` reads ``RAY_ADDRESS`` or the file a ``ray start --head`` here wrote, as Ray does)."""
    if address is None:
        return True
    if address == "auto":
        address = os.environ.get("RAY_ADDRESS")
        if not address:
            tmp = os.environ.get("RAY_TMPDIR") or os.environ.get("TMPDIR") or "/tmp"
            try:
                address = (Path(tmp) / "ray" / "ray_current_cluster").read_text().strip()
            except OSError:
                return False
    host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
    return host in ("127.0.0.1", "localhost", "::1")


def prepare_environment(local: bool = True) -> Path:
    """Set what must be set before ``import ray``; returns the folder Ray's processes get as HOME.

    - ``RAY_USAGE_STATS_ENABLED=0`` (unless the user set it): no usage reports.
    - A ``ray_bootstrap_config.yaml`` with ``provider: {type: local}`` in that HOME: Ray's dashboard
      process (started even without the dashboard UI) otherwise probes cloud metadata endpoints
      (169.254.169.254, metadata.google.internal) to guess the cloud it runs on.
    - For a local instance (or a cluster on loopback), ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``: Ray then
      takes 127.0.0.1 as this node's address (as it does on macOS) instead of finding the machine's
      address by connecting a socket to 8.8.8.8 and listening there.
    - ``REDACT_HOME`` is pinned to its value here, so actors (whose HOME is the folder above) find the
      user's named models.
    """
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("REDACT_HOME", str(Path.home() / ".redact"))
    if local:
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    home = ray_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / BOOTSTRAP
    if not config.exists():
        config.write_text("# written by redact: tells Ray this is not a cloud cluster (no metadata probes)\n"
                          "provider:\n  type: local\n")
    return home


def start(address: str | None = None, num_cpus: int | None = None, num_gpus: int | None = None) -> bool:
    """Start a local Ray instance (``address`` None) or join a cluster (``auto``, ``host:port``,
    ``ray://host:port``). Returns False when Ray was already initialised in this process (then it is
    left as it is)."""
    home = prepare_environment(local=_loopback(address))
    try:
        import ray
    except ImportError:
        raise BadInput("--engine ray needs Ray: pip install 'redact[ray]' (or 'ray[data]')") from None

    if ray.is_initialized():
        return False
    if address is not None:  # nothing is started here: the cluster's own settings apply
        try:
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
        except (ConnectionError, ValueError) as exc:
            raise BadInput(f"--ray-address {address}: cannot join the cluster ({exc})") from None
        return True
    if os.environ.get("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER") == "0":  # read when ray was imported: if that
        from ray._private import ray_constants  # was before prepare_environment, say it again

        ray_constants.ENABLE_RAY_CLUSTER = False
    real_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)  # for the processes ray.init starts (they inherit it), not for us
    try:
        ray.init(address="local", num_cpus=num_cpus, num_gpus=num_gpus, include_dashboard=False,
                 log_to_driver=False, logging_level=logging.ERROR)
    finally:
        if real_home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = real_home
    return True


# -- rows: what travels between the steps (small, Arrow-friendly) ----------------------------------------

def _ref(i: int, src: Source) -> dict:
    """An input reference. ``path`` is a local (or shared-filesystem) path as bytes, so any file name
    survives Arrow. Seam for object stores: a reference could carry a URL here, opened in
    :func:`_source` through ``pyarrow.fs.FileSystem.from_uri`` into a local temporary file."""
    return {"i": i, "path": os.fsencode(src.path), "rel": os.fsencode(src.rel), "collection": src.collection,
            "problem": src.problem or "", "name": src.name}


def _source(row: dict) -> Source:
    return Source(Path(os.fsdecode(row["path"])), Path(os.fsdecode(row["rel"])), bool(row["collection"]),
                  row["problem"] or None)


def _worker_setup(ocr_settings) -> None:
    """Per-process settings the CLI made on the driver (OCR), repeated in each task."""
    if ocr_settings is not None:
        from .. import ocr

        if ocr.current() != ocr_settings:
            ocr.configure(**asdict(ocr_settings))


def _read_rows(ref: dict, *, max_bytes: int, max_pages: int, options: WriteOptions, ocr_settings=None) -> list[dict]:
    """Read one input (a task): one row per document, with its text; a problem is an ``error``."""
    _worker_setup(ocr_settings)
    src = _source(ref)
    try:
        jobs = list(_collection_jobs(src)) if src.collection else [_read_file(src, max_bytes)]
    except Exception as exc:  # never the whole block
        jobs = [Job(src, src.name, error=f"{src.name}: cannot read ({type(exc).__name__}: {exc})")]
    rows = []
    for k, job in enumerate(jobs):
        if job.error is None and not src.collection:
            job.error = job_problem(job, options, max_pages)
        rows.append({**ref, "k": k, "n": len(jobs), "doc_id": str(job.doc_id),
                     "text": job.text if job.error is None else "", "error": job.error or "",
                     "sha256": job.sha256, "size": int(job.stat[0]), "mtime_ns": int(job.stat[1]),
                     "format": job.parsed.format if job.parsed is not None else ""})
    return rows


def _spans_json(spans: list[Span]) -> str:
    return json.dumps([asdict(s) for s in spans])


def _spans(blob: str) -> list[Span]:
    return [Span(**d) for d in json.loads(blob)] if blob else []


class Predictor:
    """The model step (a Ray Data callable class): builds one :class:`~redact.api.Redactor` per actor and
    predicts the spans of a batch of documents with it (their windows batched together).

    Its settings are a class attribute of a subclass made by :func:`predictor` (``model``, ``spec``,
    ``threads``, ``crash_once``), so they travel with the class, not as constructor arguments in the object
    store (an actor restarted after those were freed could not be rebuilt). ``crash_once``: a path; the
    first actor call that creates it ends the actor's process (a test of restarts: the batch must be
    retried on the restarted actor)."""

    config: dict = {}

    def __init__(self):
        import os
        import sys

        threads = self.config.get("threads")
        if threads:  # the actor's share of the node: ONNX Runtime windows at once, or torch threads
            os.environ["REDACT_ONNX_WORKERS"] = str(threads)
        from ..api import Redactor

        self.redactor = Redactor(self.config["model"], **self.config["spec"])
        if threads and "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(threads)
        self.crash_once = self.config.get("crash_once")

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        if self.crash_once:
            try:
                os.close(os.open(self.crash_once, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                os._exit(1)  # as if the process were killed mid-batch
            except FileExistsError:
                pass
        n = len(batch["i"])
        errors = [str(e) for e in batch["error"]]
        spans, records, tokens = [""] * n, [""] * n, [0] * n
        todo = [j for j in range(n) if not errors[j]]
        jobs = [Job(None, str(batch["doc_id"][j]), str(batch["text"][j])) for j in todo]
        try:
            list(self.redactor.predict(jobs))
        except Exception:  # find the document that raised; the others go on
            for job in jobs:
                try:
                    list(self.redactor.predict([job]))
                except Exception as exc:
                    job.error = f"cannot redact ({type(exc).__name__}: {exc})"
        for j, job in zip(todo, jobs):
            if job.error:
                errors[j] = f"{batch['name'][j]}: {job.error}"
                continue
            spans[j], records[j] = _spans_json(job.spans), json.dumps(span_records(job.text, job.spans))
            tokens[j] = int(job.tokens)
        out = {key: value for key, value in batch.items() if key != "text"}  # the text stays here
        out.update(error=np.array(errors, dtype=object), spans=np.array(spans, dtype=object),
                   records=np.array(records, dtype=object), tokens=np.array(tokens, dtype=np.int64))
        return out


def predictor(**config) -> type:
    """A :class:`Predictor` subclass carrying ``config``."""
    return type("Predictor", (Predictor,), {"config": config})


def _actor_options() -> dict:
    """An actor that died is restarted (no limit); the batch it held is retried a few times (a document
    that kills every actor it meets fails the run, after BATCH_RETRIES)."""
    return {"max_restarts": -1, "max_task_retries": BATCH_RETRIES}


def _report_json(report: Report) -> str:
    return json.dumps({k: v for k, v in report.__dict__.items() if k not in ("text", "span_objects")},
                      ensure_ascii=False, default=str)


def _write_row(row: dict, *, out: str, options: WriteOptions, max_bytes: int, max_pages: int,
               ocr_settings=None) -> dict:
    """Write one file's output (a task): parse it again, write with the spans, verify, rename. Returns
    the row without text: its report as JSON and the final path. Collections and failures pass through."""
    row = {**row, "report": "", "final": b""}
    if row["collection"] or row["error"]:
        return row
    _worker_setup(ocr_settings)
    src = _source(row)
    job = _read_file(src, max_bytes)
    if job.error is None and job.sha256 != row["sha256"]:
        job.error = f"{src.name}: changed while it was being redacted; run again"
    if job.error is None:
        job.error = job_problem(job, options, max_pages)
    if job.error is not None:
        row["error"] = job.error
        return row
    job.spans, job.tokens = _spans(row["spans"]), int(row["tokens"])
    options.operator = options.operator.fresh()
    try:  # as in pipeline.run
        report, final = write_job(job, Path(out) / src.output_rel, options)
    except RedactError as exc:
        report, final = Report(src.name, job.doc_id, "failed", error=str(exc)), None
    except Exception as exc:
        report, final = Report(src.name, job.doc_id, "failed",
                               error=f"{src.name}: cannot write ({type(exc).__name__}: {exc})"), None
    row.update(report=_report_json(report), final=os.fsencode(final) if final is not None else b"",
               size=int(job.stat[0]), mtime_ns=int(job.stat[1]))
    return row


def _write_collection(ref: dict, spans: dict, doc_ids: list, out: str, options: WriteOptions,
                      ocr_settings=None) -> list[str]:
    """Write one TAB JSON / JSONL collection's output (a task): its documents are read again and written
    in order with their spans (``spans``: document number → spans JSON; the failed ones are absent),
    then the file is read back and checked. Returns the verifier's hits (then nothing is written)."""
    _worker_setup(ocr_settings)
    src = _source(ref)
    dest = Path(out) / src.output_rel
    jobs = list(_collection_jobs(src))
    if [str(j.doc_id) for j in jobs] != list(doc_ids):
        return [f"{src.name} changed while it was being redacted; run again"]
    collections = _Collections()
    try:
        for k, job in enumerate(jobs):
            if k in spans:
                job.spans = _spans(spans[k])
                collections.add(dest, job, options.operator)
        return collections.finish(dest) if dest in collections.open else []
    finally:
        collections.abort()


# -- the driver --------------------------------------------------------------------------------------------

class _Described:
    """What the driver needs of the model (for the manifest's key and the reports), without a model."""

    def __init__(self, model: dict, settings: dict, settings_with_options: dict):
        self._model, self._settings, self._with = model, settings, settings_with_options

    def model_info(self) -> dict:
        return dict(self._model)

    def settings_info(self, options: WriteOptions | None = None) -> dict:
        return dict(self._with if options is not None else self._settings)


def _describe(model: str, spec: dict, options: WriteOptions) -> tuple[dict, dict, dict]:
    from ..api import Redactor

    r = Redactor(model, **spec)
    return r.model_info(), r.settings_info(), r.settings_info(options)


def _sizes(ray, actors: int | None, actor_gpus: float) -> tuple[int, float, int | None]:
    """Actors, CPUs each actor asks for, torch threads per actor; from the cluster's resources."""
    total = ray.cluster_resources()
    cpus, gpus = float(total.get("CPU", 1)), float(total.get("GPU", 0))
    node_cpus = max([n["Resources"].get("CPU", 0) for n in ray.nodes() if n.get("Alive")] or [cpus])
    if actor_gpus:
        if gpus < actor_gpus:
            raise BadInput(f"--actor-gpus {actor_gpus}: the cluster has {gpus:g} GPU(s)")
        actors = actors or max(1, int(gpus // actor_gpus))
        return actors, min(1.0, max(0.1, (cpus - 2 * TASK_CPUS) / actors)), 2
    actors = actors or max(1, int(cpus // 4))
    threads = max(1, min(int(node_cpus), int(cpus // actors)))
    # leave room for one read and one write task, or reading and the actors wait on each other
    return actors, max(0.05, min(float(threads), (cpus - 2 * TASK_CPUS) / actors)), threads


def run(sources: list[Source], model: str, spec: dict, layout: Layout, *, address: str | None = None,
        actors: int | None = None, actor_gpus: float = 0.0, resume: bool = True,
        max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int = DEFAULT_MAX_PAGES, num_cpus: int | None = None,
        docs_per_call: int = DOCS_PER_CALL, crash_once: str | None = None) -> Iterator[Report]:
    """Redact every source on Ray; yields one :class:`Report` per document as records arrive (not in input
    order), the same reports :func:`redact.pipeline.run` yields.

    ``model`` and ``spec`` are :class:`~redact.api.Redactor`'s arguments (each actor builds one; ``device``
    is decided by ``actor_gpus``). ``address``: None starts a local instance with ``num_cpus``; ``auto``,
    ``host:port`` or ``ray://host:port`` join a cluster (every node needs redact installed and the input
    and output folders at the same paths). If Ray is already initialised in this process, it is used.
    ``actors``: model actors (default: one per 4 CPUs, or one per ``actor_gpus`` GPUs)."""
    from ..rules import as_rules

    if any(src.path is None for src in sources):
        raise BadInput("--engine ray reads files: '-' (standard input) needs --engine local")
    spec = dict(spec)
    for name in ("allow", "deny"):  # read on the driver; the parsed rules travel to the actors
        if spec.get(name) is not None:
            spec[name] = as_rules(spec[name], name)
    style = spec.get("style", "mask")
    options = WriteOptions(get_operator(style), bool(spec.get("flatten")), bool(spec.get("accept_unreadable")))
    if isinstance(options.operator, Pseudonym) and options.operator.run_wide:
        raise BadInput("run-wide pseudonyms need one process: use --engine local")
    spec["style"] = style.name if isinstance(style, Operator) else style
    spec["device"] = "cuda" if actor_gpus else "cpu"
    if actor_gpus:
        described = None  # described by a task on a GPU, after Ray is up
    else:
        described = _Described(*_describe(model, spec, options))  # also checks model and settings first
    out, reports = layout.out, layout.reports
    ocr_settings = _ocr_settings()

    started = False
    manifest = None
    try:
        if actor_gpus:
            started = start(address, num_cpus)
            import ray

            described = _Described(*ray.get(ray.remote(num_gpus=actor_gpus, num_cpus=TASK_CPUS)(_describe)
                                            .remote(model, spec, options)))
        key = fingerprint(described, options)
        manifest, skipped, todo = prepare(sources, layout, key, resume)
        yield from skipped
        if not todo:
            return
        if not started:
            started = start(address, num_cpus)
        import ray

        ds = _dataset(ray, todo, model, spec, layout, options, actors=actors, actor_gpus=actor_gpus,
                      max_bytes=max_bytes, max_pages=max_pages, docs_per_call=docs_per_call,
                      crash_once=crash_once, ocr_settings=ocr_settings)
        model_info, settings_info = described.model_info(), described.settings_info(options)
        pending: dict[int, dict[int, dict]] = {}  # collection → document number → row
        coll_remote = ray.remote(num_cpus=TASK_CPUS, max_retries=BATCH_RETRIES)(_write_collection)
        try:
            rows = ds.iter_rows()
            for row in rows:
                src = todo[row["i"]]
                if src.collection:
                    yield from _collection_row(row, src, pending, out, reports, manifest, key, options,
                                               model_info, described.settings_info(), coll_remote,
                                               ocr_settings, ray)
                    continue
                spans = _spans(row["spans"])
                if row["error"] and not row.get("report"):  # failed before writing (or nothing written)
                    _forget(manifest, src, key, "failed", row["error"])
                    yield Report(src.name, row["doc_id"], "failed", error=row["error"])
                    continue
                if out is None:
                    yield Report(src.name, row["doc_id"], "redacted", format=row["format"], sha256=row["sha256"],
                                 spans=json.loads(row["records"]), tokens=int(row["tokens"]), span_objects=spans)
                    continue
                report = Report(**json.loads(row["report"]))
                report.span_objects = spans
                if not row["final"]:
                    _forget(manifest, src, key, "failed", report.error)
                    yield report
                    continue
                final = Path(os.fsdecode(row["final"]))
                report.model, report.settings = dict(model_info), dict(settings_info)  # as in pipeline.run
                rpath = reports / (src.rel.as_posix() + ".json")
                rpath.parent.mkdir(parents=True, exist_ok=True)
                write_private(rpath, json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
                report.report_path = display(rpath)
                manifest.record(Entry(src.rel.as_posix(), src.name, int(row["size"]), int(row["mtime_ns"]),
                                      report.sha256, key, "done", str(final), str(rpath)))
                yield report
        except RedactError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("ray") or "ray" in type(exc).__module__:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                raise RunStopped(f"the Ray run stopped ({type(exc).__name__}: {first}); what finished is "
                                 f"recorded, run again to continue") from exc
            raise
    finally:
        if manifest is not None:
            manifest.compact()
        if started:
            import ray

            ray.shutdown()




def _collection_row(row, src, pending, out, reports, manifest, key, options, model_info, settings_info,
                    coll_remote, ocr_settings, ray) -> Iterator[Report]:
    """One document of a collection: its report now; the collection's file once all its documents are in
    (as pipeline.run's close_collection; ``settings_info`` without the write options, as there)."""
    docs = pending.setdefault(row["i"], {})
    docs[row["k"]] = row
    spans = _spans(row["spans"])
    if row["error"]:
        yield Report(src.name, row["doc_id"], "failed", error=row["error"])
    elif out is None:
        yield Report(src.name, row["doc_id"], "redacted", format=row["format"], sha256=row["sha256"],
                     spans=json.loads(row["records"]), tokens=int(row["tokens"]), span_objects=spans)
    else:
        yield Report(src.name, row["doc_id"], "redacted", output=display(out / src.output_rel), format="jsonl",
                     spans=json.loads(row["records"]), tokens=int(row["tokens"]), span_objects=spans)
    if len(docs) < row["n"] or out is None:
        return
    del pending[row["i"]]
    rows = [docs[k] for k in sorted(docs)]
    good = {k: r["spans"] for k, r in enumerate(rows) if not r["error"]}
    failed = len(rows) - len(good)
    dest = out / src.output_rel
    hits = []
    if good:
        hits = ray.get(coll_remote.remote(_ref(row["i"], src), good, [r["doc_id"] for r in rows], str(out),
                                          options, ocr_settings))
    documents = [{"doc_id": r["doc_id"], "spans": json.loads(r["records"])} for r in rows if not r["error"]]
    yield from collection_done(src, dest, hits, documents, failed, reports, manifest, key, model_info, settings_info)


def _ocr_settings():
    try:
        from .. import ocr
    except ImportError:
        return None
    return ocr.current()


def _dataset(ray, todo: list[Source], model: str, spec: dict, layout: Layout, options: WriteOptions, *,
             actors, actor_gpus, max_bytes, max_pages, docs_per_call, crash_once, ocr_settings):
    import ray.data

    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.execution_options.preserve_order = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    n_actors, actor_cpus, threads = _sizes(ray, actors, actor_gpus)
    refs = [_ref(i, src) for i, src in enumerate(todo)]
    ds = ray.data.from_items(refs, override_num_blocks=max(1, math.ceil(len(refs) / FILES_PER_TASK)))
    ds = ds.flat_map(_read_rows, fn_kwargs=dict(max_bytes=max_bytes, max_pages=max_pages, options=options,
                                                 ocr_settings=ocr_settings), num_cpus=TASK_CPUS)
    model_step = dict(batch_size=docs_per_call, batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=n_actors),
                      num_cpus=actor_cpus, num_gpus=actor_gpus or None)
    cls = predictor(model=model, spec=spec, threads=threads, crash_once=crash_once)
    try:  # bounded retries of a batch (deprecated in Ray 2.60; without it Ray retries without limit)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = ds.map_batches(cls, ray_remote_args_fn=_actor_options, **model_step)
    except TypeError:
        ds = ds.map_batches(cls, **model_step)
    if layout.out is not None:
        ds = ds.map(_write_row, fn_kwargs=dict(out=str(layout.out), options=options, max_bytes=max_bytes,
                                               max_pages=max_pages, ocr_settings=ocr_settings), num_cpus=TASK_CPUS)
    return ds
