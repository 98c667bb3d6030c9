"""The adaptive interview: red flags first, safety gates, stopping."""

from __future__ import annotations

from pathlib import Path

from hipcoach.assess.answers import Answers
from hipcoach.assess.interview import next_step
from hipcoach.assess.logic import evaluate


def _answer_everything(kb, pick, *, adaptive=True, limit=200):
    """Drive the interview to its end, answering each question with ``pick(question)``."""
    answers: Answers = {}
    order = []
    for _ in range(limit):
        step = next_step(kb, answers, adaptive=adaptive)
        if step.question is None:
            return answers, order, step.reason
        order.append(step.question.id)
        answers[step.question.id] = pick(step.question)
    raise AssertionError("interview did not end")


def _no_or_first(q):
    if q.type == "yes_no":
        return False
    if q.type in ("choice",):
        return q.choices[0].id
    if q.type == "multi":
        return [q.choices[0].id]
    return q.min + 30 if q.type == "number" else 2.0


def test_red_flag_screen_comes_first(kb):
    _, order, _ = _answer_everything(kb, _no_or_first)
    screen = [q.id for q in kb.questions if q.always_ask and q.ask_when is None]
    assert order[: len(screen)] == screen


def test_an_emergency_answer_ends_the_interview_at_once(kb):
    answers: Answers = {"age": 40.0, "sex": "male", "cannot_bear_weight": True}
    step = next_step(kb, answers)
    assert step.question is None
    assert "emergency" in step.reason


def test_adaptive_interview_stops_well_before_the_end(kb):
    _, order, reason = _answer_everything(kb, _no_or_first)
    full, _, _ = _answer_everything(kb, _no_or_first, adaptive=False)
    assert len(order) < len(full)
    assert reason != "no more questions"


def test_full_questionnaire_asks_every_askable_question(kb):
    _, order, reason = _answer_everything(kb, _no_or_first, adaptive=False)
    assert reason == "no more questions"
    assert len(order) == len(set(order))
    assert "location" in order and "load_increase" in order


def test_hop_test_never_suggested_before_walking_and_standing_are_known_pain_free(kb):
    hop = kb.question_by_id["hop_test"]
    assert hop.gate is not None

    def pick_painful(q):
        if q.id == "walking_pain":
            return True
        if q.id == "single_leg_stance":
            return "no_pain"
        return _no_or_first(q)

    _, order, _ = _answer_everything(kb, pick_painful, adaptive=False)
    assert "hop_test" not in order

    def pick_unknown_walking(q):
        return None if q.id == "walking_pain" else _no_or_first(q)

    _, order, _ = _answer_everything(kb, pick_unknown_walking, adaptive=False)
    assert "hop_test" not in order


def test_hop_test_comes_only_after_its_gate_is_met(kb):
    def pick(q):
        if q.id == "single_leg_stance":
            return "no_pain"
        return _no_or_first(q)

    answers, order, _ = _answer_everything(kb, pick, adaptive=False)
    assert "hop_test" in order
    from hipcoach.assess.answers import findings_of

    before = dict(list(answers.items())[: order.index("hop_test")])
    assert evaluate(kb.question_by_id["hop_test"].gate.requires, findings_of(kb, before)) is True


def test_follow_up_questions_only_when_relevant(kb):
    def gradual(q):
        return "gradual" if q.id == "onset" else _no_or_first(q)

    _, order, _ = _answer_everything(kb, gradual, adaptive=False)
    assert "sudden_how" not in order and "felt_pop" not in order


def _simulate(kb, full):
    """Run the adaptive interview, answering from ``full`` (don't know when it has no answer)."""
    answers: Answers = {}
    while (step := next_step(kb, answers)).question is not None:
        answers[step.question.id] = full.get(step.question.id)
    return answers


def test_adaptive_interview_is_never_less_urgent_than_answering_everything(kb):
    import json

    from conftest import CASES_DIR
    from hipcoach.assess.answers import parse_answers
    from hipcoach.assess.engine import assess
    from hipcoach.urgency import rank

    worse = []
    for name in ("conditions.jsonl", "red_flags.jsonl", "self_care.jsonl"):
        for line in (CASES_DIR / name).read_text().splitlines():
            case = json.loads(line)
            full = parse_answers(kb, case["answers"])
            short = _simulate(kb, full)
            if rank(assess(kb, short).triage.level) < rank(assess(kb, full).triage.level):
                worse.append(case["id"])
    assert worse == []


def test_the_risk_questions_of_a_possible_stress_fracture_are_asked_before_the_end():
    """A female marathoner with a deep groin ache: before the interview may stop it asks the
    questions that decide a femoral neck stress fracture (load, energy, a previous one)."""
    import yaml

    from hipcoach.assess.answers import parse_answers
    from hipcoach.kb.load import load

    kb = load()
    person = yaml.safe_load((Path(__file__).parents[1] / "examples" / "groin-marathoner.yaml")
                            .read_text())["answers"]  # fmt: skip
    person = parse_answers(kb, person)
    answers: dict[str, object] = {}
    reasons = []
    for _ in range(len(kb.questions) + 1):
        step = next_step(kb, answers)
        if step.question is None:
            break
        reasons.append(step.reason)
        answers[step.question.id] = person.get(step.question.id)
    for q in ("load_increase", "energy_deficiency", "previous_stress_fracture"):
        assert q in answers, f"{q} was never asked"
