"""Hypothesis strategies for any mix of hip-check answers, shared by the property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from hipcoach.kb.load import KnowledgeBase
from hipcoach.kb.models import Question


def answer_value(q: Question) -> st.SearchStrategy[Any]:
    """Any valid answer to ``q``, "don't know" included."""
    unknown = st.sampled_from([None, "unknown"])
    if q.type == "yes_no":
        return st.one_of(st.booleans(), unknown)
    if q.type == "choice":
        return st.one_of(st.sampled_from([c.id for c in q.choices]), unknown)
    if q.type == "multi":
        ids = [c.id for c in q.choices if c.id != "none"]
        none = [st.just(["none"])] if len(ids) < len(q.choices) else []
        return st.one_of(st.lists(st.sampled_from(ids), unique=True), *none, unknown)
    if q.type == "scale":
        assert q.min is not None and q.max is not None
        return st.one_of(st.integers(int(q.min), int(q.max)), unknown)
    assert q.min is not None and q.max is not None
    return st.one_of(st.floats(q.min, q.max, allow_nan=False), unknown)


def answers(kb: KnowledgeBase) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the questions, each with any valid answer."""
    return st.fixed_dictionaries({}, optional={q.id: answer_value(q) for q in kb.questions})
