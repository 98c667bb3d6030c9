"""`hipcoach export ical | report | data`: the plan, a clinician's report, and all your data.

Module-level imports stay light: ``hipcoach --help`` imports this module.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated

import typer

from hipcoach.cli.common import cli_errors, console
from hipcoach.cli.session import NO_PLAN, PlanFileOption, PlanSource, load_plan, today
from hipcoach.errors import InputError, shorten

NO_ASSESSMENT = "no assessment yet: run `hipcoach assess` first"
REPORT_SUFFIXES = (".html", ".htm", ".pdf")

UnitsOption = Annotated[
    str | None,
    typer.Option("--units", help="km or mi (default: HIPCOACH_UNITS, else km).", metavar="km|mi"),
]


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except IsADirectoryError:
        raise InputError(f"{path} is a folder; give a file name") from None
    except OSError as exc:
        raise InputError(f"cannot write {path} ({exc.strerror or exc})") from None


def _time_of_day(text: str, option: str = "--remind") -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{option} {shorten(text)} is not a time of day; use HH:MM") from None


def register(app: typer.Typer, plan: PlanSource | None = None) -> None:
    """Add the ``export`` sub-app (``ical``, ``report``, ``data``) to ``app``.

    ``plan`` supplies the current plan's days (the plan engine); without it, the plan
    comes from ``--plan-file`` or the stored plan state.
    """
    export_app = typer.Typer(
        help="Take your data out: the plan as a calendar, a report for your doctor or physio, "
        "or everything as JSON and CSV.",
        no_args_is_help=True,
    )
    app.add_typer(export_app, name="export")

    @export_app.command("ical")
    @cli_errors
    def ical(
        out: Annotated[Path, typer.Argument(metavar="OUT.ics", help="The calendar file to write.")],
        plan_file: PlanFileOption = None,
        remind: Annotated[
            str | None,
            typer.Option(
                "--remind",
                metavar="HH:MM",
                help="The reminder at this time of day (default: 15 minutes before each session).",
            ),
        ] = None,
        start_at: Annotated[
            str | None,
            typer.Option(
                "--at",
                metavar="HH:MM",
                help="When each session starts, in your time zone (default: 18:00).",
            ),
        ] = None,
        all_day: Annotated[
            bool,
            typer.Option(
                "--all-day",
                help="All-day events instead of timed ones (reminders only with --remind).",
            ),
        ] = False,
        units: UnitsOption = None,
    ) -> None:
        """The plan as an iCalendar file; importing it again updates the same events."""
        from hipcoach.exports.calendar import DEFAULT_AT, to_ical
        from hipcoach.services import preferred_units as preferred

        if all_day and start_at is not None:
            raise InputError("--at and --all-day exclude each other: choose a time or all-day")
        reminder = _time_of_day(remind, "--remind") if remind is not None else None
        at = _time_of_day(start_at, "--at") if start_at is not None else DEFAULT_AT
        days = load_plan(plan_file, plan)
        if not days:
            raise InputError(NO_PLAN)
        ics = to_ical(days, units=preferred(units), at=at, all_day=all_day, remind_at=reminder)
        _write(out, ics)
        first, last = min(d.day for d in days), max(d.day for d in days)
        console.print(
            f"Wrote {len(days)} day{'s' if len(days) != 1 else ''} ({first.isoformat()} to "
            f"{last.isoformat()}) to {out}. "
            "Import it into your calendar; exporting again updates the same events.",
            markup=False,
            soft_wrap=True,
        )

    @export_app.command("report")
    @cli_errors
    def report(
        out: Annotated[
            Path,
            typer.Argument(metavar="OUT.html|OUT.pdf", help="The report to write (HTML or PDF)."),
        ],
        plan_file: PlanFileOption = None,
        units: UnitsOption = None,
    ) -> None:
        """A one-page report for your doctor or physio from your latest assessment."""
        from hipcoach.exports.report import render_html, render_pdf
        from hipcoach.services import clinician_report
        from hipcoach.services import preferred_units as preferred

        suffix = out.suffix.lower()
        if suffix not in REPORT_SUFFIXES:
            raise InputError(f"{out}: the report's name must end in .html or .pdf")
        doc = clinician_report(today(), preferred(units), load_plan(plan_file, plan))
        if doc is None:
            raise InputError(NO_ASSESSMENT)
        data = render_pdf(doc) if suffix == ".pdf" else render_html(doc).encode("utf-8")
        _write(out, data)
        console.print(
            f"Wrote the report to {out} (assessment of {doc.assessed}).",
            markup=False,
            soft_wrap=True,
        )

    @export_app.command("data")
    @cli_errors
    def data(
        out: Annotated[
            Path,
            typer.Argument(metavar="OUT.zip|FOLDER", help="A .zip file, or a folder to fill."),
        ],
    ) -> None:
        """All your data (activities, pain diary, assessments, sessions) as JSON and CSV."""
        from hipcoach.exports.data import export_data
        from hipcoach.storage.db import open_engine

        # The plan as the latest assessment allows it, beside the raw tables.
        result = export_data(open_engine(), out, plan=load_plan(None, plan))
        counts = ", ".join(f"{n} {t}" for t, n in result.rows.items())
        console.print(
            f"Wrote {len(result.files)} files to {out}: {counts}.", markup=False, soft_wrap=True
        )
