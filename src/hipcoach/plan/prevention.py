"""Prevention: a weekly running plan towards a goal, plus shoe and form advice.

Why the plan is built this way: the load caps are heuristics with mixed evidence (the 10%
rule did not prevent injuries in a trial [R46]; spikes in weekly distance and single runs
much longer than usual went with more injuries in cohorts [R47][R48][R49]), so the plan
keeps every one of them at once rather than trading them off:

* weekly distance rises by at most the cap (10%; 5% in the week after a lighter week,
  whose comparison is the usual weeks before it, as in the training-load flags) [FA]. With
  time to spare, build weeks use the gentlest rise in the 5–10% range that still gets
  there, so the peak comes near race day instead of months before it;
* a week changes volume *or* intensity, never both; intensity is added only once the goal's
  volume and long run are reached [FA];
* a lighter week at least every ``lighter_every_weeks`` weeks [FA];
* no run more than 10% longer than the longest run of the previous four weeks [R49]
  (race day is the one exception, marked as such);
* two strength sessions, one cross-training day and a rest day every week; a warm-up and
  cool-down on every run [FA][R56].

The plan is greedy and deterministic, so the number of weeks a goal needs is simply the
first week the same simulation reaches the goal's peak volume and long run; a goal that
needs more weeks than given is refused with that number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np

from hipcoach.errors import InputError, shorten
from hipcoach.plan.library import Exercise, Library
from hipcoach.plan.progression import dose
from hipcoach.plan.rules import Advice, GoalRow, RehabRules
from hipcoach.plan.safety import UNRESTRICTED, SafetyPolicy
from hipcoach.plan.schedule import DayKind, PlannedDay, SessionItem
from hipcoach.training.load import LoadHistory
from hipcoach.units import Units, distance

WeekChange = Literal["volume", "intensity", "lighter", "hold"]
"""What changed from the last normal week: distance, intensity, a lighter week, or nothing."""

EPS = 1e-6
UNDER = 0.999
"""The single-run cap is kept strictly: the load flags fire when a run *reaches* +10%, so a
plan run of exactly +10% would be flagged; the cap is taken a hair (0.1%) below."""


RACE_DISTANCES_M = {"5k": 5000.0, "10k": 10000.0, "half": 21097.5, "marathon": 42195.0}


def parse_goal(text: str) -> float:
    """'half', 'marathon', '10k', or a distance like '15km' / '10mi' → metres."""
    from hipcoach.units import METRES_PER_MILE

    key = text.strip().lower()
    if key in RACE_DISTANCES_M:
        return RACE_DISTANCES_M[key]
    for suffix, factor in (("km", 1000.0), ("mi", METRES_PER_MILE), ("k", 1000.0)):
        if key.endswith(suffix):
            try:
                return float(key.removesuffix(suffix)) * factor
            except ValueError:
                break
    raise InputError(
        f"goal {shorten(text)} is not a race distance; use 5k, 10k, half, marathon, "
        "or e.g. 15km / 10mi"
    )


class GoalUnreachable(InputError):
    """The goal cannot be reached safely in the weeks given; ``weeks_needed`` says how many
    it would take at the caps (None: more than the longest plan we compute)."""

    def __init__(self, reason: str, weeks_needed: int | None) -> None:
        super().__init__(reason)
        self.weeks_needed = weeks_needed


@dataclass(frozen=True)
class Baseline:
    """Where the runner starts: usual weekly distance, longest recent run (0 = unknown) and
    consecutive weeks without a lighter week."""

    weekly_m: float
    long_run_m: float
    since_lighter: int


@dataclass(frozen=True)
class PlanWeek:
    number: int
    start: date
    change: WeekChange
    volume_m: float
    runs_m: tuple[float, ...]
    """Every run of the week; the long run (or the race) last."""
    quality: int
    """How many intensity steps are in the week (strides, tempo...)."""
    race: bool = False

    @property
    def long_run_m(self) -> float:
        return self.runs_m[-1] if self.runs_m else 0.0


@dataclass(frozen=True)
class RunningPlan:
    goal_distance_m: float
    baseline: Baseline
    weeks: tuple[PlanWeek, ...]
    days: tuple[PlannedDay, ...]
    notes: tuple[Advice, ...]


def baseline(
    history: LoadHistory | None, current_weekly_m: float | None, rules: RehabRules
) -> Baseline:
    """The runner's recent volume: a stated weekly distance wins; otherwise the mean of the
    last complete weeks of the history. The longest run and the lighter-week count come
    from the history when there is one."""
    p = rules.prevention
    if history is None and current_weekly_m is None:
        raise InputError("give a training history or your current weekly distance")
    if current_weekly_m is not None and not 0 <= current_weekly_m < 1e6:
        raise InputError(
            f"current weekly distance must be 0–1000 km, not {distance(current_weekly_m, 'km', 0)}"
        )
    weekly, long_run, since = current_weekly_m or 0.0, 0.0, 0
    if history is not None:
        full = [w for w in history.weeks if w.complete]
        recent = full[-p.baseline_weeks.value :]
        if current_weekly_m is None and recent:
            weekly = float(np.mean([w.run_distance_m for w in recent]))
        window = history.longest_run_m[-7 * p.single_run_window_weeks.value :]
        long_run = float(window.max()) if window.size else 0.0
        since = (full[-1].weeks_since_lighter or 0) if full else 0
    return Baseline(weekly, long_run, since)


def _split(volume: float, r: int, share: float, cap: float, peak_long: float) -> tuple[float, ...]:
    """``r`` runs for ``volume``: a long run of ``share`` of it (within the caps) and equal
    easy runs; when the easy runs would break the single-run cap, the week is shortened."""
    long = min(volume * share, cap, peak_long)
    easy = min((volume - long) / (r - 1), cap)
    return (*([easy] * (r - 1)), long)


def _race_week(
    usual: float, goal_m: float, r: int, rules: RehabRules
) -> tuple[float, tuple[float, ...]]:
    p = rules.prevention
    rest = usual * (1 - p.lighter_drop.value) - goal_m
    n = min(r - 1, int(rest // p.min_run_m.value)) if rest > 0 else 0
    runs = (*([rest / n] * n), goal_m) if n else (goal_m,)
    return sum(runs), runs


def _simulate(
    base: Baseline,
    row: GoalRow,
    rules: RehabRules,
    n: int,
    start: date,
    race_m: float | None,
    rate: float,
) -> list[PlanWeek]:
    """The first ``n`` weeks of the plan (the last one the race week if ``race_m``), with
    build weeks rising by ``rate``."""
    p = rules.prevention
    share = row.peak_long_run_m / row.peak_weekly_m
    steps = len(p.intensity_steps)
    window = p.single_run_window_weeks.value
    usual = base.weekly_m
    # Without a known longest run, assume the plan's own shape at the stated volume.
    maxima = [base.long_run_m or usual * share]
    since, quality, after_lighter = base.since_lighter, 0, False
    prev_long = maxima[0]
    out: list[PlanWeek] = []
    for i in range(n):
        day = start + timedelta(days=7 * i)
        prev_max = max(maxima[-window:])
        cap = prev_max * (1 + p.single_run_increase_max.value) * UNDER if prev_max > 0 else math.inf
        if race_m is not None and i == n - 1:
            vol, runs = _race_week(usual, race_m, p.runs_for(usual), rules)
            out.append(PlanWeek(i + 1, day, "lighter", vol, runs, quality, race=True))
            break
        if since >= p.lighter_every_weeks.value - 1:
            vol = usual * (1 - p.lighter_drop.value)
            runs = _split(vol, p.runs_for(vol), share, cap, row.peak_long_run_m)
            week = PlanWeek(i + 1, day, "lighter", sum(runs), runs, quality)
            since, after_lighter = 0, True
        else:
            if usual < p.start_floor_weekly_m.value - EPS:
                target = p.start_floor_weekly_m.value
            else:
                step = p.weekly_increase.min if after_lighter else rate
                target = max(usual, min(usual * (1 + step), row.peak_weekly_m))
            runs = _split(target, p.runs_for(target), share, cap, row.peak_long_run_m)
            vol = sum(runs)
            grew = vol > usual + EPS or runs[-1] > prev_long + EPS
            change: WeekChange = "volume" if grew else "hold"
            # Intensity only in a week that adds no distance, and not straight after a
            # lighter week (whose own volume it would rise from).
            if not grew and not after_lighter and quality < steps:
                quality, change = quality + 1, "intensity"
            week = PlanWeek(i + 1, day, change, vol, runs, quality)
            usual, prev_long = vol, runs[-1]
            since, after_lighter = since + 1, False
        out.append(week)
        maxima.append(max(week.runs_m))
    return out


def weeks_needed(
    goal_m: float, base: Baseline, rules: RehabRules, rate: float | None = None
) -> int | None:
    """Weeks (race week included) to reach the goal's peak volume and long run with build
    weeks rising by ``rate`` (default: the cap); None if beyond ``max_plan_weeks``."""
    p = rules.prevention
    row = p.goal_row(goal_m)
    if row is None:
        return None
    r = p.weekly_increase.max if rate is None else rate
    sim = _simulate(base, row, rules, p.max_plan_weeks.value, date.min, None, r)
    for w in sim:
        if w.volume_m >= row.peak_weekly_m - EPS and w.long_run_m >= row.peak_long_run_m - EPS:
            return w.number + 1
    return None


def gentlest_rate(goal_m: float, weeks: int, base: Baseline, rules: RehabRules) -> float:
    """The smallest weekly rise in the allowed range (5–10%, in half-percent steps) that
    still reaches the goal in ``weeks``: with time to spare, the build is gentler and peaks
    nearer race day instead of holding a high volume for months."""
    lo, hi = rules.prevention.weekly_increase.min, rules.prevention.weekly_increase.max
    steps = max(1, round((hi - lo) / 0.005))
    for k in range(steps + 1):
        rate = lo + (hi - lo) * k / steps
        need = weeks_needed(goal_m, base, rules, rate)
        if need is not None and need <= weeks:
            return rate
    return hi


def _sessions(
    library: Library | None, policy: SafetyPolicy
) -> tuple[list[Exercise], list[Exercise]]:
    """Strength exercises for prevention (the founding article's first) and cross-training,
    leaving out every exercise the safety policy forbids (e.g. clamshells when gluteal
    tendinopathy is possible)."""
    if library is None:
        return [], []
    prevent = [e for e in library.exercises if "prevent" in e.phases and e.id not in policy.blocked]
    strength = sorted(
        (e for e in prevent if e.kind == "strength"), key=lambda e: "FA" not in e.source
    )
    return strength, [e for e in prevent if e.kind == "cross_training"]


def _days(
    weeks: Sequence[PlanWeek], rules: RehabRules, library: Library | None, policy: SafetyPolicy
) -> tuple[PlannedDay, ...]:
    """Lay each week out on its template: runs (long run last, quality on the first easy
    runs), strength, cross-training and rest. Strength sessions rotate through the pool."""
    p = rules.prevention
    per = rules.treatment.max_exercises_per_session.value
    pool, cross = _sessions(library, policy)
    warm_cool = (
        SessionItem(
            "warm_up", "Warm-up: walking, dynamic stretches", minutes=p.warm_up_minutes.value
        ),
        SessionItem("cool_down", "Cool-down: slow walk", minutes=p.cool_down_minutes.value),
    )
    warm = tuple(i for i in warm_cool if i.exercise_id not in policy.blocked)
    out: list[PlannedDay] = []
    n_strength = 0
    for w in weeks:
        fits = [n for n in sorted(p.week_layouts) if n >= len(w.runs_m)]
        layout = p.week_layouts[fits[0] if fits else max(p.week_layouts)]
        easy, q = list(w.runs_m[:-1]), 0
        for offset, slots in enumerate(layout):
            d = w.start + timedelta(days=offset)
            for slot in slots.split("+"):
                kind: DayKind = "rest"
                title, desc, dist = "Rest day", "", None
                items: tuple[SessionItem, ...] = ()
                if slot == "L":
                    kind, dist, items = "run", w.long_run_m, warm
                    title = "Race day" if w.race else "Long run (easy pace)"
                elif slot == "R" and easy:
                    kind, dist, items, title = "run", easy.pop(0), warm, "Easy run"
                    if q < w.quality:
                        title, desc, q = "Easy run with quality", p.intensity_steps[q], q + 1
                elif slot == "S":
                    kind, title = "strength", "Strength: glutes, quads and hamstrings"
                    picks = [pool[(n_strength * per + k) % len(pool)] for k in range(per) if pool]
                    unique = {e.id: e for e in picks}.values()
                    items = tuple(dose(e, "base", rules) for e in unique)
                    n_strength += 1
                elif slot == "X":
                    kind, title = "cross_training", "Cross-training (low impact)"
                    desc = "Cycling, swimming or rowing at an easy effort."
                    if cross:
                        ex = cross[w.number % len(cross)]
                        title = f"Cross-training: {ex.name}"
                        items = (
                            SessionItem(ex.id, ex.name, minutes=p.cross_training_minutes.value),
                        )
                uid, note = f"run:{d.isoformat()}:{slot}", f"week {w.number}: {w.change}"
                out.append(
                    PlannedDay(
                        d, kind, title, desc, items, run_distance_m=dist, uid_key=uid,
                        notes=(note,),
                    )
                )  # fmt: skip
    return tuple(out)


def build_running_plan(
    goal_distance_m: float,
    weeks: int,
    *,
    history: LoadHistory | None,
    current_weekly_m: float | None,
    rules: RehabRules,
    start: date,
    library: Library | None = None,
    policy: SafetyPolicy = UNRESTRICTED,
    units: Units = "km",
) -> RunningPlan:
    """A ``weeks``-week plan ending with the race, from the runner's current volume.

    Raises :class:`GoalUnreachable` (with the weeks it would take) when the caps cannot get
    there in time, and :class:`InputError` for a goal or length we do not plan.
    ``library`` (optional) fills the strength and cross-training days with exercises.
    ``policy`` is the latest assessment's safety policy: a plan it refuses raises
    :class:`PolicyRefusal`, and no day holds an exercise it forbids.
    """
    policy.require(policy.build_up)
    p = rules.prevention
    if not goal_distance_m > 0:
        raise InputError("the goal distance must be more than 0")
    if not 1 <= weeks <= p.max_plan_weeks.value:
        raise InputError(f"a plan is 1 to {p.max_plan_weeks.value} weeks long, not {weeks}")
    row = p.goal_row(goal_distance_m)
    if row is None:
        longest = distance(p.goals[-1].up_to_m, units)
        raise GoalUnreachable(
            f"goals beyond {longest} are not planned here; ultra distances need a coach",
            None,
        )
    base = baseline(history, current_weekly_m, rules)
    need = weeks_needed(goal_distance_m, base, rules)
    if need is None or need > weeks:
        goal = distance(goal_distance_m, units)
        if current_weekly_m is None and history is not None:
            if base.weekly_m == 0:
                why = _no_recent_running(goal, history, p.baseline_weeks.value)
                raise GoalUnreachable(why, None)
            where = f"the mean of your last {p.baseline_weeks.value} complete weeks of running"
        else:
            where = "as you gave it"
        have = f"from {distance(base.weekly_m, units)} a week ({where})"
        caps = (
            f"at most {p.weekly_increase.max:.0%} more a week, a lighter week every "
            f"{p.lighter_every_weeks.value} weeks"
        )
        if need is None:
            why = f"{goal} {have} would take more than {p.max_plan_weeks.value} weeks"
        else:
            why = f"{goal} in {weeks} weeks {have} is too fast: it would take {need} weeks"
        why += f" ({caps})"
        raise GoalUnreachable(why, need)
    rate = gentlest_rate(goal_distance_m, weeks, base, rules)
    plan_weeks = _simulate(base, row, rules, weeks, start, goal_distance_m, rate)
    race = _race_day_note(plan_weeks, rules, units)
    return RunningPlan(
        goal_distance_m, base, tuple(plan_weeks), _days(plan_weeks, rules, library, policy),
        (*(() if race is None else (race,)), *(n.advice() for n in p.notes)),
    )  # fmt: skip


def _race_day_note(weeks: Sequence[PlanWeek], rules: RehabRules, units: Units) -> Advice | None:
    """Plain words when the race is longer than the single-run rule allows after the
    build-up's longest run: race day is the one run exempt from the rule, and the runner
    should know it rather than find a +30 % long run in the last week."""
    rule = rules.prevention.single_run_increase_max
    race = next((w for w in weeks if w.race), None)
    before = [w.long_run_m for w in weeks if not w.race]
    if race is None or not before:
        return None
    longest = max(before)
    if race.long_run_m <= longest * (1 + rule.value):
        return None
    rise = race.long_run_m / longest - 1
    return Advice(
        f"Race day is the one run allowed beyond the {rule.value:.0%} rule: your longest run "
        f"before it is {distance(longest, units)}, the race {distance(race.long_run_m, units)} "
        f"(+{rise:.0%}). The build-up does not reach the race distance, so you arrive "
        "rested; if you want every run within the rule, run the race at an easy pace "
        "or choose a shorter goal.",
        tuple(rule.source),
    )


def _no_recent_running(goal: str, history: LoadHistory, weeks: int) -> str:
    """Why there is no build-up, in words: a history that ended months ago is not a runner
    at 0 km a week but one who has stopped running (or recording)."""
    ran = np.flatnonzero(history.run_distance_m > 0)
    last = (
        f" (your last recorded run was on {history.day(int(ran[-1])).strftime('%d %b %Y')})"
        if ran.size
        else ""
    )
    return (
        f"a build-up to {goal} starts from the running you do now, and there is none recorded "
        f"in your last {weeks} complete weeks{last}: if you do run, give your current weekly "
        "distance; otherwise start with the walk–run return to running"
    )


# --- shoes and form ------------------------------------------------------------------------------

ShoeState = Literal["replace_now", "replace_soon", "ok"]


@dataclass(frozen=True)
class ShoeStatus:
    gear: str
    distance_m: float
    state: ShoeState
    advice: Advice


def shoe_advice(
    history: LoadHistory | None, rules: RehabRules, *, overpronates: bool | None = None
) -> tuple[tuple[Advice, ...], tuple[ShoeStatus, ...]]:
    """General shoe advice, and for each shoe run in recently, whether to replace it.

    Stability shoes are suggested unless the runner says they do not over-pronate, always
    with the strength of that evidence (one trial) [R59][R60][R61].
    """
    s = rules.shoes
    general = [s.cushioning.advice(), s.heel_counter.advice()]
    if overpronates is not False:
        general.insert(1, s.stability.advice())
    shoes: list[ShoeStatus] = []
    if history is not None:
        since = history.today - timedelta(days=s.active_within_days.value)
        for shoe in history.shoes:
            if shoe.last_day < since:
                continue
            km = f"{shoe.gear}: {shoe.distance_m / 1000:.0f} km. "
            state: ShoeState
            if shoe.distance_m >= s.replace_m.max:
                state, text = "replace_now", s.replace_now
            elif shoe.distance_m >= s.replace_m.min:
                state, text = "replace_soon", s.replace_soon
            else:
                state, text = "ok", s.still_good
            adv = Advice(km + text.render(), tuple(text.source))
            shoes.append(ShoeStatus(shoe.gear, shoe.distance_m, state, adv))
    return tuple(general), tuple(shoes)


@dataclass(frozen=True)
class FormAdvice:
    cues: tuple[Advice, ...]
    cadence: Advice
    cadence_spm: float | None
    target_spm: tuple[float, float] | None
    """The runner's own cadence raised by the lower and upper increase (+5%, +10%) [R62]."""


def recent_cadence(history: LoadHistory, rules: RehabRules) -> float | None:
    """Mean cadence of the last complete weeks that have one."""
    weeks = [w.cadence_spm for w in history.weeks if w.complete and w.cadence_spm]
    recent = weeks[-rules.form.recent_weeks.value :]
    return float(np.mean(recent)) if recent else None


def form_advice(cadence_spm: float | None, rules: RehabRules) -> FormAdvice:
    """Form cues and a cadence target computed from the runner's own step rate."""
    f = rules.form
    cues = tuple(c.advice() for c in f.cues)
    if cadence_spm is None or not cadence_spm > 0:
        return FormAdvice(cues, f.cadence_unknown.advice(), None, None)
    lo, hi = f.cadence_increase.min, f.cadence_increase.max
    target = (round(cadence_spm * (1 + lo)), round(cadence_spm * (1 + hi)))
    text = (
        f"Your cadence is about {cadence_spm:.0f} steps a minute; aim for {target[0]}–"
        f"{target[1]}. " + f.cadence_known.render()
    )
    return FormAdvice(cues, Advice(text, tuple(f.cadence_known.source)), cadence_spm, target)
