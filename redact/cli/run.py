"""``redact run``: redact files, folders, globs, collections or stdin with a trained model."""

from __future__ import annotations

import json
import sys
import time

import click

from ..errors import BadInput

from .options import STYLES, engine_options


@click.command("run", context_settings={"show_default": True})
@click.argument("inputs", nargs=-1, required=True)
@click.option("-m", "--model", default="tab-minilm", help="Model name (see `redact models`) or checkpoint folder.")
@click.option("-o", "--output", "out_dir", default=None,
              help="Output folder for the redacted files; '-' means --jsonl.")
@click.option("--reports", "reports_dir", default=None,
              help="Folder for the JSON reports and the run manifest (they quote the removed text, so they are "
                   "kept out of the output folder, mode 0600).  [default: OUTPUT.reports]")
@click.option("--jsonl", is_flag=True, help="Print one JSON prediction per document to stdout "
              "(the format `redact score` reads).")
@click.option("--style", type=click.Choice(STYLES), default="mask",
              help="Replacement: █ mask of the same length, [LABEL], or [LABEL_n] pseudonyms (PDF: drawn in the box).")
@click.option("--collection", is_flag=True, help="Treat inputs (or stdin) as TAB JSON / JSONL collections "
              "(.json/.jsonl files are always collections).")
@engine_options
@click.option("--workers", type=int, default=1, help="Threads parsing files ahead of the model (0: inline).")
@click.option("--flatten", is_flag=True, help="PDF pages whose text cannot be read reliably (scans, fonts "
              "without Unicode) are rasterized with the boxes burned into the pixels (no text layer).")
@click.option("--accept-unreadable", "--accept-no-text", "accept_unreadable", is_flag=True,
              help="Write files with pages/parts that cannot be read (NOT redacted there); the report lists them.")
@click.option("--ocr", "ocr_mode", type=click.Choice(["auto", "always", "never"]), default="auto",
              help="OCR images of text (image files, scanned pages, images in documents). auto: what has no "
                   "usable text; never: such places stay unreadable (the file fails unless --accept-unreadable).")
@click.option("--ocr-lang", default="eng", help="Tesseract language(s), e.g. eng+deu (apt-get install tesseract-ocr-deu).")
@click.option("--dpi", type=int, default=300, help="Resolution at which PDF pages are rasterized for OCR.")
@click.option("--ocr-text-layer", is_flag=True, help="PDF pages written as redacted images get an invisible text "
              "layer of the kept words (searchable output; removed words are never in it).")
@click.option("--overwrite", is_flag=True, help="Redo every input, even those an earlier run into the same "
              "folder finished (default: skip inputs that are done and unchanged).")
@click.option("--max-bytes", type=int, default=512 * 1024 * 1024, help="Refuse input files larger than this.")
@click.option("--max-pages", type=int, default=5000, help="Refuse documents with more pages than this.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local",
              help="ray: Ray Data (pip install 'redact[ray]'): reading and writing as tasks, the model in a pool "
                   "of actors, on this machine or a cluster; the same outputs, reports and manifest.")
@click.option("--ray-address", default=None, help="--engine ray: join this cluster (auto, HOST:PORT, "
              "ray://HOST:PORT).  [default: start a local Ray instance]")
@click.option("--actors", type=int, default=None, help="--engine ray: model actors.  "
              "[default: one per 4 CPUs of the cluster, or one per --actor-gpus GPUs]")
