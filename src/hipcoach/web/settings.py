"""The settings page and ``/api/settings``: units, heart rates, age and sex, stored in the
database; the data folder is shown (it holds the database, so it is chosen at start-up)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse

from hipcoach.errors import InputError, shorten

router = APIRouter()

FIELDS = ("units", "hr_rest", "hr_max", "age", "sex", "emergency_number")


def _folder() -> dict[str, str]:
    import os

    from hipcoach.storage.db import data_dir

    folder = data_dir()
    external = bool(os.environ.get("HIPCOACH_DATABASE_URL"))
    return {
        "data_dir": str(folder),
        "database": "an external database (HIPCOACH_DATABASE_URL)"
        if external
        else str(folder / "hipcoach.db"),
    }


@router.get("/api/settings", summary="The runner's settings (defaults until saved)")
def get_settings() -> dict[str, Any]:
    from hipcoach.services import current_settings

    return {**current_settings().model_dump(), **_folder()}


@router.put("/api/settings", summary="Replace the settings; 422 with a message on bad input")
def put_settings(
    payload: dict[str, Any] = Body(  # noqa: B008 - FastAPI's way of declaring a JSON body
        ..., examples=[{"units": "mi", "hr_rest": 52, "hr_max": 186, "age": 41, "sex": "female"}]
    ),
) -> dict[str, Any]:
    from hipcoach.services import save_settings

    unknown = sorted(set(payload) - set(FIELDS))
    if unknown:
        raise InputError(f"unknown setting {shorten(unknown[0])}; settings are {', '.join(FIELDS)}")
    return {**save_settings(payload).model_dump(), **_folder()}


def _form(request: Request, values: dict[str, Any], **extra: Any) -> HTMLResponse:
    from hipcoach.emergency import default_number
    from hipcoach.web.pages import page

    return page(
        request,
        "settings.html",
        values=values,
        folder=_folder(),
        default_emergency=default_number(),
        **extra,
    )


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request) -> HTMLResponse:
    from hipcoach.services import current_settings

    return _form(request, current_settings().model_dump())


@router.post("/settings", response_class=HTMLResponse)
async def settings_save(request: Request) -> HTMLResponse:
    from hipcoach.services import save_settings

    form = await request.form()
    values = {k: str(form.get(k) or "") for k in FIELDS}
    try:
        saved = save_settings(values)
    except InputError as exc:
        return _form(request, values, error=str(exc), status_code=422)
    return _form(request, saved.model_dump(), saved=True)
