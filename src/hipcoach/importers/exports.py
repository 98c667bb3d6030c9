"""Export metadata, Garmin's summary JSON, and laying metadata over decoded files.

Bulk exports know things the activity files do not: the name, type, gear, perceived
exertion and notes the athlete edited on the website after the upload. Strava's CSV
(``strava``) and Garmin's JSON (here) are read into ``ExportMetadata`` and laid over the
file's values by ``apply_metadata``: the export wins for name, sport, gear, RPE and notes,
as users expect.

Garmin's ``*_summarizedActivities.json`` is in centimetres and milliseconds, lists
multisport parents next to their legs (parents are dropped, or distances count twice),
and its FIT files sit in nested zips named by upload id, so files are matched to
summaries by start time (``GarminIndex``). ``fit_file_id`` reads a FIT file's type and
creation time from its first message, cheaply enough for the thousands of files (most of
them monitoring, not activities) in those zips.
"""

from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from hipcoach.importers import fit_profile
from hipcoach.importers.sports import sport_from_text
from hipcoach.training.model import RUNNING_SPORTS, Activity

MATCH_WINDOW_S = 300.0  # Garmin file ↔ summary: closest start within 5 min (garmin-grafana)
FIT_EPOCH_S = 631_065_600  # 1989-12-31T00:00:00Z, the FIT time origin, in Unix seconds
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ByteOrder = Literal["little", "big"]

MAX_EXPORT_NUMBER = 1e15  # ms: 31,000 years; cm: 10 billion km. Beyond is not data
FIT_FILE_TYPES = fit_profile.FILE_TYPES
FIT_ACTIVITY = 4


@dataclass(frozen=True)
class ExportMetadata:
    """What an export says about one activity. Units are SI, times UTC; None = unknown."""

    source: str  # "strava" | "garmin"
    activity_id: str | None = None
    name: str | None = None
    sport: str | None = None
    sport_label: str | None = None  # the export's own word, e.g. "Trail Run", "Lauf"
    gear: str | None = None
    rpe: float | None = None  # perceived exertion 1–10
    description: str | None = None
    private_note: str | None = None
    start_utc: datetime | None = None
    elapsed_s: float | None = None
    moving_s: float | None = None
    distance_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    calories: float | None = None
    commute: bool | None = None

    @property
    def notes(self) -> str | None:
        """Description and private note together: the model has one notes field."""
        parts = [p for p in (self.description, self.private_note) if p]
        return "\n\n".join(parts) if parts else None


# --------------------------------------------------------------------------- Garmin


def parse_garmin_summaries(data: bytes) -> list[ExportMetadata]:
    """Summaries from a ``*_summarizedActivities.json``, multisport parents left out.

    Raises ValueError when the file is not that JSON (also when it is nested deeper
    than Python's parser goes: no real summary file is).
    """
    try:
        doc = json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply to be Garmin's summary file") from None
    blocks = doc if isinstance(doc, list) else [doc]
    out: list[ExportMetadata] = []
    for block in blocks:
        acts = block.get("summarizedActivitiesExport") if isinstance(block, dict) else None
        if not isinstance(acts, list):
            raise ValueError("no summarizedActivitiesExport list")
        for a in acts:
            if not isinstance(a, dict) or a.get("parent") is True:
                continue  # a multisport parent: its legs carry the data
            kind = a.get("activityType")
            if isinstance(kind, dict):
                kind = kind.get("typeKey")
            label = _str(str(kind)[:64]) if isinstance(kind, str | int) else None
            if label in ("multi_sport", "multisport"):
                continue
            start = _when(a.get("startTimeGmt")) or _when(a.get("beginTimestamp"))
            out.append(
                ExportMetadata(
                    source="garmin",
                    activity_id=_id(a.get("activityId")),
                    name=_str(a.get("name")),
                    sport=sport_from_text(label),
                    sport_label=label,
                    description=_str(a.get("description")),
                    start_utc=start,
                    elapsed_s=_ms(a.get("elapsedDuration")) or _ms(a.get("duration")),
                    moving_s=_ms(a.get("movingDuration")),
                    distance_m=_cm(a.get("distance")),
                    avg_hr=_plain(a.get("avgHr")),
                    max_hr=_plain(a.get("maxHr")),
                )
            )
    return out


