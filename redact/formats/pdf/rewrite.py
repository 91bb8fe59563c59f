"""Glyph removal in content streams, and the other operator-level clean-ups.

A string operator holding a removed glyph becomes a TJ array in which the kept glyphs stay where they
were: each removed code becomes a position adjustment equal to its advance (width, character and word
spacing, horizontal scaling), so nothing after it moves. Marked-content property lists (``/ActualText``,
``/Alt``, ``/E``, ``/Lang``... and named property lists) are dropped: ``BDC`` becomes ``BMC``, ``DP``
becomes ``MP``. Streams we draw but do not interpret (soft masks, tiling patterns) lose their text
operators entirely (:func:`scrub_text`).
"""

from __future__ import annotations

from collections import defaultdict

from .interpret import TEXT_SHOWING

#: resource category of the name operand each operator uses
_RESOURCE_OPS = {b"Tf": "/Font", b"Do": "/XObject", b"gs": "/ExtGState", b"sh": "/Shading",
                 b"cs": "/ColorSpace", b"CS": "/ColorSpace"}
_DEVICE_SPACES = {"/DeviceGray", "/DeviceRGB", "/DeviceCMYK", "/Pattern", "/G", "/RGB", "/CMYK", "/I",
                  "/Indexed"}


def rewrite(operations: list, removals: dict[int, list[tuple[int, int, int, float]]]) -> tuple[list, dict]:
    """New operations: removed glyphs out (``removals``: op index → (item, start, end, adjust)), marked
    content stripped of its property lists. Returns (operations, counts of what was stripped)."""
    from pypdf.generic import ArrayObject, ByteStringObject, FloatObject

    stats: dict[str, int] = defaultdict(int)
    out = []
    for index, (operands, op) in enumerate(operations):
        if op == b"BDC":
            props = operands[1] if len(operands) > 1 else None
            props = props.get_object() if hasattr(props, "get_object") else props
            if isinstance(props, dict):
                for key in props:
                    stats[str(key)] += 1
            out.append(([operands[0]], b"BMC"))
            continue
        if op == b"DP":
            out.append(([operands[0]], b"MP"))
            continue
        if index not in removals:
            out.append((operands, op))
            continue
        gone: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
        for item, start, end, adjust in removals[index]:
            gone[item].append((start, end, adjust))
        items = operands[0] if op == b"TJ" else [operands[-1]]
        array = ArrayObject()
        for item_index, item in enumerate(items):
            if not isinstance(item, (bytes, str)):
                array.append(item)
                continue
            data = item.original_bytes if hasattr(item, "original_bytes") else bytes(item)
            kept, pos = bytearray(), 0
            for start, end, adjust in sorted(gone.get(item_index, [])):
                if start < pos:
                    continue
                kept += data[pos:start]
                if kept:
                    array.append(ByteStringObject(bytes(kept)))
                    kept = bytearray()
                array.append(FloatObject(round(adjust, 4)))
                pos = end
            kept += data[pos:]
            if kept:
                array.append(ByteStringObject(bytes(kept)))
        if op == b'"':
            out += [([operands[0]], b"Tw"), ([operands[1]], b"Tc")]
        if op in (b"'", b'"'):
            out.append(([], b"T*"))
        out.append(([array], b"TJ"))
    return out, dict(stats)


def scrub_text(operations: list) -> tuple[list, int]:
    """Operations without any text-showing operator (for streams whose text is not interpreted)."""
    out, dropped = [], 0
    for operands, op in operations:
        if op in TEXT_SHOWING:
            dropped += 1
            if op in (b"'", b'"'):
                out.append(([], b"T*"))
            continue
        if op == b"BDC":
            out.append(([operands[0]], b"BMC"))
            continue
        if op == b"DP":
            out.append(([operands[0]], b"MP"))
            continue
        out.append((operands, op))
    return out, dropped


def used_resources(operations: list) -> dict[str, set]:
    """Resource names each category is asked for by these operations."""
    used: dict[str, set] = defaultdict(set)
    for operands, op in operations:
        if op in _RESOURCE_OPS and operands:
            name = operands[0]
            if op in (b"cs", b"CS") and str(name) in _DEVICE_SPACES:
                continue
            used[_RESOURCE_OPS[op]].add(str(name))
        elif op in (b"scn", b"SCN") and operands and isinstance(operands[-1], str) \
                and str(operands[-1]).startswith("/"):
            used["/Pattern"].add(str(operands[-1]))
        elif op == b"INLINE IMAGE":
            settings = operands.get("settings", {}) if isinstance(operands, dict) else {}
            cs = settings.get("/CS", settings.get("/ColorSpace"))
            if isinstance(cs, str) and cs not in _DEVICE_SPACES:
                used["/ColorSpace"].add(str(cs))
    return used
