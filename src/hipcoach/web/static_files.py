"""The app's static files, cached and compressed.

Why: our scripts and styles change with the app, so the browser keeps them but asks each
time (``no-cache``) and gets a 304 from the ETag when nothing changed; sent gzipped they
are about a quarter of their size.

Compression is done once per file version and kept in memory (the files are few and
small), rather than on every request as the app's gzip middleware does for pages. The gzip
body carries a weak ETag (``W/"…"``), as nginx does: the same file in another encoding.
"""

from __future__ import annotations

import functools
import gzip
import os
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

REVALIDATE = "no-cache"
MIN_GZIP_BYTES = 1024
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


@functools.lru_cache(maxsize=64)
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    """The file gzipped; the key includes its modification time and size, so an edited
    file is compressed again."""
    del mtime_ns, size
    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


def _accepts_gzip(headers: Headers) -> bool:
    for part in headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = params.strip().removeprefix("q=").strip()
            return q == "" or _positive(q)
    return False


def _positive(q: str) -> bool:
    try:
        return float(q) > 0
    except ValueError:
        return False


class CachedStaticFiles(StaticFiles):
    """``StaticFiles`` with ``Cache-Control`` on every answer and gzip when accepted."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = REVALIDATE
        if not isinstance(response, FileResponse) or isinstance(response, NotModifiedResponse):
            return response
        media = response.media_type or ""
        compressible = media.startswith(COMPRESSIBLE)
        if compressible:
            response.headers["vary"] = "Accept-Encoding"
        request = Headers(scope=scope)
        if (
            status_code != 200
            or not compressible
            or stat_result.st_size < MIN_GZIP_BYTES
            or "range" in request
            or not _accepts_gzip(request)
        ):
            return response
        body = _gzipped(str(full_path), stat_result.st_mtime_ns, stat_result.st_size)
        headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "etag")}
        headers.pop("accept-ranges", None)
        headers["etag"] = "W/" + response.headers["etag"]
        headers["content-encoding"] = "gzip"
        return Response(body, status_code=200, headers=headers, media_type=media)
