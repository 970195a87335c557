"""The data model: text folding, problems as values, the taxonomy, the gazetteer and region
geometry, reports and anchoring excerpts in them, validating findings, and the corpus.

Nothing here knows about pages, filters or files other than the bundled data's own.
"""
