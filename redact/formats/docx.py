"""Word documents: the text of every story (body, nested tables, headers and footers of every section,
footnotes, endnotes, comments, text boxes, hyperlinks, tracked insertions and deletions), redacted in
place run by run so each run keeps its formatting; document properties and revision authors are cleared.

python-docx opens and saves the package; stories it has no API for are edited as XML parts.

>>> loaded = read("samples/001-61744.docx")  # doctest: +SKIP
>>> loaded.text[:40]  # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..errors import BadInput
from ..styles import Replacer
from . import Loaded, RedactedStrings

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TEXT_TAGS = {f"{{{W}}}t", f"{{{W}}}delText"}
_P = f"{{{W}}}p"
#: Parts whose XML holds document text (python-docx only models some of them).
_STORY_PARTS = re.compile(r"^/word/(document|header\d*|footer\d*|footnotes|endnotes|comments\w*)\.xml$")
#: Attributes naming people (revision and comment authors).
_PERSON_ATTRS = (f"{{{W}}}author", f"{{{W}}}initials")
#: App properties that can name people or organisations.
_APP_FIELDS = ("Company", "Manager")


@dataclass
class _Node:
    element: etree._Element
    start: int  # offset of the node's first character in the document text
    part: object


# python-docx's element classes redefine ``.text`` (e.g. a paragraph's text); use lxml's own slot.
_raw_text = etree._Element.text


def _root(part) -> etree._Element:
    element = getattr(part, "_element", None)
    if element is None:
        element = getattr(part, "_redact_root", None)
    if element is None:  # a part python-docx keeps as bytes: parse once and write back on save
        element = etree.fromstring(part.blob)
        part._redact_root = element
    return element


def read(path: Path) -> Loaded:
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:
        raise BadInput(f"{path}: not a readable DOCX file ({type(exc).__name__})") from None
    pieces: list[str] = []
    nodes: list[_Node] = []
    parts = sorted((p for p in document.part.package.iter_parts() if _STORY_PARTS.match(str(p.partname))),
                   key=lambda p: (str(p.partname) != "/word/document.xml", str(p.partname)))
    pos = 0
    touched = []
    for part in parts:
        root = _root(part)
        touched.append(part)
        for p in root.iter(_P):
            for el in p.iter(*_TEXT_TAGS):
                # a nested paragraph (text box) is visited on its own
                text = _raw_text.__get__(el)
                if _owner(el) is not p or not text:
                    continue
                nodes.append(_Node(el, pos, part))
                pieces.append(text)
                pos += len(text)
            pieces.append("\n")
            pos += 1
        pieces.append("\n")
        pos += 1
    return Loaded("".join(pieces), {"document": document, "nodes": nodes, "parts": touched})


def _owner(el: etree._Element) -> etree._Element | None:
    node = el.getparent()
    while node is not None and node.tag != _P:
        node = node.getparent()
    return node


def write(loaded: Loaded, spans, dest: Path, style: str) -> dict:
    state = loaded.state
    replace = Replacer(style)
    spans = sorted(spans, key=lambda s: s.start)
    touched_parts = set()
    k = 0
    for node in state["nodes"]:
        text = _raw_text.__get__(node.element)
        end = node.start + len(text)
        while k < len(spans) and spans[k].end <= node.start:
            k += 1
        j, out, cursor = k, [], 0
        while j < len(spans) and spans[j].start < end:
            s = spans[j]
            a, b = max(s.start, node.start) - node.start, min(s.end, end) - node.start
            out.append(text[cursor:a])
            original = loaded.text[s.start : s.end]
            if style == "mask":
                out.append(replace(text[a:b], s.label))
            elif s.start >= node.start:  # label/pseudonym goes where the span begins; later runs lose theirs
                out.append(replace(original, s.label))
            cursor = b
            j += 1
        if out:
            out.append(text[cursor:])
            _raw_text.__set__(node.element, "".join(out))
            node.element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            touched_parts.add(str(node.part.partname))
    _scrub_metadata(state["document"])
    secrets = RedactedStrings(loaded.text, spans)
    for part in state["parts"]:
        for el in _root(part).iter():
            for attr in _PERSON_ATTRS:
                if attr in el.attrib:
                    el.set(attr, "")
    # Safety net: any other XML part (custom XML, properties, alt text in attributes) loses the strings too.
    for part in state["document"].part.package.iter_parts():
        _scrub_links(part, secrets)
        if getattr(part, "_element", None) is None and not _is_xml(part):
            continue  # images and other binary parts
        _scrub_strings(_root(part), secrets)
        if hasattr(part, "_redact_root"):
            part._blob = etree.tostring(part._redact_root, xml_declaration=True, encoding="UTF-8",
                                        standalone=True)
    state["document"].save(str(dest))
    return {"parts_touched": sorted(touched_parts)}


def _is_xml(part) -> bool:
    return str(part.content_type).endswith("xml")


def _scrub_strings(root: etree._Element, secrets: RedactedStrings) -> None:
    """Mask every occurrence of the redacted strings in text and attributes of one XML tree."""
    if not secrets:
        return
    for el in root.iter():
        if isinstance(el.tag, str):
            text = _raw_text.__get__(el)
            if text:
                _raw_text.__set__(el, secrets.mask(text))
            if el.tail:
                el.tail = secrets.mask(el.tail)
            for key, value in el.attrib.items():
                masked = secrets.mask(value)
                if masked != value:
                    el.set(key, masked)


def _scrub_links(part, secrets: RedactedStrings) -> None:
    """External link targets (hyperlink URLs, mailto: addresses) that contain a redacted string lose it."""
    if not secrets:
        return
    for rel in part.rels.values():
        if rel.is_external:
            target = rel.target_ref
            for secret in secrets.strings:
                for variant in {secret, secret.replace(" ", "%20"), secret.replace(" ", "."), secret.lower(),
                                secret.lower().replace(" ", ".")}:
                    target = target.replace(variant, "redacted")
            rel._target = target  # python-docx has no setter for a relationship's target


def _scrub_metadata(document) -> None:
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):  # a picture of the first page, names included
            package.rels.pop(rid)
    props = document.core_properties
    for name in ("author", "last_modified_by", "title", "subject", "keywords", "comments", "category",
                 "content_status", "identifier", "version", "language"):
        setattr(props, name, "")
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        if name == "/docProps/app.xml":
            root = etree.fromstring(part.blob)
            for el in root.iter():
                if etree.QName(el).localname in _APP_FIELDS:
                    el.text = ""
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        elif name == "/docProps/custom.xml":
            root = etree.fromstring(part.blob)
            for prop in root:
                for value in prop:
                    value.text = ""
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
