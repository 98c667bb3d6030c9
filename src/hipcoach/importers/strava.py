"""Strava's ``activities.csv``: one row of metadata per activity, joined to files.

The CSV is a moving target: its columns change every year or so (87 → 94 → 99 → 101),
names repeat (the first ``Distance`` is in the athlete's display unit, km or miles, the
second in metres; ``Elapsed Time`` is there twice), the header and dates follow the
account language (English since July 2019, a snake_case header before, German with
day-first dates), and ``Activity Date`` is UTC. So it is read with ``csv.reader`` by
header name and occurrence, never by position or with DictReader (which keeps only the
last of two equal names); the language is told by the first column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from hipcoach.importers.exports import ExportMetadata
from hipcoach.importers.items import Item
from hipcoach.importers.messages import clip
from hipcoach.importers.sports import sport_from_text

# field → (2019+ English, pre-2019 snake_case, German) header names
_STRAVA_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("Activity ID", "id", "Aktivitäts-ID"),
    "date": ("Activity Date", "date", "Aktivitätsdatum"),
    "name": ("Activity Name", "name", "Name der Aktivität"),
    "type": ("Activity Type", "type", "Aktivitätsart"),
    "description": ("Activity Description", "description", "Aktivitätsbeschreibung"),
    "elapsed": ("Elapsed Time", "elapsed_time", "Verstrichene Zeit"),
    "moving": ("Moving Time", "moving_time", "Bewegungszeit"),
    "distance": ("Distance", "distance", "Distanz"),
    "private_note": (
        "Activity Private Note",
        "private_note",
        "Private Notiz zur Aktivität",
        "Hinweis zur Privatsphäre für Aktivitäten",
    ),
    "gear": ("Activity Gear", "gear", "Aktivitätsausrüstung"),
    "filename": ("Filename", "filename", "Dateiname"),
    "rpe": ("Perceived Exertion", "perceived_exertion", "Gefühlte Anstrengung"),
    "avg_hr": ("Average Heart Rate", "average_heartrate", "Durchschnittliche Herzfrequenz"),
    "max_hr": ("Max Heart Rate", "max_heartrate", "Max. Herzfrequenz"),
    "calories": ("Calories", "calories", "Kalorien"),
    "commute": ("Commute", "commute", "Pendeln"),
}
_LOOKUP = {name.lower(): field for field, names in _STRAVA_HEADERS.items() for name in names}
_LANGUAGE_BY_FIRST = {"activity id": "en", "id": "legacy", "aktivitäts-id": "de"}
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "jan",
            "feb",
            "mar mär mrz",
            "apr",
            "may mai",
            "jun",
            "jul",
            "aug",
            "sep",
            "oct okt",
            "nov",
            "dec dez",
        )
    )
    for m in names.split()
}
_EN_DATE = re.compile(
    r"^(\w{3})\w*\.? (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})\s*([AaPp][Mm])?$"
)
_DE_DATE = re.compile(  # "29.05.2022, 15:53:35" or "29. Mai 2022, 15:53:35"
    r"^(\d{1,2})\.\s?(\d{1,2}|\w{3})\w*\.?\s?(\d{4}),?\s*(?:(\d{1,2}):(\d{2}):(\d{2}))?$"
)


def parse_strava_date(text: str, language: str) -> datetime | None:
    """UTC datetime from an ``Activity Date`` in any known export language, or None."""
    s = text.strip()
    if len(s) > 64:  # no date is this long; also keeps the regexes' work small
        return None
    try:
        if language == "de":
            m = _DE_DATE.match(s)
            if not m:
                return None
            day, mon, year, hh, mm, ss = m.groups()
            month = int(mon) if mon.isdigit() else _MONTHS[mon[:3].lower()]
            return datetime(
                int(year), month, int(day), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=UTC
            )
        m = _EN_DATE.match(s)
        if m:
            mon, day, year, hh, mm, ss, ampm = m.groups()
            hour = int(hh) % 12 + (12 if ampm and ampm.lower() == "pm" else 0)
            if not ampm:
                hour = int(hh)
            return datetime(
                int(year), _MONTHS[mon.lower()], int(day), hour, int(mm), int(ss), tzinfo=UTC
            )
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except (ValueError, KeyError, OverflowError):  # OverflowError: year 1 with an offset
        return None


def _number(text: str | None) -> float | None:
    """A CSV number (German decimal commas too); None when empty or not a number."""
    if text is None or not text.strip():
        return None
    s = text.strip()
    if "," in s and "." not in s:
        s = s.replace(",", ".")  # German decimals: "2,81"
    try:
        x = float(s)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


class _Getter(Protocol):
    """``get(field, occurrence)``: a row's value of a header's n-th occurrence."""

    def __call__(self, field: str, occurrence: int = 1) -> str | None: ...


@dataclass(frozen=True)
class StravaRow:
    """One row of activities.csv: the file it names (if any) and its metadata."""

    line: int  # line of the row in activities.csv, for messages
    filename: str | None  # as written ("activities/123.fit.gz"), None for manual entries
    metadata: ExportMetadata


@dataclass(frozen=True)
class StravaCsv:
    """A parsed activities.csv and the language its header was read in."""

    language: str  # en | legacy | de | unknown (then only Filename is known, by content)
    rows: list[StravaRow]
    problem: str | None = None  # why reading stopped early: the rows before it are kept


def parse_strava_csv(data: bytes) -> StravaCsv | None:
    """The rows of a Strava ``activities.csv``; None when it is not Strava's.

    A header in a language not known here still counts when one column holds Strava's
    ``activities/…`` file names: its files are then joined without metadata.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    lines: list[tuple[int, list[str]]] = []
    problem = None
    try:
        header = [h.strip() for h in next(reader, [])]
        for row in reader:
            if any(cell.strip() for cell in row):
                lines.append((reader.line_num, row))
    except csv.Error as exc:  # a field over csv's 128 KiB limit: an unterminated quote
        problem = (
            f"activities.csv cannot be read past line {reader.line_num} (a quote that is "
            "never closed, or a damaged file): the rows before it are used, the activity "
            "files are all imported; request a new export from Strava for the names and "
            f"gear of the rest ({clip(exc)})"
        )
    if not header:
        return None
    language = _LANGUAGE_BY_FIRST.get(header[0].lower(), "unknown")
    column: dict[tuple[str, int], int] = {}  # (field, occurrence) → index
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        field = _LOOKUP.get(h.lower()) if language != "unknown" else None
        if field is not None:
            seen[field] = seen.get(field, 0) + 1
            column[(field, seen[field])] = i
    if language == "unknown":
        found = _filename_column(header, lines)
        if found is None:
            return None
        column = {("filename", 1): found}
    elif ("filename", 1) not in column or ("date", 1) not in column:
        return None
    rows: list[StravaRow] = []
    for line, row in lines:

        def get(field: str, occurrence: int = 1, row: list[str] = row) -> str | None:
            i = column.get((field, occurrence))
            value = row[i].strip() if i is not None and i < len(row) else ""
            return value or None

        meta = (
            _strava_metadata(get, language)
            if language != "unknown"
            else ExportMetadata(source="strava")
        )
        rows.append(StravaRow(line, get("filename"), meta))
    return StravaCsv(language, rows, problem)


