"""`hipcoach import` and `hipcoach activities`: the training history on the command line."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from hipcoach.errors import InputError
from hipcoach.importers.sources import estimate_items
from hipcoach.importing import Importer, ImportReport, Outcome
from hipcoach.jsonviews import activity_record
from hipcoach.storage.db import data_dir, open_engine
from hipcoach.storage.repository import Repository
from hipcoach.training.model import Activity
from hipcoach.units import Units, distance, duration


def run_import(paths: list[Path], console: Console, *, workers: int | None = None) -> ImportReport:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InputError(f"{missing[0]}: no such file or folder")
    folder = data_dir()
    repo = Repository(open_engine(folder))
    total = estimate_items(paths)
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]Importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files · {task.fields[rate]:.0f} activities/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("import", total=total, rate=0.0)

        def step(_: Outcome, activities: int) -> None:
            t = bar.tasks[0]
            elapsed = t.elapsed or 1e-9
            grow = t.total if t.total is not None and t.completed < t.total else t.completed + 1
            bar.update(task, advance=1, rate=activities / elapsed, total=grow)

        report = Importer(repo, folder, workers).run(paths, step)
    print_report(report, console)
    return report


def print_report(report: ImportReport, console: Console) -> None:
    table = Table(title="Import summary", title_justify="left")
    table.add_column("")
    table.add_column("files", justify="right")
    table.add_column("activities", justify="right")
    table.add_row("imported", str(report.imported_files), str(report.imported_activities))
    table.add_row(
        "already there (duplicates)", str(report.duplicate_files), str(report.duplicate_activities)
    )
    table.add_row("skipped", str(len(report.skipped)), "")
    if report.not_activities:
        table.add_row(
            "not activities (courses, settings, monitoring)", str(report.not_activities), ""
        )
    table.add_section()
    table.add_row("files looked at", str(report.files), "")
    console.print(table)
    if report.skipped:
        console.print(Text("Skipped, and why:", style="bold"))
        for o in report.skipped:
            console.print(
                Text.assemble(("  ✗ ", "red"), (o.name, "bold"), " — ", o.reason), soft_wrap=True
            )
    if report.nothing_new and report.files:
        files, acts = report.duplicate_files, report.duplicate_activities
        named = []
        if files:
            named.append(f"{files} {'file was' if files == 1 else 'files were'} already imported")
        if acts:
            named.append(
                f"{acts} {'activity was' if acts == 1 else 'activities were'} already there"
            )
        what = (
            " and ".join(named) + " (duplicates, not imported again)"
            if named
            else "everything here was already imported"
        )
        console.print(f"[green]Nothing new: {what}.[/]")
    noun = "file" if report.files == 1 else "files"
    console.print(f"[dim]{report.files} {noun} in {report.seconds:.1f} s[/]")


COLUMNS = (
    "start_local", "sport", "name", "distance_km", "moving_time_s", "elapsed_time_s",
    "avg_hr", "max_hr", "avg_cadence_spm", "ascent_m", "gear", "rpe", "device", "source_format",
)  # fmt: skip


# CSV is opened in spreadsheets and read by people: values rounded as a watch shows them
# (the JSON export keeps full precision for other tools).
CSV_DIGITS = {
    "distance_km": 2, "moving_time_s": 0, "elapsed_time_s": 0, "avg_hr": 0, "max_hr": 0,
    "avg_cadence_spm": 0, "ascent_m": 0,
}  # fmt: skip


def _as_read(record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    for key, digits in CSV_DIGITS.items():
        value = out.get(key)
        if isinstance(value, float):
            out[key] = round(value, digits) if digits else round(value)
    return out


def list_activities(
    console: Console,
    *,
    fmt: str,
    sport: str | None,
    since: datetime | None,
    units: Units,
    limit: int,
) -> None:
    repo = Repository(open_engine())
    rows = repo.activities(since=since, sport=sport)
    files = repo.originals() if fmt in ("json", "csv") else {}

    def rec(a: Activity) -> dict[str, Any]:
        return activity_record(a, files.get((a.start_utc, a.elapsed_s)))

    if fmt == "json":
        print(json.dumps([rec(a) for a in rows], indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        buf = io.StringIO()
        fields = ["start_utc", *COLUMNS, "utc_offset_s", "original_name", "original_copy", "id"]
        writer = csv.DictWriter(buf, fieldnames=fields)
        writer.writeheader()
        for a in rows:
            writer.writerow(_as_read(rec(a)))
        print(buf.getvalue(), end="")
        return
    if not rows:
        console.print("No activities yet. Import your history with [bold]hipcoach import PATH[/].")
        return
    table = Table(title=f"Activities ({len(rows)})", title_justify="left")
    for col in ("date (local)", "sport", "name", "distance", "time", "avg HR", "cadence", "shoes"):
        table.add_column(
            col, justify="right" if col in ("distance", "time", "avg HR", "cadence") else "left"
        )
    for a in rows[-limit:]:
        table.add_row(
            a.local_start.strftime("%Y-%m-%d %H:%M"),
            a.sport,
            a.name or "",
            distance(a.distance_m, units),
            duration(a.moving_s or a.elapsed_s),
            "" if a.avg_hr is None else f"{a.avg_hr:.0f}",
            "" if a.avg_cadence_spm is None or not a.is_run else f"{a.avg_cadence_spm:.0f}",
            a.gear or "",
        )
    console.print(table)
    if len(rows) > limit:
        console.print(f"[dim]Showing the latest {limit}; use --limit, --json or --csv for all.[/]")
