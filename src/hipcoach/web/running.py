"""Back to running and building up safely: the criteria-gated return to running
(`hipcoach plan --return`) and the prevention running plan (`hipcoach plan --goal`).

Looking at either plan changes nothing; "Follow this plan" makes its days the plan that the
session player, the calendar and the exports follow, as the CLI does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from hipcoach.errors import InputError
from hipcoach.services import local_today

router = APIRouter()

GOALS = ("5k", "10k", "half", "marathon")



@router.get("/api/plan/running", summary="A running plan to a goal (`hipcoach plan --goal --json`)")
def running_api(
    goal: str = Query(..., max_length=20, description="5k, 10k, half, marathon, or e.g. 15km."),
    weeks: int = Query(12, ge=1, le=52),
    weekly: float | None = Query(
        None, ge=0, le=500, description="Current weekly distance (your units) without a history."
    ),
) -> dict[str, Any]:
    from hipcoach.jsonviews import running_json
    from hipcoach.services import preferred_units, running_plan

    return running_json(running_plan(goal, weeks, weekly, preferred_units(), local_today()))


@router.get("/api/plan/return", summary="The return to running (`hipcoach plan --return --json`)")
def return_api() -> dict[str, Any]:
    from hipcoach.jsonviews import return_json
    from hipcoach.services import return_to_run

    return return_json(return_to_run(local_today()))


@router.get("/programme/running", response_class=HTMLResponse)
def running_page(
    request: Request,
    goal: str | None = Query(None, max_length=20),
    weeks: int | None = Query(None),
    weekly: str | None = Query(None, max_length=20),
) -> HTMLResponse:
    from hipcoach.services import has_history, preferred_units, running_plan
    from hipcoach.units import distance
    from hipcoach.web.pages import page

    units = preferred_units()
    values = {"goal": goal or "10k", "weeks": weeks or 12, "weekly": weekly or ""}
    advice, error, status = None, None, 200
    if goal:
        try:
            if weeks is None or not 1 <= weeks <= 52:
                raise InputError("Weeks to the goal: give a whole number from 1 to 52")
            current = _weekly(weekly)
            advice = running_plan(goal, weeks, current, units, local_today())
        except InputError as exc:
            error, status = str(exc), 422
    return page(
        request,
        "running.html",
        status_code=status,
        advice=advice,
        error=error,
        values=values,
        goals=GOALS,
        units=units,
        history=has_history(),
        dist=lambda m: distance(m, units),
    )


def _weeks(text: str) -> int:
    try:
        weeks = int(text)
    except ValueError:
        weeks = 0
    if not 1 <= weeks <= 52:
        raise InputError("Weeks to the goal: give a whole number from 1 to 52")
    return weeks


def _weekly(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"Current weekly distance: {text!r} is not a number") from None
    if not 0 <= value <= 500:
        raise InputError("Current weekly distance: give a number from 0 to 500")
    return value


@router.post("/programme/running", response_class=HTMLResponse, response_model=None)
async def running_follow(request: Request) -> HTMLResponse | RedirectResponse:
    from hipcoach.services import keep_plan_days, preferred_units, running_plan

    form = await request.form()
    goal = str(form.get("goal") or "")
    try:
        weeks = _weeks(str(form.get("weeks") or ""))
        advice = running_plan(
            goal, weeks, _weekly(str(form.get("weekly") or "")), preferred_units(), local_today()
        )
    except InputError as exc:
        return _error(request, str(exc))
    keep_plan_days(advice.plan.days)
    return RedirectResponse("/programme", status_code=303)


def _error(request: Request, message: str) -> HTMLResponse:
    from hipcoach.web.pages import page

    return page(
        request, "error.html", status_code=422, title="That did not work", message=message
    )


@router.get("/programme/return", response_class=HTMLResponse)
def return_page(request: Request) -> HTMLResponse:
    from hipcoach.services import return_to_run
    from hipcoach.web.pages import page

    try:
        rtr, reason = return_to_run(local_today()), None
    except InputError as exc:
        rtr, reason = None, str(exc)
    return page(request, "return.html", rtr=rtr, reason=reason)


@router.post("/programme/return", response_class=HTMLResponse, response_model=None)
def return_follow(request: Request) -> HTMLResponse | RedirectResponse:
    from hipcoach.services import keep_plan_days, return_to_run

    try:
        rtr = return_to_run(local_today())
    except InputError as exc:
        return _error(request, str(exc))
    keep_plan_days(rtr.days)
    return RedirectResponse("/programme", status_code=303)
