"""The training history's charts: each one as a Vega-Lite spec and as an SVG figure.

Why Vega-Lite as plain dicts: the reports render a spec to PNG or SVG with vl-convert (no
browser, no network) and ``/api/charts/{name}`` hands it to other tools as it is. The web
page draws the same numbers as plain SVG on the server (:mod:`.svg_chart`, the chart's
``figure``), because running Vega in the browser made the page slow to start. Specs are
JSON, so tests compare their data with ``hipcoach load --json`` directly. Pure functions:
history in, :class:`Chart` out; the data travel inside the spec (``data.values``), never
by URL.

Every chart also carries its text alternative: a one-sentence summary and the same numbers
as a table, for screen readers, for pages without JavaScript and for people who prefer
numbers to pictures.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hipcoach.diary import PainWeek
from hipcoach.exports.svg_chart import Figure, Series
from hipcoach.training.load import LoadHistory, WeekSummary
from hipcoach.units import METRES_PER_MILE, Units

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
# Colours with at least 3:1 contrast against white (WCAG non-text contrast).
RUN_COLOUR = "#1f5fa8"
LIGHTER_COLOUR = "#2e7d32"
OTHER_COLOUR = "#7a8aa0"
PAIN_COLOUR = "#b00020"
FATIGUE_COLOUR = "#c2410c"
FORM_COLOUR = "#5b6472"
HEIGHT = 220
"""The plot's own height: the axes and the legend are added around it (``fit-x``), so a
phone's narrow card never squeezes the plot until an axis title is cut off."""
SHORT_DATE = "%d %b"
LONG_DATE = "%d %b %Y"
LONG_RANGE_DAYS = 183
"""Past about six months (or across New Year) date labels carry the year, as Strava's and
Garmin Connect's long views do: "07 Dec" alone is ambiguous on a year-long axis."""
PAIN_MAX = 10
TRIMP_NOTE = (
    "TRIMP (training impulse): minutes weighted by how hard your heart worked; an easy hour "
    "is about 75, a hard one 150 or more (without heart rate, estimated from effort or time)."
)
"""One line under the charts whose unit is TRIMP. Figures for the 'unknown' coefficients
at 60% and 85% of heart-rate reserve (training_rules.yaml, load.trimp)."""

Row = dict[str, Any]


@dataclass(frozen=True)
class Chart:
    """A spec with its text alternative (``summary``) and its numbers as a table."""

    name: str
    title: str
    summary: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    spec: dict[str, Any] = field(repr=False)
    figure: Figure = field(repr=False, compare=False)
    """The same numbers for the web page's server-drawn SVG (:mod:`.svg_chart`)."""
    note: str = ""
    """One line shown under the chart to explain its unit (TRIMP), or empty."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "summary": self.summary,
            "note": self.note,
            "table": {"columns": list(self.columns), "rows": [list(r) for r in self.rows]},
            "spec": self.spec,
        }


def _per(units: Units) -> float:
    return METRES_PER_MILE if units == "mi" else 1000.0


def _num(x: float | None, digits: int = 1) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


def _label(d: date) -> str:
    return d.strftime("%d %b %Y")


def _axis_labels(days: Sequence[date]) -> tuple[str, ...]:
    """Axis labels for ``days``: "07 Dec", with the year on a long range."""
    fmt = date_format(min(days), max(days)) if days else SHORT_DATE
    return tuple(d.strftime(fmt) for d in days)


def date_format(first: date, last: date) -> str:
    """The d3 time format for date labels from ``first`` to ``last``: with the year when
    the range crosses a year or is longer than about six months."""
    long = first.year != last.year or (last - first).days > LONG_RANGE_DAYS
    return LONG_DATE if long else SHORT_DATE


def _base(title: str, summary: str) -> dict[str, Any]:
    """What every spec shares: schema, title, the summary as ARIA description, sizing
    (``container`` width follows the card on a phone or a desktop; the height is the
    plot's and grows with the legend) and legible fonts."""
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "anchor": "start", "fontSize": 14},
        "description": summary,
        "width": "container",
        "height": HEIGHT,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": {
            "font": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
            "axis": {"labelColor": "#1d2430", "titleColor": "#1d2430", "labelFontSize": 11},
            # One entry a line, so a legend never runs wider than a phone.
            "legend": {
                "labelColor": "#1d2430",
                "orient": "bottom",
                "labelFontSize": 11,
                "direction": "vertical",
                "labelLimit": 220,
            },
            "view": {"stroke": None},
        },
    }


