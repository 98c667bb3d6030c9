"""The training dashboard: charts of the history, the flags in words, shoes, the pain diary,
and uploads — as a page that works without JavaScript and as JSON under ``/api/``.

Routes only translate HTTP to the use cases in :mod:`hipcoach.overview` and
:mod:`hipcoach.web.uploads`; the numbers come from the same services as ``hipcoach load``.
Charts are drawn on the server as plain SVG (:mod:`hipcoach.exports.svg_chart`), so they are
on screen with the first paint and need no script; each one's numbers are a table beside
it. ``/api/charts/{name}`` serves the same chart as a Vega-Lite spec with its data.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import IO, Any

import anyio
from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from hipcoach.errors import InputError
from hipcoach.exports import svg_chart
from hipcoach.services import local_today
from hipcoach.web import uploads

router = APIRouter()
router.include_router(uploads.router)

WEEK_CHOICES = (4, 8, 12, 26, 52, 104)
DEFAULT_WEEKS = 12
MAX_WEEKS = 520
SEVERITY_WORDS = {"high": "Important", "warn": "Worth watching", "info": "For information"}
NO_HISTORY = "no training history yet: upload your files or an export on /training first"


def _units() -> Any:
    from hipcoach.services import preferred_units

    return preferred_units()



def _page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    """The training page with everything it shows; ``context`` adds messages and form values."""
    from hipcoach.diary import WHEN_WORDS, regions
    from hipcoach.jsonviews import STRENGTH_WORDS
    from hipcoach.kb.load import load
    from hipcoach.overview import overview, pain_entries
    from hipcoach.units import distance, duration

    kb = load()
    units = _units()
    weeks = context.pop("weeks", DEFAULT_WEEKS)
    view = overview(weeks, units)
    from hipcoach.web.pages import page

    return page(
        request,
        "training.html",
        **{
            "view": view,
            "chart_svg": svg_chart.responsive,
            "chart_legend": svg_chart.legend,
            "flag_groups": flag_groups(view.load["flags"]) if view else [],
            "units": units,
            "weeks": weeks,
            "week_choices": sorted({*WEEK_CHOICES, weeks}),
            "pain": view.pain if view else pain_entries(10),
            "regions": regions(kb),
            "when_words": WHEN_WORDS,
            "strength_words": STRENGTH_WORDS,
            "severity_words": SEVERITY_WORDS,
            "today": local_today(),
            "dist": lambda m, digits=1: distance(m, units, digits),
            "duration": duration,
            "form": {},
            **context,
        },
        status_code=status,
    )


def flag_groups(flags: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Flags of the same kind together: the latest in full, the earlier ones listed under
    it, most recent kind first — a fast build-up flags week after week, and twelve cards
    saying nearly the same thing would hide the point."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in sorted(flags, key=lambda f: str(f["date"]), reverse=True):
        groups.setdefault(str(f["id"]), []).append(f)
    return [(fs[0], fs[1:]) for fs in groups.values()]


@router.get("/training", response_class=HTMLResponse, summary="The training dashboard page")
def training(
    request: Request,
    weeks: int = Query(DEFAULT_WEEKS, ge=1, le=MAX_WEEKS),
    recorded: int | None = None,
    moved: str | None = Query(None, max_length=20),
) -> HTMLResponse:
    message = None
    if recorded is not None:
        from hipcoach.diary import PROGRAMME_MOVES, programme_move
        from hipcoach.overview import pain_entries

        entry = next((e for e in pain_entries() if e.id == recorded), None)
        if entry is not None:
            # Only a known move is shown: the address can be edited by anyone.
            decision = moved if moved in PROGRAMME_MOVES else None
            message = (
                f"Recorded pain {entry.pain}/10 on {entry.day.isoformat()}. "
                + programme_move(decision, entry.when)
            )
    return _page(request, weeks=weeks, diary_message=message)


@router.post("/training/diary", response_class=HTMLResponse, summary="Pain diary form")
async def diary_form(request: Request) -> Response:
    from hipcoach.overview import record_pain

    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("pain", "where", "when", "note", "date")}
    try:
        entry, decision = await anyio.to_thread.run_sync(
            lambda: record_pain(
                pain=values["pain"] or None,
                where=values["where"] or None,
                when=values["when"] or None,
                note=values["note"],
                day=values["date"] or None,
                on=local_today(),
            )
        )
    except InputError as exc:
        return _page(request, 422, diary_error=_sentence(str(exc)), form=values)
    url = f"/training?recorded={entry.id}"
    if decision:
        url += f"&moved={decision.partition(':')[0]}"
    return RedirectResponse(url + "#diary", status_code=303)


def _sentence(text: str) -> str:
    """A message from the validation as a sentence for the page."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _copy(src: IO[bytes], dest: Path) -> None:
    with dest.open("wb") as out:
        shutil.copyfileobj(src, out, uploads.FLUSH_BYTES)


