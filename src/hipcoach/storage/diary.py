"""Reading and writing the pain diary, saved assessments, session logs and the plan's state.

The only module that knows the shape of those tables. Every write is one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from hipcoach.diary import PainEntry, SessionLog, parse_when
from hipcoach.storage.repository import _aware
from hipcoach.storage.tables import AssessmentRow, PainEntryRow, PlanStateRow, SessionLogRow

PLAN_STATE_ID = 1


@dataclass(frozen=True)
class StoredAssessment:
    """A saved assessment: the answers given and ``Assessment.to_dict()`` of the result."""

    id: int
    created_at: datetime
    kb_version: str
    answers: dict[str, Any]
    result: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "kb_version": self.kb_version,
            "answers": self.answers,
            "result": self.result,
        }


class DiaryRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- pain diary -----------------------------------------------------------------------

    def add_pain(self, entry: PainEntry) -> PainEntry:
        """Store an entry; returns it with its id.

        A ``next_morning`` rating also fills in the next-morning pain of the sessions played
        the day before that are still without one (same transaction).
        """
        recorded = entry.recorded_at or datetime.now(UTC)
        with Session(self.engine) as s, s.begin():
            row = PainEntryRow(
                recorded_at=recorded,
                day=entry.day,
                pain=entry.pain,
                region=entry.where,
                timing=entry.when,
                note=entry.note,
            )
            s.add(row)
            if entry.when == "next_morning":
                s.execute(
                    update(SessionLogRow)
                    .where(
                        SessionLogRow.day == entry.day - timedelta(days=1),
                        SessionLogRow.pain_next_morning.is_(None),
                    )
                    .values(pain_next_morning=entry.pain)
                )
            s.flush()
            new_id = row.id
        return PainEntry(
            entry.day, entry.pain, entry.where, entry.when, entry.note, recorded, new_id
        )

    def pain_entries(self, since: date | None = None) -> list[PainEntry]:
        """Diary entries, oldest first."""
        q = select(PainEntryRow).order_by(PainEntryRow.day, PainEntryRow.recorded_at)
        if since is not None:
            q = q.where(PainEntryRow.day >= since)
        with Session(self.engine) as s:
            return [
                PainEntry(
                    r.day,
                    r.pain,
                    r.region,
                    parse_when(r.timing),
                    r.note,
                    _aware(r.recorded_at),
                    r.id,
                )
                for r in s.scalars(q)
            ]

    def pain_readings(self, since: date | None = None) -> list[tuple[date, int]]:
        """Every pain rating with its day: the diary's and the sessions' pain during."""
        out = [(e.day, e.pain) for e in self.pain_entries(since)]
        out += [
            (s.day, s.pain_during) for s in self.session_logs(since) if s.pain_during is not None
        ]
        return sorted(out)

    # --- assessments ----------------------------------------------------------------------

    def save_assessment(
        self,
        *,
        answers: Mapping[str, Any],
        result: Mapping[str, Any],
        kb_version: str,
        created_at: datetime | None = None,
    ) -> StoredAssessment:
        """Save the answers and ``Assessment.to_dict()``."""
        when = created_at or datetime.now(UTC)
        with Session(self.engine) as s, s.begin():
            row = AssessmentRow(
                created_at=when, kb_version=kb_version, answers=dict(answers), result=dict(result)
            )
            s.add(row)
            s.flush()
            new_id = row.id
        return StoredAssessment(new_id, when, kb_version, dict(answers), dict(result))

    def assessments(self) -> list[StoredAssessment]:
        """Every saved assessment, oldest first."""
        q = select(AssessmentRow).order_by(AssessmentRow.created_at, AssessmentRow.id)
        with Session(self.engine) as s:
            return [_assessment(r) for r in s.scalars(q)]

    def latest_assessment(self) -> StoredAssessment | None:
        q = select(AssessmentRow).order_by(AssessmentRow.created_at.desc(), AssessmentRow.id.desc())
        with Session(self.engine) as s:
            row = s.scalars(q.limit(1)).first()
            return None if row is None else _assessment(row)

    # --- session logs ---------------------------------------------------------------------

    def log_session(self, log: SessionLog) -> SessionLog:
        """Store a played session. A day's session logged again (same day and ``uid_key``)
        replaces the first log, keeping its id and next-morning rating: one entry per day."""
        created = log.created_at or datetime.now(UTC)
        with Session(self.engine) as s, s.begin():
            row = s.scalars(
                select(SessionLogRow)
                .where(SessionLogRow.day == log.day, SessionLogRow.uid_key == log.uid_key)
                .order_by(SessionLogRow.id)
            ).first()
            if row is None:
                row = SessionLogRow(
                    day=log.day, uid_key=log.uid_key, pain_next_morning=log.pain_next_morning
                )
                s.add(row)
            elif log.pain_next_morning is not None:
                row.pain_next_morning = log.pain_next_morning
            row.items = list(log.items)
            row.pain_during = log.pain_during
            row.created_at = created
            s.flush()
            new_id, morning = row.id, row.pain_next_morning
        return SessionLog(
            log.day, log.uid_key, list(log.items), log.pain_during, morning, created, new_id
        )

    def session_logs(self, since: date | None = None) -> list[SessionLog]:
        """Played sessions, oldest first."""
        q = select(SessionLogRow).order_by(SessionLogRow.day, SessionLogRow.created_at)
        if since is not None:
            q = q.where(SessionLogRow.day >= since)
        with Session(self.engine) as s:
            return [
                SessionLog(
                    r.day,
                    r.uid_key,
                    list(r.items),
                    r.pain_during,
                    r.pain_next_morning,
                    _aware(r.created_at),
                    r.id,
                )
                for r in s.scalars(q)
            ]

    # --- plan state -----------------------------------------------------------------------

    def plan_state(self) -> dict[str, Any]:
        """The plan's state (e.g. ``{"phase": "load", "level": 2}``); empty before any plan."""
        with Session(self.engine) as s:
            row = s.get(PlanStateRow, PLAN_STATE_ID)
            return {} if row is None else dict(row.state)

    def plan_state_updated_at(self) -> datetime | None:
        """When the plan's state was last written (None before any plan): a plan stored
        before the latest assessment was made for an older one."""
        with Session(self.engine) as s:
            row = s.get(PlanStateRow, PLAN_STATE_ID)
            return None if row is None else _aware(row.updated_at)

    def update_plan_state(
        self, values: Mapping[str, Any], *, remove: Sequence[str] = ()
    ) -> dict[str, Any]:
        """Merge ``values`` into the state (and drop ``remove`` keys); returns the new state."""
        with Session(self.engine) as s, s.begin():
            row = s.get(PlanStateRow, PLAN_STATE_ID)
            state = {} if row is None else dict(row.state)
            state.update(values)
            for key in remove:
                state.pop(key, None)
            now = datetime.now(UTC)
            if row is None:
                s.add(PlanStateRow(id=PLAN_STATE_ID, state=state, updated_at=now))
            else:
                row.state = state  # a new object, so the change is seen
                row.updated_at = now
        return state


def _assessment(r: AssessmentRow) -> StoredAssessment:
    return StoredAssessment(
        r.id, _aware(r.created_at), r.kb_version, dict(r.answers), dict(r.result)
    )
