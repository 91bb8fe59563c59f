"""Tiny real models for mechanics tests: a WordPiece tokenizer trained here on TAB texts, randomly
initialised BERT / DistilBERT / ALBERT configs, and a 'rigged' BERT whose weights are set so that
chosen words predict PERSON and everything else predicts O."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from trainers.bilstm import build_tokenizer
from trainers.data import label_list

TAB = Path(__file__).resolve().parents[1] / "data" / "tab"


def tab_texts(n: int = 20) -> list[str]:
    return [d["text"] for d in json.loads((TAB / "train.json").read_text())[:n]]


def hf_tokenizer(folder: Path, extra_words=()):
    """A BERT-style fast tokenizer (with [CLS]/[SEP]/[PAD]) trained on TAB texts, saved to ``folder``."""
    from tokenizers import processors
    from transformers import PreTrainedTokenizerFast

    raw = build_tokenizer(tab_texts() + [" ".join(extra_words)] * 50, vocab_size=2000)
    raw.add_special_tokens(["[CLS]", "[SEP]", "[MASK]"])
    raw.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", raw.token_to_id("[CLS]")),
                                                 ("[SEP]", raw.token_to_id("[SEP]"))])
    tok = PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                  sep_token="[SEP]", mask_token="[MASK]", model_max_length=512)
    tok.save_pretrained(folder)
    return tok


def tiny_base(folder: Path, arch: str) -> Path:
    """A randomly initialised encoder of ``arch`` (bert, distilbert, albert) with a local tokenizer."""
    from transformers import (AlbertConfig, AlbertModel, BertConfig, BertModel, DistilBertConfig,
                              DistilBertModel)

    tok = hf_tokenizer(folder)
    n = len(tok)
    torch.manual_seed(0)
    if arch == "bert":
        model = BertModel(BertConfig(vocab_size=n, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                     intermediate_size=64, max_position_embeddings=512))
    elif arch == "distilbert":
        model = DistilBertModel(DistilBertConfig(vocab_size=n, dim=32, n_layers=1, n_heads=2, hidden_dim=64))
    elif arch == "albert":
        model = AlbertModel(AlbertConfig(vocab_size=n, embedding_size=16, hidden_size=32, num_hidden_layers=1,
                                         num_attention_heads=2, intermediate_size=64))
    else:
        raise ValueError(arch)
    model.save_pretrained(folder)
    return folder


def random_classifier(folder: Path, layers: int = 2) -> Path:
    """A randomly initialised BERT token classifier with ``layers`` real encoder layers (attention, GELU,
    LayerNorm: what graph fusion rewrites) and the TAB labels."""
    from transformers import BertConfig, BertForTokenClassification

    tok = hf_tokenizer(folder)
    labels = label_list()
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=layers, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512,
                        id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    BertForTokenClassification(config).save_pretrained(folder)
    return folder


def rigged_bert(folder: Path, person_words: list[str]) -> Path:
    """A token classifier that tags exactly the subwords of ``person_words`` as PERSON (I- slightly above
    B-, so consecutive ones form one span) and everything else O. No encoder layers: the output is the
    layer-normed word embedding, which the classifier reads."""
    from transformers import BertConfig, BertForTokenClassification

    tok = hf_tokenizer(folder, person_words)
    labels = label_list()
    config = BertConfig(vocab_size=len(tok), hidden_size=8, num_hidden_layers=0, num_attention_heads=1,
                        intermediate_size=8, max_position_embeddings=512, hidden_dropout_prob=0.0,
                        id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    model = BertForTokenClassification(config)
    other = torch.tensor([1.0, -1.0, 0, 0, 0, 0, 0, 0])
    target = torch.tensor([0, 0, 1.0, -1.0, 0, 0, 0, 0])
    person_ids = {i for w in person_words for i in tok(w, add_special_tokens=False)["input_ids"]}
    with torch.no_grad():
        emb = model.bert.embeddings
        emb.word_embeddings.weight[:] = other
        for i in person_ids:
            emb.word_embeddings.weight[i] = target
        emb.position_embeddings.weight.zero_()
        emb.token_type_embeddings.weight.zero_()
        emb.LayerNorm.weight.fill_(1.0)
        emb.LayerNorm.bias.zero_()
        w = model.classifier.weight
        w.zero_()
        model.classifier.bias.zero_()
        w[labels.index("O")] = 5 * other
        w[labels.index("B-PERSON")] = 4 * target
        w[labels.index("I-PERSON")] = 5 * target
    model.save_pretrained(folder)
    (folder / "redact.json").write_text(json.dumps({"threshold": 0.5, "window": 16, "overlap": 4}))
    return folder
