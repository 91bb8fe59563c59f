"""``redact review``: one self-contained HTML page (inline CSS and JavaScript, nothing fetched) built from
a run's reports, on which a person checks every span and exports the decisions for ``redact apply``.

The page needs each document's text: the original input is read again through its format (the text the
model saw; report offsets are offsets into exactly that text) after its sha256 is checked against the
report. The data is embedded once as JSON; only the open document is drawn, so a 100-document run opens
as fast as a small one.

>>> html = render({"format": "redact-decisions/1", "reports": "/r", "documents": [], "low": 0.5,
...                "run": {}, "labels": []})
>>> html.startswith("<!DOCTYPE html>") and "<script" in html and "http" not in html.split("<body")[1]
True
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from ..errors import BadInput
from ..formats import format_for
from ..inputs import display
from ..spans import ENTITY_TYPES
from .apply import NotAReport, read_report
from .decisions import FORMAT

#: Spans scored below this are marked low-confidence on the page.
DEFAULT_LOW = 0.5


def report_files(reports: Path) -> list[Path]:
    """The run's per-document reports (``REL.json``), in path order."""
    return sorted(p for p in reports.rglob("*.json") if not p.name.startswith(".") and p.is_file())


def collect(reports: Path, base: Path | None = None, low: float = DEFAULT_LOW, warn=None) -> dict:
    """The page's data: every reported document with its text and spans.

    ``base``: the folder the run was started in (where the reports' relative input paths start; default
    the working folder). A missing or changed input, or a span that does not read what its report says,
    is a :class:`BadInput`."""
    reports = Path(reports)
    if not reports.is_dir():
        raise BadInput(f"{display(reports)}: no reports folder (redact run -o OUT writes OUT.reports; "
                       f"give another with --reports)")
    docs, run, labels = [], {}, set()
    for rpath in report_files(reports):
        rel = rpath.relative_to(reports).as_posix()[: -len(".json")]
        try:
            report = read_report(reports, rel, "skipped")
        except NotAReport as exc:  # a collection's report, a decisions file saved here...
            if warn is not None:
                warn(str(exc))
            continue
        src = Path(report["source"])
        if not src.is_absolute() and base is not None:
            src = base / src
        if not src.is_file():
            raise BadInput(f"{display(rpath)}: the input {display(src)} is not there (run redact review from the "
                           f"folder redact run ran in, or give it with --from)")
        data = src.read_bytes()
        if hashlib.sha256(data).hexdigest() != report["sha256"]:
            raise BadInput(f"{display(src)}: changed since the run (sha256 differs from {display(rpath)}); "
                           f"run redact run again")
        text = format_for(src).read(src).text
        spans = []
        for j, s in enumerate(report["spans"]):
            if text[s["start"]:s["end"]] != s.get("text", text[s["start"]:s["end"]]):
                raise BadInput(f"{display(rpath)}: spans[{j}] does not read {s.get('text')!r} in {display(src)}")
            spans.append([s["start"], s["end"], s["label"], s.get("score", 1.0), s.get("source", "model")])
            labels.add(s["label"])
        run = run or {"model": report.get("model", {}), "settings": report.get("settings", {})}
        docs.append({"report": rel, "source": str(src.resolve()), "sha256": report["sha256"],
                     "format": report.get("format") or "", "text": text, "spans": spans,
                     "unreadable": len(report.get("unreadable") or [])})
    if not docs:
        raise BadInput(f"{display(reports)}: no document reports to review")
    return {"format": FORMAT, "reports": str(reports.resolve()), "run": run, "low": low,
            "labels": list(ENTITY_TYPES) + sorted(labels - set(ENTITY_TYPES)),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "documents": docs}


def unchanged_decisions(data: dict) -> dict:
    """The decisions file the page exports when nothing was changed (every span as the run made it)."""
    return {"format": FORMAT, "reports": data["reports"],
            "documents": [{"report": d["report"], "sha256": d["sha256"], "source": d["source"],
                           "spans": [{"start": s, "end": e, "label": lab, "redact": True,
                                      "text": d["text"][s:e], "score": sc, "source": src}
                                     for s, e, lab, sc, src in d["spans"]]}
                          for d in data["documents"]]}