def _filename_column(header: list[str], lines: list[tuple[int, list[str]]]) -> int | None:
    """The column whose values look like ``activities/123.fit.gz``, if any.

    One pass over the cells (a column at a time would be columns x rows: quadratic in a
    CSV with a very wide header).
    """
    candidates = set(range(len(header)))
    named: set[int] = set()
    for _, row in lines:
        for i, cell in enumerate(row[: len(header)]):
            value = cell.strip()
            if value and i in candidates:
                if value.lower().startswith("activities/"):
                    named.add(i)
                else:
                    candidates.discard(i)
    return min(candidates & named, default=None)


def _strava_metadata(get: _Getter, language: str) -> ExportMetadata:
    """One row's metadata; times in seconds, distance in metres only."""
    # Metres only: the first Distance of 2019+ exports is km or miles, unknowable which.
    metres = get("distance", 2) if language != "legacy" else get("distance")
    elapsed = _number(get("elapsed", 2)) or _number(get("elapsed"))
    rpe = _number(get("rpe"))
    commute = get("commute")
    label = get("type")
    date = get("date")
    return ExportMetadata(
        source="strava",
        activity_id=get("id"),
        name=get("name"),
        sport=sport_from_text(label),
        sport_label=label,
        gear=get("gear"),
        rpe=rpe if rpe is not None and 1 <= rpe <= 10 else None,
        description=get("description"),
        private_note=get("private_note"),
        start_utc=parse_strava_date(date, language) if date else None,
        elapsed_s=elapsed,
        moving_s=_number(get("moving")),
        distance_m=_number(metres),
        avg_hr=_number(get("avg_hr")),
        max_hr=_number(get("max_hr", 2)) or _number(get("max_hr")),
        calories=_number(get("calories")),
        commute=None if commute is None else commute.lower() in ("true", "1", "wahr"),
    )


def member_path(prefix: str, filename: str) -> str:
    """The lower-cased member path of a CSV ``Filename`` under the export's root."""
    name = filename.replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return (prefix + name.lstrip("/")).lower()


def leftover_items(
    prefix: str, csv_name: str, rows: list[StravaRow], used: set[str]
) -> Iterator[Item]:
    """Manual activities (no file) as metadata-only Items; listed files that are missing."""
    missing = [r for r in rows if r.filename and member_path(prefix, r.filename) not in used]
    listed = sum(1 for r in rows if r.filename)
    if missing and len(missing) == listed and listed > 1:
        yield Item(
            csv_name,
            None,
            source="strava",
            error=(
                f"none of the {listed} files listed in activities.csv is here; import the whole "
                "export (the zip, or the folder with activities/) rather than the CSV alone"
            ),
        )
        missing = []
    for r in missing:
        yield Item(
            f"{csv_name} (line {r.line}: {clip(r.filename, 120)})",
            None,
            r.metadata,
            "strava",
            error="listed in activities.csv but missing from the export; re-download "
            "the export if this activity matters",
        )
    for r in rows:
        if not r.filename:
            label = ", ".join(x for x in (r.metadata.name, r.metadata.sport_label) if x)
            yield Item(
                f"{csv_name} (line {r.line}: {clip(label, 120) or 'manual activity'})",
                None,
                r.metadata,
                "strava",
            )
