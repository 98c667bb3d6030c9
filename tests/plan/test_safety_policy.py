"""The one safety policy, across every kind of plan: for any answers and whatever the runner
reported since (checks passed, a clinician's clearance, recovery), no day that the treatment
programme, the return to running or a build-up plan produces breaks what the assessment
says — and the invariants are checked directly, not only through the policy's own verdict.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from answer_strategies import answers
from hipcoach.assess.answers import parse_answers
from hipcoach.assess.engine import assess
from hipcoach.kb.load import load
from hipcoach.plan.library_load import load_library
from hipcoach.plan.prevention import build_running_plan
from hipcoach.plan.return_to_run import build_return_to_run
from hipcoach.plan.rules import load_rules
from hipcoach.plan.safety import (
    PolicyRefusal,
    RunnerState,
    SafetyPolicy,
    policy_for,
    warning_signs_checked,
)
from hipcoach.plan.schedule import PlannedDay, SessionItem
from hipcoach.plan.treatment import build_treatment
from hipcoach.urgency import rank

KB = load()
LIBRARY = load_library()
RULES = load_rules()
START = date(2026, 3, 2)
BY_ID = {e.id: e for e in LIBRARY.exercises}
BONE = set(RULES.treatment.bone_stress.conditions)


answers_strategy = answers(KB)
# Half the examples answer every warning sign, so that programmes are produced too.
screened = st.fixed_dictionaries(
    {q.id: st.booleans() for q in KB.questions if q.section == "red_flags" and q.type == "yes_no"}
)
states = st.builds(RunnerState, st.booleans(), st.booleans(), st.booleans())
EXAMPLES = Path(__file__).parents[2] / "examples"
LATERAL_HIP = json.loads((EXAMPLES / "lateral-hip.json").read_text())["answers"]
GROIN = yaml.safe_load((EXAMPLES / "groin-marathoner.yaml").read_text())["answers"]
FAST = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def _every_plan(policy: SafetyPolicy, treatment_days: tuple[PlannedDay, ...]) -> list[PlannedDay]:
    days = list(treatment_days)
    try:
        rtr = build_return_to_run(
            policy.likely or ("gtps",), RULES, start=START, usual_weekly_m=30000, policy=policy
        )
        days += rtr.days
        assert rtr.days or rtr.not_yet is not None
    except PolicyRefusal:
        assert policy.return_to_run is not None
    try:
        running = build_running_plan(
            10000, 12, history=None, current_weekly_m=20000, rules=RULES, start=START,
            library=LIBRARY, policy=policy,
        )  # fmt: skip
        days += running.days
    except PolicyRefusal:
        assert policy.build_up is not None
    return days


@FAST
@given(answers=st.one_of(answers_strategy, st.tuples(screened, answers_strategy).map(
    lambda t: {**t[1], **t[0]})), state=states)  # fmt: skip
@example(answers=LATERAL_HIP, state=RunnerState(recovered=True))
@example(answers=LATERAL_HIP, state=RunnerState(checks_passed=True))
@example(answers=GROIN, state=RunnerState(True, True, True))
@example(answers={}, state=RunnerState(True, True, True))
def test_no_plan_of_any_kind_breaks_the_latest_assessment(answers, state):  # type: ignore[no-untyped-def]
    a = assess(KB, parse_answers(KB, answers))
    policy = policy_for(a, LIBRARY, RULES, state)
    treatment = build_treatment(a, LIBRARY, RULES, start=START, policy=policy)
    days = _every_plan(policy, treatment.days)
    assert all(policy.violations(d) == [] for d in days)
    # The invariants themselves:
    urgent = rank(a.triage.level) > rank(RULES.treatment.programme_max_urgency)
    if urgent or not warning_signs_checked(a, RULES):
        assert all(d.kind == "rest" and not d.items for d in days)
        assert not treatment.has_programme
    guarded = set(policy.guarded)
    bone = guarded & BONE
    if bone and not state.cleared_by_clinician:
        assert not any(d.kind in ("run", "walk_run") for d in days)
    for d in days:
        for item in d.items:
            ex = BY_ID.get(item.exercise_id)
            if ex is None:
                continue
            assert not guarded & set(ex.never_for), (item.exercise_id, guarded)
            assert not (bone and ex.loads_bone), (item.exercise_id, bone)
    if not state.recovered:
        # During an episode a build-up plan is never produced.
        assert not any(d.uid_key.startswith("run:") for d in days)


@FAST
@given(answers=answers_strategy, state=states, data=st.data())
def test_enforce_makes_any_plan_safe_and_keeps_safe_days(answers, state, data):  # type: ignore[no-untyped-def]
    """Whatever plan arrives (a plan file, an older stored plan), what comes out obeys."""
    policy = policy_for(assess(KB, parse_answers(KB, answers)), LIBRARY, RULES, state)
    ids = sorted(BY_ID)
    kinds = ["rehab", "run", "walk_run", "strength", "cross_training", "rest"]
    days = [
        PlannedDay(
            START + timedelta(days=i),
            data.draw(st.sampled_from(kinds)),
            "Day",
            items=tuple(
                SessionItem(x, x) for x in data.draw(st.lists(st.sampled_from(ids), max_size=4))
            ),
            uid_key=f"d{i}",
        )
        for i in range(data.draw(st.integers(0, 8)))
    ]
    safe = policy.enforce(days)
    assert len(safe) == len(days) and [d.uid_key for d in safe] == [d.uid_key for d in days]
    assert all(policy.violations(d) == [] for d in safe)
    assert all(s == d for s, d in zip(safe, days, strict=True) if not policy.violations(d))
