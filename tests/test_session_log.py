"""The session log as a runner meets it: one entry per day, the time really spent, rests from
the dosage, a warm-up and a cool-down around every session, and a diary that says what each
rating did to the programme. Real storage, the real library and the CLI; no mocks."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hipcoach.diary import SessionLog
from hipcoach.plan.library_load import load_library
from hipcoach.plan.rules import load_rules
from hipcoach.plan.safety import UNRESTRICTED
from hipcoach.plan.schedule import PlannedDay, SessionItem
from hipcoach.sessions.framing import frame, frame_days
from hipcoach.sessions.player import Player, Screen, estimate_seconds, pain_advice
from hipcoach.sessions.steps import session_steps

EXAMPLES = Path(__file__).parents[1] / "examples"
T0 = datetime(2025, 3, 12, 18, 0, tzinfo=UTC)
BIKE = SessionItem("cycling", "Easy cycling", minutes=20)


def _answers(*lines: str):  # type: ignore[no-untyped-def]
    """The runner's answers to the player's prompts, in order."""
    left = list(lines)
    return lambda _prompt: left.pop(0)


def _no_wait(monkeypatch):  # type: ignore[no-untyped-def]
    from hipcoach.cli import session as session_cli

    monkeypatch.setattr(session_cli, "SLEEP", lambda _s: None)


def _plan_file(tmp_path, day):  # type: ignore[no-untyped-def]
    from hipcoach.exports.data import plan_to_json

    days = [PlannedDay(day, "cross_training", "Easy ride", items=(BIKE,), uid_key=f"x:{day}")]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"days": plan_to_json(days)}), encoding="utf-8")
    return path


# --- one entry per day --------------------------------------------------------------------------


def test_a_day_played_twice_is_one_entry_with_the_second_pain(cli, home_dir, tmp_path, monkeypatch):
    from hipcoach.cli.session import today
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    _no_wait(monkeypatch)
    plan = _plan_file(tmp_path, today())
    first = cli("session", "--plan-file", str(plan), input="\n\n\n2\n")
    assert first.exit_code == 0, first.output
    assert "replaces" not in first.stdout
    again = cli("session", "--plan-file", str(plan), input="\n\n\n4\n")
    assert again.exit_code == 0, again.output
    assert "This replaces the log you made earlier for this day." in " ".join(again.stdout.split())
    (log,) = DiaryRepository(open_engine()).session_logs()
    assert log.pain_during == 4


def test_logging_again_keeps_the_next_morning_rating_and_the_id(tmp_path):
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    repo = DiaryRepository(open_engine(tmp_path))
    day = T0.date()
    first = repo.log_session(SessionLog(day, "rehab:1", [{"status": "done"}], 2))
    repo.log_session(SessionLog(day, "rehab:1", [], 2, pain_next_morning=1, id=None))
    again = repo.log_session(SessionLog(day, "rehab:1", [{"status": "skipped"}], 5))
    other = repo.log_session(SessionLog(day, "run:1", [], 1))  # another session that day
    logs = repo.session_logs()
    assert [(s.uid_key, s.pain_during) for s in logs] == [("rehab:1", 5), ("run:1", 1)]
    assert again.id == first.id != other.id
    assert logs[0].pain_next_morning == 1 and logs[0].items == [{"status": "skipped"}]


# --- the time really spent ----------------------------------------------------------------------


def test_the_log_keeps_the_time_spent_not_the_time_planned():
    moments = iter(
        [T0, T0 + timedelta(minutes=3), T0 + timedelta(minutes=7), T0 + timedelta(minutes=8)]
    )
    items = [BIKE, SessionItem("glute_bridge", "Glute bridge", sets=2, reps=12, rest_s=30)]
    result = Player(
        items,
        input_fn=_answers("", "s", "3"),  # ride, skip the bridges, pain 3
        sleep=lambda _s: None,
        clock=lambda: next(moments),
        screen=Screen(io.StringIO()),
    ).play()
    ride, bridge = result.items
    assert (ride.elapsed_s, bridge.elapsed_s) == (180, 240)
    assert result.elapsed_s == 420  # start to finish: 7 minutes
    assert estimate_seconds(items) > 20 * 60  # planned: more than 20 minutes
    log = SessionLog(T0.date(), "k", result.completed(), result.pain_during)
    assert log.elapsed_s == 420 and log.to_dict()["elapsed_s"] == 420


def test_the_cli_logs_the_clock_time_of_the_session(cli, home_dir, tmp_path, monkeypatch):
    from hipcoach.cli.session import today
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    _no_wait(monkeypatch)  # no real waiting: the session takes no time at all
    out = cli("session", "--plan-file", str(_plan_file(tmp_path, today())), input="\n\n\n1\n")
    assert out.exit_code == 0, out.output
    (log,) = DiaryRepository(open_engine()).session_logs()
    assert log.elapsed_s is not None and log.elapsed_s < 60  # not the planned half hour
    said = " ".join(out.stdout.split())
    assert "exercises done in" in said and " s; pain during 1/10" in said


# --- wording before the next morning ------------------------------------------------------------


@pytest.mark.parametrize("pain", range(11))
def test_no_advice_says_the_pain_settled_before_the_next_morning_is_rated(pain):
    text = pain_advice(pain).lower()
    assert "settled" not in text and "settle " not in text


def test_the_advice_after_a_session_uses_the_pain_limits_the_programme_moves_by():
    """A rating at the knowledge base's safe limit is "fine" (the progression counts it as a
    session that may move the programme on), one above the acceptable limit "too much"."""
    pm = load_rules().pain_monitoring
    safe, acceptable = round(pm.safe_max.value), round(pm.acceptable_max.value)
    assert pain_advice(safe).startswith(f"Pain 0–{safe}/10: fine")
    assert "acceptable" in pain_advice(safe + 1)
    assert "acceptable" in pain_advice(acceptable)
    assert "too much" in pain_advice(acceptable + 1)


# --- rests come from the dosage -----------------------------------------------------------------


def test_rests_between_holds_come_from_each_exercises_dosage():
    library = {e.id: e for e in load_library().exercises}
    held = [e for e in library.values() if e.dosage.hold_s and (e.dosage.reps or 1) > 1]
    assert held, "the library has exercises held more than once"
    rests = set()
    for ex in held:
        d = ex.dosage
        item = SessionItem(ex.id, ex.name, d.sets or 1, d.reps, d.hold_s, d.minutes, d.per_side,
                           d.rest_s)  # fmt: skip
        between = [s for s in session_steps([item]) if s.kind == "rest" and "hold" in s.label]
        assert between and {s.seconds for s in between} == {d.rest_s}, ex.id
        rests.add(d.rest_s)
    out = io.StringIO()
    iso = held[0]
    item = SessionItem(iso.id, iso.name, 1, 2, 3, None, False, 17)  # two 3 s holds, 17 s rest
    Player([item], input_fn=_answers("", "0"), sleep=lambda _s: None,
           screen=Screen(out)).play()  # fmt: skip
    assert "Rest, then hold 2 of 2 (17 s)" in out.getvalue()


# --- warm-up first, cool-down last ---------------------------------------------------------------


def test_every_session_starts_with_a_warm_up_and_ends_with_a_cool_down():
    library = load_library().exercises
    bridge = SessionItem("glute_bridge", "Glute bridge", sets=2, reps=12)
    cool = SessionItem("cool_down", "Cool-down: slow walk", minutes=5)
    warm = SessionItem("warm_up", "Warm-up: walking, dynamic stretches", minutes=10)
    day = T0.date()
    days = frame_days(
        [
            PlannedDay(day, "rehab", "Rehab", items=(bridge,)),
            PlannedDay(day, "run", "Run", items=(cool, BIKE, warm)),  # out of order: moved
            PlannedDay(day, "rest", "Rest"),
        ],
        library,
        UNRESTRICTED,
    )
    ids = [[i.exercise_id for i in d.items] for d in days]
    assert ids == [
        ["warm_up", "glute_bridge", "cool_down"],
        ["warm_up", "cycling", "cool_down"],
        [],
    ]
    assert days[1].items[0] == warm  # the plan's own warm-up is kept, only moved
    assert "jogging" in days[0].items[0].cues[0]  # the walk-only variant before rehab
    assert frame((), library) == ()


def test_a_warm_up_the_safety_policy_forbids_is_dropped():
    """The policy also applies after the framing: the warm-up's jogging drills are impact, so
    a possible stress fracture removes it like any other exercise; the cool-down stays."""
    from hipcoach.plan.safety import SafetyPolicy, exercise_refusal

    library = load_library().exercises
    bone = ("pelvic_or_sacral_stress_fracture",)
    blocked = {e.id: why for e in library if (why := exercise_refusal(e, bone, bone))}
    assert "warm_up" in blocked and "cool_down" not in blocked
    policy = SafetyPolicy(assessed=True, guarded=bone, bone_stress=bone, blocked=blocked)
    (kept,) = frame_days([PlannedDay(T0.date(), "rehab", "R", items=(BIKE,))], library, policy)
    assert [i.exercise_id for i in kept.items] == ["cycling", "cool_down"]


def test_a_session_the_policy_empties_stays_a_rest_day_in_the_cli(cli, home_dir, tmp_path):
    """Every exercise of the day forbidden: a rest day, not a warm-up and a cool-down alone."""
    from hipcoach.exports.data import plan_to_json
    from hipcoach.services import local_today

    # a gluteal tendinopathy: the IT band stretch is never for it
    assert cli("assess", "--answers", str(EXAMPLES / "lateral-hip.json")).exit_code == 0
    itb = SessionItem("iliotibial_band_stretch", "Side-lying iliotibial band stretch", reps=3,
                      hold_s=30, per_side=True)  # fmt: skip
    day = local_today()
    path = tmp_path / "plan.json"
    days = [PlannedDay(day, "rehab", "Stretch", items=(itb,), uid_key=f"r:{day}")]
    path.write_text(json.dumps({"days": plan_to_json(days)}), encoding="utf-8")
    out = cli("session", "--plan-file", str(path))
    assert out.exit_code == 0, out.output
    assert "nothing to play" in out.stdout and "cool-down" not in out.stdout.lower()


# --- the diary says what it did ------------------------------------------------------------------


def test_diary_add_says_what_it_did_to_the_programme(cli, home_dir, monkeypatch):
    from hipcoach.cli import session as session_cli
    from hipcoach.cli.session import today

    _no_wait(monkeypatch)
    day = today()
    during = cli("diary", "add", "--pain", "3", "--where", "outer_hip", "--when", "during")
    assert during.exit_code == 0, during.output
    assert (
        "Your programme is unchanged: it moves on, holds or steps back only on the "
        "next-morning rating after a session." in " ".join(during.stdout.split())
    )
    alone = cli("diary", "add", "--pain", "1", "--where", "outer_hip", "--when", "next_morning")
    assert "Your programme is unchanged: there was no session the day before" in alone.stdout

    cli("assess", "--answers", str(EXAMPLES / "lateral-hip.json"))
    assert cli("plan").exit_code == 0
    played = cli("session", "--get-ready", "0", input="q\n2\n")
    assert played.exit_code == 0, played.output
    monkeypatch.setattr(session_cli, "today", lambda: day + timedelta(days=1))
    moved = cli("diary", "add", "--pain", "1", "--where", "outer_hip", "--when", "next_morning")
    text = " ".join(moved.stdout.split())
    assert (
        "Your programme stays at this level. Why: Good session (2/10, settled by the next "
        "morning)" in text
    )
    assert "hold:" not in text  # the decision in words, not the internal action name
