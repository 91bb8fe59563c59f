"""``redact run``: redact files, folders, globs, collections or stdin with a trained model."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click
from tqdm.auto import tqdm

from ..engine import Engine, Settings
from ..errors import BadInput
from ..models import DEFAULT_MODEL, PRECISIONS, load_model
from ..recognizers import default_recognizers
from ..run import check_outputs, expand_inputs, redact_sources, span_records
from ..styles import STYLES, redact_text


@click.command("run", context_settings={"show_default": True})
@click.argument("inputs", nargs=-1, required=True)
@click.option("-m", "--model", default=DEFAULT_MODEL, help="Model name (see `redact models`) or checkpoint folder.")
@click.option("-o", "--output", "out_dir", default=None,
              help="Output folder for redacted files and NAME.EXT.json reports; '-' means --jsonl.")
@click.option("--jsonl", is_flag=True, help="Print one JSON prediction per document to stdout "
              "(the format `redact score` reads).")
@click.option("--style", type=click.Choice(STYLES), default="mask",
              help="Replacement: █ mask of the same length, [LABEL], or [LABEL_n] pseudonyms.")
@click.option("--collection", is_flag=True, help="Treat inputs (or stdin) as TAB JSON / JSONL collections "
              "(.json/.jsonl files are always collections).")
@click.option("--window", type=int, default=None, help="Tokens per window (default: the checkpoint's, max 512).")
@click.option("--overlap", type=int, default=None, help="Tokens shared by consecutive windows "
              "(default: the checkpoint's, else 128).")
@click.option("--batch-size", type=int, default=8, help="Windows per forward pass.")
@click.option("--threshold", type=float, default=None, help="Mask a token when P(not O) >= this "
              "(default: the checkpoint's dev-tuned value).")
@click.option("--propagate/--no-propagate", default=True, help="Mask every other occurrence of a predicted string.")
@click.option("--patterns/--no-patterns", default=False, help="Add the pattern recognizers "
              "(application numbers, dates) to the model's spans (off by default: no dev-set gain).")
@click.option("--precision", type=click.Choice(PRECISIONS), default="auto",
              help="Model arithmetic. auto: bf16 on CPUs with AMX, else int8 (dynamic quantization), fp16 on "
              "CUDA; each measured within 0.005 of fp32's test-set token recall/precision (README).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto",
              help="cuda runs the model in half precision with larger batches.")
@click.option("--workers", type=int, default=1, help="Threads parsing files ahead of the model (0: inline).")
@click.option("--accept-no-text", is_flag=True, help="Do not fail PDFs with pages that have no text layer "
              "(scanned pages are NOT redacted; they are marked needs_ocr in the report).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def command(inputs, model, out_dir, jsonl, style, collection, window, overlap, batch_size, threshold, propagate,
            patterns, precision, device, workers, accept_no_text, quiet) -> None:
    """Redact INPUTS: files (.txt .md .docx .pdf), folders (recursive), globs, TAB JSON/JSONL collections,
    or '-' for text on stdin.

    \b
    redact run samples/ -o out/            redacted copies + NAME.EXT.json span reports
    redact run cases.json --jsonl | redact score cases.json -
    cat letter.txt | redact run - > redacted.txt

    Exit code 0: all inputs done; 1: some inputs failed (each reported on one line); 2: usage or bad input.
    """
    if out_dir == "-":
        out_dir, jsonl = None, True
    sources = list(expand_inputs(list(inputs), collection))
    if not sources:
        raise BadInput("no supported files found in the inputs (.txt .md .docx .pdf .json .jsonl)")
    to_stdout = out_dir is None and not jsonl
    if to_stdout and (len(sources) != 1 or sources[0].path is not None and sources[0].collection):
        raise BadInput("give -o DIR (or --jsonl) for several inputs or a collection; one file or '-' alone "
                       "prints its redacted text")
    if out_dir is not None:
        check_outputs(sources, Path(out_dir))
    if batch_size < 1:
        raise BadInput("--batch-size must be at least 1")
    if threshold is not None and not 0 < threshold <= 1:
        raise BadInput("--threshold must be in (0, 1]")

    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise BadInput("--device cuda: no CUDA device is available")
    if device == "cuda" and batch_size == 8:
        batch_size = 64
    try:
        clf = load_model(model, device=device, precision=precision)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    settings = Settings(window=window, overlap=overlap, batch_size=batch_size, threshold=threshold,
                        propagate=propagate)
    try:
        engine = Engine(clf, settings, recognizers=default_recognizers() if patterns else ())
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    model_info = {"name": clf.name, "path": str(clf.path), "checkpoint_sha256": clf.checkpoint_hash,
                  "device": device, "precision": clf.precision}

    started = time.time()
    n_docs = n_spans = n_tokens = 0
    failures = []
    bar = tqdm(total=len(sources), unit="file", disable=quiet, file=sys.stderr,
               desc="redacting")
    last_source = None
    for result in redact_sources(sources, engine, out_dir, style, workers, model_info, accept_no_text):
        if result.source is not last_source:
            bar.update(1)
            last_source = result.source
        if result.info.get("needs_ocr_pages"):
            tqdm.write(f"redact: warning: {result.source.name}: pages {result.info['needs_ocr_pages']} have no "
                       f"text layer and were not redacted", file=sys.stderr)
        if not result.ok:
            failures.append(result.error)
            tqdm.write(f"redact: failed: {result.error}", file=sys.stderr)
            continue
        n_docs += 1
        n_spans += len(result.spans)
        n_tokens += result.tokens
        bar.set_postfix(spans=n_spans, tokens_s=f"{n_tokens / max(1e-9, time.time() - started):.0f}")
        if jsonl:
            rec = {"doc_id": result.doc_id, "source": result.source.name,
                   "spans": span_records(result.text, result.spans)}
            click.echo(json.dumps(rec, ensure_ascii=False))
        elif to_stdout:
            sys.stdout.write(redact_text(result.text, result.spans, style))
    bar.close()
    if not quiet:
        took = time.time() - started
        click.echo(f"redact: {n_docs} documents, {n_tokens} tokens, {n_spans} spans, {len(failures)} failed, "
                   f"{took:.1f}s ({n_tokens / max(took, 1e-9):.0f} tokens/s)"
                   + (f", output in {out_dir}" if out_dir else ""), err=True)
    sys.exit(1 if failures else 0)
