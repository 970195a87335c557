"""Asking the corpus: the ``Filters`` value with its link round trip and the plain reference
``apply``, and the fast ``FindingsIndex`` proven equal to it."""
