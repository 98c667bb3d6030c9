"""Formatting SI values for people, in kilometres or miles as they prefer.

Everything is stored in metres and seconds; conversion happens only here, at the edge.
"""

from __future__ import annotations

import os
from typing import Literal

Units = Literal["km", "mi"]
METRES_PER_MILE = 1609.344
METRES_PER_FOOT = 0.3048


def preferred(explicit: str | None = None) -> Units:
    """The user's unit: an explicit option, else HIPCOACH_UNITS, else kilometres."""
    value = (explicit or os.environ.get("HIPCOACH_UNITS") or "km").lower()
    if value in ("mi", "mile", "miles"):
        return "mi"
    return "km"


def distance(metres: float | None, units: Units, digits: int = 1) -> str:
    if metres is None:
        return "—"
    if units == "mi":
        return f"{metres / METRES_PER_MILE:.{digits}f} mi"
    return f"{metres / 1000:.{digits}f} km"


def height_unit(units: Units) -> str:
    """Heights (elevation, climb) in feet for a runner who reads miles, as Strava and
    Garmin Connect show them; metres otherwise."""
    return "ft" if units == "mi" else "m"


def height_value(metres: float, units: Units) -> float:
    return metres / METRES_PER_FOOT if units == "mi" else metres


def height(metres: float | None, units: Units, *, signed: bool = False) -> str:
    """A height or a change of height, whole units: "312 ft", "+14 m", "0 m"."""
    if metres is None:
        return "—"
    v = round(height_value(metres, units))
    return f"{v:+d} {height_unit(units)}" if signed and v else f"{v:d} {height_unit(units)}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = round(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
