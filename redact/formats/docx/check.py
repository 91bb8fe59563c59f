"""The DOCX verifier: reads a written file back with ``zipfile`` and regular expressions only — no
python-docx, no lxml, none of the writer's objects — and looks for the removed strings in every member.

* Story parts (content type document/header/footer/footnotes/endnotes/comments): all text between tags
  (joined within a paragraph, so split runs join up) and every attribute value, of all story parts
  together, against the needles' allowed counts (kept words may legitimately occur in kept text).
* Every other XML part (styles, settings, properties, theme, content types, relationships and their
  targets, also URL-decoded): any occurrence is a hit.
* Binary parts (images): raw bytes under UTF-8/Latin-1/UTF-16/hex; their pixels cannot be checked,
  so they are listed as unverified.
* Member names and zip comments: any occurrence is a hit.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

from ...verify import normalise
from ..base import Verification

MAX_MEMBER = 100 * 1024 * 1024
READER = "zipfile + XML text/attribute scan of every part"
_STORY_CT = re.compile(r"wordprocessingml\.(document\.main|header|footer|footnotes|endnotes|comments)\+xml$"
                       r"|ms-word\.(document|template)\.macroEnabled(Template)?\.main\+xml$")
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_PARA_END = re.compile(r"</(?:[\w.-]+:)?p\s*>")


def _decode(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


#: Attribute values that are vocabulary, not document content: namespace declarations, relationship and
#: content types, extension URIs, markup-compatibility lists, font names ("Times New Roman" would hit a
#: person named Roman; fonts are not personal data).
_SKIP_ATTRS = {"Type", "ContentType", "uri", "Requires", "Ignorable", "ProcessContent", "MustUnderstand",
               "PreserveElements", "PreserveAttributes", "space", "ascii", "hAnsi", "cs", "eastAsia", "typeface",
               "panose1", "pitchFamily", "charset", "fldCharType", "relativeFrom"}
_FONT_TAGS = {"font", "altName"}
#: Style names and references are matched as whole words ("Normal" is no hit for "Norma").
_STYLE_TAGS = {"name", "aliases", "pStyle", "rStyle", "tblStyle", "basedOn", "next", "link", "numStyleLink",
               "styleLink", "lsdException"}
#: Attributes that hold free text; so does w:val on the elements in _FREE_VAL. A value that is one plain
#: token is matched as a whole word there ("enableOpenTypeFeatures" is no hit for "type"), and skipped on
#: any other attribute ("page", "single", "accent1", "FF0000": enumerations, ids, numbers). Values with
#: spaces or other characters are checked everywhere.
_FREE_ATTRS = {"descr", "title", "name", "alt", "tooltip", "string", "Target", "author", "initials", "userId",
               "providerId", "displayText", "value", "anchor", "PartName", "Extension", "instr", "docLocation"}
_FREE_VAL = {"tag", "alias", "tblCaption", "tblDescription", "docVar", "default", "helpText", "statusText",
             "listItem", "docPart", "lvlText", "attachedTemplate"}
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]{200,}$")
_TOKEN = re.compile(r"^[A-Za-z0-9]{1,100}$")  # "overrideTableStyleFontSizeAndJustification" is one token
#: Member names the writer uses (fixed vocabulary: "[Content_Types]" is no hit for "type"); others are checked.
_OWN_NAMES = re.compile(r"^(\[Content_Types\]\.xml|_rels/\.rels|docProps/(core|app)\.xml|word/(_rels/)?"
                        r"(document|styles|stylesWithEffects|numbering|settings|fontTable|webSettings|footnotes|"
                        r"endnotes|comments|header\d+|footer\d+|theme/theme\d+)\.xml(\.rels)?|"
                        r"word/theme/_rels/theme\d+\.xml\.rels|word/media/image\d+\.[a-z0-9]+)$")
_LAYOUT_TEXT = {"align", "posOffset", "pctWidth", "pctHeight"}


def _own_part(value: str) -> bool:
    """``value`` names one of the writer's own members, absolute ("/word/footer1.xml") or relative to
    ``word/`` ("footer1.xml", "theme/theme1.xml").

    >>> _own_part("/word/footer1.xml"), _own_part("header2.xml"), _own_part("mailto:emily.header@x.org")
    (True, True, False)
    """
    name = value.lstrip("/")
    return bool(_OWN_NAMES.match(name) or _OWN_NAMES.match("word/" + name))
_TAG_NAME = re.compile(r"<([\w.-]+:)?([\w.-]+)")


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def xml_strings(xml: str) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """(text of each paragraph-delimited chunk in two variants, attribute values and comments checked as
    text, values matched as whole words only, packed binary attributes that cannot be checked, the
    attribute values and comments that are free text), entities decoded."""
    xml = _CDATA.sub(lambda m: html.escape(m.group(1)), xml)
    chunks, attrs, words, packed, free = [], [], [], [], []
    for chunk in _PARA_END.split(xml):
        pieces = _TAG.split(chunk)
        tags = _TAG.findall(chunk)
        texts = [pieces[0]]
        for tag, piece in zip(tags, pieces[1:]):  # text after a tag: skip layout numbers and keywords
            m = _TAG_NAME.match(tag)
            texts.append("" if m and m.group(2) in _LAYOUT_TEXT else piece)
        chunks.append("".join(html.unescape(p) for p in texts))
        chunks.append("".join(html.unescape(p) for p in texts if p.strip()))  # without layout whitespace
        for tag in tags:
            if tag.startswith("<!--"):
                attrs.append(tag)
                free.append(tag)
                continue
            m = _TAG_NAME.match(tag)
            element = m.group(2) if m else ""
            for name, a, b in _ATTR.findall(tag):
                value, local = html.unescape(a or b), _local(name)
                if name.startswith("xmlns") or local in _SKIP_ATTRS or element in _FONT_TAGS:
                    continue
                if element in _STYLE_TAGS or local == "styleId":
                    words.append(value)
                elif _TOKEN.match(value):  # one token: a whole-word match where free text may be
                    if local in _FREE_ATTRS or local == "val" and element in _FREE_VAL:
                        words.append(value)
                elif _BASE64.match(value):  # packed data (e.g. VML gfxdata: a zip) cannot be searched
                    attrs.append(value)
                    packed.append(f"{local} ({len(value)} characters of packed data)")
                else:
                    attrs.append(value)
                    if local in _FREE_ATTRS or local == "val" and element in _FREE_VAL:
                        free.append(value)
    return chunks, attrs, words, packed, free


def _word_hits(values: list[str], needles, where: str) -> list[str]:
    text = "\n".join(normalise(v) for v in values)
    return [f"{where}: {n!r} (as a whole word in a name or style)" for n in needles.strings
            if re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", text)]


def _content_types(z: zipfile.ZipFile) -> dict[str, str]:
    try:
        xml = _decode(z.read("[Content_Types].xml")) or ""
    except KeyError:
        return {}
    out = {}
    for tag in _TAG.findall(xml):
        if re.match(r"<(?:\w+:)?Override\b", tag):
            values = dict((k, v) for k, v in re.findall(r"""([\w:]+)\s*=\s*["']([^"']*)["']""", tag))
            out[unquote(values.get("PartName", "")).lstrip("/").lower()] = values.get("ContentType", "")
    return out


def _count_hits(stories: dict[str, str], needles) -> list[str]:
    """Needles found in the story parts together more often than the redacted text keeps them (with and
    without layout whitespace: names ending in a space are the second variant)."""
    hits: list[str] = []
    for variant in (False, True):
        parts = {n: normalise(t) for n, t in stories.items() if n.endswith(" ") == variant}
        for needle, allowed in needles.strings.items():
            total = sum(t.count(needle) for t in parts.values())
            if total > allowed:
                where = ", ".join(n.strip() for n, t in parts.items() if needle in t)
                line = f"{where}: {needle!r} ({total} found, {allowed} kept in the redacted text)"
                if line not in hits:
                    hits.append(line)
    return hits


def verify(dest: Path, needles) -> Verification:
    """Every member of ``dest`` against ``needles``. Needles that are format vocabulary ("text" from a
    span over "Text Box 5", see :data:`redact.verify.VOCABULARY`) are looked for in text content and
    free-text attributes only: style names, shape names and VML style keywords hold them by design."""
    hits: list[str] = []
    unverified: list[str] = []
    stories: dict[str, str] = {}
    common_stories: dict[str, str] = {}  # text and free-text attributes only, for the vocabulary needles
    needles_all = needles
    common, needles = needles.split()
    try:
        z = zipfile.ZipFile(dest)
    except (zipfile.BadZipFile, OSError) as exc:
        return Verification(READER, hits=[f"{Path(dest).name}: not readable as a zip ({exc})"])
    with z:
        types = _content_types(z)
        infos = z.infolist()
        if z.comment:
            hits += needles_all.find_any(z.comment.decode("latin-1"), where="zip comment")
        for info in infos:
            name = info.filename
            if not _OWN_NAMES.match(name):
                hits += needles.find_any(unquote(name).replace("_", " "), where=f"member name {name}")
            if info.comment or info.extra:
                hits += needles_all.find_bytes(info.comment + info.extra, where=f"{name} (zip header)")
            if info.file_size > MAX_MEMBER:
                hits.append(f"{name}: too large to verify")
                continue
            data = z.read(info)
            text = _decode(data) if re.search(r"\.(xml|rels)$", name, re.I) or "xml" in types.get(name.lower(), "") \
                else None
            if text is None:
                hits += needles_all.find_bytes(data, where=name)
                if not name.lower().endswith((".xml", ".rels")):
                    unverified.append(f"{name} (binary: text in its pixels is not checked)")
                continue
            chunks, attrs, words, packed, free = xml_strings(text)
            hits += _word_hits(words, needles, name)
            hits += [f"{name}: {p} cannot be checked" for p in packed] if needles_all else []
            if _STORY_CT.search(types.get(name.lower(), "")):
                stories[name] = "\n".join(chunks[::2]) + "\n" + "\n".join(attrs)
                stories[name + " "] = "\n".join(chunks[1::2])  # the same text without layout whitespace
                common_stories[name] = "\n".join(chunks[::2]) + "\n" + "\n".join(free)
                common_stories[name + " "] = stories[name + " "]
            else:
                # no needle ("header" from "Emily Header", "ting" from "Samuel Ting") is a hit in the part
                # names the writer itself gives ([Content_Types] PartName "/word/settings.xml", a .rels
                # Target "footer1.xml"): they are the format's, whatever was removed
                free = [v for v in free if not _own_part(v)]
                attrs = [v for v in attrs if not _own_part(v)]
                for found, values in ((needles, chunks + attrs), (common, chunks + free)):
                    everything = "\n".join(values)
                    decoded = unquote(everything)
                    hits += found.find_any("\n".join([everything, decoded, re.sub(r"[._+\-/@:=?&%\\]", " ", decoded)]),
                                           where=name)
        hits += [h for h in _count_hits(stories, needles) + _count_hits(common_stories, common) if h not in hits]
    return Verification(READER, hits=hits, unverified=unverified, checked=len(infos))
