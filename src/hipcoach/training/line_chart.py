"""A line chart as SVG geometry: paths and axis ticks in the coordinates of a fixed box.

The activity page draws its pace, heart-rate, cadence and elevation lines on the server,
as plain SVG: no script is needed to see them, nothing breaks the page's strict
Content-Security-Policy, and there is no chart library to load on a phone. Pure: numbers
in, strings and floats out; the template only places them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 600.0
HEIGHT = 200.0
LEFT, RIGHT, TOP, BOTTOM = 62.0, 12.0, 12.0, 28.0
STEPS = (1.0, 2.0, 2.5, 5.0)
PACE_STEPS = (5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


@dataclass(frozen=True)
class Tick:
    pos: float  # x or y in the box
    label: str


@dataclass(frozen=True)
class LineChart:
    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float
    paths: tuple[str, ...]  # one per unbroken stretch of values
    points: tuple[tuple[float, float] | None, ...]  # each input point in the box, or None
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]


def nice_step(span: float, target: int = 4, steps: Sequence[float] | None = None) -> float:
    """The round step that cuts ``span`` into about ``target`` parts (1, 2, 2.5, 5 × 10ⁿ)."""
    raw = span / target if span > 0 else 1.0
    if steps is not None:
        return next((s for s in steps if s >= raw), steps[-1])
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next((m * magnitude for m in STEPS if m * magnitude >= raw * 0.999), 10 * magnitude)


def line_chart(
    x: Sequence[float],
    y: Sequence[float | None],
    *,
    x_label: Callable[[float], str],
    y_label: Callable[[float], str],
    invert: bool = False,
    robust: bool = False,
    y_steps: Sequence[float] | None = None,
) -> LineChart | None:
    """The chart of ``y`` over ``x``; None with fewer than two values.

    ``invert`` puts small values at the top (a faster pace is higher); ``robust`` scales
    the axis to the 2nd–98th percentile and clamps the rest to its edge, so a stop or a
    GPS jump does not flatten the rest of the run into one line.
    """
    known = sorted(v for v in y if v is not None and math.isfinite(v))
    if len(known) < 2 or len(x) != len(y) or not x:
        return None
    lo, hi = known[0], known[-1]
    if robust:
        lo, hi = known[int(0.02 * (len(known) - 1))], known[math.ceil(0.98 * (len(known) - 1))]
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    step = nice_step(hi - lo, 3, y_steps)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    x0, x1 = float(min(x)), float(max(x))
    if x1 - x0 < 1e-9:
        x1 = x0 + 1.0
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def px(v: float) -> float:
        return LEFT + (v - x0) / (x1 - x0) * (right - LEFT)

    def py(v: float) -> float:
        share = (min(max(v, lo), hi) - lo) / (hi - lo)
        return TOP + share * (bottom - TOP) if invert else bottom - share * (bottom - TOP)

    paths: list[str] = []
    current: list[str] = []
    points: list[tuple[float, float] | None] = []
    for xv, yv in zip(x, y, strict=True):
        if yv is None or not math.isfinite(yv):
            if len(current) > 1:
                paths.append(" ".join(current))
            current = []
            points.append(None)
            continue
        points.append((round(px(xv), 1), round(py(yv), 1)))
        current.append(f"{'L' if current else 'M'}{px(xv):.1f} {py(yv):.1f}")
    if len(current) > 1:
        paths.append(" ".join(current))
    y_ticks = tuple(
        Tick(py(lo + i * step), y_label(lo + i * step)) for i in range(round((hi - lo) / step) + 1)
    )
    x_step = nice_step(x1 - x0, 5)
    first = math.ceil(x0 / x_step) * x_step
    x_ticks = tuple(
        Tick(px(first + i * x_step), x_label(first + i * x_step))
        for i in range(int((x1 - first) / x_step + 1e-9) + 1)
    )
    return LineChart(
        WIDTH, HEIGHT, LEFT, TOP, right, bottom, tuple(paths), tuple(points), x_ticks, y_ticks
    )
