"""Load analytics: volumes, session load, ACWR, fitness/fatigue, monotony, ramps, shoes."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipcoach.training.load import compute_load, trimp
from hipcoach.training.model import Activity, Samples
from hipcoach.training.rules import load_rules

RULES = load_rules()
MON = date(2024, 4, 1)  # a Monday


def act(
    d: date,
    km: float | None = 10.0,
    *,
    sport: str = "running",
    minutes: float | None = None,
    hour: int = 7,
    offset_s: int | None = 0,
    **kw: object,
) -> Activity:
    secs = (minutes * 60) if minutes is not None else (km or 10.0) * 360.0  # 6 min/km
    return Activity(
        sport=sport,
        start_utc=datetime(d.year, d.month, d.day, hour, tzinfo=UTC),
        elapsed_s=secs * 1.05,
        source_format="manual",
        utc_offset_s=offset_s,
        moving_s=secs,
        distance_m=None if km is None else km * 1000,
        **kw,  # type: ignore[arg-type]
    )


def weekly_runs(monday: date, weekly_km: list[float], days: tuple[int, ...] = (0, 2, 4, 6)):
    """Each week's distance split evenly over the given weekdays."""
    out = []
    for w, total in enumerate(weekly_km):
        for dow in days:
            out.append(act(monday + timedelta(days=7 * w + dow), total / len(days)))
    return out


def test_runs_and_rides_are_counted_separately():
    acts = [act(MON, 10), act(MON + timedelta(days=1), 40, sport="cycling", minutes=90)]
    h = compute_load(acts, RULES, today=MON + timedelta(days=6))
    w = h.weeks[0]
    assert (w.run_distance_m, w.runs) == (10_000, 1)
    assert w.other_distance_m == 40_000
    assert w.run_moving_s == 3600 and w.other_moving_s == 90 * 60
    assert w.total_load > w.run_load > 0
    assert h.run_distance_m[1] == 0 and h.other_distance_m[1] == 40_000


def test_trimp_is_used_when_hr_exists_session_rpe_otherwise_then_duration():
    acts = [
        act(MON, 10, minutes=60, avg_hr=160, rpe=9),
        act(MON + timedelta(days=1), 10, minutes=60, rpe=5),
        act(MON + timedelta(days=2), 10, minutes=60),
    ]
    h = compute_load(acts, RULES, today=MON + timedelta(days=6))
    by_hr, by_rpe, by_time = h.sessions
    assert [s.method for s in h.sessions] == ["trimp", "srpe", "duration"]
    co = RULES.load.trimp["unknown"]
    assert by_hr.load == pytest.approx(trimp(60, 160, 200, 60, co.a, co.b))
    hrr = (160 - 60) / (200 - 60)
    assert by_hr.load == pytest.approx(60 * co.a * hrr * math.exp(co.b * hrr))
    assert by_rpe.load == pytest.approx(5 * 60 * RULES.load.srpe_to_trimp.value)
    assert by_time.load == pytest.approx(60 * RULES.load.duration_fallback_per_min.value)


def test_heart_rate_assumptions_can_be_overridden_and_default_max_rises_to_observed():
    acts = [act(MON, 10, minutes=60, avg_hr=150)]
    default = compute_load(acts, RULES, today=MON).sessions[0].load
    own = compute_load(acts, RULES, today=MON, hr_max=175, hr_rest=45, sex="female")
    assert own.hr_max == 175 and own.sessions[0].load > default
    hot = compute_load([act(MON, 10, avg_hr=205)], RULES, today=MON)
    assert hot.hr_max == 205
    with pytest.raises(ValueError, match="above resting"):
        compute_load(acts, RULES, today=MON, hr_max=50, hr_rest=60)


def test_heart_rate_stream_is_summed_per_sample():
    t = np.arange(0, 3601, 1.0)
    hr = np.where(t < 1800, 120.0, 180.0)  # half easy, half hard: average 150
    s = Samples(t=t, heart_rate=hr)
    a = Activity("running", datetime(2024, 4, 1, 7, tzinfo=UTC), 3600, "fit", 0, 3600, 10_000,
                 avg_hr=150, samples=s)  # fmt: skip
    h = compute_load([a], RULES, today=MON)
    co = RULES.load.trimp["unknown"]
    expected = trimp(30, 120, 200, 60, co.a, co.b) + trimp(30, 180, 200, 60, co.a, co.b)
    assert h.sessions[0].method == "trimp"
    assert h.sessions[0].load == pytest.approx(expected, rel=1e-3)
    assert h.sessions[0].load > trimp(60, 150, 200, 60, co.a, co.b)  # intervals score higher


