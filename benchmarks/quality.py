"""The README's results table: TAB metrics on the test split for the shipped model, an optional BiLSTM
checkpoint and Presidio (its predictions in ../shared/data/peers), plus the dev-set effect of each
decoding lever with --levers.

    python benchmarks/quality.py [--bilstm DIR] [--levers] [--split test]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redact.corpus import read_documents, read_predictions  # noqa: E402
from redact.engine import Engine, Settings  # noqa: E402
from redact.models import DEFAULT_MODEL, load_model  # noqa: E402
from redact.recognizers import default_recognizers  # noqa: E402
from redact.score import score  # noqa: E402
from redact.spans import Document  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
COLUMNS = [("token_recall", "tok.R"), ("mention_recall", "ment.R"), ("recall_direct_entities", "ER_di"),
           ("recall_quasi_entities", "ER_qi"), ("token_precision", "tok.P"), ("seqeval_f1", "seqeval F1")]


def evaluate(model, gold: list[Document], settings: Settings | None = None, patterns: bool = False) -> dict:
    engine = Engine(model, settings or Settings(), recognizers=default_recognizers() if patterns else ())
    preds = {d.doc_id: d.spans for d in engine.predict(Document(g.doc_id, g.text) for g in gold)}
    return flat(score(gold, preds))


def flat(result: dict) -> dict:
    return {**result["tab"], "seqeval_f1": result["seqeval"]["f1"]}


def row(name: str, r: dict, extra: str = "") -> str:
    return f"| {name} | " + " | ".join(f"{r[k]:.3f}" for k, _ in COLUMNS) + f" | {extra} |"


def training_time(path: Path) -> str:
    info_file = path / "training.json"
    if not info_file.exists():
        return ""
    info = json.loads(info_file.read_text())
    return f"{info['seconds']:.0f}s on {info.get('device', '?')}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--bilstm", default=None, help="a BiLSTM checkpoint folder to score beside it")
    ap.add_argument("--split", default="test")
    ap.add_argument("--levers", action="store_true", help="dev-set table of decoding levers")
    ap.add_argument("--precision", default="auto", help="model precision (redact run's default: auto)")
    args = ap.parse_args()

    gold = list(read_documents(DATA / "tab" / f"{args.split}.json"))
    model = load_model(args.model, precision=args.precision)
    header = "| system | " + " | ".join(h for _, h in COLUMNS) + " | training |"
    print(f"TAB {args.split} split ({len(gold)} documents)\n")
    print(header)
    print("|" + "---|" * (len(COLUMNS) + 2))
    print(row(f"redact {model.name} (shipped, {model.precision})", evaluate(model, gold),
              training_time(model.path)))
    if args.bilstm:
        bilstm = load_model(args.bilstm, precision=args.precision)
        print(row("redact bilstm", evaluate(bilstm, gold), training_time(bilstm.path)))
    presidio = DATA / "peers" / f"presidio_{args.split}.json"
    if presidio.exists():
        print(row("Presidio", flat(score(gold, read_predictions(presidio))), "-"))

    if args.levers:
        dev = list(read_documents(DATA / "tab" / "dev.json"))
        print(f"\nDecoding levers on dev ({len(dev)} documents), shipped model\n")
        print(header.replace("system", "setting").replace("training", "note"))
        print("|" + "---|" * (len(COLUMNS) + 2))
        base = model.settings.get("threshold", 0.5)
        fp32 = load_model(args.model)
        variants = [
            (f"default ({model.precision}, threshold {base}, overlap {model.settings.get('overlap', 128)}, propagate)",
             Settings(), False, model),
            ("argmax-like threshold 0.5", Settings(threshold=0.5), False, model),
            ("threshold 0.1", Settings(threshold=0.1), False, model),
            ("no propagation", Settings(propagate=False), False, model),
            ("+ pattern recognizers", Settings(), True, model),
            ("overlap 128", Settings(overlap=128), False, model),
            ("overlap 256", Settings(overlap=256), False, model),
            ("fp32", Settings(), False, fp32),
            ("fp32, overlap 128", Settings(overlap=128), False, fp32),
            ("int8", Settings(), False, load_model(args.model, precision="int8")),
        ]
        for name, settings, patterns, m in variants:
            print(row(name, evaluate(m, dev, settings, patterns)))


if __name__ == "__main__":
    main()
