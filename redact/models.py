"""Finding and loading token-classification checkpoints behind one interface.

A checkpoint is a folder. Hugging Face token classifiers (BERT, DistilBERT, ALBERT, MiniLM...) are
``from_pretrained`` folders; the BiLSTM has ``config.json`` with ``"model_type": "redact-bilstm"``, a
``tokenizer.json`` and ``model.safetensors``. Either may carry ``redact.json`` with decoding defaults
(``threshold``, ``window``, ``overlap``).

>>> model = load_model("tab-minilm")  # doctest: +SKIP
>>> model.labels[:3]  # doctest: +SKIP
['O', 'B-PERSON', 'I-PERSON']
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from .errors import ModelMissing

if TYPE_CHECKING:
    import torch

#: The model ``redact run`` uses when no ``--model`` is given.
DEFAULT_MODEL = "tab-minilm"
#: Models shipped inside the package (installed with it, found from any folder).
PACKAGED = Path(__file__).resolve().parent / "checkpoints"


def search_paths() -> list[Path]:
    """Folders holding named checkpoints, in lookup order: the package's, then ``$REDACT_HOME/checkpoints``
    (default ``~/.redact/checkpoints``), then ``./checkpoints``."""
    home = Path(os.environ.get("REDACT_HOME", Path.home() / ".redact"))
    return [PACKAGED, home / "checkpoints", Path.cwd() / "checkpoints"]


def find_checkpoint(name_or_path: str) -> Path:
    """Resolve a model name or checkpoint folder; raises :class:`ModelMissing` with the fix.

    >>> find_checkpoint("no-such-model")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    redact.errors.ModelMissing: model 'no-such-model' not found ...
    """
    p = Path(name_or_path).expanduser()
    if p.is_dir():
        if not (p / "config.json").exists():
            raise ModelMissing(f"{p}: not a checkpoint folder (no config.json); train one with `redact train`")
        return p
    if os.sep not in name_or_path and "/" not in name_or_path:
        for folder in search_paths():
            if (folder / name_or_path / "config.json").exists():
                return folder / name_or_path
    looked = ", ".join(str(f / name_or_path) for f in search_paths())
    raise ModelMissing(
        f"model '{name_or_path}' not found (looked in {looked}); train it with "
        f"`redact train minilm --train TRAIN.json --dev DEV.json -o DIR` and pass `--model DIR`"
    )


def known_models() -> list[dict]:
    """Every named checkpoint found in the search paths, plus the default even when missing."""
    rows, names = [], set()
    for folder in search_paths():
        if folder.is_dir():
            for sub in sorted(folder.iterdir()):
                if (sub / "config.json").exists() and sub.name not in names:
                    names.add(sub.name)
                    origin = "shipped with redact" if folder == PACKAGED else f"from {folder}"
                    rows.append({"name": sub.name, "path": str(sub), "present": True, "origin": origin,
                                 "default": sub.name == DEFAULT_MODEL})
    if DEFAULT_MODEL not in names:
        rows.insert(0, {"name": DEFAULT_MODEL, "path": str(search_paths()[0] / DEFAULT_MODEL),
                        "present": False, "origin": "missing", "default": True})
    return rows


def _file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


@dataclass
class TokenClassifier:
    """A loaded model: encode text to subword ids with character offsets, and score windows."""

    name: str
    path: Path
    labels: list[str]
    network: "torch.nn.Module"
    tokenizer: object  # a `tokenizers.Tokenizer`
    cls_id: int | None
    sep_id: int | None
    pad_id: int
    max_length: int
    family: str
    settings: dict = field(default_factory=dict)
    precision: str = "fp32"

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Subword ids and their character offsets for the whole text (no special tokens, no truncation)."""
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        return enc.ids, enc.offsets

    def probabilities(self, input_ids: "torch.Tensor", attention_mask: "torch.Tensor") -> "torch.Tensor":
        """Class probabilities, shape (batch, length, labels)."""
        import torch

        with torch.inference_mode():
            out = self.network(input_ids=input_ids, attention_mask=attention_mask)
            logits = out.logits if hasattr(out, "logits") else out
            return torch.softmax(logits.float(), dim=-1)

    @property
    def checkpoint_hash(self) -> str:
        """sha256 (16 hex digits) of the weights file, computed once."""
        if "_hash" not in self.__dict__:
            weights = next((self.path / n for n in ("model.safetensors", "pytorch_model.bin")
                            if (self.path / n).exists()), None)
            self.__dict__["_hash"] = _file_hash(weights) if weights else ""
        return self.__dict__["_hash"]


