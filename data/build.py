"""Build every data file the multi-genre model is trained and measured on — one command:

    python data/build.py            # writes data/synthetic/*.json (committed) and data/build/* (ignored)

- ``data/synthetic/{train,dev,test}.json``: generated documents (see ``synthetic.py``), seeds 101/202/303;
  committed reference copies, regenerated only with ``--regenerate`` (faker's output is not byte-stable
  across versions or, for a few locales, across runs).
- ``data/panorama_split.json``: PANORAMA-151 doc ids, 100 train / 51 dev, shuffled with seed 151.
- ``data/build/panorama_{train,dev}.json``: the two PANORAMA parts (TAB JSON).
- ``data/build/tab_aug.json``: mention-substituted copies of TAB train documents (names, places, dates,
  application numbers replaced by invented ones from many cultures; labels carried over).
- ``data/build/mix_train.json``: TAB train + tab_aug + PANORAMA train + synthetic train, the short documents
  packed into longer ones (so training windows are full, not padding).
- ``data/build/pooled_dev.json``: TAB dev + PANORAMA dev + synthetic dev (per-epoch scores, thresholds).

TAB test and the synthetic test split are never used for training or for choosing anything.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scripts  # noqa: E402
import synthetic  # noqa: E402

SHARED = HERE  # the shipped copies (data/tab, data/panorama)
TITLE = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Prof\.?|Judge)\b\.?\s*")
FULL_DATE = re.compile(r"^\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|"
                       r"December) \d{4}$")
APP_NO = re.compile(r"^\d{1,6}/\d{2}$")
YEAR = re.compile(r"^(1[89]|20)\d\d$")


def load(path: Path) -> list[dict]:
    return json.loads(path.read_text())


def dump(docs: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(docs, ensure_ascii=False, indent=0) + "\n")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mentions(doc: dict) -> list[dict]:
    return next(iter(doc["annotations"].values()))["entity_mentions"]  # one annotator per document here


def panorama_split(docs: list[dict], seed: int = 151, n_train: int = 100) -> dict:
    ids = sorted(d["doc_id"] for d in docs)
    random.Random(seed).shuffle(ids)
    return {"seed": seed, "train": sorted(ids[:n_train]), "dev": sorted(ids[n_train:])}


# -------------------------------------------------------------------------------- TAB augmentation

def substitute(doc: dict, rng: random.Random, suffix: str) -> dict:
    """A copy of a TAB document with DIRECT/QUASI names, places, full dates, years and application numbers
    replaced by invented ones (one consistent replacement per word/string within the document)."""
    people = synthetic.People(rng)
    words: dict[str, str] = {}
    strings: dict[str, str] = {}

    def person(text: str) -> str:
        m = TITLE.match(text)
        head, rest = (m.group(0), text[m.end():]) if m else ("", text)
        toks = rest.split(" ")
        out = []
        for i, w in enumerate(toks):
            if not w or not w[0].isupper():
                out.append(w)
                continue
            if w not in words:
                if re.fullmatch(r"[A-Z]\.", w):
                    words[w] = rng.choice("ABCDEFGHIJKLMNOPRSTVWZ") + "."
                else:
                    words[w] = people.fake.last_name() if i == len(toks) - 1 else people.fake.first_name()
            out.append(words[w])
        return head + " ".join(out)

    def replace(m: dict) -> str | None:
        text, etype = m["span_text"], m["entity_type"]
        if m["identifier_type"] == "NO_MASK":
            return None
        if text in strings:
            return strings[text]
        new = None
        if etype == "PERSON" and len(text) < 60:
            new = person(text)
        elif etype == "LOC" and len(text) < 30 and text[:1].isupper() and "," not in text:
            new = people.city()
        elif etype == "DATETIME" and FULL_DATE.match(text):
            dt = people.fake.date_between(start_date=synthetic.TODAY.replace(year=1960),
                                          end_date=synthetic.TODAY.replace(year=2020))
            new = dt.strftime("%d %B %Y").lstrip("0")
        elif etype == "DATETIME" and YEAR.match(text):
            new = str(int(text) + rng.randint(-6, 6))
        elif etype == "CODE" and APP_NO.match(text):
            new = f"{rng.randint(100, 99999)}/{text[-2:]}"
        if new:
            strings[text] = new
        return new

    ms = sorted(mentions(doc), key=lambda m: (m["start_offset"], -m["end_offset"]))
    text, parts, out, pos, shift = doc["text"], [], [], 0, 0
    for m in ms:
        if m["start_offset"] < pos:  # overlapping mention: dropped from the copy
            continue
        new = replace(m)
        span = new if new is not None else m["span_text"]
        parts.append(text[pos:m["start_offset"]])
        start = m["start_offset"] + shift
        parts.append(span)
        shift += len(span) - len(m["span_text"])
        pos = m["end_offset"]
        out.append({**m, "start_offset": start, "end_offset": start + len(span), "span_text": span,
                    "entity_mention_id": m["entity_mention_id"] + suffix, "entity_id": m["entity_id"] + suffix})
    parts.append(text[pos:])
    new_doc = copy.deepcopy({k: v for k, v in doc.items() if k != "annotations"})
    new_doc["doc_id"] = doc["doc_id"] + suffix
    new_doc["text"] = "".join(parts)
    new_doc["annotations"] = {"annotator1": {"entity_mentions": out}}
    return new_doc


# -------------------------------------------------------------------------------- packing

def pack(docs: list[dict], max_chars: int, prefix: str) -> list[dict]:
    """Short documents joined (blank line between) into documents of up to ``max_chars`` characters."""
    packed, cur = [], []

    def flush():
        if not cur:
            return
        text, ms, n = "", [], 0
        for d in cur:
            if text:
                text += "\n\n"
            base = len(text)
            text += d["text"]
            for m in mentions(d):
                ms.append({**m, "start_offset": m["start_offset"] + base, "end_offset": m["end_offset"] + base})
        packed.append({"doc_id": f"{prefix}-{len(packed):04d}", "text": text, "dataset_type": "packed",
                       "meta": {"parts": [d["doc_id"] for d in cur]},
                       "annotations": {"annotator1": {"entity_mentions": ms}}})
        cur.clear()

    size = 0
    for d in docs:
        if cur and size + len(d["text"]) > max_chars:
            flush()
            size = 0
        cur.append(d)
        size += len(d["text"]) + 2
    flush()
    return packed


def check(docs: list[dict]) -> None:
    for d in docs:
        for m in mentions(d):
            assert d["text"][m["start_offset"]:m["end_offset"]] == m["span_text"], (d["doc_id"], m)


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # faker iterates over sets in places: a fixed hash seed makes its output (and ours) reproducible
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--synthetic", type=int, nargs=3, default=(160, 54, 54), metavar=("TRAIN", "DEV", "TEST"))
    ap.add_argument("--augment", type=float, default=0.5, help="share of TAB train documents copied with substitutions")
    ap.add_argument("--regenerate", action="store_true",
                    help="regenerate data/synthetic/*.json instead of using the committed reference copies")
    ap.add_argument("--panorama-repeat", type=int, default=2, help="copies of PANORAMA train in the mix")
    ap.add_argument("--scripts", type=int, nargs=3, default=(240, 40, 60), metavar=("TRAIN", "DEV", "TEST"),
                    help="documents naming people in many scripts (scripts.py), per split")
    args = ap.parse_args()

    synth = {}
    for split, n, seed in zip(("train", "dev", "test"), args.synthetic, (101, 202, 303)):
        ref = HERE / "synthetic" / f"{split}.json"
        if args.regenerate or not ref.exists():
            dump(synthetic.generate(n, seed, split), ref)
        synth[split] = load(ref)  # the committed reference copies (faker output can drift between versions)
        check(synth[split])

    for split, n, seed in zip(("train", "dev", "test"), args.scripts, (111, 222, 333)):
        ref = HERE / "synthetic" / f"scripts_{split}.json"
        if args.regenerate or not ref.exists():
            dump(scripts.generate(n, seed, split), ref)
        synth[f"scripts_{split}"] = load(ref)
        check(synth[f"scripts_{split}"])

    pano = load(args.shared / "panorama" / "panorama151.json")
    split = panorama_split(pano)
    (HERE / "panorama_split.json").write_text(json.dumps(split, indent=1) + "\n")
    by_id = {d["doc_id"]: d for d in pano}
    pano_train = [by_id[i] for i in split["train"]]
    pano_dev = [by_id[i] for i in split["dev"]]
    build = HERE / "build"
    dump(pano_train, build / "panorama_train.json")
    dump(pano_dev, build / "panorama_dev.json")

    tab_train = load(args.shared / "tab" / "train.json")
    tab_dev = load(args.shared / "tab" / "dev.json")
    rng = random.Random(92)
    chosen = sorted(rng.sample(range(len(tab_train)), round(args.augment * len(tab_train))))
    aug = [substitute(tab_train[i], rng, "-aug1") for i in chosen]
    check(aug)
    dump(aug, build / "tab_aug.json")

    rng = random.Random(7)
    short = synth["train"] + pano_train * args.panorama_repeat
    rng.shuffle(short)
    mix = tab_train + aug + pack(short, 2000, "packed")
    check(mix)
    dump(mix, build / "mix_train.json")
    dev = tab_dev + pano_dev + synth["dev"]
    dump(dev, build / "pooled_dev.json")

    # v3: every TAB train document (train + train_extra, every annotator's layer) and the many-script names
    tab_extra = load(args.shared / "tab" / "train_extra.json")
    rng = random.Random(8)
    short = synth["train"] + pano_train * args.panorama_repeat + synth["scripts_train"]
    rng.shuffle(short)
    mix3 = tab_train + tab_extra + aug + pack(short, 2000, "packed3")
    for d in mix3:
        for layer in d["annotations"].values():
            for m in layer["entity_mentions"]:
                assert d["text"][m["start_offset"]:m["end_offset"]] == m["span_text"], (d["doc_id"], m)
    dump(mix3, build / "mix3_train.json")
    dump(dev + synth["scripts_dev"], build / "pooled3_dev.json")
    manifest = {p.name: {"documents": len(load(p)), "sha256": sha256(p)}
                for p in sorted([*build.glob("*.json"), *(HERE / "synthetic").glob("*.json")]) if p.name != "MANIFEST.json"}
    (build / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n")
    for name, info in manifest.items():
        print(f"{name}: {info['documents']} documents, sha256 {info['sha256'][:12]}")


if __name__ == "__main__":
    main()
