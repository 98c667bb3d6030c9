"""The pain-monitoring model: how one session's pain moves the programme on, holds or back.

Why pain and not the calendar: tendon and muscle rehab tolerates some pain, and the runner
can report it. The model [R41] calls pain during or after loading of 0–3/10 safe and 4–5/10
acceptable, and requires it to settle by the next morning; worse the next day means too
much. So a session is judged on two numbers (pain during, next-morning pain against the
morning before), and the programme only moves up after several safe sessions in a row.
The thresholds, the number of sessions and the dosage ladder are in ``rehab_rules.yaml``.

Everything here is a pure function over small frozen dataclasses, so the session player,
the diary and the tests can replay any sequence of reports.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from hipcoach.errors import InputError, shorten
from hipcoach.plan.library import Exercise, Phase
from hipcoach.plan.rules import RehabRules, Step
from hipcoach.plan.schedule import SessionItem

Action = Literal["advance", "hold", "step_back"]


@dataclass(frozen=True)
class PainReport:
    """Pain on a 0–10 scale: the worst during the session, the morning before it, and the
    next morning. "Settled" means the next morning is no worse than the morning before."""

    during: float
    before: float
    next_morning: float

    def __post_init__(self) -> None:
        for name in ("during", "before", "next_morning"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and 0 <= v <= 10):
                what = name.replace("_", " ")
                raise InputError(f"pain {what} must be between 0 and 10, not {shorten(v)}")

    @property
    def settled(self) -> bool:
        return self.next_morning <= self.before


@dataclass(frozen=True)
class Decision:
    """What to do next and why. ``counts`` is true for a safe, settled session, which counts
    towards moving up; ``source`` names the evidence behind the rule applied."""

    action: Action
    reason: str
    counts: bool
    source: tuple[str, ...]


@dataclass(frozen=True)
class ProgrammePhase:
    """One phase of a rehab programme: its exercises at the library's dosage."""

    phase: Phase
    title: str
    goal: str
    every_days: int
    exercises: tuple[Exercise, ...]


@dataclass(frozen=True)
class ProgrammeState:
    """Where a runner is: phase index, rung of the dosage ladder, and safe sessions in a row
    at this rung. Start with :func:`initial_state`."""

    phase: int
    level: int
    streak: int = 0


def initial_state(rules: RehabRules, phase: int = 0) -> ProgrammeState:
    """The first session of a phase: the library's own dosage (the ladder's ``base``)."""
    return ProgrammeState(phase, rules.pain_monitoring.ladder.index("base"))


def decide(report: PainReport, state: ProgrammeState, rules: RehabRules) -> Decision:
    """Judge one session [R41][R42].

    More than the acceptable limit during, or worse the next morning → step back. Above the
    safe limit → hold. Safe and settled → advance once ``sessions_to_advance`` such sessions
    in a row are done at this rung, otherwise hold and count it.
    """
    pm = rules.pain_monitoring
    src = tuple(pm.source)
    safe, ok = pm.safe_max.value, pm.acceptable_max.value
    if report.during > ok:
        why = f"Pain {report.during:g}/10 during the session is above {ok:g}/10: too much load."
        return Decision("step_back", why + " Go back one step.", False, src)
    if not report.settled:
        why = (
            f"Pain the next morning ({report.next_morning:g}/10) was worse than the morning "
            f"before ({report.before:g}/10): the tissue did not settle within "
            f"{pm.settle_within_hours.value} hours. Go back one step."
        )
        return Decision("step_back", why, False, src)
    if report.during > safe:
        why = (
            f"Pain {report.during:g}/10 is acceptable (up to {ok:g}/10) but above the safe "
            f"{safe:g}/10: stay at this level until it is easier."
        )
        return Decision("hold", why, False, src)
    needed = pm.sessions_to_advance.value
    done = state.streak + 1
    if done >= needed:
        why = (
            f"{done} sessions in a row at {safe:g}/10 or less, settled by the next morning: "
            "move up one step."
        )
        return Decision("advance", why, True, src)
    why = (
        f"Good session ({report.during:g}/10, settled by the next morning): {done} of "
        f"{needed} in a row before moving up."
    )
    return Decision("hold", why, True, src)


