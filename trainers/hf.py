"""Fine-tuning a Hugging Face encoder (``AutoModelForTokenClassification``) on whole TAB documents.

>>> from trainers import FAMILIES, TrainSettings
>>> prepare(FAMILIES["distilbert"], "distilbert-base-uncased", docs, "out/", TrainSettings().resolve("distilbert"))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch

from redact.errors import ModelMissing
from redact.models import TokenClassifier
from redact.spans import Document

from . import Family, TrainSettings
from .common import Trainable
from .data import label_list


def load_base(base: str):
    """Tokenizer and token-classification model from a hub id or a local folder; one clear error offline."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the new head's "missing weights" report is expected
    hf_logging.disable_progress_bar()
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


def prepare(family: Family, base: str, train_docs: list[Document], out_dir: str,
            settings: TrainSettings) -> tuple[Trainable, TrainSettings]:
    """The base encoder with a fresh token-classification head, ready for :func:`trainers.common.fit`;
    the window is capped at the base's maximum length."""
    tokenizer, model = load_base(base)
    backend = tokenizer.backend_tokenizer
    backend.no_truncation()
    backend.no_padding()
    max_len = min(getattr(model.config, "max_position_embeddings", 512), 512)
    settings = replace(settings, window=min(settings.window, max_len))
    cls_id, sep_id, pad_id = tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id or 0

    def encode(text: str):
        enc = backend.encode(text, add_special_tokens=False)
        return enc.ids, enc.offsets

    def as_classifier(network: torch.nn.Module) -> TokenClassifier:
        return TokenClassifier(family.name, Path(out_dir), label_list(), network, backend, cls_id, sep_id, pad_id,
                               max_len, family.name)

    def save(network: torch.nn.Module, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        network.save_pretrained(out, safe_serialization=True)
        tokenizer.save_pretrained(out)

    return Trainable(model, encode, cls_id, sep_id, pad_id, as_classifier, save, base), settings
