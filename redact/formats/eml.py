"""E-mail messages (``.eml``, RFC 5322 / MIME): parsed with the standard library's ``email`` package (policy
``default``), rebuilt part by part from an allowlist, verified by a second reading with policy ``compat32``
and a decoder of our own (base64 / quoted-printable / charsets), plus each attachment's own verifier.

read: the text the model sees is, for the message and every nested message, its headers as lines
(``From: Anna Griffith <anna@example.org>``: display names, addresses, Subject, Date; encoded words
decoded), then each text part (text/plain decoded from quoted-printable/base64 in its charset; text/html
through :mod:`redact.formats.html`), then the text of every attachment read by its own format (PDF, DOCX,
TXT, images with OCR, HTML) found through the registry; a map of character ranges ties each piece back to
its place. Nested messages (``message/rfc822`` parts and ``.eml`` attachments) are read the same way.

write: a new message is built from what was understood, never copied:

* From/To/Cc/Bcc/Reply-To/Sender: display names redacted (the spans, plus every removed string and word);
  every address is replaced by ``personN@redacted.invalid`` (the same N for the same address in the whole
  message, also where the address appears in a body); Subject redacted (re-encoded as encoded words as
  needed); Date kept unless a span touches it (then dropped); Message-ID/In-Reply-To/References replaced
  by a hash of the original id at ``redacted.invalid`` (threads still link up, host names are gone);
  MIME-Version and Content-* rebuilt. Every other header (Received, X-*, DKIM/ARC signatures, which no
  longer match, List-*, Return-Path, Thread-*...) is dropped and counted in ``WriteResult.dropped``.
* text/plain and text/html parts redacted with the spans, and every removed string is masked in every
  other part too (the alternatives stay consistent); the charset is kept when the redacted text fits it,
  else UTF-8. Quoted earlier messages are text like any other: with ``--style pseudonym`` one operator
  serves the whole message, so an entity gets the same pseudonym in every quote and part.
* attachments: written by their own format with the spans shifted into their text, under the original
  file name unless it holds a removed string (then ``attachment-N.EXT``); their ``dropped`` lists are
  carried, prefixed. An attachment no format reads (zip, unknown type), multipart/signed signatures and
  encrypted parts are unreadable: the message fails unless ``--accept-unreadable``, then they are dropped
  and listed. Any other non-text part (inline images without a known type, calendar parts...) likewise.

Corrupt input fails with one line: no header a message has, a multipart without its closing boundary
(truncated), broken base64. Bombs fail alone: more than :data:`MAX_PARTS` parts, nesting deeper than
:data:`MAX_DEPTH`, a part that decodes to more than :data:`MAX_DECODED` bytes.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import quopri
import re
import tempfile
from dataclasses import dataclass, field
from email import errors as email_errors
from email import policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path

from ..errors import BadInput
from ..verify import Needles, normalise
from . import html as H
from .base import Parsed, Unreadable, Verification, WriteOptions, WriteResult

#: a message with more MIME parts than this is refused (a bomb, not a letter)
MAX_PARTS = 1000
#: multipart / nested-message nesting deeper than this is refused
MAX_DEPTH = 20
#: a part whose decoded content would exceed this is refused
MAX_DECODED = 64 * 1024 * 1024

ADDRESS_HEADERS = ("from", "sender", "reply-to", "to", "cc", "bcc")
ID_HEADERS = ("message-id", "in-reply-to", "references")
#: headers rebuilt (not copied) by the writer; anything else is dropped and counted
KNOWN = set(ADDRESS_HEADERS) | set(ID_HEADERS) | {"subject", "date", "mime-version", "content-type",
                                                   "content-transfer-encoding", "content-disposition"}
_CTYPE_SUFFIX = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/tiff": ".tif",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
                 "text/plain": ".txt", "text/html": ".html", "text/markdown": ".md"}
_ADDR_RE = re.compile(r"[\w.+\-']+@[\w\-]+(?:\.[\w\-]+)+")


@dataclass
class Node:
    """One MIME part as understood. kind: multipart | text | html | attachment | message | drop."""

    kind: str
    where: str
    subtype: str = ""
    children: list["Node"] = field(default_factory=list)
    piece: int | None = None  # text: index into State.pieces
    charset: str = "utf-8"
    doc: H.Doc | None = None  # html: the page, its text at ``offset``
    offset: int = 0
    fmt: object = None  # attachment: its format, parsed document, file name, content type, temp path
    sub: Parsed | None = None
    filename: str = ""
    ctype: str = ""
    path: Path | None = None
    headers: list[tuple] = field(default_factory=list)  # message: ("addr", name, [(piece|None, addr)]) ...
    body: "Node | None" = None
    inline: bool = False


@dataclass
class State:
    path: str
    root: Node
    pieces: list[tuple[int, int, str]]  # (start, end, kind) kind: hdr | date | body
    addresses: dict[str, str]  # original address (casefolded) -> its replacement
    dropped: dict[str, int]
    tmp: object = None  # TemporaryDirectory holding the attachments for their formats


class _Builder:
    """Parsed.text assembled piece by piece, with the map back."""

    def __init__(self):
        self.parts: list[str] = []
        self.pos = 0
        self.pieces: list[tuple[int, int, str]] = []

    def add(self, text: str, kind: str | None = None) -> int | None:
        self.parts.append(text)
        start, self.pos = self.pos, self.pos + len(text)
        if kind is None:
            return None
        self.pieces.append((start, self.pos, kind))
        return len(self.pieces) - 1

    def paragraph(self) -> None:
        if self.pos:
            tail = self.parts[-1]
            self.add("\n" * max(0, 2 - (len(tail) - len(tail.rstrip("\n")))))

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _decoded_size(part) -> int:
    payload = part.get_payload()
    size = len(payload) if isinstance(payload, (str, bytes)) else 0
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    return size * 3 // 4 if cte == "base64" else size


def _payload(part, where: str, name: str) -> bytes:
    """A leaf part's content bytes (transfer encoding undone), within the limits; broken base64 fails."""
    if _decoded_size(part) > MAX_DECODED:
        raise BadInput(f"{name}: {where} decodes to more than {MAX_DECODED} bytes (limit)")
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    raw = part.get_payload(decode=False)
    if isinstance(raw, str) and cte == "base64":
        try:
            return base64.b64decode(re.sub(r"\s+", "", raw), validate=True)
        except (binascii.Error, ValueError):
            raise BadInput(f"{name}: {where} has broken base64 content") from None
    data = part.get_payload(decode=True)
    return data if data is not None else b""