def test_weeks_are_iso_weeks_by_local_date():
    late_sunday_utc = act(MON + timedelta(days=6), 10, hour=23, offset_s=3600)  # local Monday
    h = compute_load([act(MON, 5), late_sunday_utc], RULES, today=MON + timedelta(days=8))
    assert [w.monday for w in h.weeks] == [MON, MON + timedelta(days=7)]
    assert h.weeks[0].iso == (2024, 14)
    assert [w.run_distance_m for w in h.weeks] == [5000, 10_000]
    assert h.weeks[0].complete and not h.weeks[1].complete


def test_activities_after_today_are_ignored():
    acts = [act(MON, 10), act(MON + timedelta(days=20), 30)]
    h = compute_load(acts, RULES, today=MON + timedelta(days=3))
    assert h.run_distance_m.sum() == 10_000 and len(h.sessions) == 1
    assert compute_load(acts, RULES).today == MON + timedelta(days=20)


def test_no_acwr_with_only_two_weeks_of_history():
    h = compute_load(weekly_runs(MON, [20, 40]), RULES, today=MON + timedelta(days=13))
    assert np.isnan(h.acwr).all()


def test_acwr_is_one_on_a_steady_history_and_uses_coupled_rolling_means():
    acts = [act(MON + timedelta(days=i), 8, avg_hr=140) for i in range(42)]
    h = compute_load(acts, RULES, today=MON + timedelta(days=41))
    first_valid = int(np.argmax(~np.isnan(h.acwr)))
    assert first_valid == RULES.load.acwr_min_history_days.value - 1
    assert h.acwr[-1] == pytest.approx(1.0)
    assert h.acute[-1] == pytest.approx(h.run_load[-7:].mean())
    assert h.chronic[-1] == pytest.approx(h.run_load[-28:].mean())


def test_fitness_and_fatigue_are_exponential_averages():
    acts = [act(MON, 10, minutes=60, avg_hr=150)]
    h = compute_load(acts, RULES, today=MON + timedelta(days=1))
    load = h.total_load[0]
    assert h.fitness[0] == pytest.approx(load * (1 - math.exp(-1 / 42)))
    assert h.fatigue[0] == pytest.approx(load * (1 - math.exp(-1 / 7)))
    assert h.fitness[1] == pytest.approx(h.fitness[0] * math.exp(-1 / 42))
    assert h.form[1] == pytest.approx(h.fitness[1] - h.fatigue[1])


def test_monotony_and_strain_follow_foster():
    same_every_day = [act(MON + timedelta(days=i), 8, avg_hr=140) for i in range(7)]
    h = compute_load(same_every_day, RULES, today=MON + timedelta(days=6))
    assert h.weeks[0].monotony == RULES.flags.monotony.cap.value
    once = compute_load([act(MON, 8)], RULES, today=MON + timedelta(days=6)).weeks[0]
    assert once.monotony == pytest.approx(1 / math.sqrt(6))
    assert once.strain == pytest.approx(once.total_load * once.monotony)


def test_weekly_ramp_and_two_week_change():
    h = compute_load(weekly_runs(MON, [20, 22, 30]), RULES, today=MON + timedelta(days=20))
    assert h.weeks[0].ramp is None
    assert h.weeks[1].ramp == pytest.approx(0.10)
    assert h.weeks[2].ramp == pytest.approx(30 / 22 - 1)
    assert h.weeks[2].two_week_change == pytest.approx(0.5)
    tiny = compute_load(weekly_runs(MON, [2, 4]), RULES, today=MON + timedelta(days=13))
    assert tiny.weeks[1].ramp is None  # base below min_base_m


