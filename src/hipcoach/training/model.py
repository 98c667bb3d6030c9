"""The one ``Activity`` every importer produces, whatever the file format or source.

Units are SI and times are UTC: metres, seconds, metres per second, beats per minute,
and steps per minute for running cadence (FIT stores strides per minute for running;
importers double it). ``utc_offset_s`` is the local offset at the start, taken from the
data when the format says it (FIT ``activity.local_timestamp``); local time is only
ever derived for display. Values an importer cannot know are ``None``, never 0.

Pure data: no parsing, no storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Normalised sport names. Importers map their own vocabulary onto these.
# Moving time: 1.8 km/h is below a slow walk and above the drift of a still watch. From the
# device's distance of the Strava sample run it gives Strava's own moving time (1411 s)
# exactly. The importers' summaries and the activity page's splits both count by it.
ID_FORMAT = "%Y%m%dT%H%M%SZ"
"""An activity's id: its start second in UTC, "20150815T144508Z"."""
MOVING_SPEED_MPS = 0.5
RUNNING_SPORTS = frozenset({"running", "trail_running", "treadmill_running", "track_running"})
SPORTS = RUNNING_SPORTS | {
    "walking",
    "hiking",
    "cycling",
    "swimming",
    "rowing",
    "strength",
    "other",
}


@dataclass(frozen=True)
class Samples:
    """Per-record series, aligned on ``t`` (seconds since the activity start).

    Any series the file does not carry is None; within a series, missing values are NaN.
    """

    t: FloatArray
    heart_rate: FloatArray | None = None
    cadence_spm: FloatArray | None = None
    speed_mps: FloatArray | None = None
    distance_m: FloatArray | None = None
    altitude_m: FloatArray | None = None
    lat: FloatArray | None = None
    lon: FloatArray | None = None
    power_w: FloatArray | None = None

    def __len__(self) -> int:
        return int(self.t.shape[0])


@dataclass(frozen=True)
class Lap:
    start_utc: datetime
    elapsed_s: float
    distance_m: float | None = None
    avg_hr: float | None = None


@dataclass(frozen=True)
class Activity:
    sport: str
    start_utc: datetime  # timezone-aware, UTC
    elapsed_s: float
    source_format: str  # fit | gpx | tcx | manual
    utc_offset_s: int | None = None
    moving_s: float | None = None
    distance_m: float | None = None
    ascent_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    avg_cadence_spm: float | None = None
    avg_speed_mps: float | None = None
    max_speed_mps: float | None = None
    calories: float | None = None
    device: str | None = None
    name: str | None = None
    gear: str | None = None  # shoe (or bike) name
    rpe: float | None = None  # perceived exertion, 1–10
    notes: str | None = None
    laps: tuple[Lap, ...] = ()
    samples: Samples | None = field(default=None, repr=False, compare=False)

    @property
    def is_run(self) -> bool:
        return self.sport in RUNNING_SPORTS

    @property
    def end_utc(self) -> datetime:
        return self.start_utc + timedelta(seconds=self.elapsed_s)

    @property
    def id(self) -> str:
        """Its start second in UTC ("20150815T144508Z"): readable, stable across imports of
        the same file, and unique in a history (the duplicate check keeps one activity per
        start). Its page is ``/training/activity/{id}``, its JSON ``/api/activities/{id}``."""
        return self.start_utc.astimezone(UTC).strftime(ID_FORMAT)

    @property
    def local_start(self) -> datetime:
        """Wall-clock start where the activity happened (UTC when the offset is unknown)."""
        if self.utc_offset_s is None:
            return self.start_utc
        return self.start_utc + timedelta(seconds=self.utc_offset_s)

    def with_metadata(self, **changes: object) -> Activity:
        """A copy with export metadata (name, sport, gear, rpe, notes) laid over the file's."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]
