"""The ``hipcoach`` command. Heavy imports happen inside commands, so ``--help`` starts fast."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from hipcoach import __version__
from hipcoach.cli.common import (
    DATA_DIR_HELP,
    cli_errors,
    console,
    data_dir_on_every_command,
    parse_json_or_yaml,
    read_text,
    use_data_dir,
)
from hipcoach.errors import InputError, shorten

app = typer.Typer(
    name="hipcoach",
    help=(
        "Hip pain in runners: how urgent it is, what it likely is, what to do — and why.\n\n"
        "hipcoach is not a doctor; where in doubt it sends you to one."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
kb_app = typer.Typer(help="Inspect and validate the clinical knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")


def _today() -> date:
    """The runner's local calendar day (activities are filed by local day)."""
    from hipcoach.services import local_today

    return local_today()


def _version(value: bool) -> None:
    if value:
        console.print(f"hipcoach {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="HIPCOACH_DATA_DIR",
            metavar="DIR",
            help=DATA_DIR_HELP + " Also accepted after the command.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    use_data_dir(data_dir)


UnitsOption = Annotated[
    str | None,
    typer.Option("--units", help="km or mi (default: HIPCOACH_UNITS, else km).", metavar="km|mi"),
]


def _kb() -> Any:
    from hipcoach.kb.load import load

    return load()


@app.command()
@cli_errors
def questions(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for other tools.")] = False,
) -> None:
    """List the questionnaire: ids, answer types, choices and when each is asked."""
    from hipcoach.cli.questions import print_questions
    from hipcoach.jsonviews import questions_json

    kb = _kb()
    if as_json:
        print(json.dumps(questions_json(kb), indent=2, ensure_ascii=False))
    else:
        print_questions(kb, console)


@app.command()
@cli_errors
def assess(
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            "-a",
            metavar="FILE|-",
            help='Answer from a JSON or YAML file ({"answers": {...}}); - reads stdin.',
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Ask every question instead of choosing adaptively.")
    ] = False,
    save: Annotated[
        Path | None,
        typer.Option("--save", help="Also write your answers to this JSON file, to re-run later."),
    ] = None,
    no_history: Annotated[
        bool,
        typer.Option("--no-history", help="Ignore your imported training history."),
    ] = False,
    no_store: Annotated[
        bool,
        typer.Option("--no-store", help="Do not keep this assessment (for the report and plan)."),
    ] = False,
    units: UnitsOption = None,
) -> None:
    """Assess hip pain: an interactive interview, or answers from a file with --answers."""
    from hipcoach.assess.answers import parse_answers
    from hipcoach.assess.engine import assess as run_assessment
    from hipcoach.cli.render import render

    kb = _kb()
    if answers is not None:
        text, name = read_text(answers)
        data = parse_json_or_yaml(text, name)
        if isinstance(data, dict) and "answers" in data:
            data = data["answers"]
        if data is None:
            data = {}
        parsed = parse_answers(kb, data)
    else:
        from hipcoach.cli.interview import run_interview

        parsed, _ = run_interview(kb, console, adaptive=not full)
    facts = []
    if not no_history:
        from hipcoach.services import history_facts
        from hipcoach.services import preferred_units as preferred

        facts = history_facts(units=preferred(units))
    result = run_assessment(kb, parsed, facts)
    if not no_store:
        from hipcoach.storage.db import open_engine
        from hipcoach.storage.diary import DiaryRepository

        DiaryRepository(open_engine()).save_assessment(
            answers=parsed, result=result.to_dict(), kb_version=kb.version
        )
    if save is not None:
        save.write_text(json.dumps({"answers": parsed}, indent=2) + "\n", encoding="utf-8")
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        from hipcoach.services import emergency_number

        render(result, console, emergency_number())


@app.command("eval")
@cli_errors
def evaluate(
    cases: Annotated[Path, typer.Argument(help="Labelled cases, one JSON object per line.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Run labelled cases and report top-1/top-3 accuracy and urgency exact/under/over."""
    from hipcoach.assess.evaluation import evaluate as run_eval
    from hipcoach.cli.cases import print_report, read_cases

    kb = _kb()
    report = run_eval(kb, read_cases(kb, cases))
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print_report(report, console)
    if report.under:
        raise typer.Exit(1)


@app.command("import")
@cli_errors
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files, folders, .gz files, or Strava / Garmin export zips.", metavar="PATH..."
        ),
    ],
    workers: Annotated[
        int | None, typer.Option("--workers", help="Parallel decoders (default: all cores).")
    ] = None,
) -> None:
    """Import your training history; bad files are skipped and reported, never fatal."""
    from hipcoach.cli.history import run_import

    run_import(paths, console, workers=workers)


