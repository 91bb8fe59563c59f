"""Synthetic multi-genre documents with invented people and identifiers, labelled by construction.

Each document is assembled from fragments; every fragment that is an identifier is recorded with its TAB
entity type (PERSON, CODE, LOC, ORG, DEM, DATETIME, QUANTITY, MISC) and identifier type (DIRECT / QUASI /
NO_MASK), so offsets are exact. Genres: letters, contracts, emails with signatures, police reports,
medical reports, HR letters, witness statements, court decisions of other jurisdictions, and documents with
no personal data at all (policy text, statute excerpts, institutional notices). Public institutions,
courts, statutes, countries and officials acting in office are annotated NO_MASK (must stay readable).

People come from many `faker` locales; phone numbers are valid for their region (`phonenumbers`); national
IDs, VAT numbers, IBANs and card numbers pass their checksums (`python-stdnum`, faker). Everything is drawn
from one seeded RNG: the same seed and library versions give the same documents.

>>> docs = generate(3, seed=1, split="x")
>>> all(d["text"][m["start_offset"]:m["end_offset"]] == m["span_text"]
...     for d in docs for m in d["annotations"]["annotator1"]["entity_mentions"])
True
"""

from __future__ import annotations

import datetime as _dt
import random
import string

#: the fixed reference day of every generated date (faker's relative dates would follow the wall clock)
TODAY = _dt.date(2026, 1, 1)

LOCALES = ["en_GB", "en_US", "en_IE", "de_DE", "fr_FR", "no_NO", "pl_PL", "es_ES", "it_IT", "nl_NL", "sv_SE",
           "da_DK", "fi_FI", "tr_TR", "pt_PT", "cs_CZ", "ro_RO", "hu_HU", "el_GR", "en_IN", "en_AU"]
REGION = {"en_GB": "GB", "en_US": "US", "en_IE": "IE", "de_DE": "DE", "fr_FR": "FR", "no_NO": "NO", "pl_PL": "PL",
          "es_ES": "ES", "it_IT": "IT", "nl_NL": "NL", "sv_SE": "SE", "da_DK": "DK", "fi_FI": "FI", "tr_TR": "TR",
          "pt_PT": "PT", "cs_CZ": "CZ", "ro_RO": "RO", "hu_HU": "HU", "el_GR": "GR", "en_IN": "IN", "en_AU": "AU"}
NATIONALITY = {"GB": "British", "US": "American", "IE": "Irish", "DE": "German", "FR": "French", "NO": "Norwegian",
               "PL": "Polish", "ES": "Spanish", "IT": "Italian", "NL": "Dutch", "SE": "Swedish", "DK": "Danish",
               "FI": "Finnish", "TR": "Turkish", "PT": "Portuguese", "CZ": "Czech", "RO": "Romanian",
               "HU": "Hungarian", "GR": "Greek", "IN": "Indian", "AU": "Australian"}
COURTS = ["the Supreme Court", "the Court of Appeal", "the High Court of Justice", "the Federal Constitutional Court",
          "the District Court", "the Administrative Court", "the Court of Justice of the European Union",
          "the European Court of Human Rights", "the Regional Court", "the Labour Court", "the Crown Court",
          "the Employment Tribunal", "the Conseil d'État", "the Cour de cassation", "the Bundesgerichtshof",
          "the Court of Cassation", "the County Court", "the Magistrates' Court"]
INSTITUTIONS = ["the Ministry of Justice", "the Home Office", "the Data Protection Authority", "the Tax Administration",
                "the National Police", "the Public Prosecutor's Office", "the Ministry of Health",
                "the Labour Inspectorate", "the European Commission", "the Social Insurance Agency",
                "the Immigration Service", "the Financial Supervisory Authority", "the Office of the Ombudsman",
                "the Information Commissioner's Office", "the Council of Europe", "the United Nations"]
