"""redact: find and remove personal identifiers from legal documents (TXT, DOCX, PDF).

The front door (imports are lazy: ``import redact`` does not load torch):

>>> import redact
>>> sorted(n for n in redact.__all__)
['Redactor', 'Report', 'Settings', 'Span', 'load_model', 'score']
>>> redact.Span(0, 4, "PERSON").length
4
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Redactor", "Report", "Settings", "Span", "load_model", "score"]

_WHERE = {"Redactor": "redact.api", "Report": "redact.pipeline", "Settings": "redact.settings",
          "Span": "redact.spans", "load_model": "redact.models", "score": "redact.score"}


def __getattr__(name: str):
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'redact' has no attribute {name!r}")