def _decode_text(data: bytes, charset: str | None, where: str, name: str) -> tuple[str, str]:
    """(text, charset) of a text part: its declared charset, else UTF-8, else Windows-1252."""
    for cs in ([charset] if charset else []) + ["utf-8", "cp1252"]:
        try:
            return data.decode(cs), cs
        except (LookupError, UnicodeDecodeError):
            continue
    raise BadInput(f"{name}: {where} is not text in {charset}")


def _header_str(value) -> str:
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a malformed header the policy cannot render
        return ""


class _Reader:
    def __init__(self, name: str, tmpdir: Path):
        self.name = name
        self.tmpdir = tmpdir
        self.b = _Builder()
        self.parts = 0
        self.unreadable: list[Unreadable] = []
        self.dropped: dict[str, int] = {}
        self.addresses: dict[str, str] = {}
        self.attachments: list[Node] = []

    def drop(self, what: str) -> None:
        self.dropped[what] = self.dropped.get(what, 0) + 1

    def count(self, depth: int, where: str) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise BadInput(f"{self.name}: more than {MAX_PARTS} MIME parts (limit)")
        if depth > MAX_DEPTH:
            raise BadInput(f"{self.name}: MIME parts nested deeper than {MAX_DEPTH} (limit)")

    def address(self, addr: str) -> str:
        key = addr.strip().casefold()
        if key not in self.addresses:
            self.addresses[key] = f"person{len(self.addresses) + 1}@redacted.invalid"
        return self.addresses[key]

    # -- a message: headers, then its body --
    def message(self, msg, where: str, depth: int) -> Node:
        node = Node("message", where)
        b = self.b
        for key in msg.keys():
            if key.lower() not in KNOWN:
                self.drop(f"header {key if not key.lower().startswith('x-') else 'X-*'}")
        b.paragraph()
        for key in ADDRESS_HEADERS:
            values = msg.get_all(key) or []
            pairs = []
            for value in values:
                for display, addr in getaddresses([_header_str(value)]):
                    if not display and not addr:
                        continue
                    b.add(f"{key.title()}: ")
                    piece = b.add(display, "hdr") if display else None
                    if addr:
                        b.add(f" <{addr}>" if display else addr)
                        self.address(addr)
                    b.add("\n")
                    pairs.append((piece, addr))
            if pairs:
                node.headers.append(("addr", key, pairs))
        if msg.get("subject") is not None:
            b.add("Subject: ")
            node.headers.append(("subject", b.add(_header_str(msg["subject"]), "hdr")))
            b.add("\n")
        if msg.get("date") is not None:
            b.add("Date: ")
            node.headers.append(("date", b.add(_header_str(msg["date"]), "date")))
            b.add("\n")
        for key in ID_HEADERS:
            if msg.get(key) is not None:
                ids = re.findall(r"<[^<>]*>", _header_str(msg[key])) or [_header_str(msg[key])]
                node.headers.append(("ids", key, ids))
        node.body = self.part(msg, f"{where} body", depth, top=True)
        return node

    def part(self, part, where: str, depth: int, top: bool = False) -> Node:
        if not top:
            self.count(depth, where)
        ctype = part.get_content_type()
        maintype = part.get_content_maintype()
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if part.is_multipart() and maintype == "multipart":
            sub = part.get_content_subtype()
            if sub in ("signed", "encrypted"):
                self.unreadable.append(Unreadable(where, f"multipart/{sub} (signature or encryption) cannot be "
                                                         f"kept after redaction"))
                if sub == "encrypted":
                    return Node("drop", where, ctype=ctype)
            node = Node("multipart", where, subtype="mixed" if sub == "signed" else sub)
            for i, child in enumerate(part.iter_parts()):
                if sub == "signed" and child.get_content_type().startswith("application/") and \
                        "signature" in child.get_content_type():
                    self.drop("signature parts")
                    continue
                node.children.append(self.part(child, f"{where}.{i + 1}", depth + 1))
            return node
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if not hasattr(inner, "keys"):
                raise BadInput(f"{self.name}: {where}: message/rfc822 part without a message")
            self.count(depth + 1, where)
            return self.message(inner, where, depth + 1)
        data = _payload(part, where, self.name)
        is_attachment = disposition == "attachment" or filename is not None
        if maintype == "text" and ctype in ("text/plain", "text/html") and not (
                is_attachment and filename and not filename.lower().endswith((".txt", ".html", ".htm"))):
            text, charset = _decode_text(data, part.get_content_charset(), where, self.name)
            node = Node("text" if ctype == "text/plain" else "html", where, charset=charset, inline=not is_attachment,
                        filename=filename or "")
            self.b.paragraph()
            if ctype == "text/plain":
                node.piece = self.b.add(text, "body")
            else:
                node.doc = H.parse(text, f"{self.name}: {where}") if text.strip() else H.Doc("", [], {}, [])
                node.offset = self.b.pos
                self.b.add(node.doc.text)
                for what, n in node.doc.dropped.items():
                    self.dropped[f"HTML {what}"] = self.dropped.get(f"HTML {what}", 0) + n
            return node
        suffix = Path(filename).suffix.lower() if filename and Path(filename).suffix else _CTYPE_SUFFIX.get(ctype, "")
        if suffix == ".eml" or ctype == "message/rfc822":
            inner = BytesParser(policy=policy.default).parsebytes(data)
            _check(inner, f"{self.name}: {where}")
            self.count(depth + 1, where)
            return self.message(inner, where, depth + 1)
        from . import format_for

        try:
            fmt = format_for(f"x{suffix}") if suffix else None
        except ValueError:
            fmt = None
        label = f"{where} ({filename or ctype})"
        if fmt is None:
            self.unreadable.append(Unreadable(label, f"attachment of a type no format reads ({ctype})"))
            return Node("drop", where, ctype=ctype, filename=filename or "")
        path = self.tmpdir / f"part{self.parts}{suffix}"
        path.write_bytes(data)
        try:
            sub = fmt.read(path)
        except BadInput as exc:
            raise BadInput(f"{self.name}: {label}: {str(exc).replace(str(path), 'attachment')}") from None
        node = Node("attachment", where, fmt=fmt, sub=sub, filename=filename or "", ctype=ctype, path=path,
                    inline=disposition == "inline")
        self.unreadable += [Unreadable(f"{label}: {u.where}", u.reason, u.page) for u in sub.unreadable]
        self.b.paragraph()
        node.offset = self.b.pos
        self.b.add(sub.text)
        return node


