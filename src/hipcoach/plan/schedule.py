"""The shapes a plan is made of — shared by the plan engine, the session player, the
calendar export and the report, so none of them needs to know how the others work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

DayKind = Literal["rehab", "run", "walk_run", "strength", "cross_training", "rest"]


@dataclass(frozen=True)
class SessionItem:
    """One exercise in a session, with today's dosage (already progressed or regressed)."""

    exercise_id: str
    name: str
    sets: int = 1
    reps: int | None = None
    hold_s: int | None = None
    minutes: float | None = None
    per_side: bool = False
    rest_s: int = 30
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedDay:
    """One day of a plan. ``uid_key`` is stable across re-planning (calendar UIDs use it)."""

    day: date
    kind: DayKind
    title: str
    description: str = ""
    items: tuple[SessionItem, ...] = ()
    run_distance_m: float | None = None
    run_minutes: float | None = None
    uid_key: str = ""
    notes: tuple[str, ...] = field(default=())
