"""The secrets file of a replica: Streamlit's ``[auth]`` section (OpenID Connect) and the
dashboard's ``[access]`` section, written for a public URL and a provider."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence

#: The client the demonstration's provider knows the dashboard as.
CLIENT_ID = "iskp-dashboard"


def new_cookie_secret() -> str:
    """A random cookie secret: every replica of one set-up must be given the same one."""
    return secrets.token_urlsafe(32)


def _value(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: JSON's escapes are TOML's
    if isinstance(value, Sequence):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(value)


def secrets_toml(
    public_url: str,
    provider_url: str,
    cookie_secret: str,
    *,
    client_id: str = CLIENT_ID,
    client_secret: str = "demo-client-secret",
    access: Mapping[str, object] | None = None,
) -> str:
    """The text of ``secrets.toml`` for replicas served at *public_url* (HAProxy's address)
    signing in with the OpenID Connect provider at *provider_url*.

    >>> print(secrets_toml("http://localhost:8600", "http://localhost:8610", "s3",
    ...                    access={"admin_group": "dashboard-admins"}))
    [auth]
    redirect_uri = "http://localhost:8600/oauth2callback"
    cookie_secret = "s3"
    client_id = "iskp-dashboard"
    client_secret = "demo-client-secret"
    server_metadata_url = "http://localhost:8610/.well-known/openid-configuration"
    <BLANKLINE>
    [access]
    admin_group = "dashboard-admins"
    <BLANKLINE>
    """
    auth = {
        "redirect_uri": public_url.rstrip("/") + "/oauth2callback",
        "cookie_secret": cookie_secret,
        "client_id": client_id,
        "client_secret": client_secret,
        "server_metadata_url": provider_url.rstrip("/") + "/.well-known/openid-configuration",
    }
    sections = [("auth", auth)] + ([("access", dict(access))] if access else [])
    return "\n".join(
        f"[{name}]\n" + "".join(f"{key} = {_value(v)}\n" for key, v in values.items())
        for name, values in sections
    )
