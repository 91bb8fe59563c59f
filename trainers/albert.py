"""`redact train albert`: fine-tune albert-base-v2 (or `--base`: a local folder or another hub id)."""

from .common import TrainSettings
from .hf import train_hf

DEFAULT_BASE = "albert-base-v2"


def train(train: str, dev: str, out_dir: str, settings: TrainSettings, base: str | None = None,
          quiet: bool = False) -> dict:
    """Train and save a checkpoint; returns the training record (training.json)."""
    return train_hf("albert", base or DEFAULT_BASE, train, dev, out_dir, settings, quiet)
