"""Invariants over any mix of answers (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from answer_strategies import answers
from hipcoach.assess.answers import parse_answers
from hipcoach.assess.engine import assess
from hipcoach.kb.load import load
from hipcoach.urgency import rank

KB = load()


answers_strategy = answers(KB)

RED_FLAG_QUESTIONS = {
    # question id -> the answer that is the alarming one
    "cannot_bear_weight": True,
    "fever": True,
    "hot_swollen": True,
    "saddle_bladder": True,
    "both_legs": True,
    "leg_weakness": True,
    "cancer_history": True,
    "weight_loss": True,
    "avn_risk": True,
    "rest_pain": True,
    "night_pain": True,
    "limp": True,
    "giving_way": True,
    "groin_lump": "irreducible",
    "clicking": "painful_catch",
    "single_leg_stance": "groin",
}

# derandomize: CI must be reproducible; a wider random search is run by hand (see the note).
FAST = settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@FAST
@given(answers_strategy)
def test_any_answers_give_a_valid_result(raw):
    result = assess(KB, parse_answers(KB, raw))
    d = result.to_dict()
    assert d["urgency"]["level"] in ("self_care", "soon", "urgent", "emergency")
    assert d["urgency"]["reasons"]
    assert d["conditions"]
    for r in result.ranked:
        assert 0.0 <= r.probability <= 1.0
    assert math.isclose(sum(r.probability for r in result.ranked), 1.0, rel_tol=1e-9)
    assert d["disclaimer"]


@FAST
@given(answers_strategy, st.sampled_from(sorted(RED_FLAG_QUESTIONS)))
# Found by hypothesis: evidence for AVN once diluted a child's SCFE below its threshold.
@example(
    {"sex": "female", "cannot_bear_weight": False, "cannot_walk_with_crutches": True}, "avn_risk"
)
@example({"age": 5.0, "situp_pain": True}, "avn_risk")
def test_adding_a_red_flag_never_lowers_urgency(raw, flag):
    before = assess(KB, parse_answers(KB, raw)).triage.level
    after = assess(KB, parse_answers(KB, {**raw, flag: RED_FLAG_QUESTIONS[flag]})).triage.level
    assert rank(after) >= rank(before)
    assert rank(after) >= rank("soon")


@FAST
@given(answers_strategy)
def test_must_not_miss_thresholds_always_escalate(raw):
    result = assess(KB, parse_answers(KB, raw))
    for r in result.ranked:
        esc = r.condition.escalate
        if esc and r.probability >= esc.threshold.value:
            assert rank(result.triage.level) >= rank(esc.urgency)


@FAST
@given(answers_strategy)
def test_self_care_only_when_mild_and_walking_and_standing_are_known_pain_free(raw):
    result = assess(KB, parse_answers(KB, raw))
    if result.triage.level == "self_care":
        f = result.findings
        assert f.get("pain_mild") is True
        assert f.get("walking_pain") is False
        assert f.get("sls_no_pain") is True
