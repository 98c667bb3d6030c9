"""What the urgency box says: only what fits its level, a safety net that names only what
the runner has not already reported, a plain warning when warning signs were not checked
(and a second chance to answer them), and the number to call in an emergency."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hipcoach.assess.answers import parse_answers
from hipcoach.assess.engine import Assessment, assess
from hipcoach.assess.interview import RECHECK, next_step
from hipcoach.emergency import country, default_number, emergency_number
from hipcoach.kb.load import load
from hipcoach.urgency import rank
from scenario_cases import case_answers

KB = load()
CASES = Path(__file__).parent / "cases"
EXAMPLES = Path(__file__).parents[1] / "examples"
SCREEN = [q.id for q in KB.questions if q.section == "red_flags" and q.always_ask]


def _calm() -> dict[str, Any]:
    """Every warning-sign question answered with its reassuring answer."""
    out: dict[str, Any] = {}
    for q in KB.questions:
        if q.id not in SCREEN:
            continue
        if q.type == "yes_no":
            out[q.id] = False
        else:
            none = next(c.id for c in q.choices if c.id == "none")
            out[q.id] = [none] if q.type == "multi" else none
    return out


def _assess(answers: dict[str, Any]) -> Assessment:
    return assess(KB, parse_answers(KB, answers))


def _groin() -> dict[str, Any]:
    return dict(yaml.safe_load((EXAMPLES / "groin-marathoner.yaml").read_text())["answers"])


def test_a_same_day_box_gives_only_same_day_reasons_and_no_within_days_advice() -> None:
    a = _assess(_groin())
    assert a.triage.level == "urgent"
    assert a.triage.reasons and {r.level for r in a.triage.reasons} == {"urgent"}
    steps = " ".join(a.next_steps()).lower()
    assert "within a week or two" not in steps and "within the next few days" not in steps
    assert "never run on painkillers" in steps


@pytest.mark.parametrize("case_id", ["rf-septic-fever", "rf-cauda-saddle"])
def test_an_emergency_box_says_what_to_do_now_and_nothing_else(case_id: str) -> None:
    a = _assess(case_answers("red_flags.jsonl", case_id))
    assert a.triage.level == "emergency"
    assert {r.level for r in a.triage.reasons} == {"emergency"}
    text = KB.triage.levels["emergency"]
    assert a.next_steps() == [text.title + ".", text.action]


def test_the_safety_net_does_not_warn_about_a_symptom_already_reported() -> None:
    answers = _calm() | {"night_pain": True, "duration": "month"}
    steps = " ".join(_assess(answers).next_steps())
    assert "wake you at night" not in steps
    assert "within a week or two" in steps and "develop a fever" in steps
    calm = " ".join(_assess(_calm()).next_steps())
    assert "wake you at night" in calm


def test_dont_know_to_every_warning_sign_is_said_plainly() -> None:
    a = _assess({q: None for q in SCREEN})
    assert set(a.unchecked_warning_signs) == set(a.warning_signs) and a.warning_signs
    notice = a.unchecked_notice()
    assert notice is not None and "don't know" in notice
    assert a.to_dict()["warning_signs"]["unchecked"] == list(a.unchecked_warning_signs)
    assert rank(a.triage.level) >= rank("soon")  # never self-care on unanswered warning signs
    screened = _assess(_calm())
    assert screened.unchecked_notice() is None


def test_each_dont_know_warning_sign_is_asked_once_more_before_the_end() -> None:
    answers: dict[str, Any] = {}
    asked: list[str] = []
    rechecked: set[str] = set()
    for _ in range(150):
        step = next_step(KB, parse_answers(KB, answers), rechecked=rechecked)
        if step.question is None:
            break
        q = step.question.id
        if step.reason == RECHECK:
            rechecked.add(q)
            answers.pop(q, None)
        asked.append(q)
        answers[q] = None
    assert step.question is None
    twice = {q for q in asked if asked.count(q) == 2}
    assert twice and twice == rechecked and twice <= set(SCREEN)
    assert all(asked.count(q) <= 2 for q in asked)
    # Without a record of re-asking (e.g. `eval`), there is no second pass.
    assert next_step(KB, parse_answers(KB, answers)).question is None


@pytest.mark.parametrize(
    ("lang", "number"),
    [("en_GB.UTF-8", "999"), ("en_US.UTF-8", "911"), ("en_AU", "000"), ("de_DE.UTF-8", "112"),
     ("C.UTF-8", "112"), ("", "112")],
)  # fmt: skip
def test_the_emergency_number_follows_the_locale(lang: str, number: str) -> None:
    assert default_number({"LANG": lang}) == number
    assert emergency_number("15", {"LANG": lang}) == "15"  # the runner's own setting wins


def test_lc_all_wins_over_lang() -> None:
    assert country({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}) == "FR"


def test_serious_causes_add_up_to_a_same_day_result() -> None:
    """Three causes that each need a doctor today at 12 % each are a 36 % chance of one of
    them: same day, though none reaches its own must-not-miss threshold."""
    from hipcoach.assess.differential import Ranked
    from hipcoach.assess.triage import triage

    rule = KB.triage.combined_urgency
    assert rule is not None
    share = rule.thresholds["urgent"].value / 3 + 0.01
    # Causes that need a doctor today but would not escalate alone at this share.
    serious = [
        c
        for c in KB.conditions
        if c.urgency.level == "urgent"
        and (c.escalate is None or c.escalate.threshold.value > share)
    ]
    routine = [c for c in KB.conditions if c.urgency.level == "soon"]
    assert len(serious) >= 3
    ranked = [Ranked(c, share, (), ()) for c in serious[:3]]
    ranked.append(Ranked(routine[0], 1 - 3 * share, (), ()))
    result = triage(KB, {}, sorted(ranked, key=lambda r: -r.probability))
    assert result.level == "urgent"
    assert any(r.rule == "combined" for r in result.reasons)
    below = [Ranked(c, share / 2, (), ()) for c in serious[:3]]
    below.append(Ranked(routine[0], 1 - 1.5 * share, (), ()))
    assert triage(KB, {}, sorted(below, key=lambda r: -r.probability)).level != "urgent"
