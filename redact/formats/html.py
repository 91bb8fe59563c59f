"""Web pages (HTML): parsed with lxml (``lxml.html``), rebuilt from an allowlist, verified with the standard
library's ``html.parser``.

read: the page is decoded (BOM, ``<meta charset>``, else UTF-8, else Windows-1252) and parsed by lxml; the
tree is walked once into a list of events (start tag, text, end tag) that keeps only allowlisted elements
and attributes. The text the model sees is every text node in document order (inline elements joined
without a break, block elements separated by a line break), ``<title>``, and the attributes that carry
text (``title``, ``alt``, ``aria-label``, ``summary``, ``data-*``, ``<meta name=description|keywords>
content``) after the page's text, a paragraph each (so they do not break its sentences); link targets
(``href``, ``src``, ``cite``) are shown decoded, with their punctuation turned into spaces, so a name in a
URL is read too.

write: a new document is serialised from the events (UTF-8, ``<!DOCTYPE html>``, ``<meta charset>``):
text nodes and text attributes with the spans applied (a span crossing nodes puts its replacement in the
first); text attributes also lose every removed string or word the spans did not cover; a link target a
span touches or that holds a removed string is dropped (the link text stays); ``mailto:``, ``tel:``,
``javascript:``, ``data:``, ``file:`` and other non-web targets are dropped; ``id``/``class``/``style`` and
CSS (comments, ``url()`` and ``@import`` removed) are dropped when they hold a removed string.
Scripts, comments, processing instructions, ``<noscript>``, ``<template>``, embedded content (iframes,
objects, embeds, SVG, MathML, canvas, audio/video), form controls, ``<link>``, ``<base>``, metadata other
than description/keywords/generator, event handlers and every other attribute are dropped and counted in
``WriteResult.dropped``; unknown elements (``<o:p>``, custom tags) are unwrapped (their text is kept and
redacted).

verify: the written bytes are read by ``html.parser`` (not lxml): text and comments, every attribute value
(link targets also URL-decoded), plus a raw byte scan (UTF-8/UTF-16/hex).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.html"
>>> _ = p.write_text('<p title="Ann">Ann met <b>Bo</b><script>x="Ann"</script></p>')
>>> parsed = FORMAT.read(p)
>>> parsed.text
'Ann met Bo\\n\\nAnn'
>>> from redact.spans import Span
>>> from redact.operators import get_operator
>>> r = FORMAT.write(parsed, [Span(0, 3, "PERSON")], p.with_name("b.html"), WriteOptions(get_operator("label")))
>>> p.with_name("b.html").read_text().split("<body>")[1]
'<p title="[PERSON]">[PERSON] met <b>Bo</b></p></body></html>\\n'
>>> r.dropped
['1 <script> element(s)']
"""

from __future__ import annotations

import html as _html
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from ..errors import BadInput
from ..verify import Needles, needle_labels, normalise
from ..verify import mask_needles as _mask_needles
from .base import Parsed, Verification, WriteOptions, WriteResult

#: nesting deeper than this is refused (a page is not that deep; a bomb is). libxml2 silently drops what
#: lies deeper than 255 levels, so the limit must stay under that.
MAX_DEPTH = 200
#: elements more than this are refused
MAX_ELEMENTS = 2_000_000

#: elements carried (with their allowed attributes); anything else is unwrapped or dropped
ELEMENTS = set("""
    html head body title meta p div span a b i u s em strong small big sub sup br hr wbr h1 h2 h3 h4 h5 h6
    ul ol li dl dt dd table thead tbody tfoot tr td th caption colgroup col blockquote pre code kbd samp
    var q cite abbr dfn section article header footer nav main aside figure figcaption img address time
    mark del ins label details summary font center tt strike style
""".split())
#: dropped with everything inside them
DROP = set("""
    script noscript iframe frame frameset object embed applet svg math canvas video audio source track
    template link base input select textarea option optgroup datalist output param map area portal button
    form fieldset legend picture xml
""".split())
#: elements after which the model's text gets a line break
BLOCK = set("""
    html head body title p div h1 h2 h3 h4 h5 h6 ul ol li dl dt dd table thead tbody tfoot tr td th caption
    blockquote pre section article header footer nav main aside figure figcaption address details summary
    hr br center
""".split())
VOID = {"meta", "br", "hr", "wbr", "img", "col"}
#: attributes shown to the model as text
TEXT_ATTRS = {"title", "alt", "aria-label", "summary", "abbr", "label"}
#: attributes holding a link target
URL_ATTRS = {"href", "src", "cite"}
#: attributes carried when they hold no removed string (not text: layout and identifiers)
PLAIN_ATTRS = {"class", "id", "lang", "dir", "style", "align", "valign", "width", "height", "border",
               "cellpadding", "cellspacing", "colspan", "rowspan", "span", "start", "type", "scope", "face",
               "size", "color", "bgcolor", "clear", "nowrap", "reversed", "value", "open", "headers",
               "frame", "rules", "char", "charoff", "hspace", "vspace", "text", "link", "vlink", "alink"}
