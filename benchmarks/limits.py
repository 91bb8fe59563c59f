"""Peak memory of `redact run` on a hostile DOCX (a ~300 KB file whose XML part inflates to 200 MB) next
to the same run on an ordinary DOCX, side by side in one run (separate processes, peak RSS).

    python benchmarks/limits.py

Target: bounded (the part is refused before it is parsed), ≤ 1 GB.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path


def bomb(path: Path, mib: int = 200) -> None:
    """A valid package whose word/document.xml holds ``mib`` MiB of one repeated paragraph."""
    para = b"<w:p><w:r><w:t>The applicant, Mr Jan Kowalski, lives in Sopot.</w:t></w:r></w:p>"
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.'
            b'openxmlformats.org/wordprocessingml/2006/main"><w:body>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                   'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            block = para * 1024
            for _ in range(mib * 1024 * 1024 // len(block)):
                fh.write(block)
            fh.write(b"</w:body></w:document>")


def peak_rss_mib(cmd: list[str]) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(cmd, capture_output=True, text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(peak, before) / 1024, proc.returncode


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from documents import docx_simple

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        small, big = tmp / "small" / "letter.docx", tmp / "big" / "bomb.docx"
        small.parent.mkdir()
        big.parent.mkdir()
        docx_simple(small, ["The applicant, Mr Jan Kowalski, lives in Sopot."] * 20)
        bomb(big)
        print(f"bomb: {big.stat().st_size / 1024:.0f} KB on disk, 200 MiB inflated part")
        # each in its own process; ru_maxrss of children is a running maximum, so the small one goes first
        for name, path in (("ordinary DOCX", small), ("200 MiB-part DOCX", big)):
            rss, code = peak_rss_mib([sys.executable, "-m", "redact", "run", str(path), "-o", str(tmp / "out" / name),
                                      "-q"])
            print(f"{name:<20} exit {code}  peak RSS so far {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
