"""`hipcoach load`: weekly volume and load, the overuse flags in plain words, and a chart."""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hipcoach.jsonviews import STRENGTH_WORDS
from hipcoach.training.flags import Flag
from hipcoach.training.load import LoadHistory, WeekSummary
from hipcoach.units import METRES_PER_MILE, Units, distance, duration

SEVERITY_STYLE = {"high": "bold red", "warn": "yellow", "info": "cyan"}


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x:+.0%}"


def _value(metres: float, units: Units) -> float:
    return metres / (METRES_PER_MILE if units == "mi" else 1000.0)


def chart(weeks: list[WeekSummary], units: Units, width: int = 40) -> Table:
    """A horizontal bar per week: running volume, lighter weeks marked."""
    top = max((w.run_distance_m for w in weeks), default=0.0) or 1.0
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", style="dim")
    table.add_column()
    table.add_column(justify="right")
    for w in weeks:
        n = w.run_distance_m / top * width
        bar = Text("█" * int(n) + ("▌" if n - int(n) >= 0.5 else ""), style="cyan")
        if w.lighter:
            bar.stylize("green")
        label = w.monday.strftime("%d %b")
        table.add_row(label, bar, f"{_value(w.run_distance_m, units):.1f}")
    return table


def render(
    history: LoadHistory, flags: list[Flag], weeks: int, units: Units, console: Console
) -> None:
    from hipcoach.exports.charts import date_format
    from hipcoach.services import local_today

    shown = list(history.weeks[-weeks:])
    unit = "mi" if units == "mi" else "km"
    # A history that stopped in the past is spoken of as of its last day, not "today".
    ended = history.today < local_today()
    end = history.today.strftime("%d %b %Y")
    span = f"{len(shown)} weeks to {end}" if ended else f"last {len(shown)} weeks"
    fmt = date_format(shown[0].monday, shown[-1].sunday) if shown else "%d %b"
    table = Table(title=f"Weekly running ({span})", title_justify="left")
    headers = [("week", "left"), ("runs", "right"), (unit, "right"), ("time", "right"),
               ("load", "right"), ("Δ1w", "right"), ("Δ2w", "right"),
               ("mono", "right"), ("spm", "right"), ("other", "right")]  # fmt: skip
    for col, justify in headers:
        table.add_column(col, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for w in shown:
        table.add_row(
            w.monday.strftime(fmt) + ("" if w.complete else "*"),
            str(w.runs),
            f"{_value(w.run_distance_m, units):.1f}",
            duration(w.run_moving_s),
            f"{w.run_load:.0f}",
            _pct(w.ramp),
            _pct(w.two_week_change),
            "" if w.monotony is None else f"{w.monotony:.1f}",
            "" if w.cadence_spm is None else f"{w.cadence_spm:.0f}",
            duration(w.other_moving_s) if w.other_moving_s else "",
        )
    console.print(table)
    if shown and not shown[-1].complete:
        console.print(
            f"[dim]* {'week cut short by the end of the history' if ended else 'week in progress'}"
            " · Δ1w / Δ2w: running distance vs the week before / two "
            "weeks before · mono: monotony · spm: cadence · other: time in other sports[/]"
        )
    console.print(Text(f"Running volume per week ({unit}; green = lighter week)", style="bold"))
    console.print(chart(shown, units))
    acwr = history.acwr[-1] if history.acwr.size else math.nan
    if math.isfinite(acwr):
        console.print(
            f"Acute:chronic ratio {f'on {end}' if ended else 'today'}: [bold]{acwr:.2f}[/] "
            "[dim](7-day ÷ 28-day running load; "
            "a disputed measure — see the flag notes)[/]"
        )
    if history.shoes:
        shoes = ", ".join(f"{s.gear} {distance(s.distance_m, units, 0)}" for s in history.shoes)
        console.print(f"Shoes: {shoes}")
    console.print()
    since = shown[0].monday if shown else history.today
    recent = [f for f in flags if f.day >= since]
    if not recent:
        console.print("[green]No overuse patterns flagged in these weeks.[/]")
        return
    console.print(Text("What stands out", style="bold underline"))
    for f in recent:
        console.print(
            Text.assemble(
                (f"{f.title}: ", SEVERITY_STYLE.get(f.severity, "")),
                f.text,
                (
                    f"\n    Evidence: {STRENGTH_WORDS.get(f.strength, f.strength)}. {f.caveat} "
                    f"[{', '.join(f.source)}]",
                    "dim",
                ),
            )
        )
