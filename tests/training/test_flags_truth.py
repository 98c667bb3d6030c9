"""Flags tell the truth about the history they come from: they name the day they refer to
when the history ended in the past, a first run after a long break is not an "important"
spike (the comparisons restart, and the page says so), a week without running is a break
rather than a lighter week, and the dashboard and the report share one reference day."""

from __future__ import annotations

from datetime import date, timedelta

from hipcoach.training.flags import evaluate, evaluate_history
from hipcoach.training.load import compute_load, reference_day

from .test_flags import KNOWN_SOURCES, MON, RULES, act, only, sunday, weekly_runs


def _comeback(gap_weeks: int, km: float = 8.0) -> tuple[list, date]:
    """Eight weeks of 30 km, ``gap_weeks`` weeks without running, then one run."""
    back = MON + timedelta(weeks=8 + gap_weeks)
    return [*weekly_runs([30.0] * 8), act(back, km)], back


def test_a_single_run_after_a_long_break_is_not_an_important_spike():
    acts, back = _comeback(10)
    flags = evaluate(acts, back, RULES)
    assert not [f for f in flags if f.severity == "high"], [f.text for f in flags]
    assert not only(flags, "acwr_high") and not only(flags, "single_run_spike")
    h = compute_load(acts, RULES, today=back)
    assert h.acwr[h.index(back)] != h.acwr[h.index(back)]  # NaN: no ratio against a break


def test_the_break_is_said_in_plain_words_with_its_dates_and_sources():
    acts, back = _comeback(10)
    (flag,) = only(evaluate(acts, back, RULES), "running_break")
    last = sunday(7)
    assert flag.severity == "info" and flag.day == back
    assert f"You had not run for {((back - last).days - 1) // 7} weeks" in flag.text
    assert "5 August" in flag.text and "26 May" in flag.text
    assert "compared with what you have done since you came back" in flag.text
    assert set(flag.source) <= KNOWN_SOURCES and flag.caveat


def test_a_short_gap_keeps_the_usual_comparisons():
    acts, back = _comeback(2)  # 13 days without running: not a break
    flags = evaluate(acts, back, RULES)
    assert not only(flags, "running_break")
    h = compute_load(acts, RULES, today=back)
    assert not h.breaks and h.acwr[h.index(back)] == h.acwr[h.index(back)]


def test_the_ratio_comes_back_once_the_return_covers_its_window():
    acts, back = _comeback(10, km=6.0)
    acts += [act(back + timedelta(days=d), 6.0) for d in range(2, 42, 2)]
    h = compute_load(acts, RULES, today=back + timedelta(days=41))
    days_after = RULES.load.acwr_min_history_days.value
    assert all(x != x for x in h.acwr[h.index(back) : h.index(back) + days_after - 1])
    assert 0.5 < h.acwr[h.index(back) + days_after + 5] < 1.5


def _off(acts: list) -> list:
    """The runs of a 0 km week removed: the week has no running at all."""
    return [a for a in acts if a.distance_m]


def test_weeks_without_running_are_not_lighter_weeks():
    h = compute_load(_off(weekly_runs([30, 30, 30, 0, 30, 30])), RULES, today=sunday(5))
    assert [w.lighter for w in h.weeks] == [False] * 6
    assert h.weeks[3].weeks_since_lighter == 0  # a week off still ends a run of weeks
    lighter = compute_load(weekly_runs([30, 30, 30, 20, 30, 30]), RULES, today=sunday(5))
    assert lighter.weeks[3].lighter


def test_no_lighter_week_after_a_week_off_does_not_call_it_lighter():
    weeks = [30, 30, 0, 30, 31, 32, 33, 34]
    (flag,) = only(evaluate(_off(weekly_runs(weeks)), sunday(7), RULES), "no_lighter_week")
    assert "5 weeks in a row" in flag.text
    assert "you did not run in the week of 15 April" in flag.text
    assert "the last was" not in flag.text


def test_a_history_that_ended_in_the_past_names_its_date_not_today():
    acts = weekly_runs([30, 30, 30, 30, 30, 4])  # a last week far below the usual
    end = sunday(5)
    h = compute_load(acts, RULES, today=end)
    now = date(2026, 12, 7)
    past = {f.id: f for f in evaluate_history(h, RULES, now=now)}
    current = {f.id: f for f in evaluate_history(h, RULES)}
    assert past["acwr_low"].text.startswith("Your running load over the 7 days to 12 May 2024 was ")
    assert current["acwr_low"].text.startswith("Your running load over the last 7 days is ")
    for f in past.values():
        assert "today" not in f.text and "last 7 days" not in f.text and "2024" in f.text


def test_a_week_cut_short_by_the_end_of_the_history_is_the_week_to_that_day():
    acts = [a for a in weekly_runs([30, 30, 30, 30, 30, 50]) if a.start_utc.date() <= sunday(5)]
    end = sunday(5) - timedelta(days=2)  # a Friday
    h = compute_load(acts, RULES, today=end)
    texts = [f.text for f in evaluate_history(h, RULES, now=date(2026, 12, 7))]
    ramp = next(t for t in texts if t.startswith("You ran"))
    assert "in the week to 10 May 2024," in ramp and "so far" not in ramp


def test_dashboard_and_report_share_the_reference_day():
    today = date(2026, 12, 7)
    assert reference_day(date(2024, 5, 3), today, 12) == date(2024, 5, 3)
    recent = today - timedelta(weeks=3)
    assert reference_day(recent, today, 12) == today
