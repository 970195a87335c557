"""A team's PostgreSQL store with two roles: the owner sets it up and upgrades it; the app's role
reads and writes it but may only append to the audit log and may not change the schema."""

from __future__ import annotations

import io
import uuid
from urllib.parse import urlsplit

import psycopg
import pytest

from dashboard.cli import main
from dashboard.io.store import Store
from dashboard.io.store_records import StoreError
from dashboard.io.store_roles import set_up
from tests.test_store import file_a, findings_ctx, import_file  # noqa: F401 (fixtures)

pytestmark = pytest.mark.postgres


@pytest.fixture
def role(postgres):
    """A role name of the test's own, dropped (with what it was granted) afterwards."""
    name = f"app_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(postgres.url, autocommit=True) as con:
        if _exists(con, name):
            con.execute(f"DROP OWNED BY {name}")  # the rights it was granted here
        con.execute(f"DROP ROLE IF EXISTS {name}")


def _exists(con, name: str) -> bool:
    return con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None


def as_role(pg_url: str, role: str) -> str:
    """*pg_url* (the owner's) with *role* as the user: the app's address."""
    parts = urlsplit(pg_url)
    return parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}").geturl()


def test_the_app_role_reads_writes_and_appends_to_the_log(pg_url, role, file_a):  # noqa: F811
    done = set_up(pg_url, role)
    assert done.role == role and "audit" in done.tables
    assert "no UPDATE, DELETE or TRUNCATE" in "\n".join(done.lines())
    app = Store(as_role(pg_url, role))
    record = import_file(app, file_a)
    app.audit("Una", "export", {"format": "csv"})
    assert [x.action for x in app.audit_log()] == ["export", "import"]
    app.remove_import(record.id)
    assert app.imports() == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit SET who = 'someone else'",
        "DELETE FROM audit",
        "TRUNCATE audit",
        "CREATE TABLE notes (x int)",
        "ALTER TABLE findings ADD COLUMN x int",
        "DROP TABLE views",
    ],
)
def test_the_app_role_may_not_rewrite_the_log_or_change_the_schema(pg_url, role, statement):
    set_up(pg_url, role)
    Store(pg_url).audit("Una", "sign-in")
    with psycopg.connect(as_role(pg_url, role), autocommit=True) as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute(statement)
        assert con.execute("SELECT who FROM audit").fetchall() == [("Una",)]


def test_an_older_store_opened_as_the_app_says_the_owner_must_upgrade_it(pg_url, role):
    set_up(pg_url, role)
    with psycopg.connect(pg_url, autocommit=True) as con:  # as if made by an older version
        con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
        con.execute("ALTER TABLE imports DROP COLUMN groups")
    with pytest.raises(StoreError) as refused:
        Store(as_role(pg_url, role))
    message = str(refused.value)
    assert "at format 3" in message and "may not change the schema" in message
    assert "python -m dashboard store-setup" in message and "Nothing was changed" in message
    with psycopg.connect(pg_url) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            "3",
        )


def test_set_up_is_idempotent_and_sets_a_password(pg_url, role, postgres):
    set_up(pg_url, role)
    again = set_up(pg_url, role, password="it's-a-secret")
    assert again.version >= 4
    with psycopg.connect(postgres.url) as con:
        (stored,) = con.execute(
            "SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s", (role,)
        ).fetchone()
    assert stored


@pytest.mark.parametrize("bad", ["Robert'); DROP TABLE audit;--", "App", ""])
def test_a_role_name_that_is_not_plain_is_refused(pg_url, bad):
    with pytest.raises(StoreError, match="not a role name"):
        set_up(pg_url, bad)


def test_store_setup_on_the_command_line(pg_url, role, monkeypatch):
    out = io.StringIO()
    monkeypatch.setenv("APP_PASSWORD", "pw")
    status = main(
        ["store-setup", pg_url, "--app-role", role, "--app-password-env", "APP_PASSWORD"], out
    )
    assert status == 0
    assert f"Role {role!r} may read and write" in out.getvalue()
    assert "pw" not in out.getvalue()


def test_store_setup_of_a_sqlite_file_says_it_needs_none(tmp_path, capsys):
    assert main(["store-setup", str(tmp_path / "s.sqlite3"), "--app-role", "dashboard_app"]) == 1
    assert "a SQLite file needs no set-up" in capsys.readouterr().err
    assert not (tmp_path / "s.sqlite3").exists()  # and none was made
