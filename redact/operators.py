"""What replaces a redacted span, as small operator objects shared by every format (like Presidio's
operators): ``mask`` (█ of the same length), ``label`` ([PERSON]) and ``pseudonym`` ([PERSON_1]: one
consistent replacement per entity within a document, or across a run when the same operator is reused).

>>> op = get_operator("pseudonym")
>>> op.replace("John Smith", "PERSON"), op.replace("Anna Berg", "PERSON"), op.replace("john  smith", "PERSON")
('[PERSON_1]', '[PERSON_2]', '[PERSON_1]')
>>> get_operator("mask").replace("Oslo", "LOC")
'████'
>>> apply("Ann met Bob.", [Span(0, 3, "PERSON"), Span(8, 11, "PERSON")], get_operator("label"))
'[PERSON] met [PERSON].'
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from .spans import Span

MASK_CHAR = "█"


class Operator:
    """Base class: ``replace(original, label) -> str``. ``same_length`` tells formats whose layout
    is positional (PDF) that the replacement fills exactly the removed characters."""

    name = "operator"
    same_length = False

    def replace(self, original: str, label: str) -> str:
        raise NotImplementedError

    def fresh(self) -> "Operator":
        """The operator for the next document (pseudonym numbering restarts unless run-wide)."""
        return self


class Mask(Operator):
    """█ for every character (line breaks kept, so the layout of plain text holds)."""

    name = "mask"
    same_length = True

    def replace(self, original: str, label: str) -> str:
        return "".join(c if c in "\n\r" else MASK_CHAR for c in original)


class Label(Operator):
    """The entity type in brackets."""

    name = "label"

    def replace(self, original: str, label: str) -> str:
        return f"[{label}]"


class Pseudonym(Operator):
    """[LABEL_n], the same n for the same entity (case and spacing ignored). With ``run_wide`` the
    numbering is shared by every document the operator sees."""

    name = "pseudonym"

    def __init__(self, run_wide: bool = False):
        self.run_wide = run_wide
        self._numbers: dict[tuple[str, str], int] = {}
        self._counts: dict[str, int] = {}

    def replace(self, original: str, label: str) -> str:
        key = (label, re.sub(r"\s+", " ", original).strip().casefold())
        if key not in self._numbers:
            self._counts[label] = self._counts.get(label, 0) + 1
            self._numbers[key] = self._counts[label]
        return f"[{label}_{self._numbers[key]}]"

    def fresh(self) -> "Pseudonym":
        return self if self.run_wide else Pseudonym()


#: name -> factory; add an operator by adding a line here (or calling :func:`register_operator`).
OPERATORS: dict[str, Callable[[], Operator]] = {"mask": Mask, "label": Label, "pseudonym": Pseudonym}


def register_operator(name: str, factory: Callable[[], Operator]) -> None:
    """Make ``--style NAME`` available."""
    OPERATORS[name] = factory


def get_operator(style: "str | Operator") -> Operator:
    """An operator by name (or the operator itself).

    >>> get_operator("nope")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ValueError: unknown style 'nope'; choose from mask, label, pseudonym
    """
    if isinstance(style, Operator):
        return style
    if style not in OPERATORS:
        raise ValueError(f"unknown style {style!r}; choose from {', '.join(OPERATORS)}")
    return OPERATORS[style]()


def apply(text: str, spans: Iterable[Span], operator: "Operator | str" = "mask") -> str:
    """``text`` with every span replaced (spans must not overlap; see ``merge_spans``)."""
    op = get_operator(operator)
    out, pos = [], 0
    for s in sorted(spans, key=lambda s: s.start):
        out.append(text[pos : s.start])
        out.append(op.replace(text[s.start : s.end], s.label))
        pos = s.end
    out.append(text[pos:])
    return "".join(out)
