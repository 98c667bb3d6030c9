"""Return to running: gates first (hop last, never with a suspected stress fracture before
clearance), the walk–run protocol [R44], stricter for bone [R44b][R2], then ≤10% a week."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipcoach.plan.progression import PainReport
from hipcoach.plan.return_to_run import (
    Readiness,
    after_step,
    build_return_to_run,
    check_gates,
    growth,
    protocol,
    tissue_for,
)
from hipcoach.plan.rules import load_rules

RULES = load_rules()
RTR = RULES.return_to_run
START = date(2026, 3, 2)
ALL_GATES = [g.id for g in RTR.gates]
PAIN_FREE = dict.fromkeys(ALL_GATES, 0.0)


def state(readiness: Readiness, gate: str) -> str:
    return next(s.state for s in readiness.gates if s.id == gate)


# --- gates ---------------------------------------------------------------------------------------


def test_the_hop_is_locked_until_walking_and_single_leg_stance_are_pain_free() -> None:
    r = check_gates({"walk": 4, "single_leg_stance": 0}, "tendon", RULES)
    assert state(r, "walk") == "failed" and state(r, "hop") == "locked"
    assert not r.ready and r.next_gate == "walk"
    r = check_gates({"walk": 0, "single_leg_stance": 0}, "tendon", RULES)
    assert state(r, "single_leg_squat") == "not_done"
    assert check_gates(PAIN_FREE, "tendon", RULES).ready


def test_never_hop_with_a_suspected_stress_fracture_until_cleared_by_a_clinician() -> None:
    r = check_gates(PAIN_FREE, "bone", RULES)
    hop = next(s for s in r.gates if s.id == "hop")
    assert hop.state == "locked" and "doctor" in hop.reason and "R2" in hop.source
    assert not r.ready and "doctor must clear you" in r.reason
    assert check_gates(PAIN_FREE, "bone", RULES, cleared_by_clinician=True).ready


def test_walking_30_minutes_and_standing_on_one_leg_are_the_first_gates() -> None:
    texts = [g.render() for g in RTR.gates]
    assert texts[0] == "Walk briskly for 30 minutes."
    assert "Stand on the injured leg for 10 seconds" in texts[1]
    assert RTR.gates[-1].id == "hop" and RTR.gates[-1].bone_needs_clearance


def test_a_tendon_may_hurt_a_little_in_the_gates_a_bone_not_at_all() -> None:
    some = dict(PAIN_FREE, walk=2.0)
    assert state(check_gates(some, "tendon", RULES), "walk") == "passed"
    assert state(check_gates(some, "bone", RULES, cleared_by_clinician=True), "walk") == "failed"


# --- which standard applies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("conditions", "tissue"),
    [
        (["gtps"], "tendon"),
        (["proximal_hamstring_tendinopathy", "hamstring_strain"], "tendon"),
        (["hip_flexor_strain_or_tendinopathy", "femoral_neck_stress_fracture"], "bone"),
        (["pelvic_or_sacral_stress_fracture"], "bone"),
    ],
)
def test_bone_rules_whenever_a_stress_fracture_is_likely(
    conditions: list[str], tissue: str
) -> None:
    assert tissue_for(conditions, RULES) == tissue


def test_bone_stress_return_to_run_is_stricter_than_tendon_return() -> None:
    tendon = build_return_to_run(["gtps"], RULES, start=START)
    bone = build_return_to_run(["femoral_neck_stress_fracture"], RULES, start=START)
    assert bone.max_pain == 0 < tendon.max_pain
    assert len(bone.steps) > len(tendon.steps)  # longer steps
    assert any("doctor must clear you" in a.text for a in bone.before_you_start)
    assert not any("doctor must clear you" in a.text for a in tendon.before_you_start)
    pain = PainReport(during=2, before=0, next_morning=0)
    assert after_step(pain, 8, tendon.steps, "tendon", RULES).action == "next"
    assert after_step(pain, 8, bone.steps, "bone", RULES).action == "rest_then_previous"


# --- the walk–run protocol ------------------------------------------------------------------------


def test_the_protocol_keeps_the_r44_anchors() -> None:
    steps = protocol("tendon", RULES)
    walks = [s.step.walk_min for s in steps[:5]]
    assert walks == [10, 15, 20, 25, 30] and all(not s.step.running for s in steps[:5])
    assert steps[8].kind == "rest" and steps[12].kind == "rest"  # recovery days 9 and 13
    day12 = steps[11]
    assert day12.kind == "run" and day12.step.jog_min == 30
    day20 = steps[19]
    assert day20.kind == "run" and day20.step.run_min == 30
    assert "R44" in RTR.walk_run.source


def test_bone_steps_are_done_twice_and_recovery_days_kept() -> None:
    tendon, bone = protocol("tendon", RULES), protocol("bone", RULES)
    repeat = RTR.bone.step_repeat.value
    running = sum(1 for s in tendon if s.step.running)
    assert len(bone) == len(tendon) + (repeat - 1) * running
    assert sum(1 for s in bone if s.kind == "rest") == sum(1 for s in tendon if s.kind == "rest")


def test_significant_pain_means_stop_rest_a_day_and_repeat_the_previous_step() -> None:
    steps = protocol("tendon", RULES)
    # day 10 (index 9) comes after the recovery day 9: the previous step is day 8
    d = after_step(PainReport(during=6, before=0, next_morning=0), 9, steps, "tendon", RULES)
    assert d.action == "rest_then_previous" and d.rest_days == 1 and d.next_index == 7
    assert "rest 1 day" in d.reason and "R44" in d.source


def test_moderate_tendon_pain_repeats_the_step() -> None:
    steps = protocol("tendon", RULES)
    d = after_step(PainReport(during=4, before=0, next_morning=0), 6, steps, "tendon", RULES)
    assert (d.action, d.next_index) == ("repeat", 6)


def test_pain_worse_next_morning_steps_back() -> None:
    steps = protocol("tendon", RULES)
    d = after_step(PainReport(during=1, before=1, next_morning=3), 6, steps, "tendon", RULES)
    assert d.action == "rest_then_previous" and d.next_index == 5


def test_the_first_step_cannot_go_further_back() -> None:
    steps = protocol("bone", RULES)
    assert after_step(PainReport(1, 0, 0), 0, steps, "bone", RULES).next_index == 0


# --- the plan ------------------------------------------------------------------------------------


def test_plan_days_are_walk_run_run_or_rest_one_a_day() -> None:
    p = build_return_to_run(["gtps"], RULES, start=START)
    assert {d.kind for d in p.days} == {"walk_run", "run", "rest"}
    assert [d.day for d in p.days] == [START + timedelta(days=i) for i in range(len(p.days))]
    assert all(d.run_minutes == 30 for d in p.days if d.kind == "run")


def test_fnsf_runs_3_miles_pain_free_then_adds_at_most_10_percent_a_week() -> None:
    p = build_return_to_run(
        ["femoral_neck_stress_fracture"], RULES, start=START, usual_weekly_m=40_000
    )
    assert p.continuous_run_m == pytest.approx(4828)
    check = next(d for d in p.days if d.run_distance_m == p.continuous_run_m)
    assert check.kind == "run" and "3 miles" in check.description
    later = [d for d in p.days if d.day > check.day]
    assert later and all(d.kind == "run" for d in later)
    w = p.weekly_m
    assert w[-1] == pytest.approx(40_000)
    assert all(b <= a * 1.10 + 1e-6 for a, b in itertools.pairwise(w))


def test_sacral_stress_fracture_trains_without_impact_before_running() -> None:
    p = build_return_to_run(["pelvic_or_sacral_stress_fracture"], RULES, start=START)
    text = " ".join(a.text for a in p.before_you_start)
    assert "10–14 days" in text and "6–8 weeks" in text
    assert p.continuous_run_m is None  # the 3-mile rule is for the femoral neck


def test_no_growth_weeks_without_a_usual_volume() -> None:
    p = build_return_to_run(["gtps"], RULES, start=START)
    assert p.weekly_m == () and len(p.days) == len(p.steps)


@settings(max_examples=200, deadline=None)
@given(st.floats(1_000, 100_000), st.floats(0, 300_000))
def test_weekly_growth_never_exceeds_the_cap(start_m: float, target_m: float) -> None:
    weeks = growth(start_m, target_m, RULES)
    cap = 1 + RTR.after.weekly_increase_max.value
    prev = start_m
    for w in weeks:
        assert w <= prev * cap * (1 + 1e-9) and w <= target_m + 1e-6
        prev = w
    assert len(weeks) <= RTR.after.max_growth_weeks.value
