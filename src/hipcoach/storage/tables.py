"""The database schema (SQLAlchemy 2, typed). Changes go through an Alembic migration.

Portable SQL only: the same migrations run on SQLite (the default) and PostgreSQL.
Times are stored as timezone-aware UTC; distances and durations in SI units.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class SourceFile(Base):
    """One original file (or archive member) that was imported, kept so the user can get it back."""

    __tablename__ = "source_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)
    stored_path: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    activities: Mapped[list[ActivityRow]] = relationship(back_populates="source_file")


class ActivityRow(Base):
    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_start", "start_utc"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("source_file.id", ondelete="CASCADE"), index=True
    )
    sport: Mapped[str] = mapped_column(String(32))
    start_utc: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    utc_offset_s: Mapped[int | None] = mapped_column(Integer)
    elapsed_s: Mapped[float] = mapped_column(Float)
    moving_s: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    ascent_m: Mapped[float | None] = mapped_column(Float)
    avg_hr: Mapped[float | None] = mapped_column(Float)
    max_hr: Mapped[float | None] = mapped_column(Float)
    avg_cadence_spm: Mapped[float | None] = mapped_column(Float)
    avg_speed_mps: Mapped[float | None] = mapped_column(Float)
    max_speed_mps: Mapped[float | None] = mapped_column(Float)
    calories: Mapped[float | None] = mapped_column(Float)
    device: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    gear: Mapped[str | None] = mapped_column(Text)
    rpe: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(String(16))
    source_file: Mapped[SourceFile | None] = relationship(back_populates="activities")


class PainEntryRow(Base):
    """One pain rating in the diary. ``region`` / ``timing`` hold the entry's where / when
    (both reserved words in SQL, so not used as column names)."""

    __tablename__ = "pain_entry"
    __table_args__ = (
        Index("ix_pain_entry_day", "day"),
        CheckConstraint("pain >= 0 AND pain <= 10", name="ck_pain_entry_pain"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[date] = mapped_column(Date)
    pain: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(32))
    timing: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class AssessmentRow(Base):
    """A saved assessment: the validated answers and ``Assessment.to_dict()``."""

    __tablename__ = "assessment"
    __table_args__ = (Index("ix_assessment_created", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kb_version: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class SessionLogRow(Base):
    """One played exercise session: what was done, and the pain during and the next morning."""

    __tablename__ = "session_log"
    __table_args__ = (Index("ix_session_log_day", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    uid_key: Mapped[str] = mapped_column(Text)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    pain_during: Mapped[int | None] = mapped_column(Integer)
    pain_next_morning: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlanStateRow(Base):
    """The plan's state (current phase, level, ...): a single row holding a JSON object."""

    __tablename__ = "plan_state"
    __table_args__ = (CheckConstraint("id = 1", name="ck_plan_state_single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SettingRow(Base):
    """One setting (units, heart rates, age, sex): the key and its value as JSON."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
