"""Synthetic documents whose people are named in many scripts, with ranks, titles and suffixes.

The TAB judgments name people in Latin letters only, so a model trained on them leaves a name written in
Hebrew, Greek, Devanagari or Burmese beside (or instead of) its Latin form readable. This generator writes
short biographies, judgment paragraphs, witness lists and letters in which people are named in one of 13
scripts (:data:`SCRIPTS`), alone or in parentheses after a Latin name, with military ranks ("Lt Gen"),
titles and "Jr."/"Sr." tails, labelled by construction in TAB's format: names are PERSON/DIRECT (the whole
mention, rank and suffix included), birth dates DATETIME/QUASI, places LOC/QUASI; courts, the Government,
ministries and nationalities are left unlabelled (NO_MASK: they identify no one).

Train and test use different seeds and disjoint sentence templates (``split="test"`` only uses
:data:`TEST_TEMPLATES`), so the held-out test measures names, not memorised sentences.

>>> docs = generate(2, seed=1, split="train")
>>> all(d["text"][m["start_offset"]:m["end_offset"]] == m["span_text"]
...     for d in docs for m in d["annotations"]["annotator1"]["entity_mentions"])
True
"""

from __future__ import annotations

import random
from datetime import date, timedelta

#: script -> faker locales whose names are written in it ("burmese" has no faker locale: see BURMESE)
SCRIPTS: dict[str, tuple[str, ...]] = {
    "latin_diacritics": ("cs_CZ", "tr_TR", "vi_VN", "hu_HU", "pl_PL", "ro_RO"),
    "cyrillic": ("ru_RU", "uk_UA", "bg_BG"),
    "greek": ("el_GR",),
    "hebrew": ("he_IL",),
    "arabic": ("ar_SA", "fa_IR", "ar_EG"),
    "devanagari": ("hi_IN", "ne_NP"),
    "cjk": ("zh_CN", "zh_TW", "ja_JP"),
    "hangul": ("ko_KR",),
    "thai": ("th_TH",),
    "burmese": (),
    "georgian": ("ka_GE",),
    "armenian": ("hy_AM",),
    "bengali": ("bn_BD",),
}
#: Burmese name syllables with their usual romanisation (faker has no Burmese locale)
BURMESE = [("အောင်", "Aung"), ("ဆန်း", "San"), ("ကျော်", "Kyaw"), ("မင်း", "Min"), ("ထွန်း", "Htun"),
           ("မြင့်", "Myint"), ("ဝင်း", "Win"), ("နိုင်", "Naing"), ("လှ", "Hla"), ("စု", "Su"), ("ခင်", "Khin"),
           ("မောင်", "Maung"), ("ဇော်", "Zaw"), ("သိန်း", "Thein"), ("မြ", "Mya"), ("ညွန့်", "Nyunt"),
           ("သန်း", "Than"), ("ချစ်", "Chit"), ("ဦး", "U"), ("ဒေါ်", "Daw")]
