"""``redact train FAMILY``: train a token classifier on whole TAB documents."""

from __future__ import annotations

import click

import trainers
from trainers import DEFAULTS, FAMILIES, TrainSettings

#: (header, row key, format) of the per-epoch table printed while training
COLUMNS = (("epoch", "epoch", "{:>5d}"), ("loss", "loss", "{:>7.4f}"), ("dev loss", "dev_loss", "{:>8.4f}"),
           ("recall", "token_recall", "{:>6.3f}"), ("prec.", "token_precision", "{:>6.3f}"),
           ("F1", "token_f1", "{:>6.3f}"), ("ER_di", "recall_direct_entities", "{:>6.3f}"),
           ("ER_qi", "recall_quasi_entities", "{:>6.3f}"), ("seconds", "seconds", "{:>7.1f}"))


def table_header() -> str:
    """The per-epoch table's header (token scores are dev TAB scores at threshold 0.5).

    >>> table_header().split()[:4]
    ['epoch', 'loss', 'dev', 'loss']
    """
    widths = [len(f.format(0)) if "d" in f else len(f.format(0.0)) for _, _, f in COLUMNS]
    return "  ".join(f"{h:>{w}}" for (h, _, _), w in zip(COLUMNS, widths))


def table_row(row: dict, best: bool = False) -> str:
    """One epoch as a table line; ``*`` marks a new best epoch.

    >>> table_row({"epoch": 2, "loss": 0.5, "token_recall": 0.9, "seconds": 3.0})
    '    2   0.5000         -   0.900       -       -       -       -      3.0'
    """
    cells = []
    for _, key, fmt in COLUMNS:
        value = row.get(key)
        width = len(fmt.format(0)) if "d" in fmt else len(fmt.format(0.0))
        cells.append(f"{'-':>{width}}" if value is None else fmt.format(value))
    return "  ".join(cells) + ("  *" if best else "")


def _default_help(setting: str) -> str:
    special = {name: fam.defaults[setting] for name, fam in FAMILIES.items() if setting in fam.defaults}
    extra = "".join(f"; {name}: {value:g}" for name, value in sorted(special.items()))
    return f"[default: {DEFAULTS[setting]:g}{extra}]"


@click.command("train")
@click.argument("family", type=click.Choice(sorted(FAMILIES)))
@click.option("--train", "train_path", required=True, type=click.Path(dir_okay=False),
              help="Training data: TAB JSON or our JSONL.")
@click.option("--dev", "dev_path", required=True, type=click.Path(dir_okay=False),
              help="Dev data for per-epoch scores, early stopping and threshold tuning.")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Checkpoint folder to write (loadable with `redact run --model DIR`).")
@click.option("--base", default=None, help="Base model: hub id or local from_pretrained folder "
              "(transformer families; default: the family's hub base, or the packaged MiniLM).")
@click.option("--epochs", type=int, help=f"Maximum epochs. {_default_help('epochs')}")
@click.option("--lr", type=float, help=f"Peak learning rate (linear warm-up and decay). {_default_help('lr')}")
@click.option("--batch-size", type=int, help=f"Windows per step. {_default_help('batch_size')}")
@click.option("--window", type=int, help="Tokens per window, special tokens included (capped at the base's "
              f"maximum). {_default_help('window')}")
@click.option("--overlap", type=int, help=f"Tokens shared by consecutive windows. {_default_help('overlap')}")
@click.option("--seed", type=int, help=_default_help("seed"))
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
@click.option("--o-weight", type=float, help="Loss weight of the O class (class weighting; < 1 favours "
              f"recall). {_default_help('o_weight')}")
@click.option("--no-mask-weight", type=float, help="Loss weight of the tokens inside NO_MASK mentions (labelled O; "
              f"> 1 teaches what must stay readable). {_default_help('no_mask_weight')}")
@click.option("--label-smoothing", type=float, help=_default_help("label_smoothing"))
@click.option("--patience", type=int, help="Stop after this many epochs without a better dev token F1. "
              f"{_default_help('patience')}")
@click.option("--no-tune-threshold", is_flag=True,
              help="Keep threshold 0.5 instead of picking the dev threshold with the best token F2.")
@click.option("--max-steps", type=int, default=None, help="Stop after this many optimiser steps (smoke tests).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no per-epoch table.")
@click.pass_context
def command(ctx, family, train_path, dev_path, out_dir, base, epochs, lr, batch_size, window, overlap, seed,
            device, o_weight, no_mask_weight, label_smoothing, patience, no_tune_threshold, max_steps, quiet) -> None:
    """Train FAMILY (bilstm, distilbert, legalbert, albert, minilm) on every token of every document.

    Each epoch prints one table row: train and dev loss, dev TAB token recall/precision/F1 and ER_di/ER_qi
    at threshold 0.5, seconds. The best epoch by dev token F1 is kept; the decision threshold on P(not O)
    is then chosen on dev (best token F2, favouring recall) and saved with the checkpoint, together with
    training.json (data hashes, settings, scores, time) and training.png (`redact plot-training` redraws it).
    Options left out take the family's defaults. Ctrl-C stops at the next step and keeps the best epoch so far.
    """
    settings = TrainSettings(epochs=epochs, lr=lr, batch_size=batch_size, window=window, overlap=overlap,
                             seed=seed, device=device, o_weight=o_weight, no_mask_weight=no_mask_weight,
                             label_smoothing=label_smoothing,
                             patience=patience, tune_threshold=not no_tune_threshold, max_steps=max_steps)
    from tqdm.auto import tqdm

    best = [float("-inf")]

    def on_epoch(row: dict) -> None:
        if row["epoch"] == 1:
            tqdm.write(table_header())
        improved = row["token_f1"] > best[0]
        best[0] = max(best[0], row["token_f1"])
        tqdm.write(table_row(row, improved))

    info = trainers.train(family, train_path, dev_path, out_dir, settings, base=base, quiet=quiet,
                          on_epoch=None if quiet else on_epoch)
    if not info:  # a torchrun worker other than the main process
        return
    stopped = info.get("interrupted")
    if info["best_epoch"] < 1:
        where = "setup" if stopped["during"] == "setup" else f"epoch {stopped['epoch']} (step {stopped['step']})"
        click.echo(f"redact: interrupted during {where}: no epoch finished, nothing saved", err=True)
        ctx.exit(130)
    kept = info["epochs"][info["best_epoch"] - 1]
    summary = (f"best epoch {info['best_epoch']} (dev token F1 {kept['token_f1']:.3f}), "
               f"threshold {info['threshold']}")
    if stopped:  # the threshold is tuned only after training ran to its end
        click.echo(f"redact: interrupted during {stopped['during']} (epoch {stopped['epoch']}, step "
                   f"{stopped['step']}); kept {out_dir}: {summary} (not tuned)", err=True)
        ctx.exit(130)
    click.echo(f"saved {out_dir}: {summary}, {info['seconds']:.0f}s")
