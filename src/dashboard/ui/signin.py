"""Sign-in and who is reading: OpenID Connect through Streamlit's own ``st.login``.

Sign-in is on when ``.streamlit/secrets.toml`` (or a file named by ``--secrets.files``) has an
``[auth]`` section, as Streamlit documents it for any OIDC provider (Keycloak, Entra ID, Okta).
Then :func:`gate`, which every page's frame calls first, serves nothing but the sign-in screen to
a visitor who is not signed in, or whose ID token has expired (``exp``): no page, deep link,
finding or download. Off (no ``[auth]``), the one local analyst reads everything.

Who may read what comes from :class:`~dashboard.core.access.AccessPolicy`, the optional
``[access]`` section: the markings in use and the ID-token claims holding a user's clearance and
groups. See the README's "Team set-up".
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import streamlit as st

from dashboard.core.access import AccessError, AccessPolicy, Reader
from dashboard.views.inert import inert

#: Session key: the subject whose sign-in was written to the audit log in this session.
_AUDITED = "signin_audited"


def _secrets() -> Mapping[str, Any]:
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except Exception:  # no secrets file at all: Streamlit raises StreamlitSecretNotFoundError
        return {}


def sign_in_on() -> bool:
    """Whether sign-in is configured (an ``[auth]`` section in the secrets)."""
    return "auth" in _secrets()


def policy() -> AccessPolicy:
    """The access policy of the ``[access]`` section (the defaults without one). A broken one
    stops the page with one clear line."""
    try:
        return _policy(_frozen(_secrets().get("access") or {}))
    except AccessError as err:
        st.error("The dashboard's access settings cannot be used: " + inert(err))
        st.stop()
        raise  # st.stop() raises; this is for the type checker


@st.cache_resource(show_spinner=False, max_entries=4)
def _policy(config: tuple[tuple[str, Any], ...]) -> AccessPolicy:
    return AccessPolicy.from_config(dict(config))


def _frozen(config: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(
        sorted((str(k), tuple(v) if isinstance(v, list | tuple) else v) for k, v in config.items())
    )


def _claims() -> dict[str, Any]:
    try:
        return dict(st.user.to_dict())
    except Exception:  # outside a session (a warm-up thread), or no user
        return {}


def reader() -> Reader:
    """Who is reading now: the signed-in user, or the local analyst when sign-in is off."""
    if not sign_in_on():
        return policy().everyone()
    claims = _claims()
    if not claims.get("is_logged_in"):
        # Never reached on a page (the gate stops first); reads nothing but what is public.
        return Reader(name="visitor", clearance=policy().lowest, signed_in=False)
    return policy().reader(claims)


def expired(claims: Mapping[str, Any], now: float | None = None) -> bool:
    """Whether the ID token of these claims has expired (its ``exp``, in seconds since 1970).

    >>> expired({"exp": 100}, now=101), expired({"exp": 100}, now=99), expired({}, now=1)
    (True, False, False)
    """
    exp = claims.get("exp")
    if not isinstance(exp, int | float):
        return False
    return (time.time() if now is None else now) >= float(exp)


def gate(audit=None) -> Reader:
    """The reader of this run; with sign-in on, a visitor not signed in (or whose sign-in has
    expired) sees the sign-in screen and nothing else, and the run stops here. *audit* (called
    with the reader and :func:`signed_in_at`) writes the sign-in to the audit log, once per
    session; it is the audit's part to know a sign-in it has already written."""
    if not sign_in_on():
        return policy().everyone()
    claims = _claims()
    if not claims.get("is_logged_in"):
        _screen(
            "Sign in to see the findings.",
            "The dashboard's findings carry protective markings, so each one is shown only to "
            "staff cleared for it. Sign in with your organisation's account.",
            "Sign in",
        )
    if expired(claims):
        _screen(
            "Your sign-in has expired.",
            "Sign in again to go on; the page you asked for opens after it.",
            "Sign in again",
        )
    who = policy().reader(claims)
    if audit is not None and st.session_state.get(_AUDITED) != who.subject:
        st.session_state[_AUDITED] = who.subject
        audit(who, signed_in_at(claims))
    return who


def signed_in_at(claims: Mapping[str, Any]) -> int | None:
    """When the provider signed this user in (``auth_time``, else the token's ``iat``), in
    seconds since 1970: one sign-in, however many tabs and reloads it serves.

    >>> signed_in_at({"auth_time": 1796303987, "iat": 1796304000}), signed_in_at({})
    (1796303987, None)
    """
    for claim in ("auth_time", "iat"):
        value = claims.get(claim)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return None


def _screen(title: str, text: str, button: str) -> None:
    st.title("ISKP findings")
    st.subheader(inert(title))
    st.markdown(inert(text))
    st.button(
        inert(button), type="primary", on_click=st.login, icon=":material/login:", key="sign_in"
    )
    st.stop()


def account(who: Reader, on_sign_out=None) -> None:
    """The sidebar's account box: who is signed in, their clearance, and Sign out."""
    if not who.signed_in:
        return
    groups = ", ".join(sorted(who.groups)) or "none"
    st.sidebar.caption(
        f"Signed in as **{inert(who.name)}** · cleared to {inert(who.clearance)} · "
        f"groups: {inert(groups)}"
    )

    def sign_out() -> None:
        if on_sign_out is not None:
            on_sign_out(who)
        st.session_state.pop(_AUDITED, None)
        st.logout()

    st.sidebar.button("Sign out", on_click=sign_out, icon=":material/logout:", key="sign_out")
