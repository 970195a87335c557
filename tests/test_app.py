"""App tests: the pages run headless and show what they should."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    return at.run()


def _html(at: AppTest) -> str:
    return "\n".join(el.proto.body for el in at.get("html"))


def test_app_runs_without_exceptions(app):
    assert not app.exception


def test_home_page_shows_every_finding(app, corpus):
    html = _html(app)
    for finding in corpus.findings.itertuples():
        assert f'id="card-{finding.id}"' in html
        # Excerpts are escaped for HTML; these contain no characters that escaping changes.
        assert finding.excerpt in html, finding.id


def test_home_page_names_the_source(app):
    captions = " ".join(c.value for c in app.caption)
    assert "Sarah Ashraf" in captions and "publisher's summary page" in captions
