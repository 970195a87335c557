"""Analyst dashboard for structured findings of reports on ISIS Khorasan (ISKP).

Everything in this package is plain Python that can be tested without Streamlit; only
:mod:`dashboard.ui` imports Streamlit.
"""

import os
from pathlib import Path

__version__ = "0.1.0"

#: The project's bundled, read-only data folder (``data/`` beside ``app.py``). The environment
#: variable DASHBOARD_DATA points the app at another folder of the same layout (the benchmarks
#: use it for generated corpora).
DATA_DIR = Path(os.environ.get("DASHBOARD_DATA") or Path(__file__).resolve().parents[2] / "data")
