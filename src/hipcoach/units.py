"""Formatting SI values for people, in kilometres or miles as they prefer.

Everything is stored in metres and seconds; conversion happens only here, at the edge.
"""

from __future__ import annotations

import os
from typing import Literal

Units = Literal["km", "mi"]
METRES_PER_MILE = 1609.344


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


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = round(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
