"""The programme's JSON API: exercises, today's session, session logs, the calendar, downloads.

Routes only validate and call the services the CLI uses (``hipcoach.services``), so a field
here means what it means in ``hipcoach plan --json``. Bad input is a 422 with one clear
``{"error": ...}`` message, like the rest of the API — also for a malformed body, which
FastAPI would otherwise answer with its own list of errors (see :class:`ClearErrors`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Coroutine
from datetime import date
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hipcoach.diary import SessionLog
from hipcoach.errors import InputError
from hipcoach.plan.library import Exercise
from hipcoach.plan.schedule import PlannedDay

if TYPE_CHECKING:
    from hipcoach.exports.report import Report

NO_ASSESSMENT = "no assessment yet: do the hip check first (POST your answers to /api/assess)"


def validation_message(errors: Any) -> str:
    """FastAPI/pydantic errors as one sentence: the first problem, where it is, in words."""
    err = next(iter(errors))
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
    msg = str(err.get("msg", "invalid input")).removeprefix("Value error, ")
    return f"{'.'.join(loc)}: {msg}" if loc else msg


class ClearErrors(APIRoute):
    """A route whose invalid requests get the API's one-message 422 instead of FastAPI's list."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def clear(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return JSONResponse({"error": validation_message(exc.errors())}, status_code=422)

        return clear


router = APIRouter(prefix="/api", route_class=ClearErrors, tags=["programme"])


# --- exercises ------------------------------------------------------------------------------


def exercise_by_id(exercise_id: str) -> Exercise:
    """The library's exercise, or a 404 (an unknown id is a missing page, not bad input)."""
    from hipcoach.plan.library_load import load_library

    for ex in load_library().exercises:
        if ex.id == exercise_id:
            return ex
    raise HTTPException(404, f"no exercise {exercise_id!r} in the library")


@functools.cache
def illustration_alt(exercise_id: str) -> str:
    """The drawing's alt text: the title the SVG carries (our own drawings all have one)."""
    ex = exercise_by_id(exercise_id)
    svg = illustration_bytes(ex).decode("utf-8", "replace")
    found = re.search(r"<title>(.*?)</title>", svg, re.S)
    title = found.group(1).strip() if found else ex.name
    return f"Line drawing: {title}"


def illustration_bytes(ex: Exercise) -> bytes:
    return (resources.files("hipcoach.knowledge") / "illustrations" / ex.illustration).read_bytes()


def exercise_json(ex: Exercise) -> dict[str, Any]:
    """The library entry as stored, plus where its drawing is, its alt text and the dosage
    in words (the same words as the session player and the calendar)."""
    from hipcoach.plan.schedule import SessionItem
    from hipcoach.sessions.player import dosage_text

    d = ex.dosage
    item = SessionItem(
        ex.id, ex.name, d.sets or 1, d.reps, d.hold_s, d.minutes, d.per_side, d.rest_s
    )
    return {
        **ex.model_dump(mode="json"),
        "dosage_text": dosage_text(item),
        "illustration_url": f"/illustrations/{ex.id}.svg",
        "illustration_alt": illustration_alt(ex.id),
    }


@router.get("/exercises", summary="The exercise library (filter with ?kind=)")
def exercises(kind: str | None = None) -> list[dict[str, Any]]:
    from hipcoach.plan.library_load import load_library

    return [exercise_json(e) for e in load_library().exercises if kind in (None, "", e.kind)]


@router.get("/exercises/{exercise_id}", summary="One exercise: steps, cues, dosage, never_for")
def exercise(exercise_id: str) -> dict[str, Any]:
    return exercise_json(exercise_by_id(exercise_id))


# --- today's session ------------------------------------------------------------------------