def _json_for_script(data: dict) -> str:
    # "<" escaped: the JSON can never close its <script> element or open a comment
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render(data: dict) -> str:
    """The HTML page for :func:`collect`'s data."""
    return _PAGE.replace("/*DATA*/", _json_for_script(data)).replace("/*CSS*/", _CSS).replace("/*JS*/", _JS)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data: blob:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>redact review</title>
<style>/*CSS*/</style></head>
<body>
<header>
  <b>redact review</b> <span id="runinfo"></span>
  <span class="grow"></span>
  <span id="filters"></span>
  <label>score &le; <input id="maxscore" type="range" min="0" max="1" step="0.05" value="1">
    <span id="maxscore-v">1.00</span></label>
  <button id="export" title="Download the decisions as one JSON file for redact apply">Export decisions</button>
</header>
<main>
  <nav id="docs" aria-label="documents"></nav>
  <section id="doc">
    <div id="dochead"></div>
    <div id="text" tabindex="0"></div>
  </section>
  <aside id="side">
    <div id="current"><p class="hint">Click a highlighted span or press <kbd>n</kbd>.</p></div>
    <div id="add" hidden>
      <p>Add a span: <b id="add-text"></b></p>
      <select id="add-label"></select>
      <button id="add-one">Redact</button>
      <button id="add-all">Redact all occurrences</button>
      <button id="add-cancel">Cancel</button>
    </div>
    <div class="help">
      <p><kbd>n</kbd>/<kbd>p</kbd> next/previous span &middot; <kbd>t</kbd> or <kbd>Space</kbd> keep/redact
      &middot; <kbd>a</kbd> apply to all occurrences &middot; select text to add a span &middot;
      <kbd>]</kbd>/<kbd>[</kbd> next/previous document</p>
      <p><span class="sp demo">redacted</span> <span class="sp demo kept">kept</span>
      <span class="sp demo low">low score</span></p>
    </div>
    <details id="exportbox"><summary>Decisions (JSON)</summary>
      <textarea id="decisions-json" readonly></textarea>
      <a id="download" download="decisions.json" href="#">decisions.json</a>
    </details>
  </aside>
</main>
<script id="data" type="application/json">/*DATA*/</script>
<script>/*JS*/</script>
</body></html>
"""

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#f6f6f4;
  display:flex;flex-direction:column;height:100vh;overflow:hidden}
header{display:flex;gap:.3em .8em;align-items:center;padding:.4em 1em;background:#24292f;color:#fff;
  flex-wrap:wrap;flex:none}
header .grow{flex:1}
header label{white-space:nowrap}
#filters label{margin-right:.4em;white-space:nowrap;cursor:pointer}
button{font:inherit;padding:.2em .7em;cursor:pointer}
main{display:grid;grid-template-columns:19em 1fr 18em;flex:1;min-height:0}
nav{overflow:auto;border-right:1px solid #ddd;background:#fff}
nav .item{padding:.45em .8em;border-bottom:1px solid #eee;cursor:pointer}
nav .item:hover{background:#f0f4ff}
nav .item.open{background:#dde7ff}
nav .item .name{font-weight:600;word-break:break-all}
nav .item.seen .name::after{content:" \\2713";color:#2a7}
nav .meta{color:#666;font-size:12px}
.chip{display:inline-block;padding:0 .35em;border-radius:3px;font-size:11px;margin-right:.2em}
#doc{overflow:auto;padding:1em 1.5em}
#dochead{color:#555;margin-bottom:.6em}
#dochead .warn{color:#b00}
#text{white-space:pre-wrap;font:15px/1.6 Georgia,"Times New Roman",serif;background:#fff;padding:1.2em 1.5em;
  border:1px solid #ddd;max-width:60em;outline:none;word-wrap:break-word}
.sp{border-radius:2px;cursor:pointer;padding:0 1px;background:var(--c);box-shadow:inset 0 -2px rgba(0,0,0,.25)}
.sp.kept{background:transparent;box-shadow:none;outline:1px dashed #888;color:#444}
.sp.kept::before{content:"\\270E";font-size:10px;color:#888;vertical-align:super}
.sp.low{outline:2px dashed #d00;outline-offset:0}
.sp.low::after{content:"?";font:bold 10px sans-serif;color:#d00;vertical-align:super}
.sp.dim{opacity:.35}
.sp.cur{outline:2px solid #000;outline-offset:1px}
.sp.demo{--c:#ffd166}
aside{overflow:auto;border-left:1px solid #ddd;background:#fff;padding:.8em}
aside .hint,.help{color:#666;font-size:13px}
kbd{border:1px solid #bbb;border-bottom-width:2px;border-radius:3px;padding:0 .3em;font-size:12px;background:#fafafa}
#current .big{font-size:16px;font-weight:600;word-break:break-word}
#current .row{margin:.3em 0}
#add{border:1px solid #9ab;background:#f3f8ff;padding:.5em;margin:.6em 0;border-radius:4px}
#add button{margin-top:.3em}
#decisions-json{width:100%;height:12em;font:11px monospace}
"""

_JS = r"""
"use strict";
const DATA = JSON.parse(document.getElementById("data").textContent);
const PALETTE = {PERSON:"#ffd166", CODE:"#f4a261", LOC:"#8fd8ea", ORG:"#b5e48c", DEM:"#cdb4db",
                 DATETIME:"#ffafcc", QUANTITY:"#bde0fe", MISC:"#e2e8b0"};
function colour(l){ if (PALETTE[l]) return PALETTE[l]; let h=0; for (const c of l) h=(h*31+c.charCodeAt(0))%360;
  return "hsl("+h+",70%,80%)"; }
const WORD = /[\p{L}\p{N}_\p{M}]/u;
const $ = id => document.getElementById(id);

// state: per document, spans {s, e, l, sc, src, r}: offsets in code points (as Python counts them)
const docs = DATA.documents.map((d, i) => ({i, d, seen:false,
  spans: d.spans.map(([s, e, l, sc, src]) => ({s, e, l, sc, src, r:true}))}));
const state = {doc:null, cur:-1, labels:new Set(DATA.labels), maxScore:1, pending:null};

// --- code points <-> UTF-16 (astral characters are two JS units, one Python character) -----------
function units(d){
  if (d._u !== undefined) return d._u;
  const t = d.d.text;
  if (!/[\uD800-\uDFFF]/.test(t)) { d._u = null; return null; }
  const cp2u = [0]; let u = 0;
  for (const ch of t) { u += ch.length; cp2u.push(u); }
  const u2cp = new Int32Array(u + 1); let k = 0;
  for (let j = 0; j <= u; j++) { while (cp2u[k + 1] <= j) k++; u2cp[j] = cp2u[k] === j ? k : k + 1; }
  d._u = {cp2u, u2cp}; return d._u;
}
const toU = (d, cp) => { const m = units(d); return m ? m.cp2u[cp] : cp; };
const toCp = (d, u) => { const m = units(d); return m ? m.u2cp[u] : u; };
const textOf = (d, s, e) => d.d.text.slice(toU(d, s), toU(d, e));

function minScore(d){ return d.spans.length ? Math.min(...d.spans.map(x => x.sc)) : 2; }
function visible(x){ return state.labels.has(x.l) && x.sc <= state.maxScore + 1e-9; }
// documents in review order: lowest score first (the list is not re-sorted while a person works)
let ORDER = null;
function docOrder(){
  if (!ORDER) ORDER = docs.slice().sort((a, b) => minScore(a) - minScore(b) || a.d.report.localeCompare(b.d.report));
  return ORDER;
}
function sortSpans(d){ d.spans.sort((a, b) => a.s - b.s || a.e - b.e); }

// --- document list ----------------------------------------------------------------------------------
function drawList(){
  const nav = $("docs"); nav.textContent = "";
  for (const d of docOrder()) {
    const el = document.createElement("div");
    el.className = "item" + (state.doc === d ? " open" : "") + (d.seen ? " seen" : "");
    el.dataset.doc = d.i;
    const counts = {};
    for (const x of d.spans) if (x.r) counts[x.l] = (counts[x.l] || 0) + 1;
    const kept = d.spans.filter(x => !x.r).length;
    const ms = minScore(d);
    el.innerHTML = '<div class="name"></div><div class="meta"></div><div class="labels"></div>';
    el.querySelector(".name").textContent = d.d.report;
    el.querySelector(".meta").textContent = d.spans.length + " spans" + (kept ? ", " + kept + " kept" : "") +
      (ms <= 1 ? " \u00b7 lowest " + ms.toFixed(2) : "");
    const lab = el.querySelector(".labels");
    for (const [l, n] of Object.entries(counts)) {
      const c = document.createElement("span"); c.className = "chip"; c.style.background = colour(l);
      c.textContent = l + " " + n; lab.appendChild(c);
    }
    el.addEventListener("click", () => openDoc(d.i));
    nav.appendChild(el);
  }
}

// --- one document -----------------------------------------------------------------------------------
function openDoc(i, cur){
  const d = docs[i]; state.doc = d; d.seen = true; state.cur = -1; hideAdd();
  const h = $("dochead"); h.textContent = "";
  const name = document.createElement("b"); name.textContent = d.d.report; h.appendChild(name);
  h.appendChild(document.createTextNode(" \u00b7 " + d.d.format + " \u00b7 " + d.d.source));
  if (d.d.unreadable) { const w = document.createElement("div"); w.className = "warn";
    w.textContent = d.d.unreadable + " place(s) could not be read (not redacted there; see the report)";
    h.appendChild(w); }
  drawText(); drawList();
  if (cur !== undefined) select(cur === "last" ? navigable().slice(-1)[0] : navigable()[0]);
  else showCurrent();
}

function drawText(){
  const d = state.doc, box = $("text"), frag = document.createDocumentFragment(), t = d.d.text;
  sortSpans(d);
  let pos = 0;
  d.spans.forEach((x, k) => {
    const a = toU(d, x.s), b = toU(d, x.e);
    if (a > pos) frag.appendChild(document.createTextNode(t.slice(pos, a)));
    const m = document.createElement("mark");
    m.className = markClass(x, k); m.dataset.k = k; m.style.setProperty("--c", colour(x.l));
    m.title = x.l + " \u00b7 score " + x.sc.toFixed(2) + " \u00b7 " + x.src + (x.r ? "" : " \u00b7 KEPT");
    m.textContent = t.slice(a, b);
    frag.appendChild(m); pos = b;
  });
  if (pos < t.length) frag.appendChild(document.createTextNode(t.slice(pos)));
  box.textContent = ""; box.appendChild(frag);
}
function markClass(x, k){
  return "sp" + (x.r ? "" : " kept") + (x.sc < DATA.low ? " low" : "") + (visible(x) ? "" : " dim") +
    (k === state.cur ? " cur" : "");
}
function refreshMarks(){
  const d = state.doc; if (!d) return;
  for (const m of $("text").querySelectorAll("mark")) {
    const x = d.spans[+m.dataset.k]; m.className = markClass(x, +m.dataset.k);
    m.title = x.l + " \u00b7 score " + x.sc.toFixed(2) + " \u00b7 " + x.src + (x.r ? "" : " \u00b7 KEPT");
    m.style.setProperty("--c", colour(x.l));
  }
}
const navigable = () => state.doc.spans.map((x, k) => k).filter(k => visible(state.doc.spans[k]));

function select(k){
  state.cur = k === undefined ? -1 : k; refreshMarks(); showCurrent();
  const m = $("text").querySelector('mark[data-k="' + state.cur + '"]');
  if (m) m.scrollIntoView({block:"center"});
}
function showCurrent(){
  const box = $("current"), d = state.doc;
  if (!d || state.cur < 0) {
    box.innerHTML = '<p class="hint">Click a highlighted span or press <kbd>n</kbd>.</p>'; return; }
  const x = d.spans[state.cur];
  box.innerHTML = '<div class="big"></div><div class="row"></div><div class="row"><select id="cur-label"></select> ' +
    '<button id="toggle"></button></div><div class="row"><button id="all">Apply to all occurrences</button></div>';
  box.querySelector(".big").textContent = textOf(d, x.s, x.e);
  box.querySelectorAll(".row")[0].textContent = x.l + " \u00b7 score " + x.sc.toFixed(2) + " \u00b7 " + x.src +
    (x.sc < DATA.low ? " \u00b7 low confidence" : "") + " \u00b7 " + (x.r ? "redacted" : "kept");
  const sel = $("cur-label"); fillLabels(sel, x.l);
  sel.addEventListener("change", () => { x.l = sel.value; refreshMarks(); drawList(); showCurrent(); });
  $("toggle").textContent = x.r ? "Keep this text" : "Redact";
  $("toggle").addEventListener("click", () => toggle());
  $("all").addEventListener("click", () => applyAll());
}
function fillLabels(sel, value){
  sel.textContent = "";
  for (const l of DATA.labels) {
    const o = document.createElement("option"); o.value = o.textContent = l; sel.appendChild(o); }
  sel.value = value;
}

// --- decisions --------------------------------------------------------------------------------------
function toggle(k){
  const d = state.doc; if (!d) return;
  k = k === undefined ? state.cur : k; if (k < 0) return;
  d.spans[k].r = !d.spans[k].r; state.cur = k; refreshMarks(); showCurrent(); drawList();
}
function termRegex(term){
  const esc = term.trim().split(/\s+/).map(w => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s+");
  return new RegExp("(?<![\\p{L}\\p{N}_])" + esc + "(?![\\p{L}\\p{N}_])", "giu");
}
const norm = s => s.replace(/\s+/g, " ").trim().toLowerCase();

// Add [s, e) (code points) to d as a redacted span; spans it overlaps are absorbed into it.
function addSpan(d, s, e, label){
  const over = d.spans.filter(x => x.s < e && s < x.e);
  if (over.length === 1 && over[0].s === s && over[0].e === e) { over[0].r = true; over[0].l = label; return over[0]; }
  if (over.length && over.every(x => x.r && x.s <= s && e <= x.e)) return over[0];
  for (const x of over) { s = Math.min(s, x.s); e = Math.max(e, x.e); }
  d.spans = d.spans.filter(x => !over.includes(x));
  const x = {s, e, l:label, sc:1, src:"reviewer", r:true};
  d.spans.push(x); sortSpans(d); return x;
}
// The decision of the current span (or of a new term) for every occurrence in every document.
function applyAll(term, label, redact){
  const d0 = state.doc;
  if (term === undefined) { const x = d0.spans[state.cur]; term = textOf(d0, x.s, x.e); label = x.l; redact = x.r; }
  const key = norm(term); let n = 0;
  for (const d of docs) {
    for (const x of d.spans) if (norm(textOf(d, x.s, x.e)) === key) { x.r = redact; x.l = label; n++; }
    if (!redact) continue;
    const re = termRegex(term), t = d.d.text; let m;
    const found = [];
    while ((m = re.exec(t)) !== null) found.push([toCp(d, m.index), toCp(d, m.index + m[0].length)]);
    for (const [s, e] of found) if (!d.spans.some(x => x.r && x.s <= s && e <= x.e)) { addSpan(d, s, e, label); n++; }
  }
  const cur = d0.spans[state.cur];
  drawText(); state.cur = d0.spans.indexOf(cur); refreshMarks(); showCurrent(); drawList();
  return n;
}

// --- adding a span by selecting text -----------------------------------------------------------------
function selectionOffsets(){
  const sel = window.getSelection(), box = $("text");
  if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
  const r = sel.getRangeAt(0);
  if (!box.contains(r.startContainer) || !box.contains(r.endContainer)) return null;
  const pre = document.createRange(); pre.setStart(box, 0); pre.setEnd(r.startContainer, r.startOffset);
  const a = pre.toString().length, b = a + r.toString().length;
  return snap(state.doc, a, b);
}
function snap(d, a, b){   // UTF-16 offsets -> whole words, trimmed, in code points
  const t = d.d.text;
  while (a < b && /\s/.test(t[a])) a++;
  while (b > a && /\s/.test(t[b - 1])) b--;
  if (a >= b) return null;
  while (a > 0 && WORD.test(t[a - 1]) && WORD.test(t[a])) a--;
  while (b < t.length && WORD.test(t[b]) && WORD.test(t[b - 1])) b++;
  return [toCp(d, a), toCp(d, b)];
}
function onMouseUp(){
  const off = selectionOffsets();
  if (!off) return;
  state.pending = off;
  const d = state.doc;
  $("add-text").textContent = textOf(d, off[0], off[1]);
  fillLabels($("add-label"), state.lastLabel || "PERSON");
  $("add").hidden = false;
}
function hideAdd(){ $("add").hidden = true; state.pending = null; }
function addPending(all){
  if (!state.pending) return;
  const d = state.doc, [s, e] = state.pending, label = $("add-label").value;
  state.lastLabel = label;
  hideAdd(); window.getSelection().removeAllRanges();
  if (all) { applyAll(textOf(d, s, e), label, true); }
  else { addSpan(d, s, e, label); drawText(); drawList(); }
  const k = d.spans.findIndex(x => x.s <= s && e <= x.e);
  select(k);
}

// --- filters, navigation, export -------------------------------------------------------------------
function drawFilters(){
  const box = $("filters");
  for (const l of DATA.labels) {
    const lab = document.createElement("label"), c = document.createElement("input");
    c.type = "checkbox"; c.checked = true; c.dataset.label = l;
    c.addEventListener("change", () => { c.checked ? state.labels.add(l) : state.labels.delete(l); refreshMarks(); });
    const chip = document.createElement("span"); chip.className = "chip"; chip.style.background = colour(l);
    chip.style.color = "#222"; chip.textContent = l;
    lab.append(c, chip); box.appendChild(lab);
  }
  $("maxscore").addEventListener("input", e => { state.maxScore = +e.target.value;
    $("maxscore-v").textContent = state.maxScore.toFixed(2); refreshMarks(); });
}
function step(dir){
  const ks = navigable(), d = state.doc;
  if (!d) return;
  const next = dir > 0 ? ks.find(k => k > state.cur) : ks.filter(k => k < state.cur).pop();
  if (next !== undefined) return select(next);
  const order = docOrder();
  for (let j = order.indexOf(d) + dir; j >= 0 && j < order.length; j += dir)
    if (order[j].spans.some(visible)) return openDoc(order[j].i, dir > 0 ? "first" : "last");
}
function stepDoc(dir){
  const order = docOrder();
  const j = order.indexOf(state.doc) + dir;
  if (j >= 0 && j < order.length) openDoc(order[j].i);
}
function onKey(ev){
  const tag = (ev.target.tagName || "").toLowerCase();
  const typing = tag === "select" || tag === "textarea" ||
    (tag === "input" && !["checkbox", "range"].includes(ev.target.type));
  if (ev.ctrlKey || ev.metaKey || ev.altKey || typing) return;
  const actions = {n: () => step(1), p: () => step(-1), t: () => toggle(), " ": () => toggle(),
                   a: () => state.cur >= 0 && applyAll(), "]": () => stepDoc(1), "[": () => stepDoc(-1),
                   Escape: hideAdd};
  if (actions[ev.key]) { ev.preventDefault(); actions[ev.key](); }
}

// The decisions file (schema: redact/review/decisions.py); what "Export decisions" downloads.
function redactExport(){
  return {format: DATA.format, reports: DATA.reports, created: new Date().toISOString(),
    documents: docs.map(d => ({report: d.d.report, sha256: d.d.sha256, source: d.d.source,
      spans: d.spans.slice().sort((a, b) => a.s - b.s || a.e - b.e).map(x => ({start: x.s, end: x.e, label: x.l,
        redact: x.r, text: textOf(d, x.s, x.e), score: x.sc, source: x.src}))}))};
}
function exportDecisions(){
  const json = JSON.stringify(redactExport(), null, 1);
  $("decisions-json").value = json; $("exportbox").open = true;
  const a = $("download");
  if (a.href.startsWith("blob:")) URL.revokeObjectURL(a.href);
  a.href = URL.createObjectURL(new Blob([json], {type: "application/json"}));
  a.click();
  return json;
}
window.redactExport = redactExport;
window.redactReview = {docs, state, openDoc, toggle, applyAll, addSpan, select, step, exportDecisions};

function init(){
  const m = DATA.run.model || {};
  $("runinfo").textContent = docs.length + " documents \u00b7 " + docs.reduce((n, d) => n + d.spans.length, 0) +
    " spans \u00b7 model " + (m.name || "?") + " \u00b7 low < " + DATA.low;
  drawFilters();
  $("export").addEventListener("click", exportDecisions);
  $("text").addEventListener("mouseup", onMouseUp);
  $("text").addEventListener("click", ev => { const m = ev.target.closest("mark");
    if (m && window.getSelection().isCollapsed) { toggle(+m.dataset.k); } });
  $("add-one").addEventListener("click", () => addPending(false));
  $("add-all").addEventListener("click", () => addPending(true));
  $("add-cancel").addEventListener("click", hideAdd);
  document.addEventListener("keydown", onKey);
  const first = docOrder()[0];
  if (first) openDoc(first.i); else drawList();
  document.body.dataset.readyMs = performance.now().toFixed(1);
  document.body.dataset.ready = "1";
}
init();
"""
