"""The numbers of one activity's page: splits, pace, series over the run, and the route
projected into an SVG box.

Pure: an :class:`~hipcoach.training.model.Samples` in, plain frozen data out; no I/O, no
formatting beyond the pace and distance words a runner reads ("5:12 /km", "21.1 km").

Times within a split or a bin are *moving* times (steps slower than
:data:`MOVING_SPEED_MPS` are stops, as the importers count them), so a pause at a crossing
does not turn one kilometre into a 12-minute one. Boundaries (every km or mile, every
bin) are placed by linear interpolation of time and distance between samples, so splits
add up to the whole run exactly, whatever the recording interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hipcoach.training.model import MOVING_SPEED_MPS, FloatArray, Samples
from hipcoach.units import METRES_PER_MILE, Units

EARTH_RADIUS_M = 6_371_008.8
MAX_BINS = 200  # points per chart line: more than a phone can show, few enough to send
MIN_BIN_M = 10.0
PACE_WINDOW = 5
MAX_ROUTE_POINTS = 1500
SHORTEST_PARTIAL_M = 10.0  # a last split shorter than this is rounding, not a split


def unit_metres(units: Units) -> float:
    return METRES_PER_MILE if units == "mi" else 1000.0


def pace_text(seconds_per_unit: float | None, units: Units) -> str:
    """Pace as a runner reads it: whole seconds, never "4:60"."""
    if seconds_per_unit is None or not math.isfinite(seconds_per_unit) or seconds_per_unit <= 0:
        return "—"
    s = round(seconds_per_unit)
    m, sec = divmod(s, 60)
    return f"{m}:{sec:02d} /{units}"


def pace(moving_s: float | None, distance_m: float | None, units: Units) -> float | None:
    """Seconds per km (or mile) over a distance, None when either is unknown or zero."""
    if moving_s is None or distance_m is None or moving_s <= 0 or distance_m <= 0:
        return None
    return moving_s / distance_m * unit_metres(units)


# --------------------------------------------------------------------------- the track


@dataclass(frozen=True)
class Track:
    """The samples reduced to what the page needs, every series finite and aligned.

    ``d`` (cumulative metres) is non-decreasing and ``moving`` is the cumulative moving
    time at each sample; ``hr``, ``cadence``, ``altitude`` keep NaN where not recorded.
    """

    t: FloatArray
    d: FloatArray | None
    moving: FloatArray
    hr: FloatArray | None
    cadence: FloatArray | None
    altitude: FloatArray | None
    lat: FloatArray | None
    lon: FloatArray | None

    @property
    def distance_m(self) -> float:
        return float(self.d[-1]) if self.d is not None and self.d.size else 0.0


def _finite_or_none(a: FloatArray | None, keep: np.ndarray) -> FloatArray | None:
    if a is None:
        return None
    a = np.asarray(a, dtype=np.float64)[keep]
    return a if np.isfinite(a).any() else None


def track(samples: Samples) -> Track | None:
    """The samples with a usable clock, or None when fewer than two have a time."""
    t = np.asarray(samples.t, dtype=np.float64)
    keep = np.isfinite(t)
    if int(keep.sum()) < 2:
        return None
    t = np.maximum.accumulate(t[keep])  # a clock stepping back is rare; never negative time
    lat, lon = _finite_or_none(samples.lat, keep), _finite_or_none(samples.lon, keep)
    if lat is not None and lon is not None:
        fix = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        if int(fix.sum()) < 2:
            lat = lon = None
        else:
            lat, lon = np.where(fix, lat, np.nan), np.where(fix, lon, np.nan)
    else:
        lat = lon = None
    d = _distance(_finite_or_none(samples.distance_m, keep), lat, lon)
    return Track(
        t=t,
        d=d,
        moving=_moving(t, d),
        hr=_finite_or_none(samples.heart_rate, keep),
        cadence=_finite_or_none(samples.cadence_spm, keep),
        altitude=_finite_or_none(samples.altitude_m, keep),
        lat=lat,
        lon=lon,
    )


def _distance(
    d: FloatArray | None, lat: FloatArray | None, lon: FloatArray | None
) -> FloatArray | None:
    """Cumulative distance, carried over gaps and never going back; from GPS if not recorded."""
    if d is None and lat is not None and lon is not None:
        d = _haversine_cumulative(lat, lon)
    if d is None:
        return None
    d = d.copy()
    first = np.flatnonzero(np.isfinite(d))
    d[: first[0]] = d[first[0]]
    for i in range(first[0] + 1, d.size):  # carry the last known value over a gap
        if not math.isfinite(d[i]):
            d[i] = d[i - 1]
    d = np.maximum.accumulate(np.maximum(d - d[0], 0.0))
    return d if d[-1] > 0 else None


def _haversine_cumulative(lat: FloatArray, lon: FloatArray) -> FloatArray:
    ok = np.isfinite(lat) & np.isfinite(lon)
    la, lo = np.radians(lat[ok]), np.radians(lon[ok])
    h = (
        np.sin(np.diff(la) / 2) ** 2
        + np.cos(la[:-1]) * np.cos(la[1:]) * np.sin(np.diff(lo) / 2) ** 2
    )
    steps = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    out = np.full(lat.shape, np.nan)
    out[ok] = np.concatenate([[0.0], np.cumsum(steps)])
    return out


def _moving(t: FloatArray, d: FloatArray | None) -> FloatArray:
    dt = np.diff(t)
    steps = dt if d is None else np.where(np.diff(d) >= MOVING_SPEED_MPS * dt, dt, 0.0)
    return np.concatenate([[0.0], np.cumsum(steps)])


def _at(x: FloatArray, xs: FloatArray, ys: FloatArray) -> FloatArray:
    """``ys`` at positions ``x`` along the non-decreasing ``xs``: the first time it gets there."""
    xu, first = np.unique(xs, return_index=True)
    return np.asarray(np.interp(x, xu, ys[first]), dtype=np.float64)


def heart_rate(tr: Track) -> tuple[float, float] | None:
    """(average, highest) heart rate over the samples, for a file whose summary has none."""
    if tr.hr is None:
        return None
    hr = tr.hr[np.isfinite(tr.hr) & (tr.hr > 0)]
    return (float(hr.mean()), float(hr.max())) if hr.size else None


# --------------------------------------------------------------------------- splits


@dataclass(frozen=True)
class Split:
    number: int  # 1-based
    distance_m: float  # a full unit, except perhaps the last
    moving_s: float
    elapsed_s: float
    pace_s: float | None  # seconds per unit
    avg_hr: float | None
    elevation_m: float | None  # net change over the split
    partial: bool = False  # the remainder after the last full km or mile


def splits(tr: Track, units: Units) -> list[Split]:
    """One split per km (or mile) run, and the remainder; [] without a distance."""
    if tr.d is None:
        return []
    unit = unit_metres(units)
    total = tr.distance_m
    edges = np.arange(0.0, total, unit)
    if total - edges[-1] >= SHORTEST_PARTIAL_M or edges.size == 1:
        edges = np.append(edges, total)
    else:
        edges[-1] = total
    times, moving = _at(edges, tr.d, tr.t), _at(edges, tr.d, tr.moving)
    alt = None
    if tr.altitude is not None and _has(tr.altitude):
        known = np.isfinite(tr.altitude)
        alt = _at(edges, tr.d[known], tr.altitude[known])
    out = []
    for i in range(edges.size - 1):
        length = float(edges[i + 1] - edges[i])
        mov = float(moving[i + 1] - moving[i])
        out.append(
            Split(
                number=i + 1,
                distance_m=length,
                moving_s=mov,
                elapsed_s=float(times[i + 1] - times[i]),
                pace_s=pace(mov, length, units),
                avg_hr=_mean_between(tr.hr, tr.d, edges[i], edges[i + 1]),
                elevation_m=None if alt is None else float(alt[i + 1] - alt[i]),
                partial=length < unit - 1e-6,
            )
        )
    return out


def _has(a: FloatArray | None) -> bool:
    return a is not None and int(np.isfinite(a).sum()) >= 2


def _mean_between(v: FloatArray | None, d: FloatArray, lo: float, hi: float) -> float | None:
    if v is None:
        return None
    sel = (d >= lo) & (d <= hi) & np.isfinite(v) & (v > 0)
    return float(v[sel].mean()) if sel.any() else None


# --------------------------------------------------------------------------- series


@dataclass(frozen=True)
class Series:
    """One line over the run: ``x`` in km/mi (or minutes without a distance), ``y`` with
    None where nothing was recorded."""

    key: str  # pace | heart_rate | cadence | altitude
    x: tuple[float, ...]
    y: tuple[float | None, ...]

    def values(self) -> list[float]:
        return [v for v in self.y if v is not None]


def series(tr: Track, units: Units) -> tuple[str, list[Series]]:
    """The lines the page draws, and what their x axis is ("distance" or "time")."""
    if tr.d is not None:
        basis, x_all, scale = "distance", tr.d, unit_metres(units)
        bins = int(max(1, min(MAX_BINS, tr.distance_m // MIN_BIN_M)))
    else:
        basis, x_all, scale = "time", tr.t - tr.t[0], 60.0
        bins = int(max(1, min(MAX_BINS, len(tr.t) - 1)))
    edges = np.linspace(float(x_all[0]), float(x_all[-1]), bins + 1)
    centres = tuple(float(c) / scale for c in (edges[:-1] + edges[1:]) / 2)
    out: list[Series] = []
    if tr.d is not None:
        # Pace over a window of PACE_WINDOW bins: a GPS fix jumping 20 m is not a sprint.
        mov = np.diff(_at(edges, tr.d, tr.moving))
        kernel = np.ones(min(PACE_WINDOW, bins))
        n = np.convolve(np.ones(bins), kernel, mode="same")
        width = float(edges[1] - edges[0])
        paces = [pace(float(m), float(width * k), units) for m, k in
                 zip(np.convolve(mov, kernel, mode="same"), n, strict=True)]  # fmt: skip
        out.append(Series("pace", centres, tuple(paces)))
    for key, v in (("heart_rate", tr.hr), ("cadence", tr.cadence), ("altitude", tr.altitude)):
        if _has(v):
            assert v is not None
            positive = key != "altitude"  # 0 bpm or 0 spm is "not measured" or standing
            out.append(Series(key, centres, _bin_means(x_all, v, edges, positive)))
    return basis, [s for s in out if len(s.values()) >= 2]


def _bin_means(
    x: FloatArray, v: FloatArray, edges: FloatArray, positive: bool
) -> tuple[float | None, ...]:
    bins = edges.size - 1
    ok = np.isfinite(v) & ((v > 0) if positive else True)
    idx = np.clip(np.searchsorted(edges, x[ok], side="right") - 1, 0, bins - 1)
    sums = np.bincount(idx, weights=v[ok], minlength=bins)
    counts = np.bincount(idx, minlength=bins)
    return tuple(float(s / c) if c else None for s, c in zip(sums, counts, strict=True))


# --------------------------------------------------------------------------- route


@dataclass(frozen=True)
class Marker:
    label: str
    x: float
    y: float


@dataclass(frozen=True)
class Route:
    """The track in SVG coordinates of a ``width`` × ``height`` box (y grows downwards)."""

    width: float
    height: float
    points: tuple[tuple[float, float], ...]
    start: tuple[float, float]
    finish: tuple[float, float]
    markers: tuple[Marker, ...]

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


def route(
    tr: Track, units: Units, width: float = 400.0, height: float = 300.0, pad: float = 16.0
) -> Route | None:
    """An equirectangular projection of the GPS track, scaled to fit the box with its
    proportions kept and centred; a marker every km or mile. None without two fixes."""
    if tr.lat is None or tr.lon is None:
        return None
    ok = np.isfinite(tr.lat) & np.isfinite(tr.lon)
    lat, lon = tr.lat[ok], tr.lon[ok]
    lon = np.degrees(np.unwrap(np.radians(lon)))  # a run across the antimeridian stays whole
    east = lon * math.cos(math.radians(float(np.mean(lat))))
    north = lat
    span_x = float(east.max() - east.min())
    span_y = float(north.max() - north.min())
    scale = min((width - 2 * pad) / span_x if span_x else math.inf,
                (height - 2 * pad) / span_y if span_y else math.inf)  # fmt: skip
    if not math.isfinite(scale):
        scale = 0.0  # every fix in one place: a dot in the middle
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2

    def project(e: FloatArray, n: FloatArray) -> FloatArray:
        x = off_x + (e - east.min()) * scale
        y = off_y + (north.max() - n) * scale
        return np.column_stack([x, y])

    xy = project(east, north)
    step = max(1, math.ceil(len(xy) / MAX_ROUTE_POINTS))
    shown = np.vstack([xy[::step], xy[-1:]]) if (len(xy) - 1) % step else xy[::step]
    markers: list[Marker] = []
    if tr.d is not None:
        d = tr.d[ok]
        unit = unit_metres(units)
        count = int(tr.distance_m // unit)
        every = 1 if count <= 30 else 5 if count <= 150 else 10
        at = np.arange(1, count + 1, dtype=np.float64) * unit
        if at.size:
            mxy = project(_at(at, d, east), _at(at, d, north))
            markers = [
                Marker(str(k + 1), float(x), float(y))
                for k, (x, y) in enumerate(mxy)
                if (k + 1) % every == 0
            ]
    return Route(
        width=width,
        height=height,
        points=tuple((float(x), float(y)) for x, y in shown),
        start=(float(xy[0, 0]), float(xy[0, 1])),
        finish=(float(xy[-1, 0]), float(xy[-1, 1])),
        markers=tuple(markers),
    )
