"""The XML of carried parts: cleaning that does not depend on the spans (fields flattened, content-control
tags, bookmark names, authors, document variables, references to parts that were not carried...), the
text the model sees (every text node and the free-text attributes of every story), and span replacement
run by run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import count

from lxml import etree

from .package import R_NS, Package

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
V = "urn:schemas-microsoft-com:vml"
O = "urn:schemas-microsoft-com:office:office"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
WP14 = "http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


PARAGRAPHS = {w("p"), f"{{{A}}}p"}
TEXT = {w("t"), w("delText"), f"{{{M}}}t", f"{{{A}}}t"}
#: Run content shown as a character: part of the text the model sees, never edited.
SEPARATORS = {w("tab"): "\t", w("ptab"): "\t", w("br"): "\n", w("cr"): "\n", w("noBreakHyphen"): "-"}
#: Attributes holding free text a reader can see (alt text, tooltips, captions, WordArt): shown to the
#: model and redacted like text. (element local name or None for any) -> attribute names.
TEXT_ATTRS: dict[tuple[str, str | None], tuple[str, ...]] = {
    (WP, "docPr"): ("descr", "title"),  # the name is replaced (see clean), not shown to the model
    (None, "cNvPr"): ("descr", "title"),
    (V, None): ("alt", f"{{{O}}}title"),
    (V, "textpath"): ("string",),
    (W, "hyperlink"): (w("tooltip"),),
    (A, "hlinkClick"): ("tooltip",),
    (A, "hlinkHover"): ("tooltip",),
    (W, "tblCaption"): (w("val"),),
    (W, "tblDescription"): (w("val"),),
}
#: Codes of the page-number fields that stay live (see flatten_fields): not text.
_CODE = {w("instrText"), w("delInstrText")}
#: Namespaces whose element text is layout numbers and keywords, not document text.
_LAYOUT_NS = {WP, WP14, "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"}
#: Elements removed wherever they are: content-control names, tags, data bindings, glossary placeholders,
#: list entries; editing permissions (user names); inline custom-XML / smart-tag properties.
_REMOVE = {w("alias"), w("tag"), w("placeholder"), w("listItem"), w("permStart"), w("permEnd"),
           w("customXmlPr"), w("smartTagPr"), w("fldData")}
#: settings.xml children removed: template path, document variables, mail merge (data source paths,
#: queries), revision-save ids, attached schemas, XSLT on save.
_SETTINGS_REMOVE = {w("attachedTemplate"), w("docVars"), w("mailMerge"), w("rsids"), w("attachedSchema"),
                    w("saveThroughXslt")}
#: Non-visual properties of DrawingML shapes and pictures (wp:docPr, pic:cNvPr, wps:cNvPr...): their
#: ``name`` is replaced by a neutral one.
_SHAPE_PROPS = {"docPr", "cNvPr"}
#: a VML shape id that is the producer's own (``_x0000_s1026``), not a name
_VML_ID = re.compile(r"^_x0000_[a-z]\d+$")
#: Elements dropped when the relationship they use was not carried.
_UNWRAP_ON_DROP = {w("hyperlink")}
STORIES = {"officeDocument", "header", "footer", "footnotes", "endnotes", "comments"}
_REMOVE_ON_DROP = {w("altChunk"), w("subDoc"), f"{{{A}}}hlinkClick", f"{{{A}}}hlinkHover",
                   w("embedRegular"), w("embedBold"), w("embedItalic"), w("embedBoldItalic")}


@dataclass
class Node:
    """A piece of the model's text: an element's text (``attr`` None) or one of its attributes."""

    el: etree._Element
    attr: str | None
    start: int
    text: str
    part: str
    editable: bool = True


def _unwrap(el: etree._Element) -> None:
    """Replace an element by its children (keeping the tail)."""
    parent = el.getparent()
    if parent is None:
        return
    i = parent.index(el)
    kids = list(el)
    for k, kid in enumerate(kids):
        parent.insert(i + k, kid)
    _remove(el)


def _remove(el: etree._Element) -> None:
    """Remove an element but keep its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _ancestor(el: etree._Element, tag: str) -> etree._Element | None:
    node = el.getparent()
    while node is not None and node.tag != tag:
        node = node.getparent()
    return node


#: Field codes kept as live fields: page numbering, whose code holds nothing but the keyword and
#: formatting switches. Every other field is flattened to its result.
_HARMLESS_FIELD = re.compile(r"^\s*(PAGE|NUMPAGES|SECTIONPAGES|SECTION)(\s+\\[*#@!]\s*[\w\"-]*)*\s*$")