META_NAMES = {"description", "keywords"}  # content shown to the model; "viewport" is kept as it is
_WEB = re.compile(r"^(https?:|#|/|\./|\.\./|[\w\-.~%!$&'()*+,;=/]*$)", re.I)


@dataclass
class Doc:
    """An HTML page as events over pieces of text (text nodes and text attributes)."""

    text: str
    pieces: list[tuple[int, int, str]]  # (start, end, kind) in ``text``: kind text | attr | url
    urls: dict[int, str]  # piece index -> original link target
    events: list[tuple]
    dropped: Counter = field(default_factory=Counter)


def decode(data: bytes, name: str) -> str:
    """Text of an HTML file's bytes."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadInput(f"{name}: not HTML text (binary data)")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([\w\-:.]+)""", data[:4096], re.I)
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def url_words(url: str) -> str:
    """A link target as the model reads it: URL-decoded, punctuation turned into spaces."""
    return re.sub(r"[._+\-/@:=?&%#\\~,;]+", " ", unquote(url)).strip()


def parse(source: str, name: str) -> Doc:
    """The allowlisted events and text of an HTML page (a string)."""
    import lxml.html
    from lxml import etree

    if not source.strip():
        raise BadInput(f"{name}: empty HTML")
    source = re.sub(r"^\s*<\?xml[^>]*>", "", source)  # lxml refuses str input with an encoding declaration
    try:
        root = lxml.html.document_fromstring(source)
    except (etree.ParserError, ValueError) as exc:
        raise BadInput(f"{name}: not readable HTML ({exc})") from None
    parts: list[str] = []
    pieces: list[tuple[int, int, str]] = []
    urls: dict[int, str] = {}
    events: list[tuple] = []
    dropped: Counter = Counter()
    pos = 0

    def add(text: str, kind: str | None) -> int | None:
        nonlocal pos
        parts.append(text)
        start, pos = pos, pos + len(text)
        if kind is None:
            return None
        pieces.append((start, pos, kind))
        return len(pieces) - 1

    def sep() -> None:  # one line break between blocks and around attributes (none at the start)
        if pos and not parts[-1].endswith("\n"):
            add("\n", None)

    deferred: list[tuple[int, str, str]] = []

    def later(value: str, kind: str) -> int:  # attribute text: after the page's text, a paragraph each
        pieces.append(None)
        deferred.append((len(pieces) - 1, value, kind))
        return len(pieces) - 1

    def text(value: str | None) -> None:
        if value:
            events.append(("text", add(value, "text")))

    def attributes(el, tag: str) -> list:
        out = []
        attrs = dict(el.attrib)
        if tag == "meta":
            if "charset" in attrs or attrs.get("http-equiv", "").lower() == "content-type":
                return None  # our own charset declaration replaces it
            meta = attrs.get("name", "").lower()
            if meta == "viewport" and "content" in attrs:
                return [("name", ("plain", meta)), ("content", ("plain", attrs["content"]))]
            if meta not in META_NAMES or "content" not in attrs:
                dropped[f"<meta name={meta or '?'}>"] += 1
                return None
            idx = later(attrs["content"], "attr")
            return [("name", ("plain", meta)), ("content", ("piece", idx))]
        for key, value in attrs.items():
            key = str(key).lower()
            if key in TEXT_ATTRS or key.startswith("data-"):
                out.append((key, ("piece", later(value, "attr"))))
            elif key in URL_ATTRS:
                target = value.strip()
                if not target or not _WEB.match(target):
                    scheme = target.split(":", 1)[0].lower() if ":" in target else "other"
                    dropped[f"{scheme}: link targets"] += 1
                    continue
                idx = later(url_words(target), "url")
                urls[idx] = target
                out.append((key, ("url", idx)))
            elif key in PLAIN_ATTRS:
                out.append((key, ("plain", value)))
            else:
                dropped[f"attribute {key if not key.startswith('on') else 'on*'}"] += 1
        return out

    count = 0
    stack: list[tuple] = [("open", root, 0)]  # iterative: ("open", el, depth) | ("tail", el) | ("close", tag)
    while stack:
        op, node, depth = stack.pop()
        if op == "close":
            events.append(("end", node))
            if node in BLOCK:
                sep()
            continue
        if op == "tail":
            text(node.tail)
            continue
        count += 1
        if count > MAX_ELEMENTS:
            raise BadInput(f"{name}: more than {MAX_ELEMENTS} elements")
        if depth > MAX_DEPTH:
            raise BadInput(f"{name}: elements nested deeper than {MAX_DEPTH}")
        if not isinstance(node.tag, str):  # comment, processing instruction, entity
            dropped["comments and processing instructions"] += 1
            continue
        tag = node.tag.lower().split("}")[-1]
        if tag in DROP or ":" in tag and tag.split(":")[0] in ("v", "w", "m", "svg", "math"):
            dropped[f"<{tag}> element(s)"] += 1
            continue
        if tag == "style":
            events.append(("style", node.text or ""))
            continue
        if tag in ELEMENTS:
            attrs = attributes(node, tag)
            if attrs is None:
                continue
            if tag in BLOCK:
                sep()
            events.append(("start", tag, attrs))
            if tag in VOID:
                if tag == "br":
                    sep()
                continue
            stack.append(("close", tag, 0))
        else:
            dropped[f"<{tag}> tags (unwrapped, text kept)"] += 1
        for child in reversed(node):  # popped in order: each child, then its tail
            stack.append(("tail", child, 0))
            stack.append(("open", child, depth + 1))
        text(node.text)
    for idx, value, kind in deferred:
        if pos:
            add("\n" * max(0, 2 - (len(parts[-1]) - len(parts[-1].rstrip("\n")))), None)
        start = pos
        add(value, None)
        pieces[idx] = (start, pos, kind)
    return Doc("".join(parts), pieces, urls, events, dropped)


