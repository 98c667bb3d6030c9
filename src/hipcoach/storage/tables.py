"""The database schema (SQLAlchemy 2, typed). Changes go through an Alembic migration.

Portable SQL only: the same migrations run on SQLite (the default) and PostgreSQL.
Times are stored as timezone-aware UTC; distances and durations in SI units.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text
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
