"""One trainer per model family; each module exposes ``DEFAULT_BASE`` (or None) and ``train(...)``.

>>> from trainers import FAMILIES
>>> sorted(FAMILIES)
['albert', 'bilstm', 'distilbert', 'legalbert', 'minilm']
"""

FAMILIES = {
    "bilstm": "trainers.bilstm",
    "distilbert": "trainers.distilbert",
    "legalbert": "trainers.legalbert",
    "albert": "trainers.albert",
    "minilm": "trainers.minilm",
}
