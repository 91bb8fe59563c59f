"""Fine-tuning a Hugging Face encoder (``AutoModelForTokenClassification``) on whole TAB documents.

>>> train_hf("distilbert", "distilbert-base-uncased", "train.json", "dev.json", "out/")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import torch

from redact.errors import ModelMissing
from redact.models import TokenClassifier

from .common import TrainSettings, fit
from .data import label_list


def load_base(base: str):
    """Tokenizer and token-classification model from a hub id or a local folder; one clear error offline."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    labels = label_list()
    try:
        tokenizer = AutoTokenizer.from_pretrained(base)
        model = AutoModelForTokenClassification.from_pretrained(
            base, num_labels=len(labels), id2label=dict(enumerate(labels)), dtype=torch.float32,
            label2id={lab: i for i, lab in enumerate(labels)}, ignore_mismatched_sizes=True)
    except (OSError, ValueError) as exc:
        where = "folder" if Path(base).exists() else "Hugging Face Hub model"
        raise ModelMissing(
            f"base model '{base}' could not be loaded ({where}: {str(exc).splitlines()[0][:120]}); "
            f"connect to the Hub once, or pass --base PATH to a local from_pretrained folder"
        ) from None
    if not getattr(tokenizer, "is_fast", False):
        raise ModelMissing(f"base model '{base}' has no fast tokenizer (tokenizer.json), needed for offsets")
    return tokenizer, model


def train_hf(family: str, base: str, train: str, dev: str, out_dir: str, settings: TrainSettings,
             quiet: bool = False) -> dict:
    """Fine-tune ``base`` and write a complete checkpoint folder to ``out_dir``."""
    tokenizer, model = load_base(base)
    backend = tokenizer.backend_tokenizer
    backend.no_truncation()
    backend.no_padding()
    max_len = min(getattr(model.config, "max_position_embeddings", 512), 512)
    settings.window = min(settings.window, max_len)

    def encode(text: str):
        enc = backend.encode(text, add_special_tokens=False)
        return enc.ids, enc.offsets

    def as_classifier(network: torch.nn.Module) -> TokenClassifier:
        return TokenClassifier(family, Path(out_dir), label_list(), network, backend, tokenizer.cls_token_id,
                               tokenizer.sep_token_id, tokenizer.pad_token_id or 0, max_len, family)

    def save(network: torch.nn.Module, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        network.save_pretrained(out, safe_serialization=True)
        tokenizer.save_pretrained(out)

    return fit(model, as_classifier, save, train, dev, out_dir, settings, family, base, encode,
               tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id or 0, quiet)
