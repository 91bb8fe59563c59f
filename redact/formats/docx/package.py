"""The DOCX container (an OPC zip package): members read with size limits, content types, relationships,
and the walk from the package relationships that decides which parts are carried into the output.

Only part types on :data:`KINDS` are kept, and only when reached through a relationship of an allowed
type from a kept part, with the content type that relationship promises. Everything else — custom XML,
people, glossary, altChunk, embeddings, charts, diagrams, fonts, VBA, thumbnails, custom properties,
templates, external links other than hyperlinks — is not carried and is listed as dropped.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from ...errors import BadInput

#: A part whose uncompressed size exceeds this is refused before it is read (zip bombs, huge XML).
MAX_PART_BYTES = 100 * 1024 * 1024
#: Refuse packages whose members add up to more than this (uncompressed).
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # legacy .doc, and password-protected (encrypted) OOXML

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PR_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_R = "http://purl.oclc.org/ooxml/officeDocument/relationships/"
WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
MAIN_CT = WML + "document.main+xml"
RELS_CT = "application/vnd.openxmlformats-package.relationships+xml"
CORE_CT = "application/vnd.openxmlformats-package.core-properties+xml"
APP_CT = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class Kind:
    """A part type we carry: content types it may have, whether it holds document text (a story),
    the output name (``{n}`` numbered), the relationship types it may have to other kept parts."""

    content_types: tuple[str, ...]
    story: bool
    out: str
    children: tuple[str, ...] = ()


_STORY_CHILDREN = ("image", "hyperlink")
#: Relationship type (last segment) -> the part type it may lead to. The allowlist.
KINDS: dict[str, Kind] = {
    "officeDocument": Kind((MAIN_CT, WML + "template.main+xml", "application/vnd.ms-word.document.macroEnabled.main+xml",
                            "application/vnd.ms-word.template.macroEnabledTemplate.main+xml"), True, "word/document.xml",
                           ("styles", "stylesWithEffects", "numbering", "settings", "fontTable", "webSettings",
                            "theme", "header", "footer", "footnotes", "endnotes", "comments") + _STORY_CHILDREN),
    "styles": Kind((WML + "styles+xml",), False, "word/styles.xml", ("image",)),
    "stylesWithEffects": Kind(("application/vnd.ms-word.stylesWithEffects+xml",), False, "word/stylesWithEffects.xml"),
    "numbering": Kind((WML + "numbering+xml",), False, "word/numbering.xml", ("image",)),
    "settings": Kind((WML + "settings+xml",), False, "word/settings.xml"),
    "fontTable": Kind((WML + "fontTable+xml",), False, "word/fontTable.xml"),
    "webSettings": Kind((WML + "webSettings+xml",), False, "word/webSettings.xml"),
    "theme": Kind(("application/vnd.openxmlformats-officedocument.theme+xml",), False, "word/theme/theme{n}.xml"),
    "header": Kind((WML + "header+xml",), True, "word/header{n}.xml", _STORY_CHILDREN),
    "footer": Kind((WML + "footer+xml",), True, "word/footer{n}.xml", _STORY_CHILDREN),
    "footnotes": Kind((WML + "footnotes+xml",), True, "word/footnotes.xml", _STORY_CHILDREN),
    "endnotes": Kind((WML + "endnotes+xml",), True, "word/endnotes.xml", _STORY_CHILDREN),
    "comments": Kind((WML + "comments+xml",), True, "word/comments.xml", _STORY_CHILDREN),
    "image": Kind(("image/",), False, "word/media/image{n}{ext}"),
}
#: Schemes of external hyperlinks that may be kept (when their target holds no removed string).
#: mailto: addresses and file: paths name people by nature and are always dropped.
LINK_SCHEMES = ("http://", "https://", "ftp://", "#")


@dataclass
class Rel:
    rid: str
    kind: str  # last segment of the relationship type
    reltype: str
    target: str  # source member name of an internal part, or the external target
    external: bool


@dataclass
class Part:
    src: str  # member name in the input
    kind: str
    out: str  # member name in the output
    content_type: str
    rels: list[Rel] = field(default_factory=list)  # kept relationships
    dropped_rids: set[str] = field(default_factory=set)  # relationships not carried (their XML is removed)
    referenced_from: str = ""

    @property
    def story(self) -> bool:
        return KINDS[self.kind].story

    @property
    def is_xml(self) -> bool:
        return self.kind != "image"


@dataclass
class Package:
    """What is carried: parts by source name (main first), their bytes, and what was left out."""

    main: str
    parts: dict[str, Part]
    data: dict[str, bytes]
    dropped: list[str]


def _bad(path, msg: str) -> BadInput:
    return BadInput(f"{path}: {msg}")


def open_zip(path: Path) -> zipfile.ZipFile:
    """The zip, or a one-line :class:`BadInput` for files that are not one (legacy .doc, encrypted)."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC):
        raise _bad(path, "not a DOCX (zip) file; legacy .doc? convert it first "
                         "(a password-protected DOCX looks the same: remove the password)")
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise _bad(path, "not a DOCX (zip) file") from None
    total, seen = 0, set()
    for info in z.infolist():
        if info.filename.lower() in seen:  # two members of one name: consumers disagree on which counts
            raise _bad(path, f"duplicate zip member {info.filename}")
        seen.add(info.filename.lower())
        if info.flag_bits & 0x1:
            raise _bad(path, "encrypted zip members; remove the password first")
        if info.file_size > MAX_PART_BYTES:
            raise _bad(path, f"part {info.filename} is {info.file_size:,} bytes uncompressed "
                             f"(limit {MAX_PART_BYTES:,}): refused")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise _bad(path, f"{total:,} bytes uncompressed (limit {MAX_TOTAL_BYTES:,}): refused")
    return z