def _check(msg, name: str) -> None:
    """Refuse what is not a message, or is cut short."""
    defects = [d for p in msg.walk() for d in p.defects]
    keys = {k.lower() for k in msg.keys()}
    if not keys & {"from", "to", "subject", "date", "message-id", "mime-version", "content-type", "received"}:
        raise BadInput(f"{name}: not an e-mail message (no message headers)")
    if any(isinstance(d, email_errors.MissingHeaderBodySeparatorDefect) for d in defects) and len(keys) < 2:
        raise BadInput(f"{name}: not an e-mail message (no blank line after the headers)")
    for d in defects:
        if isinstance(d, (email_errors.CloseBoundaryNotFoundDefect, email_errors.StartBoundaryNotFoundDefect)):
            raise BadInput(f"{name}: truncated or corrupt MIME structure ({type(d).__name__})")
        if isinstance(d, (email_errors.InvalidBase64PaddingDefect, email_errors.InvalidBase64CharactersDefect,
                          email_errors.InvalidBase64LengthDefect)):
            raise BadInput(f"{name}: broken base64 content ({type(d).__name__})")


def _labels(text: str, spans) -> dict[str, str]:
    return H._labels(text, spans)


def _mask_text(value: str, labels: dict[str, str], operator) -> str:
    """Every removed string or word (as whole words) in a body masked too: the parts stay consistent."""
    for needle in sorted(labels, key=len, reverse=True):
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, needle.split())) + r"(?!\w)"
        value = re.sub(pattern, lambda m: operator.replace(m.group(0), labels[needle]), value, flags=re.I)
    return value


