"""Browser-test fixtures: a real `streamlit run` on a free local port, driven by Debian's
Chromium through pytest-playwright. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.team import replicas
from dashboard.team.replicas import Replica
from tests.browser.support import APP_IDLE

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("DASHBOARD_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / os.environ.get("TEST_OUTPUT", "test-output") / "screenshots"
LOCAL = (
    "http://localhost",
    "http://127.0.0.1",
    "ws://localhost",
    "ws://127.0.0.1",
    "data:",
    "blob:",
    "about:",
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # Chromium draws as it chooses on a machine with no GPU (Skia on the CPU): the app has no
        # WebGL, and forcing SwiftShader GL rasters its SVG map about ten times slower
        # (bench/serving.py, RASTER_ARGS).
        "args": [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1440, "height": 1000},
        "accept_downloads": True,
    }


def start_server(
    tmp_path: Path,
    *,
    port: int | None = None,
    options: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> Replica:
    """A server on *port* (a free one by default) with more ``streamlit run`` *options* and
    environment variables *env* on top of the tests' own: a replica as the team set-up starts
    one (:mod:`dashboard.team.replicas`)."""
    return replicas.start(tmp_path, port=port, options=options, env=env)


def stop_server(server: Replica) -> None:
    server.stop()


@pytest.fixture(scope="session")
def provider() -> Iterator[str]:
    """An OpenID Connect provider (oidc-provider-mock, in a thread): its URL."""
    import oidc_provider_mock

    with oidc_provider_mock.run_server_in_thread() as running:
        yield f"http://localhost:{running.server_port}"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Replica]:
    started = start_server(tmp_path_factory.mktemp("server"))
    yield started
    stop_server(started)


@pytest.fixture
def fresh_server(tmp_path) -> Iterator[Replica]:
    """A server no browser has talked to yet."""
    started = start_server(tmp_path)
    yield started
    stop_server(started)


@pytest.fixture
def requests_seen(page) -> list[str]:
    """Every URL the page asks for, recorded from the first request on."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def external(urls: list[str]) -> list[str]:
    return [u for u in urls if not u.startswith(LOCAL)]


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until the script has run and the page has settled."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(APP_IDLE, timeout=timeout)
    page.wait_for_timeout(500)


def upload_findings(page, server: Replica, path: Path) -> None:
    """Open the import page and give it *path* as the findings file, as a person would."""
    page.goto(f"{server.url}/imports")
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(path))


def download(page, button: str):
    """Click the download button named *button* and return Playwright's download. The file is
    made on the server when the button is clicked: wait until the button is there and enabled,
    then for the download itself (not for a fixed time)."""
    from playwright.sync_api import expect

    found = page.get_by_role("button", name=button)
    found.wait_for(state="visible")
    expect(found).to_be_enabled()
    with page.expect_download(timeout=90_000) as info:
        found.click()
    return info.value


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