def _plain(v: object) -> float | None:
    """A JSON number as float; None for anything else (Garmin leaves fields null).

    Numbers no activity has (NaN, infinities, beyond ±1e15: a file edited or forged)
    are None too, so no later sum or date overflows on them.
    """
    if not isinstance(v, int | float) or isinstance(v, bool):
        return None
    try:
        x = float(v)
    except OverflowError:  # an integer with hundreds of digits
        return None
    return x if math.isfinite(x) and abs(x) < MAX_EXPORT_NUMBER else None


def _id(v: object) -> str | None:
    """An activity id (a number or a string), as text; None for anything else."""
    if isinstance(v, bool) or not isinstance(v, int | str):
        return None
    if isinstance(v, int) and abs(v) >= 10**30:
        return None  # no service numbers its activities like that (and str() would refuse)
    return str(v)[:64] or None


def _str(v: object) -> str | None:
    """A JSON string, stripped; None when missing or blank."""
    return v.strip() or None if isinstance(v, str) else None


def _when(v: object) -> datetime | None:
    """A GMT start: epoch milliseconds in exports, "YYYY-MM-DD HH:MM:SS" in the API."""
    try:
        ms = _plain(v)
        if ms is not None:
            return EPOCH + timedelta(milliseconds=ms)
        if isinstance(v, str) and len(v) <= 64:
            dt = datetime.fromisoformat(v.strip())
            return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except (ValueError, OverflowError):  # not a date, or one outside years 1-9999
        return None
    return None


def _ms(v: object) -> float | None:
    """Garmin export milliseconds → seconds."""
    x = _plain(v)
    return x / 1000.0 if x is not None else None


def _cm(v: object) -> float | None:
    """Garmin export centimetres → metres."""
    x = _plain(v)
    return x / 100.0 if x is not None else None


class GarminIndex:
    """Summaries by start time, to find the one belonging to a FIT file."""

    def __init__(self, summaries: list[ExportMetadata]) -> None:
        timed = sorted(
            ((s.start_utc.timestamp(), s) for s in summaries if s.start_utc is not None),
            key=lambda p: p[0],
        )
        self._starts = [t for t, _ in timed]
        self._items = [s for _, s in timed]

    def __len__(self) -> int:
        return len(self._items)

    def match(self, start: float | None) -> ExportMetadata | None:
        """The summary starting closest to ``start`` (Unix s), within MATCH_WINDOW_S."""
        if start is None or not self._starts:
            return None
        i = bisect.bisect_left(self._starts, start)
        best = min(
            (j for j in (i - 1, i) if 0 <= j < len(self._starts)),
            key=lambda j: abs(self._starts[j] - start),
        )
        return self._items[best] if abs(self._starts[best] - start) <= MATCH_WINDOW_S else None