def _week_axis(mondays: Sequence[date]) -> dict[str, Any]:
    """Mondays on an ordinal axis, labelled "07 Dec" (with the year on a long range); UTC,
    because the ISO date strings parse as UTC."""
    fmt = date_format(min(mondays), max(mondays) + timedelta(days=6)) if mondays else SHORT_DATE
    return {
        "field": "monday",
        "type": "ordinal",
        "title": "Week starting",
        "scale": {"domain": [m.isoformat() for m in mondays]},
        "axis": {
            "labelExpr": f"utcFormat(toDate(datum.value), '{fmt}')",
            "labelAngle": -45,
            "labelOverlap": True,
        },
    }


def weekly_volume(weeks: Sequence[WeekSummary], units: Units, *, ended: bool = False) -> Chart:
    """Running distance per ISO week, lighter weeks in another colour, the week in
    progress marked: the picture behind the ramp and lighter-week flags. ``ended``: the
    history stopped in the past, so its last, partial week is cut short, not in progress."""
    unit = "mi" if units == "mi" else "km"
    per = _per(units)
    partial = "week cut short by the end of the history" if ended else "week in progress"
    values: list[Row] = []
    for w in weeks:
        kind = partial if not w.complete else "lighter week" if w.lighter else "week"
        values.append(
            {
                "monday": w.monday.isoformat(),
                "week": _label(w.monday),
                "run_distance_m": w.run_distance_m,
                "distance": round(w.run_distance_m / per, 2),
                "runs": w.runs,
                "kind": kind,
            }
        )
    total = sum(w.run_distance_m for w in weeks) / per
    top = max(weeks, key=lambda w: w.run_distance_m, default=None)
    if top is None:
        summary = "No weeks to show."
    else:
        summary = (
            f"Running distance per week over {len(weeks)} weeks: {total:.1f} {unit} in all, "
            f"the most {top.run_distance_m / per:.1f} {unit} in the week of {_label(top.monday)}; "
            f"{sum(1 for w in weeks if w.lighter)} lighter weeks."
        )
    spec = _base(f"Weekly running ({unit})", summary)
    spec.update(
        {
            "data": {"values": values},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "x": _week_axis([w.monday for w in weeks]),
                "y": {"field": "distance", "type": "quantitative", "title": unit},
                "color": {
                    "field": "kind",
                    "type": "nominal",
                    "title": None,
                    "scale": {
                        "domain": ["week", "lighter week", partial],
                        "range": [RUN_COLOUR, LIGHTER_COLOUR, OTHER_COLOUR],
                    },
                },
                "tooltip": [
                    {"field": "week", "type": "nominal", "title": "Week of"},
                    {"field": "distance", "type": "quantitative", "title": unit, "format": ".1f"},
                    {"field": "runs", "type": "quantitative", "title": "runs"},
                ],
            },
        }
    )  # fmt: skip
    rows = [
        (_label(w.monday), f"{w.run_distance_m / per:.1f}", str(w.runs), str(v["kind"]))
        for w, v in zip(weeks, values, strict=True)
    ]
    kinds = [str(v["kind"]) for v in values]
    figure = Figure(
        labels=_axis_labels([w.monday for w in weeks]),
        tips=tuple(
            f"Week of {r[0]}: {r[1]} {unit} in {r[2]} run{'' if r[2] == '1' else 's'} ({r[3]})"
            for r in rows
        ),
        series=tuple(
            Series(kind, colour, tuple(
                round(w.run_distance_m / per, 2) if k == kind else None
                for w, k in zip(weeks, kinds, strict=True)
            ))
            for kind, colour in (("week", RUN_COLOUR), ("lighter week", LIGHTER_COLOUR),
                                 (partial, OTHER_COLOUR))
        ),
        y_title=unit,
        x_title="Week starting",
        summary=summary,
    )  # fmt: skip
    return Chart("volume", f"Weekly running ({unit})", summary,
                 ("Week of", unit, "Runs", "Kind of week"), rows, spec, figure)  # fmt: skip


