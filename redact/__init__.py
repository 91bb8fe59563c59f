"""redact: find and remove personal identifiers from legal documents.

>>> from redact.spans import Span
>>> Span(0, 4, "PERSON").length
4
"""

__version__ = "0.1.0"
