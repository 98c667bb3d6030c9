"""Training-load flags: what in the runner's own history matches a load–injury rule.

A flag is a statement about the runner's numbers ("your run on 3 May (24.1 km) was 45%
longer than your longest in the 30 days before"), never a diagnosis. Each one carries the
evidence it rests on (dates, values in SI units), the rule's source ids, how good that
evidence is (``strength``) and the caveat to show with it, because most load rules are
associations or conventions, and the best-known one (10% a week) failed its only trial.
Every threshold comes from ``training_rules.yaml`` via ``TrainingRules``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from hipcoach.training.load import LoadHistory, WeekSummary, compute_load
from hipcoach.training.model import Activity
from hipcoach.training.rules import (
    SEVERITY_RANK,
    STRENGTH_RANK,
    FlagRule,
    Level,
    Severity,
    Sex,
    Strength,
    TrainingRules,
)
from hipcoach.units import Units, distance

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Evidence:
    """One number behind a flag. ``unit``: m, fraction, ratio, spm, load, weeks or days."""

    label: str
    value: float
    unit: str
    day: date | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    id: str
    severity: Severity
    day: date
    """The day the flag applies to: the run, the peak day, or the last day of the week."""
    title: str
    text: str
    evidence: tuple[Evidence, ...]
    source: tuple[str, ...]
    strength: Strength
    caveat: str
    factor: str | None
    """The ``factors.yaml`` contributing factor this is evidence for, if any."""


@dataclass(frozen=True, slots=True)
class ContributingFactor:
    """A training fact for the assessment's "contributing factors" list."""

    flag_id: str
    factor: str | None
    title: str
    text: str
    severity: Severity
    strength: Strength
    source: tuple[str, ...]
    caveat: str
    day: date


def fmt_day(d: date, today: date) -> str:
    """'3 May', with the year only when it is not the current one."""
    out = f"{d.day} {_MONTHS[d.month - 1]}"
    return out if d.year == today.year else f"{out} {d.year}"


def _pct(x: float) -> str:
    return f"{round(abs(x) * 100)}%"


def _span(days: int) -> str:
    return f"{days // 7} weeks" if days % 7 == 0 and days >= 14 else f"{days} days"


def _flag(
    fid: str,
    rule: FlagRule,
    severity: Severity,
    day: date,
    text: str,
    evidence: Sequence[Evidence],
    level: Level | None = None,
) -> Flag:
    sources = list(rule.source)
    for s in level.source if level else []:
        if s not in sources:
            sources.append(s)
    return Flag(
        fid, severity, day, rule.title, text, tuple(evidence), tuple(sources),
        rule.strength, rule.caveat.strip(), rule.factor,
    )  # fmt: skip


class _Ctx:
    """What every check needs: the history, the rules, the window and the units.

    ``now`` is the runner's today. When the history is shown as of an earlier day (it
    stopped in the past), the words name that day ("in the 7 days to 3 May 2024") instead
    of speaking as if it were today, and years are shown against ``now``."""

    def __init__(self, h: LoadHistory, rules: TrainingRules, units: Units, now: date) -> None:
        self.h, self.rules, self.units, self.now = h, rules, units, now
        self.past = h.today < now
        self.since = h.today - timedelta(days=rules.reporting.lookback_days.value - 1)
        self.weeks = [w for w in h.weeks if w.sunday >= self.since]

    def d(self, metres: float) -> str:
        return distance(metres, self.units)

    def day(self, d: date) -> str:
        return fmt_day(d, self.now)

    def week_day(self, w: WeekSummary) -> date:
        return min(w.sunday, self.h.today)

    def week(self, w: WeekSummary) -> str:
        if w.complete:
            return f"the week of {self.day(w.monday)}"
        if self.past:
            return f"the week to {self.day(self.h.today)}"
        return f"the week of {self.day(w.monday)} (so far)"

    def last(self, days: str) -> str:
        """'the last 7 days', or 'the 7 days to 3 May 2024' for a history that ended."""
        return f"the {days} to {self.day(self.h.today)}" if self.past else f"the last {days}"