STATUTES = ["Article 8 of the Convention", "Article 6 § 1 of the Convention", "Article 5 of the GDPR",
            "section 47 of the Employment Rights Act 1996", "Article 1 of Protocol No. 1",
            "the Data Protection Act 2018", "section 3 of the Human Rights Act 1998", "Article 17 of the GDPR",
            "the Code of Criminal Procedure", "the Civil Procedure Rules", "Directive 2016/680",
            "the Working Time Regulations 1998", "Regulation (EU) 2016/679"]
COUNTRIES = ["Norway", "Poland", "Germany", "France", "the United Kingdom", "Spain", "Italy", "the Netherlands",
             "Sweden", "Denmark", "Finland", "Turkey", "Portugal", "Ireland", "Greece", "Romania", "Hungary"]
OFFICIAL_TITLES = ["Judge", "Justice", "Registrar", "Minister", "Chief Constable", "Commissioner", "President"]
CONDITIONS = ["type 2 diabetes", "a fractured left wrist", "chronic migraine", "hypertension", "asthma",
              "a herniated lumbar disc", "depression", "an allergic reaction to penicillin", "pneumonia"]
JOBS = ["nurse", "accountant", "software engineer", "teacher", "warehouse operative", "electrician", "pharmacist",
        "bus driver", "architect", "paralegal", "chef", "sales manager", "dental hygienist"]
SALUTATIONS = ["Dear", "Hello", "Hi", "Good morning", "To whom it may concern"]
CLOSINGS = ["Yours sincerely", "Kind regards", "Best regards", "Yours faithfully", "Sincerely", "With best wishes"]
FILLER = [
    "We refer to the matter set out below and to the correspondence exchanged so far.",
    "Please read this document carefully and keep it for your records.",
    "The information in this document is confidential and intended only for the addressee.",
    "If anything in it is unclear, do not hesitate to contact us.",
    "The parties agree that the terms set out below reflect their full understanding.",
    "Nothing in this document limits any statutory right.",
    "This is a summary prepared for internal use and it is not legal advice.",
    "The next review of the arrangements will take place in due course.",
    "We apologise for the delay in replying and thank you for your patience.",
    "Any personal data will be processed lawfully, fairly and transparently.",
]
NO_PII = [
    "Personal data shall be adequate, relevant and limited to what is necessary in relation to the purposes for "
    "which they are processed. Controllers should document their reasons for keeping data beyond that period.",
    "The tribunal may, on its own initiative or on the application of a party, extend or shorten any time limit. "
    "An application must be made in writing and must explain why the order is sought.",
    "Employers must carry out a risk assessment before introducing new working patterns. The assessment is reviewed "
    "every year, or earlier if the work changes significantly.",
    "The committee met three times during the year. It reviewed the annual accounts, approved the audit plan and "
    "discussed the management of operational risks.",
    "Visitors are asked to sign in at reception and to wear their badge at all times. Fire exits are marked in "
    "green and must be kept clear.",
    "Appeals must be lodged within twenty-eight days of the date on which the decision was sent. Late appeals are "
    "admitted only where there is a good reason for the delay.",
    "The service is free of charge. Opening hours are from nine to five on weekdays, except public holidays.",
    "A contract is formed when an offer is accepted, consideration is given and both parties intend to create "
    "legal relations. Silence is not, in general, acceptance.",
    "Tenants must report repairs promptly. The landlord is responsible for the structure and exterior of the "
    "dwelling and for installations for the supply of water, gas and electricity.",
    "The guidance applies to all staff, contractors and volunteers. It will be reviewed after twelve months.",
]


