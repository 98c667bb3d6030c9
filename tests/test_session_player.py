"""The guided session player, with scripted input and a fake clock (no real waiting)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from hipcoach.plan.schedule import PlannedDay, SessionItem
from hipcoach.sessions.player import Player, Screen, dosage_text, estimate_seconds, play

T0 = datetime(2025, 3, 12, 7, 0, tzinfo=UTC)


class Script:
    """Answers prompts from a list; runs out like a closed terminal (EOFError)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)


class FakeSleep:
    """Records every sleep; raises KeyboardInterrupt (Ctrl-C) at the given call numbers."""

    def __init__(self, interrupt_at: tuple[int, ...] = ()) -> None:
        self.calls: list[float] = []
        self.interrupt_at = set(interrupt_at)

    def __call__(self, seconds: float) -> None:
        n = len(self.calls) + 1
        self.calls.append(seconds)
        if n in self.interrupt_at:
            raise KeyboardInterrupt


def fake_clock():  # type: ignore[no-untyped-def]
    ticks = iter(T0 + timedelta(minutes=i) for i in range(100))
    return lambda: next(ticks)


def _play(items, lines, sleep=None, **kw):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    script = Script(lines)
    sleeper = sleep or FakeSleep()
    result = Player(
        items, input_fn=script, sleep=sleeper, clock=fake_clock(), screen=Screen(out), **kw
    ).play()
    return result, out.getvalue(), script, sleeper


STRETCH = SessionItem(
    "hip_flexor_stretch", "Hip flexor stretch", sets=1, reps=3, hold_s=30, per_side=True,
    cues=("A gentle pull, never pain.",),
)  # fmt: skip
CLAMSHELL = SessionItem("clamshell", "Clamshell", sets=2, reps=10, rest_s=20, per_side=True)
BRIDGE = SessionItem("glute_bridge", "Glute bridge", sets=2, reps=12, rest_s=30)
SQUEEZE = SessionItem("adductor_squeeze", "Adductor squeeze", sets=1, reps=2, hold_s=3, rest_s=5)
BIKE = SessionItem("cycling", "Easy cycling", minutes=2)


def test_the_session_player_counts_holds_per_side_and_rings_the_bell_at_each_change():
    result, out, _script, sleep = _play([STRETCH], ["", "2"])
    (item,) = result.items
    assert item.status == "done"
    assert item.holds == {"left": 3, "right": 3}
    assert item.seconds == 6 * 30
    # per-second timer: 5 s get ready, 6 holds of 30 s, 3 switches of 5 s, and between two
    # holds the dosage's rest (30 s, twice); nothing else waits
    assert sleep.calls == [1] * (5 + 6 * 30 + 3 * 5 + 2 * 30)
    phases = [line[1:].strip() for line in out.splitlines() if line.startswith("\a")]
    assert phases[:-1] == [
        "Get ready: Hip flexor stretch (5 s)",
        "Hold — left side · hold 1/3 (30 s)",
        "Switch to the right side (5 s)",
        "Hold — right side · hold 1/3 (30 s)",
        "Rest, then hold 2 of 3 (30 s)",
        "Hold — left side · hold 2/3 (30 s)",
        "Switch to the right side (5 s)",
        "Hold — right side · hold 2/3 (30 s)",
        "Rest, then hold 3 of 3 (30 s)",
        "Hold — left side · hold 3/3 (30 s)",
        "Switch to the right side (5 s)",
        "Hold — right side · hold 3/3 (30 s)",
        "✓ Hip flexor stretch done.",
    ]
    assert phases[-1].startswith("Pain 0–3/10: fine")  # the end rings too; 3 = safe_max
    assert out.count("\a") == 14
    assert "A gentle pull, never pain." in out
    assert result.pain_during == 2
    # the clock read at the start, when the stretch ends and at the finish (a minute each)
    assert (result.started_at, result.finished_at) == (T0, T0 + timedelta(minutes=2))
    assert item.elapsed_s == result.elapsed_s == 60
    assert not result.quit_early


