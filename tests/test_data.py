"""The bundled data.

Every finding is the report's own words, placed only where the text places it.
"""

from __future__ import annotations

import re

import pytest

from dashboard import DATA_DIR
from dashboard.core.corpus import load_corpus
from dashboard.core.region_geometry import load_context, load_geometry

REPORT_ID = "hjs-2017-iskp"


def test_bundled_data_loads_without_problems(corpus):
    assert corpus.problems == ()
    assert 18 <= len(corpus.findings) <= 30


def test_every_excerpt_is_verbatim_at_its_offsets(corpus):
    for finding in corpus.findings.itertuples():
        text = corpus.reports[finding.report_id].text
        assert text[finding.start : finding.end] == finding.excerpt, finding.id
        assert text[: finding.start].endswith(finding.prefix), finding.id
        assert text[finding.end :].startswith(finding.suffix), finding.id


def test_file_offsets_are_given_and_checked():
    # The shipped file carries its offsets; loading checks them rather than computing them.
    import csv

    with open(DATA_DIR / "findings" / f"{REPORT_ID}.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    text = (DATA_DIR / "reports" / REPORT_ID / "report.txt").read_text(encoding="utf-8")
    for row in rows:
        assert row["start"] and row["end"], row["id"]
        assert text[int(row["start"]) : int(row["end"])] == row["excerpt"], row["id"]


def test_report_text_is_the_report_without_web_chrome(corpus):
    text = corpus.reports[REPORT_ID].text
    assert text.startswith(
        "ISIS Khorasan: Presence and Potential in the Afghanistan-Pakistan Region"
    )
    assert text.endswith("the longer-term implications for counter-terrorism efforts.”\n")
    for chrome in ("To read the full report", "click here", "password", "Not a member"):
        assert chrome not in text
    # The report's own typos are kept as they stand.
    assert "They report serves" in text and "it divergent manifestations" in text


def test_required_themes_have_findings(corpus):
    themes = {t for row in corpus.findings["themes"] for t in row}
    for theme in ("propaganda", "recruitment", "refugees"):
        assert theme in themes
    assert themes <= set(corpus.taxonomy.theme_keys)


def test_every_region_resolves_and_spatial_ones_have_geometry(corpus):
    geometry = set(load_geometry()["code"]) | set(load_context()["code"].dropna())
    for finding in corpus.findings.itertuples():
        for code in finding.regions:
            assert code in corpus.gazetteer, (finding.id, code)
            region = corpus.gazetteer[code]
            if region.level in ("country", "province"):
                assert code in geometry, (finding.id, code)


# The regions a finding names must be named in its own excerpt: a place the text names, never a
# province one believes it means. Each code lists the words that name it in this report.
NAMES = {
    "AF": r"Afghanistan|Afghan",
    "PK": r"Pakistan|Pakistani",
    "SOUTH-ASIA": r"South Asia",
    "AFPAK": r"Afghanistan and Pakistan region|the region|this volatile region",
    "IQ-SY": r"Iraq and Syria",
    "GLOBAL": r"across the world|parts of the globe",
    "CYBERSPACE": r"cyberspace",
    "DIASPORA": r"Afghanistan-Pakistan diaspora",
}


def test_regions_are_named_in_the_excerpt(corpus):
    for finding in corpus.findings.itertuples():
        for code in finding.regions:
            assert code in NAMES, f"{finding.id}: {code} is not a region this report names"
            assert re.search(NAMES[code], finding.excerpt), (finding.id, code)


def test_no_province_is_tagged(corpus):
    # The report names no province: no finding may be placed in one.
    levels = {corpus.gazetteer[c].level for row in corpus.findings["regions"] for c in row}
    assert "province" not in levels


@pytest.mark.parametrize("finding_id", ["hjs2017-ko-08"])
def test_refugee_finding_is_placed_as_the_text_says(corpus, finding_id):
    row = corpus.findings.set_index("id").loc[finding_id]
    assert "refugees" in row["themes"]
    assert set(row["regions"]) == {"AF", "PK"}


def test_ids_are_unique_and_kinds_known(corpus):
    assert corpus.findings["id"].is_unique
    assert set(corpus.findings["kind"]) <= set(corpus.taxonomy.kind_keys)


def test_load_corpus_on_a_copy(tmp_path):
    import shutil

    shutil.copytree(DATA_DIR, tmp_path / "data")
    (tmp_path / "data" / "findings" / "extra.csv").write_text(
        "id,report_id,kind,title,excerpt,themes\n"
        "hjs2017-ko-01,hjs-2017-iskp,analysis,T,This report highlights,propaganda\n",
        encoding="utf-8",
    )
    corpus = load_corpus(tmp_path / "data")
    [problem] = corpus.problems
    assert problem.message.startswith("id 'hjs2017-ko-01' is already in use")
    assert len(corpus.findings) == len(load_corpus().findings)


def test_gc_paused_restores_the_collector():
    import gc

    from dashboard import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with gc_paused():
            raise ValueError
    except ValueError:
        pass
    assert gc.isenabled()