def _ramps(c: _Ctx) -> list[Flag]:
    """Weekly ramp (vs the week before) and two-week change (vs two weeks earlier). A base
    week that was itself lighter was replaced by the usual weeks before it (see load.py)."""
    fl, out = c.rules.flags, []
    by_monday = {w.monday: w for w in c.h.weeks}
    for w in c.weeks:
        for fid, rule, change, base, k in (
            ("weekly_ramp", fl.weekly_ramp, w.ramp, w.ramp_base_m, 1),
            ("two_week_change", fl.two_week_change, w.two_week_change, w.two_week_base_m, 2),
        ):
            lv = rule.level(change)
            if lv is None or change is None or base is None:
                continue
            when = "the week before" if k == 1 else "two weeks earlier"
            bw = by_monday.get(w.monday - timedelta(days=7 * k))
            vs = f"{when} ({c.d(base)})"
            if bw is not None and bw.lighter:
                vs = f"your usual {c.d(base)} a week before the lighter week of {c.day(bw.monday)}"
            text = f"You ran {c.d(w.run_distance_m)} in {c.week(w)}, {_pct(change)} more than {vs}."
            ev = (
                Evidence("weekly running distance", w.run_distance_m, "m", w.monday),
                Evidence(f"comparison distance ({when})", base, "m"),
                Evidence("increase", change, "fraction"),
            )
            out.append(_flag(fid, rule, lv.severity, c.week_day(w), text, ev, lv))
    return out


def _spikes(c: _Ctx) -> list[Flag]:
    rule, out, h = c.rules.flags.single_run_spike, [], c.h
    win = rule.window_days.value
    for s in h.sessions:
        lv = rule.level(s.spike)
        if lv is None or s.spike is None or s.day < c.since:
            continue
        i = h.index(s.day)
        lo = max(i - win, 0)
        window = h.longest_run_m[lo:i]
        j = lo + (len(window) - 1 - int(np.argmax(window[::-1])))  # the latest longest run
        prev, prev_day, run_m = float(h.longest_run_m[j]), h.day(j), s.activity.distance_m or 0.0
        text = (
            f"Your run on {c.day(s.day)} ({c.d(run_m)}) was {_pct(s.spike)} longer than your "
            f"longest in the {win} days before ({c.d(prev)} on {c.day(prev_day)})."
        )
        ev = (
            Evidence("run distance", run_m, "m", s.day),
            Evidence(f"longest run in the previous {win} days", prev, "m", prev_day),
            Evidence("increase", s.spike, "fraction"),
        )
        out.append(_flag("single_run_spike", rule, lv.severity, s.day, text, ev, lv))
    return out


def _acwr(c: _Ctx) -> list[Flag]:
    h, lr = c.h, c.rules.load
    out: list[Flag] = []
    lo = max(h.index(c.since), 0)
    recent = h.acwr[lo:]
    acute_n, chronic_n = lr.acwr_acute_days.value, lr.acwr_chronic_days.value
    if recent.size == 0 or np.isnan(recent).all():
        return out

    def ev(i: int) -> tuple[Evidence, ...]:
        return (
            Evidence("acute:chronic ratio", float(h.acwr[i]), "ratio", h.day(i)),
            Evidence(f"mean daily running load, last {acute_n} days", float(h.acute[i]), "load"),
            Evidence(
                f"mean daily running load, last {chronic_n} days", float(h.chronic[i]), "load"
            ),
        )

    i = lo + int(np.nanargmax(recent))
    high = c.rules.flags.acwr_high
    lv = high.level(float(h.acwr[i]))
    if lv is not None:
        text = (
            f"On {c.day(h.day(i))} your running load over the previous {acute_n} days was "
            f"{h.acwr[i]:.1f} times your daily average over {chronic_n} days "
            f"(acute:chronic ratio {h.acwr[i]:.2f})."
        )
        out.append(_flag("acwr_high", high, lv.severity, h.day(i), text, ev(i), lv))
    last, low = h.acwr.size - 1, c.rules.flags.acwr_low
    lv = low.level(float(h.acwr[last]))
    if lv is not None:
        verb = "was" if c.past else "is"
        text = (
            f"Your running load over {c.last(f'{acute_n} days')} {verb} {h.acwr[last]:.1f} "
            f"times your daily average over {chronic_n} days (acute:chronic ratio "
            f"{h.acwr[last]:.2f})."
        )
        out.append(_flag("acwr_low", low, lv.severity, h.today, text, ev(last), lv))
    return out


