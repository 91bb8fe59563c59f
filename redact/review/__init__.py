"""Review before release: ``redact review`` builds one self-contained HTML page from a run's reports
(:mod:`.page`), a person checks the spans and exports a decisions file (:mod:`.decisions`), and
``redact apply`` rewrites the outputs with exactly those spans through the same pipeline (:mod:`.apply`).
"""
