"""Totals from a recorded track, shared by the GPX and TCX readers.

GPX carries only points, and TCX summaries are often missing or zero, so distance,
moving time, ascent and the averages are derived here from the point series, with
numpy over whole columns rather than Python per point. The rules are deliberately
simple and stated, so the same run imported as GPX and as TCX gets the same numbers:

* distance: haversine between consecutive points of one segment (``<trkseg>`` /
  ``<Track>``); the jump between segments is a pause, not distance. A device's own
  cumulative distance (TCX ``DistanceMeters``) is preferred when present, because
  watches filter GPS jitter before accumulating it.
* moving time: an interval between two consecutive points of one segment counts when
  its speed is at least ``MOVING_SPEED_MPS``; pauses (segment gaps, standing still,
  a recorder left running) do not.
* ascent: altitude climbs counted with a ``ASCENT_HYSTERESIS_M`` dead band, so GPS
  altitude noise on the flat does not add up to hundreds of metres; steps faster than
  ``MAX_CLIMB_RATE_MPS`` (a barometer calibrating itself) are not climbs.
* speeds: the average is distance over moving time (as Strava and Garmin show it); the
  maximum is taken over windows of at least ``MAX_SPEED_WINDOW_S``, never point to point.
* averages of HR and cadence leave out zeros (strap lost, standing still).
* cadence: foot-sport cadence in files is usually per leg (strides per minute, 80–95
  when running); the model wants steps per minute, so it is doubled unless the values
  are already in steps (median above ``STRIDE_CADENCE_MAX``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from hipcoach.training.model import (
    MOVING_SPEED_MPS,
    RUNNING_SPORTS,
    Activity,
    FloatArray,
    Lap,
    Samples,
)

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG); haversine error < 0.5 %
# 3 m: closest to the devices' own totals on 8 Garmin FIT files (record altitudes vs
# session total_ascent); 1 m doubles them on noisy tracks, 5 m loses a third.
ASCENT_HYSTERESIS_M = 3.0
MAX_CLIMB_RATE_MPS = 3.0  # faster altitude change is a sensor jump, not a climb
MAX_SPEED_WINDOW_S = 5.0  # max speed over >= 5 s: one-second GPS jumps are not speed
MAX_SPEED_GAP_S = 30.0  # windows spanning a longer gap (pause, signal loss) are ignored
STRIDE_CADENCE_MAX = 120.0  # per-leg cadence never exceeds this; steps/min rarely below
FOOT_SPORTS = RUNNING_SPORTS | {"walking", "hiking"}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Track:
    """Column arrays for one activity; NaN where a point lacks the value.

    ``t`` is absolute (Unix seconds, UTC); ``seg`` numbers the segments; ``dist`` is
    the device's cumulative distance when the file has one.
    """

    t: FloatArray
    seg: FloatArray
    lat: FloatArray
    lon: FloatArray
    ele: FloatArray
    hr: FloatArray
    cad: FloatArray
    power: FloatArray
    dist: FloatArray
    speed: FloatArray


def _present(a: FloatArray) -> bool:
    """Whether a column holds any value at all (a file may not carry it)."""
    return bool(a.size) and bool(np.isfinite(a).any())


def step_distances(track: Track) -> FloatArray:
    """Metres from each point to the next within a segment (length n-1, NaN-free)."""
    lat = np.radians(track.lat)
    lon = np.radians(track.lon)
    dlat = np.diff(lat)
    dlon = np.diff(lon)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(dlon / 2) ** 2
    d = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    d[np.diff(track.seg) != 0] = 0.0
    out: FloatArray = np.nan_to_num(d, nan=0.0)
    return out


def cumulative_distance(track: Track) -> FloatArray | None:
    """Metres from the start at each point.

    The device's own cumulative distance when the file has it (gaps forward-filled, never
    decreasing; it counts from the activity's start, so the first point may be past 0),
    else summed haversine steps.
    """
    if _present(track.dist):
        d = track.dist.copy()
        valid = np.isfinite(d)
        idx = np.where(valid, np.arange(d.size), 0)
        np.maximum.accumulate(idx, out=idx)
        d = d[idx]
        d[: int(np.argmax(valid))] = d[int(np.argmax(valid))]
        out: FloatArray = np.maximum.accumulate(d)
        return out
    if not _present(track.lat):
        return None
    return np.concatenate(([0.0], np.cumsum(step_distances(track))))


def moving_seconds(t: FloatArray, seg: FloatArray, dist: FloatArray) -> float:
    """Seconds spent in intervals faster than MOVING_SPEED_MPS, inside one segment."""
    dt = np.diff(t)
    dd = np.diff(dist)
    ok = (dt > 0) & (np.diff(seg) == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        fast = ok & (dd >= MOVING_SPEED_MPS * dt)
    return float(dt[fast].sum())


def max_speed(t: FloatArray, dist: FloatArray) -> float | None:
    """Fastest speed over windows of at least MAX_SPEED_WINDOW_S (None if no window)."""
    t = np.maximum.accumulate(t)  # searchsorted needs order; a clock stepping back is rare
    j = np.searchsorted(t, t + MAX_SPEED_WINDOW_S)
    keep = j < t.size
    i = np.nonzero(keep)[0]
    j = j[keep]
    span = t[j] - t[i]
    good = (span >= MAX_SPEED_WINDOW_S) & (span <= MAX_SPEED_GAP_S)
    if not good.any():
        return None
    return float(((dist[j] - dist[i])[good] / span[good]).max())


def ascent(ele: FloatArray, t: FloatArray) -> float | None:
    """Total climb with a dead band: a rise counts once it exceeds the hysteresis.

    Altitude steps faster than MAX_CLIMB_RATE_MPS (barometer calibration at the start,
    GPS fixes jumping) are taken out first: nobody climbs that fast under own power.
    """
    ok = np.isfinite(ele)
    e, tt = ele[ok], t[ok]
    if e.size < 2:
        return None
    rise = np.diff(e)
    dt = np.diff(tt)
    with np.errstate(divide="ignore", invalid="ignore"):
        jump = ~(np.abs(rise) <= MAX_CLIMB_RATE_MPS * dt)
    e = e - np.concatenate(([0.0], np.cumsum(np.where(jump, rise, 0.0))))
    e = e[np.concatenate(([True], np.diff(e) != 0))]  # flat stretches cost nothing
    total = 0.0
    ref = float(e[0])
    climbing = False
    for v in e.tolist():
        if v > ref:
            if climbing or v - ref >= ASCENT_HYSTERESIS_M:
                total += v - ref
                ref = v
                climbing = True
        elif v < ref and (not climbing or ref - v >= ASCENT_HYSTERESIS_M):
            ref = v
            climbing = False
    return total


def steps_per_minute(cad: FloatArray, sport: str, per_leg: bool | None = None) -> FloatArray:
    """Foot-sport cadence in steps/min. ``per_leg`` True forces doubling (TCX RunCadence)."""
    if sport not in FOOT_SPORTS and not per_leg:
        return cad
    moving = cad[np.isfinite(cad) & (cad > 0)]
    if moving.size and float(np.median(moving)) > STRIDE_CADENCE_MAX:
        return cad  # already steps per minute
    return cad * 2.0


def _mean(a: FloatArray) -> float | None:
    """Average of the real readings: 0 bpm / 0 spm mean no reading."""
    v = a[np.isfinite(a) & (a > 0)]  # 0 bpm / 0 spm = sensor lost or standing
    return float(v.mean()) if v.size else None


def _max(a: FloatArray) -> float | None:
    """Largest reading, or None when the column is empty."""
    v = a[np.isfinite(a)]
    return float(v.max()) if v.size else None


def _series(a: FloatArray) -> FloatArray | None:
    """A column for Samples, or None when the file does not carry it."""
    return a if _present(a) else None


def build_activity(
    track: Track,
    *,
    sport: str,
    source_format: str,
    start: float | None = None,
    end: float | None = None,
    name: str | None = None,
    device: str | None = None,
    notes: str | None = None,
    laps: tuple[Lap, ...] = (),
    calories: float | None = None,
    utc_offset_s: int | None = None,
    timer_s: float | None = None,
    lap_avg_hr: float | None = None,
    lap_max_hr: float | None = None,
    lap_distance_m: float | None = None,
    lap_max_speed: float | None = None,
) -> Activity:
    """One Activity from the columns; lap-level values fill what the points lack."""
    t = track.t
    if t.size:  # min/max, not first/last: clocks can step back a little
        t0, t1 = float(t.min()), float(t.max())
        t0 = t0 if start is None else min(t0, start)
    elif start is not None:
        t0 = t1 = start
    else:
        raise ValueError("an activity needs points with times or a start")
    if end is not None:
        t1 = max(t1, end)
    dist = cumulative_distance(track) if t.size else None
    distance = float(dist[-1]) if dist is not None and dist.size else None
    if lap_distance_m and (not distance):
        distance = lap_distance_m
    moving = None
    if dist is not None:
        moving = moving_seconds(t, track.seg, dist)
    elif timer_s is not None:
        moving = timer_s
    speed_hint = None
    if dist is not None and t.size > 1:
        speed_hint = max_speed(t, dist)
    top = speed_hint if speed_hint is not None else lap_max_speed  # laps: MapMyRide 138 m/s
    avg_speed = None
    if distance is not None and (moving or t1 > t0):
        avg_speed = distance / (moving or (t1 - t0))
    speed = track.speed
    if not _present(speed) and dist is not None and t.size > 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = np.concatenate(([np.nan], np.diff(dist) / np.diff(t)))
        speed[~np.isfinite(speed)] = np.nan
    samples = None
    if t.size:
        samples = Samples(
            t=t - t0,
            heart_rate=_series(track.hr),
            cadence_spm=_series(track.cad),
            speed_mps=_series(speed),
            distance_m=dist,
            altitude_m=_series(track.ele),
            lat=_series(track.lat),
            lon=_series(track.lon),
            power_w=_series(track.power),
        )
    return Activity(
        sport=sport,
        start_utc=EPOCH + timedelta(seconds=t0),  # also before 1970, on any OS
        elapsed_s=t1 - t0,
        source_format=source_format,
        utc_offset_s=utc_offset_s,
        moving_s=moving,
        distance_m=distance,
        ascent_m=ascent(track.ele, track.t) if t.size else None,
        avg_hr=_mean(track.hr) or lap_avg_hr,
        max_hr=_max(track.hr) or lap_max_hr,
        avg_cadence_spm=_mean(track.cad),
        avg_speed_mps=avg_speed,
        max_speed_mps=top,
        calories=calories,
        device=device,
        name=name,
        notes=notes,
        laps=laps,
        samples=samples,
    )