LATIN_LOCALES = ("en_GB", "en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "sv_SE", "pl_PL", "pt_PT")
RANKS = ("Lt Gen", "Lieutenant General", "Maj. Gen.", "Brig. Gen.", "Col.", "Colonel", "Capt.", "Sgt",
         "Admiral", "Lt Col", "General", "Major", "Rabbi", "Rev.", "Sheikh", "Ayatollah", "Dr", "Prof.", "Sir")
TITLES = ("Mr", "Mrs", "Ms", "Dr", "Judge", "Mr", "Ms")
SUFFIXES = ("Jr.", "Sr.", "Jr", "III", "II")
OCCUPATIONS = ("politician", "lawyer", "journalist", "army officer", "poet", "engineer", "physician", "judge",
               "businessman", "activist", "diplomat", "footballer", "historian", "singer")
NATIONALITIES = ("Israeli", "Greek", "Iranian", "Indian", "Chinese", "Japanese", "Korean", "Thai", "Burmese",
                 "Georgian", "Armenian", "Russian", "Ukrainian", "Turkish", "Czech", "Vietnamese", "Egyptian",
                 "Bangladeshi", "Nepalese", "Bulgarian")
#: institutions named in the texts: never labelled (NO_MASK) — they identify no one
INSTITUTIONS = ("the Court", "the Government", "the Commission", "the Supreme Court", "the Court of Cassation",
                "the Ministry of Justice", "the Constitutional Court", "the Regional Court", "the Tax Authority",
                "the Secretary of State", "the Prosecutor General's Office", "the European Court of Human Rights")

# Sentence templates. {P} full mention (Latin + native in parentheses, or native alone), {S} a later short
# mention, {D} a date, {L} a place, {I} an institution, {N} a nationality, {O} an occupation.
TRAIN_TEMPLATES = (
    "{P} (born {D} in {L}) is a {N} {O}. {S} studied law before joining {I}.",
    "The applicant, {P}, is a {N} national who was born on {D} and lives in {L}.",
    "On {D} {S} lodged a complaint with {I}, which dismissed it.",
    "{I} heard evidence from {P}, who stated that he had been in {L} on {D}.",
    "Witnesses: {P}; {P2}.",
    "{P} served as commander of the garrison in {L} until {D}. {S} later retired.",
    "According to {I}, {S} had been detained in {L}.",
    "Dear {S},\nThank you for your letter of {D}. {I} will reply in due course.\nYours sincerely,\n{P2}",
    "{P}, the {N} {O}, met {P2} in {L} on {D}.",
    "The Government submitted that {S} had never been questioned. {I} disagreed.",
)
TEST_TEMPLATES = (
    "Early life. {P} was born in {L} on {D}; {S} later became a well-known {O}.",
    "The second applicant, {P}, was represented before {I} by {P2}, a lawyer practising in {L}.",
    "{S} was arrested on {D} and taken to a police station in {L}.",
    "Signed: {P}\nDate: {D}",
    "In a letter of {D}, {P} informed {I} that {S} had moved to {L}.",
    "{P} ({N} {O}) and {P2} were interviewed by {I}.",
)


def _faker(locale: str, cache: dict = {}):  # noqa: B006 - a module-level cache of Faker instances
    from faker import Faker

    if locale not in cache:
        cache[locale] = Faker(locale)
    return cache[locale]


class Namer:
    """People with a Latin name and a name in ``script``."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def native(self, script: str) -> tuple[str, str]:
        """(full name, a shorter later reference) in ``script``."""
        if script == "burmese":
            parts = self.rng.sample(BURMESE[:-2], self.rng.randint(2, 3))
            name = "".join(p for p, _ in parts) if self.rng.random() < 0.6 else " ".join(p for p, _ in parts)
            if self.rng.random() < 0.3:
                name = self.rng.choice(BURMESE[-2:])[0] + " " + name  # U / Daw honorific
            return name, name
        fake = _faker(self.rng.choice(SCRIPTS[script]))
        fake.seed_instance(self.rng.randrange(1 << 30))
        first, last = fake.first_name(), fake.last_name()
        if script in ("cjk", "hangul"):
            full = last + first if self.rng.random() < 0.6 else f"{last} {first}"
        else:
            full = f"{first} {last}"
        return full, last

    def latin(self, script: str) -> tuple[str, str]:
        if script == "burmese":
            parts = self.rng.sample(BURMESE[:-2], self.rng.randint(2, 3))
            full = " ".join(r for _, r in parts)
            return full, full
        fake = _faker(self.rng.choice(LATIN_LOCALES))
        fake.seed_instance(self.rng.randrange(1 << 30))
        first, last = fake.first_name(), fake.last_name()
        return f"{first} {last}", last

    def person(self, script: str) -> tuple[str, str]:
        """A first mention and a later short mention, each one PERSON span."""
        rng = self.rng
        native, native_short = self.native(script)
        latin, latin_short = self.latin(script)
        if script == "latin_diacritics":
            latin, latin_short = native, native_short
        shape = rng.random()
        if shape < 0.45 and script != "latin_diacritics":
            first, short = latin, latin_short  # "Latin (native)": the parenthesis is added by the caller
            paren = native
        elif shape < 0.75:
            first, short, paren = native, native_short, None
        else:
            first, short, paren = latin, latin_short, None
        r = rng.random()
        if r < 0.2:
            first = f"{rng.choice(RANKS)} {first}"
        elif r < 0.45:
            first = f"{rng.choice(TITLES)} {first}"
            short = f"{first.split(' ')[0]} {short}"
        if rng.random() < 0.12:
            first = f"{first} {rng.choice(SUFFIXES)}"
        return (first if paren is None else f"{first} ({paren})"), short


def _date(rng: random.Random) -> str:
    d = date(1940, 1, 1) + timedelta(days=rng.randrange(80 * 365))
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _place(rng: random.Random, script: str) -> str:
    fake = _faker(rng.choice(SCRIPTS[script] or ("en_GB",)))
    fake.seed_instance(rng.randrange(1 << 30))
    return fake.city()


def generate(n: int, seed: int, split: str = "train") -> list[dict]:
    """``n`` documents in TAB's JSON format, reproducible for a seed (and faker version)."""
    rng = random.Random(seed)
    namer = Namer(rng)
    templates = TEST_TEMPLATES if split == "test" else TRAIN_TEMPLATES
    scripts = sorted(SCRIPTS)
    docs = []
    for k in range(n):
        text, mentions = "", []

        def add(piece: str, kind: str | None = None, entity: str = "") -> None:
            nonlocal text
            if kind:
                etype, ident = kind.split("/")
                # a person's first mention "Latin (native)" is two mentions of one entity
                subs = [piece]
                if etype == "PERSON" and piece.endswith(")") and " (" in piece:
                    head, paren = piece[:-1].split(" (", 1)
                    subs = [head, paren]
                pos = len(text)
                for sub in subs:
                    at = piece.index(sub) + pos
                    mentions.append({"entity_type": etype, "identifier_type": ident, "start_offset": at,
                                     "end_offset": at + len(sub), "span_text": sub,
                                     "entity_mention_id": f"{split}-{seed}-{k}-m{len(mentions)}",
                                     "entity_id": f"{split}-{seed}-{k}-{entity or etype}"})
            text += piece

        for _ in range(rng.randint(3, 6)):
            script = rng.choice(scripts)
            p, s = namer.person(script)
            p2, _ = namer.person(rng.choice(scripts))
            values = {"P": (p, "PERSON/DIRECT", "p"), "S": (s, "PERSON/DIRECT", "p"), "P2": (p2, "PERSON/DIRECT", "p2"),
                      "D": (_date(rng), "DATETIME/QUASI", "d"), "L": (_place(rng, script), "LOC/QUASI", "l"),
                      "I": (rng.choice(INSTITUTIONS), None, ""), "N": (rng.choice(NATIONALITIES), None, ""),
                      "O": (rng.choice(OCCUPATIONS), None, "")}
            template = rng.choice(templates)
            sentence_id = len(mentions)
            pos = 0
            while pos < len(template):
                open_ = template.find("{", pos)
                if open_ < 0:
                    add(template[pos:])
                    break
                add(template[pos:open_])
                close = template.index("}", open_)
                key = template[open_ + 1 : close]
                value, kind, entity = values[key]
                if key == "I" and (open_ == 0 or template[open_ - 2 : open_] in (". ", "\n")):
                    value = value[0].upper() + value[1:]
                add(value, kind, f"{entity}{sentence_id}")
                pos = close + 1
            text += "\n\n"
        docs.append({"doc_id": f"scripts-{split}-{seed}-{k:04d}", "text": text.rstrip() + "\n",
                     "dataset_type": f"scripts-{split}",
                     "annotations": {"annotator1": {"entity_mentions": mentions}}})
    return docs
