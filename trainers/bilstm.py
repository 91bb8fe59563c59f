"""`redact train bilstm`: embeddings → BiLSTM → linear, trained from scratch.

Its vocabulary is a WordPiece tokenizer trained on the training texts with the ``tokenizers`` library
(lower-cased, like the transformer bases), so nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import save_file

from redact.bilstm import BiLSTMConfig, BiLSTMTagger
from redact.models import TokenClassifier

from .common import TrainSettings, fit, load_split
from .data import label_list

DEFAULT_BASE = None
#: The BiLSTM learns faster than a pretrained encoder is fine-tuned: this replaces the CLI's default lr.
DEFAULT_LR = 2e-3
VOCAB_SIZE = 8000


def build_tokenizer(texts, vocab_size: int = VOCAB_SIZE):
    """A lower-casing WordPiece tokenizer trained on ``texts`` (with character offsets)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=["[PAD]", "[UNK]"])
    tok.train_from_iterator(texts, trainer)
    return tok


def train(train: str, dev: str, out_dir: str, settings: TrainSettings, base: str | None = None,
          quiet: bool = False) -> dict:
    """Train and save a checkpoint; returns the training record (training.json)."""
    if settings.lr == TrainSettings().lr:
        settings.lr = DEFAULT_LR
    tokenizer = build_tokenizer([d.text for d in load_split(train)])
    labels = label_list()
    config = BiLSTMConfig(vocab_size=tokenizer.get_vocab_size(), labels=labels, max_length=settings.window)
    network = BiLSTMTagger(config)

    def encode(text: str):
        enc = tokenizer.encode(text)
        return enc.ids, enc.offsets

    def as_classifier(net: torch.nn.Module) -> TokenClassifier:
        return TokenClassifier("bilstm", Path(out_dir), labels, net, tokenizer, None, None, 0,
                               settings.window, "bilstm")

    def save(net: torch.nn.Module, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(out / "model.safetensors"))
        tokenizer.save(str(out / "tokenizer.json"))
        config.save(out)

    return fit(network, as_classifier, save, train, dev, out_dir, settings, "bilstm", None, encode,
               None, None, 0, quiet)