def _hash_id(msgid: str) -> str:
    return f"<{hashlib.sha256(msgid.strip().encode()).hexdigest()[:24]}@redacted.invalid>"


class EmlFormat:
    name = "eml"
    suffixes = (".eml",)

    def __init__(self):
        self._written: dict[str, list[tuple[str, object, Path]]] = {}  # dest -> (file name, format, path)

    def read(self, path: Path) -> Parsed:
        path = Path(path)
        return self.parse(path.read_bytes(), str(path))

    def parse(self, data: bytes, name: str) -> Parsed:
        try:
            msg = BytesParser(policy=policy.default).parsebytes(data)
        except RecursionError:
            raise BadInput(f"{name}: MIME parts nested too deeply") from None
        try:
            _check(msg, name)
        except RecursionError:
            raise BadInput(f"{name}: MIME parts nested too deeply") from None
        tmp = tempfile.TemporaryDirectory(prefix="redact-eml-")
        reader = _Reader(name, Path(tmp.name))
        try:
            root = reader.message(msg, "message", 0)
        except RecursionError:
            raise BadInput(f"{name}: MIME parts nested too deeply") from None
        except (LookupError, ValueError, TypeError, email_errors.MessageError) as exc:
            if isinstance(exc, BadInput):
                raise
            raise BadInput(f"{name}: corrupt message ({type(exc).__name__}: {exc})") from None
        state = State(name, root, reader.b.pieces, reader.addresses, reader.dropped, tmp)
        info = {"parts": reader.parts + 1, "addresses": len(reader.addresses)}
        return Parsed(reader.b.text, self.name, state=state, unreadable=reader.unreadable, info=info)

    # -- write ------------------------------------------------------------------------------------------

    def write(self, parsed: Parsed, spans, dest: Path, options: WriteOptions) -> WriteResult:
        state: State = parsed.state
        if parsed.unreadable and not options.accept_unreadable:  # fail closed, whatever the caller checked
            u = parsed.unreadable[0]
            raise BadInput(f"{state.path}: {len(parsed.unreadable)} part(s) cannot be redacted (first: {u.where}: "
                           f"{u.reason}); --accept-unreadable drops them")
        operator = options.operator
        labels = _labels(parsed.text, spans)
        new, hit = H.redact_pieces(parsed.text, state.pieces, spans, operator)
        addresses = sorted(state.addresses.items(), key=lambda kv: -len(kv[0]))

        def net(value: str) -> str:
            for addr, repl in addresses:
                value = re.sub(re.escape(addr), repl, value, flags=re.I)
            return _mask_text(value, labels, operator)

        for i, (_, _, kind) in enumerate(state.pieces):
            new[i] = H.mask_needles(net(new[i]), labels, operator) if kind == "hdr" else net(new[i])
        ctx = _Writer(parsed, spans, options, labels, new, hit, state, net, Path(dest))
        msg = ctx.message(state.root, top=True)
        Path(dest).write_bytes(msg.as_bytes(policy=policy.default))
        self._written[str(dest)] = (ctx.written, sorted(state.addresses))
        dropped = [f"{n} {w}" for w, n in sorted({**state.dropped, **ctx.dropped}.items())] + ctx.sub_dropped
        return WriteResult(dropped=dropped, info={"charsets_changed": ctx.charset_changed,
                                                  "addresses_replaced": len(state.addresses),
                                                  "attachments": [w[0] for w in ctx.written]})

    # -- verify -----------------------------------------------------------------------------------------

    def verify(self, dest: Path, needles: Needles) -> Verification:
        written, addresses = self._written.pop(str(dest), ([], []))
        return verify_message(Path(dest), needles, written, addresses)


