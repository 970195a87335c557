"""Shared fixtures: the real bundled data, and a small hand-made report to test against."""

from __future__ import annotations

import pytest
from hypothesis import settings

from dashboard.core.corpus import Corpus, load_corpus
from dashboard.core.findings import Context
from dashboard.core.regions import Gazetteer, load_gazetteer
from dashboard.core.reports import Report
from dashboard.core.taxonomy import Taxonomy, load_taxonomy

# Hypothesis' deadline is a timed assertion: on a shared machine, and with the browser tests
# running beside the rest (make test), an example can take longer than 200 ms for reasons of
# its own. Speed is measured in bench/, not here.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")

#: A tiny report with the awkward characters real reports have: curly quotes, a repeated phrase.
SMALL_TEXT = (
    "ISKP’s propaganda reaches “urban youth” in Nangarhar.\n"
    "Refugees returned from Pakistan. Refugees returned again.\n"
)


@pytest.fixture(scope="session", autouse=True)
def _private_store(tmp_path_factory):
    """Every test (and every server a test starts) uses a store of its own, never the user's."""
    import os

    path = tmp_path_factory.mktemp("store") / "store.sqlite3"
    previous = os.environ.get("DASHBOARD_STORE")
    os.environ["DASHBOARD_STORE"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("DASHBOARD_STORE", None)
    else:
        os.environ["DASHBOARD_STORE"] = previous


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Every test (and every server a test starts) keeps its corpus cache in a folder of its own,
    never the user's ``~/.cache/dashboard``."""
    import os

    from dashboard.core.corpus_cache import CACHE_DIR_ENV

    path = tmp_path_factory.mktemp("cache")
    previous = os.environ.get(CACHE_DIR_ENV)
    os.environ[CACHE_DIR_ENV] = str(path)
    yield path
    if previous is None:
        os.environ.pop(CACHE_DIR_ENV, None)
    else:
        os.environ[CACHE_DIR_ENV] = previous


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return load_corpus()


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="session")
def small_report() -> Report:
    return Report(
        id="small",
        title="A Small Report",
        author="A. Author",
        text=SMALL_TEXT,
        text_kind="full text",
        publisher="Test Press",
        year=2020,
    )


@pytest.fixture
def findings_context(small_report, gazetteer, taxonomy) -> Context:
    return Context({"small": small_report}, gazetteer, taxonomy)


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL 15 server for the session (dashboard.team.postgres); a test that needs it
    is marked ``postgres``. Fails, rather than skips, when the server cannot start: make test
    installs what it needs, and ``-m 'not postgres'`` leaves these tests out on purpose."""
    from dashboard.team.postgres import PostgresServer, available

    reason = available()
    if reason:
        pytest.fail(reason)
    server = PostgresServer().start()
    yield server
    server.remove()


@pytest.fixture
def pg_url(postgres):
    """The URL of a PostgreSQL store of the test's own: an empty schema of the session's server,
    made the connection's ``search_path``, and dropped after the test."""
    import uuid

    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres.url, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    yield f"{postgres.url}?options=-csearch_path%3D{schema}"
    with psycopg.connect(postgres.url, autocommit=True) as con:
        con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


def pytest_xdist_make_scheduler(config, log):
    """make test runs the suite in two processes (pytest-xdist): every browser test in one, one
    after the other (two Chromiums and their servers at once on two cores slow each other, and
    the browser tests of a module share its server), and the other tests' files beside them.
    (xdist's own ``--dist loadgroup`` marks do not take under pytest 9: the node ids it
    rewrites are not the ones it schedules.)"""
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/browser/"):
                return "tests/browser"
            return nodeid.split("::", 1)[0]

    return BrowserTestsTogether(config, log)
