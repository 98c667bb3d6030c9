"""The pain diary: one entry per pain rating, its validation, and pain per training week.

Pure: no I/O. Ratings are the 0–10 numeric scale of the pain-monitoring model (up to 5/10
during exercise is acceptable for injured tissue; pain must not build from day to day), so
they are whole numbers. ``where`` is one of the questionnaire's pain locations (the choice
ids of the ``location`` question), so a diary and an assessment speak the same words.
Weeks are ISO weeks (Monday first), the same weeks as the training-load summary.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from hipcoach.errors import InputError, clip, shorten
from hipcoach.kb.load import KnowledgeBase

When = Literal["during", "after", "next_morning", "rest"]
WHEN_VALUES: tuple[When, ...] = ("during", "after", "next_morning", "rest")
WHEN_WORDS: dict[str, str] = {
    "during": "during exercise",
    "after": "after exercise",
    "next_morning": "the next morning",
    "rest": "at rest",
}
PAIN_MIN, PAIN_MAX = 0, 10
NOTE_MAX_CHARS = 1000
LOCATION_QUESTION = "location"


def regions(kb: KnowledgeBase) -> dict[str, str]:
    """Pain regions (id → label): the questionnaire's ``location`` choices, minus "none"."""
    q = kb.question_by_id[LOCATION_QUESTION]
    return {c.id: c.label for c in q.choices if c.id != "none" and not c.means_unknown}


def parse_pain(value: object) -> int:
    """A 0–10 whole-number pain rating from an int, an integral float or a string."""
    shown = clip(value.strip() or "nothing", 60) if isinstance(value, str) else shorten(value)
    number: float | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        # Out of range anyway; float() of a huge int (10**400) would raise OverflowError.
        number = float(value) if abs(value) <= PAIN_MAX else math.inf
    elif isinstance(value, float):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if (
        number is None
        or not math.isfinite(number)
        or number != int(number)
        or not PAIN_MIN <= number <= PAIN_MAX
    ):
        raise InputError(f"pain must be a whole number from {PAIN_MIN} to {PAIN_MAX}; got {shown}")
    return int(number)


def parse_when(value: object) -> When:
    """``during``, ``after``, ``next_morning`` or ``rest`` (``next-morning`` is accepted)."""
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    if key not in WHEN_VALUES:
        raise InputError(f"when must be one of {', '.join(WHEN_VALUES)}; got {shorten(value)}")
    return key


def parse_region(value: object, known: Mapping[str, str]) -> str:
    """One of the questionnaire's location ids, with a suggestion when it is close."""
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    if key in known:
        return key
    close = difflib.get_close_matches(key, list(known), n=1) if len(key) <= 100 else []
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise InputError(f"where must be one of {', '.join(known)}; got {shorten(value)}{hint}")


def parse_day(text: str, option: str = "--date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{option} {shorten(text)} is not a date; use YYYY-MM-DD") from None


@dataclass(frozen=True)
class PainEntry:
    """One pain rating. ``id`` and ``recorded_at`` are set once stored / created."""

    day: date
    pain: int
    where: str
    when: When
    note: str | None = None
    recorded_at: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        parse_pain(self.pain)
        parse_when(self.when)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "day": self.day.isoformat(),
            "pain": self.pain,
            "where": self.where,
            "when": self.when,
            "note": self.note,
            "recorded_at": None if self.recorded_at is None else self.recorded_at.isoformat(),
        }


def new_entry(
    *,
    pain: object,
    where: object,
    when: object,
    regions: Mapping[str, str],
    today: date,
    now: datetime | None = None,
    note: str | None = None,
    day: date | None = None,
) -> PainEntry:
    """A validated entry, or InputError naming the field and what is allowed."""
    rating = parse_pain(pain)
    timing = parse_when(when)
    region = parse_region(where, regions)
    day = day or today
    if day > today:
        raise InputError(f"the date {day.isoformat()} is in the future; a diary records the past")
    text = (note or "").strip() or None
    if text is not None and len(text) > NOTE_MAX_CHARS:
        raise InputError(f"the note is {len(text)} characters; keep it under {NOTE_MAX_CHARS}")
    return PainEntry(day, rating, region, timing, text, now or datetime.now(UTC))


