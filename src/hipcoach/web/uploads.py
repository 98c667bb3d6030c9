"""Uploads and background imports: the web's way into ``hipcoach import``.

Why this shape: a Strava or Garmin export can be gigabytes, so an upload is never held in
memory. The page sends each file as the raw body of ``PUT /api/uploads/{name}`` (so the
browser can show upload progress), and the server writes the request's chunks straight to
a temporary file in the data folder. ``POST /api/imports`` then imports the uploaded files in
a background thread (:mod:`hipcoach.import_jobs`) and ``GET /api/imports/{id}`` reports
its progress, so neither the browser nor the server's event loop ever waits on an import.
The temporary files are deleted when their import ends; uploads never imported are swept
after a day.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import unicodedata
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any

import anyio
from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from hipcoach.errors import InputError
from hipcoach.import_jobs import JOBS, ImportBusy, Job

router = APIRouter(prefix="/api")

UPLOADS = "uploads"
DEFAULT_MAX_MB = 4096.0  # a decade of a Strava export with photos stays below this
FLUSH_BYTES = 1 << 20
STALE_SECONDS = 24 * 3600
MAX_NAME = 200
TOKEN = re.compile(r"[0-9a-f]{32}")


class UploadRefused(InputError):
    """An upload that cannot be accepted; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def refused(exc: UploadRefused) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=exc.status)


def max_upload_bytes() -> int:
    """The size cap: ``HIPCOACH_MAX_UPLOAD_MB`` (megabytes), else 4 GB."""
    raw = os.environ.get("HIPCOACH_MAX_UPLOAD_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_MB
    except ValueError:
        mb = DEFAULT_MAX_MB
    return max(int(mb * 1024 * 1024), 1)


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def too_large(cap: int) -> UploadRefused:
    return UploadRefused(
        f"the file is larger than the upload limit of {_size_text(cap)}; import it from the "
        "command line with `hipcoach import PATH`, or raise HIPCOACH_MAX_UPLOAD_MB",
        413,
    )


def safe_name(name: str) -> str:
    """The file's own name, or UploadRefused: a name with folder parts (``../x``, ``a/b``,
    ``C:\\x``), a hidden name or control characters never reach the disk."""
    clean = unicodedata.normalize("NFC", name).strip()
    if (
        not clean
        or clean in (".", "..")
        or clean.startswith(".")
        or any(c in clean for c in "/\\")
        or any(unicodedata.category(c) == "Cc" for c in clean)
        or len(clean) > MAX_NAME
    ):
        raise UploadRefused(
            f"{name!r} is not a plain file name; send the file's own name without folders",
            400,
        )
    return clean


def uploads_dir() -> Path:
    from hipcoach.storage.db import data_dir

    return data_dir() / UPLOADS


def sweep(folder: Path, now: float | None = None) -> None:
    """Delete uploads older than a day that were never imported."""
    now = now or time.time()
    if not folder.is_dir():
        return
    for d in folder.iterdir():
        try:
            if now - d.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            continue


def new_slot(name: str) -> tuple[str, Path]:
    """A fresh token and the path its file goes to: ``uploads/<token>/<name>``."""
    token = uuid.uuid4().hex
    dest = uploads_dir() / token / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    return token, dest


def check_space(folder: Path, size: int) -> None:
    free = shutil.disk_usage(folder).free
    if size > free:
        raise UploadRefused(
            f"not enough free disk space for this upload ({_size_text(size)} needed, "
            f"{_size_text(free)} free)",
            507,
        )


async def save_stream(chunks: AsyncIterator[bytes], dest: Path, cap: int) -> int:
    """Write ``chunks`` to ``dest`` (in a worker thread, a megabyte at a time) and return
    the size; over ``cap`` bytes, or on any failure, the partial file is removed."""
    fh: IO[bytes] = await anyio.to_thread.run_sync(dest.open, "wb")
    size = 0
    buf = bytearray()
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > cap:
                raise too_large(cap)
            buf += chunk
            if len(buf) >= FLUSH_BYTES:
                await anyio.to_thread.run_sync(fh.write, bytes(buf))
                buf.clear()
        if buf:
            await anyio.to_thread.run_sync(fh.write, bytes(buf))
    except BaseException:
        fh.close()
        shutil.rmtree(dest.parent, ignore_errors=True)
        raise
    fh.close()
    if size == 0:
        shutil.rmtree(dest.parent, ignore_errors=True)
        raise UploadRefused(f"{dest.name} is empty", 422)
    return size


def uploaded(tokens: list[str]) -> tuple[list[Path], list[str], list[Path]]:
    """The uploaded files of ``tokens``: (files, their names, their folders to delete)."""
    files: list[Path] = []
    folders: list[Path] = []
    root = uploads_dir()
    for t in tokens:
        if not isinstance(t, str) or not TOKEN.fullmatch(t):
            raise UploadRefused(f"{t!r} is not an upload id", 422)
        folder = root / t
        inside = sorted(folder.iterdir()) if folder.is_dir() else []
        if not inside:
            raise UploadRefused(
                f"upload {t} is not there (already imported, or expired); upload it again", 404
            )
        files.extend(inside)
        folders.append(folder)
    if not files:
        raise UploadRefused("no uploads to import; upload a file first", 422)
    return files, [f.name for f in files], folders


def start_import(files: list[Path], names: list[str], folders: list[Path]) -> Job:
    """Import the uploaded files in the background; their folders go when it ends."""
    from hipcoach.importers.sources import estimate_items
    from hipcoach.storage.db import data_dir

    try:
        return JOBS.start(files, names, folder=data_dir(), cleanup=folders, estimate=estimate_items)
    except ImportBusy as exc:
        raise UploadRefused(str(exc), 409) from None


@router.put(
    "/uploads/{name:path}",
    status_code=201,
    summary="Upload one file (the raw request body), streamed to disk; returns its upload id",
)
async def upload(name: str, request: Request) -> Any:
    try:
        clean = safe_name(name)
        cap = max_upload_bytes()
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            raise too_large(cap)
        await anyio.to_thread.run_sync(sweep, uploads_dir())
        token, dest = await anyio.to_thread.run_sync(new_slot, clean)
        if declared is not None and declared.isdigit():
            check_space(dest.parent, int(declared))
        size = await save_stream(request.stream(), dest, cap)
    except UploadRefused as exc:
        return refused(exc)
    return {"upload": token, "name": clean, "bytes": size}


@router.post(
    "/imports",
    status_code=202,
    summary="Import uploaded files in the background; poll GET /api/imports/{id}",
)
def start(
    payload: dict[str, Any] = Body(  # noqa: B008 - FastAPI's way of declaring a JSON body
        ..., examples=[{"uploads": ["0123456789abcdef0123456789abcdef"]}]
    ),
) -> Any:
    tokens = payload.get("uploads")
    if not isinstance(tokens, list):
        return refused(UploadRefused('send {"uploads": [upload ids]}', 422))
    try:
        job = start_import(*uploaded(tokens))
    except UploadRefused as exc:
        return refused(exc)
    return job.to_dict()


@router.get("/imports/{job_id}", summary="An import's progress, and its summary at the end")
def status(job_id: str) -> Any:
    job = JOBS.get(job_id)
    if job is None:
        return refused(UploadRefused(f"no import {job_id!r} (the server may have restarted)", 404))
    return job.to_dict()
