"""Mapping the sport vocabularies of files and exports onto the model's sport names.

Each source names sports its own way: TCX ``Sport="Biking"``, GPX free text or Strava's
numeric codes, Strava's CSV in the account language ("Trail Run", "Lauf", "Radfahrt"),
Garmin's snake_case keys ("treadmill_running"). Running must be recognised reliably
because training load is computed for runs; anything not recognised becomes "other"
rather than a guess.
"""

from __future__ import annotations

import re

# Exact keys (lower case, without spaces, dashes and underscores).
_EXACT = {
    "run": "running",
    "running": "running",
    "streetrunning": "running",
    "ultrarun": "running",
    "obstaclerun": "running",
    "trailrun": "trail_running",
    "trailrunning": "trail_running",
    "traillauf": "trail_running",
    "treadmillrunning": "treadmill_running",
    "indoorrunning": "treadmill_running",
    "virtualrun": "treadmill_running",
    "virtuellerlauf": "treadmill_running",
    "trackrunning": "track_running",
    "biking": "cycling",
    "rad": "cycling",
    "handcycle": "cycling",
    "velomobile": "cycling",
    "strengthtraining": "strength",
    "weighttraining": "strength",
    "krafttraining": "strength",
    "gewichtstraining": "strength",
    "walking": "walking",
    "hiking": "hiking",
    "swimming": "swimming",
    "rowing": "rowing",
    "other": "other",
    # Strava's GPX export writes its activity-type code; 1 and 9 are seen in real files
    # (ride, run: gpx/4801048867_strava.gpx, gpx/strava_export.gpx). Other codes: "other".
    "1": "cycling",
    "9": "running",
}

# Ordered: the first matching pattern wins (skiing before running: "Skilanglauf").
# Checked against Strava's English and German types and Garmin's typeKeys.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), s)
    for p, s in (
        (r"ski|langlauf|snow|skat|eislauf|rollschuh", "other"),  # "Eislaufen" is no run
        (r"trail.*(run|lauf)", "trail_running"),
        (r"(treadmill|laufband|virtu|indoor).*(run|lauf)", "treadmill_running"),
        (r"track.*run", "track_running"),
        (r"hik|wander|bergsteig", "hiking"),  # before running: "Wanderung" holds "run"
        (r"run|lauf|jog|hardlop", "running"),
        (r"walk|spazier|gehen", "walking"),
        (r"ride|bik|cycl|radfahrt|fahrrad|fahrt", "cycling"),
        (r"swim|schwimm", "swimming"),
        (r"row|ruder", "rowing"),
        (r"strength|weight|kraft|gewicht", "strength"),
    )
)


def sport_from_text(text: str | None) -> str | None:
    """The model's sport for a source's sport label; None when the label is empty."""
    if text is None:
        return None
    key = re.sub(r"[\s_\-]+", "", text.strip().lower())
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key]
    for pattern, sport in _RULES:
        if pattern.search(key):
            return sport
    return "other"
