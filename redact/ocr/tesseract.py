"""Tesseract, called as the ``tesseract`` program (Debian: ``apt-get install tesseract-ocr tesseract-ocr-eng``).

Each call is one process with one OpenMP thread (``OMP_THREAD_LIMIT=1``, set for the child only: with
more, OpenMP oversubscribes small machines and a page takes 3-5x longer); pages run in parallel as
separate processes. Images go in on stdin as PNM, words come back as TSV (boxes, confidences, block /
paragraph / line numbers in Tesseract's reading order).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from dataclasses import replace
from functools import lru_cache

from ..errors import BadInput
from . import SPARSE_WORDS, OcrUnavailable, Word, current

INSTALL = "apt-get install tesseract-ocr tesseract-ocr-eng"


class TesseractEngine:
    name = "tesseract"

    def __init__(self, program: str | None = None):
        self.program = program or os.environ.get("REDACT_TESSERACT") or "tesseract"

    # -- the program ---------------------------------------------------------------------------------

    def _exe(self) -> str:
        exe = shutil.which(self.program)
        if exe is None:
            raise OcrUnavailable(f"OCR needs Tesseract, which is not installed ({INSTALL}); or pass --ocr never")
        return exe

    def _run(self, args: list[str], data: bytes | None = None, timeout: float | None = None) -> str:
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            proc = subprocess.run([self._exe(), *args], input=data, capture_output=True, env=env,
                                  timeout=timeout or current().timeout_s)
        except subprocess.TimeoutExpired:
            raise BadInput(f"tesseract took longer than {timeout or current().timeout_s:.0f}s on a page") from None
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise BadInput(f"tesseract failed: {err[-1] if err else 'exit ' + str(proc.returncode)}")
        return proc.stdout.decode("utf-8", "replace")

    @lru_cache(maxsize=1)
    def version(self) -> str:
        out = subprocess.run([self._exe(), "--version"], capture_output=True, text=True).stdout
        m = re.search(r"tesseract\s+v?([\d.]+\S*)", out)
        return m.group(1) if m else "unknown"

    @lru_cache(maxsize=1)
    def languages(self) -> frozenset[str]:
        out = subprocess.run([self._exe(), "--list-langs"], capture_output=True, text=True).stdout
        return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())

    def check_lang(self, lang: str) -> None:
        missing = [code for code in lang.split("+") if code not in self.languages()]
        if missing:
            pkgs = " ".join(f"tesseract-ocr-{c.lower().replace('_', '-')}" for c in missing)
            raise OcrUnavailable(f"--ocr-lang {lang}: Tesseract has no data for {', '.join(missing)} "
                           f"(installed: {', '.join(sorted(self.languages() - {'osd'})) or 'none'}; apt-get install {pkgs})")

    # -- images --------------------------------------------------------------------------------------

    @staticmethod
    def _pnm(image) -> bytes:
        buf = io.BytesIO()
        (image if image.mode in ("L", "RGB") else image.convert("L")).save(buf, format="PPM")
        return buf.getvalue()

    def orientation(self, image, dpi: int) -> tuple[int, float]:
        """Tesseract's orientation detection (``--psm 0``); (0, 0.0) when it has too few characters to
        tell or is unsure. (Scaling the page down first saves little and loses small print.)"""
        if "osd" not in self.languages():
            return 0, 0.0
        small = image
        try:
            out = self._run(["stdin", "stdout", "--psm", "0", "--dpi", str(dpi)], self._pnm(small))
        except BadInput:
            return 0, 0.0  # "Too few characters"
        rot = re.search(r"Rotate:\s*(\d+)", out)
        conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
        if not rot or not conf:
            return 0, 0.0
        c = float(conf.group(1))
        return (int(rot.group(1)) % 360 if c >= 1.5 else 0), c

    def words(self, image, lang: str, dpi: int, sparse: bool = False) -> list[Word]:
        """Page segmentation ``--psm 3`` (columns, blocks, paragraphs), or with ``sparse`` ``--psm 11``:
        text in no particular order, found wherever it is (a boxed case number in a table cell, on a
        speckled page where layout analysis sees only noise)."""
        self.check_lang(lang)
        tsv = self._run(["stdin", "stdout", "-l", lang, "--psm", "11" if sparse else "3", "--dpi", str(dpi), "tsv"],
                        self._pnm(image))
        return parse_tsv(tsv).get(0, [])

    def read_file(self, path: str, lang: str) -> list[list[Word]]:
        """The written file as Tesseract itself decodes it (every page of a TIFF), with its own orientation
        and script detection (``--psm 1``): nothing of our reading is reused."""
        self.check_lang(lang)
        tsv = self._run([str(path), "stdout", "-l", lang, "--psm", "1", "tsv"])
        pages = parse_tsv(tsv)
        out = [pages.get(i, []) for i in range(max(pages) + 1)] if pages else [[]]
        if any(sum(not w.junk for w in words) < SPARSE_WORDS for words in out):
            # a page with little text may hold what only sparse segmentation finds (the reading may have
            # used it): read the file that way too, and search both readings
            sparse = parse_tsv(self._run([str(path), "stdout", "-l", lang, "--psm", "11", "tsv"]))
            out = [words + [replace(w, line=(w.line[0] + 10_000, *w.line[1:])) for w in sparse.get(i, [])]
                   if sum(not w.junk for w in words) < SPARSE_WORDS else words
                   for i, words in enumerate(out)]  # (its blocks numbered apart: no line joins the two)
        return out


def parse_tsv(tsv: str) -> dict[int, list[Word]]:
    """Tesseract TSV → words per page (0-based), line boxes attached.

    >>> tsv = ("level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth\\theight\\tconf\\ttext\\n"
    ...        "4\\t1\\t1\\t1\\t1\\t0\\t10\\t5\\t100\\t30\\t-1\\t\\n"
    ...        "5\\t1\\t1\\t1\\t1\\t1\\t10\\t8\\t40\\t20\\t96.5\\tAnn\\n"
    ...        "5\\t1\\t1\\t1\\t1\\t2\\t60\\t5\\t50\\t25\\t91\\t \\n")
    >>> w = parse_tsv(tsv)[0][0]
    >>> w.text, w.box, w.conf, w.line_box
    ('Ann', (10, 8, 50, 28), 96.5, (10, 5, 110, 35))
    """
    pages: dict[int, list[Word]] = {}
    lines: dict[tuple[int, int, int, int], tuple[int, int, int, int]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12:
            continue
        level, page, block, par, line = (int(c) for c in cols[:5])
        left, top, width, height = (int(c) for c in cols[6:10])
        box = (left, top, left + width, top + height)
        if level == 4:
            lines[(page, block, par, line)] = box
        elif level == 5:
            text = cols[11].strip()
            if not text:
                continue
            pages.setdefault(page - 1, []).append(
                Word(text, box, float(cols[10]), (block, par, line), lines.get((page, block, par, line), box)))
    return pages


ENGINE = TesseractEngine()
