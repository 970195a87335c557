"""Analyst dashboard for structured findings of reports on ISIS Khorasan (ISKP).

Everything in this package is plain Python that can be tested without Streamlit; only
:mod:`dashboard.ui` imports Streamlit.
"""

import gc
import os
from contextlib import contextmanager
from pathlib import Path

__version__ = "0.1.0"

#: The project's bundled, read-only data folder (``data/`` beside ``app.py``). The environment
#: variable DASHBOARD_DATA points the app at another folder of the same layout (the benchmarks
#: use it for generated corpora).
DATA_DIR = Path(os.environ.get("DASHBOARD_DATA") or Path(__file__).resolve().parents[2] / "data")


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while building large read-only structures.

    Loading a million findings makes tens of millions of tuples and strings, and every few
    thousand of them the collector walks the whole heap again: about a fifth of the load time
    at 1M findings. None of it forms reference cycles, so nothing is lost by collecting after.
    Nested use is fine: the collector comes back when the outermost block ends.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
