"""Running ``redact run`` on a distributed engine: :mod:`redact.distributed.ray` (``--engine ray``).

The engines share the local pipeline's functions (reading, the model's span source, writing with
verification, reports, the manifest), so a document gives the same output whichever engine ran it.
Nothing here imports an engine until it is used.
"""
