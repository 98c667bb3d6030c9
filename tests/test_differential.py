"""The ranked causes: likelihood ratios, explanations and sources."""

from __future__ import annotations

import math

from hipcoach.assess.differential import likelihood_ratio


def test_probabilities_are_a_distribution(run):
    result = run({"location": ["groin"], "deep_flexion_pain": True})
    total = sum(r.probability for r in result.ranked)
    assert math.isclose(total, 1.0, rel_tol=1e-9)
    assert all(0.0 <= r.probability <= 1.0 for r in result.ranked)
    probs = [r.probability for r in result.ranked]
    assert probs == sorted(probs, reverse=True)


def test_no_answers_ranks_by_prior(run, kb):
    result = run({})
    by_prior = sorted(kb.conditions, key=lambda c: -c.prior.value)
    assert result.top(1) == [by_prior[0].id]


def test_a_finding_for_a_condition_raises_it(run, kb):
    before = run({"location": ["outer_hip"]})
    after = run({"location": ["outer_hip"], "lying_side_pain": True})
    p = {r.condition.id: r.probability for r in before.ranked}
    q = {r.condition.id: r.probability for r in after.ranked}
    gtps = kb.condition_by_id["gtps"]
    assert likelihood_ratio(kb, gtps, "lying_side_pain", True) > 1
    assert q["gtps"] > p["gtps"]


def test_explanations_list_findings_for_and_against(run):
    result = run({"location": ["outer_hip"], "trochanter_tender": True, "deep_flexion_pain": False})
    gtps = next(r for r in result.ranked if r.condition.id == "gtps")
    assert "trochanter_tender" in [e.finding for e in gtps.for_]
    assert all(e.lr > 1 for e in gtps.for_)
    assert all(e.lr < 1 for e in gtps.against)


def test_classic_lateral_hip_story_ranks_gtps_first(run):
    result = run(
        {
            "age": 52,
            "sex": "female",
            "location": ["outer_hip"],
            "onset": "gradual",
            "lying_side_pain": True,
            "stairs_pain": True,
            "trochanter_tender": True,
            "single_leg_stance": "outer_hip",
        }
    )
    assert result.top(1) == ["gtps"]


def test_json_contract_fields(run):
    d = run({"location": ["outer_hip"], "trochanter_tender": True}).to_dict()
    assert set(d) >= {"urgency", "conditions", "contributing_factors", "next_steps", "disclaimer"}
    assert d["urgency"]["level"] in ("self_care", "soon", "urgent", "emergency")
    for reason in d["urgency"]["reasons"]:
        assert {"text", "findings", "source"} <= set(reason)
    first = d["conditions"][0]
    assert {"id", "name", "probability", "for", "against", "sources"} <= set(first)
    assert all({"finding", "lr"} <= set(e) for e in first["for"])
    probs = [c["probability"] for c in d["conditions"]]
    assert probs == sorted(probs, reverse=True)


def test_a_weeks_long_story_does_not_rule_out_a_deep_infection(kb):
    # Published series: mean 43 days to diagnosis in adults (R133), 3.9 weeks in children (R134).
    deep = kb.condition_by_id["deep_infection"]
    assert likelihood_ratio(kb, deep, "dur_2_6w", True) > 0.5
    assert likelihood_ratio(kb, deep, "dur_over_6w", True) > 0.3


def test_back_of_thigh_pain_counts_against_front_of_hip_causes(kb):
    for cid in ("femoral_neck_stress_fracture", "hip_flexor_strain_or_tendinopathy", "gtps"):
        assert likelihood_ratio(kb, kb.condition_by_id[cid], "loc_back_thigh", True) < 0.5
    hamstring = kb.condition_by_id["hamstring_strain"]
    assert likelihood_ratio(kb, hamstring, "loc_back_thigh", True) > 2


def test_a_positive_fulcrum_test_is_only_as_telling_as_its_specificity_allows(kb):
    # Specificity 13-75% (R4): with the best of those, LR+ for a shaft fracture is about 3.4.
    shaft = kb.condition_by_id["femoral_shaft_stress_fracture"]
    assert 2 < likelihood_ratio(kb, shaft, "fulcrum_pain", True) < 5
