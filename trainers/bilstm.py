"""`redact train bilstm`: embeddings → BiLSTM → linear, trained from scratch.

Its vocabulary is a WordPiece tokenizer trained on the training texts with the ``tokenizers`` library
(lower-cased, like the transformer bases), so nothing is downloaded.

>>> build_tokenizer(["Mr Smith lives in Oslo."] * 3, vocab_size=60).encode("smith").tokens
['smith']
"""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import save_file

from redact.bilstm import BiLSTMConfig, BiLSTMTagger
from redact.models import TokenClassifier
from redact.spans import Document

from . import Family, TrainSettings
from .common import Trainable
from .data import label_list

VOCAB_SIZE = 8000


def build_tokenizer(texts, vocab_size: int = VOCAB_SIZE):
    """A lower-casing WordPiece tokenizer trained on ``texts`` (with character offsets)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=["[PAD]", "[UNK]"],
                                        show_progress=False)
    tok.train_from_iterator(texts, trainer)
    return tok


def prepare(family: Family, base: str | None, train_docs: list[Document], out_dir: str,
            settings: TrainSettings) -> tuple[Trainable, TrainSettings]:
    """A fresh BiLSTM tagger and its tokenizer (learnt on the training texts); ``base`` is unused."""
    tokenizer = build_tokenizer([d.text for d in train_docs])
    labels = label_list()
    config = BiLSTMConfig(vocab_size=tokenizer.get_vocab_size(), labels=labels, max_length=settings.window)
    network = BiLSTMTagger(config)

    def encode(text: str):
        enc = tokenizer.encode(text)
        return enc.ids, enc.offsets

    def as_classifier(net: torch.nn.Module) -> TokenClassifier:
        return TokenClassifier(family.name, Path(out_dir), labels, net, tokenizer, None, None, 0, settings.window,
                               family.name)

    def save(net: torch.nn.Module, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(out / "model.safetensors"))
        tokenizer.save(str(out / "tokenizer.json"))
        config.save(out)

    return Trainable(network, encode, None, None, 0, as_classifier, save, None), settings