def load_and_pain(
    weeks: Sequence[WeekSummary],
    pain: Sequence[PainWeek] = (),
    mondays: Sequence[date] | None = None,
) -> Chart:
    """Weekly training load (running and other sports, stacked) with the worst pain of
    each week on a second axis (0–10), so a rise in pain can be read against the load
    of the weeks before it. ``mondays`` fixes the weeks shown (empty weeks included)."""
    shown = list(mondays) if mondays is not None else [w.monday for w in weeks]
    wanted = set(shown)
    loads: list[Row] = []
    for w in weeks:
        if w.monday not in wanted:
            continue
        other = max(w.total_load - w.run_load, 0.0)
        loads.append({"monday": w.monday.isoformat(), "series": "Running load",
                      "load": round(w.run_load, 1)})  # fmt: skip
        loads.append({"monday": w.monday.isoformat(), "series": "Other sports load",
                      "load": round(other, 1)})  # fmt: skip
    pain_rows: list[Row] = [
        {"monday": p.monday.isoformat(), "series": "Worst pain (0–10)", "pain": p.max,
         "mean": _num(p.mean), "ratings": p.count}
        for p in pain
        if p.monday in wanted
    ]  # fmt: skip
    rated = [p for p in pain if p.monday in wanted and p.max is not None]
    by_week = {w.monday: w for w in weeks}
    total = sum(by_week[m].total_load for m in shown if m in by_week)
    summary = f"Training load per week over {len(shown)} weeks, {total:.0f} load units in all"
    if rated:
        worst = max(rated, key=lambda p: (p.max or 0, p.monday))
        summary += (
            f"; pain was rated in {len(rated)} of these weeks, worst {worst.max}/10 "
            f"in the week of {_label(worst.monday)}."
        )
    else:
        summary += "; no pain ratings in these weeks."
    colour = {
        "field": "series",
        "type": "nominal",
        "title": None,
        "scale": {
            "domain": ["Running load", "Other sports load", "Worst pain (0–10)"],
            "range": [RUN_COLOUR, OTHER_COLOUR, PAIN_COLOUR],
        },
    }
    x = _week_axis(shown)
    spec = _base("Training load and pain", summary)
    spec.update(
        {
            "layer": [
                {
                    "data": {"values": loads},
                    "mark": {"type": "bar", "tooltip": True},
                    "encoding": {
                        "x": x,
                        "y": {"field": "load", "type": "quantitative", "stack": "zero",
                              "title": "Load (TRIMP units)"},
                        "color": colour,
                        "order": {"field": "series", "sort": "descending"},
                    },
                },
                {
                    "data": {"values": pain_rows},
                    "mark": {"type": "line", "point": True, "strokeWidth": 2.5,
                             "tooltip": True},
                    "encoding": {
                        "x": x,
                        "y": {"field": "pain", "type": "quantitative",
                              "title": "Worst pain (0–10)",
                              "scale": {"domain": [0, PAIN_MAX]},
                              "axis": {"orient": "right", "titleColor": PAIN_COLOUR}},
                        "color": colour,
                    },
                },
            ],
            "resolve": {"scale": {"y": "independent"}},
        }
    )  # fmt: skip
    pains = {p.monday: p for p in pain}
    rows = []
    for m in shown:
        wk = by_week.get(m)
        pw = pains.get(m)
        rows.append(
            (
                _label(m),
                "–" if wk is None else f"{wk.run_load:.0f}",
                "–" if wk is None else f"{max(wk.total_load - wk.run_load, 0.0):.0f}",
                "–" if pw is None or pw.max is None else str(pw.max),
            )
        )
    run_load = [None if m not in by_week else round(by_week[m].run_load, 1) for m in shown]
    other_load = [
        None if m not in by_week else round(max(by_week[m].total_load - by_week[m].run_load, 0), 1)
        for m in shown
    ]
    worst_pain = [None if m not in pains else pains[m].max for m in shown]
    figure = Figure(
        labels=_axis_labels(shown),
        tips=tuple(
            f"Week of {r[0]}: running load {r[1]}, other sports {r[2]}; "
            + ("no pain rated" if r[3] == "–" else f"worst pain {r[3]}/10")
            for r in rows
        ),
        series=(
            Series("Running load", RUN_COLOUR, tuple(run_load)),
            Series("Other sports load", OTHER_COLOUR, tuple(other_load)),
            Series("Worst pain (0–10)", PAIN_COLOUR, tuple(
                None if v is None else float(v) for v in worst_pain
            ), kind="line", right=True, points=True),
        ),
        y_title="Load (TRIMP units)",
        x_title="Week starting",
        right_title="Worst pain (0–10)",
        right_max=PAIN_MAX,
        summary=summary,
    )  # fmt: skip
    return Chart("load", "Training load and pain", summary,
                 ("Week of", "Running load", "Other sports load", "Worst pain (0–10)"),
                 rows, spec, figure, TRIMP_NOTE)  # fmt: skip