@dataclass
class _Field:
    chars: list  # fldChar begin / separate / end
    code: list  # everything in the code part: instrText, nested fields, other run content
    instr: str = ""
    in_code: bool = True
    nested: bool = False


def flatten_fields(root: etree._Element) -> int:
    """Fields become their result text: ``fldChar`` begin/separate/end, ``instrText`` (HYPERLINK,
    INCLUDETEXT, MERGEFIELD... with their paths and addresses), form-field data (``ffData``: names,
    defaults, help texts) and everything else in a field's code part (nested fields) are removed;
    ``fldSimple`` is replaced by its result runs. Page-number fields (PAGE, NUMPAGES...) stay live.
    Returns the number of fields flattened."""
    n = 0
    for el in list(root.iter(w("fldSimple"))):
        _unwrap(el)
        n += 1
    stack: list[_Field] = []
    done: list[_Field] = []
    orphans = []
    for el in root.iter():
        parent = el.getparent()
        in_run = parent is not None and parent.tag == w("r") and el.tag != w("rPr")
        if in_run:
            for f in stack:
                if f.in_code:
                    f.code.append(el)
        if el.tag == w("fldChar"):
            kind = el.get(w("fldCharType"))
            if kind == "begin":
                if stack and stack[-1].in_code:
                    stack[-1].nested = True
                stack.append(_Field([el], []))
            elif kind == "separate" and stack:
                stack[-1].in_code = False
                stack[-1].chars.append(el)
            elif kind == "end" and stack:
                stack[-1].chars.append(el)
                done.append(stack.pop())
            else:
                orphans.append(el)
        elif el.tag in (w("instrText"), w("delInstrText")):
            if stack and stack[-1].in_code:
                stack[-1].instr += el.text or ""
            else:
                orphans.append(el)
    doomed = list(orphans)
    closed = {id(f) for f in done}
    for f in done + stack:  # fields never closed are flattened too
        others = [e for e in f.code if e.tag not in (w("instrText"), w("fldChar"))]
        if id(f) in closed and not f.nested and not others and _HARMLESS_FIELD.match(f.instr) \
                and not any(e.find(w("ffData")) is not None for e in f.chars):
            continue
        n += 1
        doomed += f.chars + f.code
    for el in dict.fromkeys(doomed):
        run = el.getparent()
        if run is None:
            continue
        _remove(el)
        if run.tag == w("r") and all(k.tag == w("rPr") for k in run):
            _remove(run)
    return n


_BLOCK_HOLDERS = {w("tc"), w("txbxContent"), w("footnote"), w("endnote"), w("comment"), w("hdr"), w("ftr")}
_BLOCKS = {w("p"), w("tbl"), w("sdt"), w("customXml")}


def _keep_valid(root: etree._Element) -> None:
    """A table cell, text box, note, comment or header left without a paragraph (its only content was an
    altChunk or an object) gets an empty one: Word refuses such files."""
    for el in root.iter(*_BLOCK_HOLDERS):
        if not any(k.tag in _BLOCKS for k in el):
            etree.SubElement(el, w("p"))


