"""Serving the app to the measures: a data folder of a generated corpus, an ``AppTest`` session,
and `streamlit run` in the background with Chromium clicking its map."""

from __future__ import annotations

import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from bench import BENCH, ROOT, generate
from dashboard.core.corpus import Corpus
from tests.browser.support import (
    APP_IDLE,
    MAP_LOADED,
    click_map,
    free_port,
    streamlit_command,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
]
#: Streamlit's smallest page: the floor of a rerun.
EMPTY_PAGE = BENCH / "empty_page.py"
#: The folders of a data folder that hold the corpus itself (generated, not copied).
OWN = ("reports", "findings")
#: A point in Pakistan (Sindh) where no bundled finding names a province, as tests/browser uses.
PAKISTAN = (69.3, 27.5)


def write_app_data(corpus: Corpus, folder: Path) -> Path:
    """A data folder the whole app reads: generate.write_data_dir (reports, findings, gazetteer,
    taxonomy) plus every other file of the bundled data but its reports and findings (the map
    geometry, the page icon, the column names of imports...).

    The loader refuses a findings file of more than ``formats.MAX_ROWS`` (50,000) rows, and
    write_data_dir writes one file: above that size the findings are rewritten as several files
    of at most MAX_ROWS rows, which ``load_corpus`` reads in name order (the same order)."""
    from dashboard import DATA_DIR
    from dashboard.io.formats import MAX_ROWS

    generate.write_data_dir(corpus, folder)
    n = len(corpus.findings)
    if n > MAX_ROWS:
        (folder / "findings" / "synthetic.csv").unlink()
        for part, start in enumerate(range(0, n, MAX_ROWS), start=1):
            chunk = corpus.findings.iloc[start : start + MAX_ROWS]
            (folder / "findings" / f"synthetic-{part:04d}.csv").write_bytes(
                generate.csv_bytes(chunk)
            )
    for path in sorted(DATA_DIR.rglob("*")):
        name = path.relative_to(DATA_DIR)
        if path.is_file() and name.parts[0] not in OWN and not (folder / name).exists():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, folder / name)
    return folder


def apptest(page: str | None = None, script: Path = ROOT / "app.py", timeout: float = 300):
    """An ``AppTest`` of *script* that has run once (and switched to *page*, and run again)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(script), default_timeout=timeout)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@contextmanager
def streamlit_server(log_path: Path, env: dict | None = None):
    """`streamlit run app.py` on a free port, its output to *log_path*; yields the process, its
    URL, when it was started and the log's name, and stops it afterwards."""
    port = free_port()
    log_name = log_path.with_name(f"{log_path.stem}-{port}{log_path.suffix}")
    with open(log_name, "w") as log_file:
        started = time.perf_counter()
        process = subprocess.Popen(
            streamlit_command(port), cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            yield process, f"http://localhost:{port}", started, str(log_name)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def toggle_pakistan(page, timeout: int) -> tuple[float, float, float]:
    """Click Pakistan on the map, then again to clear it. Returns the seconds from the first
    click to the URL saying region=PK and to the page rerun and the map redrawn, and from the
    second click to the choice cleared and the map redrawn."""

    def settled() -> None:
        page.wait_for_function(APP_IDLE, timeout=timeout, polling=10)
        page.wait_for_function(MAP_LOADED, timeout=timeout, polling=10)

    settled()
    page.wait_for_timeout(500)
    clicked = click_map(page, *PAKISTAN)
    page.wait_for_function(
        "() => location.search.includes('region=PK')", timeout=timeout, polling=10
    )
    to_url = time.perf_counter() - clicked
    settled()
    chosen = time.perf_counter() - clicked
    page.wait_for_timeout(500)
    clicked = click_map(page, *PAKISTAN)  # the same area again clears the choice
    page.wait_for_function(
        "() => !location.search.includes('region=')", timeout=timeout, polling=10
    )
    settled()
    return to_url, chosen, time.perf_counter() - clicked
