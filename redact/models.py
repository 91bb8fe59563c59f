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
from .runtime import RUNTIMES  # noqa: F401  (re-exported)

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
    """A loaded model: encode text to subword ids with character offsets, and score windows through its
    runtime (:mod:`redact.runtime`: ONNX Runtime on the CPU by default, PyTorch for training and CUDA)."""

    name: str
    path: Path
    labels: list[str]
    network: "torch.nn.Module | None"
    tokenizer: object  # a `tokenizers.Tokenizer`
    cls_id: int | None
    sep_id: int | None
    pad_id: int
    max_length: int
    family: str
    settings: dict = field(default_factory=dict)
    precision: str = "fp32"
    runtime: object = None  # a redact.runtime.Runtime; None: the torch network above

    def __post_init__(self):
        if self.runtime is None:
            from .runtime.torch import TorchRuntime

            device = next(self.network.parameters()).device if self.network is not None else "cpu"
            self.runtime = TorchRuntime(self.network, str(device), self.precision)

    @property
    def device(self) -> str:
        return self.runtime.device

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Subword ids and their character offsets for the whole text (no special tokens, no truncation)."""
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        return enc.ids, enc.offsets

    def probabilities(self, input_ids, attention_mask):
        """Class probabilities (numpy, shape (batch, length, labels)) for int64 id and mask arrays."""
        return self.runtime.probabilities(input_ids, attention_mask)

    @property
    def checkpoint_hash(self) -> str:
        """sha256 (16 hex digits) of the weights file, computed once."""
        if "_hash" not in self.__dict__:
            self.__dict__["_hash"] = weights_hash(self.path)
        return self.__dict__["_hash"]


def weights_hash(path: Path) -> str:
    """sha256 (16 hex digits) of a checkpoint's weights file ('' when it has none)."""
    weights = next((path / n for n in ("model.safetensors", "pytorch_model.bin") if (path / n).exists()), None)
    return _file_hash(weights) if weights else ""


PRECISIONS = ("auto", "fp32", "bf16", "int8", "fp16")


def choose_runtime(runtime: str, device: str, precision: str) -> str:
    """``auto`` → ``onnx`` on the CPU for ``auto``/``fp32``/``int8`` when onnxruntime is installed, else
    ``torch`` (CUDA, bf16, fp16).

    >>> choose_runtime("auto", "cuda", "auto"), choose_runtime("auto", "cpu", "bf16")
    ('torch', 'torch')
    """
    if runtime not in RUNTIMES:
        raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}")
    if runtime != "auto":
        if runtime == "onnx" and (str(device) != "cpu" or precision not in ("auto", "fp32", "int8")):
            raise ValueError("--runtime onnx runs on the CPU in fp32 or int8")
        return runtime
    if str(device) == "cpu" and precision in ("auto", "fp32", "int8"):
        import importlib.util

        if importlib.util.find_spec("onnxruntime") is not None:
            return "onnx"
    return "torch"


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _special_ids(path: Path, tok) -> tuple[int | None, int | None, int]:
    """[CLS]/[SEP]/[PAD] ids from tokenizer_config.json (or the BERT names), read without transformers."""
    cfg = _read_json(path / "tokenizer_config.json")

    def tid(key: str, default: str) -> int | None:
        value = cfg.get(key, default)
        value = value.get("content") if isinstance(value, dict) else value
        return tok.token_to_id(value) if value else None

    return tid("cls_token", "[CLS]"), tid("sep_token", "[SEP]"), tid("pad_token", "[PAD]") or 0


def _load_onnx(path: Path, config: dict, settings: dict, precision: str) -> "TokenClassifier":
    """A checkpoint on ONNX Runtime: tokenizers + onnxruntime + numpy, no torch, no transformers."""
    from tokenizers import Tokenizer

    from .runtime.onnx import OnnxRuntime, graph_for

    if not (path / "tokenizer.json").exists():
        raise ModelMissing(f"{path}: needs a fast tokenizer (tokenizer.json) for character offsets")
    tok = Tokenizer.from_file(str(path / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    if config.get("model_type") == "redact-bilstm":
        labels, cls_id, sep_id = list(config["labels"]), None, None
        pad_id, max_len = config.get("pad_id", 0), config.get("max_length", 512)
        family = "bilstm"
    else:
        id2label = config["id2label"]
        labels = [id2label[str(i)] for i in range(len(id2label))]
        cls_id, sep_id, pad_id = _special_ids(path, tok)
        max_len = min(config.get("max_position_embeddings", 512), 512)
        family = config.get("model_type", "hf")
    h = weights_hash(path)
    graph = graph_for(path, h, precision)
    clf = TokenClassifier(path.name, path, labels, None, tok, cls_id, sep_id, pad_id, max_len, family, settings,
                          precision, OnnxRuntime(graph, precision))
    clf.__dict__["_hash"] = h
    return clf


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


def load_model(name_or_path: str, device: str = "cpu", precision: str = "fp32", runtime: str = "auto") -> TokenClassifier:
    """Load a checkpoint by name (see :func:`find_checkpoint`) or folder.

    ``runtime``: ``onnx`` (ONNX Runtime, CPU, fp32 or int8; no torch import), ``torch``, or ``auto``
    (:func:`choose_runtime`: ONNX Runtime on the CPU).

    ``precision``: ``fp32``; ``bf16`` (weights and activations, fast on CPUs with AMX); ``int8``
    (linear layers in int8, per-channel weight scales and per-token activation scales); ``fp16`` (CUDA); ``auto`` picks
    fp16 on CUDA and :func:`fast_cpu_precision` on the CPU. Quality of each is measured in the README.

    >>> load_model("tab-minilm", precision="int8").precision  # doctest: +SKIP
    'int8'
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
    chosen = choose_runtime(runtime, device, precision)
    path = find_checkpoint(name_or_path)
    config = json.loads((path / "config.json").read_text())
    # the BiLSTM's packed sequences do not export reliably: it runs on PyTorch unless asked otherwise
    runtime = "torch" if runtime == "auto" and config.get("model_type") == "redact-bilstm" else chosen
    settings = _read_json(path / "redact.json")
    if runtime == "onnx":
        return _load_onnx(path, config, settings, "int8" if precision == "auto" else precision)
    import torch

    if precision == "auto":
        precision = "fp16" if str(device).startswith("cuda") else fast_cpu_precision()
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
    if precision == "fp16":
        net = net.half()
    elif precision == "bf16":
        net = net.to(torch.bfloat16)
    elif precision == "int8":
        if str(device) != "cpu":
            raise ValueError("int8 quantization runs on the CPU only")
        from .quant import quantize_rowwise

        # per-row activation scales: a window's result does not depend on its batch (see quant.py);
        # the int8 weights are cached per checkpoint and torch version
        cache, h = None, weights_hash(path)
        if h:
            home = Path(os.environ.get("REDACT_CACHE", Path.home() / ".cache" / "redact"))
            cache = str(home / f"{h}-torch{torch.__version__}-int8rowwise.safetensors")
        net = quantize_rowwise(net, cache)
    return TokenClassifier(path.name, path, labels, net, tok, cls_id, sep_id, pad_id, max_len, family, settings,
                           precision)