class Doc:
    """Text built piece by piece; identifier pieces become TAB mentions with exact offsets."""

    def __init__(self, doc_id: str):
        self.doc_id, self.parts, self.mentions, self.n = doc_id, [], [], 0
        self.entities: dict[str, str] = {}

    def add(self, *pieces) -> "Doc":
        for p in pieces:
            if isinstance(p, tuple):
                self.ent(*p)
            else:
                self.parts.append(p)
                self.n += len(p)
        return self

    def ent(self, text: str, etype: str, ident: str, key: str | None = None) -> "Doc":
        key = key or text
        if key not in self.entities:
            self.entities[key] = f"{self.doc_id}_e{len(self.entities) + 1}"
        self.mentions.append({"entity_type": etype, "entity_mention_id": f"{self.doc_id}_em{len(self.mentions) + 1}",
                              "start_offset": self.n, "end_offset": self.n + len(text), "span_text": text,
                              "identifier_type": ident, "entity_id": self.entities[key]})
        self.parts.append(text)
        self.n += len(text)
        return self

    def record(self, genre: str, split: str) -> dict:
        return {"doc_id": self.doc_id, "text": "".join(self.parts), "dataset_type": f"synthetic-{split}",
                "meta": {"genre": genre}, "annotations": {"annotator1": {"entity_mentions": self.mentions}}}


_FAKERS: dict = {}


def _faker(locale: str):
    from faker import Faker

    if locale not in _FAKERS:
        _FAKERS[locale] = Faker(locale)
    return _FAKERS[locale]


