"""Safe XML parsing and column collection shared by the GPX and TCX readers.

Activity XML comes from anywhere, so it is parsed with defusedxml with DTDs forbidden:
activity files never carry a DTD, and refusing one outright stops entity expansion
("billion laughs") and external entities before any expansion happens. Files that lie
about their encoding (ANSI bytes declared UTF-8, an encoding expat does not know) are
transcoded once and parsed again. Values are collected as strings per column while the
tree is walked and converted to numpy arrays once at the end: far cheaper than Python
float and datetime work per point.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from datetime import UTC, datetime
from typing import cast
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et  # type: ignore[import-untyped]
import numpy as np
from defusedxml import DefusedXmlException

from hipcoach.errors import InputError
from hipcoach.importers.trackcalc import Track
from hipcoach.training.model import FloatArray

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
UTF8_BOM = b"\xef\xbb\xbf"
_DECL = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"'][^>]*\?>")

# Extension elements by local name (any namespace: gpxtpx, ns3, tp1, x, …).
_EXT_FIELDS = {
    "hr": "hr",
    "heartrate": "hr",
    "cad": "cad",
    "cadence": "cad",
    "runcadence": "runcad",
    "power": "power",
    "watts": "power",
    "powerinwatts": "power",
    "speed": "speed",
}


class TrackError(InputError):
    """A GPX or TCX file that cannot give an activity; the message says why and what to do."""


def local(tag: str) -> str:
    """``{namespace}name`` → ``name``: GPX 1.0/1.1 and vendor namespaces vary."""
    return tag.rpartition("}")[2]


def qualifier(root: Element) -> str:
    """The root's ``{namespace}`` prefix (or ""), to build exact tags for fast lookups."""
    return root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""


def _reencode(data: bytes, error: ParseError) -> bytes | None:
    """A UTF-8 copy of a file whose encoding expat could not handle, or None."""
    m = _DECL.match(data)
    declared = m.group(1).decode("ascii").lower() if m else "utf-8"
    body = data[m.end() :] if m else data
    message = str(error)
    try:
        if "unknown encoding" in message:
            codecs.lookup(declared)
            text = body.decode(declared, errors="replace")
        elif "invalid token" in message and declared.replace("-", "") in ("utf8", "utf"):
            body.decode("utf-8")
            return None  # valid UTF-8: the error is real, not an encoding mix-up
        else:
            return None
    except UnicodeDecodeError:
        text = body.decode("cp1252", errors="replace")  # declared UTF-8, written as ANSI
    except LookupError:
        return None
    return text.encode("utf-8")


def parse_xml(data: bytes, kind: str) -> Element:
    """The root element, parsed safely; every failure becomes a TrackError."""
    if data.startswith(UTF8_BOM):
        data = data[3:]
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.lstrip()  # whitespace before <?xml is common and harmless
    for attempt in range(2):
        try:
            return cast(Element, safe_et.fromstring(data, forbid_dtd=True))
        except DefusedXmlException as exc:
            raise TrackError(
                f"{kind} file declares a DTD or entities ({type(exc).__name__}); activity "
                "files never do, so it was refused as unsafe. Export the activity again "
                "from the device or service."
            ) from None
        except ParseError as exc:
            fixed = _reencode(data, exc) if attempt == 0 else None
            if fixed is None:
                raise TrackError(
                    f"{kind} file is not well-formed XML ({exc}); it is damaged or "
                    "truncated. Export it again from the device or service."
                ) from None
            data = fixed
    raise AssertionError("unreachable")


def parse_times(texts: list[str | None]) -> tuple[FloatArray, int | None]:
    """Unix seconds per text (NaN when missing or unreadable) and the first local offset."""
    out = np.full(len(texts), np.nan)
    offset: int | None = None
    cache: dict[str, float] = {}
    for i, s in enumerate(texts):
        if not s:
            continue
        value = cache.get(s)
        if value is None:
            s = s.strip()
            try:
                dt = datetime.fromisoformat(s)
            except ValueError:
                continue
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            elif offset is None and not s.endswith(("Z", "z")):
                delta = dt.utcoffset()
                offset = int(delta.total_seconds()) if delta is not None else None
            value = (dt - EPOCH).total_seconds()
            cache[s] = value
        out[i] = value
    return out, offset


def floats(values: list[str]) -> FloatArray:
    """Strings to float64 in one numpy call; NaN for any value that is not a number."""
    try:
        return np.asarray(values, dtype=np.str_).astype(np.float64)
    except ValueError:  # one bad number: fall back to per-value parsing
        out = np.full(len(values), np.nan)
        for i, v in enumerate(values):
            with contextlib.suppress(ValueError):
                out[i] = float(v)
        return out


class Columns:
    """Points collected as string dicts while walking the tree, converted once at the end."""

    NAMES = ("lat", "lon", "ele", "hr", "cad", "runcad", "power", "dist", "speed")

    def __init__(self) -> None:
        self.seg: list[int] = []
        self.times: list[str | None] = []
        self.rows: list[dict[str, str]] = []

    def add(self, seg: int, time: str | None, values: dict[str, str]) -> None:
        self.seg.append(seg)
        self.times.append(time)
        self.rows.append(values)

    def _column(self, name: str) -> FloatArray:
        rows = self.rows
        if not any(name in r for r in rows):
            return np.full(len(rows), np.nan)
        return floats([r.get(name, "nan") for r in rows])

    def track(self) -> tuple[Track, FloatArray, int | None]:
        """Timed points only, and the raw RunCadence column (doubling is decided later)."""
        t, offset = parse_times(self.times)
        keep = np.isfinite(t)
        c = {n: self._column(n)[keep] for n in self.NAMES}
        c["hr"][c["hr"] <= 0] = np.nan  # 0 bpm: the strap lost contact
        track = Track(
            t=t[keep],
            seg=np.asarray(self.seg, dtype=np.float64)[keep],
            lat=c["lat"],
            lon=c["lon"],
            ele=c["ele"],
            hr=c["hr"],
            cad=c["cad"],
            power=c["power"],
            dist=c["dist"],
            speed=c["speed"],
        )
        return track, c["runcad"], offset


def _ext_field(cache: dict[str, str], tag: str) -> str:
    """The field an extension tag feeds, cached per tag (tags repeat per point)."""
    field = cache.get(tag)
    if field is None:
        field = cache[tag] = _EXT_FIELDS.get(local(tag).lower(), "")
    return field


def scan_extensions(ext: Element, values: dict[str, str], cache: dict[str, str]) -> None:
    """HR, cadence, power and speed from any vendor's extension elements, by local name."""
    for x in ext.iter():
        field = _ext_field(cache, x.tag)
        if field and x.text and field not in values:
            values[field] = x.text


def text(el: Element | None) -> str | None:
    """An element's stripped text; None for a missing element or blank text."""
    return el.text.strip() if el is not None and el.text and el.text.strip() else None
