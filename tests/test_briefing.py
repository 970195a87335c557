"""Briefing exports: the slide PNG and the A4 PDF, made offline by the local Chromium."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from briefing_support import make
from PIL import Image
from pypdf import PdfReader

from dashboard.core.region_geometry import load_context, load_geometry
from dashboard.exports import briefing
from dashboard.exports.pdf import briefing_html, map_panel, to_pdf
from dashboard.exports.png import to_png
from dashboard.query.filters import Filters, apply
from dashboard.views import maps
from dashboard.views.map_data import prepare

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-output" / "briefing"


@pytest.fixture(scope="module")
def map_data(corpus):
    return prepare(load_geometry(), load_context(), corpus.gazetteer)


@pytest.fixture(scope="module")
def propaganda(corpus, map_data):
    item = make(corpus, Filters(themes=("propaganda",)), note="For the minister's office.")
    png = to_png(item, map_data, corpus.gazetteer)
    pdf = to_pdf(item, png)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "propaganda.png").write_bytes(png)
    (OUT / "propaganda.pdf").write_bytes(pdf)
    return item, png, pdf


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("filters", "title"),
    [
        (Filters(), "ISKP findings"),
        (Filters(themes=("refugees",), region="PK"), "ISKP findings: refugees - Pakistan"),
        (
            Filters(themes=("violence", "propaganda")),
            "ISKP findings: violence & attacks & propaganda",
        ),
        (Filters(kinds=("quotation",), text="radio"), "ISKP findings: quotations - “radio”"),
    ],
)
def test_default_title(corpus, filters, title):
    assert briefing.default_title(filters, corpus.taxonomy, corpus.gazetteer) == title


def test_permalink():
    assert briefing.permalink("http://h:1/", Filters()) == "http://h:1/"
    assert (
        briefing.permalink("http://h:1/", Filters(themes=("a", "b"), region="PK"))
        == "http://h:1/?theme=a&theme=b&region=PK"
    )


def test_unknown_marking_is_refused(corpus):
    with pytest.raises(ValueError, match="unknown marking"):
        make(corpus, Filters(), marking="TOP SECRET")


def test_png_has_slide_size_and_is_not_blank(propaganda):
    _, png, _ = propaganda
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (3200, 1800)
    # Inside the map area (left part, below the title) there are many colours.
    area = image.crop((200, 400, 1400, 1400)).resize((120, 100))
    assert len(set(area.tobytes()[i : i + 3] for i in range(0, 120 * 100 * 3, 3))) > 8


def test_pdf_text(corpus, propaganda):
    item, _, pdf = propaganda
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    whole = squeeze(" ".join(pages))
    assert item.title in whole
    assert squeeze(item.source_line) in whole
    assert "publisher's summary page" in whole
    assert "2026-11-26" in whole and "http://localhost:8501/?theme=propaganda" in whole
    assert "For the minister's office." in whole
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, f"marking top and bottom of page {number}"
        assert f"Page {number} of {len(pages)}" in text
    chosen = apply(corpus.findings, Filters(themes=("propaganda",)), corpus.gazetteer)
    for finding in chosen.itertuples():
        assert f"“{squeeze(finding.excerpt)}”" in whole, finding.id
    for finding in corpus.findings[~corpus.findings["id"].isin(chosen["id"])].itertuples():
        assert finding.id not in whole and squeeze(finding.excerpt) not in whole, finding.id


def test_no_findings_briefing(corpus, map_data):
    item = make(corpus, Filters(text="no such words anywhere"), marking="")
    png = to_png(item, map_data, corpus.gazetteer)
    pdf = to_pdf(item, png)
    (OUT / "no-findings.pdf").write_bytes(pdf)
    whole = squeeze(" ".join(pdf_pages(pdf)))
    assert briefing.NO_FINDINGS in whole
    assert "OFFICIAL" not in whole
    assert Image.open(io.BytesIO(png)).size == (3200, 1800)


def test_same_view_same_text(corpus):
    one, two = make(corpus, Filters(region="PK")), make(corpus, Filters(region="PK"))
    assert briefing_html(one, None) == briefing_html(two, None)
    assert (
        briefing.briefing_figure(
            one, prepare(load_geometry(), load_context(), corpus.gazetteer), corpus.gazetteer
        ).to_json()
        == briefing.briefing_figure(
            two, prepare(load_geometry(), load_context(), corpus.gazetteer), corpus.gazetteer
        ).to_json()
    )


def test_exports_name_no_resource_off_the_machine(corpus, map_data):
    item = make(corpus, Filters(themes=("refugees",)))
    html = briefing_html(item, b"\x89PNG fake")
    resources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert resources and all(r.startswith("data:") for r in resources)
    assert "@import" not in html and "url(" not in html
    figure = briefing.briefing_figure(item, map_data, corpus.gazetteer)
    # The only URL in the figure is the permalink, printed as text.
    assert set(maps.figure_urls(figure)) == {item.permalink}


def test_exports_work_with_no_network_at_all(tmp_path):
    """Run a whole export in a new network namespace: no interface but a loopback that is down."""
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("this machine does not allow network namespaces (unshare --net)")
    script = (
        "from datetime import date\n"
        "from dashboard.core.corpus import load_corpus\n"
        "from dashboard.core.region_geometry import load_geometry, load_context\n"
        "from dashboard.views.map_data import prepare\n"
        "from dashboard.exports import briefing\n"
        "from dashboard.exports.pdf import to_pdf\n"
        "from dashboard.exports.png import to_png\n"
        "from dashboard.query.filters import Filters, apply\n"
        "c = load_corpus(); f = Filters(themes=('propaganda',))\n"
        "found = apply(c.findings, f, c.gazetteer)\n"
        "item = briefing.compose(findings=found, reports=c.reports, taxonomy=c.taxonomy,\n"
        "    gazetteer=c.gazetteer, filters_text='x', permalink_url='http://localhost:8501/',\n"
        "    exported=date(2026, 1, 1), title='Offline', marking='OFFICIAL')\n"
        "png = to_png(item, prepare(load_geometry(), load_context(), c.gazetteer),\n"
        "    c.gazetteer)\n"
        f"open({str(tmp_path / 'o.pdf')!r}, 'wb').write(to_pdf(item, png))\n"
    )
    result = subprocess.run(
        ["unshare", "--net", sys.executable, "-c", script],
        capture_output=True,
        timeout=180,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert "Offline" in " ".join(pdf_pages((tmp_path / "o.pdf").read_bytes()))


def test_missing_chromium_says_what_to_install(corpus, map_data, monkeypatch):
    monkeypatch.setenv("DASHBOARD_CHROMIUM", "/nonexistent/chromium")
    item = make(corpus, Filters())
    with pytest.raises(briefing.ExportError, match="install the chromium package"):
        to_pdf(item, None)
    with pytest.raises(briefing.ExportError, match="install the chromium package"):
        to_png(item, map_data, corpus.gazetteer)


def test_hostile_text_is_escaped(corpus):
    item = make(
        corpus, Filters(), title="<img src=x onerror=alert(1)>", note="<script>alert(1)</script>"
    )
    html = briefing_html(item, None)
    assert "<img src=x" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_slide_lists_findings_and_wraps_a_long_title(corpus, map_data):
    item = make(corpus, Filters(), title="A very long briefing title " * 4)
    figure = briefing.briefing_figure(item, map_data, corpus.gazetteer)
    assert figure.layout.title.text.count("<br>") >= 2  # two title lines and the subtitle
    panel = " ".join(a.text for a in figure.layout.annotations)
    assert "Findings (23)" in panel and "… and 17 more" in panel


def test_one_finding_is_not_drawn_as_a_hotspot(corpus, map_data):
    item = make(corpus, Filters(themes=("propaganda",)))
    figure = briefing.briefing_figure(item, map_data, corpus.gazetteer)
    axis = figure.layout.coloraxis
    # The scale ends at the highest count (1), short of the darkest colour.
    assert axis.cmax == 1 and axis.colorbar.dtick == 1
    assert axis.colorscale[-1][1] != maps.COLOURSCALE[-1][1]


def test_pdf_map_is_the_map_alone(propaganda):
    _, png, _ = propaganda
    panel = Image.open(io.BytesIO(map_panel(png)))
    # The map is about as wide as high (1.1), cut out of the 16:9 slide.
    assert 1.0 < panel.width / panel.height < 1.2


def test_warm_up_starts_the_renderer_once_and_exports_still_work(corpus, map_data):
    from dashboard.exports import png

    first, again = png.warm_up(), png.warm_up()
    first.join(timeout=120)
    again.join(timeout=120)
    assert png._kaleido_started
    item = make(corpus, Filters(themes=("propaganda",)))
    assert to_png(item, map_data, corpus.gazetteer).startswith(b"\x89PNG")


def test_pdf_prints_at_most_its_limit_of_findings_and_says_how_many_more(corpus, monkeypatch):
    from dashboard.exports import pdf

    monkeypatch.setattr(pdf, "PDF_FINDINGS", 5)
    item = make(corpus, Filters())
    html = briefing_html(item, None)
    assert html.count("<article>") == 5
    assert f"… and {len(item.findings) - 5} more findings in this view" in html
    monkeypatch.setattr(pdf, "PDF_FINDINGS", 500)
    assert "more findings in this view" not in briefing_html(item, None)


def test_a_briefing_carries_its_first_findings_in_full_and_counts_them_all(corpus, map_data):
    from dashboard.exports import pdf

    whole = make(corpus, Filters())
    cut = make(corpus, Filters(), limit=4)
    assert cut.total == whole.total == len(corpus.findings) and cut.left_out == whole.total - 4
    assert cut.findings == whole.findings[:4]
    # The counts, the map's areas and the unplaced count are of every finding in view.
    assert (cut.counts, cut.areas, cut.unplaced) == (whole.counts, whole.areas, whole.unplaced)
    html = pdf.briefing_html(cut, None)
    assert html.count("<article>") == 4 and f"<h2>Findings ({whole.total})</h2>" in html
    assert f"… and {whole.total - 4} more findings in this view" in html
    slide = briefing.briefing_figure(cut, map_data, corpus.gazetteer, None)
    notes = " ".join(a.text for a in slide.layout.annotations if a.text)
    assert f"Findings ({whole.total})" in notes and "the first 4 are in the PDF" in notes
    with pytest.raises(ValueError, match="below"):
        replace(cut, total=3)


def test_the_briefing_says_when_its_findings_hold_and_the_data_cut_off(corpus, map_data):
    from dashboard.exports import pdf

    bundled = make(corpus, Filters())
    assert bundled.dates == "Dates covered: 2017 (the reports' dates); data cut-off: 2017."
    found = corpus.findings.iloc[:3].assign(period=["2015-03", "2016-Q4", ""], derived=[(), (), ()])
    item = briefing.compose(
        findings=found,
        reports=corpus.reports,
        taxonomy=corpus.taxonomy,
        gazetteer=corpus.gazetteer,
        filters_text="3 findings",
        permalink_url="",
        exported=date(2026, 12, 2),
        title="Dated",
    )
    assert item.dates == (
        "Dates covered: Mar 2015–Dec 2016; data cut-off: Q4 2016. 1 finding(s) undated."
    )
    assert item.dates in pdf.briefing_html(item, None)
    slide = briefing.briefing_figure(item, map_data, corpus.gazetteer, None)
    assert "data cut-off: Q4 2016" in " ".join(a.text for a in slide.layout.annotations if a.text)


def test_the_default_title_names_the_date_range(corpus):
    filters = Filters(themes=("refugees",), date_from=date(2016, 1, 1), date_to=date(2017, 6, 30))
    title = briefing.default_title(filters, corpus.taxonomy, corpus.gazetteer)
    assert title == "ISKP findings: refugees - Jan 2016–Jun 2017"


def test_the_pdf_marking_is_one_unbroken_line_at_top_and_bottom(propaganda):
    _, _, pdf = propaganda
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        text = page.extract_text()
        assert text.count("OFFICIAL-SENSITIVE") == 2, number
        # Wrapped, the marking would break after its hyphen: "OFFICIAL-" ends a line.
        assert "OFFICIAL-\n" not in text and "OFFICIAL- \n" not in text, number


def test_the_printed_link_is_the_public_address_and_none_for_this_machine(monkeypatch):
    from dashboard.ui import links as briefing_ui

    class Context:
        url = "http://localhost:8501/briefing"

    monkeypatch.setattr(briefing_ui.st, "context", Context())
    monkeypatch.delenv(briefing_ui.PUBLIC_URL_VAR, raising=False)
    assert briefing_ui.app_base_url() == ""  # a colleague cannot open localhost
    Context.url = "http://analyst-pc.desk.example:8501/briefing"
    assert briefing_ui.app_base_url() == "http://analyst-pc.desk.example:8501/"
    monkeypatch.setenv(briefing_ui.PUBLIC_URL_VAR, "https://dashboard.desk.example/iskp")
    assert briefing_ui.app_base_url() == "https://dashboard.desk.example/iskp/"


def test_a_briefing_without_a_link_prints_none(corpus, map_data):
    from dashboard.exports import pdf

    item = make(corpus, Filters(), base_url="")
    assert "Link to this view" not in pdf.briefing_html(item, None)
    slide = briefing.briefing_figure(item, map_data, corpus.gazetteer, None)
    footer = " ".join(a.text for a in slide.layout.annotations if a.text)
    assert "Exported 2026-11-26" in footer and "http" not in footer


@pytest.mark.parametrize(
    "rows, expected",
    [
        # Numbered ones first by their number; unnumbered ones after, in the view's order.
        ([("a", True, None), ("b", True, 2), ("c", False, 1), ("d", True, 1)], ["d", "b", "a"]),
        # Equal numbers keep the view's order; an unticked row never goes in, numbered or not.
        ([("a", True, 3), ("b", True, 3), ("c", False, None)], ["a", "b"]),
        # A blank cell (NaN, as a table gives it) or a word is no number.
        ([("a", True, float("nan")), ("b", True, "x"), ("c", True, 5)], ["c", "a", "b"]),
        ([], []),
        ([("a", False, 1)], []),
    ],
)
def test_chosen_order(rows, expected):
    assert briefing.chosen_order(rows) == expected


def test_pdf_renders_with_pdftoppm_as_a_reader_sees_it(propaganda, tmp_path):
    """The PDF drawn by another program (poppler's pdftoppm, which make test installs): each
    page A4 landscape, with its map in colour and its text in ink, written out to look at."""
    _, _, pdf = propaganda
    source = tmp_path / "briefing.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(source), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(PdfReader(io.BytesIO(pdf)).pages)
    OUT.mkdir(parents=True, exist_ok=True)
    for number, path in enumerate(pages, start=1):
        image = Image.open(path).convert("RGB")
        (OUT / f"propaganda-pdf-page-{number}.png").write_bytes(path.read_bytes())
        width, height = image.size
        assert abs(width / height - 297 / 210) < 0.02, (number, image.size)  # A4 landscape
        rgb = np.asarray(image, dtype=np.int32)
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        inked = (r + g + b < 250).mean()
        assert inked > 0.002, f"page {number} has next to no text"
        if number == 1:
            # The map: Afghanistan's blue fill covers a good part of the page, not a blank box.
            blue = ((b > r + 25) & (r + g + b < 720)).mean()
            assert blue > 0.02, "the first page's map is not drawn"
