"""The programme pages: the plan, the exercise library, today's session player, downloads.

Server-rendered and readable without JavaScript; only the guided player needs it (and says
so in a ``<noscript>``). Without JavaScript the session can still be logged with the plain
form under the player. Routes hold no clinical logic: they call ``hipcoach.services`` and the
JSON API's helpers (:mod:`hipcoach.web.programme_api`), so a page shows what the API returns.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from hipcoach.errors import InputError
from hipcoach.web import programme_api as api

router = APIRouter()
router.include_router(api.router)

KIND_WORDS = {
    "stretch": "Stretch",
    "strength": "Strength",
    "isometric": "Isometric (holds)",
    "mobility": "Mobility",
    "warm_up": "Warm-up",
    "cool_down": "Cool-down",
    "cross_training": "Cross-training",
    "walk_run": "Walk–run",
}
DAY_WORDS = {
    "rehab": "Exercises",
    "run": "Run",
    "walk_run": "Walk–run",
    "strength": "Strength",
    "cross_training": "Cross-training",
    "rest": "Rest",
}


def _page(request: Request, name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    from hipcoach.web.pages import page

    return page(
        request,
        name,
        status_code=status_code,
        **{"kind_words": KIND_WORDS, "day_words": DAY_WORDS, **context},
    )


def _regions() -> tuple[dict[str, str], str | None]:
    """The pain locations for the next-morning form, and the one from the latest assessment."""
    from hipcoach.diary import regions
    from hipcoach.kb.load import load
    from hipcoach.services import has_history
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    known = regions(load())
    stored = DiaryRepository(open_engine()).latest_assessment() if has_history() else None
    where = stored.answers.get("location") if stored else None
    first = next((w for w in where if w in known), None) if isinstance(where, list) else None
    return known, first


def _library() -> dict[str, Any]:
    from hipcoach.plan.library_load import load_library

    return {e.id: e for e in load_library().exercises}


# --- the programme --------------------------------------------------------------------------


def _programme(
    request: Request, *, status_code: int = 200, morning_error: str | None = None
) -> HTMLResponse:
    from hipcoach.services import (
        awaiting_next_morning,
        local_today,
        plan_calendar,
        plan_days,
        preferred_units,
        sessions_as_played,
        treatment_for,
    )
    from hipcoach.sessions.calendar import weeks
    from hipcoach.sessions.player import dosage_text
    from hipcoach.units import distance

    today = local_today()
    plan = treatment_for(None, start=today)
    if plan is None:
        return _page(request, "programme.html", plan=None, status_code=status_code)
    days = plan_days(today, plan)
    todays = sessions_as_played([d for d in days if d.day == today], plan.policy)
    later = sorted((d for d in days if d.day > today and d.items), key=lambda d: d.day)
    known, where = _regions()
    from hipcoach.exports.calendar import DEFAULT_AT, readable

    return _page(
        request,
        "programme.html",
        status_code=status_code,
        plan=plan,
        readable=readable,
        ics_at=DEFAULT_AT.strftime("%H:%M"),
        today=today,
        todays=todays,
        items=[it for d in todays for it in d.items],
        next_day=later[0] if later else None,
        weeks=_from_first_activity(weeks(plan_calendar(today))),
        dosage=dosage_text,
        library=_library(),
        waiting=awaiting_next_morning(today),
        regions=known,
        where=where,
        morning_error=morning_error,
        units=preferred_units(),
        distance=distance,
    )


def _from_first_activity(rows: list[list[Any]]) -> list[list[Any]]:
    """The calendar's weeks from the first with anything planned or done (a new plan
    need not open on a month of empty weeks)."""
    while rows and all(d.status == "none" for d in rows[0]):
        rows = rows[1:]
    return rows


@router.get("/programme", response_class=HTMLResponse)
def programme(request: Request) -> HTMLResponse:
    return _programme(request)


@router.get("/programme/exercises", response_class=HTMLResponse)
def exercises(request: Request, kind: str | None = None) -> HTMLResponse:
    from hipcoach.plan.library_load import load_library

    chosen = kind if kind in KIND_WORDS else None
    shown = [api.exercise_json(e) for e in load_library().exercises if chosen in (None, e.kind)]
    return _page(request, "exercises.html", exercises=shown, kind=chosen)


@router.get("/programme/exercises/{exercise_id}", response_class=HTMLResponse)
def exercise(request: Request, exercise_id: str) -> HTMLResponse:
    from hipcoach.kb.load import load

    ex = api.exercise_by_id(exercise_id)
    kb = load()
    ids = [*ex.dosage.source, *ex.source]
    sources = {s: kb.sources[s] for s in dict.fromkeys(ids) if s in kb.sources}
    names = {c.id: c.short_name for c in kb.conditions}
    return _page(request, "exercise.html", ex=api.exercise_json(ex), sources=sources, names=names)


@router.get("/illustrations/{exercise_id}.svg")
def illustration(exercise_id: str) -> Response:
    """An exercise's drawing from the package (unknown ids: 404, never a file path)."""
    ex = api.exercise_by_id(exercise_id)
    return Response(
        api.illustration_bytes(ex),
        media_type="image/svg+xml",
        headers={"Cache-Control": "max-age=3600"},
    )


# --- today's session ------------------------------------------------------------------------