def clean(root: etree._Element, kind: str, kept_rids: set[str],
          names: dict[str, str], counter: count) -> dict:
    """Span-independent cleaning of one carried XML part. ``names``: old → new bookmark/move names,
    shared by all parts so cross-part references stay consistent. Returns counts for the report."""
    stats = {"fields": 0, "links_removed": 0, "objects_removed": 0}
    for el in list(root.iter(etree.Comment, etree.PI)):
        _remove(el)
    stats["fields"] = flatten_fields(root)
    for el in list(root.iter(w("customXml"), w("smartTag"))):
        _unwrap(el)
    remove = _REMOVE | (_SETTINGS_REMOVE if kind == "settings" else set())
    for el in list(root.iter(*remove)):
        _remove(el)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for key in list(el.attrib):
            if etree.QName(key).localname in ("author", "initials"):  # revision and comment authors
                el.set(key, "")
            elif kind == "theme" and key == "name":  # theme, colour, font scheme names (a firm's theme)
                el.set(key, "")
        if el.tag.startswith(f"{{{V}}}"):  # VML: the zipped copy of a shape (text boxes included!) and
            for key in (f"{{{O}}}gfxdata", f"{{{O}}}href", "src"):  # original picture paths
                el.attrib.pop(key, None)
        if etree.QName(el).localname in _SHAPE_PROPS and el.get("name") is not None:
            # a shape's name is the producer's label ("Text Box 5", "Picture 2") or the author's
            # ("Kowalski signature"): the model tagging a default label made "text" a needle found in
            # every style name, so names are neutral, numbered by the shape id as Word numbers them
            ident = el.get("id", "")
            el.set("name", f"Shape {ident}" if ident.isdigit() else "Shape")
        if el.tag.startswith(f"{{{V}}}") and el.tag != f"{{{V}}}shapetype" and el.get("id") \
                and not _VML_ID.match(el.get("id")):  # Word writes a VML shape's name as its id
            key = "vml:" + el.get("id")
            if key not in names:
                names[key] = f"_x0000_s{next(counter) + 4096}"
            el.set("id", names[key])
        if el.tag == w("date"):  # a date content control's value (a birth date?) stays only as its text
            el.attrib.pop(w("fullDate"), None)
        if el.tag == w("hyperlink"):  # location inside the target file, target frame name
            el.attrib.pop(w("docLocation"), None)
            el.attrib.pop(w("tgtFrame"), None)
    for el in [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "dataBinding"]:
        _remove(el)  # w:dataBinding, w15:dataBinding: XPaths into the custom XML parts, which are dropped
    # bookmark and move-range names (often a person's or a file's name) become neutral; references follow
    for el in root.iter(w("bookmarkStart"), w("moveFromRangeStart"), w("moveToRangeStart")):
        old = el.get(w("name"))
        if old is not None:
            if old not in names:
                names[old] = f"_bm{next(counter)}" if el.tag == w("bookmarkStart") else f"_mv{next(counter)}"
            el.set(w("name"), names[old])
    # references to relationships that were not carried (charts, OLE, altChunk, fonts, templates, links)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        dangling = [k for k, v in el.attrib.items() if k.startswith(f"{{{R_NS}}}") and v not in kept_rids]
        if not dangling or not _in_tree(el, root):
            continue
        if el.tag in _UNWRAP_ON_DROP:
            stats["links_removed"] += 1
            _unwrap(el)
        elif el.tag in _REMOVE_ON_DROP or kind not in STORIES:
            stats["objects_removed"] += 1
            _remove(el)
        elif dangling == [f"{{{R_NS}}}link"]:  # a linked (not embedded) picture's path
            del el.attrib[dangling[0]]
        elif _ancestor(el, f"{{{A}}}ext") is not None:  # an extension (HD photo layer...): just the extension
            stats["objects_removed"] += 1
            _remove(_ancestor(el, f"{{{A}}}ext"))
        else:  # a drawing, picture, OLE object, chart, diagram, control: its run goes
            run = _ancestor(el, w("r"))
            stats["objects_removed"] += 1
            _remove(run if run is not None else el)
    if kind in STORIES:
        _keep_valid(root)
    return stats


def _in_tree(el: etree._Element, root: etree._Element) -> bool:
    while el is not None:
        if el is root:
            return True
        el = el.getparent()
    return False


def _owner(el: etree._Element) -> etree._Element | None:
    node = el.getparent()
    while node is not None and node.tag not in PARAGRAPHS:
        node = node.getparent()
    return node


def _text_attrs(el: etree._Element) -> tuple[str, ...]:
    q = etree.QName(el)
    return TEXT_ATTRS.get((q.namespace, q.localname)) or TEXT_ATTRS.get((None, q.localname)) \
        or TEXT_ATTRS.get((q.namespace, None)) or ()


def story_nodes(root: etree._Element, part: str, start: int) -> tuple[list[Node], list[str]]:
    """The model's text of one story part: each paragraph's text nodes (tabs and breaks as characters)
    on one line, then each free-text attribute and any other element text on a line of its own."""
    nodes: list[Node] = []
    pieces: list[str] = []
    pos = start

    def add(el, attr, text, editable=True):
        nonlocal pos
        nodes.append(Node(el, attr, pos, text, part, editable))
        pieces.append(text)
        pos += len(text)

    def newline():
        nonlocal pos
        pieces.append("\n")
        pos += 1

    by_owner: dict = {}
    loose: list = []
    for el in root.iter(*TEXT, *SEPARATORS):
        owner = _owner(el)
        (by_owner.setdefault(owner, []) if owner is not None else loose).append(el)
    for p in root.iter(*PARAGRAPHS):
        for el in by_owner.get(p, ()):
            if el.tag in SEPARATORS:
                add(el, None, SEPARATORS[el.tag], editable=False)
            elif el.text:
                add(el, None, el.text)
        newline()
    loose_set = set(loose)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in _text_attrs(el):
            if el.get(attr):
                add(el, attr, el.get(attr))
                newline()
        if el in loose_set and el.tag in TEXT and el.text or (
                el.tag not in TEXT and el.tag not in _CODE and el.text and el.text.strip()
                and re.search(r"[^\W\d_]", el.text) and etree.QName(el).namespace not in _LAYOUT_NS):
            add(el, None, el.text)  # text outside any paragraph, or in an element we do not know
            newline()
    newline()
    return nodes, pieces