@click.option("--actor-gpus", type=float, default=0.0, help="--engine ray: GPUs per model actor (0: CPU actors).")
def command(inputs, model, out_dir, reports_dir, jsonl, style, collection, window, overlap, batch_size, threshold,
            propagate, patterns, runtime, precision, device, workers, flatten, accept_unreadable, overwrite, max_bytes,
            max_pages, quiet, allow, deny, ocr_mode="auto", ocr_lang="eng", dpi=300, ocr_text_layer=False,
            engine="local", ray_address=None, actors=None, actor_gpus=0.0) -> None:
    """Redact INPUTS: files (.txt .md .docx .pdf .png .jpg .tif), folders (recursive), globs, TAB JSON/JSONL collections,
    or '-' for text on stdin. Outputs mirror the inputs' paths relative to their common folder.

    \b
    redact run samples/ -o out/                redacted copies in out/, reports in out.reports/
    redact run 'cases/**/*.pdf' -o out/ --style label
    redact run samples/ -o out/                again: skips what is done and unchanged
    redact run cases.json --jsonl | redact score cases.json -
    cat letter.txt | redact run - > redacted.txt

    Every output is read back by an independent reader before it is renamed into place; a file that
    fails verification, or holds pages that cannot be read, is not written (exit 1).
    Exit code 0: all inputs done; 1: some inputs failed (each reported on one line); 2: usage or bad input.
    """
    from .. import ocr
    from ..inputs import expand_inputs
    from ..pipeline import Layout, run

    ocr.configure(mode=ocr_mode, lang=ocr_lang, dpi=dpi, text_layer=ocr_text_layer, workers=max(1, workers))

    if out_dir == "-":
        out_dir, jsonl = None, True
    layout = Layout.for_output(out_dir, reports_dir)
    if layout.out is not None and layout.reports.resolve() == layout.out.resolve():
        raise BadInput("--reports must not be the output folder (reports quote the removed text)")
    layout.check_inputs(inputs)
    sources = expand_inputs(list(inputs), collection,
                            exclude=[p for p in (layout.out, layout.reports) if p is not None])
    if not sources:
        raise BadInput("no supported files found in the inputs (.txt .md .docx .pdf .png .jpg .tif .json .jsonl)")
    to_stdout = out_dir is None and not jsonl
    if to_stdout and (len(sources) != 1 or sources[0].collection):
        raise BadInput("give -o DIR (or --jsonl) for several inputs or a collection; one file or '-' alone "
                       "prints its redacted text")
    if layout.out is not None:
        for src in sources:
            if src.path is not None and (layout.out / src.output_rel).resolve() == src.path.resolve():
                raise BadInput(f"-o {out_dir}: would overwrite the input {src.name}; choose another output folder")

    from ..api import Redactor

    settings = dict(device=device, precision=precision, runtime=runtime, style=style, patterns=patterns,
                    flatten=flatten, accept_unreadable=accept_unreadable, window=window, overlap=overlap,
                    batch_size=batch_size, threshold=threshold, propagate=propagate, allow=allow, deny=deny)
    if engine == "ray":  # the same reports, from Ray Data tasks and actors (redact.distributed.ray)
        from ..distributed.ray import run as run_ray

        if to_stdout:
            raise BadInput("--engine ray writes files: give -o DIR (or --jsonl)")
        reports = run_ray(sources, model, settings, layout, address=ray_address, actors=actors,
                          actor_gpus=actor_gpus, resume=not overwrite, max_bytes=max_bytes, max_pages=max_pages)
    else:
        reports = run(sources, Redactor(model, **settings), layout, workers=workers, resume=not overwrite,
                      max_bytes=max_bytes, max_pages=max_pages)
    summary = _Progress(sources, quiet)
    for report in reports:
        summary.add(report)
        if not report.ok:
            continue
        if jsonl and report.status == "redacted":
            click.echo(json.dumps({"doc_id": report.doc_id, "source": report.source, "spans": report.spans},
                                  ensure_ascii=False))
        elif to_stdout:
            from ..operators import apply

            sys.stdout.write(apply(report.text, report.span_objects, style))
    summary.close(out_dir, layout)
    sys.exit(1 if summary.failures else 0)


class _Progress:
    """Progress bar over documents (collections count as they finish), failure lines, final summary."""

    def __init__(self, sources, quiet: bool):
        from tqdm.auto import tqdm

        self.tqdm = tqdm
        collections = any(s.collection for s in sources)
        self.bar = tqdm(total=None if collections else len(sources), unit="doc", disable=quiet, file=sys.stderr,
                        desc="redacting")
        self.quiet = quiet
        self.started = time.time()
        self.docs = self.spans = self.tokens = self.skipped = 0
        self.failures: list[str] = []
        self.unverified = 0

    def add(self, report) -> None:
        self.bar.update(1)
        if report.status == "failed":
            self.failures.append(report.error)
            self.tqdm.write(f"redact: failed: {report.error}", file=sys.stderr)
            return
        if report.status == "skipped":
            self.skipped += 1
            return
        if report.unreadable:
            self.unverified += 1
            self.tqdm.write(f"redact: warning: {report.source}: {len(report.unreadable)} unreadable place(s) "
                            f"written WITHOUT redaction (--accept-unreadable); see its report", file=sys.stderr)
        self.docs += 1
        self.spans += len(report.spans)
        self.tokens += report.tokens
        self.bar.set_postfix(spans=self.spans, tokens_s=f"{self.tokens / max(1e-9, time.time() - self.started):.0f}")

    def close(self, out_dir, layout) -> None:
        self.bar.close()
        if self.quiet:
            return
        took = time.time() - self.started
        where = f", output in {out_dir}, reports in {layout.reports}" if out_dir else ""
        skipped = f", {self.skipped} skipped (done and unchanged; --overwrite redoes them)" if self.skipped else ""
        click.echo(f"redact: {self.docs} documents redacted, {len(self.failures)} failed{skipped}, {self.tokens} "
                   f"tokens, {self.spans} spans, {took:.1f}s ({self.tokens / max(took, 1e-9):.0f} tokens/s){where}",
                   err=True)