def test_reps_are_counted_per_side_with_rests_between_sets():
    result, out, _, sleep = _play([CLAMSHELL], ["", "", "8", "", "", "0"])
    (item,) = result.items
    assert item.reps == {"left": 20, "right": 18}  # typed "8" for set 1, right side
    assert item.sets_done == 2
    # get ready 5, switch 5, rest 20, switch 5; a rep prompt is not timed
    assert len(sleep.calls) == 5 + 5 + 20 + 5
    # ready; set 1: left, switch, right; rest; set 2: left, switch, right; done; the end
    assert out.count("\a") == 10
    assert "Rest, then set 2 of 2 (20 s)" in out
    assert result.pain_during == 0


def test_skip_repeat_pause_work():
    # Ctrl-C at the 42nd second: inside the squeeze's first hold (bridge: 5 s get ready and
    # 30 s rest; squeeze: 5 s get ready, then the hold)
    sleep = FakeSleep(interrupt_at=(42,))
    lines = [
        "p", "",      # bridge: pause at its intro, then resume …
        "",           # … and start
        "r",          # set 1 done badly: repeat it
        "", "9",      # set 1 again (12 reps), set 2: 9 reps
        "s",          # squeeze: skip it
        "r",          # cycling's intro: repeat the previous (the squeeze)
        "",           # squeeze, this time done; Ctrl-C in a hold opens the pause menu …
        "",           # … Enter resumes
        "s",          # cycling: skip
        "4",          # pain during
    ]  # fmt: skip
    result, out, _, sleep = _play([BRIDGE, SQUEEZE, BIKE], lines, sleep=sleep)
    statuses = [(i.exercise_id, i.status) for i in result.items]
    assert statuses == [
        ("glute_bridge", "done"),
        ("adductor_squeeze", "skipped"),
        ("adductor_squeeze", "done"),
        ("cycling", "skipped"),
    ]
    bridge, _, squeeze, _ = result.items
    assert (bridge.reps, bridge.sets_done, bridge.repeats) == ({"both": 21}, 2, 1)
    assert "Set 1 again" in out
    assert squeeze.holds == {"both": 2} and squeeze.seconds == 6
    assert out.count("Paused") == 2 and "Resumed" in out
    assert len(sleep.calls) == (5 + 30) + (5 + 3 + 5 + 3) + 1  # + the interrupted second
    assert result.pain_during == 4


def test_repeat_from_the_pause_menu_restarts_the_set_and_skip_leaves_the_exercise():
    sleep = FakeSleep(interrupt_at=(7, 30))
    # squeeze: get ready 5, hold 3 (Ctrl-C at 7 → repeat set), …
    result, _out, _, sleep = _play([SQUEEZE, STRETCH], ["", "r", "", "s", "5"], sleep=sleep)
    squeeze, stretch = result.items
    assert squeeze.status == "done" and squeeze.repeats == 1 and squeeze.holds == {"both": 2}
    assert stretch.status == "skipped"  # Ctrl-C during the stretch, then s
    assert result.pain_during == 5


def test_quit_stops_the_session_and_still_asks_the_pain():
    result, out, script, _ = _play([BRIDGE, CLAMSHELL, BIKE], ["", "q", "3"])
    assert [i.status for i in result.items] == ["stopped", "not_reached", "not_reached"]
    assert result.quit_early and result.pain_during == 3 and result.done == 0
    assert "Session stopped" in out
    assert script.prompts[-1].startswith("How much did it hurt")


def test_closed_input_is_a_quit_and_bad_pain_is_asked_again():
    result, _, _, _ = _play([BRIDGE], [])
    assert result.quit_early and result.pain_during is None
    result, out, _, _ = _play([BIKE], ["", "11", "lots", "6"])
    assert result.pain_during == 6
    assert "pain must be a whole number from 0 to 10; got 11" in out
    assert "too much" in out  # above 5/10: the pain-monitoring model says ease off
    assert result.items[0].seconds == 120


def test_unknown_commands_are_explained_and_nothing_repeats_before_the_first():
    result, out, _, _ = _play([BIKE], ["huh", "r", "", "1"])
    assert "'huh'?" in out and "Nothing to repeat yet" in out
    assert result.items[0].status == "done"


