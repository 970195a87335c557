"""Contrast, checked from the palette itself (WCAG 2.2: 1.4.3 text 4.5:1, 1.4.11 graphics 3:1):
the map's fills against their borders and labels, the theme chips' text, the reader's highlights
under the report's text, and the faded secondary text on Streamlit's light and dark themes."""

from __future__ import annotations

import re

import pytest
from plotly.colors import sample_colorscale

from dashboard.core.corpus import load_corpus
from dashboard.views import maps, report_text
from dashboard.views.cards import CSS, text_colour

#: Streamlit's own page and text colours, light and dark theme (its defaults).
THEMES = {"light": ("#ffffff", "#31333f"), "dark": ("#0e1117", "#fafafa")}


def rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.strip()
    if colour.startswith("rgb"):
        r, g, b = (float(v) for v in re.findall(r"[\d.]+", colour)[:3])
        return r, g, b
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(float(int(value[i : i + 2], 16)) for i in (0, 2, 4))  # type: ignore[return-value]


def over(colour: str, alpha: float, ground: str) -> str:
    """*colour* drawn at *alpha* over *ground*."""
    top, bottom = rgb(colour), rgb(ground)
    return "#" + "".join(f"{round(alpha * t + (1 - alpha) * b):02x}" for t, b in zip(top, bottom))


def luminance(colour: str) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_of_known_pairs():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert over("#000000", 0.5, "#ffffff") == "#808080"


def map_fills() -> list[str]:
    shades = sample_colorscale(maps.COLOURSCALE, [i / 40 for i in range(41)])
    return [over(c, maps.FILL_OPACITY, "#ffffff") for c in shades]


@pytest.mark.parametrize("line", [maps.BORDER, maps.PROVINCE_LINE])
def test_every_fill_of_the_map_keeps_3_to_1_against_the_borders(line):
    worst = min(map_fills(), key=lambda fill: contrast(fill, line))
    assert contrast(worst, line) >= 3, (worst, line)


def test_labels_keep_4_5_to_1_on_every_fill_and_on_the_neighbours():
    for fill in map_fills():
        assert contrast(maps.LABEL_INK, fill) >= 4.5, fill
    assert contrast(maps.NEIGHBOUR_INK, maps.NEIGHBOUR_FILL) >= 4.5


def test_theme_chips_carry_their_words_in_readable_ink():
    taxonomy = load_corpus().taxonomy
    for key in taxonomy.theme_keys:
        colour = taxonomy.theme(key).colour
        assert contrast(text_colour(colour), colour) >= 4.5, (key, colour)


def test_the_report_text_stays_readable_under_every_highlight():
    ink = re.search(r"\.rd-text \{[^}]*?color: (#[0-9a-f]{6})", report_text.READER_CSS).group(1)
    paper = re.search(r"\.rd-text \{[^}]*?background: (#[0-9a-f]{6})", report_text.READER_CSS)
    taxonomy = load_corpus().taxonomy
    for key in taxonomy.theme_keys:
        for alpha in (report_text.FILL_ALPHA, report_text.OVERLAP_ALPHA):
            fill = over(taxonomy.theme(key).colour, alpha, paper.group(1))
            assert contrast(ink, fill) >= 4.5, (key, alpha)


@pytest.mark.parametrize("theme", list(THEMES))
def test_faded_secondary_text_keeps_4_5_to_1_on_both_themes(theme):
    page, text = THEMES[theme]
    fades = {float(v) for v in re.findall(r"opacity: ?(0?\.\d+)", CSS)}
    assert fades, "the cards' stylesheet fades secondary text by opacity"
    for fade in fades:
        assert contrast(over(text, fade, page), page) >= 4.5, (theme, fade)


@pytest.mark.parametrize("theme", list(THEMES))
def test_the_focus_ring_keeps_3_to_1_on_both_themes(theme):
    ring = re.search(r":focus-visible \{outline: 3px solid (#[0-9a-f]{6})", CSS).group(1)
    assert contrast(ring, THEMES[theme][0]) >= 3
