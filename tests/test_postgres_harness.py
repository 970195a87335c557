"""The PostgreSQL server the team set-up's tests run against: a real cluster started from
Debian's binaries (dashboard.team.postgres), reachable at its URL, and one that can be restarted
under a client, as the store's fault tests will do."""

from __future__ import annotations

import psycopg
import pytest


def test_a_real_postgresql_15_answers_at_its_url(postgres):
    with psycopg.connect(postgres.url) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        assert version.startswith("15.")
        assert connection.execute("SHOW server_encoding").fetchone()[0] == "UTF8"
        # Only on the loopback address: nothing off the machine reaches it.
        assert connection.execute("SHOW listen_addresses").fetchone()[0] == "127.0.0.1"


def test_a_restart_cuts_open_connections_and_keeps_what_was_committed(postgres):
    with psycopg.connect(postgres.url, autocommit=True) as setup:
        setup.execute("CREATE TABLE IF NOT EXISTS harness (n integer)")
        setup.execute("INSERT INTO harness VALUES (1)")
    open_one = psycopg.connect(postgres.url)
    open_one.execute("INSERT INTO harness VALUES (2)")  # begun, never committed
    postgres.restart()
    with pytest.raises(psycopg.OperationalError):
        open_one.execute("SELECT 1")
    open_one.close()
    with psycopg.connect(postgres.url) as again:
        assert [r[0] for r in again.execute("SELECT n FROM harness ORDER BY n")] == [1]
        again.execute("DROP TABLE harness")
