"""An imported training history feeds the assessment's contributing factors and likelihoods."""

from __future__ import annotations

from datetime import date

from hipcoach.assess.answers import parse_answers
from hipcoach.assess.engine import assess
from hipcoach.training.flags import ContributingFactor

SPIKE = ContributingFactor(
    flag_id="single_run_spike",
    factor="load_spike",
    title="Long-run spike",
    text="Your longest run on 3 May (24.1 km) was 45% longer than any in the 30 days before.",
    severity="warn",
    strength="observational",
    source=("R49",),
    caveat="An association in one cohort, not proof.",
    day=date(2026, 5, 3),
)

LATERAL = {"age": 44, "sex": "female", "location": ["outer_hip"], "onset": "gradual"}


def test_history_answers_an_unanswered_load_question(kb):
    without = assess(kb, parse_answers(kb, LATERAL))
    with_history = assess(kb, parse_answers(kb, LATERAL), [SPIKE])
    assert with_history.findings["load_increase"] is True
    assert with_history.from_history == {"load_increase": "single_run_spike"}
    gtps = {r.condition.id: r.probability for r in with_history.ranked}["gtps"]
    assert gtps > {r.condition.id: r.probability for r in without.ranked}["gtps"]


def test_the_runners_own_answer_wins_over_the_history(kb):
    result = assess(kb, parse_answers(kb, {**LATERAL, "load_increase": False}), [SPIKE])
    assert result.findings["load_increase"] is False
    assert result.from_history == {}


def test_history_facts_are_listed_with_their_evidence_and_replace_the_generic_one(kb):
    d = assess(kb, parse_answers(kb, LATERAL), [SPIKE]).to_dict()
    first = d["contributing_factors"][0]
    assert first["id"] == "history_single_run_spike"
    assert "45% longer" in first["text"]
    assert first["from_history"] is True and first["sources"] == ["R49"]
    assert "load_spike" not in [f["id"] for f in d["contributing_factors"]]
