"""Reading a written PDF back with readers that are not the writer: pdfium's text extraction
(pypdfium2) per page, and a raw scan of every object and every decoded stream in the file, found by
scanning the bytes (not through pypdf). Page content may hold kept text, so needles are counted against
their allowance there; anywhere else (metadata, annotations, outlines, fonts...) any occurrence is a hit.
Image pixels and font programs are binary: there only needles of six characters or more are looked for
(shorter ones occur in random bytes by chance and would fail clean files), in the bytes as stored for
images (pixels hold no text as bytes; an image of text is what ``Parsed.unreadable`` is about).
"""

from __future__ import annotations

import base64
import functools
import re
import zlib
from pathlib import Path

_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_STREAM = re.compile(rb"stream\r?\n")
_LENGTH = re.compile(rb"/Length\s+(\d+)(\s+\d+\s+R)?")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
#: font programs: they hold glyphs, not the document's text, but their name tables hold vendors' notices
#: ("Ascender Corporation", "Google"): there only removed strings of several words are looked for
_FONT_PROGRAM = re.compile(rb"/Subtype\s*/(Type1C|CIDFontType0C|OpenType)\b|/Length1\b")
#: streams whose bytes are pixels or font programs, where a 4-letter needle turns up by chance
#: (about once in 400 KB); there only needles of at least BINARY_MIN characters are looked for
_BINARY = re.compile(_IMAGE.pattern + rb"|" + _FONT_PROGRAM.pattern)
BINARY_MIN = 6
_OBJSTM = re.compile(rb"/Type\s*/ObjStm\b")
#: fixed font-structure strings: /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) >>
_CID_INFO = re.compile(rb"/(Registry|Ordering)\s*\([^)]*\)")
_FILTERS = re.compile(rb"/Filter\s*(\[[^\]]*\]|/\w+)")


_ESC = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def strings(data: bytes) -> bytes:
    """Every literal string ``(...)`` (escapes and nesting resolved) and hex string ``<...>`` in ``data``,
    decoded, one per line: what a needle hidden behind octal escapes or hex looks like as bytes."""
    out = []
    i, n = 0, len(data)
    while i < n:
        c = data[i : i + 1]
        if data[i : i + 2] in (b"<<", b">>"):
            i += 2
            continue
        if c == b"(":
            depth, buf, i = 1, bytearray(), i + 1
            while i < n and depth:
                ch = data[i : i + 1]
                if ch == b"\\":
                    nxt = data[i + 1 : i + 2]
                    if nxt in _ESC:
                        buf += _ESC[nxt]
                        i += 2
                    elif nxt and nxt in b"01234567":
                        j = i + 1
                        while j < min(i + 4, n) and data[j : j + 1] in b"01234567" and data[j : j + 1]:
                            j += 1
                        buf.append(int(data[i + 1 : j], 8) & 0xFF)
                        i = j
                    else:
                        buf += nxt if nxt not in (b"\r", b"\n") else b""
                        i += 2
                    continue
                if ch == b"(":
                    depth += 1
                elif ch == b")":
                    depth -= 1
                    if not depth:
                        i += 1
                        break
                buf += ch
                i += 1
            out.append(bytes(buf))
        elif c == b"<":
            j = data.find(b">", i)
            if j < 0:
                break
            digits = re.sub(rb"\s", b"", data[i + 1 : j])
            if re.fullmatch(rb"[0-9A-Fa-f]*", digits):
                out.append(bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode()))
            i = j + 1
        else:
            i += 1
    return b"\n".join(out)


def _decode(data: bytes, filters: list[bytes]) -> bytes | None:
    for f in filters:
        if f in (b"FlateDecode", b"Fl"):
            d = zlib.decompressobj()
            try:
                data = d.decompress(data)
            except zlib.error:
                return None
        elif f in (b"ASCII85Decode", b"A85"):
            body = data.strip()
            body = body[2:] if body.startswith(b"<~") else body
            body = body.split(b"~>")[0]
            try:
                data = base64.a85decode(re.sub(rb"\s", b"", body))
            except ValueError:
                return None
        elif f in (b"ASCIIHexDecode", b"AHx"):
            try:
                data = bytes.fromhex(re.sub(rb"[^0-9A-Fa-f]", b"", data.split(b">")[0]).decode())
            except ValueError:
                return None
        else:  # images (DCT, JPX, CCITT...) are scanned as they are
            return None
    return data


def objects(data: bytes):
    """(object number, dictionary bytes, stream bytes or None) for every object in the file."""
    matches = list(_OBJ.finditer(data))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(data)
        body = data[m.end() : end]
        s = _STREAM.search(body)
        head = body[: s.start()] if s else body
        if s is None or b"endobj" in head:
            yield int(m.group(1)), head, None
            continue
        start = s.end()
        length = _LENGTH.search(head)
        stop = body.find(b"endstream", start)
        if length and not length.group(2) and start + int(length.group(1)) <= len(body):
            stop = start + int(length.group(1))
        yield int(m.group(1)), head, body[start : stop if stop >= 0 else len(body)]


