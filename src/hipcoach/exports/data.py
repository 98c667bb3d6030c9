"""All of the runner's data, theirs to take: every table as JSON and as CSV, in a folder or zip.

Tables are read generically from the schema, so a table added later is exported too.
Also the JSON form of a plan (a list of :class:`PlannedDay`), read by ``hipcoach session
--plan-file`` and kept in the plan state.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Engine, select

from hipcoach.errors import InputError
from hipcoach.plan.schedule import PlannedDay, SessionItem
from hipcoach.storage.db import SCHEMA_REVISION
from hipcoach.storage.tables import Base

DATA_FORMAT = "hipcoach-data"
DATA_FORMAT_VERSION = 1
JSON_NAME = "hipcoach-data.json"


def _value(v: Any) -> Any:
    if isinstance(v, datetime):
        return (v if v.tzinfo is not None else v.replace(tzinfo=UTC)).isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return v


def dump_tables(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every table of the schema → its rows (JSON-ready values; times in UTC ISO 8601)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as c:
        for table in Base.metadata.sorted_tables:
            q = select(table).order_by(*table.primary_key.columns)
            out[table.name] = [
                {k: _value(v) for k, v in row.items()} for row in c.execute(q).mappings()
            ]
    return out


def _csv(table: str, rows: list[dict[str, Any]]) -> str:
    columns = [c.name for c in Base.metadata.tables[table].columns]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                ""
                if row.get(c) is None
                else json.dumps(row[c], ensure_ascii=False)
                if isinstance(row.get(c), dict | list)
                else row[c]
                for c in columns
            ]
        )
    return buf.getvalue()


@dataclass(frozen=True)
class DataExport:
    path: Path
    files: list[str]
    rows: dict[str, int]


def export_data(
    engine: Engine,
    out: Path,
    *,
    plan: Sequence[PlannedDay] = (),
    now: datetime | None = None,
) -> DataExport:
    """Write ``hipcoach-data.json`` and one CSV per table into ``out``: a zip file when
    ``out`` ends in ``.zip``, else a folder (created if needed; same-named files replaced)."""
    tables = dump_tables(engine)
    doc = {
        "format": DATA_FORMAT,
        "format_version": DATA_FORMAT_VERSION,
        "exported_at": (now or datetime.now(UTC)).isoformat(),
        "schema_revision": SCHEMA_REVISION,
        "tables": tables,
        "plan": plan_to_json(plan),
    }
    files = {JSON_NAME: json.dumps(doc, indent=2, ensure_ascii=False) + "\n"}
    for name, rows in tables.items():
        files[f"{name}.csv"] = _csv(name, rows)
    try:
        if out.suffix.lower() == ".zip":
            if out.is_dir():
                raise InputError(
                    f"{out} is a folder; give a .zip file name or a folder without .zip"
                )
            out.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
                for fname, text in files.items():
                    z.writestr(fname, text)
        else:
            if out.exists() and not out.is_dir():
                raise InputError(f"{out} is a file; give a folder, or a name ending in .zip")
            out.mkdir(parents=True, exist_ok=True)
            for fname, text in files.items():
                (out / fname).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {out} ({exc.strerror or exc})") from None
    return DataExport(out, list(files), {k: len(v) for k, v in tables.items()})


# --- the plan as JSON -----------------------------------------------------------------------

_DAYS = TypeAdapter(list[PlannedDay])
_ITEMS = TypeAdapter(list[SessionItem])


def plan_to_json(days: Sequence[PlannedDay]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = _DAYS.dump_python(list(days), mode="json")
    return out


def _first_error(exc: ValidationError, what: str) -> str:
    err = exc.errors()[0]
    loc = list(err["loc"])
    head = f"{what} {int(loc.pop(0)) + 1}" if loc and isinstance(loc[0], int) else what
    path = ".".join(str(p) for p in loc)
    return f"{head}{', ' + path if path else ''}: {err['msg']}"


def plan_from_json(data: Any, name: str, today: date) -> list[PlannedDay]:
    """Planned days from JSON: a list of days, ``{"days": [...]}``, one day, or
    ``{"items": [...]}`` (today's session items)."""
    if isinstance(data, dict) and "days" in data:
        data = data["days"]
    elif isinstance(data, dict) and "items" in data and "day" not in data:
        try:
            items = _ITEMS.validate_python(data["items"])
        except ValidationError as exc:
            raise InputError(f"{name}: {_first_error(exc, 'item')}") from None
        return [PlannedDay(today, "rehab", str(data.get("title", "Exercises")), items=tuple(items))]
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(
            f'{name}: expected a list of planned days, {{"days": [...]}} or {{"items": [...]}}'
        )
    try:
        return _DAYS.validate_python(data)
    except ValidationError as exc:
        raise InputError(f"{name}: {_first_error(exc, 'day')}") from None
