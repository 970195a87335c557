"""Contracts between parts of the project: settings, limits, pages and documented dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from dashboard import ui
from dashboard.io import formats as readers

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


def test_every_page_is_registered_and_exists():
    app = (ROOT / "app.py").read_text()
    registered = set(re.findall(r'st\.Page\("([^"]+)"', app))
    assert registered == set(ui.PAGES.values()) == {page for page, _ in ui.MENU}
    on_disk = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert registered == on_disk
    for page in registered:
        assert "ui.frame(" in (ROOT / page).read_text(), f"{page} must draw the shared frame"


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
        assert "open(" not in source and "read_text" not in source, path
    for path in list((ROOT / "src").rglob("*.py")) + list((ROOT / "pages").glob("*.py")):
        assert "../shared" not in path.read_text(), path


def test_only_ui_imports_streamlit():
    for path in (ROOT / "src" / "dashboard").glob("*.py"):
        if path.name != "ui.py":
            assert "import streamlit" not in path.read_text(), path


def test_url_paths_match_page_files():
    """A deep link that is the first request after a restart is served by Streamlit's folder-based
    routing, which knows pages by file name: each url_path must be its file's name."""
    app = (ROOT / "app.py").read_text()
    for file, url_path in re.findall(
        r'st\.Page\("pages/([a-z_]+)\.py"[^)]*url_path="([^"]+)"', app
    ):
        assert file == url_path
