"""The OCR path against the text path on TAB test documents rendered as scans, and OCR speed.

    python benchmarks/ocr.py [--docs 10] [--pages 2] [--dpi 300] [--model tab-minilm] [--speed-docs 4]

Each of the first ``--docs`` TAB test documents is cut at a paragraph end after about ``--pages`` A4 pages
of text, rendered with Pillow (DejaVu Sans 11 pt, 1-inch margins) at ``--dpi``, turned by up to ±1.5°,
with noise, and saved as a grayscale multi-page TIFF. Then:

- quality: the model runs on the cut text (text path) and on the image format's OCR text (OCR path); the
  OCR path's spans are carried back to the original characters through a word alignment, and both are
  scored with TAB's metrics against the gold annotations of the cut text. Also the word-level agreement
  of the OCR path with the text path (recall / precision of the words the text path masks).
- speed: pages/s of the OCR read (orientation, deskew, OCR) with 1 and 2 workers on the first
  ``--speed-docs`` documents, and of the full image path (read, write the redacted TIFF, verify by
  re-OCR) with 2 workers for the reads.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TAB = ROOT / "data" / "tab"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def cut(doc, pages: int, chars_per_page: int = 3000):
    """The document up to the first paragraph end after ``pages`` pages' worth of characters."""
    from redact.spans import Document

    limit = pages * chars_per_page
    end = doc.text.find("\n", limit)
    end = len(doc.text) if end < 0 else end
    return Document(doc.doc_id, doc.text[:end], [s for s in doc.spans if s.end <= end], doc.metadata)


