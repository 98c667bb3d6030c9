"""Validate a runner's answers and turn them into findings.

Answers arrive from a file, the terminal or the web, so everything is checked here,
once, with a message that names the question and says what is allowed. "Don't know"
is always allowed (``None``, ``"unknown"``, ``"?"``) and contributes nothing. A bad value
is quoted shortened (:func:`hipcoach.errors.shorten`): answers can be any size or shape.
"""

from __future__ import annotations

import difflib
import functools
import json
import math
from collections.abc import Mapping
from typing import Any

from hipcoach.errors import InputError, shorten
from hipcoach.kb.load import KnowledgeBase
from hipcoach.kb.models import Question

Answer = bool | str | list[str] | float | None
Answers = dict[str, Answer]

UNKNOWN_WORDS = frozenset({"unknown", "?", "dont_know", "don't know", "dont know", "skip", ""})
_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})
_LONGEST_ID_GUESS = 100  # longer keys are not a typo of an id: no "did you mean"
MAX_DEPTH = 20  # nesting levels of a file read; answers have three, a plan file about six
MAX_NUMBER_DIGITS = 1_000  # longer numbers are refused before Python turns them into ints


def _is_unknown(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in UNKNOWN_WORDS)


def allowed(q: Question) -> str:
    """What a valid answer to ``q`` looks like, for error messages and `hipcoach questions`."""
    if q.type == "yes_no":
        return 'true or false (or "yes"/"no")'
    if q.type == "choice":
        return "one of " + ", ".join(f'"{c.id}"' for c in q.choices)
    if q.type == "multi":
        return "a list of " + ", ".join(f'"{c.id}"' for c in q.choices)
    kind = "a whole number" if q.type == "scale" else "a number"
    return f"{kind} from {q.min:g} to {q.max:g}"


def normalise(q: Question, value: Any) -> Answer:
    """One answer in canonical form, or InputError naming the question and what is allowed."""
    if _is_unknown(value):
        return None

    def bad(why: str) -> InputError:
        return InputError(
            f"answer to {q.id!r} {why}; expected {allowed(q)}, or null for don't know"
        )

    if q.type == "yes_no":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _YES | _NO:
            return value.strip().lower() in _YES
        raise bad(f"is {shorten(value)}")
    if q.type == "choice":
        ids = {c.id: c for c in q.choices}
        if not isinstance(value, str) or value.strip().lower() not in ids:
            raise bad(f"is {shorten(value)}")
        choice = ids[value.strip().lower()]
        return None if choice.means_unknown else choice.id
    if q.type == "multi":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise bad(f"is {shorten(value)}")
        valid = {c.id for c in q.choices}
        picked: list[str] = []
        for v in items:
            key = v.strip().lower()
            if key not in valid:
                raise bad(f"contains {shorten(v)}")
            if key not in picked:
                picked.append(key)
        if "none" in picked and len(picked) > 1:
            raise bad('combines "none" with other choices')
        return picked
    # number / scale
    if isinstance(value, bool):
        raise bad(f"is {shorten(value)}")
    try:
        number = float(value)
    except OverflowError:  # a whole number beyond any float, e.g. 10**400
        number = math.inf
    except (TypeError, ValueError):
        raise bad(f"is {shorten(value)}") from None
    assert q.min is not None and q.max is not None
    if not math.isfinite(number) or not q.min <= number <= q.max:
        raise bad(f"is {shorten(value)}, out of range")
    if q.type == "scale" and number != int(number):
        raise bad(f"is {shorten(value)}, not a whole number")
    return number


def parse_answers(kb: KnowledgeBase, raw: Any) -> Answers:
    """Validate a mapping of question id → answer. Order is kept (it is the interview order)."""
    if not isinstance(raw, Mapping):
        raise InputError(
            f"answers must be an object mapping question ids to answers, not {type(raw).__name__}"
        )
    out: Answers = {}
    for key, value in raw.items():
        name = str(key)
        q = kb.question_by_id.get(name)
        if q is None:
            close = (
                difflib.get_close_matches(name, kb.question_by_id, n=1)
                if len(name) <= _LONGEST_ID_GUESS
                else []
            )
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(
                f"unknown question id {shorten(key)}{hint}; "
                "`hipcoach questions` lists the valid ids"
            )
        out[q.id] = normalise(q, value)
    return out


def load_json(text: str, where: str) -> Any:
    """``json.loads`` for text from outside, where what would crash or exhaust it is one
    clear InputError naming ``where``: nesting deeper than :data:`MAX_DEPTH` (the parser
    raises RecursionError at about a thousand) and numbers longer than
    :data:`MAX_NUMBER_DIGITS` digits (Python refuses ints over 4,300 digits with ValueError).

    Malformed JSON still raises ``json.JSONDecodeError``: the caller words that, since only
    it knows whether YAML is tried next.
    """
    try:
        data = json.loads(text, parse_int=functools.partial(_json_int, where))
    except RecursionError:
        raise too_deep(where) from None
    if _depth_exceeds(data, MAX_DEPTH):
        raise too_deep(where)
    return data


def too_deep(where: str) -> InputError:
    return InputError(
        f"{where}: nested more than {MAX_DEPTH} levels deep; answers are a few levels, "
        'e.g. {"answers": {question_id: value}}'
    )


def too_long_number(digits: int) -> str:
    """The problem with a number of ``digits`` digits, for a message that says where it is."""
    return f"a number of {digits:,} digits; no answer is longer than a few digits"


def _json_int(where: str, text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_NUMBER_DIGITS:
        raise InputError(f"{where}: {too_long_number(digits)}")
    return int(text)


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether lists/objects in ``data`` nest deeper than ``limit``, without recursing."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def findings_of(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> dict[str, bool]:
    """The findings set by the answers: present (True) or absent (False); unknown are missing."""
    found: dict[str, bool] = {}
    for qid, value in answers.items():
        if value is None:
            continue
        q = kb.question_by_id[qid]
        if q.type == "yes_no":
            assert q.finding
            found[q.finding] = bool(value)
        elif q.type == "choice":
            for c in q.choices:
                if c.finding:
                    found[c.finding] = c.id == value
        elif q.type == "multi":
            assert isinstance(value, list)
            for c in q.choices:
                if c.finding:
                    found[c.finding] = c.id in value
        else:
            assert isinstance(value, float | int)
            for b in q.bands:
                found[b.finding] = b.contains(float(value))
    return found