def read_member(z: zipfile.ZipFile, name: str, path) -> bytes:
    info = z.getinfo(name)
    if info.file_size > MAX_PART_BYTES:  # also checked on open; the read below never goes past it
        raise _bad(path, f"part {name} too large")
    try:
        with z.open(info) as fh:
            data = fh.read(MAX_PART_BYTES + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError, zlib.error) as exc:
        raise _bad(path, f"part {name} cannot be read ({exc})") from None
    if len(data) > MAX_PART_BYTES:
        raise _bad(path, f"part {name} too large")
    return data


def parse_xml(data: bytes, where: str, path) -> etree._Element:
    """A part's XML, parsed without entities, DTDs or network access; DTDs are refused."""
    try:
        tree = etree.fromstring(data, _SAFE_PARSER).getroottree()
    except etree.XMLSyntaxError as exc:
        raise _bad(path, f"{where}: not well-formed XML ({exc.msg})") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _bad(path, f"{where}: XML with a DTD is not allowed in a DOCX")
    return tree.getroot()


def _content_types(z, path) -> tuple[dict[str, str], dict[str, str]]:
    names = {n.lower(): n for n in z.namelist()}
    if "[content_types].xml" not in names:
        raise _bad(path, "not a DOCX: no [Content_Types].xml")
    root = parse_xml(read_member(z, names["[content_types].xml"], path), "[Content_Types].xml", path)
    defaults, overrides = {}, {}
    for el in root:
        tag = etree.QName(el).localname if isinstance(el.tag, str) else ""
        if tag == "Default":
            defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
        elif tag == "Override":
            overrides[unquote(el.get("PartName", "")).lstrip("/").lower()] = el.get("ContentType", "")
    return defaults, overrides


def _rels_name(src: str) -> str:
    d, b = posixpath.split(src)
    return posixpath.join(d, "_rels", b + ".rels")


