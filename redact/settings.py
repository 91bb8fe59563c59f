"""Engine settings, resolved and validated in one place.

``None`` means "take the checkpoint's value" (its ``redact.json``), else the defaults below. The CLI's
``--help`` and the README show these same values.

>>> s = Settings(overlap=32).resolve({"threshold": 0.3, "overlap": 64}, max_length=512)
>>> s.window, s.overlap, s.threshold, s.batch_size
(512, 32, 0.3, 8)
>>> Settings(overlap=600).resolve({}, max_length=512)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
redact.errors.BadInput: --overlap must be between 0 and 511 (the window minus one), got 600
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from .errors import BadInput

#: Fallbacks when neither the user nor the checkpoint says otherwise.
DEFAULTS = {"overlap": 64, "threshold": 0.5, "batch_size": 8, "batch_size_cuda": 64}
MIN_WINDOW = 8


@dataclass(frozen=True)
class Settings:
    """Decoding and batching settings. ``None``: the checkpoint's value, else :data:`DEFAULTS`."""

    window: int | None = None
    overlap: int | None = None
    batch_size: int | None = None
    #: a token is part of a span when P(not O) >= threshold (0.5 ≈ argmax for confident models)
    threshold: float | None = None
    propagate: bool = True
    #: occurrences shorter than this many characters are not propagated
    min_propagate_chars: int = 4
    #: only spans scoring at least this (mean P(not O)) are propagated (with ``whole``)
    min_propagate_score: float = 0.5
    #: per-type thresholds as ``((TYPE, threshold), ...)``; ``None``: the checkpoint's ``thresholds``
    #: (none when ``threshold`` is given: one threshold for all types)
    thresholds: tuple | None = None
    #: span rules: whole identifiers, no stop-word/punctuation-only spans, fragments joined, name-like
    #: propagation (see ``Engine.decode``)
    whole: bool = True
    #: a span with no capital letter and no digit needs at least this mean P(not O) (with ``whole``);
    #: ``None``: the checkpoint's ``lower_threshold``, else 0 (off)
    lower_threshold: float | None = None
    #: windows gathered (across documents) before sorting by length and batching
    buffer_windows: int = 256

    def resolve(self, checkpoint: dict, max_length: int, device: str = "cpu") -> "Settings":
        """Concrete values for a model (its ``redact.json`` settings and maximum length); raises
        :class:`BadInput` with the option's name when a value is out of range."""
        window = self.window if self.window is not None else checkpoint.get("window") or max_length
        if not MIN_WINDOW <= window <= max_length:
            raise BadInput(f"--window must be between {MIN_WINDOW} and {max_length} (the model's maximum), "
                           f"got {window}")
        overlap = self.overlap if self.overlap is not None else checkpoint.get("overlap", DEFAULTS["overlap"])
        if not 0 <= overlap < window:
            raise BadInput(f"--overlap must be between 0 and {window - 1} (the window minus one), got {overlap}")
        threshold = self.threshold if self.threshold is not None else checkpoint.get("threshold",
                                                                                    DEFAULTS["threshold"])
        if not 0 < threshold <= 1:
            raise BadInput(f"--threshold must be in (0, 1], got {threshold}")
        if self.thresholds is not None:
            thresholds = tuple(sorted(dict(self.thresholds).items()))
        elif self.threshold is not None:
            thresholds = ()
        else:
            thresholds = tuple(sorted((checkpoint.get("thresholds") or {}).items()))
        if any(not 0 < v <= 1 for _, v in thresholds):
            raise BadInput(f"per-type thresholds must be in (0, 1], got {dict(thresholds)}")
        lower = self.lower_threshold if self.lower_threshold is not None else checkpoint.get("lower_threshold", 0.0)
        if not 0 <= lower <= 1:
            raise BadInput(f"lower_threshold must be in [0, 1], got {lower}")
        batch = self.batch_size if self.batch_size is not None else \
            DEFAULTS["batch_size_cuda" if str(device).startswith("cuda") else "batch_size"]
        if batch < 1:
            raise BadInput(f"--batch-size must be at least 1, got {batch}")
        if self.buffer_windows < 1 or self.min_propagate_chars < 1:
            raise BadInput("buffer_windows and min_propagate_chars must be positive")
        return replace(self, window=window, overlap=overlap, threshold=threshold, batch_size=batch,
                       thresholds=thresholds, lower_threshold=lower)

    def as_dict(self) -> dict:
        return asdict(self)
