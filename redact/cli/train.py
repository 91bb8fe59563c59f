"""``redact train FAMILY``: train a token classifier on whole TAB documents."""

from __future__ import annotations

import importlib

import click

from trainers import FAMILIES
from trainers.common import SELECTION_METRIC, TrainSettings

_defaults = TrainSettings()


@click.command("train", context_settings={"show_default": True})
@click.argument("family", type=click.Choice(sorted(FAMILIES)))
@click.option("--train", "train_path", required=True, type=click.Path(dir_okay=False),
              help="Training data: TAB JSON or our JSONL.")
@click.option("--dev", "dev_path", required=True, type=click.Path(dir_okay=False),
              help="Dev data for per-epoch scores, early stopping and threshold tuning.")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Checkpoint folder to write (loadable with `redact run --model DIR`).")
@click.option("--base", default=None, help="Base model: hub id or local from_pretrained folder "
              "(transformer families; default: the family's hub base, or the packaged MiniLM).")
@click.option("--epochs", default=_defaults.epochs, help="Maximum epochs.")
@click.option("--lr", default=_defaults.lr, help="Peak learning rate (linear warm-up and decay). "
              "BiLSTM default: 2e-3 when left at this value.")
@click.option("--batch-size", default=_defaults.batch_size, help="Windows per step.")
@click.option("--window", default=_defaults.window, help="Tokens per window, special tokens included.")
@click.option("--overlap", default=_defaults.overlap, help="Tokens shared by consecutive windows.")
@click.option("--seed", default=_defaults.seed)
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto")
@click.option("--o-weight", default=_defaults.o_weight,
              help="Loss weight of the O class (class weighting; < 1 favours recall).")
@click.option("--label-smoothing", default=_defaults.label_smoothing)
@click.option("--patience", default=_defaults.patience,
              help=f"Stop after this many epochs without a better dev {SELECTION_METRIC} (TAB token F1).")
@click.option("--no-tune-threshold", is_flag=True,
              help="Keep threshold 0.5 instead of picking the dev threshold with the best token F2.")
@click.option("--max-steps", type=int, default=None, help="Stop after this many optimiser steps (smoke tests).")
@click.option("-q", "--quiet", is_flag=True)
def command(family, train_path, dev_path, out_dir, base, epochs, lr, batch_size, window, overlap, seed, device,
            o_weight, label_smoothing, patience, no_tune_threshold, max_steps, quiet) -> None:
    """Train FAMILY (bilstm, distilbert, legalbert, albert, minilm) on every token of every document.

    Each epoch prints the dev TAB token recall/precision/F1, ER_di and seqeval F1; the best epoch by dev
    token F1 is kept. The decision threshold on P(not O) is then chosen on dev (best token F2, favouring
    recall) and saved with the checkpoint, together with training.json (data hashes, settings, scores, time).
    """
    settings = TrainSettings(epochs=epochs, lr=lr, batch_size=batch_size, window=window, overlap=overlap,
                             seed=seed, device=device, o_weight=o_weight, label_smoothing=label_smoothing,
                             patience=patience, tune_threshold=not no_tune_threshold, max_steps=max_steps)
    module = importlib.import_module(FAMILIES[family])
    info = module.train(train_path, dev_path, out_dir, settings, base=base, quiet=quiet)
    if info:
        best = info["epochs"][info["best_epoch"] - 1] if info["best_epoch"] > 0 else {}
        click.echo(f"saved {out_dir}: best epoch {info['best_epoch']} (dev token F1 {best.get('token_f1', 0):.3f}),"
                   f" threshold {info['threshold']}, {info['seconds']:.0f}s")
