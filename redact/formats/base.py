"""The contract every file format fulfils, and the typed objects that cross the seams.

read → :class:`Parsed` (text for the model + the format's private state) → engine spans →
``write(parsed, spans, dest, options)`` → :class:`WriteResult` → ``verify(dest, needles)`` →
:class:`Verification`. The pipeline renames ``dest`` into place only when the verification passed.

>>> Verification(reader="pdftotext").ok
True
>>> Verification(reader="x", hits=["page 1: 'Kowalski'"]).ok
False
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # imported for annotations only: formats never import the engine
    from ..operators import Operator
    from ..spans import Span
    from ..verify import Needles


@dataclass
class Unreadable:
    """A place whose text could not be extracted reliably (so it cannot be claimed redacted).

    >>> Unreadable("page 3", "font F1 has no Unicode map", page=3).where
    'page 3'
    """

    where: str  # "page 3", "word/media/image1.png"
    reason: str
    page: int | None = None


@dataclass
class Parsed:
    """A document read from a file: ``text`` is what the model sees, ``state`` is private to the format.

    ``unreadable`` lists what the reader could not turn into text (scans, fonts without a Unicode map,
    images of text): the pipeline fails such files unless the user accepts it or asks to flatten.
    ``info`` holds report fields (``pages``...).

    >>> Parsed("Ann", format="txt").unreadable
    []
    """

    text: str
    format: str
    state: Any = None
    unreadable: list[Unreadable] = field(default_factory=list)
    info: dict = field(default_factory=dict)


@dataclass
class WriteOptions:
    """How to write: the replacement operator, and what to do with unreadable places.

    ``flatten``: rasterize unreadable pages with the boxes burned into the pixels (formats that can).
    ``accept_unreadable``: write them as they are (the report lists them as unverified).
    """

    operator: "Operator"
    flatten: bool = False
    accept_unreadable: bool = False


@dataclass
class WriteResult:
    """What a writer did. ``span_details`` is aligned with the spans (e.g. page and bbox for PDF);
    ``dropped`` names what was not carried into the output (parts, annotations, metadata)."""

    span_details: list[dict] = field(default_factory=list)
    touched: list = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)


@dataclass
class Verification:
    """The result of reading an output back with a reader that is not its writer.

    ``hits``: one line per removed string found (where, what); ``unverified``: places the reader
    could not check (accepted unreadable pages)."""

    reader: str
    hits: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.hits


@runtime_checkable
class Format(Protocol):
    """A file format: ``name``, ``suffixes``, and read / write / verify."""

    name: str
    suffixes: tuple[str, ...]

    def read(self, path: Path) -> Parsed: ...

    def write(self, parsed: Parsed, spans: "list[Span]", dest: Path, options: WriteOptions) -> WriteResult: ...

    def verify(self, dest: Path, needles: "Needles") -> Verification: ...
