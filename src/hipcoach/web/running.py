"""Back to running and building up safely: the criteria-gated return to running
(`hipcoach plan --return`) and the prevention running plan (`hipcoach plan --goal`).

Looking at either plan changes nothing; "Follow this plan" makes its days the plan that the
session player, the calendar and the exports follow, as the CLI does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from hipcoach.errors import InputError, shorten
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
    from hipcoach.plan.rules import load_rules
    from hipcoach.services import has_history, preferred_units, running_plan, safety_policy
    from hipcoach.units import distance
    from hipcoach.web.pages import page

    units = preferred_units()
    values = {"goal": goal or "10k", "weeks": weeks or 12, "weekly": weekly or ""}
    advice, error, status = None, None, 200
    policy = safety_policy()
    refusal = policy.build_up
    # Only the "during an episode" refusal can be lifted by the runner; the others need a
    # doctor or a new hip check.
    can_recover = refusal is not None and policy.return_to_run is None
    if refusal is not None and goal:
        error, status = refusal.text, 422
    elif goal:
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
        refusal=refusal,
        can_recover=can_recover,
        episode_text=load_rules().safety.build_up_during_episode.render(),
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
        raise InputError(f"Current weekly distance: {shorten(text)} is not a number") from None
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
        keep_plan_days(advice.plan.days)
    except InputError as exc:
        return _error(request, str(exc))
    return RedirectResponse("/programme", status_code=303)


def _error(request: Request, message: str) -> HTMLResponse:
    from hipcoach.web.pages import page

    return page(
        request, "error.html", status_code=422, title="That did not work", message=message
    )


@router.get("/programme/return", response_class=HTMLResponse)
def return_page(request: Request) -> HTMLResponse:
    from hipcoach.plan.rules import load_rules
    from hipcoach.services import return_to_run
    from hipcoach.web.pages import page

    try:
        rtr, reason = return_to_run(local_today()), None
    except InputError as exc:
        rtr, reason = None, str(exc)
    checks = load_rules().return_to_run.gates
    return page(request, "return.html", rtr=rtr, reason=reason, checks=checks)


@router.post("/programme/return/checks", response_class=HTMLResponse, response_model=None)
async def return_checks(request: Request) -> HTMLResponse | RedirectResponse:
    """The return-to-running checks the runner did, each with its worst pain (0–10)."""
    from hipcoach.services import record_checks

    form = await request.form()
    results: dict[str, float] = {}
    for key, value in form.items():
        if key.startswith("check_") and str(value).strip():
            try:
                results[key.removeprefix("check_")] = float(str(value))
            except ValueError:
                return _error(request, f"Pain for {key.removeprefix('check_')!r}: give 0 to 10")
    try:
        record_checks(results, cleared_by_clinician=form.get("cleared") == "yes")
    except InputError as exc:
        return _error(request, str(exc))
    return RedirectResponse("/programme/return", status_code=303)


@router.post("/programme/return", response_class=HTMLResponse, response_model=None)
def return_follow(request: Request) -> HTMLResponse | RedirectResponse:
    from hipcoach.services import keep_plan_days, return_to_run

    try:
        rtr = return_to_run(local_today())
        if rtr.not_yet is not None:
            raise InputError(rtr.not_yet.text)
        keep_plan_days(rtr.days)
    except InputError as exc:
        return _error(request, str(exc))
    return RedirectResponse("/programme", status_code=303)


@router.post("/programme/recovered", response_class=HTMLResponse, response_model=None)
def recovered(request: Request) -> HTMLResponse | RedirectResponse:
    """The runner is running again without pain: the episode is over."""
    from hipcoach.services import mark_recovered

    try:
        mark_recovered()
    except InputError as exc:
        return _error(request, str(exc))
    return RedirectResponse("/programme/running", status_code=303)