def fitness_fatigue(
    history: LoadHistory, days: int, *, fitness_days: float, fatigue_days: float
) -> Chart:
    """Fitness (long-term average load), fatigue (short-term) and form (their difference)
    per day over the last ``days``. The time constants come from the training rules and
    are passed in, so the labels say what was computed."""
    n = min(days, len(history.fitness))
    first = len(history.fitness) - n
    names = {
        "fitness": f"Fitness ({fitness_days:g}-day average load)",
        "fatigue": f"Fatigue ({fatigue_days:g}-day average load)",
        "form": "Form (fitness − fatigue)",
    }
    values: list[Row] = []
    for i in range(first, first + n):
        day = history.day(i).isoformat()
        for key, series in (("fitness", history.fitness), ("fatigue", history.fatigue),
                            ("form", history.form)):  # fmt: skip
            values.append({"day": day, "series": names[key], "value": _num(float(series[i]))})
    if n:
        last = first + n - 1
        summary = (
            f"Fitness, fatigue and form per day over the last {n} days, up to "
            f"{_label(history.day(last))}: fitness {history.fitness[last]:.0f}, "
            f"fatigue {history.fatigue[last]:.0f}, form {history.form[last]:+.0f}."
        )
    else:
        summary = "No days to show."
    spec = _base("Fitness, fatigue and form", summary)
    fmt = date_format(history.day(first), history.day(first + n - 1)) if n else SHORT_DATE
    spec.update(
        {
            "data": {"values": values},
            "mark": {"type": "line", "tooltip": True, "strokeWidth": 2},
            "encoding": {
                "x": {"field": "day", "type": "temporal", "title": None,
                      "scale": {"type": "utc"},
                      "axis": {"labelExpr": f"utcFormat(datum.value, '{fmt}')",
                               "labelOverlap": True, "labelSeparation": 8}},
                "y": {"field": "value", "type": "quantitative", "title": "Load (TRIMP units)"},
                "color": {"field": "series", "type": "nominal", "title": None,
                          "scale": {"domain": list(names.values()),
                                    "range": [RUN_COLOUR, FATIGUE_COLOUR, FORM_COLOUR]}},
                # The same field as the colour: one legend shows both, so each line is
                # named by its colour and its dash (and stays readable in grey print).
                "strokeDash": {"field": "series", "type": "nominal", "title": None,
                               "scale": {"domain": list(names.values()),
                                         "range": [[1, 0], [6, 3], [2, 2]]}},
            },
        }
    )  # fmt: skip
    rows = []
    for i in range(first, first + n, 7):  # a row a week keeps the table readable
        j = min(i + 6, first + n - 1)
        rows.append(
            (
                _label(history.day(j)),
                f"{history.fitness[j]:.0f}",
                f"{history.fatigue[j]:.0f}",
                f"{history.form[j]:+.0f}",
            )
        )
    days_shown = [history.day(i) for i in range(first, first + n)]
    lines = (("fitness", history.fitness, RUN_COLOUR, ""),
             ("fatigue", history.fatigue, FATIGUE_COLOUR, "6 3"),
             ("form", history.form, FORM_COLOUR, "2 2"))  # fmt: skip
    figure = Figure(
        labels=_axis_labels(days_shown),
        tips=tuple(
            f"{_label(history.day(i))}: fitness {history.fitness[i]:.0f}, "
            f"fatigue {history.fatigue[i]:.0f}, form {history.form[i]:+.0f}"
            for i in range(first, first + n)
        ),
        series=tuple(
            Series(names[key], colour, tuple(_num(float(v)) for v in series[first:first + n]),
                   kind="line", dash=dash)
            for key, series, colour, dash in lines
        ),
        y_title="Load (TRIMP units)",
        summary=summary,
    )  # fmt: skip
    return Chart("fitness", "Fitness, fatigue and form", summary,
                 ("Day", "Fitness", "Fatigue", "Form"), rows, spec, figure, TRIMP_NOTE)  # fmt: skip


def weeks_window(history: LoadHistory, weeks: int) -> list[WeekSummary]:
    """The last ``weeks`` ISO weeks of the history: the same weeks as ``load --json``."""
    return list(history.weeks[-weeks:])


def days_in(weeks: Sequence[WeekSummary], today: date) -> int:
    """Days from the first shown Monday to ``today`` (inclusive), for the daily chart."""
    if not weeks:
        return 0
    return (today - weeks[0].monday).days + 1


# --- static rendering (PDF and the self-contained HTML report) ---------------------------


def for_print(spec: dict[str, Any], width: int, height: int) -> dict[str, Any]:
    """The spec with a fixed plot size: ``container`` width only means something in a
    browser, and on paper the axes and legend are added around the plot."""
    out = copy.deepcopy(spec)
    out["width"] = width
    out["height"] = height
    out["autosize"] = {"type": "pad"}
    out.setdefault("config", {})["background"] = "white"
    return out


def to_png(spec: dict[str, Any], *, width: int, height: int, scale: float = 2.0) -> bytes:
    """PNG bytes rendered locally by vl-convert (bundled Vega; no network)."""
    import vl_convert

    png: bytes = vl_convert.vegalite_to_png(
        for_print(spec, width, height), vl_version="6.4", scale=scale
    )
    return png


def to_svg(spec: dict[str, Any], *, width: int, height: int) -> str:
    """SVG text rendered locally by vl-convert, for a report that must be one HTML file."""
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(for_print(spec, width, height), vl_version="6.4")
    return svg
