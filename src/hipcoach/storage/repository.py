"""Reading and writing activities. The only module that knows the tables' shape."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hipcoach.storage.tables import ActivityRow, SourceFile
from hipcoach.training.model import Activity

# Two records are the same activity when they start within this many seconds of each other
# and their durations (and distances, when both are known) agree within DUP_TOLERANCE, or
# within the absolute slack below, whichever is larger. The slack is for short activities:
# one 0.67 km ride lasts 113 s in its FIT file (the device's auto-pause trims it) and 126 s
# as GPX/TCX, and measures 0.67 km by its sensor but 0.90 km summed from its GPS points.
# The two must also overlap in time for at least half of the longer one, so a one-minute
# walk and the short run that follows it are still two activities.
DUP_START_S = 90.0
DUP_TOLERANCE = 0.10
DUP_ELAPSED_SLACK_S = 30.0
DUP_DISTANCE_SLACK_M = 300.0
DUP_MIN_OVERLAP = 0.5


def _aware(dt: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


@dataclass
class _Known:
    start: float
    elapsed: float
    distance: float | None


class DuplicateIndex:
    """Start times of every stored activity, for finding the same activity from another source."""

    def __init__(self, rows: Iterable[tuple[datetime, float, float | None]]) -> None:
        items = sorted(
            (_Known(_aware(s).timestamp(), e, d) for s, e, d in rows), key=lambda k: k.start
        )
        self._starts = [k.start for k in items]
        self._items = items

    def find(self, a: Activity) -> bool:
        t = a.start_utc.timestamp()
        lo = bisect.bisect_left(self._starts, t - DUP_START_S)
        hi = bisect.bisect_right(self._starts, t + DUP_START_S)
        for k in self._items[lo:hi]:
            overlap = min(k.start + k.elapsed, t + a.elapsed_s) - max(k.start, t)
            same_distance = (
                k.distance is None
                or a.distance_m is None
                or _close(k.distance, a.distance_m, DUP_DISTANCE_SLACK_M)
            )
            if (
                overlap >= DUP_MIN_OVERLAP * max(k.elapsed, a.elapsed_s)
                and _close(k.elapsed, a.elapsed_s, DUP_ELAPSED_SLACK_S)
                and same_distance
            ):
                return True
        return False

    def add(self, a: Activity) -> None:
        t = a.start_utc.timestamp()
        i = bisect.bisect_left(self._starts, t)
        self._starts.insert(i, t)
        self._items.insert(i, _Known(t, a.elapsed_s, a.distance_m))


def _close(x: float, y: float, slack: float) -> bool:
    return abs(x - y) <= max(DUP_TOLERANCE * max(abs(x), abs(y)), slack)


class Repository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def known_hashes(self) -> set[str]:
        with Session(self.engine) as s:
            return set(s.scalars(select(SourceFile.sha256)))

    def duplicate_index(self) -> DuplicateIndex:
        with Session(self.engine) as s:
            rows = s.execute(
                select(ActivityRow.start_utc, ActivityRow.elapsed_s, ActivityRow.distance_m)
            ).all()
        return DuplicateIndex((r[0], r[1], r[2]) for r in rows)

    def add_file(
        self,
        *,
        sha256: str,
        name: str,
        fmt: str,
        size: int,
        stored_path: str | None,
        activities: Sequence[Activity],
    ) -> None:
        """Store one source file and its activities in one transaction (all or nothing)."""
        with Session(self.engine) as s, s.begin():
            src = SourceFile(
                sha256=sha256,
                name=name,
                format=fmt,
                size=size,
                stored_path=stored_path,
                imported_at=datetime.now(UTC),
            )
            s.add(src)
            for a in activities:
                s.add(_row(a, src))

    def activities(
        self, since: datetime | None = None, sport: str | None = None, *, last: int | None = None
    ) -> list[Activity]:
        """Stored activities, oldest first (without per-second samples); with ``last``, only
        the latest that many.

        Reads plain rows, not ORM objects: a ten-year history is thousands of rows and
        this is on the path of every `hipcoach load` and assessment.
        """
        q = select(*_COLUMNS)
        if since is not None:
            q = q.where(ActivityRow.start_utc >= since)
        if sport is not None:
            q = q.where(ActivityRow.sport == sport)
        if last is not None:
            q = q.order_by(ActivityRow.start_utc.desc()).limit(last)
        else:
            q = q.order_by(ActivityRow.start_utc)
        with self.engine.connect() as c:
            rows = list(c.execute(q).all())
        if last is not None:
            rows.reverse()  # oldest first, like every other call
        names = [col.key for col in _COLUMNS]
        out = []
        for row in rows:
            values = dict(zip(names, row, strict=True))
            values["start_utc"] = _aware(values["start_utc"])
            out.append(Activity(**values))
        return out

    def activity_at(
        self, start: datetime
    ) -> tuple[Activity, tuple[str, str | None] | None] | None:
        """The activity that started within the second from ``start`` (activity ids are
        whole seconds), with its original file (name, kept copy) when it came from one.
        One indexed lookup: an activity's page must not read the whole history."""
        q = (
            select(*_COLUMNS, SourceFile.name, SourceFile.stored_path)
            .outerjoin(SourceFile, ActivityRow.source_file_id == SourceFile.id)
            .where(ActivityRow.start_utc >= start)
            .where(ActivityRow.start_utc < start + timedelta(seconds=1))
            .order_by(ActivityRow.start_utc)
            .limit(1)
        )
        with self.engine.connect() as c:
            row = c.execute(q).first()
        if row is None:
            return None
        *columns, name, stored_path = row
        values = dict(zip([col.key for col in _COLUMNS], columns, strict=True))
        values["start_utc"] = _aware(values["start_utc"])
        return Activity(**values), (None if name is None else (name, stored_path))

    def originals(self) -> dict[tuple[datetime, float], tuple[str, str | None]]:
        """(start, elapsed) of each activity → (original file name, its kept copy)."""
        q = select(
            ActivityRow.start_utc, ActivityRow.elapsed_s, SourceFile.name, SourceFile.stored_path
        ).join(SourceFile, ActivityRow.source_file_id == SourceFile.id)
        with self.engine.connect() as c:
            return {(_aware(s), e): (n, p) for s, e, n, p in c.execute(q)}

    def count(self) -> int:
        with Session(self.engine) as s:
            return int(s.scalar(select(func.count(ActivityRow.id))) or 0)