def render_pages(text: str, dpi: int, seed: int) -> list:
    """A4 'scans' of ``text``: wrapped to the measure, 11 pt, grayscale, turned ±1.5°, noise."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    W, H = round(8.27 * dpi), round(11.69 * dpi)
    margin = dpi
    font = ImageFont.truetype(FONT, round(11 / 72 * dpi))
    step = round(11 / 72 * dpi * 1.45)
    lines: list[str] = []
    for para in text.split("\n"):
        words, line = para.split(), ""
        for w in words:
            trial = f"{line} {w}".strip()
            if font.getlength(trial) > W - 2 * margin and line:
                lines.append(line)
                line = w
            else:
                line = trial
        lines.append(line)
        lines.append("")
    per_page = (H - 2 * margin) // step
    pages = []
    for p in range(0, len(lines), per_page):
        im = Image.new("L", (W, H), 255)
        draw = ImageDraw.Draw(im)
        for i, line in enumerate(lines[p : p + per_page]):
            draw.text((margin, margin + i * step), line, font=font, fill=20)
        im = im.rotate(rng.uniform(-1.5, 1.5), resample=Image.BICUBIC, fillcolor=255)
        a = np.asarray(im, dtype=np.float32) + np.random.default_rng(seed + p).normal(0, 12, (H, W))
        pages.append(Image.fromarray(a.clip(0, 255).astype(np.uint8)))
    return pages


def project(ocr_text: str, spans, original: str):
    """Spans on the OCR text → spans on the original text, word by word through a word alignment."""
    from redact.spans import Span

    ow = [(m.start(), m.end()) for m in re.finditer(r"\S+", original)]
    cw = [(m.start(), m.end()) for m in re.finditer(r"\S+", ocr_text)]
    key = lambda t, a, b: re.sub(r"\W", "", t[a:b]).casefold()  # noqa: E731
    sm = difflib.SequenceMatcher(None, [key(original, *w) for w in ow], [key(ocr_text, *w) for w in cw],
                                 autojunk=False)
    to_orig: dict[int, list[int]] = {}
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(j2 - j1):
                to_orig[j1 + k] = [i1 + k]
        elif tag == "replace":
            for k in range(j1, j2):
                to_orig[k] = list(range(i1, i2))
    out = []
    for s in spans:
        idx = sorted({i for j, (a, b) in enumerate(cw) if a < s.end and b > s.start for i in to_orig.get(j, [])})
        for i in idx:
            out.append(Span(ow[i][0], ow[i][1], s.label, s.score))
    out.sort(key=lambda s: s.start)
    merged = []
    for s in out:
        if merged and s.start <= merged[-1].end + 1 and s.label == merged[-1].label \
                and not original[merged[-1].end : s.start].strip():
            merged[-1] = Span(merged[-1].start, s.end, s.label, max(s.score, merged[-1].score))
        elif not merged or s.start >= merged[-1].end:
            merged.append(s)
    return merged


def masked_words(text: str, spans) -> set[int]:
    starts = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    return {i for i, (a, b) in enumerate(starts) for s in spans if a < s.end and b > s.start}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10)
    ap.add_argument("--pages", type=int, default=2)
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--model", default="tab-minilm")
    ap.add_argument("--speed-docs", type=int, default=4)
    ap.add_argument("--speed-only", action="store_true", help="only the pages/s part")
    args = ap.parse_args()

    import redact.ocr as ocr
    from redact.corpus import read_documents
    from redact.engine import Engine, Settings
    from redact.formats.base import WriteOptions
    from redact.formats.image import FORMAT
    from redact.models import load_model
    from redact.operators import apply, get_operator
    from redact.score import score
    from redact.verify import Needles

    docs = [cut(d, args.pages) for d in list(read_documents(TAB / "test.json"))[: args.docs]]
    tmp = Path(tempfile.mkdtemp(prefix="ocr-bench-"))
    files, n_pages = [], []
    for i, d in enumerate(docs):
        pages = render_pages(d.text, args.dpi, seed=i)
        path = tmp / f"{d.doc_id}.tif"
        pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_lzw", dpi=(args.dpi, args.dpi))
        files.append(path)
        n_pages.append(len(pages))
    print(f"{len(docs)} TAB test documents, {sum(n_pages)} A4 pages at {args.dpi} dpi in {tmp}", flush=True)

    # -- speed: OCR read with 1 and 2 workers -------------------------------------------------------
    import os
    import resource

    def cpu() -> float:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    speed = {}
    k = min(args.speed_docs, len(files))
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    for workers in (1, 2):
        ocr.configure(workers=workers)
        t, c = time.perf_counter(), cpu()
        for f in files[:k]:
            FORMAT.read(f)
        secs, cpu_s = time.perf_counter() - t, cpu() - c
        n = sum(n_pages[:k])
        speed[workers] = n / secs
        print(f"OCR read, {workers} worker(s): {n} pages in {secs:.1f}s = {speed[workers]:.3f} pages/s "
              f"({cpu_s / n:.2f} CPU-s per page; load average now {os.getloadavg()[0]:.1f})", flush=True)
    if args.speed_only:
        return

    # -- quality: text path vs OCR path, and the full image path's speed ----------------------------
    ocr.configure(workers=2)
    model = load_model(args.model)
    engine = Engine(model, Settings())
    text_preds, ocr_preds = {}, {}
    agree = {"both": 0, "text_only": 0, "ocr_only": 0}
    t_read = t_write = t_verify = 0.0
    confidences = []
    for d, f in zip(docs, files):
        text_preds[d.doc_id] = engine.spans(d.text)
        t = time.perf_counter()
        parsed = FORMAT.read(f)
        t_read += time.perf_counter() - t
        confidences += [p["mean_confidence"] for p in parsed.info["ocr"]["pages"]]
        spans = engine.spans(parsed.text)
        ocr_preds[d.doc_id] = project(parsed.text, spans, d.text)
        a, b = masked_words(d.text, text_preds[d.doc_id]), masked_words(d.text, ocr_preds[d.doc_id])
        agree["both"] += len(a & b)
        agree["text_only"] += len(a - b)
        agree["ocr_only"] += len(b - a)
        t = time.perf_counter()
        out = tmp / f"{d.doc_id}.redacted.tif"
        FORMAT.write(parsed, spans, out, WriteOptions(get_operator("mask")))
        t_write += time.perf_counter() - t
        t = time.perf_counter()
        v = FORMAT.verify(out, Needles.build(parsed.text, spans, apply(parsed.text, spans, "mask")))
        t_verify += time.perf_counter() - t
        if not v.ok:
            print(f"  {d.doc_id}: verification hits {v.hits[:3]}")
    total = sum(n_pages)
    rows = []
    for name, preds in (("text path", text_preds), ("OCR path", ocr_preds)):
        tab = score(docs, preds)["tab"]
        rows.append((name, tab))
    print()
    print("| path | token recall | mention recall | ER_di | ER_qi | token precision |")
    print("|---|---|---|---|---|---|")
    for name, tab in rows:
        print(f"| {name} | {tab['token_recall']:.3f} | {tab['mention_recall']:.3f} | {tab['recall_direct_entities']:.3f} | "
              f"{tab['recall_quasi_entities']:.3f} | {tab['token_precision']:.3f} |")
    both = agree["both"]
    print(f"\nOCR path vs text path, words masked: recall {both / max(1, both + agree['text_only']):.3f}, "
          f"precision {both / max(1, both + agree['ocr_only']):.3f} ({agree})")
    print(f"mean word confidence per page: min {min(confidences):.1f}, mean {sum(confidences) / len(confidences):.1f}")
    print(f"image path, {total} pages: read (OCR, 2 workers) {total / t_read:.3f} pages/s, write "
          f"{total / t_write:.1f} pages/s, verify (re-OCR) {total / t_verify:.3f} pages/s, all "
          f"{total / (t_read + t_write + t_verify):.3f} pages/s")
    print(json.dumps({"speed_read_pages_s": speed, "tab": dict(rows), "agreement": agree}, default=str)[:2000])


if __name__ == "__main__":
    main()
