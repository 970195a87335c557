"""browser-sizes: a filter change end to end in Chromium on each generated corpus of 100k
findings and up: a click on Pakistan (Sindh is drawn there on a generated corpus) until the page
has rerun and the new map is drawn, then a click that clears it again (the whole corpus back).
The same on the bundled data first: the floor, where the server's work is next to nothing and
what remains is the browser's."""

from __future__ import annotations

import gc
import os
import tempfile
import time
from pathlib import Path

from bench import generate
from bench.measures.base import Context
from bench.report import SIZE, Column, Table
from bench.serving import (
    CHROMIUM,
    chromium_args,
    streamlit_server,
    toggle_pakistan,
    write_app_data,
)
from bench.timing import fmt_stats, fmt_time, log, summary
from tests.browser.support import MAP_LOADED

NAME = "browser-sizes"
TITLE = "A filter change in Chromium on generated corpora"
BUNDLED = "bundled"


def _first_page(page, url: str, process) -> None:
    """Open *url*, retrying while the server is still loading a large corpus."""
    deadline = time.perf_counter() + 900
    while True:
        try:
            page.goto(url, timeout=5_000)
            return
        except Exception:
            if time.perf_counter() > deadline or process.poll() is not None:
                raise
            time.sleep(0.5)


def measure(ctx: Context, n: int, data: Path, folder: Path, label: str) -> None:
    from playwright.sync_api import sync_playwright

    env = {
        **os.environ,
        "DASHBOARD_DATA": str(data),
        "DASHBOARD_STORE": str(folder / "store.sqlite3"),
    }
    chose, cleared = [], []
    with (
        streamlit_server(ctx.tmp / f"streamlit-{label}.log", env) as (process, url, started, _),
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        _first_page(page, url, process)
        page.wait_for_function(MAP_LOADED, timeout=900_000, polling=100)
        first_map = time.perf_counter() - started
        # Let the word index finish in the server's background thread.
        page.wait_for_timeout(min(30_000, n // 30))
        for _ in range(ctx.size_clicks):
            _, chosen, clear = toggle_pakistan(page, 120_000)
            chose.append(chosen)
            cleared.append(clear)
        browser.close()
    record = ctx.results.add(
        NAME,
        size=label,
        n=n,
        first_map_s=first_map,
        choose=summary(chose),
        clear=summary(cleared),
        change=summary(chose + cleared),
    )
    log(
        f"  {label}: streamlit run -> map drawn {first_map:.1f} s; click -> region "
        f"chosen, new map drawn {fmt_stats(record['choose'])}; click -> cleared, drawn "
        f"{fmt_stats(record['clear'])}"
    )


def run(ctx: Context) -> None:
    from dashboard import DATA_DIR

    for n in [0] + [n for n in ctx.sizes if n >= 100_000]:
        label = generate.size_label(n) if n else BUNDLED
        with tempfile.TemporaryDirectory(prefix=f"bench-browser-{label}-") as tmp:
            folder = Path(tmp)
            data = DATA_DIR
            if n:
                corpus = ctx.corpus_of(n) or generate.generate(n, seed=0)
                data = write_app_data(corpus, folder / "data")
                corpus = None  # the server reads the folder; free the frame while it runs
                gc.collect()
            measure(ctx, n, data, folder, label)


def tables(s: dict) -> list[Table]:
    return [
        Table(
            title="A filter change in Chromium on generated corpora",
            intro=(
                "`streamlit run` on a generated corpus (DASHBOARD_DATA), the explorer opened in "
                "headless Chromium; a click on Pakistan (on the generated corpora the area "
                "drawn there is Sindh) until the page has rerun and plotly has drawn the new "
                "SVG map (timed on the page's clock from the click, see `serving.arm`), then a "
                "click on it again to clear the choice (all findings back). The bundled data "
                "(23 findings) is the floor: the server's work is next to nothing there.",
            ),
            columns=(
                SIZE,
                Column("streamlit run -> map drawn", "first_map_s", fmt_time),
                Column("click -> region chosen, new map drawn", "choose", fmt_stats),
                Column("click -> cleared, new map drawn", "clear", fmt_stats),
            ),
            rows=s[NAME],
        )
    ]
