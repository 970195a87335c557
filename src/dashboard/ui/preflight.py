"""What ``python -m dashboard serve`` checks before it starts the server: the store it is given
(``DASHBOARD_STORE``) can be opened, and the secrets files hold a sign-in and access set-up the
app can use. A wrong one is one clear line and exit status 2, not a stack trace on the first
page or a sign-in button that fails when pressed.

The secrets are read as Streamlit reads them: the files of ``--secrets.files`` when given, else
``~/.streamlit/secrets.toml`` and ``.streamlit/secrets.toml`` in the folder the app runs from.
Sign-in calls ``st.login()`` with no provider name, so ``[auth]`` holds the provider's settings
itself (Streamlit's "default" provider).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: What ``[auth]`` must hold for ``st.login()`` (Streamlit's default provider).
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
#: Shorter than this, a cookie secret can be guessed (Streamlit warns under 32 bytes too).
MIN_COOKIE_SECRET = 32


class StartError(Exception):
    """Why the app cannot start as configured: one line for the person starting it."""


def option_values(options: Sequence[str], name: str) -> list[str]:
    """The values of ``--name VALUE`` and ``--name=VALUE`` in *options*, in order.

    >>> option_values(["--server.port", "1", "--secrets.files=a.toml,b.toml"], "secrets.files")
    ['a.toml,b.toml']
    """
    flag, found = f"--{name}", []
    for i, option in enumerate(options):
        if option == flag and i + 1 < len(options):
            found.append(options[i + 1])
        elif option.startswith(flag + "="):
            found.append(option.split("=", 1)[1])
    return found


def secrets_files(options: Sequence[str], root: Path) -> tuple[list[Path], bool]:
    """The secrets files Streamlit will read, and whether they were named (so must exist)."""
    named = [
        Path(p.strip()).expanduser()
        for value in option_values(options, "secrets.files")
        for p in value.split(",")
        if p.strip()
    ]
    if named:
        return named, True
    return [
        Path.home() / ".streamlit" / "secrets.toml",
        root / ".streamlit" / "secrets.toml",
    ], False


def read_secrets(files: Sequence[Path], must_exist: bool) -> dict[str, Any]:
    """The secrets of *files*, later files overriding earlier ones section by section."""
    merged: dict[str, Any] = {}
    for file in files:
        if not file.exists():
            if must_exist:
                raise StartError(
                    f"The secrets file {file} (named by --secrets.files) does not exist."
                )
            continue
        try:
            merged.update(tomllib.loads(file.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as err:
            raise StartError(f"The secrets file {file} is not valid TOML: {err}.") from None
        except (OSError, UnicodeDecodeError) as err:
            raise StartError(f"The secrets file {file} cannot be read: {err}.") from None
    return merged


def check_secrets(secrets: dict[str, Any]) -> None:
    """Raise :class:`StartError` when ``[auth]`` or ``[access]`` cannot be used."""
    from dashboard.core.access import AccessError, AccessPolicy

    auth = secrets.get("auth")
    if auth is not None:
        if not isinstance(auth, dict):
            raise StartError("The secrets' auth must be a section, [auth], with its settings.")
        missing = [k for k in AUTH_KEYS if not str(auth.get(k, "")).strip()]
        if missing:
            raise StartError(
                f"[auth] in the secrets lacks {', '.join(missing)}: sign-in needs all of "
                f"{', '.join(AUTH_KEYS)} (see deploy/secrets.example.toml)."
            )
        if not str(auth["redirect_uri"]).endswith("/oauth2callback"):
            raise StartError(
                f"[auth] redirect_uri is {auth['redirect_uri']!r}: it must be the public URL "
                "followed by /oauth2callback, e.g. https://dashboard.example.org/oauth2callback."
            )
        if len(str(auth["cookie_secret"])) < MIN_COOKIE_SECRET:
            raise StartError(
                f"[auth] cookie_secret is shorter than {MIN_COOKIE_SECRET} characters: use a "
                'long random one, e.g. python -c "import secrets; '
                'print(secrets.token_urlsafe(32))", the same on every replica.'
            )
    access = secrets.get("access")
    if access is not None:
        if not isinstance(access, dict):
            raise StartError("The secrets' access must be a section, [access], with its settings.")
        try:
            AccessPolicy.from_config(access)
        except AccessError as err:
            raise StartError(f"The [access] settings cannot be used: {err}") from None


def check_store() -> None:
    """Raise :class:`StartError` when the store of ``DASHBOARD_STORE`` cannot be opened."""
    from dashboard.io.store import Store
    from dashboard.io.store_file import default_store
    from dashboard.io.store_records import StoreError

    try:
        Store(default_store())
    except StoreError as err:
        raise StartError(str(err)) from None


def check(options: Sequence[str], root: Path) -> None:
    """Everything :mod:`dashboard.ui.serve` checks before it starts."""
    files, named = secrets_files(options, root)
    check_secrets(read_secrets(files, named))
    check_store()
