"""Exports: the plan as iCalendar, the report for a clinician (HTML, PDF), all data."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from hipcoach.assess.answers import parse_answers
from hipcoach.assess.engine import assess
from hipcoach.diary import PainWeek, SessionLog
from hipcoach.exports.calendar import to_ical, uid_for
from hipcoach.exports.data import JSON_NAME, dump_tables, export_data, plan_to_json
from hipcoach.exports.report import build_report, latin1, render_html, render_pdf
from hipcoach.plan.schedule import PlannedDay, SessionItem
from hipcoach.storage.db import open_engine
from hipcoach.storage.diary import DiaryRepository, StoredAssessment
from hipcoach.storage.tables import Base

EXAMPLES = Path(__file__).parent.parent / "examples"
MONDAY = date(2025, 3, 10)

CLAMSHELL = SessionItem("clamshell", "Clamshell", sets=3, reps=15, per_side=True, rest_s=45)
STRETCH = SessionItem("hip_flexor_stretch", "Half-kneeling hip flexor stretch", reps=3,
                      hold_s=30, per_side=True)  # fmt: skip
BRIDGE = SessionItem("glute_bridge", "Glute bridge", sets=3, reps=12)


def _plan(start: date = MONDAY, items: tuple[SessionItem, ...] = (CLAMSHELL, STRETCH)):  # type: ignore[no-untyped-def]
    return [
        PlannedDay(start, "rehab", "Rehab session", "Gentle loading.", items,
                   uid_key=f"rehab:{start.isoformat()}"),
        PlannedDay(start + timedelta(1), "walk_run", "Walk–run", run_distance_m=3000,
                   run_minutes=24, uid_key=f"rtr:{(start + timedelta(1)).isoformat()}"),
        PlannedDay(start + timedelta(2), "rest", "Rest day",
                   uid_key=f"rest:{(start + timedelta(2)).isoformat()}"),
    ]  # fmt: skip


def _uids(ics: bytes) -> dict[date, str]:
    cal = Calendar.from_ical(ics)
    return {e.decoded("dtstart"): str(e["uid"]) for e in cal.walk("VEVENT")}


# --- iCalendar ------------------------------------------------------------------------------


def test_the_ical_export_twice_gives_the_same_uids():
    first = to_ical(_plan(), stamp=datetime(2025, 3, 1, tzinfo=UTC))
    second = to_ical(_plan())  # another moment: only DTSTAMP may differ
    assert _uids(first) == _uids(second)
    assert len(set(_uids(first).values())) == 3
    cal = Calendar.from_ical(first)
    events = list(cal.walk("VEVENT"))
    rehab = events[0]
    # at 18:00 local time by default, lasting the session's estimate (in whole 5 minutes)
    start = datetime(2025, 3, 10, 18, 0).astimezone()
    assert rehab.decoded("dtstart") == start
    assert rehab.decoded("dtend") - rehab.decoded("dtstart") == timedelta(minutes=15)  # 11.5
    # all-day when chosen: DTSTART/DTEND are dates, one day apart, and the UIDs stay
    all_day = Calendar.from_ical(to_ical(_plan(), all_day=True)).walk("VEVENT")[0]
    assert all_day.decoded("dtstart") == MONDAY
    assert not isinstance(all_day.decoded("dtstart"), datetime)
    assert all_day.decoded("dtend") == MONDAY + timedelta(days=1)
    assert str(all_day["uid"]) == str(rehab["uid"])
    assert str(rehab["summary"]) == "Rehab session"
    description = str(rehab["description"])
    assert "Clamshell: 3 × 15 per side, rest 45 s" in description
    assert "Half-kneeling hip flexor stretch: 3 × 30 s hold per side, rest 30 s" in description
    assert "/session?date=2025-03-10" in description and "hipcoach session" not in description
    assert "Run: 3.0 km, 24 min" in str(events[1]["description"])
    assert first.startswith(b"BEGIN:VCALENDAR")


def test_re_exporting_after_re_planning_the_same_days_keeps_the_uids():
    before = _uids(to_ical(_plan()))
    # re-planned: other exercises, other titles, the same days and uid_keys
    replanned = [
        PlannedDay(d.day, d.kind, d.title + " (easier)", items=(BRIDGE,), uid_key=d.uid_key)
        for d in _plan()
    ]
    after = to_ical(replanned)
    assert _uids(after) == before
    assert "Glute bridge" in Calendar.from_ical(after).walk("VEVENT")[0]["description"]
    # a later week is other days, so other UIDs; without a uid_key the date keeps it stable
    assert not set(_uids(to_ical(_plan(MONDAY + timedelta(7))))).intersection(before.values())
    bare = PlannedDay(MONDAY, "rest", "Rest")
    assert uid_for(bare) == uid_for(PlannedDay(MONDAY, "run", "Run")) != uid_for(_plan()[0])
    assert uid_for(_plan()[0]).endswith("@hipcoach")


def test_ical_reminders_come_before_the_event_or_at_a_chosen_time():
    from datetime import time

    def alarms(ics: bytes) -> list[timedelta]:
        events = Calendar.from_ical(ics).walk("VEVENT")
        return [a.decoded("trigger") for e in events for a in e.walk("VALARM")]

    assert alarms(to_ical(_plan())) == [timedelta(minutes=-15)] * 2  # not on the rest day
    assert alarms(to_ical(_plan(), all_day=True)) == []  # all-day: only when asked for
    chosen = timedelta(hours=7, minutes=30)
    assert alarms(to_ical(_plan(), all_day=True, remind_at=time(7, 30))) == [chosen] * 2
    # with timed events, 07:30 on the day is 10 h 30 min before the 18:00 start
    assert alarms(to_ical(_plan(), remind_at=time(7, 30))) == [chosen - timedelta(hours=18)] * 2


# --- the report -----------------------------------------------------------------------------


def _assessment(kb, example: str = "groin-marathoner.yaml") -> StoredAssessment:  # type: ignore[no-untyped-def]
    import yaml

    raw = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))["answers"]
    answers = parse_answers(kb, raw)
    result = assess(kb, answers)
    return StoredAssessment(
        1, datetime(2025, 3, 11, 18, tzinfo=UTC), kb.version, dict(answers), result.to_dict()
    )


def _report(kb, **kw):  # type: ignore[no-untyped-def]
    stored = _assessment(kb)
    pain = [PainWeek(MONDAY - timedelta(weeks=1), 3, 6, 4.0), PainWeek(MONDAY, 1, 2, 2.0)]
    args = {"kb": kb, "pain_weeks": pain, "programme": _plan(), "today": MONDAY + timedelta(2)}
    args.update(kw)
    return stored, build_report(stored, **args)


def test_the_pdf_reports_text_read_back_with_pypdf_contains_the_urgency_the_top_condition_and_the_programme(  # noqa: E501
    kb,
):
    stored, report = _report(kb)
    pdf = render_pdf(report)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    words = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    urgency = stored.result["urgency"]
    top = stored.result["conditions"][0]["name"]
    assert latin1(urgency["title"]) in words
    assert f"({urgency['level']})" in words
    assert latin1(top) in words
    assert "Clamshell" in words and "3 × 15 per side" in words
    assert "Half-kneeling hip flexor stretch" in words
    # answers in plain words, with the questionnaire's labels
    assert "Pain at: Front of the hip / groin crease, Front of the thigh" in words
    assert "Running (km)" in words and "Pain, worst" in words


def test_the_html_report_is_self_contained_and_says_the_same(kb):
    stored, report = _report(kb)
    html = render_html(report)
    assert html.startswith("<!DOCTYPE html>")
    assert "<style>" in html
    for external in ("<link", "<script", "src=", "@import", "url("):
        assert external not in html
    assert stored.result["conditions"][0]["name"] in html
    assert stored.result["urgency"]["title"] in html
    assert "Clamshell" in html and "Rest day" in html
    assert len(report.weeks) == 12 and report.weeks[-1].label.endswith("*")
    assert [w.pain_max for w in report.weeks[-2:]] == ["6", "2"]
    assert report.sources and report.sources[0].citation


def test_the_pdf_survives_characters_outside_latin_1(kb):
    _stored, report = _report(kb, programme=[
        SessionItem("x", "Übung → 日本語 ✓ “quoted” — ½", reps=5),
    ])  # fmt: skip
    words = PdfReader(io.BytesIO(render_pdf(report))).pages[0].extract_text()
    assert 'Übung -> ??? v "quoted" - ½' in words
    assert latin1("ﬁne • 10–12 ≤ 5") == "fine - 10-12 <= 5"


# --- the CLI --------------------------------------------------------------------------------


@pytest.fixture
def home(home_dir):  # type: ignore[no-untyped-def]
    return home_dir


@pytest.fixture
def app_cli(cli):  # type: ignore[no-untyped-def]
    """The diary, session and export commands as wired into the real app."""
    return cli


def test_report_without_an_assessment_is_refused_with_a_clear_message(home, app_cli, tmp_path):
    message = "Error: no assessment yet: run `hipcoach assess` first"
    out = app_cli("export", "report", str(tmp_path / "r.pdf"))
    assert out.exit_code == 2 and out.stderr.strip() == message
    assert not (home / "hipcoach.db").exists()
    DiaryRepository(open_engine())  # a database, but still no assessment
    out = app_cli("export", "report", str(tmp_path / "r.html"))
    assert out.exit_code == 2 and out.stderr.strip() == message
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "r.html").exists()
    out = app_cli("export", "report", str(tmp_path / "r.docx"))
    assert out.exit_code == 2 and "must end in .html or .pdf" in out.stderr


def test_report_from_the_saved_assessment_with_a_plan_file(home, app_cli, tmp_path, kb):
    stored = _assessment(kb, "lateral-hip.json")
    repo = DiaryRepository(open_engine())
    repo.save_assessment(answers=stored.answers, result=stored.result, kb_version=kb.version)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(plan_to_json(_plan(items=(STRETCH,)))), encoding="utf-8")
    out = app_cli("export", "report", str(tmp_path / "out" / "r.pdf"), "--plan-file", str(plan))
    assert out.exit_code == 0, out.output
    text = PdfReader(tmp_path / "out" / "r.pdf").pages[0].extract_text()
    assert STRETCH.name.split()[0] in text
    out = app_cli("export", "report", str(tmp_path / "r.html"))
    assert out.exit_code == 0, out.output
    assert "No programme yet." in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_plan_file_cannot_put_what_the_latest_assessment_forbids_into_an_export(
    home, app_cli, tmp_path, kb
):
    """Same-day result (possible femoral neck stress fracture): a plan file with a clamshell
    session and a walk-run is exported as rest days that say why, in the report and the
    calendar alike."""
    stored = _assessment(kb)
    assert stored.result["urgency"]["level"] == "urgent"
    DiaryRepository(open_engine()).save_assessment(
        answers=stored.answers, result=stored.result, kb_version=kb.version
    )
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(plan_to_json(_plan())), encoding="utf-8")
    out = app_cli("export", "report", str(tmp_path / "r.pdf"), "--plan-file", str(plan))
    assert out.exit_code == 0, out.output
    text = PdfReader(tmp_path / "r.pdf").pages[0].extract_text()
    assert "Clamshell" not in text and "Walk–run" not in text
    out = app_cli("export", "ical", str(tmp_path / "p.ics"), "--plan-file", str(plan))
    assert out.exit_code == 0, out.output
    cal = Calendar.from_ical((tmp_path / "p.ics").read_bytes())
    summaries = [str(e["summary"]) for e in cal.walk("VEVENT")]
    assert summaries and not any("Clamshell" in s or "Walk" in s or "Rehab" in s for s in summaries)


def test_ical_from_the_cli(home, app_cli, tmp_path):
    out = app_cli("export", "ical", str(tmp_path / "plan.ics"))
    assert out.exit_code == 2 and "no plan yet" in out.stderr
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"days": plan_to_json(_plan())}), encoding="utf-8")
    for _ in range(2):
        out = app_cli("export", "ical", str(tmp_path / "plan.ics"), "--plan-file", str(plan),
                      "--remind", "07:15")  # fmt: skip
        assert out.exit_code == 0, out.output
    assert _uids((tmp_path / "plan.ics").read_bytes()) == _uids(to_ical(_plan()))
    out = app_cli("export", "ical", str(tmp_path / "x.ics"), "--plan-file", str(plan),
                  "--remind", "7h")  # fmt: skip
    assert out.exit_code == 2 and "--remind '7h' is not a time of day" in out.stderr


def test_data_export_contains_every_table(home, app_cli, tmp_path, kb):
    from hipcoach.storage.repository import Repository
    from hipcoach.training.model import Activity

    engine = open_engine()
    Repository(engine).add_file(
        sha256="e" * 64, name="run.fit", fmt="fit", size=1, stored_path=None,
        activities=[Activity(sport="running", start_utc=datetime(2025, 3, 1, 7, tzinfo=UTC),
                             elapsed_s=3600, source_format="fit", distance_m=10_000)],
    )  # fmt: skip
    repo = DiaryRepository(engine)
    out = app_cli("diary", "add", "--pain", "4", "--where", "groin", "--when", "after",
                  "--note", 'sore, "after" hills')  # fmt: skip
    assert out.exit_code == 0, out.output
    stored = _assessment(kb)
    repo.save_assessment(answers=stored.answers, result=stored.result, kb_version=kb.version)
    repo.log_session(SessionLog(MONDAY, "rehab:x", [{"exercise_id": "clamshell"}], 3))
    repo.update_plan_state({"phase": "load", "level": 2})
    from hipcoach.settings import Settings
    from hipcoach.storage.settings import SettingsRepository

    SettingsRepository(engine).save(Settings(units="mi", age=40))

    out = app_cli("export", "data", str(tmp_path / "all.zip"))
    assert out.exit_code == 0, out.output
    every = set(Base.metadata.tables)
    assert {"activity", "source_file", "pain_entry", "assessment", "session_log",
            "plan_state"} <= every  # fmt: skip
    with zipfile.ZipFile(tmp_path / "all.zip") as z:
        names = set(z.namelist())
        assert names == {JSON_NAME} | {f"{t}.csv" for t in every}
        doc = json.loads(z.read(JSON_NAME))
        assert set(doc["tables"]) == every
        assert all(len(doc["tables"][t]) == 1 for t in every - {"setting"})
        settings = {r["key"]: r["value"] for r in doc["tables"]["setting"]}
        assert settings["units"] == "mi" and settings["age"] == 40
        assert doc["tables"]["plan_state"][0]["state"] == {"phase": "load", "level": 2}
        assert doc["tables"]["assessment"][0]["result"]["urgency"] == stored.result["urgency"]
        assert doc["tables"]["activity"][0]["start_utc"] == "2025-03-01T07:00:00+00:00"
        pain = list(csv.DictReader(io.StringIO(z.read("pain_entry.csv").decode())))
        assert pain[0]["note"] == 'sore, "after" hills' and pain[0]["pain"] == "4"
        logs = list(csv.DictReader(io.StringIO(z.read("session_log.csv").decode())))
        assert json.loads(logs[0]["items"]) == [{"exercise_id": "clamshell"}]
        assert logs[0]["pain_next_morning"] == ""

    folder = export_data(engine, tmp_path / "folder")
    assert (tmp_path / "folder" / JSON_NAME).exists()
    assert folder.rows == {t: 1 for t in every} | {"setting": len(Settings.model_fields)}
    assert dump_tables(engine).keys() == every
    (tmp_path / "file").write_text("x")
    out = app_cli("export", "data", str(tmp_path / "file"))
    assert out.exit_code == 2 and "is a file" in out.stderr


def test_the_report_shows_weekly_running_beside_pain(kb):
    from hipcoach.training.load import compute_load
    from hipcoach.training.model import Activity
    from hipcoach.training.rules import load_rules

    runs = [
        Activity(sport="running", start_utc=datetime(2025, 3, d, 7, tzinfo=UTC), elapsed_s=3000,
                 moving_s=3000, source_format="fit", distance_m=8_000)
        for d in (3, 5, 11)
    ]  # fmt: skip
    today = MONDAY + timedelta(2)
    history = compute_load(runs, load_rules(), today=today)
    _, report = _report(kb, load_weeks=history.weeks, today=today)
    assert [(w.distance, w.time) for w in report.weeks[-2:]] == [
        ("16.0", "1:40:00"),
        ("8.0", "50:00"),
    ]
    assert report.weeks[0].distance == "–"  # before the history starts
    _, miles = _report(kb, load_weeks=history.weeks, today=today, units="mi")
    assert miles.weeks[-1].distance == "5.0" and miles.distance_unit == "mi"
    words = PdfReader(io.BytesIO(render_pdf(report))).pages[0].extract_text()
    assert "16.0" in words and "1:40:00" in words