def todays_session(day: date) -> dict[str, Any]:
    """Today's session for a player: the planned day, its items and steps, the next session,
    and why there is none (urgent result, rest day). Raises when there is no assessment."""
    from hipcoach.services import (
        awaiting_next_morning,
        plan_days,
        sessions_as_played,
        treatment_for,
    )
    from hipcoach.sessions.steps import player_json

    plan = treatment_for(None, start=day)
    if plan is None:
        raise InputError(NO_ASSESSMENT)
    days = plan_days(day, plan)
    todays = sessions_as_played([d for d in days if d.day == day], plan.policy)
    items = [it for d in todays for it in d.items]
    later = sorted((d for d in days if d.day > day and d.items), key=lambda d: d.day)
    waiting = awaiting_next_morning(day)
    first: PlannedDay | None = todays[0] if todays else None
    return {
        "date": day.isoformat(),
        "title": first.title if first else None,
        "kind": first.kind if first else None,
        "description": first.description if first else None,
        "uid_key": (first.uid_key if first else "") or f"day:{day.isoformat()}",
        **player_json(items),
        "next": None if not later else {"date": later[0].day.isoformat(), "title": later[0].title},
        "no_programme": None if plan.no_programme is None else plan.no_programme.text,
        "urgency": plan.urgency,
        "awaiting_next_morning": None if waiting is None else waiting.to_dict(),
    }


@router.get("/session/today", summary="Today's session: items, dosage and the player's steps")
def session_today(
    on: Annotated[date | None, Query(alias="date", description="Another day (YYYY-MM-DD).")] = None,
) -> dict[str, Any]:
    from hipcoach.services import local_today

    return todays_session(check_day(on) or local_today())


# --- session logs -------------------------------------------------------------------------


EARLIEST = date(1900, 1, 1)


def check_day(day: date | None) -> date | None:
    """A session or pain rating is on a real day of a runner's life: not before 1900."""
    if day is not None and day < EARLIEST:
        raise InputError(f"the date {day.isoformat()} is too long ago")
    return day


def day_value(value: date | None) -> date | None:
    try:
        return check_day(value)
    except InputError as exc:
        raise ValueError(str(exc)) from None


def pain_value(value: object) -> int:
    """The diary's 0–10 rule (whole numbers; "3" is fine), as a pydantic validation error."""
    from hipcoach.diary import parse_pain

    try:
        return parse_pain(value)
    except InputError as exc:
        raise ValueError(str(exc)) from None


class ItemDone(BaseModel):
    """What was done of one exercise (the terminal player's ``ItemLog.to_dict()``)."""

    model_config = ConfigDict(extra="forbid")

    exercise_id: str = Field(min_length=1, max_length=100)
    name: str = Field(default="", max_length=300)
    status: Literal["done", "skipped", "stopped", "not_reached"]
    sets_planned: int = Field(default=1, ge=0, le=100)
    sets_done: int = Field(default=0, ge=0, le=100)
    reps: dict[str, Annotated[int, Field(ge=0, le=10000)]] = Field(default_factory=dict)
    holds: dict[str, Annotated[int, Field(ge=0, le=10000)]] = Field(default_factory=dict)
    seconds: int = Field(default=0, ge=0, le=86400)
    repeats: int = Field(default=0, ge=0, le=1000)
    elapsed_s: int | None = Field(default=None, ge=0, le=86400)


class SessionIn(BaseModel):
    """A played session: the pain during it (0–10) and what was done (each item's
    ``elapsed_s`` is the clock time it really took). The same day's session logged again
    replaces the first log; sent without items, it keeps the first log's items."""

    model_config = ConfigDict(extra="forbid")

    pain_during: int = Field(description="Worst pain during the session, 0 (none) to 10.")
    date: dt.date | None = Field(default=None, description="The day played (default: today).")
    uid_key: str | None = Field(
        default=None, max_length=200, description="The planned day's key (default: today's)."
    )
    items: list[ItemDone] = Field(default_factory=list, max_length=100)

    @field_validator("pain_during", mode="before")
    @classmethod
    def _pain(cls, value: object) -> int:
        return pain_value(value)

    @field_validator("date")
    @classmethod
    def _date(cls, value: dt.date | None) -> dt.date | None:
        return day_value(value)


def parse_session(data: Any) -> SessionIn:
    """A :class:`SessionIn` from a form or any JSON, or InputError with one clear message."""
    try:
        return SessionIn.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_message(exc.errors())) from None


ACTION_WORDS = {
    "advance": "Move up a step",
    "hold": "Stay at this level",
    "step_back": "Go back a step",
}


SETTLED = ", settled by the next morning"


