"""The library's front door: :class:`Redactor` holds a loaded model and resolved settings.

>>> from redact import Redactor
>>> r = Redactor()  # the shipped model; settings as ``redact run``'s defaults  # doctest: +SKIP
>>> r.redact_text("Mr John Smith lives in Oslo.", style="label")  # doctest: +SKIP
'Mr [PERSON] lives in [LOC].'
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .errors import BadInput
from .formats import WriteOptions
from .operators import Operator, apply, get_operator
from .settings import Settings
from .spans import Span

#: The model used when none is named.
DEFAULT_MODEL = "tab-minilm"


def resolve_device(device: str = "auto") -> str:
    """``auto`` → ``cuda`` when a CUDA device is available, else ``cpu``; ``cuda`` without one is BadInput.
    Without an NVIDIA driver on the machine the answer is ``cpu`` without importing torch (start-up)."""
    if device == "cpu":
        return device
    if device == "auto" and not _nvidia_driver():
        return "cpu"
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        if device == "auto":
            return "cpu"
        raise BadInput(f"--device {device}: needs PyTorch with CUDA")
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise BadInput(f"--device {device}: no CUDA device is available")
    if device != "cpu" and not device.startswith("cuda"):
        raise BadInput(f"--device must be auto, cpu or cuda, got {device!r}")
    return device


def _nvidia_driver() -> bool:
    import os

    return os.path.exists("/proc/driver/nvidia/version") or os.path.exists("/dev/nvidiactl")


class Redactor:
    """Find and remove identifiers with one model and one set of settings.

    ``model``: a name (see ``redact models``) or a checkpoint folder. ``runtime``: ``auto`` (ONNX Runtime on
    the CPU, PyTorch on CUDA), ``onnx``, ``torch``. ``precision``: ``auto`` (int8 on ONNX Runtime; on
    PyTorch bf16 on CPUs with AMX, per-token int8 elsewhere, fp16 on CUDA), ``fp32``, ``bf16``, ``int8``,
    ``fp16``. Every other
    keyword is a :class:`~redact.settings.Settings` field (``threshold``, ``overlap``, ``window``,
    ``batch_size``, ``propagate``...). ``style`` is the default replacement (mask, label, pseudonym).
    ``allow`` / ``deny``: rules files (or lists of lines, or :class:`~redact.rules.Rules`): allowed terms
    are never redacted, denied ones always (see :mod:`redact.rules`).
    """

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str = "auto", precision: str = "auto", runtime: str = "auto",
                 style: "str | Operator" = "mask", patterns: bool = False, flatten: bool = False,
                 accept_unreadable: bool = False, allow=None, deny=None, **settings):
        from .engine import Engine
        from .models import PRECISIONS, load_model
        from .recognizers import default_recognizers
        from .rules import as_rules

        if precision not in PRECISIONS:
            raise BadInput(f"--precision must be one of {', '.join(PRECISIONS)}")
        unknown = set(settings) - set(Settings.__dataclass_fields__)
        if unknown:
            raise BadInput(f"unknown setting(s): {', '.join(sorted(unknown))}")
        self.allow, self.deny = as_rules(allow, "allow"), as_rules(deny, "deny")  # before the model: fail fast
        self.device = resolve_device(device)
        try:
            self.model = load_model(model, device=self.device, precision=precision, runtime=runtime)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
        self.engine = Engine(self.model, Settings(**settings),
                             recognizers=default_recognizers() if patterns else ())
        self.style = _checked_style(style)
        self.flatten, self.accept_unreadable = flatten, accept_unreadable
        self.patterns = patterns

    # -- descriptions for reports and manifests ------------------------------------------------------

    def model_info(self) -> dict:
        m = self.model
        return {"name": m.name, "path": str(m.path), "checkpoint_sha256": m.checkpoint_hash,
                "device": self.device, "precision": m.precision, "runtime": m.runtime.name}

    def settings_info(self, options: WriteOptions | None = None) -> dict:
        info = self.engine.describe()
        for name, rules in (("allow", self.allow), ("deny", self.deny)):
            if rules is not None:
                info[name] = rules.describe()
        if options is not None:
            info.update(style=options.operator.name, flatten=options.flatten,
                        accept_unreadable=options.accept_unreadable)
        return info

    def write_options(self, style: "str | Operator | None" = None) -> WriteOptions:
        return WriteOptions(get_operator(style or self.style), self.flatten, self.accept_unreadable)

    # -- text --------------------------------------------------------------------------------------------

    def spans(self, text: str) -> list[Span]:
        """Predicted spans of one text (sorted, non-overlapping), allow/deny lists applied."""
        from .rules import apply_rules

        return apply_rules(text, self.engine.spans(text), self.allow, self.deny)

    def predict(self, jobs: Iterable) -> Iterator:
        """The pipeline's span source: each job (anything with ``text``) with ``spans`` set, in order.
        Each span's ``annotator`` says what made it: ``model``, ``deny:RULE`` or both."""
        from .rules import apply_rules

        for job in self.engine.predict(jobs):
            job.spans = apply_rules(job.text, job.spans, self.allow, self.deny)
            yield job

    def redact_text(self, text: str, style: "str | Operator | None" = None) -> str:
        """``text`` with every predicted span replaced (``style``: mask, label, pseudonym)."""
        return apply(text, self.spans(text), get_operator(style or self.style))

    # -- files -------------------------------------------------------------------------------------------

    def redact_many(self, inputs: Iterable["str | Path"], out_dir: "str | Path", *, reports: "str | Path | None" = None,
                    style: "str | Operator | None" = None, workers: int = 1, resume: bool = True,
                    **limits) -> Iterator:
        """Redact files, folders or globs into ``out_dir`` (reports in ``OUT.reports``, or ``reports``);
        yields a :class:`~redact.pipeline.Report` per document. The same as ``redact run``."""
        from .pipeline import Layout, run
        from .inputs import expand_inputs

        inputs = [str(p) for p in inputs]  # read once: a generator would be empty the second time
        layout = Layout.for_output(out_dir, reports)
        layout.check_inputs(inputs)
        sources = expand_inputs(inputs, exclude=[layout.out, layout.reports])
        if not sources:
            raise BadInput("no supported files found in the inputs")
        with self._styled(style):
            yield from run(sources, self, layout, workers=workers, resume=resume, **limits)

    def redact_file(self, src: "str | Path", dest: "str | Path", *, reports: "str | Path | None" = None,
                    style: "str | Operator | None" = None):
        """Redact one file to ``dest`` (verified before it is renamed into place); returns its Report.

        The report goes to ``reports`` (a folder; default ``DEST_FOLDER.reports``)."""
        from .inputs import Source
        from .pipeline import Layout, run

        src, dest = Path(src), Path(dest)
        if dest.resolve() == src.resolve():
            raise BadInput(f"{dest}: would overwrite the input")
        if src.suffix.lower() != dest.suffix.lower():
            raise BadInput(f"{dest}: must keep the input's suffix ({src.suffix})")
        layout = Layout.for_output(dest.parent, reports)
        source = Source(src, Path(dest.name), collection=False)
        with self._styled(style):
            return next(iter(run([source], self, layout, resume=False)))

    @contextmanager
    def _styled(self, style: "str | Operator | None"):
        """``style`` (when given) as the default replacement for the duration of one call."""
        previous = self.style
        if style is not None:
            self.style = _checked_style(style)
        try:
            yield
        finally:
            self.style = previous


def _checked_style(style: "str | Operator") -> "str | Operator":
    """A style name (checked against the operator registry) or an operator object."""
    return style if isinstance(style, Operator) else get_operator(style).name