class _Writer:
    def __init__(self, parsed, spans, options, labels, new, hit, state, net, dest: Path):
        self.parsed, self.spans, self.options, self.labels = parsed, spans, options, labels
        self.new, self.hit, self.state, self.net, self.dest = new, hit, state, net, dest
        self.dropped: dict[str, int] = {}
        self.sub_dropped: list[str] = []
        self.written: list[tuple[str, object, Path]] = []
        self.charset_changed: list[str] = []
        self.outdir = Path(state.tmp.name) / f"out-{hashlib.sha1(str(dest).encode()).hexdigest()[:8]}"
        self.outdir.mkdir(exist_ok=True)

    def drop(self, what: str) -> None:
        self.dropped[what] = self.dropped.get(what, 0) + 1

    def shifted(self, start: int, end: int):
        return [dataclasses.replace(s, start=max(s.start, start) - start, end=min(s.end, end) - start)
                for s in self.spans if s.end > start and s.start < end]

    def message(self, node: Node, top: bool = False):
        msg = self.part(node.body, cls=EmailMessage)
        if msg is None:
            msg = EmailMessage(policy=policy.default)
            msg.set_content("")
        headers = []
        for h in node.headers:
            if h[0] == "addr":
                _, key, pairs = h
                addrs = [Address(display_name=(self.new[p] if p is not None else ""),
                                 addr_spec=self.state.addresses[a.strip().casefold()] if a else
                                 "nobody@redacted.invalid") for p, a in pairs]
                headers.append((key.title(), addrs))
            elif h[0] == "subject":
                headers.append(("Subject", self.new[h[1]].replace("\n", " ").replace("\r", " ")))
            elif h[0] == "date":
                if self.hit[h[1]] or self.new[h[1]] != self.parsed.text[slice(*self.state.pieces[h[1]][:2])]:
                    self.drop("Date header (a span touched it)")
                else:
                    headers.append(("Date", self.new[h[1]]))
            elif h[0] == "ids":
                _, key, ids = h
                headers.append(({"message-id": "Message-ID", "in-reply-to": "In-Reply-To",
                                 "references": "References"}[key], " ".join(_hash_id(i) for i in ids)))
        content = [(k, v) for k, v in msg.items()]
        for k in list(msg.keys()):
            del msg[k]
        msg["MIME-Version"] = "1.0"
        for key, value in headers:
            msg[key] = value
        for k, v in content:
            if k.lower() != "mime-version":
                msg[k] = v
        return msg

    def part(self, node: Node, cls=MIMEPart):
        if node.kind == "drop":
            self.drop(f"unreadable parts ({node.ctype})")
            return None
        if node.kind == "message":
            inner = self.message(node)
            out = cls(policy=policy.default)
            out.set_content(inner)
            return out
        if node.kind == "multipart":
            children = [c for c in (self.part(ch) for ch in node.children) if c is not None]
            out = cls(policy=policy.default)
            out["Content-Type"] = f"multipart/{node.subtype}"
            for c in children:
                out.attach(c)
            if not children:
                out.set_payload([])
            return out
        out = cls(policy=policy.default)
        if node.kind in ("text", "html"):
            if node.kind == "text":
                text = self.new[node.piece]
            else:
                end = node.offset + len(node.doc.text)
                text, dropped, _ = H.render(node.doc, self.shifted(node.offset, end), self.options.operator,
                                            self.labels, text_net=self.net)
                for what, n in dropped.items():
                    self.dropped[f"HTML {what}"] = self.dropped.get(f"HTML {what}", 0) + n
            charset = node.charset
            try:
                text.encode(charset)
            except (UnicodeEncodeError, LookupError):
                self.charset_changed.append(f"{node.where}: {charset} -> utf-8")
                charset = "utf-8"
            out.set_content(text, subtype="plain" if node.kind == "text" else "html", charset=charset)
            if not node.inline:
                out.add_header("Content-Disposition", "attachment",
                               filename=self._filename(node, ".txt" if node.kind == "text" else ".html"))
            return out
        # attachment, through its own format
        end = node.offset + len(node.sub.text)
        suffix = node.path.suffix
        target = self.outdir / f"{node.path.stem}.out{suffix}"
        result = node.fmt.write(node.sub, self.shifted(node.offset, end), target, self.options)
        fname = self._filename(node, suffix)
        self.sub_dropped += [f"{fname}: {d}" for d in result.dropped]
        maintype, subtype = (node.ctype.split("/", 1) if "/" in node.ctype and node.ctype != "application/octet-stream"
                             else ("application", "octet-stream"))
        out.set_content(target.read_bytes(), maintype=maintype, subtype=subtype,
                        disposition="inline" if node.inline else "attachment", filename=fname)
        self.written.append((fname, node.fmt, target))
        return out

    def _filename(self, node: Node, suffix: str) -> str:
        if node.filename and not H.has_needle(node.filename, self.labels):
            return node.filename
        if not node.filename:
            return f"attachment-{len(self.written) + 1}{suffix}"
        self.drop("attachment file names holding a removed string (renamed)")
        return f"attachment-{len(self.written) + 1}{suffix}"


