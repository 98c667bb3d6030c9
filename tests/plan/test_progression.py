"""The pain-monitoring model [R41][R42]: a session's pain during and the next morning decide
whether the programme moves up, holds or steps back, and the dosage follows the ladder."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipcoach.errors import InputError
from hipcoach.plan.library import Dosage, Exercise, Variant
from hipcoach.plan.progression import (
    Decision,
    PainReport,
    ProgrammePhase,
    ProgrammeState,
    apply,
    decide,
    dose,
    initial_state,
    next_session,
    session,
)
from hipcoach.plan.rules import load_rules

RULES = load_rules()
PM = RULES.pain_monitoring
LADDER = PM.ladder
BASE = LADDER.index("base")
NEEDED = PM.sessions_to_advance.value


def ex(id: str, *, easier: bool = True, harder: bool = True, **dosage: Any) -> Exercise:
    return Exercise(
        id=id,
        name=id.replace("_", " ").capitalize(),
        kind="strength",
        steps=["Slowly."],
        dosage=Dosage(**({"sets": 2, "reps": 8, "reps_max": 10, "source": ["FA"]} | dosage)),
        easier=Variant(name="Two legs", how="Use both legs.") if easier else None,
        harder=Variant(name="One leg", how="Lift one foot.") if harder else None,
        cues=["Keep the hips level."],
        suits=["gtps"],
        phases=["load"],
        illustration=f"{id}.svg",
        source=["FA"],
    )


BRIDGE = ex("glute_bridge")
HOLD = ex("wall_press", easier=False, harder=False, sets=None, reps=5, reps_max=None, hold_s=30)
PHASES = (
    ProgrammePhase("settle", "Settle", "Calm it", 1, (HOLD,)),
    ProgrammePhase("load", "Load", "Load it", 2, (BRIDGE, HOLD)),
)


def good() -> PainReport:
    return PainReport(during=2, before=1, next_morning=1)


# --- decisions -----------------------------------------------------------------------------------


def test_pain_6_of_10_steps_back() -> None:
    d = decide(PainReport(during=6, before=1, next_morning=1), ProgrammeState(1, BASE + 1), RULES)
    assert d.action == "step_back" and not d.counts
    assert "6/10" in d.reason and "R41" in d.source


def test_pain_2_of_10_settled_next_morning_advances_after_the_required_sessions() -> None:
    state = initial_state(RULES)
    for i in range(NEEDED):
        d = decide(good(), state, RULES)
        if i < NEEDED - 1:
            assert d.action == "hold" and d.counts, f"session {i + 1} should count, not advance"
            assert f"{i + 1} of {NEEDED}" in d.reason
        state = apply(d, state, len(PHASES), RULES)
    assert d.action == "advance"
    assert state == ProgrammeState(0, BASE + 1, 0)


@pytest.mark.parametrize("during", [4, 5])
def test_pain_4_to_5_holds_and_restarts_the_count(during: float) -> None:
    state = ProgrammeState(0, BASE, streak=NEEDED - 1)
    d = decide(PainReport(during=during, before=1, next_morning=1), state, RULES)
    assert d.action == "hold" and not d.counts
    assert apply(d, state, len(PHASES), RULES).streak == 0


def test_worse_next_morning_steps_back_even_at_low_pain() -> None:
    d = decide(PainReport(during=1, before=1, next_morning=3), ProgrammeState(0, BASE), RULES)
    assert d.action == "step_back" and "next morning" in d.reason


def test_pain_settled_to_the_same_level_counts_as_settled() -> None:
    assert PainReport(during=3, before=2, next_morning=2).settled
    assert decide(PainReport(3, 2, 2), ProgrammeState(0, BASE), RULES).counts


def test_thresholds_come_from_the_rules() -> None:
    safe, ok = PM.safe_max.value, PM.acceptable_max.value
    s = ProgrammeState(0, BASE)
    assert decide(PainReport(safe, 0, 0), s, RULES).counts
    assert decide(PainReport(ok, 0, 0), s, RULES).action == "hold"
    assert decide(PainReport(ok + 0.5, 0, 0), s, RULES).action == "step_back"


@pytest.mark.parametrize(("during", "before", "after"), [(-1, 0, 0), (11, 0, 0), (2, 0, 10.5)])
def test_pain_outside_0_to_10_is_refused(during: float, before: float, after: float) -> None:
    with pytest.raises(InputError):
        PainReport(during, before, after)


# --- moving through the programme ----------------------------------------------------------------


def test_advancing_past_the_top_rung_starts_the_next_phase_at_its_base_dose() -> None:
    top = len(LADDER) - 1
    advance = Decision("advance", "", True, ())
    assert apply(advance, ProgrammeState(0, top, 2), 2, RULES) == initial_state(RULES, 1)
    assert apply(advance, ProgrammeState(1, top), 2, RULES) == ProgrammeState(1, top)


def test_stepping_back_stops_at_the_easiest_rung() -> None:
    back = Decision("step_back", "", False, ())
    assert apply(back, ProgrammeState(1, BASE, 2), 2, RULES) == ProgrammeState(1, BASE - 1)
    assert apply(back, ProgrammeState(1, 0), 2, RULES) == ProgrammeState(1, 0)


def test_next_session_gives_the_new_dosage() -> None:
    state = ProgrammeState(1, BASE, NEEDED - 1)
    decision, new, items = next_session(good(), state, PHASES, RULES)
    assert decision.action == "advance" and new.level == BASE + 1
    bridge = next(i for i in items if i.exercise_id == "glute_bridge")
    assert bridge.reps == 10  # the library's upper figure


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10), st.integers(0, 10), st.integers(0, 10)),
        max_size=40,
    )
)
def test_any_sequence_of_reports_stays_inside_the_programme(
    reports: list[tuple[int, int, int]],
) -> None:
    state = initial_state(RULES)
    for during, before, after in reports:
        r = PainReport(during, before, after)
        d = decide(r, state, RULES)
        new = apply(d, state, len(PHASES), RULES)
        assert 0 <= new.phase < len(PHASES) and 0 <= new.level < len(LADDER)
        assert new.phase >= state.phase  # phases never go backwards
        if during > PM.acceptable_max.value or not r.settled:
            assert d.action == "step_back" and new.level <= state.level
        if d.action != "advance":
            assert new.phase == state.phase and new.level <= state.level
        state = new
        assert session(state, PHASES, RULES)


# --- dosage ladder -------------------------------------------------------------------------------


def test_base_is_the_library_dosage() -> None:
    item = dose(BRIDGE, "base", RULES)
    assert (item.sets, item.reps, item.name) == (2, 8, "Glute bridge")
    assert item.cues == ("Keep the hips level.",)


def test_more_volume_uses_the_library_upper_figure_or_the_rules_step() -> None:
    assert dose(BRIDGE, "more_volume", RULES).reps == 10
    held = dose(HOLD, "more_volume", RULES)
    assert held.hold_s == round(30 * (1 + PM.volume_step.value))
    assert held.reps == round(5 * (1 + PM.volume_step.value))


def test_more_sets_adds_a_set_up_to_the_maximum() -> None:
    assert dose(BRIDGE, "more_sets", RULES).sets == 2 + PM.extra_sets.value
    big = ex("big", sets=PM.max_sets.value)
    assert dose(big, "more_sets", RULES).sets == PM.max_sets.value


def test_harder_is_the_harder_variant_at_the_base_dose() -> None:
    item = dose(BRIDGE, "harder", RULES)
    assert "One leg" in item.name and item.cues[0] == "Lift one foot."
    assert (item.sets, item.reps) == (2, 8)


def test_easier_is_the_easier_variant_or_a_smaller_dose() -> None:
    assert "Two legs" in dose(BRIDGE, "easier", RULES).name
    small = dose(HOLD, "easier", RULES)
    scale = PM.easier_scale.value
    assert small.sets == 1 and small.hold_s == round(30 * scale) and small.reps == round(5 * scale)


def test_harder_without_a_variant_keeps_the_more_sets_dose() -> None:
    assert dose(HOLD, "harder", RULES) == dose(HOLD, "more_sets", RULES)


def test_session_for_a_missing_phase_is_refused() -> None:
    with pytest.raises(InputError):
        session(ProgrammeState(5, BASE), PHASES, RULES)
