"""Names on the map that never overlap: placed once in Python, before the figure is drawn.

Each label is tried in a few positions around its point (on it, above, below, right, left), in
order of importance (Afghanistan and Pakistan, then the provinces findings name, most named
first, then the neighbours for orientation); the first position whose box overlaps no label
already placed and stays inside the map is kept. A label with no free position is left out:
its area still says its name and counts on hover, and the text beside the map lists it.

Text widths are estimated from the font size (:data:`CHAR_WIDTH` em a character, a little wider
than DejaVu Sans, the widest of the fonts the page and the briefing fall back to), so that an
estimate errs on the side of space; the browser test measures the drawn labels' boxes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dashboard.views.map_data import Frame

#: Width of a character in em (DejaVu Sans averages about 0.58 for mixed text and digits).
CHAR_WIDTH = 0.62
#: Height of the box of a line of text in em, as Chromium draws plotly's SVG text (15 px at 11).
LINE_HEIGHT = 1.4
#: Where plotly puts a text above or below its point (measured in Chromium, in em): "top" text
#: ends 0.1 em below the point, "bottom" text starts 0.3 em above it.
TOP_END = 0.1
BOTTOM_START = -0.3
#: Pixels kept free around every label.
PAD = 2.0
#: Where plotly may put a text around its point, in the order tried.
POSITIONS = ("middle center", "top center", "bottom center", "middle right", "middle left")

Box = tuple[float, float, float, float]  # left, top, right, bottom in CSS pixels


@dataclass(frozen=True)
class Label:
    """A name to show: *code* of its area, the *text*, its point, font size and colour."""

    code: str
    text: str
    lon: float
    lat: float
    size: float
    colour: str


@dataclass(frozen=True)
class Placed:
    label: Label
    position: str
    box: Box


def box_of(label: Label, x: float, y: float, position: str) -> Box:
    """The box *label*'s text takes at *position* around the pixel (*x*, *y*)."""
    width = CHAR_WIDTH * label.size * len(label.text)
    height = LINE_HEIGHT * label.size
    vertical, horizontal = position.split()
    if horizontal == "center":
        left = x - width / 2
    elif horizontal == "right":
        left = x
    else:
        left = x - width
    if vertical == "middle":
        top = y - height / 2
    elif vertical == "top":
        top = y + TOP_END * label.size - height
    else:
        top = y + BOTTOM_START * label.size
    return left - PAD, top - PAD, left + width + PAD, top + height + PAD


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place(labels: Iterable[Label], frame: Frame) -> list[Placed]:
    """The labels that fit, in the order given (most important first), each at the first of
    :data:`POSITIONS` where it overlaps none placed before it and lies inside *frame*.

    >>> frame = Frame(700, 640)
    >>> a = Label("A", "Alpha (3)", 69.0, 31.0, 14, "#111")
    >>> b = Label("B", "Beta (1)", 69.0, 30.5, 11, "#111")  # just below A
    >>> c = Label("C", "Gamma (2)", 69.0, 31.0, 11, "#111")  # on A's point: no free side
    >>> [(p.label.code, p.position) for p in place([a, b, c], frame)]
    [('A', 'middle center'), ('B', 'bottom center')]
    """
    placed: list[Placed] = []
    for label in labels:
        x, y = frame.pixel(label.lon, label.lat)
        for position in POSITIONS:
            box = box_of(label, x, y, position)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= frame.width
            if (
                inside
                and box[3] <= frame.height
                and not any(overlaps(box, other.box) for other in placed)
            ):
                placed.append(Placed(label, position, box))
                break
    return placed