def _labels(text: str, spans) -> dict[str, str]:
    return needle_labels(text, spans)


def mask_needles(value: str, labels: dict[str, str], operator) -> str:
    return _mask_needles(value, labels, operator, whole_words=True)


def has_needle(value: str, labels) -> bool:
    """A removed string occurs in ``value`` (also URL-decoded, punctuation as spaces, or squeezed)."""
    for variant in (value, unquote(value), url_words(value)):
        got = normalise(variant)
        squeezed = got.replace(" ", "")
        if any(n in got or n.replace(" ", "") in squeezed for n in labels):
            return True
    return False


def redact_pieces(text: str, pieces: list[tuple[int, int, str]], spans, operator) -> tuple[list[str], list[bool]]:
    """Each piece's text with the spans applied, and whether a span touched it. A span crossing pieces
    puts its replacement in the first (all of it with same-length operators: each piece its share)."""
    spans = sorted(spans, key=lambda s: s.start)
    out, touched = [], []
    for start, end, _ in pieces:
        buf, pos, hit = [], start, False
        for s in spans:
            if s.end <= start or s.start >= end:
                continue
            hit = True
            a, b = max(s.start, start), min(s.end, end)
            buf.append(text[pos:a])
            if operator.same_length:
                buf.append(operator.replace(text[a:b], s.label))
            elif s.start >= start:
                buf.append(operator.replace(text[s.start:s.end], s.label))
            pos = b
        buf.append(text[pos:end])
        out.append("".join(buf))
        touched.append(hit)
    return out, touched


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(r"url\s*\([^)]*\)|@import[^;]*;?|expression\s*\([^)]*\)", re.I)


def clean_css(css: str) -> str:
    return _CSS_URL.sub("none", _CSS_COMMENT.sub("", css)).replace("<", "")