def test_play_function_and_dosage_words():
    result = play(
        [BIKE], input_fn=Script(["", "0"]), sleep=FakeSleep(), screen=Screen(io.StringIO())
    )
    assert result.done == 1 and result.to_dict()["items"][0]["seconds"] == 120
    assert dosage_text(STRETCH) == "3 × 30 s hold per side, rest 30 s"
    assert dosage_text(CLAMSHELL) == "2 × 10 per side, rest 20 s"
    assert dosage_text(SessionItem("x", "X", reps=15)) == "15 reps"
    assert (
        dosage_text(SessionItem("x", "X", sets=2, reps=5, hold_s=10))
        == "2 sets of 5 × 10 s hold, rest 30 s"
    )
    assert dosage_text(BIKE) == "2 min"
    assert estimate_seconds([BIKE]) == 120


# --- the CLI --------------------------------------------------------------------------------


@pytest.fixture
def no_wait(monkeypatch):
    from hipcoach.cli import session as session_cli

    sleep = FakeSleep()
    monkeypatch.setattr(session_cli, "SLEEP", sleep)
    return sleep


def _plan_file(tmp_path, days):  # type: ignore[no-untyped-def]
    from hipcoach.exports.data import plan_to_json

    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"days": plan_to_json(days)}), encoding="utf-8")
    return path


def test_session_command_plays_today_and_logs_it(tmp_path, monkeypatch, no_wait):
    from hipcoach.cli.session import today
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path / "data"))
    day = today()
    days = [
        PlannedDay(day, "rehab", "Rehab A", items=(SQUEEZE, BRIDGE), uid_key=f"rehab:{day}"),
        PlannedDay(day + timedelta(days=1), "rest", "Rest"),
    ]
    plan = _plan_file(tmp_path, days)
    cli = _app(tmp_path)
    # warm-up, squeeze, bridge (two sets of reps), cool-down: Enter each; pain 3
    out = cli("session", "--plan-file", str(plan), input="\n\n\n\n12\n\n3\n")
    assert out.exit_code == 0, out.output
    assert "Rehab A" in out.stdout and "\a" in out.stdout
    assert "Logged: 4 of 4 exercises done in" in out.stdout
    assert "pain during 3/10" in out.stdout
    (log,) = DiaryRepository(open_engine()).session_logs()
    assert (log.day, log.uid_key, log.pain_during) == (day, f"rehab:{day}", 3)
    assert [i["exercise_id"] for i in log.items] == [
        "warm_up", "adductor_squeeze", "glute_bridge", "cool_down"
    ]  # fmt: skip
    assert log.items[2]["reps"] == {"both": 24}
    assert no_wait.calls  # the fake, not real time

    rest = cli("session", "--plan-file", str(plan), "--date", str(day + timedelta(days=1)))
    assert rest.exit_code == 0 and "nothing to play" in rest.stdout


def test_session_uses_the_stored_plan_and_refuses_without_one(tmp_path, monkeypatch, no_wait):
    from hipcoach.cli.session import PLAN_DAYS_KEY, today
    from hipcoach.exports.data import plan_to_json
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.diary import DiaryRepository

    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path / "data"))
    cli = _app(tmp_path)
    out = cli("session")
    assert out.exit_code == 2
    assert out.stderr.strip() == "Error: no plan yet: pass --plan-file FILE (the plan as JSON)"
    day = today()
    DiaryRepository(open_engine()).update_plan_state(
        {
            "phase": "load",
            PLAN_DAYS_KEY: plan_to_json([PlannedDay(day, "rehab", "B", items=(BIKE,))]),
        }
    )
    out = cli("session", input="\n\n\n2\n")  # warm-up, cycling, cool-down, pain
    assert out.exit_code == 0, out.output
    (log,) = DiaryRepository(open_engine()).session_logs()
    assert log.uid_key == f"day:{day.isoformat()}" and log.pain_during == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"days": [{"day": "2025-02-30", "kind": "rehab", "title": "x"}]}')
    out = cli("session", "--plan-file", str(bad))
    assert out.exit_code == 2 and "day 1, day:" in out.stderr
    assert "Traceback" not in out.output


def _app(tmp_path):  # type: ignore[no-untyped-def]
    import typer
    from typer.testing import CliRunner

    from hipcoach.cli import session as session_cli

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    session_cli.register(app)
    runner = CliRunner()
    return lambda *a, input=None: runner.invoke(app, list(a), input=input, catch_exceptions=False)