@router.post("/training/upload", response_class=HTMLResponse, summary="Upload form (no JS)")
async def upload_form(request: Request) -> Response:
    """The form fallback: Starlette spools each part to a temporary file (not memory); the
    parts are copied into the uploads folder and imported in the background."""
    cap = uploads.max_upload_bytes()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        return _page(request, 413, upload_error=_sentence(str(uploads.too_large(cap))))
    folders: list[Path] = []
    async with request.form(max_files=1000) as form:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        try:
            if not files:
                raise uploads.UploadRefused("choose at least one file to upload", 422)
            paths: list[Path] = []
            for f in files:
                _, dest = uploads.new_slot(uploads.safe_name(str(f.filename)))
                folders.append(dest.parent)
                await anyio.to_thread.run_sync(_copy, f.file, dest)
                paths.append(dest)
            job = uploads.start_import(paths, [p.name for p in paths], folders)
        except uploads.UploadRefused as exc:
            for d in folders:
                shutil.rmtree(d, ignore_errors=True)
            return _page(request, exc.status, upload_error=_sentence(str(exc)))
    return RedirectResponse(f"/training/imports/{job.id}", status_code=303)


@router.get("/training/imports/{job_id}", response_class=HTMLResponse, summary="Import progress")
def import_page(request: Request, job_id: str) -> HTMLResponse:
    """Progress of an import without JavaScript: the page refreshes itself while it runs."""
    from hipcoach.import_jobs import JOBS

    job = JOBS.get(job_id)
    from hipcoach.web.pages import page

    return page(request, "import.html", job=job, status_code=200 if job else 404)


# --- JSON API ---------------------------------------------------------------------------------


@router.get("/api/charts", summary="The dashboard's charts: names and titles")
def chart_names() -> list[str]:
    from hipcoach.overview import CHART_NAMES

    return list(CHART_NAMES)


@router.get(
    "/api/charts/{name}",
    summary="One chart as a Vega-Lite spec with its data, summary and table",
)
def chart(name: str, weeks: int = Query(DEFAULT_WEEKS, ge=1, le=MAX_WEEKS)) -> Any:
    from hipcoach.overview import CHART_NAMES
    from hipcoach.overview import chart as build

    if name not in CHART_NAMES:
        return JSONResponse(
            {"error": f"no chart {name!r}; charts: {', '.join(CHART_NAMES)}"}, status_code=404
        )
    found = build(name, weeks, _units())
    if found is None:
        return JSONResponse({"error": NO_HISTORY}, status_code=404)
    return found.to_dict()


@router.get("/api/diary", summary="The pain diary; same as `hipcoach diary list --json`")
def diary_list() -> list[dict[str, Any]]:
    from hipcoach.overview import pain_entries

    return [e.to_dict() for e in pain_entries()]


@router.post(
    "/api/diary",
    status_code=201,
    summary="Add a pain rating (pain 0–10, where, when, note, date); 422 with a message",
)
def diary_add(
    payload: dict[str, Any] = Body(  # noqa: B008 - FastAPI's way of declaring a JSON body
        ...,
        examples=[{"pain": 3, "where": "outer_hip", "when": "after", "date": "2025-03-10"}],
    ),
) -> dict[str, Any]:
    from hipcoach.overview import record_pain

    day = payload.get("date", payload.get("day"))
    note = payload.get("note")
    entry, decision = record_pain(
        pain=payload.get("pain"),
        where=payload.get("where"),
        when=payload.get("when"),
        note=None if note is None else str(note),
        day=None if day is None else str(day),
        on=local_today(),
    )
    return {**entry.to_dict(), "programme": decision}
