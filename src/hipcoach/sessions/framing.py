"""Warm-up first, cool-down last: every session with exercises is framed the same way.

Why here and not in each plan generator: the treatment programme, the return to running and
the build-up plan each make their own days, and only the build-up plan remembered the
warm-up. Framing the days where sessions are played and exported (the player, the calendar,
the plan's JSON, the report, the programme page) puts it in every session once.
:func:`frame_days` applies the safety policy on both sides of the framing: before, so a
session the policy emptied stays a rest day instead of coming back as a lone cool-down;
after, so a warm-up the latest assessment forbids (its jogging drills are impact) is dropped
like any other exercise.

Pure: the library's ``warm_up`` and ``cool_down`` entries supply names, dosage and cues.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from hipcoach.plan.library import Exercise
from hipcoach.plan.safety import SafetyPolicy
from hipcoach.plan.schedule import PlannedDay, SessionItem

WARM_UP_ID = "warm_up"
COOL_DOWN_ID = "cool_down"


def _item(ex: Exercise, *, walk_only: bool = False) -> SessionItem:
    d = ex.dosage
    name, cues = ex.name, tuple(ex.cues)
    if walk_only and ex.easier is not None:
        # Before rehab exercises the gentle variant: brisk walking, no jogging drills.
        name = f"{d.minutes or 5:g}-minute warm-up: {ex.easier.name.lower()}"
        cues = (ex.easier.how, *cues[:1])
    return SessionItem(
        ex.id, name, d.sets or 1, d.reps, d.hold_s, d.minutes, d.per_side, d.rest_s, cues
    )


def frame(items: Sequence[SessionItem], library: Iterable[Exercise]) -> tuple[SessionItem, ...]:
    """``items`` with a warm-up first and a cool-down last (added when missing, moved when
    elsewhere). No items stay no items: a rest day gets no warm-up."""
    if not items:
        return ()
    by_id = {e.id: e for e in library}
    kinds = {i: by_id[i].kind for i in by_id}
    warm = [i for i in items if kinds.get(i.exercise_id) == "warm_up"]
    cool = [i for i in items if kinds.get(i.exercise_id) == "cool_down"]
    middle = [i for i in items if i not in warm and i not in cool]
    if not warm and WARM_UP_ID in by_id:
        warm = [_item(by_id[WARM_UP_ID], walk_only=True)]
    if not cool and COOL_DOWN_ID in by_id:
        cool = [_item(by_id[COOL_DOWN_ID])]
    return (*warm, *middle, *cool)


def frame_days(
    days: Sequence[PlannedDay], library: Iterable[Exercise], policy: SafetyPolicy
) -> list[PlannedDay]:
    """Every day's session as it is played: ``policy`` first, then framed (see
    :func:`frame`; days without exercises unchanged), then ``policy`` over the whole."""
    exercises = list(library)
    allowed = policy.enforce(days)
    framed = [replace(d, items=frame(d.items, exercises)) if d.items else d for d in allowed]
    return policy.enforce(framed)
