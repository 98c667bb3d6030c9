"""Sanity limits for imported activities: values no human activity can have.

These are not clinical thresholds but physical ones; an activity outside them is a
broken file or a mislabelled one (a car ride saved as a run), and importing it would
corrupt the training-load figures. It is skipped with the reason, never silently fixed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hipcoach.training.model import Activity

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # before consumer GPS/HR recorders existed
MAX_HR = 250.0  # above any recorded human heart rate during exercise
MAX_RUN_SPEED_MPS = 12.5  # 45 km/h: faster than the 100 m world record's average
MAX_SPEED_MPS = 45.0  # 162 km/h: nothing self-powered goes faster
MAX_DURATION_S = 7 * 24 * 3600.0  # a week: longer is a recorder left running


def problem(a: Activity, now: datetime | None = None) -> str | None:
    """Why ``a`` cannot be a real activity, or None when it is plausible."""
    now = now or datetime.now(UTC)
    when = a.start_utc.date().isoformat()
    if a.start_utc < EARLIEST:
        return f"starts on {when}, before 1990: the recording's clock was wrong"
    if a.start_utc > now + timedelta(days=1):
        return f"starts on {when}, in the future: the recording's clock was wrong"
    if not 0 < a.elapsed_s <= MAX_DURATION_S:
        return f"lasts {a.elapsed_s:.0f} s, which is not a plausible activity"
    for label, value in (("average", a.avg_hr), ("maximum", a.max_hr)):
        if value is not None and value > MAX_HR:
            return f"{label} heart rate {value:.0f} bpm is impossible (over {MAX_HR:.0f})"
    speed = a.avg_speed_mps
    if speed is None and a.distance_m and a.elapsed_s:
        speed = a.distance_m / (a.moving_s or a.elapsed_s)
    limit = MAX_RUN_SPEED_MPS if a.is_run else MAX_SPEED_MPS
    if speed is not None and speed > limit:
        kind = "run" if a.is_run else "activity"
        return f"a {kind} at an average {speed * 3.6:.0f} km/h is not plausible"
    if a.distance_m is not None and a.distance_m < 0:
        return "negative distance"
    return None