PRECISIONS = ("auto", "fp32", "bf16", "int8", "fp16")


def _fast_load(path: Path):
    """Build the network from its config and load the safetensors weights directly: about 3x faster to
    start than ``from_pretrained`` (no weight initialisation, no key renaming machinery). Returns None
    (the caller uses ``from_pretrained``) unless every weight matches exactly."""
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModelForTokenClassification

    weights = path / "model.safetensors"
    if not weights.exists():
        return None
    try:
        try:  # transformers >= 5: skip the random initialisation the weights replace anyway
            from transformers.initialization import no_init_weights
        except ImportError:
            from contextlib import nullcontext as no_init_weights
        config = AutoConfig.from_pretrained(str(path))
        with no_init_weights():
            net = AutoModelForTokenClassification.from_config(config)
        state = load_file(str(weights))
        if set(state) != set(net.state_dict()):
            return None
        net.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
        return net
    except Exception:
        return None


def fast_cpu_precision() -> str:
    """bf16 where the CPU multiplies bf16 matrices in hardware (AMX), else int8 (per-token scales)."""
    import torch

    amx = getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)()
    bf16 = getattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)()
    return "bf16" if amx and bf16 else "int8"


def load_model(name_or_path: str, device: str = "cpu", precision: str = "fp32") -> TokenClassifier:
    """Load a checkpoint by name (see :func:`find_checkpoint`) or folder.

    ``precision``: ``fp32``; ``bf16`` (weights and activations, fast on CPUs with AMX); ``int8``
    (linear layers in int8, per-channel weight scales and per-token activation scales); ``fp16`` (CUDA); ``auto`` picks
    fp16 on CUDA and :func:`fast_cpu_precision` on the CPU. Quality of each is measured in the README.

    >>> load_model("tab-minilm", precision="int8").precision  # doctest: +SKIP
    'int8'
    """
    import torch

    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        precision = "fp16" if str(device).startswith("cuda") else fast_cpu_precision()
    path = find_checkpoint(name_or_path)
    config = json.loads((path / "config.json").read_text())
    settings = json.loads((path / "redact.json").read_text()) if (path / "redact.json").exists() else {}
    if config.get("model_type") == "redact-bilstm":
        from tokenizers import Tokenizer

        from .bilstm import BiLSTMConfig, BiLSTMTagger
        from safetensors.torch import load_file

        cfg = BiLSTMConfig.load(path)
        net = BiLSTMTagger(cfg)
        net.load_state_dict(load_file(str(path / "model.safetensors")))
        tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        labels, cls_id, sep_id, pad_id, max_len, family = cfg.labels, None, None, cfg.pad_id, cfg.max_length, "bilstm"
    else:
        from transformers import AutoModelForTokenClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()

        hf_tok = AutoTokenizer.from_pretrained(str(path))
        if not getattr(hf_tok, "is_fast", False):
            raise ModelMissing(f"{path}: needs a fast tokenizer (tokenizer.json) for character offsets")
        net = _fast_load(path) or AutoModelForTokenClassification.from_pretrained(str(path), dtype=torch.float32)
        tok = hf_tok.backend_tokenizer
        labels = [net.config.id2label[i] for i in range(net.config.num_labels)]
        cls_id, sep_id = hf_tok.cls_token_id, hf_tok.sep_token_id
        pad_id = hf_tok.pad_token_id or 0
        max_len = min(getattr(net.config, "max_position_embeddings", 512), 512)
        family = config.get("model_type", "hf")
    tok.no_truncation()
    tok.no_padding()
    net.eval().to(device)
    clf = TokenClassifier(path.name, path, labels, net, tok, cls_id, sep_id, pad_id, max_len, family, settings)
    clf.precision = precision
    if precision == "fp16":
        clf.network = net.half()
    elif precision == "bf16":
        clf.network = net.to(torch.bfloat16)
    elif precision == "int8":
        if str(device) != "cpu":
            raise ValueError("int8 quantization runs on the CPU only")
        from .quant import quantize_rowwise

        # per-row activation scales: a window's result does not depend on its batch (see quant.py);
        # the int8 weights are cached per checkpoint and torch version
        cache = None
        if clf.checkpoint_hash:
            home = Path(os.environ.get("REDACT_CACHE", Path.home() / ".cache" / "redact"))
            cache = str(home / f"{clf.checkpoint_hash}-torch{torch.__version__}-int8rowwise.safetensors")
        clf.network = quantize_rowwise(net, cache)
    return clf
