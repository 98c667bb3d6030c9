"""Red flags first: how urgently to see a professional."""

from __future__ import annotations

import pytest

from hipcoach.urgency import rank

# Mild, settling pain with walking and single-leg stance known to be pain-free:
# the one situation where self-care is advised (clinical reference, section 2d).
BENIGN = {
    "age": 34,
    "sex": "male",
    "cannot_bear_weight": False,
    "injury": False,
    "fever": False,
    "hot_swollen": False,
    "saddle_bladder": False,
    "both_legs": False,
    "leg_weakness": False,
    "groin_lump": "none",
    "other_symptoms": ["none"],
    "cancer_history": False,
    "weight_loss": False,
    "avn_risk": False,
    "rest_pain": False,
    "night_pain": False,
    "walking_pain": False,
    "limp": False,
    "giving_way": False,
    "radiation": ["none"],
    "clicking": "none",
    "onset": "gradual",
    "duration": "days",
    "trend": "better",
    "severity": 2,
    "running_pain": "after",
    "location": ["outer_thigh"],
    "single_leg_stance": "no_pain",
}


def test_benign_settling_pain_is_self_care(run):
    result = run(BENIGN)
    assert result.triage.level == "self_care"


def test_nothing_known_is_never_self_care(run):
    assert run({}).triage.level == "soon"


@pytest.mark.parametrize("missing", ["severity", "walking_pain", "trend"])
def test_self_care_needs_every_criterion_known(run, missing):
    answers = dict(BENIGN)
    del answers[missing]
    if missing == "trend":
        answers["duration"] = "month"
    assert run(answers).triage.level != "self_care"


def test_untried_one_leg_stand_is_covered_by_known_absence_of_bone_stress_signs(run):
    answers = dict(BENIGN)
    del answers["single_leg_stance"]
    result = run(answers)
    assert result.triage.level == "self_care"
    assert "no limp" in result.triage.reasons[0].text


@pytest.mark.parametrize("also_missing", ["limp", "rest_pain", "night_pain"])
def test_untried_one_leg_stand_with_an_unknown_bone_stress_sign_is_not_self_care(run, also_missing):
    answers = dict(BENIGN)
    del answers["single_leg_stance"]
    del answers[also_missing]
    assert run(answers).triage.level != "self_care"


@pytest.mark.parametrize("stance", ["outer_hip", "groin", "buttock", "unable"])
def test_a_painful_one_leg_stand_is_never_self_care(run, stance):
    assert run({**BENIGN, "single_leg_stance": stance}).triage.level != "self_care"


# Every "see a medical professional first if…" item of the founding article is a red flag.
@pytest.mark.parametrize(
    ("change", "at_least"),
    [
        ({"radiation": ["low_back"]}, "soon"),
        ({"radiation": ["thigh"]}, "soon"),
        ({"radiation": ["knee"]}, "soon"),
        ({"clicking": "painless_snap"}, "soon"),
        ({"clicking": "painful_catch"}, "soon"),
        ({"hot_swollen": True}, "urgent"),
        ({"limp": True}, "soon"),
        ({"giving_way": True}, "soon"),
        ({"cannot_bear_weight": True}, "emergency"),
        ({"rest_pain": True}, "soon"),
    ],
)
def test_founding_article_warning_signs_send_you_to_a_professional(run, change, at_least):
    result = run({**BENIGN, **change})
    assert rank(result.triage.level) >= rank(at_least)
    assert any(r.kind == "red_flag" for r in result.triage.reasons)


@pytest.mark.parametrize(
    ("change", "level", "rule"),
    [
        ({"hot_swollen": True, "fever": True}, "emergency", "septic_hot_joint_fever"),
        ({"saddle_bladder": True}, "emergency", "cauda_equina"),
        ({"both_legs": True}, "emergency", "both_legs_neuro"),
        ({"groin_lump": "irreducible"}, "emergency", "strangulated_hernia"),
        ({"other_symptoms": ["testicle"]}, "emergency", "testicular_torsion"),
        ({"injury": True, "leg_deformity": True}, "emergency", "fracture_after_injury"),
        ({"age": 12, "fever": True, "limp": True}, "emergency", "child_fever_limp"),
        ({"location": ["groin"], "limp": True}, "urgent", "stress_fracture_progression"),
        ({"single_leg_stance": "groin"}, "urgent", "standing_sign"),
        ({"cancer_history": True}, "urgent", "cancer_history"),
        ({"age": 13, "limp": True}, "urgent", "adolescent_limp"),
        ({"avn_risk": True, "location": ["groin"]}, "urgent", "avn_risk_groin"),
    ],
)
def test_red_flag_levels_follow_the_clinical_reference(run, change, level, rule):
    result = run({**BENIGN, **change})
    assert result.triage.level == level
    assert rule in [r.rule for r in result.triage.reasons]


def test_reasons_carry_findings_and_sources(run):
    result = run({**BENIGN, "hot_swollen": True, "fever": True})
    top = result.triage.reasons[0]
    assert top.level == "emergency"
    assert set(top.findings) == {"hot_swollen", "fever_unwell"}
    assert top.source


def test_a_probability_never_lowers_a_red_flag(run):
    # A textbook gluteal tendinopathy story, plus fever with a hot hip: still an emergency.
    answers = {
        **BENIGN,
        "location": ["outer_hip"],
        "lying_side_pain": True,
        "trochanter_tender": True,
        "single_leg_stance": "outer_hip",
        "hot_swollen": True,
        "fever": True,
    }
    assert run(answers).triage.level == "emergency"


def test_must_not_miss_condition_escalates_even_when_not_first(run, kb):
    # Deep groin ache in a female marathoner with a previous stress fracture who is building
    # mileage: the stress fracture need not be the top guess to make this a same-day visit.
    answers = {
        "age": 29,
        "sex": "female",
        "location": ["groin"],
        "deep_ache": True,
        "onset": "gradual",
        "load_increase": True,
        "long_distance": True,
        "previous_stress_fracture": True,
        "energy_deficiency": True,
        "running_pain": "during",
    }
    result = run(answers)
    fnsf = next(r for r in result.ranked if r.condition.id == "femoral_neck_stress_fracture")
    esc = fnsf.condition.escalate
    assert esc is not None
    assert fnsf.probability >= esc.threshold.value
    assert rank(result.triage.level) >= rank("urgent")
    assert any(
        r.kind == "must_not_miss" and r.rule == "femoral_neck_stress_fracture"
        for r in result.triage.reasons
    )
