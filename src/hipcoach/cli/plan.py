"""`hipcoach plan`: the treatment plan for the current assessment, in the terminal or as JSON."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hipcoach.cli.render import BORDER, STYLE
from hipcoach.plan.rules import Advice
from hipcoach.plan.schedule import SessionItem
from hipcoach.plan.treatment import TreatmentPlan
from hipcoach.units import Units


def dosage(item: SessionItem) -> str:
    """'3 × 10 each side', '5 × 30 s hold', '20 min'."""
    side = " each side" if item.per_side else ""
    if item.minutes:
        return f"{item.minutes:g} min"
    if item.hold_s:
        reps = f"{item.reps} × " if item.reps and item.reps > 1 else ""
        return f"{item.sets} × {reps}{item.hold_s} s hold{side}"
    if item.reps:
        return f"{item.sets} × {item.reps}{side}"
    return f"{item.sets} set(s){side}"


def print_advice(console: Console, title: str, items: list[Any]) -> None:
    if not items:
        return
    console.print(Text(title, style="bold underline"))
    for a in items:
        console.print(
            Padding(
                Text("• ") + Text(a.text)
                + (Text(f"  [{', '.join(a.source)}]", style="dim") if a.source else Text()),
                (0, 0, 0, 2),
            )
        )  # fmt: skip
    console.print()


_WORD = re.compile(r"[a-z0-9]+")
SAME_ADVICE = 0.7
"""Share of the shorter line's words (longer than 3 letters) found in the other line
above which two lines say the same thing: rules written for different causes of the pain
often give the same instruction in slightly different words."""


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 3}


def said_once(items: Sequence[Advice], shown_above: str = "") -> list[Advice]:
    """``items`` with each instruction once: a line equal to ``shown_above`` (already in the
    panel) is left out, and of two near-identical lines the longer is kept, at the first
    one's place, with the sources of both."""
    kept: list[Advice] = []
    for item in items:
        if item.text.strip() == shown_above.strip():
            continue
        mine = _words(item.text)
        for i, other in enumerate(kept):
            theirs = _words(other.text)
            if mine and theirs and len(mine & theirs) >= SAME_ADVICE * min(len(mine), len(theirs)):
                longer = item if len(item.text) > len(other.text) else other
                sources = tuple(dict.fromkeys((*other.source, *item.source)))
                kept[i] = replace(longer, source=sources)
                break
        else:
            kept.append(item)
    return kept


def render(plan: TreatmentPlan, console: Console) -> None:
    console.print(
        Panel(
            Text.assemble((plan.urgency_title, STYLE[plan.urgency]), "\n", plan.urgency_action),
            title="Your plan",
            border_style=BORDER[plan.urgency],
        )
    )
    if plan.no_programme is not None:
        console.print(Text(plan.no_programme.text, style="bold"))
        console.print()
    print_advice(console, "Right now", said_once(plan.immediate, plan.urgency_action))
    print_advice(console, "Painkillers", [plan.painkillers] if plan.painkillers else [])
    print_advice(
        console, "When to see a physiotherapist", [plan.see_physio] if plan.see_physio else []
    )
    print_advice(console, "Stop for now", list(plan.stop))
    print_advice(console, "Keep doing", list(plan.keep))
    if plan.has_programme:
        for ph in plan.phases:
            table = Table(title=f"{ph.title} — {ph.goal}", title_justify="left", expand=True)
            table.add_column("exercise")
            table.add_column("dose")
            table.add_column("form cue", overflow="fold")
            for ex in ph.exercises:
                dose_ = ex.dosage
                item = SessionItem(
                    ex.id, ex.name, sets=dose_.sets or 1, reps=dose_.reps, hold_s=dose_.hold_s,
                    minutes=dose_.minutes, per_side=dose_.per_side,
                )  # fmt: skip
                table.add_row(ex.name, dosage(item), ex.cues[0] if ex.cues else "")
            console.print(table)
        if plan.excluded:
            left_out = ", ".join(f"{e.name} ({e.reason})" for e in plan.excluded[:6])
            console.print(Text(f"Left out on purpose: {left_out}", style="dim"))
        console.print()
        days = Table(title="The next days", title_justify="left")
        days.add_column("day")
        days.add_column("what")
        for d in plan.days:
            days.add_row(d.day.strftime("%a %d %b"), d.title)
        console.print(days)


def render_running(plan: Any, units: Units, console: Console) -> None:
    from hipcoach.units import distance

    u = units
    table = Table(
        title=f"Running plan to {distance(plan.goal_distance_m, u)}", title_justify="left"
    )
    for col in ("week", "starts", "change", "volume", "long run", "runs"):
        table.add_column(col, justify="left" if col in ("week", "starts", "change") else "right")
    for w in plan.weeks:
        table.add_row(
            str(w.number),
            w.start.strftime("%d %b"),
            "race week" if w.race else w.change,
            distance(w.volume_m, u),
            distance(w.long_run_m, u) + (" (race)" if w.race else ""),
            str(len(w.runs_m)),
        )
    console.print(table)
    print_advice(console, "Notes", list(plan.notes))
