"""The training page's charts as plain SVG, drawn on the server.

Why on the server: in the browser, the chart library (Vega, 520 KB of script) took about
half a second of a slow machine's processor to draw three small charts, and nothing of
the page could be used meanwhile. An SVG the server writes is on screen with the first
paint, needs no script (so it also shows with JavaScript off), and cannot break the page's
strict Content-Security-Policy: colours and dashes are presentation attributes, never
inline styles. The activity page draws its lines the same way
(:mod:`hipcoach.training.line_chart`).

A :class:`Figure` is what a chart shows: positions along the x axis (weeks or days), one
label and one hover text per position, and series of bars (stacked) or lines, on the left
axis or on a right axis with a fixed range (pain, 0–10). :func:`render` turns it into
markup; every text in it is escaped. Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

from hipcoach.training.line_chart import nice_step

NARROW = 600.0
WIDE = 1000.0
"""The two boxes each chart is drawn in: the page shows the narrow one in a card narrower
than about 720 px (a phone, half a desktop) and the wide one above that (container
queries in training.css), so text is never scaled to a squint or a shout."""
PLOT_HEIGHT = 210.0
TOP = 14.0  # room above the top tick for half a label at the largest text size
RIGHT = 14.0  # without a right axis
EDGE, ASCENT, DESCENT, GAP = 3.0, 0.95, 0.3, 10.0
"""The room around a rotated axis title, in the box's units and in font sizes: the edge,
a glyph's ascent and descent, and the gap to the tick labels (6 of it beside the axis)."""
LINE = 1.25  # a line of text's height, in font sizes
FONT = 12.0
BIG_FONT = {NARROW: 21.0, WIDE: 15.0}
"""Text size in the box's units, normally and in the narrowest cards a box is shown in
(training.css switches): there the box is scaled down most, so its text is drawn larger
to stay legible, and fewer x labels are kept (the others are ``minor``) so they still do
not overlap."""
CHAR_WIDTH = 0.6  # an average character's width, in font sizes
BAR_SHARE = 0.8  # a bar's width in its slot
Y_TICKS = 4


@dataclass(frozen=True)
class Series:
    """One named thing in the legend: bars (stacked with the other bar series) or a line."""

    name: str
    colour: str
    values: tuple[float | None, ...]
    """One per x position; None where there is nothing (no bar, a break in the line)."""
    kind: Literal["bar", "line"] = "bar"
    right: bool = False
    """On the right axis, from 0 to the figure's ``right_max`` (or to its highest value);
    the right axis title takes the colour of its first series."""
    dash: str = ""
    """SVG ``stroke-dasharray`` of a line, so lines differ by more than colour."""
    points: bool = False
    """Mark each value of a line with a dot (a rating is a point, not a trend)."""


@dataclass(frozen=True)
class Figure:
    labels: tuple[str, ...]
    """The x axis label of each position (a week's Monday, a day)."""
    tips: tuple[str, ...]
    """What hovering a position says: its numbers in words."""
    series: tuple[Series, ...]
    y_title: str
    x_title: str = ""
    right_title: str = ""
    right_max: float | None = None
    """A fixed top for the right axis (a 0–10 scale); None: its highest value."""
    summary: str = ""
    """The text alternative: the chart is one image with this label."""


@dataclass(frozen=True)
class _Scale:
    lo: float
    hi: float
    step: float
    top: float
    bottom: float

    def __call__(self, v: float) -> float:
        return self.bottom - (v - self.lo) / (self.hi - self.lo) * (self.bottom - self.top)

    def ticks(self) -> list[float]:
        return [self.lo + i * self.step for i in range(round((self.hi - self.lo) / self.step) + 1)]


def _scale(values: Sequence[float], top: float, bottom: float) -> _Scale:
    """A y scale from the lowest value (or 0) to the highest, on round ticks."""
    lo, hi = min(0.0, *values) if values else 0.0, max(0.0, *values) if values else 0.0
    if hi - lo < 1e-9:
        hi = lo + 1.0
    step = nice_step(hi - lo, Y_TICKS)
    return _Scale(math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step,
                  step, top, bottom)  # fmt: skip


def _text_width(texts: Sequence[str], font: float) -> float:
    return max((len(t) for t in texts), default=0) * CHAR_WIDTH * font