# --- pain per training week -----------------------------------------------------------------


@dataclass(frozen=True)
class PainWeek:
    """Pain in one ISO week: the worst and the mean rating (None without ratings)."""

    monday: date
    count: int
    max: int | None
    mean: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "monday": self.monday.isoformat(),
            "count": self.count,
            "max": self.max,
            "mean": None if self.mean is None else round(self.mean, 2),
        }


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def recent_mondays(today: date, weeks: int) -> list[date]:
    """The Mondays of the last ``weeks`` ISO weeks, oldest first, ending with this week."""
    last = monday_of(today)
    return [last - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]


def weekly_pain(
    readings: Iterable[PainEntry | tuple[date, int]], mondays: Sequence[date] | None = None
) -> list[PainWeek]:
    """Max and mean pain per ISO week.

    With ``mondays`` (e.g. the weeks of the load summary), one row per given week in that
    order, empty weeks included, so pain lines up with load. Without, every week from the
    first to the last reading.
    """
    by_week: dict[date, list[int]] = {}
    for r in readings:
        day, pain = (r.day, r.pain) if isinstance(r, PainEntry) else r
        by_week.setdefault(monday_of(day), []).append(pain)
    if mondays is None:
        if not by_week:
            return []
        first, last = min(by_week), max(by_week)
        mondays = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    out = []
    for m in mondays:
        values = by_week.get(monday_of(m), [])
        out.append(
            PainWeek(
                monday_of(m),
                len(values),
                max(values) if values else None,
                sum(values) / len(values) if values else None,
            )
        )
    return out


@dataclass(frozen=True)
class SessionLog:
    """One played session. ``items`` is what was done (``SessionResult.completed()``)."""

    day: date
    uid_key: str
    items: list[dict[str, Any]] = field(default_factory=list)
    pain_during: int | None = None
    pain_next_morning: int | None = None
    created_at: datetime | None = None
    id: int | None = None

    @property
    def elapsed_s(self) -> int | None:
        """The time the session really took, start to finish: each item carries the time from
        its start to the next one's (``elapsed_s``), so they add up. None for logs made
        before players measured it (or from the plain form, which cannot)."""
        values = [i["elapsed_s"] for i in self.items if isinstance(i.get("elapsed_s"), int)]
        return sum(values) if values else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "day": self.day.isoformat(),
            "uid_key": self.uid_key,
            "items": self.items,
            "pain_during": self.pain_during,
            "pain_next_morning": self.pain_next_morning,
            "elapsed_s": self.elapsed_s,
            "created_at": None if self.created_at is None else self.created_at.isoformat(),
        }


# --- what a rating did to the programme -----------------------------------------------------

PROGRAMME_MOVES: dict[str, str] = {
    "advance": "moves on a step",
    "hold": "stays at this level",
    "step_back": "goes back a step",
}


def programme_move(decision: str | None, when: When) -> str:
    """What a diary entry did to the programme, in one sentence for a person.

    ``decision`` is the progression's ``"action: reason"`` (``services.progress_programme``)
    or None when the rating judged no session. Only a next-morning rating after a session
    moves the programme (the pain-monitoring model judges a session by the next morning);
    the sentence says so instead of leaving the runner to wonder.
    """
    if decision:
        action, _, reason = decision.partition(": ")
        move = PROGRAMME_MOVES.get(action, action.replace("_", " "))
        return f"Your programme {move}. Why: {reason}" if reason else f"Your programme {move}."
    if when == "next_morning":
        return (
            "Your programme is unchanged: there was no session the day before for this rating "
            "to judge, or it was judged already."
        )
    return (
        "Your programme is unchanged: it moves on, holds or steps back only on the "
        "next-morning rating after a session."
    )
