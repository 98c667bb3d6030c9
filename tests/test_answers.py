"""Answers are validated once, with messages that name the question and what is allowed."""

from __future__ import annotations

import pytest

from hipcoach.assess.answers import findings_of, parse_answers
from hipcoach.errors import InputError


def test_yes_no_accepts_words_and_booleans(kb):
    a = parse_answers(kb, {"fever": "Yes", "limp": False, "walking_pain": "n"})
    assert a == {"fever": True, "limp": False, "walking_pain": False}


@pytest.mark.parametrize("unknown", [None, "unknown", "?", "dont_know"])
def test_dont_know_is_allowed_everywhere(kb, unknown):
    for q in kb.questions:
        assert parse_answers(kb, {q.id: unknown}) == {q.id: None}
    assert findings_of(kb, {q.id: None for q in kb.questions}) == {}


def test_unknown_question_id_suggests_the_right_one(kb):
    with pytest.raises(InputError, match=r"unknown question id 'fevr'.*did you mean 'fever'"):
        parse_answers(kb, {"fevr": True})


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"fever": 3}, r"answer to 'fever' is 3; expected true or false"),
        (
            {"onset": "slowly"},
            r"answer to 'onset' is 'slowly'; expected one of \"sudden\", \"gradual\"",
        ),
        ({"location": ["groin", "elbow"]}, r"answer to 'location' contains 'elbow'"),
        ({"location": ["none_of_these"]}, r"answer to 'location' contains"),
        ({"radiation": ["none", "knee"]}, r"combines \"none\" with other choices"),
        ({"age": 130}, r"answer to 'age' is 130, out of range; expected a number from 5 to 100"),
        ({"age": "forty"}, r"answer to 'age' is 'forty'"),
        ({"severity": 7.5}, r"answer to 'severity' is 7.5, not a whole number"),
        ({"severity": True}, r"answer to 'severity' is True"),
    ],
)
def test_bad_values_name_the_field_and_what_is_allowed(kb, answers, message):
    with pytest.raises(InputError, match=message):
        parse_answers(kb, answers)


def test_answers_must_be_a_mapping(kb):
    with pytest.raises(InputError, match="answers must be an object"):
        parse_answers(kb, ["fever", True])


def test_choice_sets_chosen_finding_and_clears_the_others(kb):
    f = findings_of(kb, parse_answers(kb, {"onset": "sudden"}))
    assert f["onset_sudden"] is True
    assert f["onset_gradual"] is False


def test_prefer_not_to_say_is_dont_know(kb):
    assert findings_of(kb, parse_answers(kb, {"sex": "other"})) == {}


def test_multi_sets_every_region(kb):
    f = findings_of(kb, parse_answers(kb, {"location": ["groin", "outer_hip"]}))
    assert f["loc_groin"] and f["loc_outer_hip"]
    assert f["loc_buttock"] is False


def test_number_sets_exactly_one_band(kb):
    f = findings_of(kb, parse_answers(kb, {"age": 14}))
    assert f["age_under_16"] is True
    assert sum(f.values()) == 1