def _monotony(c: _Ctx) -> list[Flag]:
    rule = c.rules.flags.monotony
    full = [w for w in c.weeks if w.complete and w.monotony is not None]
    hits = [(w, lv) for w in full if (lv := rule.level(w.monotony)) is not None]
    if not hits:
        return []
    w, lv = max(hits, key=lambda x: (SEVERITY_RANK[x[1].severity], x[0].monday))
    assert w.monotony is not None and w.strain is not None
    text = (
        f"In {c.week(w)} your training load varied little from day to day (monotony "
        f"{w.monotony:.1f}, strain {w.strain:,.0f}); {len(hits)} of the last {len(full)} "
        f"complete weeks were at {rule.first.value:g} or above."
    )
    ev = (
        Evidence("monotony", w.monotony, "ratio", w.monday),
        Evidence("strain", w.strain, "load", w.monday),
        Evidence("weekly load", w.total_load, "load", w.monday),
    )
    return [_flag("monotony", rule, lv.severity, c.week_day(w), text, ev, lv)]


def _volume_intensity(c: _Ctx) -> list[Flag]:
    """Both measures are compared with the week before, or, when that was a lighter week,
    with the usual weeks before it (as the weekly ramp is), so a return to normal after a
    recovery week does not count as a rise."""
    rule, out = c.rules.flags.volume_and_intensity, []
    by_monday = {w.monday: w for w in c.h.weeks}
    cover = rule.min_intensity_coverage.value
    usual_n = c.rules.flags.no_lighter_week.baseline_weeks.value
    for w in c.weeks:
        p = by_monday.get(w.monday - timedelta(days=7))
        dv, base = w.ramp, w.ramp_base_m
        if p is None or dv is None or base is None or base < rule.min_base_m.value:
            continue
        if w.intensity is None or w.intensity_coverage < cover:
            continue
        back = range(2, 2 + usual_n) if p.lighter else range(1, 2)
        ref = [r for k in back if (r := by_monday.get(w.monday - timedelta(days=7 * k)))]
        vals = [r.intensity for r in ref if r.intensity and r.intensity_coverage >= cover]
        if not vals or len(vals) < len(ref):
            continue
        di = w.intensity / (sum(vals) / len(vals)) - 1
        if dv < rule.distance_increase.value or di < rule.intensity_increase.value:
            continue
        than = "your usual weeks before the lighter one" if p.lighter else "the week before"
        text = (
            f"In {c.week(w)} you ran {_pct(dv)} further ({c.d(w.run_distance_m)} vs "
            f"{c.d(base)}) and harder (load per minute up {_pct(di)}) than {than}."
        )
        ev = (
            Evidence("distance increase", dv, "fraction", w.monday),
            Evidence("intensity increase (load per minute)", di, "fraction", w.monday),
        )
        out.append(_flag("volume_and_intensity", rule, rule.severity, c.week_day(w), text, ev))
    return out


