import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TAB = ROOT / "data" / "tab"
PEERS = ROOT / "data" / "peers"


def run_cli(*args, input=None, cwd=None, timeout=600):
    """Run the installed CLI in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-c", "from redact.cli import main; main()", *map(str, args)],
        input=input, capture_output=True, text=True, cwd=cwd, timeout=timeout,
        env={**os.environ, "TQDM_DISABLE": "1"},
    )


@pytest.fixture(scope="session")
def tab_test():
    return TAB / "test.json"


@pytest.fixture(scope="session")
def tab_train_docs():
    return json.loads((TAB / "train.json").read_text())


@pytest.fixture
def registry(monkeypatch):
    """Formats registered by a test are gone after it."""
    import redact.formats

    monkeypatch.setattr(redact.formats, "_registry", dict(redact.formats._registry))
    return redact.formats
