"""The fixed urgency vocabulary, ordered from least to most urgent."""

from __future__ import annotations

from typing import Literal, get_args

Urgency = Literal["self_care", "soon", "urgent", "emergency"]

LEVELS: tuple[Urgency, ...] = get_args(Urgency)
"""All levels, least urgent first: comparisons use the position in this tuple."""


def rank(level: Urgency) -> int:
    """Position of a level: higher means more urgent."""
    return LEVELS.index(level)


def most_urgent(*levels: Urgency) -> Urgency:
    return max(levels, key=rank)
