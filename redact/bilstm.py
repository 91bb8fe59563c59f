"""The BiLSTM token classifier (trained from scratch by ``trainers.bilstm``): embeddings → BiLSTM → linear.

>>> import torch
>>> m = BiLSTMTagger(BiLSTMConfig(vocab_size=50, labels=["O", "B-PERSON", "I-PERSON"]))
>>> m(torch.tensor([[1, 2, 3]])).shape
torch.Size([1, 3, 3])
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

MODEL_TYPE = "redact-bilstm"


@dataclass
class BiLSTMConfig:
    vocab_size: int
    labels: list[str] = field(default_factory=list)
    embedding_dim: int = 128
    hidden_size: int = 192
    num_layers: int = 2
    dropout: float = 0.2
    pad_id: int = 0
    max_length: int = 512

    def save(self, folder: Path) -> None:
        data = {"model_type": MODEL_TYPE, **asdict(self),
                "id2label": {str(i): label for i, label in enumerate(self.labels)}}
        (folder / "config.json").write_text(json.dumps(data, indent=2))

    @classmethod
    def load(cls, folder: Path) -> "BiLSTMConfig":
        data = json.loads((folder / "config.json").read_text())
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


class BiLSTMTagger(nn.Module):
    """Per-token logits from a bidirectional LSTM over subword embeddings."""

    def __init__(self, config: BiLSTMConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=config.pad_id)
        self.lstm = nn.LSTM(config.embedding_dim, config.hidden_size, num_layers=config.num_layers,
                            bidirectional=True, batch_first=True,
                            dropout=config.dropout if config.num_layers > 1 else 0.0)
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(2 * config.hidden_size, len(config.labels))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        x = self.dropout(self.embed(input_ids))
        if attention_mask is not None:
            lengths = attention_mask.sum(1).clamp(min=1).cpu()
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            out, _ = self.lstm(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=input_ids.shape[1])
        else:
            out, _ = self.lstm(x)
        return self.classifier(self.dropout(out))
