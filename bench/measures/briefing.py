"""briefing: the briefing PNG (kaleido + Chromium), PDF (Chromium prints HTML), PowerPoint deck
(python-pptx) and Word note (python-docx) on the bundled data, for the propaganda view, for all
findings and for 500 generated findings (the most a briefing carries in full), each alone and
all four made in turn as the briefing page makes them; and what a PNG's time is made of."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from functools import partial

from bench.measures.base import Context
from bench.report import Column, Table
from bench.timing import fmt_stats, fmt_time, interleaved, log, summary, timed
from dashboard.core.region_geometry import load_context, load_geometry
from dashboard.query.filters import Filters
from dashboard.views import map_data, maps

NAME = "briefing"
TITLE = "Briefing exports (bundled data)"
VIEWS = {"propaganda": Filters(themes=("propaganda",)), "all findings": Filters()}
#: Generated findings in the largest view: as many as a briefing carries in full.
MANY = 500
#: The issue's budgets, seconds: each file (the deck and the note once the PNG exists), and all
#: four in turn.
BUDGETS = {"png": 2.0, "pdf": 4.0, "pptx": 1.0, "docx": 1.0, "all": 6.0}
#: The parts of a PNG's time (see ``parts``), recorded in "briefing-parts".
PARTS = (
    "floor|blank slide, 2x",
    "1x|propaganda",
    "render|propaganda",
    "map only|propaganda",
    "plain map|one point",
)


def compose(corpus, filters: Filters, found=None):
    from dashboard.exports import briefing

    return briefing.compose_view(
        corpus,
        filters,
        found=found,
        base_url="http://localhost:8501/",
        exported=date(2026, 11, 26),
        subtitle="From the publisher's summary page",
        marking="OFFICIAL-SENSITIVE",
    )


def parts(item, data, gaz) -> dict[str, Callable[[], object]]:
    """What the PNG time is made of: kaleido rendering a blank slide of the same size (its
    floor), the propaganda slide rendered at 1x instead of 2x and at 2x, its map alone, and a
    map of one point on a white background."""
    import kaleido
    import plotly.graph_objects as go

    from dashboard.exports import briefing
    from dashboard.exports.png import render_png
    from dashboard.views.maps import TOPOJSON_URL

    blank = go.Figure(layout={"width": briefing.PNG_WIDTH, "height": briefing.PNG_HEIGHT})
    slide = briefing.briefing_figure(item, data, gaz)
    one_x = {"format": "png", "width": briefing.PNG_WIDTH, "height": briefing.PNG_HEIGHT}
    _, _, _, map_width, map_height, _ = briefing._slide_geometry()
    map_only = maps.build_map(data, gaz, item.counts, None, height=map_height, width=map_width)
    plain_map = go.Figure(
        go.Scattermap(lon=[69.0], lat=[33.0]),
        layout={
            "width": map_width,
            "height": map_height,
            "map": {"style": "white-bg", "center": {"lon": 68, "lat": 32}, "zoom": 3},
        },
    )
    return {
        "floor|blank slide, 2x": partial(render_png, blank),
        "1x|propaganda": partial(
            kaleido.calc_fig_sync, slide, topojson=TOPOJSON_URL, opts={**one_x, "scale": 1}
        ),
        "render|propaganda": partial(render_png, slide),
        "map only|propaganda": partial(render_png, map_only),
        "plain map|one point": partial(render_png, plain_map),
    }


def _stop_kaleido() -> None:
    import kaleido

    from dashboard.exports import png

    try:
        kaleido.stop_sync_server(silence_warnings=True)
        png._kaleido_started = False
    except Exception:
        pass


def all_four(item, data, gaz) -> dict[str, bytes]:
    """The four files in turn, as the briefing page makes them (the PNG first: the others
    print it)."""
    from dashboard.exports import office
    from dashboard.exports.pdf import to_pdf
    from dashboard.exports.png import to_png

    png = to_png(item, data, gaz)
    return {
        "png": png,
        "pdf": to_pdf(item, png),
        "pptx": office.to_pptx(item, png),
        "docx": office.to_docx(item, png),
    }


def run(ctx: Context) -> None:
    from PIL import Image

    from bench import generate
    from dashboard.core.corpus import load_corpus
    from dashboard.exports import briefing, office
    from dashboard.exports.pdf import to_pdf
    from dashboard.exports.png import to_png

    corpus = load_corpus()
    gaz = corpus.gazetteer
    data = map_data.prepare(load_geometry(), load_context(), gaz)
    items = {name: compose(corpus, f) for name, f in VIEWS.items()}
    many = generate.generate(MANY)
    items[f"{MANY} generated"] = compose(many, Filters(), many.findings)
    first_s, png = timed(partial(to_png, items["propaganda"], data, gaz))
    assert Image.open(io.BytesIO(png)).size == (3200, 1800)
    ctx.results.add("briefing-first", seconds=first_s, view="propaganda")
    log(f"  first PNG (starts kaleido's Chromium): {fmt_time(first_s)}")
    pngs = {name: to_png(item, data, gaz) for name, item in items.items()}
    funcs: dict[str, Callable[[], object]] = {}
    for name, item in items.items():
        funcs[f"compose|{name}"] = (
            partial(compose, corpus, VIEWS[name])
            if name in VIEWS
            else partial(compose, many, Filters(), many.findings)
        )
        funcs[f"figure|{name}"] = partial(briefing.briefing_figure, item, data, gaz)
        funcs[f"png|{name}"] = partial(to_png, item, data, gaz)
        funcs[f"pdf|{name}"] = partial(to_pdf, item, pngs[name])
        funcs[f"pptx|{name}"] = partial(office.to_pptx, item, pngs[name])
        funcs[f"docx|{name}"] = partial(office.to_docx, item, pngs[name])
        funcs[f"all|{name}"] = partial(all_four, item, data, gaz)
    funcs.update(parts(items["propaganda"], data, gaz))
    samples, first = interleaved(funcs, ctx.repeat, ctx.budget)
    measured = {name: summary(samples[name]) for name in PARTS}
    ctx.results.add("briefing-parts", **measured)
    log(
        f"  kaleido floor (blank slide, 2x) {fmt_stats(measured[PARTS[0]])}; propaganda slide "
        f"rendered only: 2x {fmt_stats(measured[PARTS[2]])}, 1x {fmt_stats(measured[PARTS[1]])}"
        f"; its map alone {fmt_stats(measured[PARTS[3]])}; a one-point white map "
        f"{fmt_stats(measured[PARTS[4]])}"
    )
    _stop_kaleido()
    for name, item in items.items():
        assert first[f"pdf|{name}"][:5] == b"%PDF-"
        assert first[f"pptx|{name}"][:2] == first[f"docx|{name}"][:2] == b"PK"
        record = ctx.results.add(
            NAME,
            view=name,
            findings=item.total,
            compose=summary(samples[f"compose|{name}"]),
            figure=summary(samples[f"figure|{name}"]),
            png=summary(samples[f"png|{name}"]),
            pdf=summary(samples[f"pdf|{name}"]),
            pptx=summary(samples[f"pptx|{name}"]),
            docx=summary(samples[f"docx|{name}"]),
            all=summary(samples[f"all|{name}"]),
            png_bytes=len(first[f"png|{name}"]),
            pdf_bytes=len(first[f"pdf|{name}"]),
            pptx_bytes=len(first[f"pptx|{name}"]),
            docx_bytes=len(first[f"docx|{name}"]),
        )
        log(
            f"  {name:<13} ({item.total} findings): PNG {fmt_stats(record['png'])} "
            f"(figure {fmt_stats(record['figure'])}), PDF {fmt_stats(record['pdf'])}, "
            f"PPTX {fmt_stats(record['pptx'])}, DOCX {fmt_stats(record['docx'])}; all four "
            f"{fmt_stats(record['all'])}"
        )


def kilobytes(n: int) -> str:
    return f"{n / 1e3:,.0f} KB"


def _parts_note(p: dict) -> str:
    return (
        "What a PNG's time is made of: kaleido rendering a blank figure of the slide's "
        f"size at 2x (its floor): {fmt_stats(p[PARTS[0]])}; the propaganda slide already "
        f"built, rendered only: {fmt_stats(p[PARTS[2]])} at 2x, {fmt_stats(p[PARTS[1]])} "
        "at 1x; the slide's map alone (`maps.build_map` at the map's size on the slide, no "
        f"text), 2x: {fmt_stats(p[PARTS[3]])}; a map of one point on a white background "
        f"(no region shapes, no layers) of that size, 2x: {fmt_stats(p[PARTS[4]])}."
    )


def tables(s: dict) -> list[Table]:
    first = s.get("briefing-first", [{}])[0].get("seconds")
    p = s.get("briefing-parts", [{}])[0]
    return [
        Table(
            title="Briefing exports (`png.to_png` / `pdf.to_pdf`, bundled data)",
            intro=(
                f"First PNG in the process (starts kaleido's Chromium): {fmt_time(first)}. "
                "Later runs: `compose` (the Briefing from the filtered frame), "
                "`briefing_figure` (the plotly slide), `to_png` (figure + kaleido render at "
                "2x, 3200x1800), `to_pdf` (a new headless Chromium prints the HTML), "
                "`office.to_pptx` and `office.to_docx` (from the PNG already made), and all "
                "four in turn as the briefing page makes them. Budgets: PNG ≤ 2 s, PDF ≤ 4 s, "
                "PPTX and DOCX ≤ 1 s each, all four ≤ 6 s.",
            ),
            columns=(
                Column("view", "view", left=True),
                Column("findings", "findings"),
                Column("compose", "compose", fmt_stats),
                Column("figure", "figure", fmt_stats),
                Column("PNG", "png", fmt_stats),
                Column("PDF", "pdf", fmt_stats),
                Column("PPTX", "pptx", fmt_stats),
                Column("DOCX", "docx", fmt_stats),
                Column("all four", "all", fmt_stats),
                Column("PNG size", "png_bytes", kilobytes),
                Column("PDF size", "pdf_bytes", kilobytes),
                Column("PPTX size", "pptx_bytes", kilobytes),
                Column("DOCX size", "docx_bytes", kilobytes),
            ),
            rows=s[NAME],
            notes=(_parts_note(p),) if p else (),
        )
    ]
