"""Starting with a store or secrets the app cannot use: one clear line and exit status 2, before
any server starts (dashboard.ui.preflight)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.team.settings import secrets_toml
from dashboard.ui import preflight
from dashboard.ui.preflight import StartError

GOOD = secrets_toml("https://desk.example/", "https://login.example/", "x" * 40)


def write(tmp_path: Path, text: str, name: str = "secrets.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check(tmp_path: Path, text: str) -> None:
    preflight.check(["--secrets.files", str(write(tmp_path, text))], tmp_path)


def test_good_secrets_and_no_secrets_at_all_start(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_STORE", str(tmp_path / "store.sqlite3"))
    check(tmp_path, GOOD)
    check(tmp_path, GOOD + '\n[access]\nmarkings = ["PUBLIC", "RESTRICTED"]\n')
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    preflight.check([], tmp_path)  # no file anywhere: sign-in off, the laptop's set-up


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[auth]\nredirect_uri = "https://d/oauth2callback"\n', "lacks cookie_secret, client_id"),
        (GOOD.replace("/oauth2callback", "/callback"), "followed by /oauth2callback"),
        (GOOD.replace("x" * 40, "short"), "shorter than 32 characters"),
        ("[auth\nredirect_uri = 1\n", "is not valid TOML"),
        ('auth = "on"\n', "must be a section, [auth]"),
        (GOOD + '\n[access]\nmarkings = "SECRET"\n', "[access] settings cannot be used"),
        (GOOD + '\n[access]\nclearence_claim = "c"\n', "unknown settings"),
    ],
)
def test_secrets_it_cannot_use_are_one_line_naming_what_is_wrong(
    tmp_path, monkeypatch, text, words
):
    monkeypatch.setenv("DASHBOARD_STORE", str(tmp_path / "store.sqlite3"))
    with pytest.raises(StartError) as caught:
        check(tmp_path, text)
    assert words in str(caught.value) and "\n" not in str(caught.value).strip()


def test_a_named_secrets_file_that_is_missing_is_said_so(tmp_path):
    with pytest.raises(StartError, match=r"nowhere\.toml \(named by --secrets.files\) does not"):
        preflight.check([f"--secrets.files={tmp_path / 'nowhere.toml'}"], tmp_path)


def test_later_files_override_earlier_ones_as_streamlit_reads_them(tmp_path):
    first = write(tmp_path, '[auth]\nredirect_uri = "broken"\n', "a.toml")
    second = write(tmp_path, GOOD, "b.toml")
    files, named = preflight.secrets_files([f"--secrets.files={first},{second}"], tmp_path)
    assert files == [first, second] and named
    preflight.check_secrets(preflight.read_secrets(files, named))


def serve(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_serve_stops_at_once_with_one_line_for_a_store_it_cannot_reach(tmp_path):
    import os

    from tests.browser.support import free_port

    url = f"postgresql://dashboard_app:s3cret@127.0.0.1:{free_port()}/desk"
    done = serve(env={**os.environ, "DASHBOARD_STORE": url}, cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: Cannot reach the store") and "s3cret" not in line
    assert "Traceback" not in done.stderr + done.stdout


def test_serve_stops_at_once_with_one_line_for_broken_secrets_in_the_project_folder(tmp_path):
    import os

    (tmp_path / ".streamlit").mkdir()
    write(tmp_path / ".streamlit", GOOD.replace("client_id", "client"))
    env = {**os.environ, "DASHBOARD_STORE": str(tmp_path / "s.sqlite3"), "HOME": str(tmp_path)}
    done = serve(env=env, cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line == (
        "error: [auth] in the secrets lacks client_id: sign-in needs all of redirect_uri, "
        "cookie_secret, client_id, client_secret, server_metadata_url (see "
        "deploy/secrets.example.toml)."
    )