@app.command()
@cli_errors
def activities(
    as_json: Annotated[bool, typer.Option("--json", help="Export all as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Export all as CSV.")] = False,
    sport: Annotated[
        str | None, typer.Option("--sport", help="Only this sport, e.g. running.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows shown in the table.")] = 30,
    units: UnitsOption = None,
) -> None:
    """List imported activities, or export them (CSV/JSON) to standard output."""
    from hipcoach.cli.history import list_activities
    from hipcoach.services import preferred_units as preferred

    fmt = "json" if as_json else "csv" if as_csv else "table"
    list_activities(console, fmt=fmt, sport=sport, since=None, units=preferred(units), limit=limit)


@app.command()
@cli_errors
def load(
    weeks: Annotated[int, typer.Option("--weeks", min=1, help="Weeks to show.")] = 12,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="YYYY-MM-DD", help="Show the load as it was on this day."),
    ] = None,
    units: UnitsOption = None,
) -> None:
    """Training load by week, the overuse patterns behind hip pain, and a volume chart."""
    from hipcoach.cli.load import render
    from hipcoach.jsonviews import load_json
    from hipcoach.services import load_report
    from hipcoach.services import preferred_units as preferred

    u = preferred(units)
    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise InputError(f"--as-of {shorten(as_of)} is not a date; use YYYY-MM-DD") from None
    history, flags = load_report(day, units=u, recent_weeks=None if day else weeks)
    if history is None:
        if as_json:
            print(json.dumps({"weeks": [], "flags": []}))
        else:
            console.print(
                "No activities yet. Import your history with [bold]hipcoach import PATH[/]."
            )
        return
    if as_json:
        print(json.dumps(load_json(history, flags, weeks), indent=2, default=str))
    else:
        if day is None and history.today != _today():
            console.print(
                f"[dim]Your latest activity is from {history.today.isoformat()}; showing the "
                "weeks up to then.[/]"
            )
        render(history, flags, weeks, u, console)