def _row(a: Activity, src: SourceFile) -> ActivityRow:
    return ActivityRow(
        source_file=src,
        sport=a.sport,
        start_utc=a.start_utc,
        utc_offset_s=a.utc_offset_s,
        elapsed_s=a.elapsed_s,
        moving_s=a.moving_s,
        distance_m=a.distance_m,
        ascent_m=a.ascent_m,
        avg_hr=a.avg_hr,
        max_hr=a.max_hr,
        avg_cadence_spm=a.avg_cadence_spm,
        avg_speed_mps=a.avg_speed_mps,
        max_speed_mps=a.max_speed_mps,
        calories=a.calories,
        device=a.device,
        name=a.name,
        gear=a.gear,
        rpe=a.rpe,
        notes=a.notes,
        source_format=a.source_format,
    )


_COLUMNS = (
    ActivityRow.sport, ActivityRow.start_utc, ActivityRow.elapsed_s, ActivityRow.source_format,
    ActivityRow.utc_offset_s, ActivityRow.moving_s, ActivityRow.distance_m, ActivityRow.ascent_m,
    ActivityRow.avg_hr, ActivityRow.max_hr, ActivityRow.avg_cadence_spm, ActivityRow.avg_speed_mps,
    ActivityRow.max_speed_mps, ActivityRow.calories, ActivityRow.device, ActivityRow.name,
    ActivityRow.gear, ActivityRow.rpe, ActivityRow.notes,
)  # fmt: skip
