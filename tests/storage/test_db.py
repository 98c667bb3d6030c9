"""The database: migrations on open, pragmas, atomic writes, duplicate finding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from hipcoach.storage.db import data_dir, open_engine
from hipcoach.storage.repository import Repository
from hipcoach.training.model import Activity


def _run(start: datetime, minutes: float = 60, km: float | None = 10.0, **kw: object) -> Activity:
    return Activity(
        sport="running",
        start_utc=start,
        elapsed_s=minutes * 60,
        source_format="fit",
        distance_m=None if km is None else km * 1000,
        **kw,  # type: ignore[arg-type]
    )


T0 = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)


def test_open_creates_the_schema_and_reopens(tmp_path):
    engine = open_engine(tmp_path)
    assert {"activity", "source_file", "alembic_version"} <= set(inspect(engine).get_table_names())
    assert (tmp_path / "hipcoach.db").exists()
    open_engine(tmp_path)  # second open: already at head, nothing to do


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    engine = open_engine(tmp_path)
    with engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_data_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path / "mine"))
    assert data_dir() == tmp_path / "mine"
    assert (tmp_path / "mine").is_dir()


def test_unwritable_data_dir_is_a_clear_error(tmp_path):
    from hipcoach.storage.db import StorageError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot create the data folder"):
        data_dir(blocker / "sub")


def test_activities_round_trip_in_utc(tmp_path):
    repo = Repository(open_engine(tmp_path))
    run = _run(T0, utc_offset_s=7200, avg_hr=150.0, gear="Pegasus")
    repo.add_file(
        sha256="a" * 64,
        name="x.fit",
        fmt="fit",
        size=10,
        stored_path=None,
        activities=[run],
    )
    (back,) = repo.activities()
    assert back.start_utc == T0 and back.start_utc.tzinfo is not None
    assert back.local_start.hour == 8
    assert (back.gear, back.avg_hr) == ("Pegasus", 150.0)
    assert repo.known_hashes() == {"a" * 64}


def test_one_activity_is_found_by_its_start_second_with_its_original(tmp_path):
    repo = Repository(open_engine(tmp_path))
    precise = T0 + timedelta(microseconds=400_000)  # a FIT start has sub-second precision
    repo.add_file(sha256="b" * 64, name="morning.fit", fmt="fit", size=10,
                  stored_path="originals/bb.fit", activities=[_run(precise, gear="Pegasus")])
    repo.add_file(sha256="c" * 64, name="next.gpx", fmt="gpx", size=10, stored_path=None,
                  activities=[_run(T0 + timedelta(seconds=1))])  # fmt: skip
    found = repo.activity_at(T0)
    assert found is not None
    activity, original = found
    assert activity.start_utc == precise and activity.gear == "Pegasus"
    assert original == ("morning.fit", "originals/bb.fit")
    later = repo.activity_at(T0 + timedelta(seconds=1))
    assert later is not None and later[1] == ("next.gpx", None)
    assert repo.activity_at(T0 - timedelta(seconds=1)) is None


def test_a_failed_file_leaves_nothing_behind(tmp_path):
    repo = Repository(open_engine(tmp_path))
    good = _run(T0)
    bad = _run(T0 + timedelta(days=1))
    object.__setattr__(bad, "sport", None)  # violates NOT NULL inside the same transaction
    with pytest.raises(Exception):  # noqa: B017 - any database error
        repo.add_file(
            sha256="b" * 64,
            name="x.fit",
            fmt="fit",
            size=1,
            stored_path=None,
            activities=[good, bad],
        )
    assert repo.activities() == []
    assert repo.known_hashes() == set()


def test_duplicate_index_matches_the_same_activity_from_another_source(tmp_path):
    repo = Repository(open_engine(tmp_path))
    repo.add_file(
        sha256="c" * 64,
        name="a.fit",
        fmt="fit",
        size=1,
        stored_path=None,
        activities=[_run(T0, 61, 10.2)],
    )
    index = repo.duplicate_index()
    assert index.find(_run(T0 + timedelta(seconds=40), 60, 10.0))  # GPX copy, trimmed ends
    assert index.find(_run(T0, 60, None))  # no distance known
    assert not index.find(_run(T0 + timedelta(hours=2), 60, 10.0))  # later run same day
    assert not index.find(_run(T0, 20, 3.0))  # a different, shorter activity


def test_schema_revision_constant_matches_the_newest_migration():
    from hipcoach.storage.db import SCHEMA_REVISION, alembic_head

    assert alembic_head() == SCHEMA_REVISION
