"""Need-to-know through the pages: a signed-in reader sees, counts, searches and exports only
what their clearance and groups allow; a visitor who is not signed in sees nothing but the
sign-in screen. Sign-in itself is stood in for here (the claims of ``st.user``); the browser test
signs in for real against an OpenID provider."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from apptest_support import shown, texts
from streamlit.testing.v1 import AppTest

from dashboard.core.findings import Context
from dashboard.io.store import Store
from dashboard.ui import signin
from tests.test_store import EXCERPTS, findings_file, import_file, row

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def desk(tmp_path, monkeypatch, corpus):
    """A store holding an OFFICIAL, a SECRET and a group-only import, and sign-in on."""
    path = tmp_path / "store.sqlite3"
    monkeypatch.setenv("DASHBOARD_STORE", str(path))
    store = Store(path)
    ctx = Context(corpus.reports, corpus.gazetteer, corpus.taxonomy)
    files = {
        "OFFICIAL": findings_file(
            ctx, "open.csv", [row("o-01", EXCERPTS[0], themes="refugees", actors="UNHCR")]
        ),
        "SECRET": findings_file(
            ctx,
            "secret.csv",
            [
                row("s-01", EXCERPTS[1], themes="refugees", actors="Cell Zulu"),
                row("s-02", EXCERPTS[2], themes="refugees", regions="PK", actors="Cell Zulu"),
            ],
        ),
        "GROUP": findings_file(
            ctx, "cell.csv", [row("g-01", EXCERPTS[3], themes="refugees", actors="Cell Alpha")]
        ),
    }
    import_file(store, files["OFFICIAL"])
    for key, marking, groups in (("SECRET", "SECRET", ()), ("GROUP", "OFFICIAL", ("cell-a",))):
        f = files[key]
        store.import_findings(
            f.frame,
            file_name=f.name,
            sha256=f.sha256,
            rows_total=len(f.frame),
            rows_rejected=0,
            marking=marking,
            groups=groups,
        )
    monkeypatch.setattr(signin, "sign_in_on", lambda: True)
    return store


def signed_in(monkeypatch, clearance: str | None, groups=(), **claims) -> None:
    values = {"is_logged_in": True, "sub": "u-1", "name": "Una", "groups": list(groups), **claims}
    if clearance is not None:
        values["clearance"] = clearance
    monkeypatch.setattr(signin, "_claims", lambda: values)


def run(page: str | None = None, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_text(at: AppTest) -> str:
    parts = [shown(m.value) for m in at.markdown] + [c.value for c in at.caption]
    parts += [el.proto.body for el in at.get("html")]
    return "\n".join(parts)


def card_ids(at: AppTest) -> set[str]:
    return set(re.findall(r'id="card-([^"]+)"', page_text(at)))


def mentions(text: str, word: str) -> bool:
    """Whether *text* holds *word* on its own (``s-01``, not inside ``hjs2017-as-01``)."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def headline_count(at: AppTest) -> int:
    match = re.search(r"(\d+) findings?", " ".join(shown(m.value) for m in at.markdown))
    assert match, [m.value for m in at.markdown]
    return int(match[1])


def test_an_official_reader_sees_and_counts_only_official_findings(desk, monkeypatch, corpus):
    signed_in(monkeypatch, "OFFICIAL")
    at = run(params={"theme": "refugees"})
    ids = card_ids(at)
    assert "o-01" in ids and not ids & {"s-01", "s-02", "g-01"}
    bundled = sum("refugees" in t for t in corpus.findings["themes"])
    assert headline_count(at) == bundled + 1
    everything = page_text(at)
    assert "Cell Zulu" not in everything and "Cell Alpha" not in everything
    actors = at.multiselect(key="w_actors").options
    assert "UNHCR" in actors and "Cell Zulu" not in actors and "Cell Alpha" not in actors
    # A search for words only hidden findings hold finds nothing, as for words nobody wrote.
    at.text_input(key="w_text").input("Zulu").run()
    assert headline_count(at) == 0


def test_clearance_and_groups_widen_what_a_reader_sees(desk, monkeypatch, corpus):
    bundled = sum("refugees" in t for t in corpus.findings["themes"])
    signed_in(monkeypatch, "SECRET")
    at = run(params={"theme": "refugees"})
    assert headline_count(at) == bundled + 3 and "g-01" not in card_ids(at)
    signed_in(monkeypatch, "official", groups=["cell-a"])
    at = run(params={"theme": "refugees"})
    assert headline_count(at) == bundled + 2 and {"o-01", "g-01"} <= card_ids(at)


