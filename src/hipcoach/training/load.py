"""Training load from the activity history: volume, session load, ramps, spikes, ACWR, fitness.

Why it is built this way: every series is a daily numpy array that starts on the Monday of
the first recorded week and ends on ``today``. ISO weeks are then rows of a ``(weeks, 7)``
reshape and rolling windows are cumulative-sum differences, so ten years of history cost a
few milliseconds. Running (every running sport) is kept apart from other sports because the
injury evidence is about running distance; cycling or swimming should not make a runner's
ramp look steeper.

Conventions (the constants and their provenance are in ``training_rules.yaml``):

* Session load, in TRIMP units: Banister TRIMP ``minutes × a × HRr × e^(b·HRr)`` with
  ``HRr = (HR − rest) / (max − rest)`` clipped to 0–1, summed per heart-rate sample when the
  activity has a stream, else from average heart rate, over moving time. Without heart rate,
  Foster's session-RPE (RPE × minutes) scaled onto the TRIMP scale; without either, a
  duration-only fallback (minutes × a fixed rate), which knows nothing about intensity.
  Default max/rest heart rate are assumptions (``load.hr_max_default`` / ``hr_rest_default``;
  max is raised to the highest average HR seen); pass the runner's own to override.
* ACWR (running load only): acute = mean daily load over 7 days, chronic = mean over 28
  days *including* those 7 ("coupled" rolling averages, as in the studies the 0.8–1.3 and
  1.5 figures come from). NaN until the history covers 28 days. Coupling is one of the
  methodological criticisms of the ratio [R51]; flags carry that caveat.
* Fitness / fatigue / form: EWMA of all-sport daily load with ``k = 1 − e^(−1/N)``,
  N = 42 / 7, seeded at 0; form = fitness − fatigue on the same day.
* Monotony (Foster): mean ÷ population SD of the seven daily all-sport loads of an ISO
  week, capped; strain = weekly load × monotony. Only for complete weeks.
* Weekly ramp compares with the previous week; when that week was a lighter week, with the
  mean of the weeks before it (a return to normal is not a ramp). A lighter week has running
  in it: a week without any is a break, not a recovery week.
* Breaks: after ``load.break_days`` or more without running, the comparisons restart from
  the return as they do at the start of the records (no ACWR and no single-run comparison
  until the history since the return covers their windows), because a baseline from before
  the break would make any first run back look like a huge spike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from hipcoach.training.model import Activity, FloatArray, Samples
from hipcoach.training.rules import LoadRules, Sex, TrainingRules

LoadMethod = Literal["trimp", "srpe", "duration"]
_METHODS: tuple[LoadMethod, ...] = ("trimp", "srpe", "duration")


@dataclass(frozen=True, slots=True)
class SessionLoad:
    """One activity's load. ``spike`` (runs only): distance ÷ longest run of the previous
    window − 1, or None when there is no baseline run or not enough history."""

    activity: Activity
    day: date
    minutes: float
    load: float
    method: LoadMethod
    spike: float | None


@dataclass(frozen=True, slots=True)
class Break:
    """A gap of at least ``load.break_days`` without running, ended by a run on ``back``."""

    last_run: date
    back: date

    @property
    def days(self) -> int:
        """Whole days without running between the two runs."""
        return (self.back - self.last_run).days - 1


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """One ISO week. Ratios are fractions (0.25 = +25%); None when not computable."""

    monday: date
    complete: bool
    runs: int
    run_distance_m: float
    run_moving_s: float
    run_elapsed_s: float
    other_distance_m: float
    other_moving_s: float
    other_elapsed_s: float
    run_load: float
    total_load: float
    ramp: float | None
    ramp_base_m: float | None
    ramp_after_lighter: bool
    two_week_change: float | None
    two_week_base_m: float | None
    monotony: float | None
    strain: float | None
    intensity: float | None
    """Running load per minute, from sessions with heart rate or RPE only."""
    intensity_coverage: float
    """Share of running time that had heart rate or RPE."""
    cadence_spm: float | None
    lighter: bool | None
    """None for the week still in progress."""
    weeks_since_lighter: int | None
    """Consecutive complete non-lighter weeks up to and including this one."""

    @property
    def iso(self) -> tuple[int, int]:
        year, week, _ = self.monday.isocalendar()
        return year, week

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


@dataclass(frozen=True, slots=True)
class ShoeDistance:
    gear: str
    distance_m: float
    runs: int
    first_day: date
    last_day: date


@dataclass(frozen=True, eq=False)
class LoadHistory:
    """Everything the load view and the flags need. Daily arrays are indexed from ``start``."""

    start: date
    today: date
    first_day: date
    hr_max: float
    hr_rest: float
    run_distance_m: FloatArray
    run_moving_s: FloatArray
    run_elapsed_s: FloatArray
    other_distance_m: FloatArray
    other_moving_s: FloatArray
    other_elapsed_s: FloatArray
    longest_run_m: FloatArray
    run_load: FloatArray
    total_load: FloatArray
    acute: FloatArray
    chronic: FloatArray
    acwr: FloatArray
    fitness: FloatArray
    fatigue: FloatArray
    form: FloatArray
    weeks: tuple[WeekSummary, ...]
    sessions: tuple[SessionLoad, ...]
    shoes: tuple[ShoeDistance, ...]
    breaks: tuple[Break, ...] = ()
    """Gaps without running after which the comparisons restarted, oldest first."""

    def index(self, d: date) -> int:
        return (d - self.start).days

    def day(self, i: int) -> date:
        return self.start + timedelta(days=i)


def reference_day(last_activity: date, today: date, weeks: int) -> date:
    """The day a view of the last ``weeks`` weeks is "as of": today, or the last activity
    when that is older than the window (a history that stopped in May 2024 is shown up to
    May 2024, not as a run of empty weeks). The dashboard and the clinician's report both
    use it, so their "last 12 weeks" are the same weeks."""
    return last_activity if last_activity < today - timedelta(weeks=weeks) else today


def trimp(minutes: float, hr: float, hr_max: float, hr_rest: float, a: float, b: float) -> float:
    """Banister TRIMP from an average heart rate: ``minutes × a × HRr × e^(b·HRr)``."""
    hrr = min(max((hr - hr_rest) / (hr_max - hr_rest), 0.0), 1.0)
    return minutes * a * hrr * math.exp(b * hrr)


def _stream_trimp(
    s: Samples, hr_max: float, hr_rest: float, a: float, b: float, gap: float
) -> float | None:
    """TRIMP summed per sample (each interval at its own heart rate), as Runalyze does; this
    scores interval sessions fairly where an average would flatten them."""
    if s.heart_rate is None or len(s) < 2:
        return None
    dt = np.clip(np.diff(s.t), 0.0, gap)
    hr = s.heart_rate[1:]
    ok = np.isfinite(hr)
    if not ok.any() or dt[ok].sum() < 60.0:
        return None
    hrr = np.clip((hr[ok] - hr_rest) / (hr_max - hr_rest), 0.0, 1.0)
    return float(np.sum(dt[ok] / 60.0 * a * hrr * np.exp(b * hrr)))


def session_loads(
    activities: Sequence[Activity], lr: LoadRules, hr_max: float, hr_rest: float, sex: Sex
) -> tuple[FloatArray, FloatArray, list[LoadMethod]]:
    """Minutes, load and method for each activity (see the module docstring)."""
    co = lr.trimp[sex]
    gap = lr.hr_sample_max_gap_s.value
    minutes = np.array(
        [(x.moving_s if x.moving_s is not None else x.elapsed_s) / 60.0 for x in activities],
        dtype=np.float64,
    )
    hr = np.array([np.nan if x.avg_hr is None else x.avg_hr for x in activities], np.float64)
    rpe = np.array([np.nan if x.rpe is None else x.rpe for x in activities], np.float64)
    hrr = np.clip((hr - hr_rest) / (hr_max - hr_rest), 0.0, 1.0)
    by_hr = minutes * co.a * hrr * np.exp(co.b * hrr)
    by_rpe = minutes * np.clip(rpe, 0.0, 10.0) * lr.srpe_to_trimp.value
    by_time = minutes * lr.duration_fallback_per_min.value
    code = np.where(np.isfinite(hr), 0, np.where(np.isfinite(rpe), 1, 2))
    load = np.choose(code, [np.nan_to_num(by_hr), np.nan_to_num(by_rpe), by_time])
    for i, x in enumerate(activities):
        if x.samples is not None and x.samples.heart_rate is not None:
            t = _stream_trimp(x.samples, hr_max, hr_rest, co.a, co.b, gap)
            if t is not None:
                load[i], code[i] = t, 0
    return minutes, load.astype(np.float64), [_METHODS[c] for c in code.tolist()]


def _rolling_mean(x: FloatArray, n: int) -> FloatArray:
    cs = np.concatenate(([0.0], np.cumsum(x)))
    lo = np.maximum(np.arange(1, x.size + 1) - n, 0)
    return (cs[1:] - cs[lo]) / n


def _ewma(x: FloatArray, days: float) -> FloatArray:
    k = 1.0 - math.exp(-1.0 / days)
    out: list[float] = []
    v = 0.0
    for xi in x.tolist():
        v += k * (xi - v)
        out.append(v)
    return np.array(out, dtype=np.float64)


def _opt(x: float) -> float | None:
    return None if math.isnan(x) else x


def compute_load(
    activities: Sequence[Activity],
    rules: TrainingRules,
    *,
    today: date | None = None,
    hr_max: float | None = None,
    hr_rest: float | None = None,
    sex: Sex = "unknown",
) -> LoadHistory:
    """The load history as of ``today`` (default: the day of the latest activity).

    Activities after ``today`` are ignored, so the history can be replayed as of any date
    (e.g. the day pain began). Days are local calendar days of the activity start.
    """
    lr = rules.load
    days_all = [a.local_start.date() for a in activities]
    if today is None:
        if not days_all:
            raise ValueError("no activities and no date: pass `today`")
        today = max(days_all)
    keep = sorted(
        (i for i, d in enumerate(days_all) if d <= today), key=lambda i: activities[i].start_utc
    )
    acts = [activities[i] for i in keep]
    days = [days_all[i] for i in keep]
    first = min(days, default=today)
    start = first - timedelta(days=first.weekday())
    n = (today - start).days + 1
    n_weeks = -(-n // 7)
    observed = max((a.avg_hr for a in acts if a.avg_hr is not None), default=0.0)
    hmax = hr_max if hr_max is not None else max(lr.hr_max_default.value, observed)
    hrest = hr_rest if hr_rest is not None else lr.hr_rest_default.value
    if hmax <= hrest:
        raise ValueError(f"maximum heart rate ({hmax}) must be above resting ({hrest})")

    minutes, load, methods = session_loads(acts, lr, hmax, hrest, sex)
    idx = np.array([(d - start).days for d in days], dtype=np.int64)
    run = np.array([a.is_run for a in acts], dtype=bool)
    dist = np.array([a.distance_m or 0.0 for a in acts], dtype=np.float64)
    moving = minutes * 60.0
    elapsed = np.array([a.elapsed_s for a in acts], dtype=np.float64)

    def daily(w: FloatArray, mask: np.ndarray | None = None) -> FloatArray:
        if mask is not None:
            return np.bincount(idx[mask], weights=w[mask], minlength=n).astype(np.float64)
        return np.bincount(idx, weights=w, minlength=n).astype(np.float64)

    other = ~run
    run_dist, run_mov, run_el = daily(dist, run), daily(moving, run), daily(elapsed, run)
    o_dist, o_mov, o_el = daily(dist, other), daily(moving, other), daily(elapsed, other)
    run_load, total_load = daily(load, run), daily(load)
    longest = np.zeros(n, dtype=np.float64)
    np.maximum.at(longest, idx[run], dist[run])

    # Breaks: a run after break_days or more without running restarts the comparisons.
    run_days = sorted(set(idx[run].tolist()))
    first_i = (first - start).days
    seg = np.full(n, first_i, dtype=np.int64)  # index of the day the current stretch began
    breaks: list[Break] = []
    for prev, cur in pairwise(run_days):
        if cur - prev - 1 >= lr.break_days.value:
            seg[cur:] = cur
            breaks.append(Break(start + timedelta(days=prev), start + timedelta(days=cur)))

    # ACWR: coupled rolling means of running load, hidden until the history (since the start
    # or the last break) covers the window.
    acute = _rolling_mean(run_load, lr.acwr_acute_days.value)
    chronic = _rolling_mean(run_load, lr.acwr_chronic_days.value)
    covered = np.arange(n) - seg + 1 >= lr.acwr_min_history_days.value
    with np.errstate(all="ignore"):
        acwr = np.where(covered & (chronic > 0), acute / chronic, np.nan)
    fitness, fatigue = (
        _ewma(total_load, lr.fitness_days.value),
        _ewma(total_load, lr.fatigue_days.value),
    )

    # Single-run spikes: longest run in the previous window (same-day runs excluded).
    sr = rules.flags.single_run_spike
    win = sr.window_days.value
    prev_max = sliding_window_view(np.concatenate((np.zeros(win), longest)), win)[:n].max(axis=1)
    spike_ok = run & (dist > 0) & (idx - seg[idx] >= sr.min_history_days.value)
    base = prev_max[idx]
    with np.errstate(all="ignore"):
        spike = np.where(spike_ok & (base > 0), dist / base - 1.0, np.nan)
    sessions = tuple(
        SessionLoad(a, d, m, ld, meth, _opt(sp))
        for a, d, m, ld, meth, sp in zip(
            acts, days, minutes.tolist(), load.tolist(), methods, spike.tolist(), strict=True
        )
    )

    weeks = _weeks(
        rules, n, n_weeks, start, idx, run, minutes, load, methods, acts,
        (run_dist, run_mov, run_el, o_dist, o_mov, o_el, run_load, total_load),
    )  # fmt: skip
    return LoadHistory(
        start=start, today=today, first_day=first, hr_max=hmax, hr_rest=hrest,
        run_distance_m=run_dist, run_moving_s=run_mov, run_elapsed_s=run_el,
        other_distance_m=o_dist, other_moving_s=o_mov, other_elapsed_s=o_el,
        longest_run_m=longest,
        run_load=run_load, total_load=total_load, acute=acute, chronic=chronic, acwr=acwr,
        fitness=fitness, fatigue=fatigue, form=fitness - fatigue,
        weeks=weeks, sessions=sessions, shoes=_shoes(acts, days), breaks=tuple(breaks),
    )  # fmt: skip


def _weeks(
    rules: TrainingRules,
    n: int,
    n_weeks: int,
    start: date,
    idx: np.ndarray,
    run: np.ndarray,
    minutes: FloatArray,
    load: FloatArray,
    methods: list[LoadMethod],
    acts: list[Activity],
    daily: tuple[FloatArray, ...],
) -> tuple[WeekSummary, ...]:
    pad = n_weeks * 7 - n
    wk = [np.concatenate((d, np.zeros(pad))).reshape(n_weeks, 7) for d in daily]
    run_dist, run_mov, run_el, o_dist, o_mov, o_el, run_ld, tot_ld = (w.sum(axis=1) for w in wk)
    complete = np.arange(n_weeks) < (n // 7)
    widx = idx // 7

    def weekly(w: FloatArray, mask: np.ndarray) -> FloatArray:
        return np.bincount(widx[mask], weights=w[mask], minlength=n_weeks).astype(np.float64)

    runs = np.bincount(widx[run], minlength=n_weeks)
    measured = run & np.array([m != "duration" for m in methods], dtype=bool)
    m_min, m_load = weekly(minutes, measured), weekly(load, measured)
    all_min = weekly(minutes, run)
    cad = np.array([a.avg_cadence_spm or np.nan for a in acts], dtype=np.float64)
    has_cad = run & np.isfinite(cad) & (minutes > 0)
    cad_w, cad_min = weekly(np.nan_to_num(cad) * minutes, has_cad), weekly(minutes, has_cad)

    # Monotony (Foster): weekly mean / SD of the seven daily loads (all sports).
    mono = rules.flags.monotony
    daily_tot = wk[7]
    mean, sd = daily_tot.mean(axis=1), daily_tot.std(axis=1)
    with np.errstate(all="ignore"):
        monotony = np.where(mean > 0, np.minimum(mean / sd, mono.cap.value), np.nan)

    # Lighter weeks and the counter since the last one.
    lw = rules.flags.no_lighter_week
    k = lw.baseline_weeks.value
    # The usual week is the mean of the running weeks among the k before: a week off is a
    # break, not part of the usual, and is itself neither lighter nor counted in a streak.
    ran = run_dist > 0
    cs = np.concatenate(([0.0], np.cumsum(run_dist)))
    cr = np.concatenate(([0], np.cumsum(ran)))
    lo = np.maximum(np.arange(n_weeks) - k, 0)
    cnt = cr[:-1] - cr[lo]
    with np.errstate(all="ignore"):
        usual = np.where(cnt > 0, (cs[:-1] - cs[lo]) / cnt, np.nan)
    light = complete & ran & (usual > 0) & (run_dist <= (1 - lw.drop.value) * usual)
    since: list[int | None] = []
    c = 0
    for i in range(n_weeks):
        c = 0 if light[i] or not ran[i] else c + 1
        since.append(c if complete[i] else None)

    base1 = np.roll(np.where(light, usual, run_dist), 1)
    base2 = np.roll(np.where(light, usual, run_dist), 2)
    after_light = np.roll(light, 1)
    base1[:1], base2[:2], after_light[:1] = np.nan, np.nan, False

    def change(base: FloatArray, floor: float) -> FloatArray:
        with np.errstate(all="ignore"):
            return np.where(base >= floor, run_dist / base - 1.0, np.nan)

    ramp = change(base1, rules.flags.weekly_ramp.min_base_m.value)
    two = change(base2, rules.flags.two_week_change.min_base_m.value)
    with np.errstate(all="ignore"):
        intensity = np.where(m_min > 0, m_load / m_min, np.nan)
        coverage = np.where(all_min > 0, m_min / all_min, 0.0)
        cadence = np.where(cad_min > 0, cad_w / cad_min, np.nan)

    out = []
    for i in range(n_weeks):
        full = bool(complete[i])
        out.append(
            WeekSummary(
                monday=start + timedelta(days=7 * i), complete=full, runs=int(runs[i]),
                run_distance_m=float(run_dist[i]), run_moving_s=float(run_mov[i]),
                run_elapsed_s=float(run_el[i]), other_distance_m=float(o_dist[i]),
                other_moving_s=float(o_mov[i]), other_elapsed_s=float(o_el[i]),
                run_load=float(run_ld[i]), total_load=float(tot_ld[i]),
                ramp=_opt(float(ramp[i])),
                ramp_base_m=_opt(float(base1[i])) if not math.isnan(ramp[i]) else None,
                ramp_after_lighter=bool(after_light[i]),
                two_week_change=_opt(float(two[i])),
                two_week_base_m=_opt(float(base2[i])) if not math.isnan(two[i]) else None,
                monotony=_opt(float(monotony[i])) if full else None,
                strain=float(tot_ld[i] * monotony[i]) if full and mean[i] > 0 else None,
                intensity=_opt(float(intensity[i])), intensity_coverage=float(coverage[i]),
                cadence_spm=_opt(float(cadence[i])),
                lighter=bool(light[i]) if full else None, weeks_since_lighter=since[i],
            )
        )  # fmt: skip
    return tuple(out)


def _shoes(acts: list[Activity], days: list[date]) -> tuple[ShoeDistance, ...]:
    """Running distance per gear name (bikes on rides are not shoes)."""
    dist: dict[str, float] = {}
    runs: dict[str, int] = {}
    seen: dict[str, list[date]] = {}
    for a, d in zip(acts, days, strict=True):
        if a.is_run and a.gear:
            dist[a.gear] = dist.get(a.gear, 0.0) + (a.distance_m or 0.0)
            runs[a.gear] = runs.get(a.gear, 0) + 1
            seen.setdefault(a.gear, []).append(d)
    return tuple(
        ShoeDistance(g, dist[g], runs[g], min(seen[g]), max(seen[g])) for g in sorted(dist)
    )
