"""Prevention plans keep every load cap at once (≤10% a week, volume or intensity, a lighter
week every 4 weeks, no run >10% over the last 4 weeks' longest), refuse goals the caps cannot
reach in time, and give shoe and form advice from the runner's own data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcoach.errors import InputError
from hipcoach.plan.library import Dosage, Exercise, Library
from hipcoach.plan.prevention import (
    GoalUnreachable,
    PlanWeek,
    RunningPlan,
    baseline,
    build_running_plan,
    form_advice,
    recent_cadence,
    shoe_advice,
)
from hipcoach.plan.rules import load_rules
from hipcoach.training.flags import evaluate
from hipcoach.training.load import LoadHistory, compute_load
from hipcoach.training.model import Activity
from hipcoach.training.rules import load_rules as load_training_rules

RULES = load_rules()
P = RULES.prevention
TRAINING = load_training_rules()
MON = date(2026, 1, 5)  # a Monday
HALF, MARATHON = 21_097.5, 42_195.0


def act(d: date, km: float, *, gear: str | None = None, cadence: float | None = None) -> Activity:
    secs = km * 360.0
    return Activity(
        sport="running", start_utc=datetime(d.year, d.month, d.day, 7, tzinfo=UTC),
        elapsed_s=secs, source_format="manual", utc_offset_s=0, moving_s=secs,
        distance_m=km * 1000, gear=gear, avg_cadence_spm=cadence,
    )  # fmt: skip


def history(
    weekly_km: list[float], *, gear: str | None = None, cadence: float | None = None
) -> LoadHistory:
    """Weeks of three runs (the last one long) ending the Sunday before ``MON``."""
    first = MON - timedelta(weeks=len(weekly_km))
    acts = [
        act(first + timedelta(days=7 * w + dow), km * share, gear=gear, cadence=cadence)
        for w, km in enumerate(weekly_km)
        for dow, share in ((1, 0.3), (3, 0.3), (6, 0.4))
    ]
    return compute_load(acts, TRAINING, today=MON - timedelta(days=1))


def plan(
    goal: float, weeks: int, current: float | None = None, h: LoadHistory | None = None
) -> RunningPlan:
    return build_running_plan(
        goal, weeks, history=h, current_weekly_m=current, rules=RULES, start=MON
    )


# --- the caps, as checks usable on any plan ----------------------------------------------------


def check_caps(p: RunningPlan) -> None:
    weeks = p.weeks
    inc, single = P.weekly_increase.max, P.single_run_increase_max.value
    window = P.single_run_window_weeks.value
    usual, maxima, since = p.baseline.weekly_m, [p.baseline.long_run_m], p.baseline.since_lighter
    normal: PlanWeek | None = None
    for w in weeks:
        # weekly volume never rises more than 10% over the last normal (non-lighter) week
        if usual >= P.start_floor_weekly_m.value:
            assert w.volume_m <= usual * (1 + inc) + 1e-6, w
        # never volume and intensity together
        if normal is not None and w.quality > normal.quality:
            assert w.volume_m <= normal.volume_m + 1e-6 and w.change == "intensity", w
            assert w.long_run_m <= normal.long_run_m + 1e-6, w
        # no run more than 10% longer than the longest of the previous 4 weeks (race exempt)
        prev = max(maxima[-window:])
        if prev > 0 and not w.race:
            assert max(w.runs_m) <= prev * (1 + single) + 1e-6, w
        # a lighter week at least every 4 weeks
        since = 0 if w.change == "lighter" else since + 1
        assert since < P.lighter_every_weeks.value, w
        maxima.append(max(w.runs_m))
        if w.change != "lighter":
            usual, normal = w.volume_m, w
    assert weeks[-1].race and weeks[-1].runs_m[-1] == p.goal_distance_m


def test_a_week_never_raises_volume_and_intensity_together() -> None:
    p = plan(HALF, 16, current=25_000)
    assert {w.change for w in p.weeks} >= {"volume", "intensity", "lighter"}
    for a, b in zip(p.weeks, p.weeks[1:], strict=False):
        assert not (b.volume_m > a.volume_m + 1e-6 and b.quality > a.quality)
    check_caps(p)


def test_weekly_volume_never_rises_more_than_10_percent() -> None:
    p = plan(MARATHON, 40, current=20_000)
    check_caps(p)
    builds = [w for w in p.weeks if w.change == "volume"]
    assert max(b.volume_m for b in builds) == pytest.approx(P.goals[-1].peak_weekly_m)


def test_a_lighter_week_at_least_every_4_weeks() -> None:
    p = plan(HALF, 12, current=20_000)
    changes = [w.change for w in p.weeks]
    for i in range(len(changes) - 3):
        assert "lighter" in changes[i : i + 4]


def test_no_run_more_than_10_percent_longer_than_the_longest_of_the_previous_4_weeks() -> None:
    h = history([20, 20, 22, 24])
    p = plan(HALF, 16, h=h)
    assert p.baseline.long_run_m == pytest.approx(24_000 * 0.4)
    check_caps(p)
    first_long = p.weeks[0].long_run_m
    assert first_long <= p.baseline.long_run_m * 1.1 + 1e-6


def test_a_marathon_in_2_weeks_from_zero_is_refused_with_the_weeks_it_would_take() -> None:
    with pytest.raises(GoalUnreachable) as err:
        plan(MARATHON, 2, current=0)
    need = err.value.weeks_needed
    assert need is not None and need > 20
    assert f"it would take {need} weeks" in str(err.value)
    check_caps(plan(MARATHON, need, current=0))  # and that many weeks does work


def test_a_half_marathon_in_12_weeks_from_20_km_a_week() -> None:
    p = plan(HALF, 12, current=20_000)
    assert len(p.weeks) == 12 and p.weeks[-1].race
    assert max(w.long_run_m for w in p.weeks[:-1]) == pytest.approx(P.goals[2].peak_long_run_m)
    # Race day goes beyond the single-run rule, and the plan says so with the rule's source.
    race = p.notes[0]
    assert race.text.startswith(f"Race day is the one run allowed beyond the "
                                f"{P.single_run_increase_max.value:.0%} rule")  # fmt: skip
    assert race.source == tuple(P.single_run_increase_max.source)


def test_beyond_the_marathon_is_not_planned() -> None:
    with pytest.raises(GoalUnreachable, match="not planned"):
        plan(100_000, 52, current=80_000)


@pytest.mark.parametrize(("goal", "weeks"), [(0, 10), (-5, 10), (HALF, 0), (HALF, 500)])
def test_bad_goals_and_lengths_are_refused(goal: float, weeks: int) -> None:
    with pytest.raises(InputError):
        plan(goal, weeks, current=20_000)


def test_a_history_or_a_current_volume_is_needed() -> None:
    with pytest.raises(InputError, match="history"):
        plan(HALF, 12)


def test_the_baseline_comes_from_recent_complete_weeks() -> None:
    h = history([10, 30, 30, 30, 30])
    b = baseline(h, None, RULES)
    assert b.weekly_m == pytest.approx(30_000) and b.long_run_m == pytest.approx(12_000)
    assert b.since_lighter >= 4
    assert plan(HALF, 16, h=h).weeks[0].change == "lighter"  # overdue: rest first
    assert baseline(h, 15_000, RULES).weekly_m == 15_000  # a stated volume wins


def test_a_history_that_stopped_long_ago_says_so_instead_of_0_km_a_week() -> None:
    runs = ((1, 0.3), (3, 0.3), (6, 0.4))  # day of the week, share of the week's 20 km
    acts = [act(MON - timedelta(days=200 - 7 * w - dow), 20.0 * share)
            for w in range(8) for dow, share in runs]  # fmt: skip
    stopped = compute_load(acts, TRAINING, today=MON - timedelta(days=1))
    last = max(a.start_utc for a in acts).date()
    with pytest.raises(GoalUnreachable) as err:
        plan(HALF, 16, h=stopped)
    said = str(err.value)
    assert "0.0 km a week" not in said
    assert f"your last recorded run was on {last.strftime('%d %b %Y')}" in said
    assert "give your current weekly distance" in said and "return to running" in said
    # Given a current volume, the same history plans.
    check_caps(plan(HALF, 16, current=20_000, h=stopped))
    # A history that is recent is the starting point, and the refusal says so.
    with pytest.raises(GoalUnreachable) as err:
        plan(MARATHON, 3, h=history([20.0] * 5))
    said = str(err.value)
    assert "from 20.0 km a week (the mean of your last 4 complete weeks of running)" in said


# --- the week's contents -------------------------------------------------------------------------


def library() -> Library:
    def ex(id: str, kind: str) -> Exercise:
        return Exercise(
            id=id, name=id.capitalize(), kind=kind, steps=["Go."],
            dosage=Dosage(sets=2, reps=10, source=["FA"]), suits=["any"], phases=["prevent"],
            illustration=f"{id}.svg", source=["FA"],
        )  # fmt: skip

    strength = [ex(f"s{i}", "strength") for i in range(6)]
    return Library(version="t", exercises=[*strength, ex("cycling", "cross_training")])


def test_two_strength_one_cross_training_and_warm_up_cool_down_on_every_run() -> None:
    p = build_running_plan(
        HALF, 12, history=None, current_weekly_m=20_000, rules=RULES, start=MON,
        library=library(),
    )  # fmt: skip
    for w in p.weeks:
        days = [d for d in p.days if w.start <= d.day < w.start + timedelta(days=7)]
        runs = [d for d in days if d.kind == "run"]
        assert sorted(d.run_distance_m or 0 for d in runs) == pytest.approx(sorted(w.runs_m))
        assert sum(d.kind == "strength" for d in days) == P.strength_per_week.value
        assert sum(d.kind == "cross_training" for d in days) == P.cross_training_per_week.value
        assert any(d.kind == "rest" for d in days)
        for r in runs:
            assert [i.exercise_id for i in r.items] == ["warm_up", "cool_down"]
    strength = [d for d in p.days if d.kind == "strength"]
    assert strength[0].items and strength[0].items != strength[1].items  # rotates
    assert len({d.uid_key for d in p.days}) == len(p.days)


def test_the_plan_never_trips_the_training_load_flags() -> None:
    h_weeks = [20.0, 20.0, 20.0, 20.0, 20.0, 16.0]
    p = plan(HALF, 14, h=history(h_weeks))
    first = MON - timedelta(weeks=len(h_weeks))
    acts = [
        act(first + timedelta(days=7 * w + dow), km * share)
        for w, km in enumerate(h_weeks)
        for dow, share in ((1, 0.3), (3, 0.3), (6, 0.4))
    ] + [act(d.day, (d.run_distance_m or 0) / 1000) for d in p.days if d.kind == "run"]
    races = {d.day for d in p.days if d.title == "Race day"}
    watched = {"weekly_ramp", "two_week_change", "single_run_spike", "no_lighter_week"}
    for w in p.weeks:
        flags = evaluate(acts, w.start + timedelta(days=6), TRAINING)
        bad = [f for f in flags if f.id in watched and f.severity != "info" and f.day not in races]
        assert not bad, (w, [(f.id, f.day, f.text) for f in bad])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    goal=st.sampled_from([5_000, 10_000, HALF, MARATHON, 15_000]),
    weeks=st.integers(1, 60),
    current=st.one_of(st.none(), st.floats(0, 90_000)),
    past=st.lists(st.floats(0, 70), min_size=1, max_size=8),
)
def test_every_plan_keeps_the_caps_or_is_refused(
    goal: float, weeks: int, current: float | None, past: list[float]
) -> None:
    h = history(past) if current is None else None
    try:
        p = plan(goal, weeks, current=current, h=h)
    except GoalUnreachable as err:
        assert err.weeks_needed is None or err.weeks_needed > weeks
        return
    assert len(p.weeks) == weeks
    check_caps(p)


# --- shoes and form ------------------------------------------------------------------------------


def test_shoes_are_replaced_by_mileage_from_the_history() -> None:
    h = compute_load(
        [act(MON - timedelta(days=200 - i), 9.0, gear="Old") for i in range(0, 190, 2)]
        + [act(MON - timedelta(days=60 - i), 10.0, gear="Mid") for i in range(0, 60, 1)]
        + [act(MON - timedelta(days=20 - i), 5.0, gear="New") for i in range(0, 20, 5)],
        TRAINING,
        today=MON,
    )
    general, shoes = shoe_advice(h, RULES)
    by_gear = {s.gear: s for s in shoes}
    old = by_gear["Old"]
    assert old.state == "replace_now" and "Replace them now" in old.advice.text
    assert by_gear["Mid"].state == "replace_soon"
    assert by_gear["New"].state == "ok"
    assert by_gear["Old"].distance_m >= P.goals[0].up_to_m  # from the history, in metres
    text = " ".join(a.text for a in general)
    assert "cushioning" in text and "heel counter" in text


def test_stability_shoes_come_with_the_honest_strength_of_the_evidence() -> None:
    general, _ = shoe_advice(None, RULES, overpronates=True)
    stability = next(a for a in general if "stability" in a.text)
    assert {"R59", "R60", "R61"} <= set(stability.source)
    assert "One trial is not proof" in stability.text and "0.34" in stability.text
    general, _ = shoe_advice(None, RULES, overpronates=False)
    assert not any("stability" in a.text for a in general)


def test_shoe_distances_match_the_training_flag() -> None:
    levels = [lv.value for lv in TRAINING.flags.shoe_distance.levels]
    assert (RULES.shoes.replace_m.min, RULES.shoes.replace_m.max) == (levels[0], levels[-1])


@pytest.mark.parametrize("cadence", [150.0, 164.0, 172.5, 185.0])
def test_cadence_target_is_5_to_10_percent_above_the_runners_own_cadence(cadence: float) -> None:
    f = form_advice(cadence, RULES)
    low, high = round(cadence * 1.05), round(cadence * 1.10)
    assert f.target_spm == (low, high)
    assert f"{low}–{high}" in f.cadence.text
    assert "only at +10%" in f.cadence.text and "R62" in f.cadence.source
    assert any("overstride" in c.text for c in f.cues)


def test_unknown_cadence_explains_how_to_count_it() -> None:
    f = form_advice(None, RULES)
    assert f.target_spm is None and "Count your steps" in f.cadence.text


def test_recent_cadence_from_the_history() -> None:
    assert recent_cadence(history([20, 20, 20], cadence=168), RULES) == pytest.approx(168)
    assert recent_cadence(history([20, 20]), RULES) is None
