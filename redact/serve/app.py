"""The HTTP service: a Starlette app over one loaded :class:`redact.Redactor`.

Text requests are micro-batched into the model by :class:`~redact.serve.batcher.Batcher` (one engine
thread); uploaded files go through :func:`redact.pipeline.run` — the same code as ``redact run`` —
in a small pool of file threads, with their model calls sent to the same engine thread. The event loop
only reads bodies, validates and answers, so a slow upload or a long document does not stall others.

Nothing a request holds (text, file names, removed strings) is logged: one line per request with the
method, path, status, body size, counts and milliseconds.

>>> from redact.serve.app import one_line
>>> one_line("bad\\n  thing")
'bad thing'
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import logging
import mimetypes
import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import BadInput
from .batcher import Batcher, TextItem

log = logging.getLogger("redact.serve")

#: Request bodies larger than this are refused with 413 (``--max-bytes``).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
STYLES = ("mask", "label", "pseudonym")
#: JSON bodies above this size are parsed off the event loop
_BIG = 256 * 1024
#: content types accepted for uploads without a usable file suffix
_SUFFIX_FOR_TYPE = {"application/pdf": ".pdf", "text/plain": ".txt", "text/markdown": ".md",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
                    "image/png": ".png", "image/jpeg": ".jpg", "image/tiff": ".tif"}
_MEDIA_TYPE = {v: k for k, v in _SUFFIX_FOR_TYPE.items()} | {".jpeg": "image/jpeg", ".tiff": "image/tiff",
                                                            ".text": "text/plain", ".txt": "text/plain; charset=utf-8"}
_SAFE_NAME = re.compile(r"[^\w.\-]+")


def one_line(message: str) -> str:
    """An error message as one line (whitespace collapsed), capped at 500 characters."""
    return " ".join(str(message).split())[:500]


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": one_line(message)}, status_code=status)


class _TooLarge(Exception):
    pass


class Service:
    """What the app serves: the redactor, the engine threads, the file threads and the limits."""

    def __init__(self, redactor, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int = 5000,
                 timeout: float = 120.0, workers: int = 2, wait_ms: float = 5.0, token: str | None = None):
        self.redactor = redactor
        self.max_bytes, self.max_pages, self.timeout = max_bytes, max_pages, timeout
        self.workers = max(1, workers)
        self.token = token
        # a second engine thread pays where the runtime runs windows in its own threads (ONNX Runtime's
        # workers): it keeps them fed across batch boundaries; a runtime computing in the caller's thread
        # (PyTorch) already uses every core per call
        runtime = getattr(getattr(redactor, "model", None), "runtime", None)
        self.batcher = Batcher(redactor, wait_ms=wait_ms, threads=2 if getattr(runtime, "workers", 1) > 1 else 1)
        self.files: ThreadPoolExecutor | None = None
        self.started = time.time()
        self.requests = 0

    def start(self) -> None:
        self.batcher.start()
        self.files = ThreadPoolExecutor(self.workers, thread_name_prefix="redact-file")

    def stop(self) -> None:
        """After the server stopped accepting and in-flight requests finished (uvicorn's SIGTERM path)."""
        if self.files is not None:
            self.files.shutdown(wait=True)
        self.batcher.stop()

    # -- text ------------------------------------------------------------------------------------------

    async def spans(self, text: str, allow=None, deny=None) -> list:
        """The spans of ``text``: the server's model, settings and lists, then the request's own lists
        (its deny matches and the server's deny beat its allow)."""
        fut = self.batcher.submit(TextItem(text), expected=True)
        item = await asyncio.wrap_future(fut)
        spans = item.spans
        if allow is None and deny is None:
            return spans
        from ..rules import combine
        from ..spans import merge_spans

        server_deny = getattr(self.redactor, "deny", None)
        if allow is not None:
            spans = allow.keep_out(text, spans)
        denied = (deny.find(text) if deny is not None else []) + \
            (server_deny.find(text) if allow is not None and server_deny is not None else [])
        return combine(spans, merge_spans(denied), text)

    # -- files -----------------------------------------------------------------------------------------

    def redact_upload(self, upload, name: str, style: str | None):
        """Redact one uploaded file through the pipeline in a private temporary folder; returns
        ``(report, output bytes or None)``. Runs in a file thread; the folder is removed afterwards."""
        from ..inputs import Source
        from ..pipeline import Layout, run

        tmp = Path(tempfile.mkdtemp(prefix="redact-serve-"))  # mode 0700: nobody else reads the upload
        try:
            src = tmp / "in" / name
            src.parent.mkdir()
            with open(src, "wb") as fh:
                upload.seek(0)
                shutil.copyfileobj(upload, fh, 1024 * 1024)
            layout = Layout.for_output(tmp / "out", tmp / "reports")
            spans_from = _ViaEngine(self, style)
            report = next(iter(run([Source(src, Path(name))], spans_from, layout, workers=0, resume=False,
                                   max_bytes=self.max_bytes, max_pages=self.max_pages)))
            if report.error:
                report.error = report.error.replace(str(src), name)
            data = (tmp / "out" / name).read_bytes() if report.status == "redacted" else None
            return report, data
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class _ViaEngine:
    """The pipeline's span source (:class:`redact.pipeline.SpanSource`) for one upload: the server's
    redactor, with its model calls queued to the engine thread and the request's style."""

    def __init__(self, service: Service, style: str | None):
        self.service, self.redactor, self.style = service, service.redactor, style

    def predict(self, jobs):
        for job in jobs:
            if job.error is None:
                self.service.batcher.submit(job).result(self.service.timeout)  # fills in job.spans
            yield job

    def model_info(self) -> dict:
        return self.redactor.model_info()

    def settings_info(self, options=None) -> dict:
        return self.redactor.settings_info(options)

    def write_options(self):
        return self.redactor.write_options(self.style)


# -- request helpers ---------------------------------------------------------------------------------------

def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _body(request: Request) -> bytes:
    chunks = []
    async for chunk in request.stream():
        chunks.append(chunk)
    return b"".join(chunks)


def _rules(value, kind: str):
    from ..rules import Rules

    if value is None:
        return None
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadInput(f"'{kind}' must be a list of strings (one rule each)")
    return Rules.parse(value, kind, f"{kind} (request)")


def _parse_text_request(raw: bytes) -> tuple[str, str | None, object, object]:
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _Malformed(f"malformed JSON ({getattr(exc, 'msg', type(exc).__name__)})") from None
    if not isinstance(body, dict):
        raise BadInput("the body must be a JSON object {\"text\": ...}")
    unknown = set(body) - {"text", "style", "allow", "deny"}
    if unknown:
        raise BadInput(f"unknown field(s): {', '.join(sorted(unknown))}")
    text, style = body.get("text"), body.get("style")
    if not isinstance(text, str):
        raise BadInput("'text' must be a string")
    if style is not None and style not in STYLES:
        raise BadInput(f"'style' must be one of {', '.join(STYLES)}")
    return text, style, _rules(body.get("allow"), "allow"), _rules(body.get("deny"), "deny")


class _Malformed(Exception):
    pass


def _span_dicts(spans) -> list[dict]:
    # the fields of a collection's JSONL output (`redact run`): offsets, label, score rounded to 4 places
    return [{"start": s.start, "end": s.end, "label": s.label, "score": round(s.score, 4)} for s in spans]


def _upload_name(upload: UploadFile) -> str:
    """A safe file name for the upload: its base name with odd characters replaced; the suffix says
    the format (from the content type when the name has none). BadInput (415) if it is not supported."""
    from ..formats import suffixes

    raw = Path((upload.filename or "").replace("\\", "/")).name
    name = _SAFE_NAME.sub("_", raw).lstrip(".")[-100:] or "upload"
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes():
        ctype = (upload.content_type or "").split(";")[0].strip().lower()
        if ctype in _SUFFIX_FOR_TYPE and not suffix:
            return name + _SUFFIX_FOR_TYPE[ctype]
        raise _Unsupported(f"unsupported file type {suffix or ctype or '(none)'}; send one of "
                           f"{' '.join(sorted(suffixes()))}")
    return name


class _Unsupported(Exception):
    pass


# -- the app -----------------------------------------------------------------------------------------------

def create_app(service: Service) -> Starlette:
    """The ASGI app (routes, limits, auth, logging); ``service`` is started and stopped with it."""

    def note(request: Request, **counts) -> None:
        request.scope.setdefault("redact.log", {}).update(counts)

    async def text_request(request: Request, with_text: bool) -> Response:
        service.batcher.expect()
        submitted = False
        try:
            if _content_type(request) != "application/json":
                return error(415, "send Content-Type: application/json")
            raw = await asyncio.wait_for(_body(request), service.timeout)
            try:
                if len(raw) > _BIG:
                    text, style, allow, deny = await asyncio.to_thread(_parse_text_request, raw)
                else:
                    text, style, allow, deny = _parse_text_request(raw)
            except _Malformed as exc:
                return error(400, str(exc))
            except (BadInput, ValueError) as exc:
                return error(422, str(exc))
            submitted = True
            spans = await asyncio.wait_for(service.spans(text, allow, deny), service.timeout)
            body = {"spans": _span_dicts(spans)}
            if with_text:
                from ..operators import apply, get_operator

                op = get_operator(style or service.redactor.style).fresh()
                body = {"text": apply(text, spans, op) if len(text) < _BIG else
                        await asyncio.to_thread(apply, text, spans, op), **body}
            note(request, chars=len(text), spans=len(spans))
            return JSONResponse(body)
        except asyncio.TimeoutError:
            return error(504, f"not done within the per-request timeout of {service.timeout:g} s")
        finally:
            if not submitted:
                service.batcher.done_expecting()

    async def redact(request: Request) -> Response:
        return await text_request(request, with_text=True)

    async def spans(request: Request) -> Response:
        return await text_request(request, with_text=False)

    async def redact_file(request: Request) -> Response:
        if _content_type(request) != "multipart/form-data":
            return error(415, "send a multipart/form-data upload with the file in the field 'file'")
        want_report = request.query_params.get("report", "0").lower() in ("1", "true", "yes")
        style = request.query_params.get("style")
        if style is not None and style not in STYLES:
            return error(422, f"style must be one of {', '.join(STYLES)}")
        try:
            form = await asyncio.wait_for(request.form(max_files=1, max_fields=4), service.timeout)
        except asyncio.TimeoutError:
            return error(408, f"upload not received within {service.timeout:g} s")
        work = None
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                return error(422, "no file in the multipart field 'file'")
            try:
                name = _upload_name(upload)
            except _Unsupported as exc:
                return error(415, str(exc))
            work = asyncio.get_running_loop().run_in_executor(service.files, service.redact_upload, upload.file,
                                                              name, style)
            try:
                report, data = await asyncio.wait_for(asyncio.shield(work), service.timeout)
            except asyncio.TimeoutError:
                # a thread cannot be stopped: it finishes, removes its folder, and then the upload is closed
                return error(504, f"not done within the per-request timeout of {service.timeout:g} s")
        finally:
            if work is None or work.done():
                await form.close()
            else:
                work.add_done_callback(lambda f: (f.cancelled() or f.exception(),
                                                  asyncio.ensure_future(form.close())))
        note(request, spans=len(report.spans), result=report.status)
        if data is None:
            return error(422, report.error or "could not be redacted")
        media = _MEDIA_TYPE.get(Path(name).suffix.lower()) or mimetypes.guess_type(name)[0] or \
            "application/octet-stream"
        if want_report:
            rep = report.to_dict()
            rep.update(source=name, output=name)
            return JSONResponse({"filename": name, "media_type": media, "report": rep,
                                 "file": base64.b64encode(data).decode("ascii")})
        return Response(data, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="{name}"', "X-Redact-Spans": str(len(report.spans))})

    async def health(request: Request) -> Response:
        b = service.batcher
        return JSONResponse({"status": "ok", "uptime_s": round(time.time() - service.started, 1),
                             "queued": b.queued, "batches": b.batches, "items": b.items,
                             "requests": service.requests})

    async def models(request: Request) -> Response:
        from ..formats import suffixes

        r = service.redactor
        return JSONResponse({"model": r.model_info(), "settings": r.settings_info(r.write_options()),
                             "styles": list(STYLES), "formats": sorted(suffixes()),
                             "limits": {"max_bytes": service.max_bytes, "max_pages": service.max_pages,
                                        "timeout_s": service.timeout}})

    async def openapi(request: Request) -> Response:
        from .openapi import SCHEMA

        return JSONResponse(SCHEMA)

    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(exc.status_code, exc.detail or "error")

    async def lifespan(app):
        service.start()
        try:
            yield
        finally:
            service.stop()

    from contextlib import asynccontextmanager

    app = Starlette(
        routes=[Route("/v1/redact", redact, methods=["POST"]), Route("/v1/spans", spans, methods=["POST"]),
                Route("/v1/redact/file", redact_file, methods=["POST"]),
                Route("/v1/health", health, methods=["GET"]), Route("/v1/models", models, methods=["GET"]),
                Route("/openapi.json", openapi, methods=["GET"])],
        # inside Starlette's own error layer, so a body over the limit becomes 413 (not its generic 500)
        middleware=[Middleware(_Guard, service=service)],
        exception_handlers={HTTPException: http_error},
        lifespan=asynccontextmanager(lifespan))
    return app


class _Guard:
    """The app's middleware: bearer token, body size limit (413), one log line per request, and a JSON
    500 for anything unexpected (its type only: exception messages may quote a request's text)."""

    OPEN = ("/v1/health", "/openapi.json")

    def __init__(self, app, service: Service):
        self.app, self.service = app, service
        self.token = service.token.encode() if service.token else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, state = time.perf_counter(), {"status": 0, "in": 0}
        self.service.requests += 1

        async def reply(status: int, message: str) -> None:
            await error(status, message)(scope, receive, tracked_send)

        async def tracked_send(message):
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
            await send(message)

        async def limited_receive():
            message = await receive()
            if message["type"] == "http.request":
                state["in"] += len(message.get("body", b""))
                if state["in"] > self.service.max_bytes:
                    raise _TooLarge
            return message

        headers = dict(scope.get("headers") or [])
        try:
            if self.token is not None and scope["path"] not in self.OPEN:
                given = headers.get(b"authorization", b"")
                if not (given.startswith(b"Bearer ") and hmac.compare_digest(given[7:].strip(), self.token)):
                    await reply(401, "missing or wrong bearer token (Authorization: Bearer TOKEN)")
                    return
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.service.max_bytes):
                await reply(413, f"request body over the limit of {self.service.max_bytes} bytes (--max-bytes)")
                return
            try:
                await self.app(scope, limited_receive, tracked_send)
            except _TooLarge:
                if state["status"]:
                    raise
                await reply(413, f"request body over the limit of {self.service.max_bytes} bytes (--max-bytes)")
            except Exception as exc:  # noqa: BLE001 - logged by type only, never by message
                log.error("%s %s: internal error %s", scope["method"], scope["path"], type(exc).__name__)
                if not state["status"]:
                    await reply(500, f"internal error ({type(exc).__name__})")
        finally:
            counts = " ".join(f"{k}={v}" for k, v in scope.get("redact.log", {}).items())
            log.info("%s %s %s in=%dB %.1fms %s", scope["method"], scope["path"], state["status"], state["in"],
                     (time.perf_counter() - started) * 1000, counts)
