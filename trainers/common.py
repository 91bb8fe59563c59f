"""The training loop every family shares: batches of windows, AdamW, dev scoring each epoch,
early stopping, decision-threshold tuning on dev, and the checkpoint's ``training.json``.

>>> TrainSettings().epochs
8
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import torch
from tqdm.auto import tqdm

from redact.corpus import read_documents
from redact.engine import Engine, Settings
from redact.errors import BadInput
from redact.models import TokenClassifier
from redact.score import score
from redact.spans import Document

from .data import IGNORE, Example, build_examples, label_list

#: Early stopping and model selection use this dev metric.
SELECTION_METRIC = "token_f1"
#: Thresholds on P(not O) tried on dev; the one with the best recall-weighted F2 is saved.
THRESHOLDS = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)


@dataclass
class TrainSettings:
    epochs: int = 8
    lr: float = 5e-5
    batch_size: int = 8
    window: int = 512
    overlap: int = 128
    seed: int = 13
    device: str = "auto"
    #: loss weight of the O class (below 1 trades precision for recall)
    o_weight: float = 1.0
    label_smoothing: float = 0.0
    patience: int = 3
    warmup: float = 0.1
    weight_decay: float = 0.01
    tune_threshold: bool = True
    max_steps: int | None = None


def load_split(path: str) -> list[Document]:
    """Read a training/dev file; every document needs annotations."""
    docs = list(read_documents(path))
    if not docs:
        raise BadInput(f"{path}: no documents")
    for d in docs:
        if not d.spans:
            raise BadInput(f"{path} (doc {d.doc_id}): no annotations to learn from")
    return docs


def file_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise BadInput("--device cuda: no CUDA device is available here (use --device cpu)")
    if name == "cuda" and "LOCAL_RANK" in os.environ:
        return torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    return torch.device(name)


def _batches(examples: list[Example], size: int, pad_id: int, rng: random.Random):
    order = list(range(len(examples)))
    rng.shuffle(order)
    for i in range(0, len(order), size):
        chunk = [examples[j] for j in order[i : i + size]]
        width = max(len(e.input_ids) for e in chunk)
        ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
        labels = torch.full((len(chunk), width), IGNORE, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for r, e in enumerate(chunk):
            ids[r, : len(e.input_ids)] = torch.tensor(e.input_ids)
            labels[r, : len(e.labels)] = torch.tensor(e.labels)
            mask[r, : len(e.input_ids)] = 1
        yield ids, mask, labels


def dev_scores(classifier: TokenClassifier, dev: list[Document], window: int, overlap: int,
               thresholds=(None,)) -> dict:
    """Dev scores per threshold (model probabilities are computed once)."""
    engine = Engine(classifier, Settings(window=window, overlap=overlap, batch_size=16))
    copies = [Document(d.doc_id, d.text) for d in dev]
    cached = list(engine.probabilities(copies))
    out = {}
    for t in thresholds:
        if t is not None:
            engine.threshold = t
        preds = {doc.doc_id: engine.decode(doc.text, offsets, probs) for doc, offsets, probs in cached}
        result = score(dev, preds)
        # a metric with nothing to count (precision when nothing is predicted) is None: count it as 0 here
        out[engine.threshold] = {**{k: v or 0.0 for k, v in result["tab"].items() if k != "token_recall_by_type"},
                                 "seqeval_f1": result["seqeval"]["f1"]}
    return out


def fit(network: torch.nn.Module, as_classifier: Callable[[torch.nn.Module], TokenClassifier],
        save: Callable[[torch.nn.Module, Path], None], train_path: str, dev_path: str, out_dir: str,
        settings: TrainSettings, family: str, base: str | None, encode, cls_id, sep_id, pad_id,
        quiet: bool = False) -> dict:
    """Train ``network`` on whole documents, keep the best dev epoch in ``out_dir``; returns training.json."""
    started = time.time()
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    train_docs, dev_docs = load_split(train_path), load_split(dev_path)
    examples = build_examples(train_docs, encode, settings.window, settings.overlap, cls_id, sep_id)
    device = resolve_device(settings.device)
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    main_process = int(os.environ.get("RANK", "0")) == 0
    if distributed:  # torchrun: one process per GPU, each on its share of the windows
        torch.distributed.init_process_group("nccl" if device.type == "cuda" else "gloo")
        rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
        examples = examples[rank::world]
    network.to(device)
    trained = torch.nn.parallel.DistributedDataParallel(network) if distributed else network

    labels = label_list()
    weights = torch.ones(len(labels))
    weights[0] = settings.o_weight
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights.to(device), ignore_index=IGNORE,
                                        label_smoothing=settings.label_smoothing)
    decay = [p for n, p in network.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in network.named_parameters() if p.ndim <= 1]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": settings.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=settings.lr)
    steps_per_epoch = math.ceil(len(examples) / settings.batch_size)
    total = steps_per_epoch * settings.epochs
    if settings.max_steps:
        total = min(total, settings.max_steps)
    warm = max(1, int(total * settings.warmup))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))

    history, best, best_epoch, step, losses = [], -1.0, -1, 0, []
    out = Path(out_dir)
    for epoch in range(1, settings.epochs + 1):
        trained.train()
        bar = tqdm(_batches(examples, settings.batch_size, pad_id, rng), total=steps_per_epoch,
                   desc=f"epoch {epoch}/{settings.epochs}", disable=quiet or not main_process, leave=False)
        epoch_loss = []
        for ids, mask, gold in bar:
            out_ = trained(input_ids=ids.to(device), attention_mask=mask.to(device))
            logits = out_.logits if hasattr(out_, "logits") else out_
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]).float(), gold.to(device).reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            epoch_loss.append(loss.item())
            losses.append(loss.item())
            bar.set_postfix(loss=f"{sum(epoch_loss[-20:]) / len(epoch_loss[-20:]):.4f}")
            step += 1
            if settings.max_steps and step >= settings.max_steps:
                break
        stop = bool(settings.max_steps and step >= settings.max_steps)
        if main_process:
            network.eval()
            dev = dev_scores(as_classifier(network), dev_docs, settings.window, settings.overlap)[0.5]
            row = {"epoch": epoch, "loss": sum(epoch_loss) / max(1, len(epoch_loss)), **dev}
            history.append(row)
            if not quiet:
                tqdm.write(f"epoch {epoch}: loss {row['loss']:.4f}  dev token recall {dev['token_recall']:.3f}  "
                           f"precision {dev['token_precision']:.3f}  {SELECTION_METRIC} {dev[SELECTION_METRIC]:.3f}"
                           f"  ER_di {dev['recall_direct_entities']:.3f}  seqeval F1 {dev['seqeval_f1']:.3f}")
            if dev[SELECTION_METRIC] > best:
                best, best_epoch = dev[SELECTION_METRIC], epoch
                save(network, out)
            elif epoch - best_epoch >= settings.patience:
                stop = True
        if distributed:  # every process must leave the loop together, on the main process's decision
            flag = torch.tensor([int(stop)], device=device)
            torch.distributed.broadcast(flag, src=0)
            stop = bool(flag.item())
        if stop:
            break

    info = {}
    if main_process:
        threshold = 0.5
        if settings.tune_threshold:
            from redact.models import load_model

            tuned = dev_scores(load_model(str(out)), dev_docs, settings.window, settings.overlap, THRESHOLDS)
            f2 = {t: 5 * r["token_precision"] * r["token_recall"] / max(1e-9, 4 * r["token_precision"]
                                                                         + r["token_recall"])
                  for t, r in tuned.items()}
            threshold = max(f2, key=f2.get)
            info["threshold_search"] = {str(t): r for t, r in tuned.items()}
        info.update({
            "family": family, "base": base, "train": {"path": str(train_path), "sha256": file_hash(train_path),
                                                      "documents": len(train_docs), "windows": len(examples)},
            "dev": {"path": str(dev_path), "sha256": file_hash(dev_path), "documents": len(dev_docs)},
            "settings": asdict(settings), "device": str(device), "selection_metric": SELECTION_METRIC,
            "best_epoch": best_epoch, "threshold": threshold, "epochs": history,
            "first_losses": losses[:5], "last_losses": losses[-5:], "seconds": round(time.time() - started, 1),
        })
        (out / "training.json").write_text(json.dumps(info, indent=2))
        (out / "redact.json").write_text(json.dumps(
            {"window": settings.window, "overlap": settings.overlap, "threshold": threshold}, indent=2))
    if distributed:
        torch.distributed.destroy_process_group()
    return info
