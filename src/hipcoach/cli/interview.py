"""The interactive interview in the terminal.

Reads plain lines from standard input, so it works the same typed by a person, piped
from a script, or driven by tests. Every question accepts "?" (don't know); "b" goes
back one question and "q" stops and shows the result so far.
"""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from hipcoach.assess.answers import Answer, Answers, normalise
from hipcoach.assess.interview import RECHECK, next_step
from hipcoach.errors import InputError
from hipcoach.kb.load import KnowledgeBase
from hipcoach.kb.models import Question

SECTION_TITLES = {
    "about": "About you",
    "red_flags": "Safety check",
    "story": "How it started",
    "where": "Where it hurts",
    "pattern": "What makes it worse",
    "self_tests": "Simple self-tests",
    "risks": "Your running and health",
}

HELP = "Answer with the number or word shown. ? = don't know · b = back · q = finish now"


class _Quit(Exception):
    pass


class _Back(Exception):
    pass


def _show_question(console: Console, q: Question, number: int, left: int) -> None:
    console.print(
        Text(f"Question {number}", style="bold cyan")
        + Text(f" · {SECTION_TITLES.get(q.section, q.section)}", style="cyan")
        + Text(f" · about {left} more" if left else " · nearly done", style="dim")
    )
    console.print(Text(q.text, style="bold"))
    if q.help:
        console.print(Text(q.help, style="dim"))
    if q.type in ("choice", "multi"):
        for i, c in enumerate(q.choices, start=1):
            console.print(f"  [cyan]{i}[/] {c.label}")
        if q.type == "multi":
            console.print(Text("  (several allowed: e.g. 1,3)", style="dim"))


def _prompt(q: Question) -> str:
    if q.type == "yes_no":
        return "y / n / ? > "
    if q.type in ("number", "scale"):
        unit = f" {q.unit}" if q.unit else ""
        return f"{q.min:g}–{q.max:g}{unit} or ? > "
    return "choice > "


def _friendly(q: Question) -> str:
    """What to type, in terminal terms (numbers of the choices shown, not ids)."""
    if q.type == "yes_no":
        return "Please type y or n (or ? if you don't know)."
    if q.type == "choice":
        return f"Please type a number from 1 to {len(q.choices)} (or ? if you don't know)."
    if q.type == "multi":
        return (
            f"Please type one or more numbers from 1 to {len(q.choices)}, separated by commas "
            "(or ? if you don't know)."
        )
    return f"Please type a number from {q.min:g} to {q.max:g} (or ? if you don't know)."


def _parse(q: Question, raw: str) -> Answer:
    text = raw.strip().lower()
    if text in ("q", "quit"):
        raise _Quit
    if text in ("b", "back"):
        raise _Back
    if q.type in ("choice", "multi") and text not in ("?", ""):
        parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
        ids = []
        for part in parts:
            if part.isdigit() and 1 <= int(part) <= len(q.choices):
                ids.append(q.choices[int(part) - 1].id)
            else:
                ids.append(part)
        value: object = ids if q.type == "multi" else (ids[0] if len(ids) == 1 else text)
        return normalise(q, value)
    if text == "":
        raise InputError("please answer, or type ? if you don't know")
    return normalise(q, text)


def run_interview(
    kb: KnowledgeBase, console: Console, *, adaptive: bool = True
) -> tuple[Answers, str]:
    """Ask questions until the engine says stop; return the answers and why it stopped."""
    console.print(
        Panel(
            Text.assemble(
                ("hipcoach", "bold"),
                " asks about your hip pain, checks for warning signs first, then suggests how "
                "urgently to get help and what is most likely going on.\n\n",
                (kb.triage.disclaimer, "italic"),
                "\n\n",
                (HELP, "dim"),
            ),
            title="Hip pain check",
            border_style="cyan",
        )
    )
    answers: Answers = {}
    shown: set[str] = set()
    rechecked: set[str] = set()
    while True:
        step = next_step(kb, answers, adaptive=adaptive, rechecked=rechecked)
        q = step.question
        if q is None:
            return answers, step.reason
        if step.reason == RECHECK:
            rechecked.add(q.id)
            answers.pop(q.id, None)
            console.print(Text(kb.triage.recheck_prompt, style="bold yellow"))
        if q.section not in shown:  # a heading the first time each part of the interview starts
            shown.add(q.section)
            console.print(Rule(SECTION_TITLES.get(q.section, q.section), style="cyan"))
        _show_question(console, q, len(answers) + 1, step.remaining_estimate)
        while True:
            try:
                raw = console.input(_prompt(q))
            except EOFError:
                console.print()
                return answers, "input ended"
            try:
                answers[q.id] = _parse(q, raw)
                break
            except _Quit:
                return answers, "stopped by you"
            except _Back:
                if answers:
                    answers.pop(next(reversed(answers)))
                break
            except InputError:
                console.print(Text(f"  {_friendly(q)}", style="red"))
        console.print()
