"""One imported activity's page (``/training/activity/{id}``) and its JSON
(``/api/activities/{id}``): summary, route, splits, lines over the run, that day's pain.

The database keeps one summary row per activity, not the per-second samples; the samples
come from re-reading the gzipped original kept under ``originals/`` with the importers'
own ``read_item``. That happens on every request, in FastAPI's thread pool (the routes are
plain ``def``), and nothing read is written anywhere. An activity without a kept file
(a manual entry) or without GPS (a treadmill) gets the page with what exists and a note.

The id is the activity's UTC start, ``YYYYMMDDTHHMMSSZ``: readable, and the same after the
history is imported again into a new database (a row number would not be).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from hipcoach.diary import PainEntry
from hipcoach.training import activity_detail as detail
from hipcoach.training.line_chart import PACE_STEPS, LineChart, line_chart
from hipcoach.training.model import ID_FORMAT, Activity, Samples
from hipcoach.units import Units, distance, duration, height, height_unit, height_value

router = APIRouter()

ID_PATTERN = re.compile(r"\d{8}T\d{6}Z")
SAME_START_S = 90.0  # as the duplicate check: the file's start and the stored one agree
CHART_TITLES = {
    "pace": "Pace",
    "heart_rate": "Heart rate",
    "cadence": "Cadence",
    "altitude": "Elevation",
}


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    summary: str
    chart: LineChart
    readouts: list[list[Any]]  # [x, y, words] per point, for activity.js's readout


@dataclass
class ActivityPage:
    """Everything the page shows, as the words and numbers it shows them in."""

    id: str
    activity: Activity
    units: Units
    title: str
    when: str
    summary: list[tuple[str, str]]
    original: tuple[str, str | None] | None
    notes: list[str] = field(default_factory=list)
    splits: list[detail.Split] = field(default_factory=list)
    basis: str = "distance"
    series: list[detail.Series] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    route: detail.Route | None = None
    pain: list[PainEntry] = field(default_factory=list)

    def pace(self, seconds: float | None) -> str:
        return detail.pace_text(seconds, self.units)

    def to_dict(self) -> dict[str, Any]:
        from hipcoach.jsonviews import activity_record

        return {
            "id": self.id,
            "activity": activity_record(self.activity, self.original),
            "units": self.units,
            "summary": dict(self.summary),
            "notes": self.notes,
            "splits": [
                {
                    "number": s.number,
                    "distance_m": round(s.distance_m, 1),
                    "moving_s": round(s.moving_s, 1),
                    "elapsed_s": round(s.elapsed_s, 1),
                    "pace_s": None if s.pace_s is None else round(s.pace_s, 1),
                    "pace": self.pace(s.pace_s),
                    "avg_hr": None if s.avg_hr is None else round(s.avg_hr),
                    "elevation_m": None if s.elevation_m is None else round(s.elevation_m, 1),
                    "partial": s.partial,
                }
                for s in self.splits
            ],
            "x": self.basis,
            "series": {s.key: {"x": list(s.x), "y": list(s.y)} for s in self.series},
            "route": None
            if self.route is None
            else {"points": len(self.route.points), "markers": len(self.route.markers)},
            "pain": [e.to_dict() for e in self.pain],
        }


def parse_id(key: str) -> datetime | None:
    if not ID_PATTERN.fullmatch(key):
        return None
    try:
        return datetime.strptime(key, ID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def find(key: str) -> tuple[Activity, tuple[str, str | None] | None] | None:
    """The stored activity with this id and its original file (name, kept copy)."""
    from hipcoach.services import has_history
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.repository import Repository

    start = parse_id(key)
    if start is None or not has_history():
        return None
    return Repository(open_engine()).activity_at(start)


def read_samples(a: Activity, stored_path: str) -> Samples | None:
    """The samples of ``a`` from its kept original; raises ValueError saying why not."""
    from hipcoach.importers.sources import ImportFailure, Item, read_item
    from hipcoach.storage.db import data_dir

    folder = data_dir().resolve()
    path = (folder / stored_path).resolve()
    if not path.is_relative_to(folder / "originals"):
        raise ValueError("its kept copy is recorded outside the data folder's originals/")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"its kept copy {stored_path} cannot be read ({exc.strerror})") from None
    try:
        found = read_item(Item(path.name, data))
    except ImportFailure as exc:
        raise ValueError(f"its kept copy cannot be read again: {exc}") from None
    near = [b for b in found if abs((b.start_utc - a.start_utc).total_seconds()) <= SAME_START_S]
    if not near and len(found) == 1:
        near = found  # an export's own start time laid over the file's
    if not near:
        raise ValueError("its kept copy holds no activity starting at this time")
    best = min(near, key=lambda b: abs((b.start_utc - a.start_utc).total_seconds()))
    return best.samples


def build(key: str, units: Units) -> ActivityPage | None:
    """The page of the activity with id ``key``, or None when there is none."""
    from hipcoach.overview import pain_entries

    found = find(key)
    if found is None:
        return None
    a, original = found
    view = ActivityPage(
        id=key,
        activity=a,
        units=units,
        title=a.name or f"{_sport(a)} on {a.local_start.strftime('%d %b %Y')}",
        when=_when(a),
        summary=_summary(a, units),
        original=original,
    )
    day = a.local_start.date()
    view.pain = [e for e in pain_entries() if e.day == day]
    stored = original[1] if original else None
    if stored is None:
        view.notes.append(
            "This is a manual entry, with no activity file: only its summary is shown."
        )
        return view
    try:
        samples = read_samples(a, stored)
    except ValueError as exc:
        view.notes.append(f"Only the summary is shown: {exc}.")
        return view
    tr = detail.track(samples) if samples is not None else None
    if tr is None:
        view.notes.append("The activity file has no recorded samples: only its summary is shown.")
        return view
    hr = (a.avg_hr, a.max_hr) if a.avg_hr is not None else detail.heart_rate(tr)
    if a.avg_hr is None and hr is not None:
        view.summary = _summary(a, units, (hr[0], hr[1] or hr[0]))
    view.splits = detail.splits(tr, units)
    view.basis, view.series = detail.series(tr, units)
    view.charts = _charts(view, a, hr)
    view.route = detail.route(tr, units)
    if view.route is None:
        view.notes.append(
            "No route: the file has no GPS positions (a treadmill or indoor activity, or GPS "
            "was off)."
        )
    if tr.d is None:
        view.notes.append("No splits: the file records no distance.")
    return view


def _sport(a: Activity) -> str:
    return a.sport.replace("_", " ").capitalize()


def _when(a: Activity) -> str:
    local = a.local_start
    text = f"{local.strftime('%A %d %B %Y, %H:%M')}"
    if a.utc_offset_s is None:
        return f"{text} UTC (the file does not say the local time)"
    sign = "+" if a.utc_offset_s >= 0 else "−"
    hours, rem = divmod(abs(a.utc_offset_s), 3600)
    return f"{text} (UTC{sign}{hours:02d}:{rem // 60:02d}, where it was recorded)"


def _summary(
    a: Activity, units: Units, hr: tuple[float, float] | None = None
) -> list[tuple[str, str]]:
    """The summary rows; ``hr`` is (average, max) from the samples when the file's own
    summary has none."""
    rows = [("Sport", a.sport.replace("_", " ")), ("Distance", distance(a.distance_m, units, 2))]
    rows.append(("Moving time", duration(a.moving_s or a.elapsed_s)))
    if a.moving_s is not None and abs(a.elapsed_s - a.moving_s) >= 1:
        rows.append(("Elapsed time", duration(a.elapsed_s)))
    moving = a.moving_s or a.elapsed_s
    if a.distance_m:
        rows.append(("Pace", detail.pace_text(detail.pace(moving, a.distance_m, units), units)))
    if a.avg_hr is not None:
        text = f"{a.avg_hr:.0f} bpm average"
        rows.append(("Heart rate", text + ("" if a.max_hr is None else f", {a.max_hr:.0f} max")))
    elif hr is not None:
        rows.append(("Heart rate", f"{hr[0]:.0f} bpm average, {hr[1]:.0f} max"))
    if a.avg_cadence_spm is not None:
        rows.append(("Cadence", f"{a.avg_cadence_spm:.0f} steps/min"))
    if a.ascent_m is not None:
        rows.append(("Elevation gain", height(a.ascent_m, units)))
    for label, value in (("Shoes", a.gear), ("Device", a.device), ("Notes", a.notes)):
        if value:
            rows.append((label, value))
    if a.rpe is not None:
        rows.append(("Perceived exertion", f"{a.rpe:g}/10"))
    return rows


def _charts(view: ActivityPage, a: Activity, hr: tuple[float, float | None] | None) -> list[Chart]:
    units = view.units
    x_unit = units if view.basis == "distance" else "min"

    def x_label(v: float) -> str:
        return f"{v:g} {x_unit}"

    out = []
    for s in view.series:
        values = s.values()
        if s.key == "pace":
            chart = line_chart(
                s.x, s.y, x_label=x_label, y_label=lambda v: detail.pace_text(v, units)[:-3],
                invert=True, robust=True, y_steps=PACE_STEPS,
            )  # fmt: skip
            overall = detail.pace(a.moving_s or a.elapsed_s, a.distance_m, units)
            words = f"Average {detail.pace_text(overall, units)} (moving time)"
            full = [sp.pace_s for sp in view.splits if not sp.partial and sp.pace_s is not None]
            if full:
                fastest = detail.pace_text(min(full), units)
                words += f"; the fastest {'mile' if units == 'mi' else 'km'} {fastest}"
            words += "."
        elif s.key == "heart_rate":
            chart = line_chart(s.x, s.y, x_label=x_label, y_label=lambda v: f"{v:.0f}")
            avg, top = hr or (sum(values) / len(values), None)
            words = f"Average {avg:.0f} bpm, highest {top or max(values):.0f} bpm."
        elif s.key == "cadence":
            chart = line_chart(s.x, s.y, x_label=x_label, y_label=lambda v: f"{v:.0f}")
            avg = a.avg_cadence_spm or sum(values) / len(values)
            words = f"Average {avg:.0f} steps per minute."
        else:
            # Stored in metres; drawn and read out in the runner's height unit.
            s = replace(s, y=tuple(None if v is None else height_value(v, units) for v in s.y))
            chart = line_chart(
                s.x, s.y, x_label=x_label, y_label=lambda v: f"{v:.0f} {height_unit(units)}"
            )
            low, high = (height(min(values), units), height(max(values), units))
            words = f"Between {low} and {high} above sea level"
            words += "." if a.ascent_m is None else f"; {height(a.ascent_m, units)} climbed in all."
        if chart is not None:
            readouts = [
                [p[0], p[1], f"{x_label(round(xv, 2))}: {_value(s.key, yv, units)}"]
                for p, xv, yv in zip(chart.points, s.x, s.y, strict=True)
                if p is not None and yv is not None
            ]
            out.append(Chart(s.key, CHART_TITLES[s.key], words, chart, readouts))
    return out


def _value(key: str, v: float, units: Units) -> str:
    if key == "pace":
        return detail.pace_text(v, units)
    if key == "altitude":
        return f"{v:.0f} {height_unit(units)}"
    return f"{v:.0f} " + {"heart_rate": "bpm", "cadence": "steps/min"}[key]


def _units() -> Units:
    from hipcoach.services import preferred_units

    return preferred_units()


NOT_FOUND = "no activity with id {key!r}; the activities are listed on /training"


@router.get(
    "/training/activity/{key}",
    response_class=HTMLResponse,
    summary="One activity: route, splits, pace, heart rate, cadence, elevation, pain",
)
def activity_page(request: Request, key: str) -> Response:
    from fastapi import HTTPException

    from hipcoach.diary import WHEN_WORDS, regions
    from hipcoach.kb.load import load
    from hipcoach.web.pages import page

    view = build(key, _units())
    if view is None:
        raise HTTPException(404, NOT_FOUND.format(key=key[:40]))
    return page(
        request,
        "activity.html",
        v=view,
        dist=lambda m, digits=2: distance(m, view.units, digits),
        duration=duration,
        height=lambda m: height(m, view.units, signed=True),
        regions=regions(load()),
        when_words=WHEN_WORDS,
    )


@router.get("/api/activities/{key}", summary="One activity: summary, splits and series")
def activity_json(key: str) -> Any:
    view = build(key, _units())
    if view is None:
        return JSONResponse({"error": NOT_FOUND.format(key=key[:40])}, status_code=404)
    return view.to_dict()


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> RedirectResponse:
    """Browsers ask for /favicon.ico whatever the page links; send them to the SVG."""
    return RedirectResponse("/static/favicon.svg", status_code=301)
