"""`hipcoach diary add | list | chart`: the pain diary on the command line.

Module-level imports stay light: ``hipcoach --help`` imports this module.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from hipcoach.cli.common import cli_errors, console
from hipcoach.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from rich.table import Table

    from hipcoach.diary import PainWeek
    from hipcoach.training.load import WeekSummary
    from hipcoach.units import Units

MAX_WEEKS = 520


def pain_style(pain: float) -> str:
    """Green up to 2/10, yellow up to 5/10 (acceptable during rehab), red above."""
    return "green" if pain <= 2 else "yellow" if pain <= 5 else "red"


def chart(
    pain: list[PainWeek], load: Mapping[date, WeekSummary], units: Units, width: int = 24
) -> Table:
    """One row per week: worst pain (bar out of 10), mean pain, running distance (bar)."""
    from rich.table import Table
    from rich.text import Text

    from hipcoach.units import METRES_PER_MILE

    per = METRES_PER_MILE if units == "mi" else 1000.0
    top = max((w.run_distance_m for w in load.values()), default=0.0) or 1.0
    table = Table(box=None, padding=(0, 1), show_edge=False)
    table.add_column("week", style="dim", justify="right")
    table.add_column("pain, worst", no_wrap=True)
    table.add_column("mean", justify="right")
    table.add_column(f"running ({units})", no_wrap=True)
    for p in pain:
        if p.max is None:
            bar = Text("·" * 10, style="dim") + Text("  –")
        else:
            bar = Text("█" * p.max, style=pain_style(p.max)) + Text("░" * (10 - p.max), "dim")
            bar += Text(f" {p.max:>2}")
        mean = "–" if p.mean is None else f"{p.mean:.1f}"
        w = load.get(p.monday)
        if w is None:
            run = Text("–", style="dim")
        else:
            n = w.run_distance_m / top * width
            run = Text("█" * int(n) + ("▌" if n - int(n) >= 0.5 else ""), style="cyan")
            run += Text(f" {w.run_distance_m / per:.1f}")
        table.add_row(p.monday.strftime("%d %b"), bar, mean, run)
    return table


def register(app: typer.Typer) -> None:
    """Add the ``diary`` sub-app (``add``, ``list``, ``chart``) to ``app``."""
    diary_app = typer.Typer(
        help="Your pain diary: rate your pain, list the ratings, chart them beside your running.",
        no_args_is_help=True,
    )
    app.add_typer(diary_app, name="diary")

    @diary_app.command("add")
    @cli_errors
    def add(
        pain: Annotated[
            str | None, typer.Option("--pain", metavar="0-10", help="Pain, 0 (none) to 10.")
        ] = None,
        where: Annotated[
            str | None,
            typer.Option(
                "--where",
                metavar="REGION",
                help="Where it hurts, as in the questionnaire: groin, front_thigh, inner_thigh, "
                "pubic, lower_belly, outer_hip, outer_thigh, buttock, sit_bone, back_thigh, "
                "low_back or knee.",
            ),
        ] = None,
        when: Annotated[
            str | None,
            typer.Option(
                "--when", metavar="WHEN", help="When: during, after, next_morning or rest."
            ),
        ] = None,
        note: Annotated[str | None, typer.Option("--note", help="A few words.")] = None,
        on: Annotated[
            str | None,
            typer.Option("--date", metavar="YYYY-MM-DD", help="The day (default: today)."),
        ] = None,
    ) -> None:
        """Rate your pain: how much (0–10), where, and when."""
        from hipcoach.cli.session import today
        from hipcoach.diary import WHEN_WORDS, new_entry, parse_day, regions
        from hipcoach.kb.load import load
        from hipcoach.storage.db import open_engine
        from hipcoach.storage.diary import DiaryRepository

        for option, value in (("--pain", pain), ("--where", where), ("--when", when)):
            if value is None:
                raise InputError(f"{option} is required (see `hipcoach diary add --help`)")
        known = regions(load())
        entry = new_entry(
            pain=pain,
            where=where,
            when=when,
            note=note,
            day=parse_day(on) if on is not None else None,
            today=today(),
            regions=known,
        )
        DiaryRepository(open_engine()).add_pain(entry)
        console.print(
            f"Recorded pain {entry.pain}/10, {known[entry.where].lower()}, "
            f"{WHEN_WORDS[entry.when]}, on {entry.day.isoformat()}.",
            markup=False,
            soft_wrap=True,
        )
        from hipcoach.diary import programme_move

        decision = None
        if entry.when == "next_morning":
            from hipcoach.services import progress_programme

            decision = progress_programme(entry.pain, entry.day)
        console.print(programme_move(decision, entry.when), markup=False, soft_wrap=True)

    @diary_app.command("list")
    @cli_errors
    def list_(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """List your pain ratings, oldest first."""
        from rich.table import Table
        from rich.text import Text

        from hipcoach.diary import WHEN_WORDS
        from hipcoach.services import has_history
        from hipcoach.storage.db import open_engine
        from hipcoach.storage.diary import DiaryRepository

        entries = DiaryRepository(open_engine()).pain_entries() if has_history() else []
        if as_json:
            print(json.dumps([e.to_dict() for e in entries], indent=2, ensure_ascii=False))
            return
        if not entries:
            console.print(
                "No pain ratings yet. Add one with [bold]hipcoach diary add --pain N "
                "--where REGION --when during|after|next_morning|rest[/]."
            )
            return
        table = Table(title=f"Pain diary ({len(entries)})", title_justify="left")
        for col in ("date", "pain", "where", "when", "note"):
            table.add_column(col, justify="right" if col == "pain" else "left")
        for e in entries:
            table.add_row(
                e.day.isoformat(),
                f"[{pain_style(e.pain)}]{e.pain}[/]",
                e.where.replace("_", " "),
                WHEN_WORDS[e.when],
                Text(e.note or ""),
            )
        console.print(table)

    @diary_app.command("chart")
    @cli_errors
    def chart_(
        weeks: Annotated[int, typer.Option("--weeks", help="Weeks to show.")] = 12,
        units: Annotated[
            str | None, typer.Option("--units", metavar="km|mi", help="km or mi.")
        ] = None,
    ) -> None:
        """Weekly pain (worst and mean) beside weekly running distance."""
        from hipcoach.cli.session import today
        from hipcoach.diary import recent_mondays, weekly_pain
        from hipcoach.services import has_history, load_report
        from hipcoach.services import preferred_units as preferred
        from hipcoach.storage.db import open_engine
        from hipcoach.storage.diary import DiaryRepository

        if not 1 <= weeks <= MAX_WEEKS:
            raise InputError(f"--weeks must be from 1 to {MAX_WEEKS}; got {weeks}")
        u = preferred(units)
        day = today()
        mondays = recent_mondays(day, weeks)
        readings = (
            DiaryRepository(open_engine()).pain_readings(since=mondays[0]) if has_history() else []
        )
        pain = weekly_pain(readings, mondays)
        history, _ = load_report(day, units=u)
        load = {w.monday: w for w in history.weeks} if history is not None else {}
        console.print(f"[bold]Pain and running per week[/] (last {weeks}, week starting Monday)")
        console.print(chart(pain, load, u))
        if not readings:
            console.print(
                "[dim]No pain ratings in these weeks: add them with hipcoach diary add.[/]"
            )
        if history is None:
            console.print("[dim]No running history: import it with hipcoach import PATH.[/]")