class People:
    """Invented people, numbers and places for one document (faker, phonenumbers, python-stdnum)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.locale = rng.choice(LOCALES)
        self.region = REGION[self.locale]
        self.fake = _faker(self.locale)
        self.fake.seed_instance(rng.randrange(2**31))
        self.en = _faker("en_GB")
        self.en.seed_instance(rng.randrange(2**31))

    def name(self) -> str:
        return f"{self.fake.first_name()} {self.fake.last_name()}"

    def titled(self, name: str) -> str:
        return self.rng.choice(["Mr ", "Ms ", "Mrs ", "Dr ", ""]) + name

    def phone(self) -> str:
        import phonenumbers
        from phonenumbers import PhoneNumberFormat as F

        region = self.region if self.rng.random() < 0.85 else self.rng.choice(list(REGION.values()))
        for _ in range(50):
            kind = self.rng.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE])
            ex = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
            digits = str(ex.national_number)
            keep = max(1, len(digits) - 6)
            num = digits[:keep] + "".join(self.rng.choice(string.digits) for _ in digits[keep:])
            parsed = phonenumbers.parse(num, region)
            if phonenumbers.is_valid_number(parsed):
                fmt = self.rng.choice([F.INTERNATIONAL, F.NATIONAL, F.E164, F.INTERNATIONAL])
                return phonenumbers.format_number(parsed, fmt)
        return self.fake.phone_number()

    def email(self, name: str) -> str:
        first, *rest = name.lower().split()
        local = self.rng.choice([f"{first}.{rest[-1]}", f"{first[0]}{rest[-1]}", f"{first}{self.rng.randint(1, 99)}"])
        local = "".join(c for c in local if c.isascii() and (c.isalnum() or c in "._"))or "user"
        return f"{local}@{self.rng.choice(['example.com', 'example.org', 'mail.example.net', self.en.domain_name()])}"

    def _valid(self, module: str, make) -> str | None:
        import importlib

        mod = importlib.import_module(f"stdnum.{module}")
        for _ in range(400):
            value = make()
            if mod.is_valid(value):
                return mod.format(value) if hasattr(mod, "format") else value
        return None

    def national_id(self) -> tuple[str, str]:
        """(label as written before it, number)."""
        d = lambda n: "".join(self.rng.choice(string.digits) for _ in range(n))  # noqa: E731
        dob = self.birth_date(18, 85)
        options = {
            "NO": ("national identity number", lambda: self._valid("no.fodselsnummer", lambda: dob.strftime("%d%m%y") + d(5))),
            "DK": ("CPR number", lambda: self._valid("dk.cpr", lambda: dob.strftime("%d%m%y") + d(4))),
            "SE": ("personal identity number", lambda: self._valid("se.personnummer", lambda: dob.strftime("%y%m%d") + "-" + d(4))),
            "FI": ("personal identity code", lambda: self._valid("fi.hetu", lambda: dob.strftime("%d%m%y") + "-" + d(3) + self.rng.choice("0123456789ABCDEFHJKLMNPRSTUVWXY"))),
            "PL": ("PESEL", lambda: self._valid("pl.pesel", lambda: dob.strftime("%y%m%d") + d(5))),
            "ES": ("DNI", lambda: self._valid("es.dni", lambda: d(8) + self.rng.choice("TRWAGMYFPDXBNJZSQVHLCKE"))),
            "NL": ("BSN", lambda: self._valid("nl.bsn", lambda: d(9))),
            "IT": ("codice fiscale", lambda: self.fake.ssn() if hasattr(self.fake, "ssn") else None),
            "FR": ("NIR", lambda: self._valid("fr.nir", lambda: self.rng.choice("12") + dob.strftime("%y%m") + d(8) + "00")),
            "RO": ("CNP", lambda: self._valid("ro.cnp", lambda: self.rng.choice("12") + dob.strftime("%y%m%d") + d(6))),
            "US": ("SSN", lambda: self.fake.ssn()),
            "GB": ("National Insurance number", lambda: self.fake.ssn() if self.locale == "en_GB" else None),
            "IE": ("PPS number", lambda: self._valid("ie.pps", lambda: d(7) + self.rng.choice(string.ascii_uppercase[:23]))),
            "TR": ("T.C. Kimlik No", lambda: self._valid("tr.tckimlik", lambda: self.rng.choice("123456789") + d(10))),
            "PT": ("NIF", lambda: self._valid("pt.nif", lambda: self.rng.choice("12") + d(8))),
            "CZ": ("birth number", lambda: self._valid("cz.rc", lambda: dob.strftime("%y%m%d") + "/" + d(4))),
        }
        label, make = options.get(self.region, ("passport number", lambda: None))
        value = None
        try:
            value = make()
        except Exception:  # noqa: BLE001 - a locale without a generator falls back to a passport number
            value = None
        if not value:
            return "passport number", self.rng.choice(string.ascii_uppercase) + d(8)
        return label, str(value)

    def vat(self) -> str:
        d = lambda n: "".join(self.rng.choice(string.digits) for _ in range(n))  # noqa: E731
        for country, make in [("de", lambda: "DE" + d(9)), ("nl", lambda: "NL" + d(9) + "B01"),
                              ("gb", lambda: "GB" + d(9)), ("fr", lambda: "FR" + d(11)), ("be", lambda: "BE0" + d(9)),
                              ("dk", lambda: "DK" + d(8)), ("pl", lambda: "PL" + d(10))]:
            if self.rng.random() < 0.4:
                v = self._valid("eu.vat", make)
                if v:
                    return v
        return self._valid("eu.vat", lambda: "DE" + d(9)) or "DE" + d(9)

    def iban(self) -> str:
        import stdnum.iban

        return stdnum.iban.format(self.fake.iban())

    def card(self) -> str:
        raw = self.en.credit_card_number(card_type=self.rng.choice(["visa", "mastercard", "amex"]))
        if self.rng.random() < 0.5 and len(raw) == 16:
            return " ".join(raw[i:i + 4] for i in range(0, 16, 4))
        return raw

    def address(self) -> str:
        return self.fake.address().replace("\n", ", ")

    def city(self) -> str:
        return self.fake.city()

    def company(self) -> str:
        return self.fake.company()

    def date(self, past_years: int = 5) -> str:
        dt = self.fake.date_between(start_date=TODAY - _dt.timedelta(days=365 * past_years), end_date=TODAY)
        return self.fmt_date(dt)

    def fmt_date(self, dt) -> str:
        return self.rng.choice([dt.strftime("%d %B %Y").lstrip("0"), dt.strftime("%d/%m/%Y"), dt.strftime("%Y-%m-%d"),
                                dt.strftime("%B %d, %Y"), dt.strftime("%d.%m.%Y")])

    def dob(self) -> str:
        return self.fmt_date(self.birth_date(18, 90))

    def birth_date(self, minimum_age: int, maximum_age: int):
        return self.fake.date_between(start_date=TODAY - _dt.timedelta(days=365 * maximum_age),
                                      end_date=TODAY - _dt.timedelta(days=365 * minimum_age))

    def ref(self) -> str:
        r = self.rng
        return r.choice([f"{r.choice(['REF', 'CASE', 'INV', 'CL', 'HR'])}-{r.randint(2015, 2026)}-{r.randint(1000, 99999)}",
                         f"{r.randint(100, 99999)}/{r.randint(10, 26)}",
                         f"{r.choice(string.ascii_uppercase)}{r.choice(string.ascii_uppercase)}{r.randint(100000, 9999999)}"])

    def plate(self) -> str:
        return self.fake.license_plate() if hasattr(self.fake, "license_plate") else self.ref()

    def official(self) -> str:
        return f"{self.rng.choice(OFFICIAL_TITLES)} {self.en.last_name()}"


# ---------------------------------------------------------------------------------------------- genres

def _filler(r: random.Random, n: int = 1) -> str:
    return " ".join(r.sample(FILLER, n))


def letter(doc: Doc, p: People, r: random.Random) -> None:
    sender, to = p.name(), p.name()
    firm = p.company()
    doc.add((firm, "ORG", "QUASI"), "\n", (p.address(), "LOC", "QUASI", "addr1"), "\n",
            "Tel. ", (p.phone(), "CODE", "DIRECT"), "\n\n", (p.date(1), "DATETIME", "QUASI"), "\n\n")
    doc.add((p.titled(to), "PERSON", "DIRECT", to), "\n", (p.address(), "LOC", "QUASI"), "\n\n")
    ref = p.ref()
    doc.add("Our ref.: ", (ref, "CODE", "DIRECT"), "\n\n", f"{r.choice(SALUTATIONS[:3])} ",
            (to.split()[-1] if r.random() < 0.5 else to, "PERSON", "DIRECT", to), ",\n\n")
    doc.add(_filler(r), " ")
    born = p.dob()
    doc.add("Our client, ", (sender, "PERSON", "DIRECT", sender), ", born ", (born, "DATETIME", "QUASI"),
            ", has instructed us in connection with the proceedings before ", (r.choice(COURTS), "ORG", "NO_MASK"),
            ". His or her position is that ", (r.choice(STATUTES), "MISC", "NO_MASK"), " applies. ")
    if r.random() < 0.7:
        doc.add("Payment of the outstanding amount should be made to IBAN ", (p.iban(), "CODE", "DIRECT"),
                " quoting reference ", (ref, "CODE", "DIRECT"), ". ")
    if r.random() < 0.5:
        doc.add("You can reach the writer at ", (p.email(sender), "CODE", "DIRECT"), " or on ",
                (p.phone(), "CODE", "DIRECT"), ". ")
    doc.add(_filler(r, 2), "\n\n", f"{r.choice(CLOSINGS)},\n\n")
    writer = p.name()
    doc.add((writer, "PERSON", "DIRECT"), "\n", r.choice(["Solicitor", "Partner", "Associate", "Legal Counsel"]),
            "\n", (firm, "ORG", "QUASI"))


def contract(doc: Doc, p: People, r: random.Random) -> None:
    a, b = p.name(), p.company()
    doc.add(r.choice(["EMPLOYMENT CONTRACT", "TENANCY AGREEMENT", "SERVICE AGREEMENT", "LOAN AGREEMENT"]), "\n\n")
    doc.add("This agreement is made on ", (p.date(2), "DATETIME", "QUASI"), " between ", (b, "ORG", "QUASI"),
            ", VAT number ", (p.vat(), "CODE", "DIRECT"), ", registered at ", (p.address(), "LOC", "QUASI"),
            " (the Company), and ", (a, "PERSON", "DIRECT", a), ", born on ", (p.dob(), "DATETIME", "QUASI"), ", ")
    label, nid = p.national_id()
    doc.add(f"{label} ", (nid, "CODE", "DIRECT"), ", residing at ", (p.address(), "LOC", "QUASI"), ".\n\n")
    doc.add("1. Term. The agreement runs for ", (f"{r.randint(2, 36)} months", "QUANTITY", "QUASI"), ". ",
            _filler(r), "\n2. Payment. The monthly amount of ", (f"EUR {r.randint(900, 9000):,}", "QUANTITY", "QUASI"),
            " is paid to account ", (p.iban(), "CODE", "DIRECT"), ".\n3. Law. This agreement is governed by ",
            (r.choice(["the law of " + r.choice(COUNTRIES), "English law"]), "MISC", "NO_MASK"),
            " and disputes go to ", (r.choice(COURTS), "ORG", "NO_MASK"), ".\n4. ", _filler(r), "\n\n")
    doc.add("Signed: ", (a, "PERSON", "DIRECT", a), "    For the Company: ", (p.name(), "PERSON", "DIRECT"), "\n")


def email(doc: Doc, p: People, r: random.Random) -> None:
    s, t = p.name(), p.name()
    se, te = p.email(s), p.email(t)
    doc.add("From: ", (s, "PERSON", "DIRECT", s), " <", (se, "CODE", "DIRECT"), ">\nTo: ", (te, "CODE", "DIRECT"),
            "\nDate: ", (p.date(1), "DATETIME", "QUASI"), "\nSubject: ", r.choice(["Re: your claim", "Meeting",
                                                                                   "Documents", "Invoice"]), " ",
            (p.ref(), "CODE", "DIRECT"), "\n\n", f"{r.choice(SALUTATIONS[1:3])} ", (t.split()[0], "PERSON", "DIRECT", t),
            ",\n\n")
    doc.add(_filler(r), " I attach the form from ", (r.choice(INSTITUTIONS), "ORG", "NO_MASK"),
            ". The hearing is listed at ", (r.choice(COURTS), "ORG", "NO_MASK"), " on ", (p.date(1), "DATETIME", "QUASI"),
            ". ")
    if r.random() < 0.5:
        doc.add("My card ", (p.card(), "CODE", "DIRECT"), " was charged twice. ")
    if r.random() < 0.5:
        doc.add("The portal is at ", (f"https://{p.en.domain_name()}/u/{s.split()[0].lower()}", "CODE", "DIRECT"),
                " and the login came from IP ", (p.en.ipv4_public(), "CODE", "DIRECT"), ". ")
    doc.add("\n\n", r.choice(CLOSINGS), ",\n", (s.split()[0], "PERSON", "DIRECT", s), "\n\n--\n", (s, "PERSON", "DIRECT", s),
            "\n", r.choice(JOBS).title(), ", ", (p.company(), "ORG", "QUASI"), "\nMobile: ", (p.phone(), "CODE", "DIRECT"),
            "\n", (se, "CODE", "DIRECT"), "\n")


def police(doc: Doc, p: People, r: random.Random) -> None:
    suspect, witness = p.name(), p.name()
    doc.add("INCIDENT REPORT ", (p.ref(), "CODE", "DIRECT"), "\n", (r.choice(INSTITUTIONS[5:7] + ["the National Police"]),
                                                                   "ORG", "NO_MASK"), "\n\n")
    doc.add("Date of incident: ", (p.date(1), "DATETIME", "QUASI"), "\nLocation: ", (p.address(), "LOC", "QUASI"),
            "\nReporting officer: ", (p.official(), "PERSON", "NO_MASK"), "\n\n")
    doc.add("At about ", (f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}", "DATETIME", "QUASI"),
            " officers attended following a call from ", (witness, "PERSON", "DIRECT", witness), " (tel. ",
            (p.phone(), "CODE", "DIRECT"), "). The suspect, ", (suspect, "PERSON", "DIRECT", suspect), ", aged ",
            (str(r.randint(18, 70)), "QUANTITY", "QUASI"), ", a ", (NATIONALITY[p.region], "DEM", "QUASI"), " national, was "
            "driving a vehicle with registration ", (p.plate(), "CODE", "DIRECT"), ". ")
    doc.add("He or she was arrested under ", (r.choice(STATUTES[7:10] + ["section 24 of the Police and Criminal Evidence Act 1984"]), "MISC", "NO_MASK"),
            " and taken to ", (f"{p.city()} police station", "LOC", "QUASI"), ". ", _filler(r), " ",
            (suspect.split()[-1], "PERSON", "DIRECT", suspect), " declined to comment.\n")


def medical(doc: Doc, p: People, r: random.Random) -> None:
    pt = p.name()
    doc.add("DISCHARGE SUMMARY\n", (f"{p.city()} {r.choice(['University Hospital', 'General Hospital', 'Clinic'])}", "ORG", "QUASI"),
            "\n\nPatient: ", (pt, "PERSON", "DIRECT", pt), "\nDate of birth: ", (p.dob(), "DATETIME", "QUASI"),
            "\nPatient number: ", (p.ref(), "CODE", "DIRECT"), "\n")
    label, nid = p.national_id()
    doc.add(label.capitalize(), ": ", (nid, "CODE", "DIRECT"), "\nAddress: ", (p.address(), "LOC", "QUASI"), "\n\n")
    doc.add("The patient was admitted on ", (p.date(1), "DATETIME", "QUASI"), " with ", (r.choice(CONDITIONS), "MISC", "QUASI"),
            ". Treatment followed the guidance of ", (r.choice(INSTITUTIONS[6:7] + ["the World Health Organization"]), "ORG", "NO_MASK"),
            ". ", _filler(r), " Next of kin: ", (p.name(), "PERSON", "DIRECT"), ", ", (p.phone(), "CODE", "DIRECT"), ".\n\n")
    doc.add("Consultant: ", ("Dr " + p.name(), "PERSON", "QUASI"), "\n")


def hr(doc: Doc, p: People, r: random.Random) -> None:
    emp = p.name()
    comp = p.company()
    doc.add((comp, "ORG", "QUASI"), "\nHuman Resources\n\n", (p.date(1), "DATETIME", "QUASI"), "\n\nPrivate and confidential\n",
            (p.titled(emp), "PERSON", "DIRECT", emp), "\nEmployee number: ", (str(r.randint(10000, 999999)), "CODE", "DIRECT"),
            "\n\n", f"{r.choice(SALUTATIONS[:2])} ", (emp.split()[0], "PERSON", "DIRECT", emp), ",\n\n")
    doc.add("Following the meeting on ", (p.date(1), "DATETIME", "QUASI"), ", we confirm that your role as ",
            (r.choice(JOBS), "MISC", "QUASI"), " will change. Your salary will be ", (f"£{r.randint(20, 90)},{r.randint(100, 999)}", "QUANTITY", "QUASI"),
            " a year. You have the right to appeal under ", (r.choice(STATUTES[3:4] + STATUTES[11:12]), "MISC", "NO_MASK"),
            " and you may contact ", (r.choice(INSTITUTIONS[7:8] + ["ACAS"]), "ORG", "NO_MASK"), ". ", _filler(r), "\n\n",
            r.choice(CLOSINGS), ",\n", (p.name(), "PERSON", "DIRECT"), "\nHR Manager\n")


def witness(doc: Doc, p: People, r: random.Random) -> None:
    w, other = p.name(), p.name()
    doc.add("WITNESS STATEMENT\n\nName: ", (w, "PERSON", "DIRECT", w), "\nAge: ", (str(r.randint(18, 80)), "QUANTITY", "QUASI"),
            "\nOccupation: ", (r.choice(JOBS), "MISC", "QUASI"), "\nAddress: ", (p.address(), "LOC", "QUASI"), "\n\n")
    doc.add("This statement is true to the best of my knowledge. On ", (p.date(2), "DATETIME", "QUASI"), " I was at ",
            (p.company(), "ORG", "QUASI"), " in ", (p.city(), "LOC", "QUASI"), " when I saw ", (other, "PERSON", "DIRECT", other),
            " argue with a man I did not know. I have known ", (other.split()[0], "PERSON", "DIRECT", other), " for ",
            (f"{r.randint(2, 20)} years", "QUANTITY", "QUASI"), ". ", _filler(r), " I understand that this statement may be used in "
            "proceedings before ", (r.choice(COURTS), "ORG", "NO_MASK"), ".\n\nSigned: ", (w, "PERSON", "DIRECT", w), "\n")


def court(doc: Doc, p: People, r: random.Random) -> None:
    app, resp = p.name(), p.name()
    ct = r.choice(COURTS)
    doc.add(ct.replace("the ", "", 1).upper(), "\n\nCase No. ", (p.ref(), "CODE", "DIRECT"), "\n\n", "Before: ",
            (p.official(), "PERSON", "NO_MASK"), "\n\nBetween ", (app, "PERSON", "DIRECT", app), " (claimant) and ",
            (r.choice([resp, p.company()]), "PERSON", "DIRECT"), " (defendant)\n\nJUDGMENT\n\n")
    doc.add("1. The claimant, born in ", (str(r.randint(1940, 2004)), "DATETIME", "QUASI"), " and living in ",
            (p.city(), "LOC", "QUASI"), ", appeals against the decision of ", (r.choice(INSTITUTIONS), "ORG", "NO_MASK"),
            " of ", (p.date(3), "DATETIME", "QUASI"), ". She relies on ", (r.choice(STATUTES), "MISC", "NO_MASK"), ".\n")
    doc.add("2. ", _filler(r), " The Government of ", (r.choice(COUNTRIES), "LOC", "NO_MASK"), " was represented by its Agent, ",
            (p.official(), "PERSON", "NO_MASK"), ".\n3. The claimant was represented by ", ("Ms " + p.name(), "PERSON", "QUASI"),
            ", a lawyer practising in ", (p.city(), "LOC", "QUASI"), ".\n4. For these reasons, ", (ct, "ORG", "NO_MASK"),
            " dismisses the appeal.\n")


def no_pii(doc: Doc, p: People, r: random.Random) -> None:
    doc.add(r.choice(["GUIDANCE NOTE", "POLICY", "PRACTICE DIRECTION", "NOTICE", "FREQUENTLY ASKED QUESTIONS"]), "\n\n")
    for para in r.sample(NO_PII, r.randint(2, 4)):
        doc.add(para, " ")
        if r.random() < 0.5:
            doc.add("See ", (r.choice(STATUTES), "MISC", "NO_MASK"), " and the guidance of ",
                    (r.choice(INSTITUTIONS), "ORG", "NO_MASK"), ". ")
        doc.add("\n\n")
    # always one NO_MASK mention: text the model must leave readable (and trainers want an annotation)
    doc.add("Questions may be addressed to ", (r.choice(INSTITUTIONS), "ORG", "NO_MASK"), ".\n")


GENRES = {"letter": letter, "contract": contract, "email": email, "police": police, "medical": medical, "hr": hr,
          "witness": witness, "court": court, "no_pii": no_pii}


def generate(n: int, seed: int, split: str) -> list[dict]:
    """``n`` documents, genres in rotation, all randomness from ``seed``."""
    rng = random.Random(seed)
    names = list(GENRES)
    docs = []
    for i in range(n):
        genre = names[i % len(names)]
        doc = Doc(f"synth-{split}-{i:04d}-{genre}")
        GENRES[genre](doc, People(rng), rng)
        docs.append(doc.record(genre, split))
    return docs
