"""The training loop every family shares, as four steps: :func:`setup` (documents → the engine's windows,
device, loss, AdamW, schedule), :func:`train_epoch`, :func:`evaluate` (dev loss and dev TAB scores) and
:func:`tune_threshold` (P(not O) threshold on dev). :func:`fit` runs them with model selection, early
stopping and Ctrl-C handling, and writes ``training.json``, ``redact.json`` and ``training.png``.

>>> SELECTION_METRIC, THRESHOLDS[-1]
('token_f1', 0.5)
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
from tqdm.auto import tqdm

from redact.api import resolve_device
from redact.corpus import read_documents
from redact.engine import Engine, Settings
from redact.errors import BadInput
from redact.models import TokenClassifier
from redact.score import score
from redact.spans import Document

from . import TrainSettings
from .data import IGNORE, Example, build_examples, label_list

#: Early stopping and model selection use this dev metric.
SELECTION_METRIC = "token_f1"
#: Thresholds on P(not O) tried on dev; the one with the best recall-weighted F2 is saved.
THRESHOLDS = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)


@dataclass
class Trainable:
    """What a family hands to the loop: the network, how to tokenize, and how to wrap and save it."""

    network: torch.nn.Module
    #: text → (subword ids, character offsets), no special tokens
    encode: Callable[[str], tuple[list[int], list[tuple[int, int]]]]
    cls_id: int | None
    sep_id: int | None
    pad_id: int
    #: the network as a :class:`TokenClassifier` the engine can run (dev scoring)
    as_classifier: Callable[[torch.nn.Module], TokenClassifier]
    #: writes a complete checkpoint folder (weights, tokenizer, config)
    save: Callable[[torch.nn.Module, Path], None]
    base: str | None = None


@dataclass
class Split:
    """A training or dev file and its documents."""

    path: str
    docs: list[Document]

    @classmethod
    def load(cls, path: str) -> "Split":
        """Read a training/dev file; every document needs annotations."""
        docs = list(read_documents(path))
        if not docs:
            raise BadInput(f"{path}: no documents")
        for d in docs:
            if not d.spans:
                raise BadInput(f"{path} (doc {d.doc_id}): no annotations to learn from")
        return cls(str(path), docs)


def file_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def training_device(name: str) -> torch.device:
    """The device :func:`redact.api.resolve_device` picks (``auto``: CUDA when available, else the CPU);
    under torchrun each process takes its own GPU (``LOCAL_RANK``).

    >>> training_device("cpu")
    device(type='cpu')
    """
    name = resolve_device(name)
    if name == "cuda" and "LOCAL_RANK" in os.environ:
        return torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    return torch.device(name)


class Stopped(Exception):
    """Ctrl-C arrived inside :meth:`StopFlag.immediate`: the work there is abandoned."""


class StopFlag:
    """Ctrl-C as a request to stop: while installed, the first SIGINT sets :attr:`requested`, which the loop
    checks between steps and inside evaluation. Inside :meth:`immediate` (training steps, evaluation, threshold
    tuning: work that can be thrown away) it also raises :class:`Stopped` at once, so a long step does not
    delay the stop; saving is never inside. A second SIGINT raises KeyboardInterrupt. Installs nothing outside
    the main thread or when ``enabled`` is false.

    >>> with StopFlag() as stop:
    ...     stop.requested
    False
    """

    def __init__(self, enabled: bool = True):
        self.requested = False
        self.enabled = enabled and threading.current_thread() is threading.main_thread()
        self._previous = None
        self._immediate = False

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        if self._immediate:
            raise Stopped

    def run(self, fn: Callable, *args, **kwargs):
        """``fn(*args, **kwargs)`` where Ctrl-C stops it at once; ``None`` when it was stopped."""
        if self.requested:
            return None
        self._immediate = True
        try:
            return fn(*args, **kwargs)
        except Stopped:
            return None
        finally:
            self._immediate = False

    def __enter__(self) -> "StopFlag":
        if self.enabled:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            signal.signal(signal.SIGINT, self._previous)


@dataclass
class Session:
    """Everything :func:`setup` prepares and the epochs share."""

    trainable: Trainable
    settings: TrainSettings
    device: torch.device
    #: the network, or its DistributedDataParallel wrapper under torchrun
    model: torch.nn.Module
    examples: list[Example]
    dev_examples: list[Example]
    dev_docs: list[Document]
    loss_fn: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    rng: random.Random
    steps_per_epoch: int
    distributed: bool = False
    main_process: bool = True
    step: int = 0
    losses: list[float] = field(default_factory=list)

    @property
    def out_of_steps(self) -> bool:
        return bool(self.settings.max_steps and self.step >= self.settings.max_steps)


def setup(trainable: Trainable, train_docs: list[Document], dev_docs: list[Document],
          settings: TrainSettings) -> Session:
    """Windows with labels for every token of every document (one set per annotator), the device (one
    process per GPU under torchrun, each on its share of the windows), class-weighted loss, AdamW and a
    linear warm-up/decay schedule. ``settings`` must be resolved (:meth:`TrainSettings.resolve`)."""
    torch.manual_seed(settings.seed)
    t = trainable
    examples = build_examples(train_docs, t.encode, settings.window, settings.overlap, t.cls_id, t.sep_id,
                              no_mask_weight=settings.no_mask_weight)
    dev_examples = build_examples(dev_docs, t.encode, settings.window, settings.overlap, t.cls_id, t.sep_id)
    device = training_device(settings.device)
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    main_process = int(os.environ.get("RANK", "0")) == 0
    if distributed:
        torch.distributed.init_process_group("nccl" if device.type == "cuda" else "gloo")
        rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
        examples = examples[rank::world]
    network = t.network.to(device)
    model = torch.nn.parallel.DistributedDataParallel(network) if distributed else network

    weights = torch.ones(len(label_list()))
    weights[0] = settings.o_weight
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights.to(device), ignore_index=IGNORE,
                                        label_smoothing=settings.label_smoothing)
    decay = [p for p in network.parameters() if p.ndim > 1]
    no_decay = [p for p in network.parameters() if p.ndim <= 1]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": settings.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=settings.lr)
    steps_per_epoch = math.ceil(len(examples) / settings.batch_size)
    total = steps_per_epoch * settings.epochs
    if settings.max_steps:
        total = min(total, settings.max_steps)
    warm = max(1, int(total * settings.warmup))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    return Session(t, settings, device, model, examples, dev_examples, dev_docs, loss_fn, optimizer, scheduler,
                   random.Random(settings.seed), steps_per_epoch, distributed, main_process)


def _batches(examples: list[Example], size: int, pad_id: int, rng: random.Random | None = None):
    order = list(range(len(examples)))
    if rng is not None:
        rng.shuffle(order)
    for i in range(0, len(order), size):
        chunk = [examples[j] for j in order[i : i + size]]
        width = max(len(e.input_ids) for e in chunk)
        ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
        labels = torch.full((len(chunk), width), IGNORE, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        weights = torch.ones((len(chunk), width)) if any(e.weights for e in chunk) else None
        for r, e in enumerate(chunk):
            ids[r, : len(e.input_ids)] = torch.tensor(e.input_ids)
            labels[r, : len(e.labels)] = torch.tensor(e.labels)
            mask[r, : len(e.input_ids)] = 1
            if weights is not None and e.weights:
                weights[r, : len(e.weights)] = torch.tensor(e.weights)
        yield ids, mask, labels, weights


def _loss(session: Session, model: torch.nn.Module, ids, mask, gold, weights=None) -> torch.Tensor:
    dev = session.device
    out = model(input_ids=ids.to(dev), attention_mask=mask.to(dev))
    logits = out.logits if hasattr(out, "logits") else out
    logits = logits.reshape(-1, logits.shape[-1]).float()
    gold = gold.to(dev).reshape(-1)
    if weights is None:
        return session.loss_fn(logits, gold)
    # per-token weights on top of the class weights, normalised like the class-weighted mean
    fn = session.loss_fn
    per_token = torch.nn.functional.cross_entropy(logits, gold, weight=fn.weight, ignore_index=IGNORE,
                                                  label_smoothing=fn.label_smoothing, reduction="none")
    w = weights.to(dev).reshape(-1)
    valid = gold != IGNORE
    norm = (fn.weight[gold.clamp(min=0)] * w * valid).sum()
    return (per_token * w).sum() / norm.clamp(min=1e-9)


def train_epoch(session: Session, epoch: int, stop: StopFlag | None = None, quiet: bool = False) -> float | None:
    """One pass over the shuffled training windows (or up to ``max_steps``); the mean loss, or ``None``
    when stopped before the pass ended."""
    s = session
    s.model.train()
    losses: list[float] = []
    with tqdm(_batches(s.examples, s.settings.batch_size, s.trainable.pad_id, s.rng), total=s.steps_per_epoch,
              desc=f"epoch {epoch}/{s.settings.epochs}", disable=quiet or not s.main_process, leave=False) as bar:
        for ids, mask, gold, weights in bar:
            if stop is not None and stop.requested:
                return None
            loss = _loss(s, s.model, ids, mask, gold, weights)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(s.trainable.network.parameters(), 1.0)
            s.optimizer.step()
            s.scheduler.step()
            s.optimizer.zero_grad()
            losses.append(loss.item())
            s.losses.append(losses[-1])
            bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.4f}")
            s.step += 1
            if s.out_of_steps:
                break
    if stop is not None and stop.requested:
        return None
    return sum(losses) / max(1, len(losses))


@torch.no_grad()
def dev_loss(session: Session, stop: StopFlag | None = None) -> float | None:
    """Mean loss over the dev windows (same labels, class weights and smoothing as training)."""
    s = session
    network = s.trainable.network.eval()
    total, n = 0.0, 0
    for ids, mask, gold, _ in _batches(s.dev_examples, 2 * s.settings.batch_size, s.trainable.pad_id):
        if stop is not None and stop.requested:
            return None
        total += _loss(s, network, ids, mask, gold).item()
        n += 1
    return total / max(1, n)


def dev_scores(classifier: TokenClassifier, dev: list[Document], window: int, overlap: int,
               thresholds=(None,), stop: StopFlag | None = None) -> dict | None:
    """Dev scores per threshold (model probabilities are computed once); ``None`` when stopped."""
    batch = 16
    # small buffers: the engine hands back documents often, so a stop request is seen within a batch or two
    engine = Engine(classifier, Settings(window=window, overlap=overlap, batch_size=batch, buffer_windows=batch))
    cached = []
    for item in engine.probabilities(Document(d.doc_id, d.text) for d in dev):
        if stop is not None and stop.requested:
            return None
        cached.append(item)
    out = {}
    for t in thresholds:
        if t is not None:
            engine.threshold = t
        preds = {doc.doc_id: engine.decode(doc.text, offsets, probs) for doc, offsets, probs in cached}
        result = score(dev, preds)
        # a metric with nothing to count (precision when nothing is predicted) is None: count it as 0 here
        out[engine.threshold] = {**{k: v or 0.0 for k, v in result["tab"].items() if not isinstance(v, dict)},
                                 "seqeval_f1": result["seqeval"]["f1"]}
    return out


def evaluate(session: Session, stop: StopFlag | None = None) -> dict | None:
    """Dev loss and dev TAB scores at threshold 0.5 for the network as it is; ``None`` when stopped."""
    s = session
    loss = dev_loss(s, stop)
    if loss is None:
        return None
    s.trainable.network.eval()
    scores = dev_scores(s.trainable.as_classifier(s.trainable.network), s.dev_docs, s.settings.window,
                        s.settings.overlap, stop=stop)
    return None if scores is None else {"dev_loss": loss, **scores[0.5]}


def f2(r: dict) -> float:
    """Token F2 (recall weighted 4x) of a dev score row."""
    p, rec = r["token_precision"], r["token_recall"]
    return 5 * p * rec / max(1e-9, 4 * p + rec)


def tune_threshold(classifier: TokenClassifier, dev_docs: list[Document], settings: TrainSettings,
                   stop: StopFlag | None = None) -> tuple[float, dict] | None:
    """The threshold on P(not O) with the best dev token F2 and the scores of every one tried."""
    tuned = dev_scores(classifier, dev_docs, settings.window, settings.overlap, THRESHOLDS, stop)
    if tuned is None:
        return None
    return max(tuned, key=lambda t: f2(tuned[t])), tuned


@dataclass
class Progress:
    """The epochs so far: their rows, the best one (saved), and where a Ctrl-C stopped the run."""

    history: list[dict] = field(default_factory=list)
    best: float = -1.0
    best_epoch: int = -1
    interrupted: dict | None = None


def fit(trainable: Trainable, family: str, train: Split, dev: Split, out_dir: str, settings: TrainSettings,
        quiet: bool = False, on_epoch: Callable[[dict], None] | None = None) -> dict:
    """Train, keep the best dev epoch in ``out_dir``, tune its threshold; returns the training record
    (also written as ``training.json``, with ``training.png``). See :func:`trainers.train`."""
    started = time.time()
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    # under torchrun, Ctrl-C reaches every process and torchrun ends them; a flag would desynchronise them
    with StopFlag(enabled=not distributed) as stop:
        s = stop.run(setup, trainable, train.docs, dev.docs, settings)
        if s is None:
            return {"family": family, "best_epoch": -1, "epochs": [], "seconds": round(time.time() - started, 1),
                    "interrupted": {"epoch": 0, "step": 0, "during": "setup"}}
        progress = run_epochs(s, Path(out_dir), stop, quiet, on_epoch)
        info = finish(s, progress, family, train, dev, Path(out_dir), stop, started) if s.main_process else {}
    if s.distributed:
        torch.distributed.destroy_process_group()
    return info


def run_epochs(s: Session, out: Path, stop: StopFlag, quiet: bool = False,
               on_epoch: Callable[[dict], None] | None = None) -> Progress:
    """Epochs until ``epochs``, ``max_steps``, ``patience`` epochs without a better dev score, or Ctrl-C;
    each better epoch is saved to ``out``."""
    p = Progress()
    for epoch in range(1, s.settings.epochs + 1):
        epoch_started = time.time()
        train_loss = stop.run(train_epoch, s, epoch, stop, quiet)
        if train_loss is None:
            p.interrupted = {"epoch": epoch, "step": s.step, "during": "training"}
            break
        finished = s.out_of_steps
        if s.main_process:
            dev = stop.run(evaluate, s, stop)
            if dev is None:
                p.interrupted = {"epoch": epoch, "step": s.step, "during": "evaluation"}
                break
            row = {"epoch": epoch, "loss": train_loss, **dev, "seconds": round(time.time() - epoch_started, 2)}
            p.history.append(row)
            if on_epoch is not None:
                on_epoch(row)
            if dev[SELECTION_METRIC] > p.best:
                p.best, p.best_epoch = dev[SELECTION_METRIC], epoch
                s.trainable.save(s.trainable.network, out)
            elif epoch - p.best_epoch >= s.settings.patience:
                finished = True
        if s.distributed:  # every process must leave the loop together, on the main process's decision
            flag = torch.tensor([int(finished)], device=s.device)
            torch.distributed.broadcast(flag, src=0)
            finished = bool(flag.item())
        if finished:
            break
    return p


def finish(s: Session, p: Progress, family: str, train: Split, dev: Split, out: Path, stop: StopFlag,
           started: float) -> dict:
    """Tune the kept epoch's threshold (unless stopped), then write training.json, redact.json and
    training.png next to it; returns the training record."""
    if p.best_epoch < 1:  # stopped before the first epoch was scored: nothing was saved
        return {"family": family, "best_epoch": -1, "epochs": p.history, "interrupted": p.interrupted,
                "seconds": round(time.time() - started, 1)}
    info: dict = {}
    threshold = 0.5
    if s.settings.tune_threshold and p.interrupted is None:
        from redact.models import load_model

        tuned = stop.run(tune_threshold, load_model(str(out), runtime="torch"), dev.docs, s.settings, stop)
        if tuned is None:
            p.interrupted = {"epoch": p.best_epoch, "step": s.step, "during": "threshold tuning"}
        else:
            threshold, search = tuned
            info["threshold_search"] = {str(t): r for t, r in search.items()}
    settings = s.settings
    info.update({
        "family": family, "base": s.trainable.base,
        "train": {"path": train.path, "sha256": file_hash(train.path), "documents": len(train.docs),
                  "windows": len(s.examples)},
        "dev": {"path": dev.path, "sha256": file_hash(dev.path), "documents": len(dev.docs),
                "windows": len(s.dev_examples)},
        "settings": settings.as_dict(), "device": str(s.device), "selection_metric": SELECTION_METRIC,
        "best_epoch": p.best_epoch, "threshold": threshold, "epochs": p.history,
        "first_losses": s.losses[:5], "last_losses": s.losses[-5:], "seconds": round(time.time() - started, 1),
    })
    if p.interrupted:
        info["interrupted"] = p.interrupted
    (out / "training.json").write_text(json.dumps(info, indent=2))
    (out / "redact.json").write_text(json.dumps(
        {"window": settings.window, "overlap": settings.overlap, "threshold": threshold}, indent=2))
    _plot(info, out / "training.png")
    if not p.interrupted and family != "bilstm":  # the BiLSTM's packed sequences stay on PyTorch
        _export(out)
    return info


def _export(out: Path) -> None:
    """The checkpoint's int8 ONNX graph, so `redact run --model OUT` starts on ONNX Runtime at once."""
    try:
        from redact.runtime.export import export_checkpoint

        export_checkpoint(out, precisions=("int8",))
    except Exception as exc:  # noqa: BLE001 - the checkpoint is saved; `redact export OUT` or the first run retries
        tqdm.write(f"redact: warning: no ONNX graph written ({type(exc).__name__}: {exc})")


def _plot(info: dict, path: Path) -> None:
    from redact.plots import plot_training

    try:
        plot_training([info], path, names=[path.parent.name])
    except ImportError as exc:  # matplotlib missing: the checkpoint matters more than its picture
        tqdm.write(f"redact: warning: {path.name} not drawn ({exc})")
