"""Size and load time of the review page of a 100-document run, in headless Chromium (Selenium).

    python benchmarks/review_page.py [--docs 100] [--model tab-minilm] [--runs 5] [--scales 1,10]
    python benchmarks/review_page.py --screenshot docs/img/review.png     # the README's picture (samples/)

Writes N TAB documents (test, dev, then train split) as .txt files, runs ``redact run`` on them with the
model, builds the page with ``redact review``, and opens it ``--runs`` times in a fresh tab: load =
navigation start to the page's own "ready" mark (data parsed, document list and first document drawn).
Also timed: opening the longest document, moving to the next span (n) and exporting the decisions.
``--scales 1,10``: also a page whose every document is K times as long (the run's texts and spans
repeated K times: long documents without K times the model time). Prints a table and one JSON line each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAB = ROOT / "data" / "tab"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def redact(*args) -> float:
    started = time.time()
    proc = subprocess.run([sys.executable, "-m", "redact.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "TQDM_DISABLE": "1"})
    if proc.returncode not in (0, 1):
        sys.exit(f"redact {args[0]} failed: {proc.stderr.strip()}")
    return time.time() - started


def browser(width: int = 1400, height: int = 900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}"):
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def wait_ready(driver, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while driver.execute_script("return document.body && document.body.dataset.ready") != "1":
        if time.time() > deadline:
            sys.exit("the page did not become ready")
        time.sleep(0.005)


def measure(page: Path, runs: int) -> dict:
    driver = browser()
    try:
        loads, walls = [], []
        for _ in range(runs):
            driver.get("about:blank")
            started = time.time()
            driver.get(page.as_uri())
            wait_ready(driver)
            walls.append(time.time() - started)
            loads.append(float(driver.execute_script("return document.body.dataset.readyMs")) / 1000)
        longest = driver.execute_script(
            "return redactReview.docs.reduce((a, d) => d.d.text.length > a.d.text.length ? d : a).i")
        # timed inside the page (layout forced), not across the WebDriver connection
        open_longest = driver.execute_script("""const t = performance.now(); redactReview.openDoc(arguments[0]);
            document.getElementById('text').getBoundingClientRect(); return (performance.now() - t) / 1000""",
                                             longest)
        step = driver.execute_script("""const t = performance.now(); redactReview.step(1);
            document.getElementById('text').getBoundingClientRect(); return (performance.now() - t) / 1000""")
        export, size = driver.execute_script("""const t = performance.now(); const s = JSON.stringify(redactExport());
            return [(performance.now() - t) / 1000, s.length]""")
        info = driver.execute_script("return [redactReview.docs.length, redactReview.docs.reduce((n, d) => "
                                     "n + d.spans.length, 0), redactReview.docs[arguments[0]].d.text.length]",
                                     longest)
    finally:
        driver.quit()
    return {"load_s": statistics.median(loads), "load_max_s": max(loads), "wall_get_s": statistics.median(walls),
            "open_longest_s": open_longest, "next_span_s": step, "export_s": export, "export_bytes": size,
            "documents": info[0], "spans": info[1], "longest_chars": info[2]}


def screenshot(dest: Path, model: str) -> None:
    """The page over samples/ (every format) with the model: a span selected, one kept, text being added."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        redact("run", "samples", "-o", out, "--model", model, "-q")
        redact("review", out, "-o", Path(tmp) / "review.html")
        driver = browser(1400, 820)
        try:
            driver.get((Path(tmp) / "review.html").as_uri())
            wait_ready(driver)
            txt = driver.execute_script("return redactReview.docs.findIndex(d => d.d.report.endsWith('.txt'))")
            driver.execute_script("redactReview.openDoc(arguments[0], 'first')", txt)
            driver.execute_script("redactReview.step(1); redactReview.step(1); redactReview.toggle();"
                                  "redactReview.step(1); redactReview.step(1)")
            driver.execute_script("""
                const box = document.getElementById('text');
                const w = document.createTreeWalker(box, NodeFilter.SHOW_TEXT); let n;
                while ((n = w.nextNode())) { const i = n.data.indexOf('Gloucestershire');
                  if (i >= 0) { const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 15);
                    getSelection().removeAllRanges(); getSelection().addRange(r);
                    box.dispatchEvent(new MouseEvent('mouseup', {bubbles: true})); break; } }""")
            dest.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(dest))
        finally:
            driver.quit()
    print(f"wrote {dest}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--scales", default="1", help="Comma-separated: pages with each document K times as long.")
    ap.add_argument("--model", default="tab-minilm")
    ap.add_argument("--runs", type=int, default=5, help="Page loads to time (median reported).")
    ap.add_argument("--screenshot", type=Path, help="Only take the README screenshot (samples/) to this file.")
    args = ap.parse_args()
    if args.screenshot:
        return screenshot(args.screenshot, args.model)

    texts = []
    for split in ("test", "dev", "train"):
        texts += [d["text"] for d in json.loads((TAB / f"{split}.json").read_text())]
    texts = texts[: args.docs]
    with tempfile.TemporaryDirectory() as tmp:
        inp, out, page = Path(tmp) / "in", Path(tmp) / "out", Path(tmp) / "review.html"
        inp.mkdir()
        for i, t in enumerate(texts):
            (inp / f"doc{i:03}.txt").write_text(t, encoding="utf-8")
        run_s = redact("run", inp, "-o", out, "--model", args.model, "-q")
        build_s = redact("review", out, "-o", page)
        for k in [int(x) for x in args.scales.split(",")]:
            if k > 1:
                sys.path.insert(0, str(ROOT))
                from redact.review.page import collect, render

                data = collect(Path(str(out) + ".reports"), ROOT)
                for d in data["documents"]:
                    n = len(d["text"]) + 2
                    d["spans"] = [[s + j * n, e + j * n, *rest] for j in range(k) for s, e, *rest in d["spans"]]
                    d["text"] = "\n\n".join([d["text"]] * k)
                page = Path(tmp) / f"review-x{k}.html"
                page.write_text(render(data), encoding="utf-8")
            r = measure(page, args.runs)
            r.update(scale=k, page_bytes=page.stat().st_size, text_chars=sum(len(t) for t in texts) * k,
                     build_s=build_s, run_s=run_s, model=args.model, runs=args.runs)
            report(r, args.runs)


def report(r: dict, runs: int) -> None:
    scaled = f" (texts x{r['scale']})" if r["scale"] > 1 else ""
    rows = [("documents / spans", f"{r['documents']} / {r['spans']}{scaled}"),
            ("page size", f"{r['page_bytes'] / 1e6:.2f} MB ({r['text_chars'] / 1e6:.2f} M characters of text)"),
            ("redact review (build, incl. start-up; x1)", f"{r['build_s']:.2f} s"),
            (f"load to ready (median of {runs})", f"{r['load_s']:.3f} s (max {r['load_max_s']:.3f} s)"),
            ("driver.get until ready (median)", f"{r['wall_get_s']:.3f} s"),
            (f"open the longest document ({r['longest_chars']} chars)", f"{r['open_longest_s']:.3f} s"),
            ("next span (n)", f"{r['next_span_s']:.3f} s"),
            ("export decisions", f"{r['export_s']:.3f} s ({r['export_bytes'] / 1e3:.0f} kB)")]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()}))


if __name__ == "__main__":
    main()