# -- verify: a second reader ------------------------------------------------------------------------------

def _decode_part(part) -> bytes:
    """A leaf part's bytes, decoded by us (not by the email package) from base64 / quoted-printable."""
    raw = part.get_payload()
    if not isinstance(raw, str):
        return b""
    cte = (part.get("Content-Transfer-Encoding") or "").strip().lower()
    data = raw.encode("latin-1", "replace") if all(ord(c) < 256 for c in raw) else raw.encode("utf-8")
    if cte == "base64":
        return base64.b64decode(re.sub(rb"\s+", b"", data) + b"==", validate=False)
    if cte == "quoted-printable":
        return quopri.decodestring(data)
    return data


def _header_text(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except (email_errors.HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
        return value


def verify_message(dest: Path, needles: Needles, written: list | None = None,
                   addresses: list[str] | None = None) -> Verification:
    """Needles in a written message: every header decoded, every part decoded (HTML through
    ``html.parser``), raw bytes, and each attachment through its own format's verifier. ``addresses``
    (the originals the writer replaced) may not occur anywhere."""
    from email import message_from_bytes
    from email import policy as _policy

    from . import format_for

    data = dest.read_bytes()
    msg = message_from_bytes(data, policy=_policy.compat32)
    texts: list[str] = []
    hits: list[str] = []
    unverified: list[str] = []
    readers = {"email (compat32) + base64/quopri + html.parser + raw bytes"}
    checked = 0
    known = {name: (fmt, path) for name, fmt, path in (written or [])}
    scan = data  # the raw bytes, less base64 bodies (checked decoded; as base64 text they are noise)
    tmp = tempfile.TemporaryDirectory(prefix="redact-eml-verify-")
    try:
        for i, part in enumerate(msg.walk()):
            checked += 1
            for key, value in part.items():
                texts.append(f"{key}: {_header_text(str(value))}")
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            body = _decode_part(part)
            if (part.get("Content-Transfer-Encoding") or "").strip().lower() == "base64":
                raw = part.get_payload()
                if isinstance(raw, str) and len(raw) > 64:
                    scan = scan.replace(raw.encode("latin-1", "replace"), b"")
            filename = part.get_filename()
            filename = _header_text(filename) if filename else None
            if ctype in ("text/plain", "text/html") and not (filename and not filename.lower().endswith(
                    (".txt", ".html", ".htm"))):
                charset = part.get_content_charset() or "utf-8"
                try:
                    text = body.decode(charset, "replace")
                except LookupError:
                    text = body.decode("utf-8", "replace")
                if ctype == "text/html":
                    t, attrs, urls = H.read_back(text.encode("utf-8"))
                    texts += [t, attrs]
                    for url in urls:
                        hits += needles.find_any("\n".join([url, H.url_words(url)]), f"part {i} link")
                else:
                    texts.append(text)
                hits += needles.find_bytes(body, f"part {i} ({ctype}) bytes", allowed=True)
                continue
            if filename is None:
                hits += needles.find_bytes(body, f"part {i} ({ctype})", allowed=False) if body else []
                continue
            fmt, path = known.get(filename, (None, None))
            if fmt is None:
                try:
                    fmt = format_for(filename)
                except ValueError:
                    unverified.append(f"part {i} ({filename}): no verifier")
                    continue
                path = Path(tmp.name) / f"part{i}{Path(filename).suffix}"
            path.write_bytes(body)  # the attachment as written, decoded by us
            v = fmt.verify(path, needles)
            readers.add(f"{Path(filename).suffix[1:]}: {v.reader}")
            hits += [f"attachment {filename}: {h}" for h in v.hits]
            unverified += [f"attachment {filename}: {u}" for u in v.unverified]
            checked += v.checked
    finally:
        tmp.cleanup()
    hits = needles.find("\n".join(texts), "message text") + hits
    hits += needles.find_bytes(scan, "message bytes", allowed=True)
    if addresses:
        originals = Needles({normalise(a): 0 for a in addresses})
        hits += originals.find_any("\n".join(texts), "message text (address)")
        hits += originals.find_bytes(scan, "message bytes (address)")
    seen: set[str] = set()
    hits = [h for h in hits if not (h in seen or seen.add(h))]
    return Verification(" + ".join(sorted(readers)), hits=hits, unverified=unverified, checked=checked)


FORMAT = EmlFormat()