def _lighter(c: _Ctx) -> list[Flag]:
    rule = c.rules.flags.no_lighter_week
    full = [w for w in c.h.weeks if w.complete]
    if not full or full[-1].weeks_since_lighter is None:
        return []
    n = full[-1].weeks_since_lighter
    lv = rule.level(n)
    if lv is None:
        return []
    last = next((w for w in reversed(full) if w.lighter or w.run_distance_m == 0), None)
    if last is None:
        since = f"there has been none since your records begin ({c.week(full[0])})."
    elif last.run_distance_m == 0:
        off = "did not run" if last.runs == 0 else "recorded no running distance"
        since = f"before them you {off} in {c.week(last)}, a break rather than a lighter week."
        last = None
    else:
        since = f"the last was {c.week(last)} ({c.d(last.run_distance_m)})."
    had = "had run" if c.past else "have run"
    upto = f" up to {c.day(full[-1].sunday)}" if c.past else ""
    text = (
        f"You {had} {n} weeks in a row{upto} without a lighter week (one with some running, "
        f"at least {_pct(rule.drop.value)} less than the usual of the "
        f"{rule.baseline_weeks.value} weeks before it); {since}"
    )
    ev = [Evidence("weeks without a lighter week", n, "weeks", full[-1].monday)]
    if last:
        ev.append(Evidence("last lighter week distance", last.run_distance_m, "m", last.monday))
    return [_flag("no_lighter_week", rule, lv.severity, full[-1].sunday, text, ev, lv)]


def _shoes(c: _Ctx) -> list[Flag]:
    rule, out = c.rules.flags.shoe_distance, []
    active = c.h.today - timedelta(days=rule.active_within_days.value - 1)
    lo, hi = rule.levels[0].value, rule.levels[-1].value
    lo_txt, hi_txt = distance(lo, c.units, 0), distance(hi, c.units, 0)
    for s in c.h.shoes:
        lv = rule.level(s.distance_m)
        if lv is None or s.last_day < active:
            continue
        guide = f"at {lo_txt}" if lo == hi else f"between {lo_txt} and {hi_txt}"
        have = "had" if c.past else "have"
        text = (
            f'Your shoes "{s.gear}" {have} {c.d(s.distance_m)} of running on them (last run '
            f"{c.day(s.last_day)}); running shoes are commonly replaced {guide}."
        )
        ev = (Evidence("shoe distance", s.distance_m, "m", s.last_day),)
        out.append(_flag("shoe_distance", rule, lv.severity, c.h.today, text, ev, lv))
    return out


def _cadence(c: _Ctx) -> list[Flag]:
    rule, h = c.rules.flags.cadence_drop, c.h
    recent_from = h.today - timedelta(days=rule.recent_days.value - 1)
    base_from = recent_from - timedelta(days=rule.baseline_days.value)
    # [cadence × minutes, minutes, runs] for the recent window and the baseline before it
    acc = np.zeros((2, 3))
    for s in h.sessions:
        cad = s.activity.avg_cadence_spm
        if s.activity.is_run and cad is not None and s.minutes > 0 and s.day >= base_from:
            acc[int(s.day >= recent_from)] += (cad * s.minutes, s.minutes, 1)
    (b_sum, b_min, b_n), (r_sum, r_min, r_n) = acc.tolist()
    if r_n < rule.min_recent_runs.value or b_n < rule.min_baseline_runs.value:
        return []
    recent, base = r_sum / r_min, b_sum / b_min
    drop = 1.0 - recent / base
    lv = rule.level(drop)
    if lv is None:
        return []
    text = (
        f"Your running cadence over {c.last(_span(rule.recent_days.value))} averaged "
        f"{recent:.0f} steps/min, {_pct(drop)} below the {_span(rule.baseline_days.value)} "
        f"before ({base:.0f} steps/min)."
    )
    ev = (
        Evidence("recent cadence", recent, "spm", recent_from),
        Evidence("usual cadence", base, "spm", base_from),
        Evidence("drop", drop, "fraction"),
    )
    return [_flag("cadence_drop", rule, lv.severity, h.today, text, ev, lv)]