def content_objects(data: bytes) -> set[int]:
    """Object numbers of streams that are page content: /Contents targets, Form XObjects, patterns."""
    ids: set[int] = set()
    for m in re.finditer(rb"/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)", data):
        ids.update(int(x) for x in re.findall(rb"(\d+)\s+\d+\s+R", m.group(1)))
    for num, head, stream in objects(data):
        if stream is not None and (re.search(rb"/Subtype\s*/Form\b", head) or re.search(rb"/PatternType\s*1\b", head)):
            ids.add(num)
    return ids


#: a PDF name object (/MediaBox, /Text, /F1): the file's structure vocabulary
_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")


def _find(needles, common, data: bytes, where: str, allowed: bool, text: bytes = b"") -> list[str]:
    """``needles`` in ``data`` + ``text`` (decoded strings), and the vocabulary needles ``common`` (``box``
    from a frame label "Box: ...") there with the name objects of ``data`` blanked: /MediaBox and
    /ProcSet [/PDF /Text] are structure, not text."""
    hits = needles.find_bytes(data + text, where, allowed=allowed)
    if common:
        hits += [h for h in common.find_bytes(_NAME.sub(b" ", data) + text, where, allowed=allowed) if h not in hits]
    return hits


#: the 14 standard fonts every PDF reader has (a font name, not text: "/Times-Roman")
_STANDARD_FONTS = frozenset("""times-roman times-bold times-italic times-bolditalic helvetica helvetica-bold
helvetica-oblique helvetica-boldoblique courier courier-bold courier-oblique courier-boldoblique symbol
zapfdingbats""".split())
_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
#: keys and values of font, font-descriptor, CMap and graphics-state dictionaries (PDF 1.7, 9.6-9.10 and
#: 8.4.5) that pypdf's constants do not list: the format's words ("/Flags", "/BM /Normal")
_FONT_NAMES = frozenset("""BaseFont FirstChar LastChar Widths FontDescriptor Encoding ToUnicode DescendantFonts
CIDSystemInfo CIDToGIDMap Registry Ordering Supplement DW W DW2 W2 Differences BaseEncoding FontName FontFamily
FontStretch FontWeight Flags FontBBox FontMatrix ItalicAngle Ascent Descent Leading CapHeight XHeight StemV
StemH AvgWidth MaxWidth MissingWidth FontFile FontFile2 FontFile3 CharSet CIDSet CMapName CMapType WMode
UseCMap Identity-H Identity-V TrueType Type0 Type1 Type3 CIDFontType0 CIDFontType2 MMType1 WinAnsiEncoding
MacRomanEncoding StandardEncoding ExtGState BM SMask CA ca LW LC LJ ML RI OP op OPM AIS TK Normal Multiply
Screen Overlay Darken Lighten ColorDodge ColorBurn HardLight SoftLight Difference Exclusion Hue
Color Luminosity Compatible Perceptual RelativeColorimetric Saturation AbsoluteColorimetric""".split())
#: a font's or character map's own name ("/CMapName /Adobe-Identity-UCS", "/BaseFont /ABCDEF+Erin-Sans")
_NAMING = re.compile(rb"/(?:CMapName|BaseFont|FontName|FontFamily)\s*/[^\s/<>\[\]()%{}]+")
#: the file's own keywords between objects
_KEYWORDS = re.compile(rb"\b(?:stream|endstream|obj|endobj|xref|trailer|startxref)\b")


@functools.lru_cache(maxsize=1)
def _spec_names() -> frozenset:
    """The PDF names pypdf's constants define (/Parent, /Root, /Kids, /Catalog...): the format's keys."""
    import inspect

    import pypdf.constants as constants

    names, seen = set(), set()

    def walk(cls):
        if cls in seen:
            return
        seen.add(cls)
        for value in vars(cls).values():
            if isinstance(value, str) and value.startswith("/"):
                names.add(value[1:])
            elif inspect.isclass(value) and value.__module__ == constants.__name__:
                walk(value)

    for value in vars(constants).values():
        if inspect.isclass(value) and value.__module__ == constants.__name__:
            walk(value)
    return frozenset(names)


def _other_names(data: bytes) -> bytes:
    """The name objects of ``data`` that are neither the format's keys nor a standard font, decoded
    (``#20`` is a space) and split into words: "/Jan#20Kowalski" -> "Jan Kowalski".

    >>> _other_names(b"<< /Type /Page /Parent 2 0 R /BaseFont /ABCDEF+Times-Roman /Dest /Jan#20Kowalski >>")
    b'Dest\\nJan Kowalski'
    """
    spec, out = _spec_names() | _FONT_NAMES, []
    for m in _NAME.finditer(_NAMING.sub(b" ", data)):
        name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda h: bytes([int(h.group(1), 16)]), m.group(0)[1:])
        text = name.decode("utf-8", "replace")
        if text in spec or _SUBSET_TAG.sub("", text).lower() in _STANDARD_FONTS:
            continue
        out.append(re.sub(r"[\W_]+", " ", text).strip())
    return "\n".join(dict.fromkeys(out)).encode("utf-8")