def _read_rels(z, names, src: str, path) -> list[Rel]:
    """Relationships of a part ('' = the package), targets resolved to member names."""
    rname = "_rels/.rels" if src == "" else _rels_name(src)
    if rname.lower() not in names:
        return []
    root = parse_xml(read_member(z, names[rname.lower()], path), rname, path)
    out = []
    for el in root:
        if not isinstance(el.tag, str) or etree.QName(el).localname != "Relationship":
            continue
        if any(r.rid == el.get("Id", "") for r in out):  # which one would a consumer follow?
            raise _bad(path, f"{rname}: duplicate relationship id {el.get('Id')}")
        reltype, target = el.get("Type", ""), el.get("Target", "")
        external = el.get("TargetMode", "") == "External"
        if not external:
            t = unquote(target)
            t = t.lstrip("/") if t.startswith("/") else posixpath.join(posixpath.dirname(src), t)
            target = posixpath.normpath(t).lstrip("/")
        out.append(Rel(el.get("Id", ""), reltype.rstrip("/").rsplit("/", 1)[-1], reltype, target, external))
    return out


def walk(path: Path) -> Package:
    """Open the package and keep the parts the allowlist reaches from the officeDocument relationship."""
    z = open_zip(path)
    with z:
        names = {n.lower(): n for n in z.namelist()}
        defaults, overrides = _content_types(z, path)

        def content_type(member: str) -> str:
            return overrides.get(member.lower()) or defaults.get(posixpath.splitext(member)[1].lstrip(".").lower(), "")

        package_rels = _read_rels(z, names, "", path)
        if any(r.reltype.startswith(STRICT_R) for r in package_rels):
            raise _bad(path, "Strict Open XML is not supported; save it as a standard (transitional) DOCX")
        mains = [r for r in package_rels if r.kind == "officeDocument" and not r.external]
        if not mains or mains[0].target.lower() not in names:
            raise _bad(path, "not a DOCX: no main document part (officeDocument relationship)")
        main = names[mains[0].target.lower()]
        if content_type(main) not in KINDS["officeDocument"].content_types:
            raise _bad(path, f"not a Word document: main part {main} is {content_type(main) or 'untyped'}")

        parts: dict[str, Part] = {main: Part(main, "officeDocument", KINDS["officeDocument"].out, MAIN_CT)}
        counters: dict[str, int] = {}
        queue = [main]
        while queue:
            part = parts[queue.pop(0)]
            allowed = KINDS[part.kind].children
            for rel in _read_rels(z, names, part.src, path):
                if rel.external:
                    if rel.kind == "hyperlink" and "hyperlink" in allowed and rel.target.lower().startswith(LINK_SCHEMES):
                        part.rels.append(rel)
                    else:
                        part.dropped_rids.add(rel.rid)
                    continue
                member = names.get(rel.target.lower())
                kind = KINDS.get(rel.kind)
                ct = content_type(member) if member else ""
                if (member is None or kind is None or rel.kind not in allowed
                        or not any(ct == c or (c.endswith("/") and ct.startswith(c)) for c in kind.content_types)):
                    part.dropped_rids.add(rel.rid)
                    continue
                rel.target = member
                part.rels.append(rel)
                if member not in parts:
                    n = counters[rel.kind] = counters.get(rel.kind, 0) + 1
                    if "{n}" not in kind.out and n > 1:  # a second styles/settings... part: not carried
                        part.rels.remove(rel)
                        part.dropped_rids.add(rel.rid)
                        continue
                    ext = posixpath.splitext(member)[1].lower()
                    ext = ext if ext[1:].isalnum() and len(ext) <= 6 else ".bin"
                    parts[member] = Part(member, rel.kind, kind.out.format(n=n, ext=ext), ct,
                                         referenced_from=part.src)
                    queue.append(member)
        data = {src: read_member(z, src, path) for src in parts}
        carried = set(parts) | {"[Content_Types].xml", "_rels/.rels"} | {_rels_name(p) for p in parts}
        rebuilt = {r.target for r in package_rels if r.kind in ("core-properties", "extended-properties")}
        dropped = sorted(n for n in z.namelist() if n not in carried and n not in rebuilt and not n.endswith("/"))
        return Package(main, parts, data, dropped)