def _apart(at: dict[int, float], room: float) -> dict[int, float]:
    """The labels at ``at`` (position → x), from the right, skipping any closer than
    ``room`` to the one kept after it: a label moved in from the edge can crowd its
    neighbour."""
    kept: dict[int, float] = {}
    last = math.inf
    for i in sorted(at, reverse=True):
        if last - at[i] >= room:
            kept[i] = last = at[i]
    return kept


def _stride(labels: Sequence[str], slot: float, font: float) -> int:
    """Every how many positions a label fits without touching the next one."""
    return max(1, math.ceil((_text_width(labels, font) + font) / slot))


def _number(v: float) -> str:
    return f"{v:g}" if abs(v) < 1e6 else f"{v:.3g}"


def _f(v: float) -> str:
    return f"{v:.1f}"


def _bar_tops(figure: Figure) -> list[float]:
    """Each position's stacked bar height: the sum of its bar values."""
    bars = [s for s in figure.series if s.kind == "bar" and not s.right]
    return [sum(s.values[i] or 0.0 for s in bars) for i in range(len(figure.labels))]


def render(figure: Figure, width: float = NARROW) -> Markup:
    """The figure as one ``<svg>`` element ``width`` units wide (:data:`NARROW` or
    :data:`WIDE`) that scales to its container's width."""
    n = len(figure.labels)
    big = BIG_FONT.get(width, max(BIG_FONT.values()))
    top, bottom = TOP, TOP + PLOT_HEIGHT
    height = bottom + 4 + LINE * big * (2 if figure.x_title else 1) + EDGE
    left_values = [v for s in figure.series if not s.right and s.kind == "line"
                   for v in s.values if v is not None] + _bar_tops(figure)  # fmt: skip
    y = _scale(left_values, top, bottom)
    right_series = [s for s in figure.series if s.right]
    right_values = [v for s in right_series for v in s.values if v is not None]
    if figure.right_max is not None:
        y2 = _Scale(0.0, figure.right_max, nice_step(figure.right_max, Y_TICKS + 1), top, bottom)
    else:
        y2 = _scale(right_values, top, bottom)
    # Room at each side for a rotated axis title and the widest tick label, at the larger
    # text size: the title's baseline sits one ascent in from the edge.
    title_at = EDGE + ASCENT * big
    left = title_at + DESCENT * big + GAP + _text_width([_number(t) for t in y.ticks()], big)
    right = width - RIGHT
    if right_series:
        right = width - (title_at + DESCENT * big + GAP
                         + _text_width([_number(t) for t in y2.ticks()], big))  # fmt: skip
    slot = (right - left) / max(n, 1)

    def cx(i: int) -> float:
        return left + (i + 0.5) * slot

    out: list[str] = [
        f'<svg class="svg-chart {"wide" if width > NARROW else "narrow"}" '
        f'viewBox="0 0 {width:g} {height:g}" role="img" '
        f'aria-label="{escape(figure.summary)}">'
    ]
    for t in y.ticks():
        out.append(f'<line class="grid" x1="{_f(left)}" x2="{_f(right)}" '
                   f'y1="{_f(y(t))}" y2="{_f(y(t))}"/>')  # fmt: skip
        out.append(f'<text class="y-tick" x="{_f(left - 6)}" y="{_f(y(t))}">'
                   f"{_number(t)}</text>")  # fmt: skip
    if right_series:
        for t in y2.ticks():
            out.append(f'<text class="y2-tick" x="{_f(right + 6)}" y="{_f(y2(t))}">'
                       f"{_number(t)}</text>")  # fmt: skip
    out.append(f'<line class="axis" x1="{_f(left)}" x2="{_f(right)}" '
               f'y1="{_f(y(0.0))}" y2="{_f(y(0.0))}"/>')  # fmt: skip

    # Bars: each bar series stacked on the ones before it, from zero up.
    base = [0.0] * n
    bar = max(slot * BAR_SHARE, 1.0)
    for s in figure.series:
        if s.kind != "bar" or s.right:
            continue
        out.append(f'<g class="bars" fill="{escape(s.colour)}">')
        for i, v in enumerate(s.values):
            if not v:
                continue
            y0, y1 = y(base[i]), y(base[i] + v)
            out.append(f'<rect x="{_f(cx(i) - bar / 2)}" y="{_f(min(y0, y1))}" '
                       f'width="{_f(bar)}" height="{_f(abs(y0 - y1))}"/>')  # fmt: skip
            base[i] += v
        out.append("</g>")

    # Lines: broken where a value is missing, with dots where asked for.
    for s in figure.series:
        if s.kind != "line":
            continue
        scale = y2 if s.right else y
        runs: list[list[str]] = [[]]
        dots: list[str] = []
        for i, v in enumerate(s.values):
            if v is None:
                runs.append([])
                continue
            runs[-1].append(f"{'L' if runs[-1] else 'M'}{_f(cx(i))} {_f(scale(v))}")
            if s.points:
                dots.append(f'<circle cx="{_f(cx(i))}" cy="{_f(scale(v))}" r="3.5"/>')
        d = " ".join(" ".join(r) for r in runs if len(r) > 1)
        dash = f' stroke-dasharray="{escape(s.dash)}"' if s.dash else ""
        if d:
            out.append(f'<path class="line" d="{d}" stroke="{escape(s.colour)}"{dash}/>')
        if dots:
            out.append(f'<g class="dots" fill="{escape(s.colour)}">{"".join(dots)}</g>')

    # X labels: as many as fit, counted back from the latest position (always labelled).
    # Those kept on a desktop only are marked ``minor`` and hidden where text is larger.
    wide = _stride(figure.labels, slot, FONT)
    narrow = wide * math.ceil(_stride(figure.labels, slot, big) / wide)
    widest = _text_width(figure.labels, 1.0)
    at: dict[int, float] = {}
    for i in range(n - 1, -1, -wide):
        # A label wider than the room left at the edge is moved in, not cut off.
        half = widest * big / 2
        at[i] = min(max(cx(i), half + EDGE), width - half - EDGE)
    shown = _apart(at, widest * FONT + FONT)
    major = _apart({i: x for i, x in shown.items() if (n - 1 - i) % narrow == 0},
                   widest * big + big)  # fmt: skip
    for i, x in sorted(shown.items()):
        minor = "" if i in major else " minor"
        out.append(f'<text class="x-tick{minor}" x="{_f(x)}" y="{_f(bottom + 4 + ASCENT * big)}">'
                   f"{escape(figure.labels[i])}</text>")  # fmt: skip

    # Axis titles.
    mid = (top + bottom) / 2
    out.append(f'<text class="axis-title" '
               f'transform="translate({_f(title_at)} {_f(mid)}) rotate(-90)">'
               f"{escape(figure.y_title)}</text>")  # fmt: skip
    if right_series and figure.right_title:
        colour = escape(right_series[0].colour)
        out.append(f'<text class="axis-title" fill="{colour}" '
                   f'transform="translate({_f(width - title_at)} {_f(mid)}) rotate(90)">'
                   f"{escape(figure.right_title)}</text>")  # fmt: skip
    if figure.x_title:
        out.append(f'<text class="axis-title" x="{_f((left + right) / 2)}" '
                   f'y="{_f(height - EDGE - DESCENT * big)}">'
                   f"{escape(figure.x_title)}</text>")  # fmt: skip

    # Hover targets last, over everything: a full-height slot per position, its numbers
    # in a <title> (the browser's own tooltip).
    for i, tip in enumerate(figure.tips):
        out.append(f'<rect class="hit" x="{_f(left + i * slot)}" y="{_f(top)}" '
                   f'width="{_f(slot)}" height="{_f(bottom - top)}">'
                   f"<title>{escape(tip)}</title></rect>")  # fmt: skip
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every text and attribute in it is escaped)


def legend(figure: Figure) -> list[Series]:
    """The series the legend names: those drawn at least once (a bar of 0 is not drawn)."""
    return [
        s for s in figure.series
        if any(v is not None and (v != 0 or s.kind == "line") for v in s.values)
    ]  # fmt: skip


def responsive(figure: Figure) -> Markup:
    """The figure in both boxes; the page's stylesheet shows the one that fits its card."""
    return render(figure, NARROW) + render(figure, WIDE)