def render(doc: Doc, spans, operator, labels: dict[str, str] | None = None,
           text_net=None) -> tuple[str, Counter, bool]:
    """The page rebuilt from the events with the spans applied: (HTML, what was dropped, anything changed).
    ``text_net`` (str -> str), when given, is applied to every text node and text attribute after the spans
    (an e-mail masks there what was removed from its other parts)."""
    labels = _labels(doc.text, spans) if labels is None else labels
    new, hit = redact_pieces(doc.text, doc.pieces, spans, operator)
    dropped = Counter(doc.dropped)
    changed = any(hit)
    for i, (_, _, kind) in enumerate(doc.pieces):
        after = new[i]
        if text_net is not None and kind != "url":
            after = text_net(after)
        if kind == "attr" and labels:
            after = mask_needles(after, labels, operator)
        changed |= after != new[i]
        new[i] = after
    out = ["<!DOCTYPE html>\n"]
    esc = lambda v: _html.escape(v, quote=True)  # noqa: E731
    head_done = False
    for ev in doc.events:
        if ev[0] == "text":
            out.append(_html.escape(new[ev[1]], quote=False))
        elif ev[0] == "style":
            css = clean_css(ev[1])
            if has_needle(css, labels):
                dropped["<style> holding a removed string"] += 1
                changed = True
            else:
                out.append(f"<style>{css}</style>")
        elif ev[0] == "end":
            out.append(f"</{ev[1]}>")
        else:
            _, tag, attrs = ev
            items = []
            for key, (kind, val) in attrs:
                if kind == "piece":
                    items.append(f' {key}="{esc(new[val])}"')
                elif kind == "url":
                    if hit[val] or has_needle(doc.urls[val], labels):
                        dropped["link targets holding a removed string"] += 1
                        changed = True
                    else:
                        items.append(f' {key}="{esc(doc.urls[val])}"')
                else:
                    val = clean_css(val) if key == "style" else val
                    if labels and has_needle(val, labels):
                        dropped[f"attribute {key} holding a removed string"] += 1
                        changed = True
                    else:
                        items.append(f' {key}="{esc(val)}"')
            out.append(f"<{tag}{''.join(items)}>")
            if tag == "head" and not head_done:
                out.append('<meta charset="utf-8">')
                head_done = True
    html = "".join(out) + "\n"
    if not head_done:
        html = html.replace("<!DOCTYPE html>\n", '<!DOCTYPE html>\n<meta charset="utf-8">', 1)
    return html, dropped, changed


def describe(dropped: Counter) -> list[str]:
    return [f"{n} {what}" for what, n in sorted(dropped.items())]


# -- verify: the standard library's parser --------------------------------------------------------------

class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.attrs: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK:
            self.text.append("\n")
        for key, value in attrs:
            (self.urls if key in URL_ATTRS else self.attrs).append(value or "")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag in BLOCK:
            self.text.append("\n")

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.attrs.append(data)

    def handle_pi(self, data):
        self.attrs.append(data)

    def handle_decl(self, decl):
        self.attrs.append(decl)

    unknown_decl = handle_decl


def read_back(data: bytes) -> tuple[str, str, list[str]]:
    """(text, attribute values and comments, link targets) of HTML bytes, read by ``html.parser``."""
    reader = _Reader()
    reader.feed(decode(data, "output"))
    reader.close()
    return "".join(reader.text), "\n".join(reader.attrs), reader.urls


def check(data: bytes, needles: Needles, where: str) -> tuple[list[str], int]:
    """Hits of ``needles`` in HTML bytes: text + attributes (allowed counts), link targets (any), raw bytes."""
    text, attrs, urls = read_back(data)
    hits = needles.find(text + "\n" + attrs, where)
    for url in urls:
        hits += needles.find_any("\n".join([url, unquote(url), url_words(url)]), f"{where} link {url[:40]!r}")
    hits += [h for h in needles.find_bytes(data, f"{where} bytes", allowed=True) if h not in hits]
    return hits, 2 + len(urls)


class HtmlFormat:
    name = "html"
    suffixes = (".html", ".htm", ".xhtml")

    def read(self, path: Path) -> Parsed:
        path = Path(path)
        return self.parse(path.read_bytes(), str(path))

    def parse(self, data: bytes, name: str) -> Parsed:
        doc = parse(decode(data, name), name)
        return Parsed(doc.text, self.name, state=doc, info={"parser": "lxml.html"})

    def write(self, parsed: Parsed, spans, dest: Path, options: WriteOptions) -> WriteResult:
        html, dropped, _ = render(parsed.state, spans, options.operator)
        Path(dest).write_text(html, encoding="utf-8")
        return WriteResult(dropped=describe(dropped), info={"rebuilt_by": "allowlist (lxml.html events)"})

    def verify(self, dest: Path, needles: Needles) -> Verification:
        hits, checked = check(Path(dest).read_bytes(), needles, Path(dest).name)
        return Verification("html.parser (text, attributes, link targets) + raw bytes", hits=hits,
                            checked=checked)


FORMAT = HtmlFormat()
