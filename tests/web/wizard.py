"""Reading the hip-check wizard's form from a page, as the in-process client sees it."""

from __future__ import annotations

import re


def form(html: str) -> tuple[str, str]:
    """The wizard's hidden ``state`` (the answers so far, as JSON) and ``question`` id."""
    state = re.search(r'name="state" value="([^"]*)"', html)
    question = re.search(r'name="question" value="([^"]*)"', html)
    assert state and question, "not a question page"
    return state.group(1).replace("&#34;", '"').replace("&quot;", '"'), question.group(1)


def rechecked(html: str) -> str:
    """The wizard's hidden ``rechecked`` list (warning signs already asked a second time)."""
    found = re.search(r'name="rechecked" value="([^"]*)"', html)
    return "[]" if not found else found.group(1).replace("&#34;", '"').replace("&quot;", '"')
