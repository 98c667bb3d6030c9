"""A session as a flat list of timed steps, for players that are not the terminal (the web).

The terminal player (:mod:`hipcoach.sessions.player`) walks the items imperatively, prompting
as it goes. A browser cannot be prompted that way, so it gets the same walk laid out in
advance: get ready, then per set an optional rest, then holds (per side, with a short break
to switch sides and the dosage's rest between two holds), timed blocks, or a "do N reps"
step that waits for the runner. The order and the wording follow the terminal player, so both
play a session the same way; only the pacing (timers vs. prompts) is left to the player.

Pure: no clock, no I/O. Every step knows its item and set, so a player can skip an exercise
(jump to the next item's first step) or repeat a set (jump back to the set's first step).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from hipcoach.plan.schedule import SessionItem
from hipcoach.sessions.player import GET_READY_S, SWITCH_S, dosage_text, estimate_seconds

StepKind = Literal["get_ready", "rest", "switch", "hold", "timed", "reps"]


@dataclass(frozen=True)
class Step:
    """One step. ``seconds`` is a countdown; None means wait for the runner (reps).

    ``set`` is 0 for the get-ready step (before the first set). ``work`` marks the steps
    that count as exercise done (holds, timed blocks, reps); the others are pauses.
    """

    kind: StepKind
    item: int
    set: int
    label: str
    seconds: int | None = None
    side: str = "both"
    reps: int | None = None

    @property
    def work(self) -> bool:
        return self.kind in ("hold", "timed", "reps")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "work": self.work}


def _side_words(side: str) -> str:
    return "" if side == "both" else f" — {side} side"


def _sides(item: SessionItem) -> tuple[str, ...]:
    return ("left", "right") if item.per_side else ("both",)


def _set_steps(item: SessionItem, index: int, set_no: int, between_s: int) -> list[Step]:
    of = f"set {set_no}/{item.sets}" if item.sets > 1 else ""
    out: list[Step] = []
    sides = _sides(item)
    if item.hold_s is not None:
        holds = item.reps or 1
        first = True
        for rep in range(1, holds + 1):
            for side in sides:
                if not first and side == sides[0] and item.rest_s > 0:
                    label = f"Rest, then hold {rep} of {holds}"
                    out.append(Step("rest", index, set_no, label, item.rest_s))
                elif not first and side != sides[0] and between_s > 0:
                    what = f"Switch to the {side} side"
                    out.append(Step("switch", index, set_no, what, between_s, side))
                first = False
                where = [x for x in (of, f"hold {rep}/{holds}" if holds > 1 else "") if x]
                label = " · ".join([f"Hold{_side_words(side)}", *where])
                out.append(Step("hold", index, set_no, label, item.hold_s, side))
        return out
    if item.minutes is not None and item.reps is None:
        secs = max(1, round(item.minutes * 60))
        for k, side in enumerate(sides):
            if k and between_s > 0:
                out.append(
                    Step("switch", index, set_no, f"Switch to the {side} side", between_s, side)
                )
            label = f"Go{_side_words(side)}" + (f" ({of})" if of else "")
            out.append(Step("timed", index, set_no, label, secs, side))
        return out
    target = item.reps or 1
    for k, side in enumerate(sides):
        if k and between_s > 0:
            out.append(Step("switch", index, set_no, f"Switch to the {side} side", between_s, side))
        label = f"{target} reps{_side_words(side)}" + (f" ({of})" if of else "")
        out.append(Step("reps", index, set_no, label, None, side, target))
    return out


def session_steps(
    items: Sequence[SessionItem], *, get_ready_s: int = GET_READY_S, between_s: int = SWITCH_S
) -> list[Step]:
    """Every step of the session in playing order (see the module docstring)."""
    out: list[Step] = []
    for index, item in enumerate(items):
        if get_ready_s > 0:
            out.append(Step("get_ready", index, 0, f"Get ready: {item.name}", get_ready_s))
        for set_no in range(1, item.sets + 1):
            if set_no > 1 and item.rest_s > 0:
                label = f"Rest, then set {set_no} of {item.sets}"
                out.append(Step("rest", index, set_no, label, item.rest_s))
            out += _set_steps(item, index, set_no, between_s)
    return out


def player_json(
    items: Sequence[SessionItem], *, get_ready_s: int = GET_READY_S, between_s: int = SWITCH_S
) -> dict[str, Any]:
    """What a browser player needs: the items (the fields of ``hipcoach plan --json``), their
    dosage in words (``dosage``, one per item), the steps and an estimate of the time."""
    return {
        "items": [asdict(it) for it in items],
        "dosage": [dosage_text(it) for it in items],
        "steps": [
            s.to_dict() for s in session_steps(items, get_ready_s=get_ready_s, between_s=between_s)
        ],
        "estimate_s": round(estimate_seconds(items)),
    }