def fit_file_id(data: bytes) -> tuple[int | None, float | None]:
    """(file type, time_created in Unix s) from the file_id message; None where unknown.

    FIT files put file_id first, so only the first few records are walked; anything
    unexpected gives (None, None) and the full FIT reader decides.
    """
    try:
        if len(data) < 14 or data[8:12] != b".FIT":
            return None, None
        pos = data[0]
        order: ByteOrder = "little"
        defs: dict[int, tuple[ByteOrder, int, list[tuple[int, int]], int]] = {}
        for _ in range(32):
            head = data[pos]
            pos += 1
            if head & 0x80:  # compressed-timestamp data message
                local = (head >> 5) & 0x03
                order, gnum, fields, dev = defs[local]
                pos += sum(size for _, size in fields) + dev
                continue
            local = head & 0x0F
            if head & 0x40:  # definition message
                order = "big" if data[pos + 1] == 1 else "little"
                gnum = int.from_bytes(data[pos + 2 : pos + 4], order)
                count = data[pos + 4]
                pos += 5
                fields = [(data[pos + 3 * k], data[pos + 3 * k + 1]) for k in range(count)]
                pos += 3 * count
                dev = 0
                if head & 0x20:
                    n_dev = data[pos]
                    dev = sum(data[pos + 1 + 3 * k + 1] for k in range(n_dev))
                    pos += 1 + 3 * n_dev
                defs[local] = (order, gnum, fields, dev)
                continue
            order, gnum, fields, dev = defs[local]
            if gnum == 0:
                return _file_id_values(data, pos, fields, order)
            pos += sum(size for _, size in fields) + dev
    except (IndexError, KeyError):
        pass
    return None, None


def _file_id_values(
    data: bytes, pos: int, fields: list[tuple[int, int]], order: ByteOrder
) -> tuple[int | None, float | None]:
    """file_id fields 0 (type) and 4 (time_created) from the data message at ``pos``."""
    kind: int | None = None
    created: float | None = None
    for num, size in fields:
        raw = data[pos : pos + size]
        pos += size
        if num == 0 and size >= 1 and raw[0] != 0xFF:
            kind = raw[0]
        elif num == 4 and size == 4:
            v = int.from_bytes(raw, order)
            if 0x10000000 <= v != 0xFFFFFFFF:  # smaller values are device-relative
                created = float(v + FIT_EPOCH_S)
    return kind, created


# --------------------------------------------------------------------------- applying


def apply_metadata(acts: list[Activity], meta: ExportMetadata | None) -> list[Activity]:
    """The activities with the export's name, sport, gear, RPE and notes laid over.

    One activity takes the metadata outright. Of several (a multisport FIT), only the one
    starting closest to the export's start takes it. Garmin metadata found by time is
    dropped if the decoded start is more than MATCH_WINDOW_S away (a wrong match). An
    export's plain "running" never replaces a file's more precise running kind.
    """
    if meta is None or not acts:
        return acts
    target = 0
    if meta.start_utc is not None:
        start = meta.start_utc
        target = min(range(len(acts)), key=lambda i: abs(acts[i].start_utc - start))
        off = abs((acts[target].start_utc - start).total_seconds())
        if meta.source == "garmin" and off > MATCH_WINDOW_S:
            return acts
    act = acts[target]
    sport = meta.sport
    if sport == "running" and act.sport in RUNNING_SPORTS:
        sport = None
    out = list(acts)
    # For a single-activity file the export's own totals win too, so the history adds up to
    # the numbers the runner sees in Strava or Garmin Connect (Strava recomputes distance).
    totals: dict[str, float | None] = {}
    if len(acts) == 1:
        totals = {"distance_m": meta.distance_m, "moving_s": meta.moving_s}
        if meta.elapsed_s:
            totals["elapsed_s"] = meta.elapsed_s
    out[target] = act.with_metadata(
        name=meta.name, sport=sport, gear=meta.gear, rpe=meta.rpe, notes=meta.notes, **totals
    )
    return out


def manual_activity(meta: ExportMetadata) -> Activity | None:
    """An Activity from export metadata alone (a manual entry without a file), if dated."""
    if meta.start_utc is None or not meta.elapsed_s:
        return None
    return Activity(
        sport=meta.sport or "other",
        start_utc=meta.start_utc,
        elapsed_s=meta.elapsed_s,
        source_format="manual",
        moving_s=meta.moving_s,
        distance_m=meta.distance_m,
        avg_hr=meta.avg_hr,
        max_hr=meta.max_hr,
        calories=meta.calories,
        name=meta.name,
        gear=meta.gear,
        rpe=meta.rpe,
        notes=meta.notes,
    )
