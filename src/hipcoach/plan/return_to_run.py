"""Return to running: readiness gates, a walk–run progression, then capped mileage growth.

Why it is built this way:

* **Gates before running.** Clinicians check pain-free walking, single-leg stance and
  loading tests before a runner runs again [R43][R44b]. The gates are ordered and each
  names the gates it needs, so a hop test is only offered once walking and stance are
  pain-free — and, with a suspected stress fracture, never before a clinician has cleared
  the runner, because hopping can complete a femoral neck fracture [R2].
* **Two tissues, two standards.** Tendon and muscle follow the pain-monitoring model
  (some pain allowed) [R41]; bone stress injuries allow none, take longer steps and need a
  doctor's clearance [R44b][R43]. Which applies follows from the likely causes.
* **One protocol, in data.** The walk–run days are a clinic protocol [R44] in
  ``rehab_rules.yaml``; on significant pain the runner stops, rests a day and repeats the
  previous step. After it, weekly distance grows by at most 10% [R2].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from hipcoach.plan.progression import PainReport
from hipcoach.plan.rules import Advice, RehabRules, TissueRules, WalkRunStep
from hipcoach.plan.safety import UNRESTRICTED, SafetyPolicy
from hipcoach.plan.schedule import DayKind, PlannedDay

Tissue = Literal["tendon", "bone"]
GateState = Literal["passed", "failed", "not_done", "locked"]
RunAction = Literal["next", "repeat", "rest_then_previous"]


def tissue_for(conditions: Iterable[str], rules: RehabRules) -> Tissue:
    """Bone rules as soon as any bone-stress condition is among ``conditions``."""
    bone = set(rules.treatment.bone_stress.conditions)
    return "bone" if bone & set(conditions) else "tendon"


def _tissue(tissue: Tissue, rules: RehabRules) -> TissueRules:
    return rules.return_to_run.bone if tissue == "bone" else rules.return_to_run.tendon


# --- readiness gates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GateStatus:
    id: str
    text: str
    state: GateState
    reason: str
    source: tuple[str, ...]


@dataclass(frozen=True)
class Readiness:
    """Whether the runner may start the walk–run programme, gate by gate."""

    ready: bool
    gates: tuple[GateStatus, ...]
    next_gate: str | None
    reason: str


def check_gates(
    results: Mapping[str, float],
    tissue: Tissue,
    rules: RehabRules,
    *,
    cleared_by_clinician: bool = False,
) -> Readiness:
    """Judge the gates from ``results`` (gate id → worst pain during that test, 0–10).

    A gate passes at or below the tissue's pain limit. A gate whose prerequisites have not
    passed is locked; so is a bone-clearance gate (the hop) without a clinician's clearance.
    """
    rtr = rules.return_to_run
    limit = _tissue(tissue, rules).max_pain.value
    passed: set[str] = set()
    out: list[GateStatus] = []
    for g in rtr.gates:
        src = tuple(g.source)
        missing = [n for n in g.needs if n not in passed]
        if tissue == "bone" and g.bone_needs_clearance and not cleared_by_clinician:
            why = "Not with a possible stress fracture until a doctor has cleared you."
            both = tuple(dict.fromkeys((*src, *rtr.clearance.source)))
            out.append(GateStatus(g.id, g.render(), "locked", why, both))
        elif missing:
            why = "First pass without pain: " + ", ".join(m.replace("_", " ") for m in missing)
            out.append(GateStatus(g.id, g.render(), "locked", why, src))
        elif g.id not in results:
            out.append(GateStatus(g.id, g.render(), "not_done", "Not tried yet.", src))
        elif results[g.id] <= limit:
            passed.add(g.id)
            out.append(GateStatus(g.id, g.render(), "passed", f"{results[g.id]:g}/10", src))
        else:
            why = f"{results[g.id]:g}/10 is above the {limit:g}/10 allowed for this injury."
            out.append(GateStatus(g.id, g.render(), "failed", why, src))
    clearance_ok = tissue == "tendon" or cleared_by_clinician
    ready = clearance_ok and len(passed) == len(rtr.gates)
    nxt = next((s.id for s in out if s.state in ("not_done", "failed")), None)
    if ready:
        reason = "All checks passed: you can start the walk–run programme."
    elif not clearance_ok:
        reason = rtr.clearance.render()
    else:
        reason = "Not yet: pass every check without pain first."
    return Readiness(ready, tuple(out), nxt, reason)


# --- walk–run protocol -------------------------------------------------------------------------


@dataclass(frozen=True)
class RunStep:
    """One day of the walk–run programme (``day`` counts from 1)."""

    day: int
    step: WalkRunStep
    kind: DayKind
    title: str


def _title(s: WalkRunStep) -> tuple[DayKind, str]:
    if s.recovery:
        return "rest", "Recovery day"
    parts = [
        f"{what} {m:g} min"
        for what, m in (("walk", s.walk_min), ("jog", s.jog_min), ("run", s.run_min))
        if m
    ]
    if len(parts) == 1 and s.repeats == 1:
        if s.walk_min:
            return "walk_run", f"Brisk {parts[0]}"
        return "run", parts[0].capitalize() + " continuously"
    return "walk_run", f"{s.repeats} × ({', '.join(parts)})"


def protocol(tissue: Tissue, rules: RehabRules) -> tuple[RunStep, ...]:
    """The walk–run days for this tissue: for bone every running step is repeated
    ``step_repeat`` times (longer steps), recovery days kept where the protocol has them."""
    repeat = _tissue(tissue, rules).step_repeat.value
    out: list[RunStep] = []
    for s in rules.return_to_run.walk_run.steps:
        kind, title = _title(s)
        for _ in range(max(1, repeat) if s.running else 1):
            out.append(RunStep(len(out) + 1, s, kind, title))
    return tuple(out)


@dataclass(frozen=True)
class RunDecision:
    action: RunAction
    reason: str
    rest_days: int
    next_index: int
    """Index into the protocol of the step to do next (after any rest day)."""
    source: tuple[str, ...]


def after_step(
    report: PainReport,
    index: int,
    steps: Sequence[RunStep],
    tissue: Tissue,
    rules: RehabRules,
) -> RunDecision:
    """What follows step ``index`` given its pain [R44][R41][R44b].

    Above the step-back limit, or worse the next morning: stop, rest a day and repeat the
    previous step. Above the tissue's limit: repeat this step. Otherwise go on.
    """
    t = _tissue(tissue, rules)
    wr = rules.return_to_run.walk_run
    src = (*wr.source, *t.text.source)
    if report.during > t.step_back_over.value or not report.settled:
        prev = next((i for i in range(index - 1, -1, -1) if not steps[i].step.recovery), 0)
        return RunDecision("rest_then_previous", wr.on_pain.render(), wr.rest_days, prev, src)
    if report.during > t.max_pain.value:
        why = f"{report.during:g}/10 is above {t.max_pain.value:g}/10: repeat this step."
        return RunDecision("repeat", why, 0, index, src)
    nxt = min(index + 1, len(steps) - 1)
    return RunDecision("next", "No more pain than allowed: on to the next step.", 0, nxt, src)


# --- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnToRunPlan:
    tissue: Tissue
    max_pain: float
    before_you_start: tuple[Advice, ...]
    gates: tuple[Advice, ...]
    on_pain: Advice
    steps: tuple[RunStep, ...]
    continuous_run_m: float | None
    """Bone stress of the femoral neck: this far continuously and pain-free before adding any
    distance [R2]."""
    weekly_m: tuple[float, ...]
    """Weekly distance after the protocol, each at most 10% above the one before."""
    days: tuple[PlannedDay, ...]
    """The dated days to follow — empty while the safety policy allows no running yet."""
    not_yet: Advice | None = None
    """Why the days cannot be followed yet (the checks not passed); ``steps`` still show
    the programme."""


def growth(start_m: float, target_m: float | None, rules: RehabRules) -> tuple[float, ...]:
    """Weekly distances from ``start_m`` up to ``target_m``, rising by at most the cap."""
    after = rules.return_to_run.after
    if target_m is None or target_m <= start_m:
        return ()
    cap = 1 + after.weekly_increase_max.value
    out: list[float] = []
    w = start_m
    while w < target_m and len(out) < after.max_growth_weeks.value:
        w = min(w * cap, target_m)
        out.append(w)
    return tuple(out)


def build_return_to_run(
    conditions: Sequence[str],
    rules: RehabRules,
    *,
    start: date,
    usual_weekly_m: float | None = None,
    pace_s_per_km: float | None = None,
    policy: SafetyPolicy = UNRESTRICTED,
) -> ReturnToRunPlan:
    """The return-to-run plan for ``conditions`` (the likely causes), from ``start``.

    ``usual_weekly_m`` (the pre-injury weekly distance) sets where mileage growth ends;
    ``pace_s_per_km`` turns the protocol's final minutes into a starting distance.
    ``policy`` (the latest assessment's) may refuse the plan outright
    (:class:`PolicyRefusal`), or allow it to be shown but not yet followed: then it has
    no dated days and says why in ``not_yet``.
    """
    policy.require(policy.return_to_run)
    rtr = rules.return_to_run
    tissue = tissue_for(conditions, rules)
    t = _tissue(tissue, rules)
    before: list[Advice] = []
    if tissue == "bone":
        before.append(rtr.clearance.advice())
    if set(conditions) & set(rtr.before_running.conditions):
        before.append(rtr.before_running.text.advice())
    before.append(t.text.advice())
    steps = protocol(tissue, rules)
    days: list[PlannedDay] = []
    for s in steps:
        d = start + timedelta(days=s.day - 1)
        run_min = s.step.minutes if s.kind == "run" else None
        days.append(
            PlannedDay(
                d, s.kind, s.title, rtr.walk_run.on_pain.render(), run_minutes=run_min,
                uid_key=f"rtr:{d.isoformat()}", notes=(f"walk–run day {s.day}",),
            )
        )  # fmt: skip
    nxt = start + timedelta(days=len(steps))
    continuous: float | None = None
    if set(conditions) & set(rtr.continuous_run.conditions):
        continuous = rtr.continuous_run.distance_m.value
        days.append(
            PlannedDay(
                nxt, "run", "Continuous run, pain-free", rtr.continuous_run.text.render(),
                run_distance_m=continuous, uid_key=f"rtr:{nxt.isoformat()}",
            )
        )  # fmt: skip
        nxt += timedelta(days=1 + rtr.continuous_run.rest_after.value)
    after = rtr.after
    last = next(s for s in reversed(steps) if s.step.running)
    pace = pace_s_per_km or after.easy_pace_s_per_km.value
    start_m = after.runs_per_week.value * last.step.minutes * 60 / pace * 1000
    if continuous is not None:
        start_m = max(start_m, continuous)
    weeks = growth(start_m, usual_weekly_m, rules)
    for w, volume in enumerate(weeks):
        per_run = volume / after.runs_per_week.value
        for k in after.run_day_offsets:
            d = nxt + timedelta(days=7 * w + k)
            days.append(
                PlannedDay(
                    d, "run", "Easy run", f"Week {w + 1}: {volume / 1000:.1f} km in total.",
                    run_distance_m=per_run, uid_key=f"rtr:{d.isoformat()}",
                )
            )  # fmt: skip
    return ReturnToRunPlan(
        tissue=tissue,
        max_pain=t.max_pain.value,
        before_you_start=tuple(before),
        gates=tuple(g.advice() for g in rtr.gates),
        on_pain=rtr.walk_run.on_pain.advice(),
        steps=steps,
        continuous_run_m=continuous,
        weekly_m=weeks,
        days=tuple(days) if policy.running is None else (),
        not_yet=policy.running,
    )