def set_text(node: Node, value: str) -> None:
    if node.attr is None:
        node.el.text = value
        if node.el.tag in TEXT and node.el.tag != f"{{{A}}}t":
            node.el.set(XML_SPACE, "preserve")
    else:
        node.el.set(node.attr, value)


def get_text(node: Node) -> str:
    return (node.el.text if node.attr is None else node.el.get(node.attr)) or ""


def apply_spans(nodes: list[Node], text: str, spans, operator) -> set[str]:
    """Replace each span in the nodes it covers; each run keeps its formatting. A same-length operator
    (mask) replaces each node's share; others put the replacement in the first node and empty the rest.
    Returns the parts touched."""
    spans = sorted(spans, key=lambda s: s.start)
    placed: set[int] = set()
    touched: set[str] = set()
    k = 0
    for node in nodes:
        end = node.start + len(node.text)
        while k < len(spans) and spans[k].end <= node.start:
            k += 1
        if not node.editable:
            continue
        j, out, cursor = k, [], 0
        while j < len(spans) and spans[j].start < end:
            s = spans[j]
            a, b = max(s.start, node.start) - node.start, min(s.end, end) - node.start
            if b > a:
                out.append(node.text[cursor:a])
                if operator.same_length:
                    out.append(operator.replace(node.text[a:b], s.label))
                elif j not in placed:
                    out.append(operator.replace(text[s.start:s.end], s.label))
                    placed.add(j)
                cursor = b
            j += 1
        if out:
            out.append(node.text[cursor:])
            set_text(node, "".join(out))
            touched.add(node.part)
    return touched


def drop_link_rels(root: etree._Element, rids: set[str]) -> int:
    """Unwrap hyperlinks (keeping their runs) and remove DrawingML link elements that use ``rids``."""
    n = 0
    for el in list(root.iter()):
        if isinstance(el.tag, str) and el.get(f"{{{R_NS}}}id") in rids:
            (_unwrap if el.tag in _UNWRAP_ON_DROP else _remove)(el)
            n += 1
    return n


_PLACEHOLDER = re.compile(r"(%\d)")


def mask_level_texts(root: etree._Element, mask) -> int:
    """Numbering labels (``w:lvlText`` "Kowalski exhibit %1."): the literal text around the ``%N``
    placeholders goes through ``mask`` (str -> str), the placeholders stay so the list still numbers.
    Returns how many labels changed."""
    n = 0
    for el in root.iter(w("lvlText")):
        value = el.get(w("val"))
        if not value:
            continue
        new = "".join(p if _PLACEHOLDER.fullmatch(p) else mask(p) for p in _PLACEHOLDER.split(value) if p)
        if new != value:
            el.set(w("val"), new)
            n += 1
    return n


def link_text(root: etree._Element, rid: str) -> str:
    """Visible text of the hyperlinks using relationship ``rid``."""
    return " ".join("".join(t.text or "" for t in el.iter(*TEXT))
                    for el in root.iter(w("hyperlink")) if el.get(f"{{{R_NS}}}id") == rid)


def prepare(package: Package, parse) -> tuple[dict, list[Node], str, dict]:
    """Parse and clean every carried XML part; the model's text and its nodes (stories in package
    order, main document first). ``parse(src) -> root``."""
    roots, nodes, pieces = {}, [], []
    names: dict[str, str] = {}
    counter = count(1)
    stats = {"fields": 0, "links_removed": 0, "objects_removed": 0}
    pos = 0
    for part in package.parts.values():
        if not part.is_xml:
            continue
        root = roots[part.src] = parse(part.src)
        kept = {r.rid for r in part.rels}
        for key, value in clean(root, part.kind, kept, names, counter).items():
            stats[key] += value
    for root in roots.values():  # every part's bookmark names are known now: internal links follow them
        for el in root.iter(w("hyperlink")):
            anchor = el.get(w("anchor"))
            if anchor in names:
                el.set(w("anchor"), names[anchor])
            elif anchor is not None:
                del el.attrib[w("anchor")]
    for part in package.parts.values():
        if part.story:
            got, text = story_nodes(roots[part.src], part.src, pos)
            nodes += got
            pieces += text
            pos += sum(map(len, text))
    stats["bookmarks_renamed"] = sum(not k.startswith("vml:") for k in names)
    return roots, nodes, "".join(pieces), stats
