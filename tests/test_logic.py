"""Three-valued rule logic: unknown never counts as reassurance."""

from __future__ import annotations

from hipcoach.assess.logic import evaluate, supporting


def test_plain_finding():
    assert evaluate("a", {"a": True}) is True
    assert evaluate("a", {"a": False}) is False
    assert evaluate("a", {}) is None


def test_absent_needs_a_known_no():
    assert evaluate({"absent": "a"}, {"a": False}) is True
    assert evaluate({"absent": "a"}, {}) is None


def test_all_and_any_follow_kleene_logic():
    assert evaluate({"all": ["a", "b"]}, {"a": True}) is None
    assert evaluate({"all": ["a", "b"]}, {"a": True, "b": False}) is False
    assert evaluate({"any": ["a", "b"]}, {"b": True}) is True
    assert evaluate({"any": ["a", "b"]}, {"a": False}) is None
    assert evaluate({"not": {"any": ["a"]}}, {"a": False}) is True


def test_supporting_lists_what_made_a_rule_fire():
    expr = {"all": ["a", {"any": ["b", "c"]}, {"absent": "d"}]}
    f = {"a": True, "b": False, "c": True, "d": False}
    assert evaluate(expr, f) is True
    assert supporting(expr, f) == ["a", "c", "d"]
