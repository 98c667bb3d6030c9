"""The JSON API: the same use cases and the same fields as the CLI's ``--json``.

Routes hold no domain logic; they validate input, call the services the CLI uses and
return their JSON. A ``HipcoachError`` becomes one clear message with its HTTP status.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response

from hipcoach import __version__
from hipcoach.errors import HipcoachError, InputError
from hipcoach.services import local_today

router = APIRouter(prefix="/api")

STATUS = {2: 422, 3: 500, 4: 500}  # exit code → HTTP status


@router.get("/questions", summary="The questionnaire: ids, types, choices, when asked")
def questions() -> dict[str, Any]:
    from hipcoach.jsonviews import questions_json
    from hipcoach.kb.load import load

    return questions_json(load())


MAX_BODY_BYTES = 1_000_000  # a JSON body of answers is a few kB
_ANSWERS_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": True,
                "title": "Payload",
                "examples": [{"answers": {"age": 45, "location": ["outer_hip"]}}],
            }
        }
    },
}


async def answers_body(request: Request) -> dict[str, Any]:
    """The JSON body of ``POST /api/assess``, decoded here rather than by FastAPI.

    FastAPI answers a body nested thousands deep or holding a 5,000-digit number with
    "There was an error parsing the body", and a body of the wrong type with a 422 that
    quotes all of it back. Here each is one clear message (413 past
    :data:`MAX_BODY_BYTES`, else 422) that never echoes more than a shortened value.
    """
    from fastapi import HTTPException

    from hipcoach.assess.answers import load_json

    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(
                413, f"the body is over {MAX_BODY_BYTES // 1_000_000} MB; answers are a few kB"
            )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the body is not UTF-8 text; send the answers as JSON") from None
    example = '{"answers": {question_id: value}}'
    if not text.strip():
        raise InputError(f"the body is empty; send the answers as JSON, {example}")
    try:
        payload = load_json(text, "the body")
    except json.JSONDecodeError as exc:
        raise InputError(
            f"the body is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            f"send {example}"
        ) from None
    if not isinstance(payload, dict):
        raise InputError(f"the body is a JSON {type(payload).__name__}; send {example}")
    return payload


@router.post(
    "/assess",
    summary="Assess answers; same fields as `hipcoach assess --json`",
    openapi_extra={"requestBody": _ANSWERS_BODY},
)
def assess(
    payload: dict[str, Any] = Depends(answers_body),  # noqa: B008 - FastAPI's dependency style
    store: bool = Query(True, description="Keep the assessment for the plan and the report."),
) -> dict[str, Any]:
    from hipcoach.assess.answers import parse_answers
    from hipcoach.assess.engine import assess as run
    from hipcoach.kb.load import load
    from hipcoach.services import history_facts, preferred_units

    kb = load()
    raw = payload.get("answers", payload)
    answers = parse_answers(kb, raw)
    result = run(kb, answers, history_facts(units=preferred_units()))
    if store:
        from hipcoach.storage.db import open_engine
        from hipcoach.storage.diary import DiaryRepository

        DiaryRepository(open_engine()).save_assessment(
            answers=answers, result=result.to_dict(), kb_version=kb.version
        )
    return result.to_dict()


@router.get("/load", summary="Weekly load and overuse flags; same as `hipcoach load --json`")
def load_view(weeks: int = Query(12, ge=1, le=520)) -> dict[str, Any]:
    from hipcoach.jsonviews import load_json
    from hipcoach.services import load_report, preferred_units

    history, flags = load_report(local_today(), units=preferred_units(), recent_weeks=weeks)
    if history is None:
        return {"weeks": [], "flags": []}
    return load_json(history, flags, weeks)


@router.get("/activities", summary="Imported activities; same as `hipcoach activities --json`")
def activities(sport: str | None = None) -> list[dict[str, Any]]:
    from hipcoach.jsonviews import activity_record
    from hipcoach.services import has_history
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.repository import Repository

    if not has_history():
        return []
    repo = Repository(open_engine())
    files = repo.originals()
    acts = repo.activities(sport=sport)
    return [activity_record(a, files.get((a.start_utc, a.elapsed_s))) for a in acts]


@router.get("/plan", summary="Treatment plan for the latest assessment (`hipcoach plan --json`)")
def plan(days: int = Query(14, ge=1, le=84)) -> dict[str, Any]:
    from hipcoach.jsonviews import plan_json
    from hipcoach.services import treatment_for

    treatment = treatment_for(None, start=local_today(), days=days)
    if treatment is None:
        raise InputError("no assessment yet: POST your answers to /api/assess first")
    return plan_json(treatment)


def create_app(
    *, allowed_hosts: Collection[str] | None = None, token: str | None = None
) -> FastAPI:
    """The web app. ``allowed_hosts`` are the ``Host`` values it answers (default: this
    computer's loopback names on the default port, as ``hipcoach serve`` starts it); with
    ``token`` every request must carry that access token (see :mod:`hipcoach.web.security`).
    """
    from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

    from hipcoach.web.security import SecurityMiddleware, add_headers, local_hosts

    NOT_GZIPPED = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/pdf")

    app = FastAPI(
        title="hipcoach",
        version=__version__,
        description="Hip pain in runners: triage, likely causes, plans and training load. "
        "Local only; hipcoach is not a doctor.",
        # The interactive docs pages load their scripts from a CDN: no network calls, so off.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    # Pages and JSON compressed for browsers that accept it (the training page's HTML is
    # 70 KB, 12 KB gzipped); files already compressed (static, zip, PNG) pass as they are.
    # Inside the security middleware, which must see every request first.
    app.add_middleware(GZipMiddleware, minimum_size=1024, exclude_content_types=NOT_GZIPPED)
    app.add_middleware(
        SecurityMiddleware,
        allowed_hosts=local_hosts() if allowed_hosts is None else allowed_hosts,
        token=token,
    )
    app.include_router(router)
    from hipcoach.web import activity, dashboard, programme, running, settings
    from hipcoach.web.pages import router as pages
    from hipcoach.web.static_files import CachedStaticFiles

    app.include_router(pages)
    app.include_router(dashboard.router)
    app.include_router(programme.router)
    app.include_router(settings.router)
    app.include_router(running.router)
    app.include_router(activity.router)
    # Cache-Control and an ETag on every file, and gzip when the
    # browser accepts it: see hipcoach.web.static_files.
    app.mount(
        "/static",
        CachedStaticFiles(directory=str(resources.files("hipcoach.web") / "static")),
        name="static",
    )

    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from hipcoach.errors import clip, shorten

    @app.exception_handler(HipcoachError)
    async def _error(request: Request, exc: HipcoachError) -> Response:
        status = STATUS.get(exc.exit_code, 400)
        if _wants_html(request):
            return _error_page(request, status, "That did not work", str(exc))
        return JSONResponse({"error": str(exc)}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own answer repeats the whole input (an 800 KB list comes back whole):
        # say what and where, and quote only the start of what was given.
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        given = f" (you gave {shorten(first['input'])})" if "input" in first else ""
        message = f"{clip(where, 80)}: {first.get('msg', 'invalid value')}{given}"
        if _wants_html(request):
            return _error_page(request, 422, "That did not work", message)
        return JSONResponse({"error": message}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not _wants_html(request):
            return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)
        if exc.status_code == 404:
            return _error_page(
                request, 404, "Page not found", f"There is no page at {request.url.path}."
            )
        return _error_page(request, exc.status_code, "That did not work", str(exc.detail))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        # A bug, not bad input: say so plainly, keep the details in the server's log.
        import logging

        logging.getLogger("hipcoach.web").exception("unexpected error on %s", request.url.path)
        message = (
            "Something went wrong on our side; nothing you entered was lost or half-saved. "
            "Try again, and if it keeps happening, run `hipcoach` in a terminal to see more."
        )
        if _wants_html(request):
            return add_headers(_error_page(request, 500, "Something went wrong", message))
        return add_headers(JSONResponse({"error": message}, status_code=500))

    return app


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", "text/html"
    )


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    from hipcoach.web.pages import page

    return page(request, "error.html", status_code=status, title=title, message=message)
