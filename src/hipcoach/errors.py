"""One exception hierarchy for the whole application.

Adapters map these once: the CLI to an exit status and a one-line message, the web
to an HTTP status. Messages say what is wrong, where, and what to do instead; a bad value
the user gave is quoted through :func:`shorten` (or :func:`clip`), never whole.
"""

from __future__ import annotations

import itertools
import math


class HipcoachError(Exception):
    """Base class. ``exit_code`` is what the command line exits with."""

    exit_code = 1


class InputError(HipcoachError):
    """The user's input (answers, a file, an option) is not acceptable."""

    exit_code = 2


class KnowledgeBaseError(HipcoachError):
    """The knowledge base is broken. ``problems`` lists every problem found, each locatable."""

    exit_code = 3

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        head = problems[0] if problems else "unknown problem"
        more = (
            f" (and {len(problems) - 1} more; run `hipcoach kb check`)" if len(problems) > 1 else ""
        )
        super().__init__(f"knowledge base is invalid: {head}{more}")


ECHO_CHARS = 60  # how much of a bad value an error message quotes
_ECHO_ITEMS = 4  # items of a list or mapping quoted before "…"
_ECHO_LEVELS = 2  # nesting levels quoted before "[…]"
_EXACT_DIGITS_BITS = 10_000  # ints below this many bits are counted exactly (fast, < 4300 digits)


def shorten(value: object, limit: int = ECHO_CHARS) -> str:
    """``repr(value)`` for an error message, cut to about ``limit`` characters.

    Messages quote what the user gave so they can find it, but input can be any size (a
    pasted file, a 100 MB form field, a list nested a thousand deep): a long value shows its
    start and how long it was, never the whole. Only the head of a value is visited, so
    quoting costs the same for a huge value as for a small one, and never recurses deeply.
    """
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    text = _head(value, limit, _ECHO_LEVELS)
    cut = len(text) > limit
    if cut:
        text = text[:limit] + "…"
    if isinstance(value, list | tuple | dict) and (cut or len(value) > _ECHO_ITEMS):
        return f"{text} ({len(value):,} items)"
    return text


def clip(text: str, limit: int = 200) -> str:
    """``text`` as it is when short, else its start and its length: for names the user typed
    (a path, an option) that a message shows unquoted."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _head(value: object, limit: int, levels: int) -> str:
    if isinstance(value, str):
        return repr(value[:limit]) + ("…" if len(value) > limit else "")
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return _number(value, limit)
    if isinstance(value, list | tuple | dict):
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        if not value:
            return repr(value)
        if levels == 0:
            return f"{opening}…{closing}"
        if isinstance(value, dict):
            parts = [
                f"{_head(k, limit, 0)}: {_head(v, limit, levels - 1)}"
                for k, v in itertools.islice(value.items(), _ECHO_ITEMS)
            ]
        else:
            parts = [_head(v, limit, levels - 1) for v in value[:_ECHO_ITEMS]]
        more = ", …" if len(value) > _ECHO_ITEMS else ""
        return f"{opening}{', '.join(parts)}{more}{closing}"
    try:
        text = repr(value)
    except Exception:  # a message must not fail on a value's own repr
        text = f"<{type(value).__name__}>"
    return text[: limit + 1]


def _number(value: int, limit: int) -> str:
    """A whole number, or how many digits it has when it is too long to quote (or even to
    turn into text: Python refuses to print ints of more than 4,300 digits)."""
    if value.bit_length() < _EXACT_DIGITS_BITS:
        text = str(value)
        digits = len(text.lstrip("-"))
        sign = "negative " if value < 0 else ""
        return text if digits <= limit else f"a {digits:,}-digit {sign}number"
    approx = int(value.bit_length() * math.log10(2))
    return f"a number of about {approx:,} digits"
