"""`redact train distilbert`: fine-tune distilbert-base-uncased (or `--base`: a local folder or another hub id)."""

from .common import TrainSettings
from .hf import train_hf

DEFAULT_BASE = "distilbert-base-uncased"


def train(train: str, dev: str, out_dir: str, settings: TrainSettings, base: str | None = None,
          quiet: bool = False) -> dict:
    """Train and save a checkpoint; returns the training record (training.json)."""
    return train_hf("distilbert", base or DEFAULT_BASE, train, dev, out_dir, settings, quiet)