def session_outcome(log: SessionLog) -> dict[str, Any]:
    """A stored session and what its pain means: the pain-monitoring model's advice and the
    programme's move (final only when the pain alone steps it back)."""
    from hipcoach.services import session_outlook
    from hipcoach.sessions.player import pain_advice

    out: dict[str, Any] = {
        "session": log.to_dict(),
        "minutes": None if log.elapsed_s is None else max(1, round(log.elapsed_s / 60)),
        "advice": None,
        "progression": None,
    }
    if log.pain_during is None:
        return out
    decision = session_outlook(log.pain_during, log.day)
    final = decision.action == "step_back"
    out["advice"] = pain_advice(log.pain_during)
    # Before the next-morning rating nothing has settled yet: the outlook's reason must not
    # say so (the heading says the outlook waits for tomorrow morning).
    reason = decision.reason if final else decision.reason.replace(SETTLED, "")
    out["progression"] = {
        "action": decision.action,
        "words": ACTION_WORDS[decision.action],
        "reason": reason,
        "sources": list(decision.source),
        "final": final,
        "note": "Pain above the acceptable limit steps the programme back whatever tomorrow brings."
        if final
        else "Nothing changes yet: tomorrow morning's rating decides. If your hip is then no "
        "worse than it was this morning, this is what happens.",
    }
    return out


def log_session(body: SessionIn) -> dict[str, Any]:
    """Store the session like ``hipcoach session`` and say what it means for the programme."""
    from hipcoach.services import local_today, log_played_session

    today = local_today()
    day = body.date or today
    if day > today:
        raise InputError(f"the date {day.isoformat()} is in the future; log a session once played")
    uid_key = body.uid_key
    if not uid_key:
        try:
            uid_key = str(todays_session(day)["uid_key"])
        except InputError:
            uid_key = f"day:{day.isoformat()}"
    items = [i.model_dump() for i in body.items]
    earlier = [s for s in logs_on(day) if s.uid_key == uid_key]
    replaced = bool(earlier)
    if earlier and not items:
        items = earlier[-1].items  # only the pain given again: it updates the first log
    outcome = session_outcome(log_played_session(day, uid_key, items, body.pain_during))
    return {**outcome, "replaced": replaced}


def logs_on(day: date) -> list[SessionLog]:
    from hipcoach.services import has_history
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    if not has_history():
        return []
    return [s for s in DiaryRepository(open_engine()).session_logs(since=day) if s.day == day]


@router.post(
    "/sessions",
    status_code=201,
    summary="Log a played session with its pain; returns what it means for the programme. "
    "Logging the same day's session again replaces the first log (one entry per day).",
)
def post_session(body: SessionIn) -> dict[str, Any]:
    return log_session(body)


@router.get("/sessions", summary="Played sessions, oldest first")
def sessions(since: date | None = None) -> list[dict[str, Any]]:
    from hipcoach.services import has_history
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    if not has_history():
        return []
    return [s.to_dict() for s in DiaryRepository(open_engine()).session_logs(since=since)]


class MorningIn(BaseModel):
    """The next-morning pain rating that judges yesterday's session."""

    model_config = ConfigDict(extra="forbid")

    pain: int = Field(description="Pain this morning, 0 (none) to 10.")
    where: str = Field(description="Where it hurts: a location id of the questionnaire.")
    date: dt.date | None = Field(default=None, description="The morning (default: today).")

    @field_validator("pain", mode="before")
    @classmethod
    def _pain(cls, value: object) -> int:
        return pain_value(value)

    @field_validator("date")
    @classmethod
    def _date(cls, value: dt.date | None) -> dt.date | None:
        return day_value(value)


@router.post(
    "/sessions/next-morning",
    summary="Rate the next morning's pain (as `hipcoach diary add --when next_morning`)",
)
def next_morning(body: MorningIn) -> dict[str, Any]:
    from hipcoach.services import local_today, record_next_morning

    entry, decision = record_next_morning(body.pain, body.where, local_today(), body.date)
    return {"entry": entry.to_dict(), "progression": decision}


# --- calendar -------------------------------------------------------------------------------


@router.get("/calendar", summary="The plan calendar: planned days beside what was done")
def calendar(
    weeks_back: Annotated[int, Query(ge=0, le=52)] = 4,
    weeks_ahead: Annotated[int, Query(ge=0, le=12)] = 2,
) -> dict[str, Any]:
    from hipcoach.services import local_today, plan_calendar

    today = local_today()
    days = plan_calendar(today, weeks_back, weeks_ahead)
    return {"today": today.isoformat(), "days": [d.to_dict() for d in days]}


