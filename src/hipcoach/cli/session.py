"""`hipcoach session`: play today's exercises with timers and prompts, then log them.

Also where the CLI finds the plan: ``--plan-file``, else the plan source given to
:func:`register` (the plan engine), else the days kept in the stored plan state.
Module-level imports stay light: ``hipcoach --help`` imports this module.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from hipcoach.cli.common import cli_errors, console
from hipcoach.errors import InputError

if TYPE_CHECKING:
    from hipcoach.plan.schedule import PlannedDay

PlanSource = Callable[[], "Sequence[PlannedDay]"]
"""Returns the current plan's days (the plan engine's output)."""

PLAN_DAYS_KEY = "days"
"""Key of the plan state that holds the plan's days (``plan_to_json``), when stored."""

SLEEP: Callable[[float], object] = time.sleep
"""The player's sleep; tests replace it."""

PlanFileOption = Annotated[
    str | None,
    typer.Option(
        "--plan-file",
        metavar="FILE|-",
        help='The plan as JSON or YAML: a list of days, {"days": [...]} or {"items": [...]}.',
    ),
]


def today() -> date:
    return datetime.now().astimezone().date()


def stored_plan(day: date | None = None) -> list[PlannedDay]:
    """The days kept in the plan state (empty when none); never creates a database."""
    from hipcoach.exports.data import plan_from_json
    from hipcoach.services import has_history
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    if not has_history():
        return []
    days = DiaryRepository(open_engine()).plan_state().get(PLAN_DAYS_KEY)
    if not days:
        return []
    return plan_from_json(days, "the stored plan", day or today())


def load_plan(
    plan_file: str | None, source: PlanSource | None, day: date | None = None
) -> list[PlannedDay]:
    """The plan's days from ``--plan-file``, else ``source``, else the stored plan state —
    each session framed by a warm-up and a cool-down, and always as the latest assessment's
    safety policy allows them."""
    from hipcoach.services import sessions_as_played

    if plan_file is not None:
        from hipcoach.cli.common import parse_json_or_yaml, read_text
        from hipcoach.exports.data import plan_from_json

        text, name = read_text(plan_file)
        days = plan_from_json(parse_json_or_yaml(text, name), name, day or today())
    elif source is not None:
        days = list(source())
    else:
        days = stored_plan(day)
    return sessions_as_played(days)


NO_PLAN = "no plan yet: pass --plan-file FILE (the plan as JSON)"


def register(app: typer.Typer, plan: PlanSource | None = None) -> None:
    """Add ``hipcoach session`` to ``app``. ``plan`` supplies the current plan's days."""

    @app.command("session")
    @cli_errors
    def session(
        plan_file: PlanFileOption = None,
        on: Annotated[
            str | None,
            typer.Option("--date", metavar="YYYY-MM-DD", help="Play this day's session."),
        ] = None,
        get_ready: Annotated[
            int, typer.Option("--get-ready", help="Seconds to get ready before each exercise.")
        ] = 5,
    ) -> None:
        """Play today's exercises: timers, rep prompts, rests and a bell; then log them."""
        from rich.markup import escape

        from hipcoach.diary import SessionLog, parse_day
        from hipcoach.sessions.player import Player, Screen, dosage_text
        from hipcoach.storage.db import open_engine
        from hipcoach.storage.diary import DiaryRepository

        day = parse_day(on) if on is not None else today()
        if not 0 <= get_ready <= 60:
            raise InputError(f"--get-ready must be 0–60 seconds; got {get_ready}")
        days = load_plan(plan_file, plan, day)
        if not days:
            raise InputError(NO_PLAN)
        todays = [d for d in days if d.day == day]
        items = [it for d in todays for it in d.items]
        if not items:
            later = sorted((d for d in days if d.day > day and d.items), key=lambda d: d.day)
            what = f"{todays[0].title}, " if todays else ""
            nxt = f" Next session: {later[0].day:%a %d %b}, {later[0].title}." if later else ""
            console.print(
                escape(f"No exercises planned for {day.isoformat()} ({what}nothing to play).{nxt}")
            )
            return
        uid_key = todays[0].uid_key or f"day:{day.isoformat()}"
        console.print(f"[bold]{escape(todays[0].title)}[/] — {day:%A %d %B}")
        for it in items:
            console.print(escape(f"  • {it.name}: {dosage_text(it)}"), soft_wrap=True)
        console.print(
            "[dim]At each prompt: Enter to go on, s skip, r repeat, p pause, q quit. "
            "During a timer, Ctrl-C pauses.[/]"
        )
        result = Player(
            items, input_fn=console.input, sleep=SLEEP, screen=Screen(), get_ready_s=get_ready
        ).play()
        repo = DiaryRepository(open_engine())
        again = any(s.day == day and s.uid_key == uid_key for s in repo.session_logs(since=day))
        repo.log_session(SessionLog(day, uid_key, result.completed(), result.pain_during))
        pain = "" if result.pain_during is None else f"; pain during {result.pain_during}/10"
        secs = result.elapsed_s
        took = f"{secs} s" if secs < 60 else f"{round(secs / 60)} min"
        console.print(
            f"Logged: {result.done} of {len(items)} exercises done in {took}{pain}."
            + (" This replaces the log you made earlier for this day." if again else "")
            + " Tomorrow morning, rate your pain: [bold]hipcoach diary add --when next_morning "
            "--pain N --where REGION[/]."
        )