def _session_page(
    request: Request,
    *,
    error: str | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
    on: date | None = None,
) -> HTMLResponse:
    from hipcoach.services import local_today

    today = local_today()
    day = on or today
    try:
        session = api.todays_session(day)
    except InputError:
        session = None
    library = _library()
    key = None if session is None else session["uid_key"]
    logged_before = any(s.uid_key == key for s in api.logs_on(day)) if key else False
    from hipcoach.plan.rules import load_rules

    pain = load_rules().pain_monitoring
    return _page(
        request,
        "session.html",
        status_code=status_code,
        pain_safe=int(pain.safe_max.value),
        pain_acceptable=int(pain.acceptable_max.value),
        pain_settle_h=int(pain.settle_within_hours.value),
        pain_sources=", ".join(pain.source),
        session=session,
        other_day=None if day == today else day.strftime("%A %d %B %Y"),
        logged_before=logged_before,
        library=library,
        error=error,
        values=values or {},
        alts={i["exercise_id"]: api.illustration_alt(i["exercise_id"])
              for i in (session or {}).get("items", []) if i["exercise_id"] in library},
    )  # fmt: skip


@router.get("/session", response_class=HTMLResponse)
def session(request: Request, on: str | None = Query(None, alias="date")) -> HTMLResponse:
    """Today's session, or another day's (``?date=YYYY-MM-DD``, the calendar's link)."""
    from hipcoach.services import local_today

    if on is None:
        return _session_page(request)
    try:
        day = api.check_day(date.fromisoformat(on.strip()))
    except (ValueError, InputError):
        from hipcoach.errors import shorten

        raise HTTPException(
            422, f"date {shorten(on)} is not a day; use YYYY-MM-DD, e.g. {local_today()}"
        ) from None
    return _session_page(request, on=day)


def _items_from_form(form: Any, planned: list[dict[str, Any]]) -> list[Any]:
    """What was done: the player's log (JSON) when JavaScript ran, else the ticked boxes."""
    log = str(form.get("log") or "").strip()
    if log:
        try:
            items = json.loads(log)
        except ValueError:
            raise InputError("the player's record of the session is damaged; tick the "
                             "exercises you did instead") from None  # fmt: skip
        if not isinstance(items, list):
            raise InputError("the player's record of the session is damaged")
        return items
    ticked = {str(v) for v in form.getlist("done")}
    return [
        {
            "exercise_id": it["exercise_id"],
            "name": it["name"],
            "status": "done" if it["exercise_id"] in ticked else "skipped",
            "sets_planned": it["sets"],
            "sets_done": it["sets"] if it["exercise_id"] in ticked else 0,
        }
        for it in planned
    ]


@router.post("/session", response_class=HTMLResponse)
async def session_post(request: Request) -> Response:
    """Log the session from the form; on bad input show the form again with the message."""
    from hipcoach.services import local_today

    form = await request.form()
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if k != "done"}
    values["done"] = [str(v) for v in form.getlist("done")]
    try:
        day = date.fromisoformat(str(form.get("date") or local_today().isoformat()))
    except ValueError:
        day = local_today()
    try:
        session = api.todays_session(day)
        body = api.parse_session(
            {
                "pain_during": form.get("pain_during"),
                "date": day.isoformat(),
                "uid_key": str(form.get("uid_key") or session["uid_key"]),
                "items": _items_from_form(form, session["items"]),
            }
        )
        result = api.log_session(body)
    except InputError as exc:
        message = str(exc)
        if message.startswith("pain_during: "):
            message = message.removeprefix("pain_during: ")
        message = message[0].upper() + message[1:]
        return _session_page(request, error=message, values=values, status_code=422, on=day)
    again = "&replaced=1" if result.get("replaced") else ""
    return RedirectResponse(f"/session/logged?id={result['session']['id']}{again}", status_code=303)


@router.get("/session/logged", response_class=HTMLResponse)
def session_logged(
    request: Request, id: int = Query(..., ge=1), replaced: bool = False
) -> HTMLResponse:
    from hipcoach.services import has_history
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    logs = DiaryRepository(open_engine()).session_logs() if has_history() else []
    log = next((s for s in logs if s.id == id), None)
    if log is None:
        raise HTTPException(404, f"no session {id} in your log")
    known, where = _regions()
    return _page(
        request,
        "session_done.html",
        outcome=api.session_outcome(log),
        replaced=replaced,
        regions=known,
        where=where,
    )


@router.post("/session/next-morning", response_class=HTMLResponse)
async def next_morning(request: Request) -> HTMLResponse:
    """The next-morning rating from the programme page; the programme moves on, holds or
    steps back, said in words."""
    from hipcoach.services import local_today, record_next_morning

    form = await request.form()
    try:
        entry, decision = record_next_morning(form.get("pain"), form.get("where"), local_today())
    except InputError as exc:
        message = str(exc)
        return _programme(request, status_code=422, morning_error=message[0].upper() + message[1:])
    from hipcoach.diary import programme_move

    move = None
    if decision:
        action, _, reason = decision.partition(": ")
        move = {"words": api.ACTION_WORDS.get(action, action), "reason": reason}
    return _page(
        request,
        "session_done.html",
        morning=entry,
        move=move,
        said=programme_move(decision, entry.when),
        outcome=None,
    )
