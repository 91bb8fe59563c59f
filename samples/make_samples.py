"""Regenerate samples/: three real ECHR cases from the TAB test split (MIT licence) as .txt, .docx and
.pdf (the PDFs from two producers: reportlab with a standard font and fpdf2 with an embedded TrueType font).

    python samples/make_samples.py [../shared/data/tab/test.json]
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from documents import docx_simple, pdf_fpdf2, pdf_reportlab  # noqa: E402

DOC_IDS = ("001-91088", "001-82370", "001-91092")


def main(source: str = str(HERE.parent.parent / "shared" / "data" / "tab" / "test.json")) -> None:
    docs = {d["doc_id"]: d for d in json.loads(Path(source).read_text())}
    for i, doc_id in enumerate(DOC_IDS):
        text = docs[doc_id]["text"]
        paragraphs = [p for p in text.split("\n") if p.strip()]
        (HERE / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        docx_simple(HERE / f"{doc_id}.docx", paragraphs)
        build_pdf = pdf_reportlab if i % 2 == 0 else pdf_fpdf2
        build_pdf(HERE / f"{doc_id}.pdf", paragraphs)
    print(f"wrote {3 * len(DOC_IDS)} files to {HERE}")


if __name__ == "__main__":
    main(*sys.argv[1:])
