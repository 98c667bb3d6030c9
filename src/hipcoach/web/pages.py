"""Server-rendered pages. Plain HTML forms that work without JavaScript; the assessment
wizard keeps its answers in the form itself, so there is no server-side session."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from hipcoach.errors import InputError, shorten
from hipcoach.services import local_today

router = APIRouter()
BODY_MAP_QUESTION = "location"  # the question the body map answers
MAX_STATE_CHARS = 100_000  # the wizard's answers to every question are a few kB of JSON
templates = Jinja2Templates(directory=str(resources.files("hipcoach.web") / "templates"))


def page(request: Request, name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``name`` with what every page shows (the disclaimer, the active section)."""
    from hipcoach.kb.load import load

    return templates.TemplateResponse(
        request,
        name,
        {"disclaimer": load().triage.disclaimer, "path": request.url.path, **context},
        status_code=status_code,
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """Where things stand: the latest hip check, the training history, the programme; on an
    empty store, what to do first."""
    from hipcoach.services import has_history
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository
    from hipcoach.storage.repository import Repository

    count, latest, last_run, pain = 0, None, None, []
    if has_history():
        engine = open_engine()
        repo = Repository(engine)
        count = repo.count()
        diary = DiaryRepository(engine)
        latest = diary.latest_assessment()
        pain = diary.pain_entries()[-3:]
        recent = repo.activities(last=1)
        last_run = recent[0] if recent else None
    return page(request, "home.html", activities=count, latest=latest, last_run=last_run, pain=pain)


@router.get("/result", response_class=HTMLResponse)
def latest_result(request: Request) -> HTMLResponse:
    from hipcoach.services import emergency_number

    """The latest stored hip check, as it was shown when it was finished."""
    from hipcoach.kb.load import load
    from hipcoach.services import has_history, treatment_for
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    stored = DiaryRepository(open_engine()).latest_assessment() if has_history() else None
    if stored is None:
        return page(
            request,
            "error.html",
            status_code=404,
            title="No hip check yet",
            message="Your result appears here once you have done the hip check.",
        )
    from hipcoach.jsonviews import plan_json as to_json

    result = stored.result
    treatment = treatment_for(None, start=local_today(), days=7)
    return page(
        request,
        "result.html",
        r=result,
        emergency_number=emergency_number(),
        action=load().triage.levels[result["urgency"]["level"]].action,
        plan=None if treatment is None else to_json(treatment),
        names=_exercise_names(),
        assessed=stored.created_at,
        references=references(result),
    )


REPORT_CSS = "/result/report.css"


@router.get("/result/report", response_class=HTMLResponse)
def report_page() -> HTMLResponse:
    """The clinician's report, opened in the browser from the result page (the download stays
    at /api/export/report.html). Saved to disk, the report styles itself inline under its
    own policy; served here, the server's policy (style-src 'self') would refuse that, so
    it links the same styles from ``REPORT_CSS``, and still runs no script."""
    from hipcoach.web.programme_api import report_page_html

    return HTMLResponse(report_page_html(REPORT_CSS))


@router.get(REPORT_CSS)
def report_css() -> Response:
    """The styles of the report opened at /result/report."""
    from hipcoach.exports.report import stylesheet

    return Response(stylesheet(), media_type="text/css")


def _ask(
    request: Request,
    answers: dict[str, Any],
    error: str | None = None,
    previous: Any = None,
    rechecked: list[str] | None = None,
) -> HTMLResponse:
    """The next question (``previous``: the answer being revisited after Back), or the
    result when the interview is done. ``rechecked``: the warning-sign questions already
    asked a second time after "don't know"."""
    from hipcoach.assess.answers import parse_answers
    from hipcoach.assess.engine import assess
    from hipcoach.assess.interview import RECHECK, next_step
    from hipcoach.kb.load import load
    from hipcoach.services import emergency_number, history_facts, preferred_units

    kb = load()
    rechecked = list(rechecked or [])
    parsed = parse_answers(kb, answers)
    step = next_step(kb, parsed, rechecked=rechecked)
    question = step.question
    recheck = step.reason == RECHECK and question is not None
    if recheck and question is not None:
        rechecked.append(question.id)
        answers = {k: v for k, v in answers.items() if k != question.id}
    if BODY_MAP_QUESTION in kb.question_by_id and BODY_MAP_QUESTION not in answers:
        # The web check opens on the body map: where it hurts is the natural first thing
        # to show, and it is asked of everyone anyway; the safety questions come next.
        question = kb.question_by_id[BODY_MAP_QUESTION]
    if question is None:
        from hipcoach.storage.db import open_engine
        from hipcoach.storage.diary import DiaryRepository

        result = assess(kb, parsed, history_facts(units=preferred_units()))
        DiaryRepository(open_engine()).save_assessment(
            answers=parsed, result=result.to_dict(), kb_version=kb.version
        )
        _remember_profile(parsed)
        level = result.triage.level

        from hipcoach.jsonviews import plan_json as to_json
        from hipcoach.services import treatment_for

        treatment = treatment_for(answers, start=local_today(), days=7)
        return page(
            request,
            "result.html",
            r=result.to_dict(),
            emergency_number=emergency_number(),
            action=kb.triage.levels[level].action,
            plan=None if treatment is None else to_json(treatment),
            names=_exercise_names(),
            references=references(result.to_dict()),
        )
    return page(
        request,
        "question.html",
        q=question,
        body_map=question.id == BODY_MAP_QUESTION,
        number=len(answers) + 1,
        left=step.remaining_estimate,
        state=json.dumps(answers),
        rechecked=json.dumps(rechecked),
        recheck_prompt=kb.triage.recheck_prompt if recheck else None,
        checked=[str(v) for v in previous] if isinstance(previous, list) else [str(previous)],
        error=error,
        # After Next (or Back), focus goes to the new question (check.js), not the page top.
        focus=request.method == "POST",
    )


def references(result: dict[str, Any]) -> list[dict[str, str | None]]:
    """The sources behind the shown causes and the urgency, as a reference list (citation and
    address), from the same knowledge-base entries the clinician's report lists."""
    from hipcoach.kb.load import load

    kb = load()
    ids: list[str] = []
    for reason in result.get("urgency", {}).get("reasons", []):
        ids.extend(str(i) for i in reason.get("sources", []))
    if result.get("urgency", {}).get("level") != "emergency":
        for c in result.get("conditions", []):
            ids.extend(str(i) for i in c.get("sources", []))
    out: list[dict[str, str | None]] = []
    for sid in dict.fromkeys(ids):
        src = kb.sources.get(sid)
        if src is not None:
            out.append({"id": sid, "citation": src.citation, "url": src.url})
    return out


def _remember_profile(answers: dict[str, Any]) -> None:
    """After a hip check, keep the age and sex it was given in the settings when they are not
    set there yet, so the next hip check does not ask them again."""
    from hipcoach.services import current_settings, save_settings

    settings = current_settings()
    values = settings.model_dump()
    age, sex = answers.get("age"), answers.get("sex")
    if settings.age is None and isinstance(age, int | float) and 5 <= age <= 100:
        values["age"] = int(age)
    if settings.sex == "unknown" and sex in ("female", "male"):
        values["sex"] = sex
    if values != settings.model_dump():
        save_settings(values)


def _exercise_names() -> dict[str, str]:
    from hipcoach.plan.library_load import load_library

    return {e.id: e.name for e in load_library().exercises}


@router.get("/assess", response_class=HTMLResponse)
def assess_start(request: Request) -> HTMLResponse:
    from hipcoach.services import with_profile

    return _ask(request, with_profile({}))


@router.post("/assess", response_class=HTMLResponse)
async def assess_step(request: Request) -> HTMLResponse:
    from hipcoach.assess.answers import normalise
    from hipcoach.kb.load import load

    form = await request.form()
    answers = _form_state(str(form.get("state") or "{}"))
    rechecked = _form_rechecked(str(form.get("rechecked") or "[]"))
    qid = str(form.get("question") or "")
    q = load().question_by_id.get(qid)
    if q is None:
        raise InputError(f"unknown question {shorten(qid)}; start the hip check again")
    if form.get("back"):
        previous = answers.pop(next(reversed(answers))) if answers else None
        return _ask(request, answers, previous=previous, rechecked=rechecked)
    values = [str(v) for v in form.getlist("value")]
    if form.get("skip"):
        answers[qid] = None
        return _ask(request, answers, rechecked=rechecked)
    values = [v for v in values if v.strip()]  # an empty number box is no answer
    raw: Any = values if q.type == "multi" else (values[0] if values else None)
    if raw is None or raw == []:
        what = "Please enter a number" if q.type == "number" else "Please choose an answer"
        return _ask(
            request, answers, error=f"{what}, or press “Don't know”.", rechecked=rechecked
        )
    try:
        answers[qid] = normalise(q, raw)
    except InputError as exc:
        return _ask(request, answers, error=str(exc), rechecked=rechecked)
    return _ask(request, answers, rechecked=rechecked)


def _form_state(text: str) -> dict[str, Any]:
    """The answers so far, from the wizard's hidden ``state`` field, checked again.

    The field comes back from the browser, so it can hold anything: broken JSON, lists
    nested thousands deep (``json.loads`` raises RecursionError), a 5,000-digit number
    (ValueError), megabytes, answers no question allows. Each is the same clear error.
    """
    from hipcoach.assess.answers import parse_answers
    from hipcoach.kb.load import load

    damaged = InputError("the form's state is damaged; start the hip check again")
    if len(text) > MAX_STATE_CHARS:
        raise damaged
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise damaged from None
    if not isinstance(raw, dict):
        raise damaged
    try:
        return dict(parse_answers(load(), raw))
    except InputError:
        raise damaged from None


def _form_rechecked(text: str) -> list[str]:
    """The warning-sign questions already asked twice (hidden field ``rechecked``); a damaged
    field only means they may be asked once more."""
    try:
        ids = json.loads(text) if len(text) <= MAX_STATE_CHARS else []
    except (ValueError, RecursionError):
        return []
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []
