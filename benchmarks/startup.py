"""Start-up cost, measured side by side in one run (medians of N runs, wall clock and CPU time):

- ``python -c "import torch"`` (the floor any torch tool pays),
- ``redact --help`` (target ≤ 0.5 s),
- ``redact run`` on a one-line file, whole process, on ONNX Runtime (the CPU default; target ≤ 1 × import
  torch) and on PyTorch (``--runtime torch``).

    python benchmarks/startup.py [--runs 5] [--precision auto]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) for one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "TQDM_DISABLE": "1"})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--precision", default="auto")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.txt"
        one.write_text("The applicant, Mr Jan Kowalski, lives in Sopot.\n")
        redact = [sys.executable, "-m", "redact"]
        cases = {
            "python -c 'import torch'": [sys.executable, "-c", "import torch"],
            "redact --help": redact + ["--help"],
            "redact run one-line.txt": redact + ["run", str(one), "-o", str(Path(tmp) / "out"), "-q", "--overwrite",
                                                 "--precision", args.precision],
            "redact run --runtime torch": redact + ["run", str(one), "-o", str(Path(tmp) / "out2"), "-q", "--overwrite",
                                                    "--runtime", "torch"],
        }
        results = {name: [] for name in cases}
        for _ in range(args.runs):  # interleaved, so drifting machine load hits every case alike
            for name, cmd in cases.items():
                results[name].append(timed(cmd))
    base_wall = statistics.median(w for w, _ in results["python -c 'import torch'"])
    base_cpu = statistics.median(c for _, c in results["python -c 'import torch'"])
    print(f"{'case':<28}{'wall s':>8}{'cpu s':>8}{'wall ratio':>12}{'cpu ratio':>11}")
    for name, rows in results.items():
        wall = statistics.median(w for w, _ in rows)
        cpu = statistics.median(c for _, c in rows)
        print(f"{name:<28}{wall:>8.2f}{cpu:>8.2f}{wall / base_wall:>12.2f}{cpu / base_cpu:>11.2f}")


if __name__ == "__main__":
    main()