def test_a_lighter_week_resets_the_weeks_since_lighter_counter():
    km = [30, 32, 34, 36, 24, 30, 32]  # week 5 is 30% below the mean of the 3 before it
    h = compute_load(weekly_runs(MON, km), RULES, today=MON + timedelta(days=7 * len(km) - 1))
    assert [w.lighter for w in h.weeks] == [False, False, False, False, True, False, False]
    assert [w.weeks_since_lighter for w in h.weeks] == [1, 2, 3, 4, 0, 1, 2]
    back = h.weeks[5]  # the return to normal is compared with the usual weeks, not the light one
    assert back.ramp_after_lighter
    assert back.ramp_base_m == pytest.approx(34_000)
    assert back.ramp == pytest.approx(30 / 34 - 1)


def test_spike_is_measured_against_the_longest_run_of_the_previous_30_days():
    acts = [act(MON + timedelta(days=i), 10) for i in range(0, 35, 2)]
    acts += [act(MON + timedelta(days=20), 16), act(MON + timedelta(days=36), 20)]
    acts += [act(MON + timedelta(days=36), 21, hour=17)]  # same day: not its own baseline
    h = compute_load(acts, RULES, today=MON + timedelta(days=36))
    spikes = {(s.day, s.activity.distance_m): s.spike for s in h.sessions}
    assert spikes[(MON + timedelta(days=36), 20_000)] == pytest.approx(0.25)
    assert spikes[(MON + timedelta(days=36), 21_000)] == pytest.approx(21 / 16 - 1)
    assert spikes[(MON + timedelta(days=20), 16_000)] is None  # < 30 days of history


def test_shoe_distance_per_gear_counts_runs_only():
    acts = [act(MON + timedelta(days=i), 10, gear="Pegasus") for i in range(5)]
    acts += [act(MON, 50, sport="cycling", gear="Pegasus"), act(MON, 5, gear="Spikes")]
    h = compute_load(acts, RULES, today=MON + timedelta(days=6))
    shoes = {s.gear: s for s in h.shoes}
    assert shoes["Pegasus"].distance_m == 50_000 and shoes["Pegasus"].runs == 5
    assert shoes["Pegasus"].last_day == MON + timedelta(days=4)
    assert shoes["Spikes"].distance_m == 5000


def test_weekly_cadence_is_time_weighted_and_intensity_ignores_duration_only_runs():
    acts = [
        act(MON, 10, minutes=60, avg_cadence_spm=170, avg_hr=150),
        act(MON + timedelta(days=1), 5, minutes=30, avg_cadence_spm=160),
    ]
    w = compute_load(acts, RULES, today=MON + timedelta(days=6)).weeks[0]
    assert w.cadence_spm == pytest.approx((170 * 60 + 160 * 30) / 90)
    assert w.intensity_coverage == pytest.approx(60 / 90)
    co = RULES.load.trimp["unknown"]
    assert w.intensity == pytest.approx(trimp(60, 150, 200, 60, co.a, co.b) / 60)


def test_an_empty_history_needs_a_date():
    with pytest.raises(ValueError, match="pass `today`"):
        compute_load([], RULES)
    h = compute_load([], RULES, today=MON)
    assert h.run_distance_m.sum() == 0 and h.sessions == ()


day_offsets = st.integers(min_value=0, max_value=400)
activities = st.lists(
    st.tuples(
        day_offsets,
        st.floats(min_value=0, max_value=60),
        st.sampled_from(["running", "trail_running", "cycling", "swimming"]),
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(activities)
def test_weekly_and_daily_totals_sum_to_the_total_distance(items):
    acts = [act(MON + timedelta(days=d), km, sport=sp) for d, km, sp in items]
    h = compute_load(acts, RULES, today=MON + timedelta(days=401))
    runs = sum(km * 1000 for _, km, sp in items if sp in ("running", "trail_running"))
    other = sum(km * 1000 for _, km, sp in items if sp not in ("running", "trail_running"))
    assert sum(w.run_distance_m for w in h.weeks) == pytest.approx(runs, abs=1e-6)
    assert sum(w.other_distance_m for w in h.weeks) == pytest.approx(other, abs=1e-6)
    assert h.run_distance_m.sum() == pytest.approx(runs, abs=1e-6)
    assert all(w.monday.weekday() == 0 for w in h.weeks)
    assert np.all(h.acwr[~np.isnan(h.acwr)] >= 0)
