"""GPX and TCX readers: XML activity files in, ``Activity`` objects out.

Parsing is safe (defusedxml, no DTDs) and cheap (one walk over the tree, numpy columns)
in ``xml_common``; totals come from ``trackcalc``, so GPX and TCX of one run agree.

Choices (see ``trackcalc`` for distance, moving time, ascent and cadence):

* GPX: one Activity per ``<trk>`` (GPSBabel splits one hike into several tracks: several
  activities). Points without ``<time>`` are dropped; a track with fewer than half its
  points timed is a planned route or a drawn track, not a recording, and is skipped; a
  file without any recorded track (only ``<rte>`` or ``<wpt>``) raises ``TrackError``.
  Sport comes from ``<type>``; without one it is "running" (hipcoach's users are
  runners, and running apps such as Nike Run Club via gpx.py write no type; an
  implausible speed is caught by the importer's plausibility check); a type that is
  present but not recognised (including "unknown") becomes "other".
* TCX: one Activity per ``<Activity>`` (also inside multisport sessions); each
  ``<Track>`` is a segment. The device's ``DistanceMeters`` wins over positions; laps
  give calories and fill in HR and distance when points lack them; a TCX with laps but
  no points still gives an activity. ``RunCadence`` (ns3 extension) is per leg and
  doubled; ``<Cadence>`` is doubled for foot sports (Polar writes strides there) and
  kept as rpm for cycling.
* Times are UTC; a GPX time with an explicit numeric offset also sets ``utc_offset_s``.
* Absurd values (1901 dates, zero duration, car speeds) are kept as found: plausibility
  is judged by the importer, not here.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from xml.etree.ElementTree import Element

import numpy as np

from hipcoach.importers.messages import clip
from hipcoach.importers.sports import sport_from_text
from hipcoach.importers.trackcalc import build_activity, steps_per_minute
from hipcoach.importers.xml_common import (
    EPOCH,
    Columns,
    TrackError,
    local,
    parse_times,
    parse_xml,
    qualifier,
    scan_extensions,
    text,
)
from hipcoach.training.model import Activity, Lap

__all__ = ["TrackError", "read_gpx", "read_tcx"]


# ----------------------------------------------------------------------------- GPX


def read_gpx(data: bytes) -> list[Activity]:
    """One Activity per recorded ``<trk>`` (GPX 1.0 and 1.1); TrackError if none."""
    root = parse_xml(data, "GPX")
    if local(root.tag) != "gpx":
        root_name = clip(local(root.tag), 60)
        raise TrackError(f"not a GPX file: the root element is <{root_name}>, not <gpx>")
    q = qualifier(root)
    tracks = root.findall(q + "trk")
    if not tracks:
        has_route = root.find(q + "rte") is not None
        what = "a planned route (<rte>)" if has_route else "no track (<trk>)"
        raise TrackError(
            f"GPX file holds {what} and no recorded track, so there is no activity in it; "
            "export the recorded activity (with times) instead."
        )
    creator = root.get("creator")
    file_name = text(root.find(f"{q}metadata/{q}name")) or text(root.find(q + "name"))
    cache: dict[str, str] = {}
    out: list[Activity] = []
    untimed = 0
    for trk in tracks:
        cols = _gpx_points(trk, q, cache)
        track, _, offset = cols.track()
        if not cols.seg:
            continue
        if 2 * track.t.size < len(cols.seg):  # mostly untimed: a route with a few stamps
            untimed += 1
            continue
        label = text(trk.find(q + "type"))
        sport = "running" if label is None or not label.strip() else sport_from_text(label)
        sport = sport or "running"
        track.cad = steps_per_minute(track.cad, sport)
        out.append(
            build_activity(
                track,
                sport=sport,
                source_format="gpx",
                device=creator,
                name=text(trk.find(q + "name")) or file_name,
                utc_offset_s=offset,
                notes=text(trk.find(q + "desc")),
            )
        )
    if not out:
        why = (
            "its track points have no times (a planned route or a drawn track)"
            if untimed
            else "its tracks have no points"
        )
        raise TrackError(
            f"GPX file has no recorded activity: {why}; export the recorded activity instead."
        )
    return out


def _gpx_points(trk: Element, q: str, cache: dict[str, str]) -> Columns:
    """All points of one ``<trk>``; each ``<trkseg>`` is a segment (a pause between)."""
    t_ele, t_time, t_ext, t_speed = q + "ele", q + "time", q + "extensions", q + "speed"
    cols = Columns()
    add = cols.add
    for seg, trkseg in enumerate(trk.findall(q + "trkseg")):
        for pt in trkseg.findall(q + "trkpt"):
            values: dict[str, str] = {"lat": pt.get("lat", "nan"), "lon": pt.get("lon", "nan")}
            time = None
            for child in pt:
                tag = child.tag
                if tag == t_time:
                    time = child.text
                elif tag == t_ele and child.text:
                    values["ele"] = child.text
                elif tag == t_ext:
                    scan_extensions(child, values, cache)
                elif tag == t_speed and child.text:
                    values["speed"] = child.text
            add(seg, time, values)
    return cols


# ----------------------------------------------------------------------------- TCX

_TCX_SPORTS = {"running": "running", "biking": "cycling", "other": "other"}


def read_tcx(data: bytes) -> list[Activity]:
    """One Activity per ``<Activity>`` (also inside multisport sessions); TrackError if none."""
    root = parse_xml(data, "TCX")
    if local(root.tag) != "TrainingCenterDatabase":
        raise TrackError(
            f"not a TCX file: the root element is <{clip(local(root.tag), 60)}>, "
            "not <TrainingCenterDatabase>"
        )
    q = qualifier(root)
    out: list[Activity] = []
    for act in root.iter(q + "Activity"):
        activity = _tcx_activity(act, q)
        if activity is not None:
            out.append(activity)
    if not out:
        courses = root.find(q + "Courses") is not None
        what = "a course (a planned route)" if courses else "no recorded activity"
        raise TrackError(
            f"TCX file holds {what}; export the recorded activity (with times) instead."
        )
    return out


def _num(el: Element, path: str) -> float | None:
    """A number from a child element, None when missing or not a finite number."""
    value = text(el.find(path))
    try:
        x = float(value) if value is not None else None
    except ValueError:
        return None
    return x if x is not None and math.isfinite(x) else None


def _tcx_activity(act: Element, q: str) -> Activity | None:
    """One ``<Activity>``: its laps, its points, totals; None when it has neither."""
    sport = (
        _TCX_SPORTS.get((act.get("Sport") or "").lower())
        or sport_from_text(act.get("Sport"))
        or "other"
    )
    cols = Columns()
    cache: dict[str, str] = {}
    laps: list[Lap] = []
    lap_starts: list[float] = []
    calories = timer = lap_dist = 0.0
    hr_weighted = hr_time = 0.0
    lap_max_hr: float | None = None
    lap_max_speed: float | None = None
    seg = 0
    for lap in act.findall(q + "Lap"):
        start_t, _ = parse_times([lap.get("StartTime")])
        total = _num(lap, q + "TotalTimeSeconds")
        dist = _num(lap, q + "DistanceMeters")
        avg_hr = _num(lap, f"{q}AverageHeartRateBpm/{q}Value")
        calories += _num(lap, q + "Calories") or 0.0
        timer += total or 0.0
        lap_dist += dist or 0.0
        if avg_hr and total:
            hr_weighted += avg_hr * total
            hr_time += total
        lap_max_hr = _larger(lap_max_hr, _num(lap, f"{q}MaximumHeartRateBpm/{q}Value"))
        lap_max_speed = _larger(lap_max_speed, _num(lap, q + "MaximumSpeed"))
        if np.isfinite(start_t[0]):
            lap_starts.append(float(start_t[0]))
            laps.append(
                Lap(
                    start_utc=_utc(float(start_t[0])),
                    elapsed_s=total or 0.0,
                    distance_m=dist,
                    avg_hr=avg_hr,
                )
            )
        for track in lap.findall(q + "Track"):
            seg += 1
            _tcx_points(track, q, seg, cols, cache)
    track_cols, runcad, _ = cols.track()
    ends = [s + lap.elapsed_s for s, lap in zip(lap_starts, laps, strict=True)]
    if not track_cols.t.size and not lap_starts:
        return None
    id_t, _ = parse_times([text(act.find(q + "Id"))])
    starts = [*lap_starts, *([float(id_t[0])] if np.isfinite(id_t[0]) else [])]
    if np.isfinite(runcad).any():
        track_cols.cad = steps_per_minute(runcad, sport, per_leg=True)
    else:
        track_cols.cad = steps_per_minute(track_cols.cad, sport)
    return build_activity(
        track_cols,
        sport=sport,
        source_format="tcx",
        start=min(starts) if starts else None,
        end=None if track_cols.t.size else max(ends, default=None),
        device=text(act.find(f"{q}Creator/{q}Name")),
        notes=text(act.find(q + "Notes")),
        laps=tuple(laps),
        calories=calories or None,
        timer_s=timer or None,
        lap_avg_hr=hr_weighted / hr_time if hr_time else None,
        lap_max_hr=lap_max_hr,
        lap_distance_m=lap_dist or None,
        lap_max_speed=lap_max_speed,
    )


def _larger(a: float | None, b: float | None) -> float | None:
    """The larger of two optional values."""
    return b if a is None else a if b is None else max(a, b)


def _utc(t: float) -> datetime:
    """Unix seconds → aware UTC datetime, also before 1970 on any OS."""
    return EPOCH + timedelta(seconds=t)


def _tcx_points(track: Element, q: str, seg: int, cols: Columns, cache: dict[str, str]) -> None:
    """The Trackpoints of one ``<Track>``: one child walk per point, no XPath."""
    simple: dict[str, str] = {
        q + "AltitudeMeters": "ele",
        q + "DistanceMeters": "dist",
        q + "Cadence": "cad",
    }
    t_time, t_pos, t_hr, t_ext = q + "Time", q + "Position", q + "HeartRateBpm", q + "Extensions"
    t_lat, t_lon = q + "LatitudeDegrees", q + "LongitudeDegrees"
    add = cols.add
    for tp in track.findall(q + "Trackpoint"):
        values: dict[str, str] = {}
        time = None
        for child in tp:
            tag = child.tag
            if tag == t_time:
                time = child.text
            elif tag == t_pos:
                for p in child:
                    if p.tag == t_lat and p.text:
                        values["lat"] = p.text
                    elif p.tag == t_lon and p.text:
                        values["lon"] = p.text
            elif tag == t_hr:
                for v in child:
                    if v.text:
                        values["hr"] = v.text
            elif tag == t_ext:
                scan_extensions(child, values, cache)
            elif child.text and tag in simple:
                values[simple[tag]] = child.text
        add(seg, time, values)
