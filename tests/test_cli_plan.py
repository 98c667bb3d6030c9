"""`hipcoach plan`: the treatment plan from an assessment, and the prevention running plan."""

from __future__ import annotations

import json
from pathlib import Path

EXAMPLES = Path(__file__).parents[1] / "examples"


def test_gluteal_tendinopathy_plan_never_contains_an_it_band_stretch(cli, home_dir):
    out = cli("plan", "--answers", str(EXAMPLES / "lateral-hip.json"), "--json")
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["conditions"][0] == "gtps"
    given = {e for p in d["phases"] for e in p["exercises"]}
    given |= {i["exercise_id"] for day in d["days"] for i in day["items"]}
    assert given, "a self-managed gluteal tendinopathy gets a programme"
    assert not given & {"iliotibial_band_stretch", "piriformis_stretch"}
    assert "iliotibial_band_stretch" in {e["exercise_id"] for e in d["excluded"]}
    assert "never run" in d["painkillers"]["text"].lower()


def test_an_urgent_result_gets_no_programme_only_what_to_do_now(cli, home_dir):
    out = cli("plan", "--answers", str(EXAMPLES / "groin-marathoner.yaml"), "--json")
    d = json.loads(out.stdout)
    assert d["urgency"] == "urgent"
    assert d["phases"] == [] and d["days"] == []
    assert d["no_programme"]["text"]


def test_plan_without_an_assessment_says_what_to_do(cli, home_dir):
    out = cli("plan")
    assert out.exit_code == 2
    assert "run `hipcoach assess` first" in out.stderr


def test_running_plan_towards_a_half_marathon_respects_the_caps(cli, home_dir):
    out = cli("plan", "--goal", "half", "--weeks", "12", "--weekly", "25", "--json")
    assert out.exit_code == 0, out.output
    weeks = json.loads(out.stdout)["weeks"]
    assert len(weeks) == 12 and weeks[-1]["race"]
    peak = weeks[0]["volume_m"]
    for week in weeks[1:-1]:
        # never more than 10 % above the highest week so far (a lighter week is not a new base)
        assert week["volume_m"] <= peak * 1.10 + 1
        peak = max(peak, week["volume_m"])
    assert any(w["change"] == "lighter" for w in weeks[:5])


def test_an_impossible_goal_is_refused_with_the_time_it_would_take(cli, home_dir):
    out = cli("plan", "--goal", "marathon", "--weeks", "2", "--weekly", "0")
    assert out.exit_code == 2
    assert "week" in out.stderr
    assert "Traceback" not in out.output


def test_unknown_goal_is_a_clear_error(cli, home_dir):
    out = cli("plan", "--goal", "ultra-ish")
    assert out.exit_code == 2
    assert "not a race distance" in out.stderr


def test_assess_then_plan_then_calendar_and_report(cli, home_dir, tmp_path):
    from pypdf import PdfReader

    out = cli("assess", "--answers", str(EXAMPLES / "lateral-hip.json"))
    assert out.exit_code == 0
    planned = cli("plan")
    assert planned.exit_code == 0, planned.output
    ics = tmp_path / "plan.ics"
    assert cli("export", "ical", str(ics)).exit_code == 0
    first = [line for line in ics.read_text().splitlines() if line.startswith("UID")]
    assert first
    cli("export", "ical", str(ics))
    assert [line for line in ics.read_text().splitlines() if line.startswith("UID")] == first
    pdf = tmp_path / "report.pdf"
    made = cli("export", "report", str(pdf))
    assert made.exit_code == 0, made.output
    text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "Gluteal" in text and "physiotherapist" in text.lower()


def _no_wait(monkeypatch):  # type: ignore[no-untyped-def]
    from hipcoach.cli import session as session_cli

    monkeypatch.setattr(session_cli, "SLEEP", lambda _s: None)


def _next_day(monkeypatch, day):  # type: ignore[no-untyped-def]
    """The diary's idea of today moves on by a day (no real night has to pass)."""
    from hipcoach.cli import session as session_cli

    monkeypatch.setattr(session_cli, "today", lambda: day)