def prune(package: Package, roots: dict[str, etree._Element]) -> None:
    """After cleaning: images and hyperlinks no longer referenced from their part's XML (an OLE object's
    preview, a chart's fallback picture, removed with their run) are not carried."""
    for part in package.parts.values():
        if part.src not in roots:
            continue
        used = {v for el in roots[part.src].iter() if isinstance(el.tag, str)
                for k, v in el.attrib.items() if k.startswith(f"{{{R_NS}}}")}
        for rel in [r for r in part.rels if r.kind in ("image", "hyperlink") and r.rid not in used]:
            part.rels.remove(rel)
            part.dropped_rids.add(rel.rid)
    targets = {r.target for p in package.parts.values() for r in p.rels if not r.external}
    for src in [s for s, p in package.parts.items() if p.kind == "image" and s not in targets]:
        del package.parts[src]
        package.dropped.append(src)
    package.dropped.sort()


def image_parts(package: Package) -> list[Part]:
    """Every image carried with the document, with the part that references it (``referenced_from``).

    The seam for OCR: an OCR step reads these, and returns text the model can see."""
    return [p for p in package.parts.values() if p.kind == "image"]


def _rel_target(src_out: str, rel: Rel, parts: dict[str, Part]) -> str:
    if rel.external:
        return rel.target
    return posixpath.relpath(parts[rel.target].out, posixpath.dirname(src_out))


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_xml(rels: list[tuple[str, str, str, bool]]) -> bytes:
    root = etree.Element(f"{{{PR_NS}}}Relationships", nsmap={None: PR_NS})
    for rid, reltype, target, external in rels:
        el = etree.SubElement(root, f"{{{PR_NS}}}Relationship", Id=rid, Type=reltype, Target=target)
        if external:
            el.set("TargetMode", "External")
    return _xml(root)


CORE_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
            b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
            b' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>')
APP_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
           b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>')


def write_package(dest: Path, package: Package, xml_parts: dict[str, etree._Element]) -> list[str]:
    """Write a fresh zip: content types and relationships rebuilt for the carried parts only, empty
    core/app properties, fixed timestamps. ``xml_parts``: the edited XML of each carried XML part.
    Returns the member names written."""
    parts = package.parts
    members: list[tuple[str, bytes]] = []
    ct = etree.Element(f"{{{CT_NS}}}Types", nsmap={None: CT_NS})
    etree.SubElement(ct, f"{{{CT_NS}}}Default", Extension="rels", ContentType=RELS_CT)
    etree.SubElement(ct, f"{{{CT_NS}}}Default", Extension="xml", ContentType="application/xml")
    for out, typ in [("/docProps/core.xml", CORE_CT), ("/docProps/app.xml", APP_CT)] + [
            ("/" + p.out, MAIN_CT if p.kind == "officeDocument" else p.content_type) for p in parts.values()]:
        etree.SubElement(ct, f"{{{CT_NS}}}Override", PartName=out, ContentType=typ)
    members.append(("[Content_Types].xml", _xml(ct)))
    members.append(("_rels/.rels", _rels_xml([
        ("rId1", REL + "officeDocument", parts[package.main].out, False),
        ("rId2", PKG_REL, "docProps/core.xml", False),
        ("rId3", REL + "extended-properties", "docProps/app.xml", False)])))
    members.append(("docProps/core.xml", CORE_XML))
    members.append(("docProps/app.xml", APP_XML))
    for p in parts.values():
        members.append((p.out, _xml(xml_parts[p.src]) if p.is_xml else package.data[p.src]))
        if p.rels:
            members.append((_rels_name(p.out), _rels_xml(
                [(r.rid, r.reltype, _rel_target(p.out, r, parts), r.external) for r in p.rels])))
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return [m for m, _ in members]
