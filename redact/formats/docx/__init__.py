"""Word documents (DOCX): the output is a new package rebuilt from an allowlist, never a scrubbed copy.

* :mod:`.package` — the zip (size limits, legacy .doc refused), content types, relationships, and the
  walk from the officeDocument relationship that decides which parts are carried (the allowlist).
* :mod:`.story` — cleaning of the carried XML (fields flattened, tags, bookmark names, authors,
  document variables, references to parts not carried) and the text the model sees, redacted run by run.
* :mod:`.check` — the verifier: ``zipfile`` and regular expressions over every member of the output.

Images may hold text: each PNG/JPEG/TIFF image is OCR'd (:mod:`redact.ocr.parts`; ``--ocr never`` turns
it off), its words follow the document's text for the model, and the redacted words are filled in its
pixels; the part is replaced by the re-encoded image (no metadata) and re-OCR'd when verifying. Images OCR
cannot read (EMF/WMF, no text found, low confidence) are listed in ``Parsed.unreadable`` and the file is
written only with ``accept_unreadable``.

Where a name can be, and what happens to it:

* removed, run by run (formatting kept): body, nested tables, text boxes (VML and DrawingML), headers and
  footers, footnotes, endnotes, comments, tracked insertions/deletions, equations, field results;
* masked (shown to the model as text, plus a second net for any removed string or word): image alt text,
  titles and names, VML alt/title, WordArt text, table captions/descriptions, hyperlink tooltips;
* removed as markup: field codes (flattened; page-number fields stay live), form-field data, content-
  control aliases/tags/list items/bindings, bookmark names (renamed ``_bm1``...), editing permissions,
  smart-tag and inline custom-XML properties, revision and comment authors (cleared), theme names,
  template path, document variables, mail merge, rsids; ``mailto:``/``file:`` links and links whose
  target or text holds a removed string (the text stays);
* dropped (listed in ``WriteResult.dropped``): every part not on :data:`.package.KINDS`, and the XML that
  referenced it; core and app properties are rebuilt empty.

>>> FORMAT.name, FORMAT.suffixes
('docx', ('.docx',))
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote
import re

from ...errors import BadInput
from ...verify import Needles, mask_needles, needle_labels, normalise
from ..base import Parsed, Unreadable, Verification, WriteOptions, WriteResult
from . import check, package as pkg, story


@dataclass
class _State:
    path: str
    package: pkg.Package
    images: object = None  # redact.ocr.parts.ImageParts: the OCR'd images, their text after the story's


def _prepare(state: _State):
    return story.prepare(state.package, lambda src: pkg.parse_xml(state.package.data[src], src, state.path))


def _link_has_needle(target: str, labels: dict[str, str]) -> bool:
    decoded = unquote(target)
    got = normalise("\n".join([target, decoded, re.sub(r"[._+\-/@:=?&%\\]", " ", decoded)]))
    squeezed = got.replace(" ", "")
    return any(n in got or n.replace(" ", "") in squeezed for n in labels)


class DocxFormat:
    name = "docx"
    suffixes = (".docx",)

    def read(self, path: Path) -> Parsed:
        state = _State(str(path), pkg.walk(Path(path)))
        roots, nodes, text, stats = _prepare(state)
        if roots[state.package.main].tag != story.w("document"):
            raise BadInput(f"{path}: the main part is not a WordprocessingML document (Strict Open XML? "
                           f"save it as a standard DOCX)")
        pkg.prune(state.package, roots)
        images = pkg.image_parts(state.package)
        from ...ocr.parts import ImageParts

        state.images = ImageParts.read([(p.src, state.package.data[p.src]) for p in images], text)
        unreadable = [Unreadable(name, reason) for name, reason in state.images.unreadable]
        info = {"main_part": state.package.main,
                "parts": [p.src for p in state.package.parts.values() if p.story],
                "images": len(images), "dropped": state.package.dropped, **stats}
        if state.images.parts or state.images.no_text:
            info["ocr"] = state.images.describe()
        return Parsed(text + state.images.text, self.name, state=state, unreadable=unreadable, info=info)

    def write(self, parsed: Parsed, spans, dest: Path, options: WriteOptions) -> WriteResult:
        state: _State = parsed.state
        if parsed.unreadable and not options.accept_unreadable:  # fail closed, whatever the caller checked
            how = "images in a DOCX cannot be flattened; " if options.flatten else ""
            raise BadInput(f"{state.path}: {len(parsed.unreadable)} image(s) may hold text that cannot be read "
                           f"(first: {parsed.unreadable[0].where}); {how}--accept-unreadable writes them as they are")
        roots, nodes, text, stats = _prepare(state)  # fresh trees: write never edits what read returned
        images = state.images
        if text + (images.text if images else "") != parsed.text:
            raise RuntimeError(f"{state.path}: DOCX text changed between read and write")
        operator = options.operator
        labels = needle_labels(parsed.text, spans)
        story_spans = images.spans_before(spans) if images else spans
        package = dataclasses.replace(state.package, parts={
            src: dataclasses.replace(p, rels=list(p.rels)) for src, p in state.package.parts.items()})
        doomed = {  # external links whose target or text holds a removed string: the link goes, its text stays
            src: {r.rid for r in p.rels if r.external and (_link_has_needle(r.target, labels) or
                                                            _link_has_needle(story.link_text(roots[src], r.rid), labels))}
            for src, p in package.parts.items() if p.is_xml}
        touched = story.apply_spans(nodes, text, story_spans, operator)
        for node in nodes:  # alt text, tooltips...: also lose any removed string the spans did not cover
            if node.attr is not None and labels:
                before = story.get_text(node)
                after = mask_needles(before, labels, operator)
                if after != before:
                    story.set_text(node, after)
                    touched.add(node.part)
        labels_masked = 0
        for src, part in package.parts.items():  # list labels ("Kowalski exhibit %1."): masked like free text
            if part.kind == "numbering" and labels:
                changed = story.mask_level_texts(roots[src], lambda v: mask_needles(v, labels, operator))
                labels_masked += changed
                if changed:
                    touched.add(src)
        links_dropped = 0
        for src, rids in doomed.items():
            if rids:
                package.parts[src].rels = [r for r in package.parts[src].rels if r.rid not in rids]
                links_dropped += story.drop_link_rels(roots[src], rids)
                touched.add(src)
        details: list[dict] = [{} for _ in spans]
        ocr_info = None
        if images and images.parts:
            new, details, ocr_info = images.redact(parsed.text, spans, operator, state.package.data)
            package = dataclasses.replace(package, data={**package.data, **new})
            touched.update(name for name, d in zip(new, ocr_info) if d["words_redacted"])
            self._ocr[str(dest)] = (images, {package.parts[name].out: name for name in new})
        pkg.write_package(Path(dest), package, roots)
        redacted_images = {p.name for p in images.parts} if images else set()
        unverified = [p.src for p in pkg.image_parts(state.package) if p.src not in redacted_images]
        info = {"main_part": state.package.main, "rebuilt": ["docProps/core.xml", "docProps/app.xml"],
                "images_unverified": unverified, "links_dropped": links_dropped,
                "numbering_labels_masked": labels_masked, **stats}
        if ocr_info is not None:
            info["ocr"] = {**images.describe(), "images": ocr_info}
        return WriteResult(span_details=details, touched=sorted(touched), dropped=list(state.package.dropped),
                           info=info)

    def __init__(self):
        self._ocr: dict[str, tuple] = {}  # written path -> (ImageParts, output member -> part), for verify

    def verify(self, dest: Path, needles: Needles) -> Verification:
        result = check.verify(Path(dest), needles)
        images, members = self._ocr.pop(str(dest), (None, {}))
        if images is None or not members:
            return result
        import zipfile

        with zipfile.ZipFile(dest) as z:  # the images as written, re-OCR'd (the engine decodes them itself)
            written = {member: z.read(member) for member in members if member in z.namelist()}
        missing = [m for m in members if m not in written]
        hits, checked = images.verify(written, needles)
        result.hits += hits + [f"{m}: OCR'd image missing from the output" for m in missing]
        result.unverified = [u for u in result.unverified if u.split(" (")[0] not in written]
        result.reader += f" + {images.describe()['engine']} re-OCR of {len(written)} image(s)"
        return result


FORMAT = DocxFormat()
