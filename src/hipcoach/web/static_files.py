"""The app's static files, cached and compressed.

Why: the training page needs about 850 KB of chart JavaScript (Vega, Vega-Lite, vega-embed).
Sent uncompressed and revalidated by guesswork, every visit costs that again; gzipped it is
about a quarter, and a file whose name carries its version (``vendor/vega-6.4.0.min.js``)
never changes, so the browser may keep it for a year without asking. Our own files
(``training.js``, ``style.css``) change with the app, so the browser keeps them but asks
each time (``no-cache``), and gets a 304 from the ETag when nothing changed.

Compression is done once per file version and kept in memory (the files are few and
small), rather than on every request as a general gzip middleware would. The gzip body
carries a weak ETag (``W/"…"``), as nginx does: the same file in another encoding.
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

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
VERSIONED_DIR = "vendor"
"""Files in here have their version in the name: a new version is a new URL."""
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
        versioned = Path(full_path).parent.name == VERSIONED_DIR
        response.headers["cache-control"] = IMMUTABLE if versioned else REVALIDATE
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
