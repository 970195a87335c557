"""What ``deploy/`` ships: HAProxy's config as HAProxy itself reads it, the headers it adds (the
inline-script hash matching the installed Streamlit), and the compose file, the Containerfile and
the example secrets agreeing with it and with the app."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from dashboard.core.access import AccessPolicy
from dashboard.team import proxy
from dashboard.team.demo import DEMO_USERS, as_role
from dashboard.team.settings import secrets_toml

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
CONFIG = (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def policy() -> dict[str, list[str]]:
    directives = [d.strip().split() for d in proxy.header("Content-Security-Policy").split(";")]
    return {d[0]: d[1:] for d in directives if d}


def test_haproxy_reads_the_config_with_the_addresses_it_is_given(tmp_path):
    if proxy.available():
        pytest.fail(proxy.available() or "")
    proxy.Proxy(tmp_path, {"a": 1, "b": 2}, port=3).check()


def test_haproxy_refuses_the_config_without_its_addresses():
    done = subprocess.run(
        ["haproxy", "-c", "-f", str(DEPLOY / "haproxy.cfg")],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/sbin:/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode != 0


def test_the_policy_allows_streamlits_inline_script_by_its_hash_and_nothing_else_inline():
    scripts = policy()["script-src"]
    assert scripts == ["'self'", *proxy.inline_script_hashes()], (
        "Streamlit's inline script changed: put "
        f"{' '.join(proxy.inline_script_hashes())} in deploy/haproxy.cfg's script-src"
    )
    assert proxy.inline_script_hashes(
        "<script>a</script><script type='module' src=x></script>"
    ) == ["'sha256-ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs='"]


def test_the_policy_names_no_other_origin_and_forbids_framing_by_others_and_eval():
    for directive, sources in policy().items():
        for source in sources:
            assert source in {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"} or (
                source.startswith("'sha256-")
            ), (directive, source)
        if directive != "style-src":
            assert "'unsafe-inline'" not in sources, directive
    assert policy()["default-src"] == ["'self'"] and policy()["object-src"] == ["'none'"]
    # Only the app frames itself: the reader's passage picker is a frame of the app's own origin.
    assert policy()["frame-ancestors"] == ["'self'"]
    assert "eval" not in proxy.header("Content-Security-Policy")
    assert proxy.header("X-Frame-Options") == "SAMEORIGIN"
    assert proxy.header("X-Content-Type-Options") == "nosniff"
    assert proxy.header("Referrer-Policy") == "no-referrer"


def test_sessions_are_sticky_and_move_when_their_replica_is_down():
    assert "cookie SRV insert indirect nocache" in CONFIG
    assert re.search(r"server a \"\$\{DASHBOARD_REPLICA_A\}\" check cookie a", CONFIG)
    assert re.search(r"server b \"\$\{DASHBOARD_REPLICA_B\}\" check cookie b", CONFIG)
    assert "option redispatch" in CONFIG and "option httpchk GET /_stcore/health" in CONFIG
    assert re.search(r"timeout tunnel \d+h", CONFIG)  # the websocket lives as long as a session


def test_compose_gives_haproxy_every_address_its_config_reads():
    wanted = set(re.findall(r"\$\{(\w+)\}", CONFIG))
    haproxy = COMPOSE["services"]["haproxy"]
    assert (
        wanted
        == set(haproxy["environment"])
        == {
            "DASHBOARD_BIND",
            "DASHBOARD_REPLICA_A",
            "DASHBOARD_REPLICA_B",
        }
    )
    for name in ("a", "b"):
        host, port = haproxy["environment"][f"DASHBOARD_REPLICA_{name.upper()}"].split(":")
        assert host in COMPOSE["services"] and port == "8501"
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in haproxy["volumes"]


def test_compose_replicas_share_one_secrets_file_and_connect_as_the_app_role():
    services = COMPOSE["services"]
    a, b = services["replica-a"], services["replica-b"]
    assert a == b
    assert a["environment"]["DASHBOARD_STORE"].startswith("postgresql://dashboard_app@")
    assert a["secrets"][0]["target"] == "/run/secrets/dashboard.toml"
    setup = services["store-setup"]["command"]
    assert setup[:1] == ["store-setup"] and setup[setup.index("--app-role") + 1] == "dashboard_app"
    container = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    assert '"--secrets.files", "/run/secrets/dashboard.toml"' in container
    assert '"--server.port", "8501"' in container and '"0.0.0.0"' in container


def test_the_example_secrets_are_what_the_app_and_streamlit_read():
    example = tomllib.loads((DEPLOY / "secrets.example.toml").read_text(encoding="utf-8"))
    assert set(example["auth"]) == {
        "redirect_uri",
        "cookie_secret",
        "client_id",
        "client_secret",
        "server_metadata_url",
    }
    assert example["auth"]["redirect_uri"].endswith("/oauth2callback")
    assert AccessPolicy.from_config(example["access"]) == AccessPolicy()


def test_the_demonstrations_secrets_parse_and_its_users_are_cleared_to_known_markings():
    text = secrets_toml("http://localhost:8600", "http://localhost:8610", "s", access={"x": [1]})
    parsed = tomllib.loads(text)
    assert parsed["auth"]["redirect_uri"] == "http://localhost:8600/oauth2callback"
    assert parsed["access"] == {"x": [1]}
    policy_ = AccessPolicy()
    for _, claims in DEMO_USERS:
        assert claims["clearance"] in policy_.markings
    assert len({claims["clearance"] for _, claims in DEMO_USERS}) == 3
    assert as_role("postgresql://a:pw@h:1/d", "r") == "postgresql://r@h:1/d"
