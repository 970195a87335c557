"""The thin Streamlit layer: cached loading and small rendering helpers shared by the pages.

This is the only module of the package that imports Streamlit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from dashboard import DATA_DIR
from dashboard.cards import CSS
from dashboard.corpus import Corpus, load_corpus
from dashboard.problems import problems_frame


def data_fingerprint(data_dir: Path = DATA_DIR) -> str:
    """A key that changes whenever a data file changes: path, size and modification time."""
    digest = hashlib.sha256()
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(data_dir)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@st.cache_resource(show_spinner="Loading the reports and findings…")
def _cached_corpus(data_dir: str, fingerprint: str) -> Corpus:
    # Keyed on the fingerprint so that an edited data file is picked up; shared by every
    # session, so callers must treat the result as read-only.
    return load_corpus(Path(data_dir))


def corpus() -> Corpus:
    """The bundled corpus, loaded once per change of the data files."""
    return _cached_corpus(str(DATA_DIR), data_fingerprint())


def page_css() -> None:
    st.html(CSS)


def show_problems(corpus: Corpus) -> None:
    """Say plainly when some bundled rows could not be loaded, and why."""
    if corpus.problems:
        st.warning(f"{len(corpus.problems)} problem(s) in the bundled data: the rows concerned "
                   "are left out.")
        st.dataframe(problems_frame(corpus.problems), hide_index=True)
