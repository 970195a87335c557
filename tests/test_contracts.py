"""Contracts between parts of the project: settings, limits, pages and documented dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from dashboard.io import formats as readers
from dashboard.ui.pages import PAGES

ROOT = Path(__file__).resolve().parents[1]


def config() -> dict:
    with open(ROOT / ".streamlit" / "config.toml", "rb") as handle:
        return tomllib.load(handle)


def test_streamlit_is_hardened_and_offline():
    settings = config()
    assert settings["browser"]["gatherUsageStats"] is False
    assert settings["server"]["enableXsrfProtection"] is True
    assert settings["server"]["enableStaticServing"] is False
    assert settings["server"]["maxUploadSize"] == readers.MAX_UPLOAD_MB


def test_a_rerun_does_not_end_in_a_full_garbage_collection():
    """Streamlit's gc.collect(2) after every run holds the GIL for tens of milliseconds with the
    corpus in memory, and the browser hears that the run is over only after it."""
    assert config()["runner"]["postScriptGC"] is False
    from streamlit import config as st_config

    st_config.get_config_options(force_reparse=True)  # read from the project's folder
    assert st_config.get_option("runner.postScriptGC") is False


def test_every_page_is_registered_and_exists():
    """PAGES is the one list: every page file is in it, and each draws the shared frame under
    its own key."""
    registered = {page.file for page in PAGES}
    on_disk = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert registered == on_disk
    assert len({page.key for page in PAGES}) == len({page.url_path for page in PAGES}) == len(PAGES)
    for page in PAGES:
        source = (ROOT / page.file).read_text()
        assert f'ui.frame("{page.key}")' in source, f"{page.file} must draw the shared frame"


def test_app_navigation_reads_the_page_list():
    """app.py builds its navigation from PAGES and names no page file itself."""
    app = (ROOT / "app.py").read_text()
    assert "PAGES" in app
    assert "pages/" not in app.split('"""', 2)[-1]
    menu = (ROOT / "src" / "dashboard" / "ui" / "sidebar.py").read_text()
    assert "for page in PAGES" in menu


def test_every_dependency_is_explained_in_the_readme():
    with open(ROOT / "pyproject.toml", "rb") as handle:
        project = tomllib.load(handle)["project"]
    names = [re.split(r"[<>=\[ ]", d)[0] for d in project["dependencies"]]
    names += [
        re.split(r"[<>=\[ ]", d)[0]
        for group in project["optional-dependencies"].values()
        for d in group
    ]
    readme = (ROOT / "README.md").read_text().lower()
    for name in names:
        assert f"| {name.lower()}" in readme or f", {name.lower()}" in readme, (
            f"README's dependency table does not say why {name} is there"
        )


def test_no_page_reads_files_or_shared_folder():
    for path in [*list((ROOT / "pages").glob("*.py")), ROOT / "app.py"]:
        source = path.read_text()
        assert not re.search(r"(?<![\w.])open\(|\.read_(text|bytes)\(", source), path
    for path in list((ROOT / "src").rglob("*.py")) + list((ROOT / "pages").glob("*.py")):
        assert "../shared" not in path.read_text(), path


def test_only_ui_imports_streamlit():
    ui_dir = ROOT / "src" / "dashboard" / "ui"
    checked = 0
    for path in (ROOT / "src" / "dashboard").rglob("*.py"):
        if ui_dir not in path.parents:
            checked += 1
            assert "import streamlit" not in path.read_text(), path
    assert checked > 20


def test_url_paths_match_page_files():
    """A deep link that is the first request after a restart is served by Streamlit's folder-based
    routing, which knows pages by file name: each url_path must be its file's name."""
    for page in PAGES:
        assert page.file == f"pages/{page.url_path}.py", page