def apply(
    decision: Decision, state: ProgrammeState, phases: int, rules: RehabRules
) -> ProgrammeState:
    """The state after ``decision``. Advancing past the top rung starts the next phase at its
    base dose; stepping back stops at the easiest rung of the current phase (earlier phases
    are not revisited: their exercises are different, not easier versions)."""
    top = len(rules.pain_monitoring.ladder) - 1
    if decision.action == "advance":
        if state.level < top:
            return ProgrammeState(state.phase, state.level + 1)
        if state.phase < phases - 1:
            return initial_state(rules, state.phase + 1)
        return ProgrammeState(state.phase, top)
    if decision.action == "step_back":
        return ProgrammeState(state.phase, max(0, state.level - 1))
    return replace(state, streak=state.streak + 1 if decision.counts else 0)


def _more(x: int | None, upper: int | None, step: float) -> int | None:
    if x is None:
        return None
    # ceil, but 10 × 1.1 = 11.000000000000002 must stay 11
    return upper if upper is not None and upper > x else math.ceil(x * (1 + step) - 1e-9)


def dose(exercise: Exercise, step: Step, rules: RehabRules) -> SessionItem:
    """One exercise at one rung of the ladder, as a session item.

    ``easier``/``harder`` use the library's named variants at the base dose (a harder
    movement restarts at the base volume); without a variant, ``easier`` means fewer sets
    and less volume, and ``harder`` stays at the ``more_sets`` dose.
    """
    pm = rules.pain_monitoring
    d = exercise.dosage
    name, cues = exercise.name, tuple(exercise.cues)
    sets, reps, hold, minutes = d.sets or 1, d.reps, d.hold_s, d.minutes
    if step == "easier":
        if exercise.easier is not None:
            name = f"{exercise.name} — easier: {exercise.easier.name}"
            cues = (exercise.easier.how, *cues)
        else:
            scale = pm.easier_scale.value
            sets = max(1, sets - 1)
            reps = None if reps is None else max(1, round(reps * scale))
            hold = None if hold is None else max(1, round(hold * scale))
            minutes = None if minutes is None else minutes * scale
    elif step == "harder" and exercise.harder is not None:
        name = f"{exercise.name} — harder: {exercise.harder.name}"
        cues = (exercise.harder.how, *cues)
    elif step != "base":
        reps = _more(reps, d.reps_max, pm.volume_step.value)
        hold = _more(hold, d.hold_s_max, pm.volume_step.value)
        minutes = None if minutes is None else minutes * (1 + pm.volume_step.value)
        if step in ("more_sets", "harder"):
            sets = min(pm.max_sets.value, sets + pm.extra_sets.value)
    return SessionItem(
        exercise_id=exercise.id,
        name=name,
        sets=sets,
        reps=reps,
        hold_s=hold,
        minutes=minutes,
        per_side=d.per_side,
        rest_s=d.rest_s,
        cues=cues,
    )


def session(
    state: ProgrammeState, phases: Sequence[ProgrammePhase], rules: RehabRules
) -> tuple[SessionItem, ...]:
    """The next session's items for ``state`` (every exercise of its phase at its rung)."""
    if not 0 <= state.phase < len(phases):
        raise InputError(f"programme has no phase {state.phase}")
    ladder = rules.pain_monitoring.ladder
    step = ladder[min(max(state.level, 0), len(ladder) - 1)]
    return tuple(dose(ex, step, rules) for ex in phases[state.phase].exercises)


def next_session(
    report: PainReport,
    state: ProgrammeState,
    phases: Sequence[ProgrammePhase],
    rules: RehabRules,
) -> tuple[Decision, ProgrammeState, tuple[SessionItem, ...]]:
    """Judge a session, move the state and give the next session's dosage in one call."""
    decision = decide(report, state, rules)
    new = apply(decision, state, len(phases), rules)
    return decision, new, session(new, phases, rules)