# --- downloads ------------------------------------------------------------------------------


def download(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def time_of_day(text: str | None, field: str = "at") -> dt.time:
    """``HH:MM`` (24-hour) as a time, or InputError saying what is expected."""
    from hipcoach.errors import shorten

    value = (text or "").strip()
    try:
        if not re.fullmatch(r"\d{1,2}:\d{2}", value):
            raise ValueError(value)
        hour, minute = (int(x) for x in value.split(":"))
        return dt.time(hour, minute)
    except ValueError:
        raise InputError(
            f"{field}: {shorten(value) if value else 'nothing'} is not a time of day; use HH:MM, "
            "e.g. 18:00"
        ) from None


def plan_ics(base_url: str, at: dt.time | None = None, all_day: bool = False) -> Response:
    """The plan as iCalendar: ``hipcoach export ical``, with each day's session linked to the
    web player at ``base_url``; events at ``at`` (local time) or all-day."""
    from hipcoach.exports.calendar import DEFAULT_AT, to_ical
    from hipcoach.services import local_today, played_days, preferred_units

    today = local_today()
    days = played_days(today)
    if not days:
        raise InputError(
            "no plan to put in a calendar: do the hip check first; an urgent result has no "
            "programme"
        )
    data = to_ical(
        days,
        units=preferred_units(),
        at=at or DEFAULT_AT,
        all_day=all_day,
        base_url=base_url,
    )
    return download(data, "text/calendar; charset=utf-8", "hipcoach-plan.ics")


def _report() -> Report:
    """Today's clinician's report, bound by the latest assessment's safety policy."""
    from hipcoach.services import (
        clinician_report,
        local_today,
        played_days,
        preferred_units,
    )

    today = local_today()
    doc = clinician_report(today, preferred_units(), played_days(today))
    if doc is None:
        raise InputError(NO_ASSESSMENT)
    return doc


def report(fmt: Literal["pdf", "html"]) -> Response:
    """The clinician's report: ``hipcoach export report OUT.pdf|OUT.html``."""
    from hipcoach.exports.report import render_html, render_pdf

    doc = _report()
    name = f"hipcoach-report-{doc.generated.isoformat()}.{fmt}"
    if fmt == "pdf":
        return download(render_pdf(doc), "application/pdf", name)
    return download(render_html(doc).encode("utf-8"), "text/html; charset=utf-8", name)


def report_page_html(stylesheet: str) -> str:
    """The report as a page of the app: the same HTML, its styles linked from ``stylesheet``."""
    from hipcoach.exports.report import render_html

    return render_html(_report(), stylesheet=stylesheet)


def data_zip() -> Response:
    """Everything as CSV and JSON: ``hipcoach export data OUT.zip``."""
    from hipcoach.services import data_zip as build
    from hipcoach.services import local_today

    return download(build(), "application/zip", f"hipcoach-data-{local_today().isoformat()}.zip")


def _file(media_type: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entry of a file download (binary, with its media type)."""
    body = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": "A file download.", "content": {media_type: body}}}


@router.get(
    "/export/plan.ics",
    summary="The plan as iCalendar: events at a time of day with a reminder, or all-day",
    responses=_file("text/calendar"),
)
def export_ics(
    request: Request,
    at: Annotated[
        str | None, Query(max_length=20, description="Local time of the events, HH:MM (18:00).")
    ] = None,
    all_day: Annotated[bool, Query(description="All-day events instead.")] = False,
) -> Response:
    when = time_of_day(at) if at else None
    return plan_ics(str(request.base_url), when, all_day)


@router.get(
    "/export/report.pdf", summary="The clinician's report (PDF)", responses=_file("application/pdf")
)
def export_pdf() -> Response:
    return report("pdf")


@router.get(
    "/export/report.html", summary="The clinician's report (HTML)", responses=_file("text/html")
)
def export_html() -> Response:
    return report("html")


@router.get(
    "/export/data.zip", summary="All your data as CSV and JSON", responses=_file("application/zip")
)
def export_data() -> Response:
    return data_zip()