def test_morning_pain_after_a_session_moves_the_programme(cli, home_dir, monkeypatch):
    from datetime import timedelta

    from hipcoach.cli.session import today
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    _no_wait(monkeypatch)
    day = today()
    cli("assess", "--answers", str(EXAMPLES / "lateral-hip.json"))
    assert cli("plan").exit_code == 0
    cli("diary", "add", "--pain", "2", "--where", "outer_hip", "--when", "rest")
    played = cli("session", "--get-ready", "0", input="q\n2\n")
    assert played.exit_code == 0, played.output
    _next_day(monkeypatch, day + timedelta(days=1))
    settled = cli("diary", "add", "--pain", "2", "--where", "outer_hip", "--when", "next_morning")
    assert "Your programme stays at this level. Why:" in settled.stdout
    state = DiaryRepository(open_engine()).plan_state()
    assert state["streak"] == 1 and state["judged"] == day.isoformat()


def test_worse_next_morning_steps_the_programme_back(cli, home_dir, monkeypatch):
    from datetime import timedelta

    from hipcoach.cli.session import today

    _no_wait(monkeypatch)
    day = today()
    cli("assess", "--answers", str(EXAMPLES / "lateral-hip.json"))
    cli("plan")
    cli("diary", "add", "--pain", "1", "--where", "outer_hip", "--when", "rest")
    cli("session", "--get-ready", "0", input="q\n3\n")
    _next_day(monkeypatch, day + timedelta(days=1))
    worse = cli("diary", "add", "--pain", "6", "--where", "outer_hip", "--when", "next_morning")
    assert "Your programme goes back a step. Why:" in worse.stdout


def test_return_to_running_is_criteria_gated_and_hops_come_last(cli, home_dir):
    cli("assess", "--answers", str(EXAMPLES / "lateral-hip.json"))
    out = cli("plan", "--return", "--json")
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert "walk" in d["gates"][0].lower() and "hop" in d["gates"][-1].lower()
    # Not followed until every check is passed: the steps show, no day is dated.
    assert d["can_start"] is False and d["days"] == []
    steps = [s["kind"] for s in d["steps"]]
    assert steps.index("walk_run") < steps.index("run")
    text = cli("plan", "--return").stdout
    assert "Not yet" in text and "--check" in text
    bad = cli("plan", "--return", "--check", "walk")
    assert bad.exit_code == 2 and "CHECK=PAIN" in bad.stderr
    checks = ["walk", "single_leg_stance", "single_leg_squat", "jog_on_spot", "hop"]
    args = [a for c in checks for a in ("--check", f"{c}=0")]
    done = json.loads(cli("plan", "--return", *args, "--json").stdout)
    assert done["can_start"] is True
    kinds = [day["kind"] for day in done["days"]]
    assert kinds.index("walk_run") < kinds.index("run")


def test_return_to_running_is_refused_for_an_urgent_result(cli, home_dir):
    out = cli("plan", "--answers", str(EXAMPLES / "groin-marathoner.yaml"), "--return")
    assert out.exit_code == 2
    assert "see a doctor first" in out.stderr


def test_running_plan_includes_shoe_and_cadence_advice(cli, home_dir):
    d = json.loads(cli("plan", "--goal", "10k", "--weeks", "8", "--weekly", "15", "--json").stdout)
    assert any("stability" in s for s in d["shoes"])
    assert any("5–10%" in f for f in d["form"])


def test_a_moved_programme_keeps_past_days_and_cross_training_days_keep_their_own_items(
    cli, home_dir, monkeypatch
):
    from datetime import timedelta

    from hipcoach.cli.session import today
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    _no_wait(monkeypatch)
    day = today()
    cli("assess", "--answers", str(EXAMPLES / "lateral-hip.json"))
    cli("plan")
    cli("diary", "add", "--pain", "1", "--where", "outer_hip", "--when", "rest")
    cli("session", "--get-ready", "0", input="q\n1\n")
    _next_day(monkeypatch, day + timedelta(days=1))
    cli("diary", "add", "--pain", "1", "--where", "outer_hip", "--when", "next_morning")
    days = DiaryRepository(open_engine()).plan_state()["days"]
    assert days[0]["day"] == day.isoformat()  # the day of the session is still in the plan
    rehab = [d for d in days if d["kind"] == "rehab"]
    rehab_items = {tuple(i["exercise_id"] for i in d["items"]) for d in rehab}
    for d in days:
        if d["kind"] != "rehab" and d["items"]:
            assert tuple(i["exercise_id"] for i in d["items"]) not in rehab_items, d
