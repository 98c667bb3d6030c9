"""The training overview use cases: everything the web dashboard shows, and recording a pain
rating. Shared by the page and the JSON API so both say the same thing, and built from the
same services as ``hipcoach load`` and ``hipcoach diary`` so the web and the CLI agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hipcoach.diary import PainEntry, PainWeek, weekly_pain
from hipcoach.exports import charts
from hipcoach.services import local_today
from hipcoach.training.model import Activity
from hipcoach.units import Units

RECENT_ACTIVITIES = 15
RECENT_PAIN = 10
CHART_NAMES = ("volume", "load", "fitness")


@dataclass(frozen=True)
class ShoeRow:
    gear: str
    distance_m: float
    runs: int
    first_day: date
    last_day: date
    share: float
    """Distance as a share of the top of the usual replacement range (capped at 1)."""


@dataclass(frozen=True)
class Overview:
    """What the dashboard shows. ``load`` is exactly ``hipcoach load --json``'s object."""

    today: date
    units: Units
    weeks: int
    load: dict[str, Any]
    charts: dict[str, charts.Chart]
    shoes: list[ShoeRow]
    shoe_range_m: tuple[float, float]
    activities: list[Activity]
    activity_count: int
    pain: list[PainEntry] = field(default_factory=list)



def _pain_weeks(mondays: list[date]) -> list[PainWeek]:
    from hipcoach.services import has_history
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    if not mondays or not has_history():
        return []
    readings = DiaryRepository(open_engine()).pain_readings(since=mondays[0])
    return weekly_pain(readings, mondays)


def pain_entries(limit: int | None = None) -> list[PainEntry]:
    """The pain diary, oldest first (the last ``limit`` when given); never creates a database."""
    from hipcoach.services import has_history
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    entries = DiaryRepository(open_engine()).pain_entries() if has_history() else []
    return entries[-limit:] if limit else entries


def overview(weeks: int, units: Units, day: date | None = None) -> Overview | None:
    """The dashboard for the last ``weeks`` weeks, or None before anything was imported."""
    from hipcoach.jsonviews import load_json
    from hipcoach.services import load_report
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.repository import Repository
    from hipcoach.training.rules import load_rules

    day = day or local_today()
    history, flags = load_report(day, units=units, recent_weeks=weeks)
    if history is None:
        return None
    rules = load_rules()
    shown = charts.weeks_window(history, weeks)
    mondays = [w.monday for w in shown]
    pain = _pain_weeks(mondays)
    built = {
        "volume": charts.weekly_volume(shown, units, ended=history.today < local_today()),
        "load": charts.load_and_pain(shown, pain, mondays),
        "fitness": charts.fitness_fatigue(
            history,
            charts.days_in(shown, history.today),
            fitness_days=rules.load.fitness_days.value,
            fatigue_days=rules.load.fatigue_days.value,
        ),
    }
    levels = rules.flags.shoe_distance.levels
    lo, hi = levels[0].value, levels[-1].value
    shoes = [
        ShoeRow(s.gear, s.distance_m, s.runs, s.first_day, s.last_day,
                min(s.distance_m / hi, 1.0) if hi else 0.0)
        for s in sorted(history.shoes, key=lambda s: s.last_day, reverse=True)
    ]  # fmt: skip
    repo = Repository(open_engine())  # the history was read by load_report: no second full read
    return Overview(
        today=history.today,
        units=units,
        weeks=weeks,
        load=load_json(history, flags, weeks),
        charts=built,
        shoes=shoes,
        shoe_range_m=(lo, hi),
        activities=list(reversed(repo.activities(last=RECENT_ACTIVITIES))),
        activity_count=repo.count(),
        pain=pain_entries(RECENT_PAIN),
    )


def chart(name: str, weeks: int, units: Units) -> charts.Chart | None:
    """One chart of the dashboard by name (None without history)."""
    view = overview(weeks, units)
    return None if view is None else view.charts[name]


def record_pain(
    *,
    pain: object,
    where: object,
    when: object,
    note: str | None,
    day: str | None,
    on: date,
) -> tuple[PainEntry, str | None]:
    """Validate and store one pain rating, as ``hipcoach diary add`` does, and move the
    programme on after a next-morning rating. Returns the stored entry and the programme
    decision in words (None when there was no session to judge).

    Raises InputError naming the field and what is allowed.
    """
    from hipcoach.diary import new_entry, parse_day, regions
    from hipcoach.kb.load import load
    from hipcoach.services import progress_programme
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    entry = new_entry(
        pain=pain,
        where=where,
        when=when,
        note=note,
        day=parse_day(day, "date") if day else None,
        today=on,
        regions=regions(load()),
    )
    stored = DiaryRepository(open_engine()).add_pain(entry)
    decision = None
    if stored.when == "next_morning":
        decision = progress_programme(stored.pain, stored.day)
    return stored, decision

