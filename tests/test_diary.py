"""The pain diary: validation, storage (and its migration), weekly pain, and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from hipcoach.diary import (
    PainEntry,
    SessionLog,
    monday_of,
    new_entry,
    parse_pain,
    recent_mondays,
    regions,
    weekly_pain,
)
from hipcoach.errors import InputError
from hipcoach.storage.db import SCHEMA_REVISION, open_engine
from hipcoach.storage.diary import DiaryRepository

TODAY = date(2025, 3, 12)  # a Wednesday


@pytest.fixture
def home(home_dir):  # type: ignore[no-untyped-def]
    return home_dir


@pytest.fixture
def app_cli(cli):  # type: ignore[no-untyped-def]
    """The diary, session and export commands as wired into the real app."""
    return cli


def _entry(kb, **kw):  # type: ignore[no-untyped-def]
    args = {"pain": 3, "where": "groin", "when": "after", "today": TODAY, "regions": regions(kb)}
    args.update(kw)
    return new_entry(**args)


# --- validation -----------------------------------------------------------------------------


def test_pain_11_is_refused_with_a_clear_message(kb, home, app_cli):
    with pytest.raises(InputError, match=r"^pain must be a whole number from 0 to 10; got 11$"):
        _entry(kb, pain=11)
    with pytest.raises(InputError, match=r"got 12$"):
        parse_pain("12")
    for bad in (-1, 4.5, "7.5", "seven", "", True, float("nan")):
        with pytest.raises(InputError, match="pain must be a whole number from 0 to 10"):
            parse_pain(bad)
    assert [parse_pain(v) for v in (0, 10, "4", 6.0)] == [0, 10, 4, 6]
    out = app_cli("diary", "add", "--pain", "11", "--where", "groin", "--when", "after")
    assert out.exit_code == 2
    assert out.stderr.strip() == "Error: pain must be a whole number from 0 to 10; got 11"
    assert "Traceback" not in out.output


def test_where_comes_from_the_questionnaire_locations_and_when_from_four_values(kb):
    known = regions(kb)
    assert {"groin", "outer_hip", "buttock", "low_back"} <= set(known)
    assert "none" not in known
    assert _entry(kb, where="Outer-Hip").where == "outer_hip"
    with pytest.raises(InputError, match=r"where must be one of .*\(did you mean 'groin'\?\)"):
        _entry(kb, where="groyn")
    assert _entry(kb, when="next-morning").when == "next_morning"
    with pytest.raises(InputError, match="when must be one of during, after, next_morning, rest"):
        _entry(kb, when="tomorrow")
    with pytest.raises(InputError, match="in the future"):
        _entry(kb, day=TODAY + timedelta(days=1))
    with pytest.raises(InputError, match="keep it under"):
        _entry(kb, note="x" * 5000)
    assert _entry(kb, note="   ").note is None


def test_cli_refuses_missing_and_bad_options_with_one_line(home, app_cli):
    cases = [
        (["diary", "add", "--where", "groin", "--when", "after"], "--pain is required"),
        (["diary", "add", "--pain", "3", "--where", "moon", "--when", "after"], "where must be"),
        (["diary", "add", "--pain", "3", "--where", "groin", "--when", "x"], "when must be"),
        (
            ["diary", "add", "--pain", "3", "--where", "groin", "--when", "rest", "--date", "3/4"],
            "--date '3/4' is not a date; use YYYY-MM-DD",
        ),
        (["diary", "chart", "--weeks", "0"], "--weeks must be from 1"),
    ]
    for args, message in cases:
        out = app_cli(*args)
        assert out.exit_code == 2, args
        assert message in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1


# --- storage --------------------------------------------------------------------------------


def test_the_diary_survives_a_reopen(kb, tmp_path):
    repo = DiaryRepository(open_engine(tmp_path))
    first = repo.add_pain(_entry(kb, pain=4, note="after the long run → sore", day=TODAY))
    repo.add_pain(_entry(kb, pain=2, where="outer_hip", when="rest", day=TODAY - timedelta(1)))
    assert first.id is not None
    again = DiaryRepository(open_engine(tmp_path))  # a new engine: a new process, in effect
    back = again.pain_entries()
    assert [(e.day, e.pain, e.where, e.when) for e in back] == [
        (TODAY - timedelta(1), 2, "outer_hip", "rest"),
        (TODAY, 4, "groin", "after"),
    ]
    assert back[1].note == "after the long run → sore"
    assert back[1].recorded_at is not None and back[1].recorded_at.tzinfo is not None
    assert again.pain_entries(since=TODAY) == [back[1]]


def test_the_diary_survives_a_reopen_through_the_cli(home, app_cli):
    out = app_cli("diary", "add", "--pain", "5", "--where", "groin", "--when", "during",
                  "--note", "[red]hills[/]", "--date", "2025-03-01")  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "Recorded pain 5/10" in out.stdout
    listed = json.loads(app_cli("diary", "list", "--json").stdout)
    assert [(e["day"], e["pain"], e["note"]) for e in listed] == [
        ("2025-03-01", 5, "[red]hills[/]")
    ]
    table = app_cli("diary", "list")
    assert table.exit_code == 0 and "[red]hills[/]" in table.stdout  # shown, not interpreted


def test_every_write_is_one_transaction_and_the_database_checks_the_range(tmp_path):
    engine = open_engine(tmp_path)
    with (
        pytest.raises(Exception),  # noqa: B017 - the CHECK constraint, whatever the driver
        engine.begin() as c,
    ):
        c.execute(
            text(
                "INSERT INTO pain_entry (recorded_at, day, pain, region, timing) "
                "VALUES ('2025-03-01 10:00:00', '2025-03-01', 11, 'groin', 'after')"
            )
        )
    assert DiaryRepository(engine).pain_entries() == []


def test_a_next_morning_rating_fills_in_the_sessions_of_the_day_before(kb, tmp_path):
    repo = DiaryRepository(open_engine(tmp_path))
    yesterday = TODAY - timedelta(days=1)
    repo.log_session(SessionLog(yesterday, "rehab:x", [{"exercise_id": "a"}], pain_during=3))
    repo.log_session(SessionLog(TODAY, "rehab:y", [], pain_during=2))
    repo.add_pain(_entry(kb, pain=1, when="next_morning", day=TODAY))
    logs = {s.uid_key: s for s in repo.session_logs()}
    assert logs["rehab:x"].pain_next_morning == 1
    assert logs["rehab:x"].items == [{"exercise_id": "a"}]
    assert logs["rehab:y"].pain_next_morning is None
    assert sorted(repo.pain_readings()) == [(yesterday, 3), (TODAY, 1), (TODAY, 2)]


def test_assessments_and_plan_state_round_trip(tmp_path, run):
    repo = DiaryRepository(open_engine(tmp_path))
    assert repo.latest_assessment() is None
    result = run({"age": 30, "location": ["outer_hip"], "lying_side_pain": True}).to_dict()
    t0 = datetime(2025, 3, 1, 9, tzinfo=UTC)
    repo.save_assessment(answers={"age": 30.0}, result=result, kb_version="v1", created_at=t0)
    repo.save_assessment(
        answers={"age": 31.0}, result=result, kb_version="v2", created_at=t0 + timedelta(1)
    )
    latest = DiaryRepository(open_engine(tmp_path)).latest_assessment()
    assert latest is not None
    assert (latest.kb_version, latest.answers, latest.result) == ("v2", {"age": 31.0}, result)
    assert latest.created_at == t0 + timedelta(1)
    assert [a.kb_version for a in repo.assessments()] == ["v1", "v2"]
    assert repo.plan_state() == {}
    repo.update_plan_state({"phase": "load", "level": 1})
    repo.update_plan_state({"level": 2})
    assert DiaryRepository(open_engine(tmp_path)).plan_state() == {"phase": "load", "level": 2}
    assert repo.update_plan_state({}, remove=["phase"]) == {"level": 2}
    with open_engine(tmp_path).connect() as c:
        assert c.execute(text("SELECT count(*) FROM plan_state")).scalar() == 1


def test_migration_0002_upgrades_an_existing_0001_database(tmp_path):
    from alembic import command
    from alembic.config import Config

    from hipcoach.storage import db

    url = f"sqlite:///{tmp_path / 'hipcoach.db'}"
    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with engine.begin() as conn:
        assert "pain_entry" not in inspect(conn).get_table_names()
        conn.execute(
            text(
                "INSERT INTO activity (sport, start_utc, elapsed_s, source_format, distance_m) "
                "VALUES ('running', '2025-03-01 07:00:00', 3600, 'fit', 10000)"
            )
        )
    engine.dispose()
    upgraded = open_engine(tmp_path)  # behind → upgrade on open
    tables = set(inspect(upgraded).get_table_names())
    assert {"pain_entry", "assessment", "session_log", "plan_state", "activity"} <= tables
    with upgraded.connect() as c:
        assert (
            c.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_REVISION
        )
        assert c.execute(text("SELECT distance_m FROM activity")).scalar() == 10000
    from hipcoach.storage.repository import Repository

    (run,) = Repository(upgraded).activities()
    assert run.start_utc == datetime(2025, 3, 1, 7, tzinfo=UTC)


def test_migration_0002_downgrades_cleanly(tmp_path):
    from alembic import command
    from alembic.config import Config

    from hipcoach.storage import db

    engine = open_engine(tmp_path)
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert "pain_entry" not in inspect(engine).get_table_names()
    assert "activity" in inspect(engine).get_table_names()


# --- weekly pain ----------------------------------------------------------------------------


def test_weekly_pain_is_max_and_mean_per_iso_week_aligned_with_training_weeks(kb):
    monday = monday_of(TODAY)
    assert monday == date(2025, 3, 10) and monday.isoweekday() == 1
    readings = [
        _entry(kb, pain=2, day=monday),
        _entry(kb, pain=6, day=monday + timedelta(days=2)),
        (monday - timedelta(days=1), 4),  # Sunday: the week before
        (monday - timedelta(days=21), 1),
    ]
    weeks = weekly_pain(readings, recent_mondays(TODAY, 4))
    assert [w.monday for w in weeks] == [monday - timedelta(weeks=i) for i in (3, 2, 1, 0)]
    assert [(w.count, w.max, w.mean) for w in weeks] == [
        (1, 1, 1.0),
        (0, None, None),
        (1, 4, 4.0),
        (2, 6, 4.0),
    ]
    span = weekly_pain(readings)  # without given weeks: first to last, gaps included
    assert len(span) == 4 and span[1].count == 0
    assert weekly_pain([]) == []
    assert weeks[-1].to_dict() == {"monday": "2025-03-10", "count": 2, "max": 6, "mean": 4.0}


def test_pain_entry_checks_itself():
    with pytest.raises(InputError):
        PainEntry(TODAY, 11, "groin", "after")


def test_diary_chart_shows_pain_beside_running(home, app_cli, kb):
    from hipcoach.cli.session import today

    day = today()
    for pain, back in ((3, 0), (7, 7)):
        out = app_cli("diary", "add", "--pain", str(pain), "--where", "groin", "--when",
                      "after", "--date", (day - timedelta(days=back)).isoformat())  # fmt: skip
        assert out.exit_code == 0, out.output
    out = app_cli("diary", "chart", "--weeks", "3")
    assert out.exit_code == 0, out.output
    assert "Pain and running per week" in out.stdout
    assert monday_of(day).strftime("%d %b") in out.stdout
    assert "No running history" in out.stdout
    assert "█" * 7 in out.stdout


def test_diary_list_before_anything_is_stored(home, app_cli):
    assert json.loads(app_cli("diary", "list", "--json").stdout) == []
    assert "No pain ratings yet" in app_cli("diary", "list").stdout
    assert not (home / "hipcoach.db").exists()  # listing never creates a database


def test_the_help_lists_every_region_of_the_questionnaire(kb, app_cli):
    out = app_cli("diary", "add", "--help")
    assert out.exit_code == 0
    flat = " ".join(out.stdout.replace("│", " ").split())
    for region in regions(kb):
        assert region in flat