def _breaks(c: _Ctx) -> list[Flag]:
    """A return after a long break, said in plain words: why no ratio or spike is shown
    for the first weeks back, and what the comparisons are now measured against."""
    rule, out = c.rules.flags.running_break, []
    lr = c.rules.load
    for b in c.h.breaks:
        if b.back < c.since:
            continue
        weeks = b.days // 7
        gap = f"{weeks} weeks" if weeks >= 2 else f"{b.days} days"
        text = (
            f"You had not run for {gap} before your run on {c.day(b.back)} (the one before was "
            f"on {c.day(b.last_run)}). After a break that long, fitness built before it has "
            "faded, so your running is compared with what you have done since you came back: "
            f"the acute:chronic ratio waits for {_span(lr.acwr_min_history_days.value)} of "
            "history after the return and the longest-run comparison for "
            f"{_span(c.rules.flags.single_run_spike.min_history_days.value)}. Build back "
            "gradually."
        )
        ev = (
            Evidence("days without running", b.days, "days", b.last_run),
            Evidence("first run back", float(c.h.longest_run_m[c.h.index(b.back)]), "m", b.back),
        )
        out.append(_flag("running_break", rule, rule.severity, b.back, text, ev))
    return out


_CHECKS: tuple[Callable[[_Ctx], list[Flag]], ...] = (
    _ramps, _spikes, _acwr, _monotony, _volume_intensity, _lighter,
    _shoes, _cadence, _breaks,
)  # fmt: skip


def evaluate_history(
    h: LoadHistory, rules: TrainingRules, *, units: Units = "km", now: date | None = None
) -> list[Flag]:
    """Flags over the lookback window ending ``h.today``, newest and most severe first.
    ``now`` is the runner's today (default ``h.today``): when the history ends before it,
    the flags name the day they refer to instead of speaking of "today"."""
    ctx = _Ctx(h, rules, units, now or h.today)
    flags = [f for check in _CHECKS for f in check(ctx)]
    return sorted(flags, key=lambda f: (f.day, SEVERITY_RANK[f.severity]), reverse=True)


def evaluate(
    activities: Sequence[Activity],
    today: date | None,
    rules: TrainingRules,
    *,
    units: Units = "km",
    hr_max: float | None = None,
    hr_rest: float | None = None,
    sex: Sex = "unknown",
) -> list[Flag]:
    """Compute the load history as of ``today`` (default: latest activity) and flag it."""
    if not activities:
        return []
    h = compute_load(activities, rules, today=today, hr_max=hr_max, hr_rest=hr_rest, sex=sex)
    return evaluate_history(h, rules, units=units)


def contributing_factors(
    flags: Sequence[Flag],
    today: date,
    rules: TrainingRules,
    *,
    min_severity: Severity = "warn",
) -> list[ContributingFactor]:
    """The short list of training facts for the assessment: flags of the last weeks
    (``reporting.factor_window_days``) at or above ``min_severity``, one per flag kind
    (its most severe, then most recent), best evidence first, at most ``max_factors``."""
    since = today - timedelta(days=rules.reporting.factor_window_days.value - 1)
    best: dict[str, Flag] = {}
    for f in flags:
        if not since <= f.day <= today or SEVERITY_RANK[f.severity] < SEVERITY_RANK[min_severity]:
            continue
        cur = best.get(f.id)
        if cur is None or (SEVERITY_RANK[f.severity], f.day) > (
            SEVERITY_RANK[cur.severity],
            cur.day,
        ):
            best[f.id] = f
    ranked = sorted(
        best.values(),
        key=lambda f: (SEVERITY_RANK[f.severity], STRENGTH_RANK[f.strength], f.day),
        reverse=True,
    )
    return [
        ContributingFactor(
            f.id, f.factor, f.title, f.text, f.severity, f.strength, f.source, f.caveat, f.day
        )
        for f in ranked[: rules.reporting.max_factors.value]
    ]