@app.command()
@cli_errors
def plan(
    answers: Annotated[
        str | None,
        typer.Option("--answers", "-a", metavar="FILE|-", help="Assessment answers (JSON/YAML)."),
    ] = None,
    goal: Annotated[
        str | None,
        typer.Option(
            "--goal", help="Prevention: a running plan to 5k, 10k, half, marathon or a distance."
        ),
    ] = None,
    weeks: Annotated[int, typer.Option("--weeks", min=1, help="Weeks to the goal.")] = 12,
    weekly: Annotated[
        float | None,
        typer.Option("--weekly", help="Your current weekly distance (in --units), if no history."),
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=84, help="Days to schedule.")] = 14,
    back_to_running: Annotated[
        bool,
        typer.Option("--return", help="The criteria-gated return-to-running programme instead."),
    ] = False,
    checks: Annotated[
        list[str] | None,
        typer.Option(
            "--check",
            metavar="CHECK=PAIN",
            help="With --return: a check you did and the worst pain in it (0-10), e.g. walk=0.",
        ),
    ] = None,
    cleared: Annotated[
        bool,
        typer.Option("--cleared", help="With --return: a doctor has cleared you to run."),
    ] = False,
    recovered: Annotated[
        bool,
        typer.Option(
            "--recovered", help="You are running again without pain: this episode is over."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    units: UnitsOption = None,
) -> None:
    """The treatment plan for your assessment, or (--goal) a running plan that prevents relapse."""
    from hipcoach import jsonviews
    from hipcoach.cli import plan as view

    if recovered:
        from hipcoach.services import mark_recovered

        mark_recovered()
        if not as_json:
            console.print("Marked as recovered: a build-up plan (--goal) is open again.")
    from hipcoach.services import preferred_units as preferred

    u = preferred(units)
    today = _today()
    if goal is not None:
        from hipcoach.services import running_plan

        advice = running_plan(goal, weeks, weekly, u, today)
        if as_json:
            print(json.dumps(jsonviews.running_json(advice), indent=2))
        else:
            view.render_running(advice.plan, u, console)
            view.print_advice(console, "Shoes", advice.shoes)
            view.print_advice(console, "Running form", [advice.form.cadence, *advice.form.cues])
        return
    from hipcoach.services import keep_plan_days, treatment_for

    data: Any = None
    if answers is not None:
        text, name = read_text(answers)
        data = parse_json_or_yaml(text, name)
        if isinstance(data, dict) and "answers" in data:
            data = data["answers"]
        data = data or {}
    treatment = treatment_for(data, start=today, days=days)
    if treatment is None:
        raise InputError(
            "no assessment yet: run `hipcoach assess` first (or give answers with "
            "--answers FILE), or ask for a running plan with --goal"
        )
    if back_to_running:
        from rich.table import Table

        from hipcoach.services import keep_plan_days, record_checks, return_to_run

        if checks or cleared:
            record_checks(_check_results(checks or []), cleared_by_clinician=cleared)
            treatment = treatment_for(data, start=today, days=days) or treatment
        rtr = return_to_run(today, treatment)
        not_yet = None if rtr.not_yet is None else rtr.not_yet.text
        if not_yet is None:
            keep_plan_days(rtr.days)
        if as_json:
            print(json.dumps(jsonviews.return_json(rtr), indent=2))
        else:
            view.print_advice(console, "Before you start", list(rtr.before_you_start))
            view.print_advice(console, "Tests to pass first", list(rtr.gates))
            if not_yet is not None:
                console.print(f"[bold yellow]{not_yet}[/]")
                console.print(
                    "Record each check with --check, e.g. "
                    "[bold]hipcoach plan --return --check walk=0 --check single_leg_stance=0[/]"
                )
            view.print_advice(console, "If it hurts", [rtr.on_pain])
            table = Table(title="Walk–run programme", title_justify="left")
            table.add_column("day")
            table.add_column("what")
            for d in rtr.days:
                table.add_row(d.day.strftime("%a %d %b"), d.title)
            if not rtr.days:
                for step in rtr.steps:
                    table.add_row(f"day {step.day}", step.title)
            console.print(table)
        return
    keep_plan_days(treatment.days)
    if as_json:
        print(json.dumps(jsonviews.plan_json(treatment), indent=2, ensure_ascii=False))
    else:
        view.render(treatment, console)


def _check_results(items: list[str]) -> dict[str, float]:
    """``--check walk=0`` options as {check id: pain}; InputError naming a bad one."""
    out: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise InputError(f"--check {shorten(item)}: write CHECK=PAIN, e.g. walk=0 (pain 0-10)")
    return out


@app.command()
@cli_errors
def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on (this computer only by default); beyond it, e.g. "
            "0.0.0.0, an access token is required.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port (1-65535).")] = 8765,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="HIPCOACH_TOKEN",
            help="Access token every request must carry (16+ letters, digits, . _ ~ -). "
            "Required with an address beyond this computer.",
        ),
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Another name this server is reached by (a DNS name, an address); repeat "
            "for more. Any other Host is refused (DNS rebinding).",
        ),
    ] = None,
) -> None:
    """Start the web app in your browser (JSON API under /api/). Local only: your data
    stays on this computer. Beyond it (--host 0.0.0.0), every request needs --token."""
    import secrets
    import socket

    import uvicorn

    from hipcoach.web.api import create_app
    from hipcoach.web.security import (
        WILDCARD,
        allowed_names,
        check_token,
        hosts_for,
        is_loopback,
    )
    from hipcoach.web.security import primary_address as lan_address

    if token is not None:
        try:
            check_token(token)
        except ValueError as exc:
            raise InputError(f"--token / HIPCOACH_TOKEN: {exc}") from None
    elif not is_loopback(host):
        raise InputError(
            f"--host {host[:60]} would let other computers reach your health data, so it "
            "needs an access token: add --token TOKEN (or set HIPCOACH_TOKEN), e.g. "
            f"--token {secrets.token_urlsafe(24)}"
        )
    if host in WILDCARD:
        shown = lan_address() or "127.0.0.1"
    else:
        shown = f"[{host}]" if ":" in host else host
    # Bind first, so a busy port is one clear line instead of a server that starts and dies.
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except (OSError, OverflowError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise InputError(
            f"cannot listen on {host[:60]}:{port} ({reason}); is hipcoach already "
            f"running at http://{shown}:{port}/ ? Otherwise choose another port with --port"
        ) from None
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    console.print(
        f"hipcoach is running: open [bold]{url}[/] in your browser (Ctrl-C to stop).",
        soft_wrap=True,
    )
    if not is_loopback(host):
        console.print(
            "[yellow]Listening beyond this computer: anyone on your network who has the "
            "address with its token can see your health data.[/]"
        )
    try:
        extra = allowed_names(allow_host or [], port)
    except ValueError as exc:
        raise InputError(f"--allow-host: {exc}") from None
    app = create_app(allowed_hosts=hosts_for(host, port) | extra, token=token)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])


@kb_app.command("check")
@cli_errors
def kb_check(
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Check this knowledge-base folder instead.")
    ] = None,
) -> None:
    """Validate the knowledge base: ids, sources, probabilities, reachability."""
    from hipcoach.kb.check import check

    problems, summary = check(directory)
    for line in summary:
        console.print(line)
    if problems:
        for p in problems:
            console.print(f"[red]✗[/] {p}", soft_wrap=True)
        console.print(f"[bold red]{len(problems)} problem(s) found.[/]")
        raise typer.Exit(1)
    console.print("[bold green]✓ knowledge base is valid.[/]")


def _register_extras() -> None:
    """Diary, guided sessions and exports: they read the plan stored by `hipcoach plan`."""
    from hipcoach.cli import diary as diary_cli
    from hipcoach.cli import export as export_cli
    from hipcoach.cli import session as session_cli

    diary_cli.register(app)
    session_cli.register(app)
    export_cli.register(app)


_register_extras()
data_dir_on_every_command(app)


def main() -> None:
    app()
