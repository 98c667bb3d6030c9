"""The local time of an activity whose file does not say it, from where it was recorded.

GPX and TCX times are UTC, and some watches' FIT files carry no local time either. Left at
UTC, a 06:30 run in Sydney would be shown at 19:30 the day before and counted in the wrong
day (and sometimes the wrong week) of the runner's history. The place is in the data, though:
the time zone at the activity's first GPS position (timezonefinder: the time-zone boundaries
ship with the package, so nothing leaves the computer) and its offset from UTC at the start
(zoneinfo, so summer time is right). An activity without a position keeps an unknown offset,
and its pages say that its time is UTC.
"""

from __future__ import annotations

import functools
import math
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hipcoach.training.model import Activity

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder


@functools.cache
def _finder() -> TimezoneFinder:
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def first_position(a: Activity) -> tuple[float, float] | None:
    """(latitude, longitude) of the first valid fix, in degrees; None without GPS."""
    s = a.samples
    if s is None or s.lat is None or s.lon is None:
        return None
    for lat, lon in zip(s.lat.tolist(), s.lon.tolist(), strict=False):
        if math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180:
            if lat == 0 and lon == 0:  # "null island": a receiver without a fix yet
                continue
            return float(lat), float(lon)
    return None


def offset_at(lat: float, lon: float, when: datetime) -> int | None:
    """Seconds east of UTC at that place and moment; None where no zone is known."""
    name = _finder().timezone_at(lng=lon, lat=lat)
    if name is None:
        return None
    try:
        offset = when.astimezone(ZoneInfo(name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return None if offset is None else int(offset.total_seconds())


def with_local_time(a: Activity) -> Activity:
    """``a`` with ``utc_offset_s`` from its position when its file did not give one."""
    if a.utc_offset_s is not None:
        return a
    where = first_position(a)
    if where is None:
        return a
    offset = offset_at(*where, a.start_utc)
    return a if offset is None else replace(a, utc_offset_s=offset)
