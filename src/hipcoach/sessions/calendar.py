"""The plan calendar: what was planned each day beside what was done (from the session logs).

Why a separate, pure module: the web page, the JSON API and any later report read the same
"planned vs done" view, and the rule for calling a day done, partly done or missed should be
written once. A day is *done* when a played session finished every exercise it logged,
*partly done* when some were skipped or the session was stopped, *missed* when exercises
were planned for a past day and nothing was logged, and *to do* for today and later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Literal

from hipcoach.diary import SessionLog
from hipcoach.plan.schedule import PlannedDay

Status = Literal["done", "partial", "missed", "todo", "rest", "none"]

STATUS_WORDS: dict[str, str] = {
    "done": "Done",
    "partial": "Partly done",
    "missed": "Missed",
    "todo": "To do",
    "rest": "Rest",
    "none": "",
}


def day_json(d: PlannedDay) -> dict[str, Any]:
    """A planned day with the fields of ``hipcoach plan --json`` (its ``days`` entries)."""
    return {
        "date": d.day.isoformat(),
        "kind": d.kind,
        "title": d.title,
        "items": [asdict(i) for i in d.items],
        "uid_key": d.uid_key,
    }


@dataclass(frozen=True)
class CalendarDay:
    """One day: the plan for it (if any) and the sessions logged on it."""

    day: date
    planned: PlannedDay | None
    logs: tuple[SessionLog, ...]
    status: Status
    items_done: int
    items_logged: int

    @property
    def pain_during(self) -> int | None:
        values = [s.pain_during for s in self.logs if s.pain_during is not None]
        return max(values) if values else None

    @property
    def pain_next_morning(self) -> int | None:
        values = [s.pain_next_morning for s in self.logs if s.pain_next_morning is not None]
        return max(values) if values else None

    @property
    def words(self) -> str:
        return STATUS_WORDS[self.status]

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "status": self.status,
            "planned": None if self.planned is None else day_json(self.planned),
            "done": {
                "sessions": len(self.logs),
                "items_done": self.items_done,
                "items_logged": self.items_logged,
                "pain_during": self.pain_during,
                "pain_next_morning": self.pain_next_morning,
            },
        }


def _status(planned: PlannedDay | None, done: int, logged: int, n_logs: int, past: bool) -> Status:
    if n_logs:
        return "done" if done >= logged else "partial"
    if planned is None:
        return "none"
    if planned.kind == "rest" or not planned.items:
        return "rest"
    return "missed" if past else "todo"


def planned_vs_done(
    days: Iterable[PlannedDay], logs: Iterable[SessionLog], start: date, end: date, today: date
) -> list[CalendarDay]:
    """Every day from ``start`` to ``end`` (inclusive) with its plan and logged sessions.

    Several planned entries on one day (e.g. rehab and a run) count as the first with
    exercises; a logged session counts its items by their ``status``. A day's session logged
    twice (stored before logging again replaced the first log) counts once: the last.
    """
    by_day: dict[date, PlannedDay] = {}
    for d in days:
        if d.day not in by_day or (d.items and not by_day[d.day].items):
            by_day[d.day] = d
    latest: dict[tuple[date, str], SessionLog] = {}
    for s in logs:  # oldest first: a session logged again counts once, as last logged
        latest[(s.day, s.uid_key)] = s
    logs_by: dict[date, list[SessionLog]] = {}
    for s in latest.values():
        logs_by.setdefault(s.day, []).append(s)
    out: list[CalendarDay] = []
    day = start
    while day <= end:
        todays = tuple(logs_by.get(day, ()))
        items = [i for s in todays for i in s.items]
        done = sum(1 for i in items if i.get("status") == "done")
        planned = by_day.get(day)
        status = _status(planned, done, len(items), len(todays), day < today)
        out.append(CalendarDay(day, planned, todays, status, done, len(items)))
        day += timedelta(days=1)
    return out


def weeks(days: Sequence[CalendarDay]) -> list[list[CalendarDay]]:
    """The days cut into ISO weeks (Monday first), for a calendar laid out by week."""
    out: list[list[CalendarDay]] = []
    for d in days:
        if not out or d.day.weekday() == 0:
            out.append([])
        out[-1].append(d)
    return out
