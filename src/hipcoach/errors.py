"""One exception hierarchy for the whole application.

Adapters map these once: the CLI to an exit status and a one-line message, the web
to an HTTP status. Messages say what is wrong, where, and what to do instead.
"""

from __future__ import annotations


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
