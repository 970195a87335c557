"""Analyst dashboard for structured findings of reports on ISIS Khorasan (ISKP).

Everything in this package is plain Python that can be tested without Streamlit; only
:mod:`dashboard.ui` imports Streamlit.
"""

from pathlib import Path

__version__ = "0.1.0"

#: The project's bundled, read-only data folder (``data/`` beside ``app.py``).
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
