"""``redact serve``: the redactor as an HTTP service (the work is in :mod:`redact.serve`)."""

from __future__ import annotations

import os
import sys
import time

import click

from ..errors import BadInput

from .options import STYLES, engine_options


@click.command("serve", context_settings={"show_default": True})
@click.option("--host", default="127.0.0.1", help="Address to listen on. Anything but loopback needs --token "
              "or --no-auth.")
@click.option("--port", type=int, default=8000)
@click.option("--token", envvar="REDACT_TOKEN", default=None, show_envvar=True,
              help="Require 'Authorization: Bearer TOKEN' (all endpoints but /v1/health and /openapi.json).")
@click.option("--no-auth", is_flag=True, help="Listen beyond loopback without a token (behind your own proxy).")
@click.option("-m", "--model", default="tab-minilm", help="Model name (see `redact models`) or checkpoint folder.")
@click.option("--style", type=click.Choice(STYLES), default="mask", help="Default replacement (a request may "
              "choose another).")
@engine_options
@click.option("--flatten", is_flag=True, help="PDF pages that cannot be read reliably are rasterized with the "
              "boxes burned in.")
@click.option("--accept-unreadable", is_flag=True, help="Return files with unreadable pages/parts (NOT redacted "
              "there; the report lists them).")
@click.option("--ocr", "ocr_mode", type=click.Choice(["auto", "always", "never"]), default="auto",
              help="OCR images of text (as `redact run`).")
@click.option("--ocr-lang", default="eng", help="Tesseract language(s).")
@click.option("--dpi", type=int, default=300, help="Resolution at which PDF pages are rasterized for OCR.")
@click.option("--ocr-text-layer", is_flag=True, help="Redacted page images get an invisible layer of the kept words.")
@click.option("--max-bytes", type=int, default=64 * 1024 * 1024, help="Refuse request bodies larger than this (413).")
@click.option("--max-pages", type=int, default=5000, help="Refuse documents with more pages than this (422).")
@click.option("--timeout", type=float, default=120.0, help="Seconds a request may take (504; 408 for an upload).")
@click.option("--workers", type=int, default=2, help="Threads reading, writing and verifying uploaded files "
              "(the model runs in one engine thread for all requests).")
@click.option("--threads", type=int, default=0, help="PyTorch runtime: intra-op threads (0: one per core); 1 is "
              "much faster on a machine other jobs keep busy. ONNX Runtime keeps its own pool.")
@click.option("--batch-wait-ms", type=float, default=5.0, help="How long the engine waits for requests already "
              "arriving before it runs a batch (an idle request never waits).")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info")
def command(host, port, token, no_auth, model, style, window, overlap, batch_size, threshold, propagate, patterns,
            allow, deny, runtime, precision, device, flatten, accept_unreadable, ocr_mode, ocr_lang, dpi, ocr_text_layer,
            max_bytes, max_pages, timeout, workers, threads, batch_wait_ms, log_level) -> None:
    """Serve redaction over HTTP: POST /v1/redact, /v1/spans (JSON text), /v1/redact/file (upload),
    GET /v1/health, /v1/models, /openapi.json. The model loads once; requests are batched into it.

    \b
    redact serve                                   http://127.0.0.1:8000
    redact serve --host 0.0.0.0 --token "$TOKEN"   reachable from elsewhere: a token is required
    curl -s localhost:8000/v1/redact -H 'Content-Type: application/json' -d '{"text": "Mr John Smith"}'

    Exit code 0: stopped (SIGINT/SIGTERM finish in-flight requests first); 2: usage or bad settings.
    """
    from ..serve import check_bind, serve

    check_bind(host, token, no_auth)  # before the model loads: a refused bind fails at once
    if not 1 <= port <= 65535:
        raise BadInput(f"--port must be between 1 and 65535, got {port}")
    for name, value in (("--max-bytes", max_bytes), ("--max-pages", max_pages), ("--workers", workers)):
        if value < 1:
            raise BadInput(f"{name} must be at least 1, got {value}")
    if timeout <= 0 or batch_wait_ms < 0 or threads < 0:
        raise BadInput("--timeout must be > 0, --batch-wait-ms and --threads >= 0")
    if threads:
        # one engine thread runs the model; PyTorch's intra-op threads spinning against other busy processes
        # cost more than they give (docs/serve.md: 1 thread was ~60x faster per paragraph on a shared 2-core box)
        os.environ["OMP_NUM_THREADS"] = str(threads)
        try:
            import torch

            torch.set_num_threads(threads)
        except ImportError:  # another runtime: it reads OMP_NUM_THREADS
            pass

    from .. import ocr
    from ..api import Redactor

    ocr.configure(mode=ocr_mode, lang=ocr_lang, dpi=dpi, text_layer=ocr_text_layer, workers=max(1, workers))
    started = time.time()
    # runtime only when chosen: the keyword is new in Redactor, and "auto" is its default anyway
    extra = {"runtime": runtime} if runtime != "auto" else {}
    redactor = Redactor(model, **extra, device=device, precision=precision, style=style, patterns=patterns,
                        flatten=flatten, accept_unreadable=accept_unreadable, window=window, overlap=overlap,
                        batch_size=batch_size, threshold=threshold, propagate=propagate, allow=allow, deny=deny)
    info = redactor.model_info()
    auth = "bearer token" if token else "NO authentication" if not _loopback(host) else "loopback only"
    click.echo(f"redact: serving {info['name']} ({info['precision']}, {info['device']}, loaded in "
               f"{time.time() - started:.1f}s) on http://{_url_host(host)}:{port} ({auth})", err=True)
    sys.stderr.flush()
    serve(redactor, host, port, token=token, log_level=log_level, max_bytes=max_bytes, max_pages=max_pages,
          timeout=timeout, workers=workers, wait_ms=batch_wait_ms)


def _loopback(host: str) -> bool:
    from ..serve import is_loopback

    return is_loopback(host)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
