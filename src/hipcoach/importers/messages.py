"""Skip reasons that stay readable whatever the file holds.

Importers report problems in the user's words: what is wrong, in which file, what to
do, with byte-level details last in parentheses. File content reaches those messages
(a member's name, a declared encoding, a library's error text quoting a value), and a
hostile file can make any of them megabytes long, so every such piece goes through
``clip``. An exception nobody expected is still one file's problem, never the whole
import's: ``unexpected`` words it and logs the traceback for a bug report.
"""

from __future__ import annotations

import logging

CLIP_CHARS = 200  # the most file content any message echoes
LOG = logging.getLogger("hipcoach.importers")
UNEXPECTED = "hipcoach hit an unexpected problem reading it"


def clip(text: object, limit: int = CLIP_CHARS) -> str:
    """``text`` as a string of at most about ``limit`` characters, marked where it was cut."""
    s = str(text) if not isinstance(text, str) else text
    if len(s) <= limit:
        return s
    return f"{s[:limit]}… ({len(s) - limit:,} more characters)"


def detail(exc: BaseException) -> str:
    """``TypeName: message`` of an exception, clipped, for the parentheses of a message."""
    try:
        message = clip(exc)
    except Exception:  # a str() that fails (int too large to print, broken __str__)
        message = "?"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def unexpected(exc: BaseException, name: str) -> str:
    """The skip reason for an exception no reader anticipated; the traceback is logged."""
    LOG.warning("unexpected error reading %s", clip(name), exc_info=exc)
    return (
        f"{UNEXPECTED}; the rest of the import goes on. Please report it with the file "
        f"({detail(exc)})"
    )