def test_a_deep_link_to_a_hidden_finding_reads_as_not_found(desk, monkeypatch):
    signed_in(monkeypatch, "OFFICIAL")
    hidden = run(page="pages/reader.py", params={"finding": "s-01"})
    missing = run(page="pages/reader.py", params={"finding": "no-such-id"})
    said = [n.replace("'s-01'", "ID") for n in texts(hidden.warning)]
    assert said == [n.replace("'no-such-id'", "ID") for n in texts(missing.warning)]
    assert any("unknown finding" in n for n in said)
    assert not mentions(page_text(hidden).replace("'s-01'", ""), "s-01")


def test_every_page_hides_what_the_reader_may_not_read(desk, monkeypatch):
    signed_in(monkeypatch, "OFFICIAL")
    for page in ("pages/table.py", "pages/reader.py", "pages/briefing.py", "pages/imports.py"):
        at = run(page=page)
        text = page_text(at) + " ".join(str(d.value) for d in at.dataframe)
        for word in ("s-01", "s-02", "g-01", "secret.csv", "cell.csv", "Cell Zulu"):
            assert not mentions(text, word), (page, word)
    imports = run(page="pages/imports.py")
    assert "open.csv" in page_text(imports)


def test_a_visitor_not_signed_in_sees_only_the_sign_in_screen(desk, monkeypatch):
    monkeypatch.setattr(signin, "_claims", lambda: {"is_logged_in": False})
    for page in (None, "pages/table.py", "pages/reader.py", "pages/imports.py"):
        at = run(page=page, params={"finding": "o-01"})
        assert [b.label for b in at.button] == ["Sign in"]
        assert not card_ids(at) and not at.dataframe and not at.get("download_button")
        assert not mentions(page_text(at), "o-01")
        assert any("Sign in to see the findings" in s.value for s in at.subheader)


def test_an_expired_sign_in_asks_to_sign_in_again(desk, monkeypatch):
    signed_in(monkeypatch, "SECRET", exp=int(time.time()) - 5)
    at = run()
    assert [b.label for b in at.button] == ["Sign in again"] and not card_ids(at)
    signed_in(monkeypatch, "SECRET", exp=int(time.time()) + 600)
    assert card_ids(run())


def test_a_sign_in_is_written_to_the_audit_log_once_a_session(desk, monkeypatch):
    signed_in(monkeypatch, "OFFICIAL-SENSITIVE", groups=["cell-a"], email="una@desk")
    at = run()
    at.run()
    lines = [x for x in desk.audit_log() if x.action == "sign-in"]
    assert [(x.who, x.detail) for x in lines] == [
        ("Una (u-1)", {"clearance": "OFFICIAL-SENSITIVE", "groups": ["cell-a"]})
    ]
    assert any("Signed in as" in c.value and "Una" in c.value for c in at.sidebar.caption)
    assert "Sign out" in [b.label for b in at.sidebar.button]


def _coded_secret(desk, corpus, finding_id: str = "c-1") -> dict:
    from dashboard.core import coding

    report = corpus.reports["hjs-2017-iskp"]
    start = report.text.index("They report serves")
    found = coding.passage(report, start, start + len("They report serves"))
    row = coding.draft(
        found,
        finding_id=finding_id,
        kind="analysis",
        title="Secret title",
        themes=["refugees"],
        who="Sam",
        at="2026-12-07T09:00:00+00:00",
    )
    finding = coding.check(row, corpus).findings.iloc[0].to_dict()
    desk.add_authored(finding, by="Sam", marking="SECRET")
    return finding


def test_an_edit_of_a_secret_coded_finding_keeps_its_marking(desk, monkeypatch, corpus):
    _coded_secret(desk, corpus)
    signed_in(monkeypatch, "SECRET")
    at = run("pages/reader.py", {"finding": "c-1"})
    at.text_input(key="edit_c-1_1_title").input("Better secret title")
    at.button(key="edit_c-1_1_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    history = desk.finding_history("c-1")
    assert [(v.version, v.marking) for v in history] == [(1, "SECRET"), (2, "SECRET")]
    assert history[-1].finding["title"] == "Better secret title"


def test_a_coded_findings_history_hides_the_versions_above_the_readers_clearance(
    desk, monkeypatch, corpus
):
    finding = _coded_secret(desk, corpus)
    desk.edit_authored({**finding, "title": "Now official"}, by="Sam", marking="OFFICIAL")
    signed_in(monkeypatch, "OFFICIAL")
    at = run("pages/reader.py", {"finding": "c-1"})
    table = at.dataframe[-1].value
    assert list(table["what"]) == ["(a version you are not cleared to read)", "edited"]
    assert "Secret title" not in table.to_csv()
    assert "Now official" in table.to_csv()