def _find_structure(needles, common, data: bytes, where: str) -> list[str]:
    """``needles`` in the file's structure (dictionaries, the trailer, compressed objects, character maps):
    removed strings of several words as they are; one-word needles as whole words, with the CID registry
    strings blanked and name objects split into words, the format's own names left out ("/Parent",
    "/Times-Roman", "/Ordering (Identity)" hold "parent", "roman", "erin", "dent" but are not text; a
    "/Kowalski" is still a hit). Vocabulary needles ("box") skip names altogether."""
    single, several = needles.by_words()
    blank = _KEYWORDS.sub(b" ", _NAME.sub(b" ", _CID_INFO.sub(b" ", data)))
    text = blank + b"\n" + strings(blank)
    hits = several.find_bytes(data + b"\n" + strings(data), where)
    for group, names in ((single, _other_names), (common, lambda _: b"")):
        if group:  # (the names are split only when a one-word needle will look at them)
            hits += [h for h in group.find_bytes(text + b"\n" + names(data), where, whole_words=True)
                     if h not in hits]
    return hits


def raw_scan(path: Path, needles) -> list[str]:
    data = Path(path).read_bytes()
    hits: list[str] = []
    common, needles = needles.split()
    content = content_objects(data)
    long_needles = type(needles)({n: c for n, c in needles.strings.items() if len(n) >= BINARY_MIN})
    outside = bytearray()
    for num, head, stream in objects(data):
        outside += head
        if stream is None:
            continue
        m = _FILTERS.search(head)
        filters = re.findall(rb"/(\w+)", m.group(1)) if m else []
        decoded = None if _IMAGE.search(head) else _decode(stream, filters)
        where = f"object {num}" + (" (page content)" if num in content else "")
        if _BINARY.search(head):  # pixels and font programs: only needles too long to occur by chance,
            group = long_needles.by_words()[1] if _FONT_PROGRAM.search(head) else long_needles
            if group:  # images as stored (decoded pixels hold no text, and take long to scan)
                hits += group.find_bytes(stream if decoded is None else decoded, where, allowed=False)
        elif decoded is None:
            hits += _find(needles, common, stream, where, allowed=False)
        elif num not in content and (_OBJSTM.search(head) or b"begincmap" in decoded):
            # compressed objects and character maps are structure, like the dictionaries outside streams
            hits += [h for h in _find_structure(needles, common, decoded, where) if h not in hits]
        else:  # the stream as it is, then its strings decoded (each counted once against the allowance)
            found = _find(needles, common, decoded, where, allowed=num in content)
            hits += found + [h for h in _find(needles, common, b"", where + " strings", num in content,
                                              text=strings(decoded))
                             if h.replace(" strings", "", 1) not in found]
    # everything outside streams: dictionaries, strings, the trailer
    outside += data[-2048:]
    hits += _find_structure(needles, common, bytes(outside), "objects and trailer")
    return hits


def page_texts(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            out.append(tp.get_text_range())
            tp.close()
            page.close()
        return out
    finally:
        doc.close()


#: a word broken at a line end by a visible hyphen, the next line starting lower-case (as the reader joins it)
_BROKEN = re.compile(r"(?<=[^\W\d_])[-\u2010\u2011][ \t]*\r?\n[ \t]*(?=[^\W\d_A-Z])")


def joined(text: str) -> tuple[str, str]:
    r"""(as read, with words broken at line ends joined) for a page text from pdfium. pdfium reports a
    line-end soft hyphen as U+FFFE with no line break (``Kowal\ufffeczyk``): it is dropped in both, so
    a name hyphenated by its producer is found whole — the form the needles were built in.

    >>> joined("Mr Kowal\ufffeski and a well-\r\nknown Anna-\r\nMaria")
    ('Mr Kowalski and a well-\r\nknown Anna-\r\nMaria', 'Mr Kowalski and a wellknown Anna-\r\nMaria')
    """
    read = text.replace("\ufffe", "").replace("\u00ad", "")
    return read, _BROKEN.sub("", read)


def check(path: Path, needles, unverified: list[str] | None = None):
    from ..base import Verification

    try:
        texts = page_texts(path)
    except Exception as exc:  # an output pdfium cannot read is not verified
        return Verification(reader="pypdfium2 page text + raw object/stream scan",
                            hits=[f"pdfium could not read the output ({type(exc).__name__}: {exc})"])
    from ...verify import normalise

    hits = []
    texts = [joined(t) for t in texts]
    found = dict.fromkeys(line for variant in ("\n".join(t for t, _ in texts), "\n".join(t for _, t in texts))
                          for line in needles.find(variant, where="text"))
    for line in found:
        needle = line.split(": ", 1)[1].strip("'")
        pages = [str(n) for n, t in enumerate(texts, 1) if needle in normalise(t[0]) or needle in normalise(t[1])]
        hits.append(f"page {', '.join(pages or ['?'])} (pdfium text): {needle!r}")
    hits += raw_scan(path, needles)
    return Verification(reader="pypdfium2 page text + raw object/stream scan", hits=hits,
                        unverified=list(unverified or []), checked=len(texts))
