"""The treatment plan: what to do now, what to stop and keep, and a phased rehab programme.

Why it is built this way:

* **Urgency first.** An urgent or emergency result gets no exercise programme at all, only
  what to do now: exercises could harm several of the must-not-miss causes, and the right
  next step is a doctor, not a plan.
* **Contraindications win.** The programme is chosen for the likely causes (above
  ``likely_min_probability``), but exercises are checked against a wider set — every cause
  above ``contraindication_min_probability`` — so an exercise that can harm a less likely
  cause is still left out. ``never_for`` is absolute; ``loads_bone`` work is never given
  while a stress fracture is in that set.
* **Data, not code.** Care advice, thresholds and phase scheduling come from
  ``rehab_rules.yaml``; exercises and their dosage from the exercise library. The code
  only selects and lays out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hipcoach.assess.engine import Assessment
from hipcoach.plan.library import Exercise, Library
from hipcoach.plan.progression import ProgrammePhase, dose
from hipcoach.plan.rules import Advice, CareRule, PhaseRule, RehabRules
from hipcoach.plan.safety import SafetyPolicy, exercise_refusal, policy_for
from hipcoach.plan.schedule import PlannedDay
from hipcoach.urgency import Urgency

ANY = "any"
"""In an exercise's ``suits``: fits every condition it is not contraindicated for."""


@dataclass(frozen=True)
class Excluded:
    """An exercise left out of the programme, and why (shown so nobody adds it back)."""

    exercise_id: str
    name: str
    reason: str


@dataclass(frozen=True)
class TreatmentPlan:
    """Everything the runner should do about this episode, for the report and the calendar."""

    urgency: Urgency
    urgency_title: str
    urgency_action: str
    conditions: tuple[str, ...]
    """The likely causes the programme is for (most likely first)."""
    guarded: tuple[str, ...]
    """Every cause exercises were checked against (contraindications)."""
    immediate: tuple[Advice, ...]
    painkillers: Advice | None
    see_physio: Advice | None
    stop: tuple[Advice, ...]
    keep: tuple[Advice, ...]
    phases: tuple[ProgrammePhase, ...]
    days: tuple[PlannedDay, ...]
    cross_training: tuple[Exercise, ...]
    excluded: tuple[Excluded, ...]
    no_programme: Advice | None
    """Why there is no programme (urgent result, or nothing in the library), if there is none."""
    policy: SafetyPolicy
    """The safety policy this plan obeys: what else (running, return) its assessment allows."""

    @property
    def has_programme(self) -> bool:
        return bool(self.phases)


def exclusion_reason(
    ex: Exercise, targets: Sequence[str], guarded: Iterable[str], rules: RehabRules
) -> str | None:
    """Why ``ex`` must not be in a programme for ``targets`` given the ``guarded`` causes
    (None when it may). Contraindications (the safety policy's) come before suitability."""
    guarded = tuple(guarded)
    bone = [c for c in guarded if c in set(rules.treatment.bone_stress.conditions)]
    if (why := exercise_refusal(ex, guarded, bone)) is not None:
        return why
    if ANY not in ex.suits and not set(targets) & set(ex.suits):
        return "not an exercise for the likely causes"
    return None


def _pick(
    library: Library, targets: Sequence[str], guarded: Sequence[str], rules: RehabRules
) -> tuple[dict[str, list[Exercise]], list[Exercise], list[Excluded]]:
    """Per phase, the allowed exercises (those for the most likely cause first); the allowed
    cross-training; and the contraindicated exercises left out."""
    t = rules.treatment
    kinds = set(t.session_kinds)
    by_phase: dict[str, list[Exercise]] = {p.id: [] for p in t.phases}
    cross: list[Exercise] = []
    excluded: list[Excluded] = []

    def priority(ex: Exercise) -> int:
        return next((i for i, c in enumerate(targets) if c in ex.suits), len(targets))

    for ex in sorted(library.exercises, key=priority):
        why = exclusion_reason(ex, targets, guarded, rules)
        if why is not None:
            if not why.startswith("not an exercise"):
                excluded.append(Excluded(ex.id, ex.name, why))
            continue
        if ex.kind == "cross_training":
            cross.append(ex)
        elif ex.kind in kinds:
            for ph in ex.phases:
                if ph in by_phase:
                    by_phase[ph].append(ex)
    cap = t.max_exercises_per_session.value
    return {k: v[:cap] for k, v in by_phase.items()}, cross, excluded


def _immediate(
    targets: Sequence[str], guarded: Sequence[str], rules: RehabRules, not_new: bool
) -> list[Advice]:
    """Relative rest, ice and compression as they fit the likely causes — and the time since
    the pain began: first-days care is not advised for pain of weeks (``not_new``)."""
    t = rules.treatment

    def timely(rule: CareRule) -> Advice | None:
        if not (rule.new_injury_only and not_new):
            return rule.advice()
        return None if rule.later_text is None else rule.later_text.advice()

    out = [t.relative_rest.advice()]
    if set(t.ice.not_for) & set(targets) and t.ice.not_for_text is not None:
        out.append(t.ice.not_for_text.advice())
    elif (ice := timely(t.ice)) is not None:
        out.append(ice)
    comp = t.compression
    blocked = set(comp.not_for) & set(guarded)
    if blocked and comp.not_for_text is not None:
        out.append(comp.not_for_text.advice())
    elif (comp.suits is None or set(comp.suits) & set(targets)) and (
        wrap := timely(comp)
    ) is not None:
        out.append(wrap)
    return out


def _schedule(
    phases: Sequence[tuple[PhaseRule, ProgrammePhase]],
    cross: Sequence[Exercise],
    start: date,
    days: int,
    rules: RehabRules,
) -> tuple[PlannedDay, ...]:
    """Lay out the first ``days`` days: each phase for its preview length, sessions every
    ``every_days`` from the phase's first day, cross-training on off days up to the phase's
    weekly quota, rest otherwise. Later calendars follow the runner's pain reports."""
    out: list[PlannedDay] = []
    spans = [(rule, prog, rule.preview_days.value) for rule, prog in phases]
    i = rotation = 0
    for n, (rule, prog, length) in enumerate(spans):
        last = n == len(spans) - 1
        cross_done: dict[int, int] = {}
        for k in range(length if not last else max(days - i, 0)):
            if i >= days:
                break
            day = start + timedelta(days=i)
            week = k // 7
            if k % rule.every_days.value == 0:
                items = tuple(dose(ex, "base", rules) for ex in prog.exercises)
                out.append(
                    PlannedDay(
                        day, "rehab", f"Rehab: {rule.title.lower()}", rule.goal, items,
                        uid_key=f"rehab:{day.isoformat()}", notes=(f"phase: {prog.phase}",),
                    )
                )  # fmt: skip
            elif cross and cross_done.get(week, 0) < rule.cross_training_per_week.value:
                cross_done[week] = cross_done.get(week, 0) + 1
                ex, rotation = cross[rotation % len(cross)], rotation + 1
                desc = f"Low impact, and only if it doesn't hurt. {ex.steps[0]}"
                out.append(
                    PlannedDay(
                        day, "cross_training", f"Cross-training: {ex.name}", desc,
                        (dose(ex, "base", rules),), uid_key=f"rehab:{day.isoformat()}",
                    )
                )  # fmt: skip
            else:
                out.append(
                    PlannedDay(
                        day, "rest", "Rest day", "Everyday walking is fine if it doesn't hurt.",
                        uid_key=f"rehab:{day.isoformat()}",
                    )
                )  # fmt: skip
            i += 1
    return tuple(out)


def build_treatment(
    assessment: Assessment,
    library: Library,
    rules: RehabRules,
    *,
    start: date,
    days: int | None = None,
    policy: SafetyPolicy | None = None,
) -> TreatmentPlan:
    """The treatment plan for an assessment, starting on ``start``.

    ``days`` (default ``treatment.plan_days``) is how far ahead the calendar goes.
    ``policy`` is the safety policy of this assessment (built here when not given); its
    refusals and contraindications decide what the plan may hold.
    """
    t = rules.treatment
    level = assessment.triage.level
    text = assessment.kb.triage.levels[level]
    policy = policy or policy_for(assessment, library, rules)
    targets, guarded = policy.likely, policy.guarded
    if policy.urgent_only:
        # Only what to do now: the urgency's action, the rules' "now" list and the
        # likely causes' own advice from the knowledge base. No programme, no calendar.
        now = [Advice(text.action, ())] + [x.advice() for x in t.urgent_now]
        for r in assessment.ranked:
            if r.condition.id in targets:
                now += [Advice(a.text, tuple(a.source)) for a in r.condition.advice]
        return TreatmentPlan(
            urgency=level, urgency_title=text.title, urgency_action=text.action,
            conditions=targets, guarded=guarded, immediate=tuple(now), painkillers=None,
            see_physio=None, stop=(), keep=(), phases=(), days=(), cross_training=(),
            excluded=(), no_programme=t.no_programme.advice(), policy=policy,
        )  # fmt: skip

    by_phase, cross, excluded = _pick(library, targets, guarded, rules)
    if policy.programme is not None:
        # Warning signs not checked: the care advice stands, but no exercises until they are.
        by_phase, cross = {k: [] for k in by_phase}, []
    # General ("any") exercises alone are not a treatment: a programme needs at least one
    # exercise made for one of the likely causes.
    specific = any(set(targets) & set(e.suits) for exs in by_phase.values() for e in exs)
    chosen = [
        (rule, ProgrammePhase(rule.id, rule.title, rule.goal, rule.every_days.value, tuple(exs)))
        for rule in t.phases
        if specific and (exs := by_phase[rule.id])
    ]
    stop = [x.advice() for x in t.stop]
    for c in targets:
        stop += [x.advice() for x in t.avoid.get(c, [])]
    # Name the left-out exercises a runner may already know (from the founding article),
    # so nobody adds back the IT-band stretch for a gluteal tendinopathy.
    known = {ex.id for ex in library.exercises if "FA" in ex.source}
    stop += [
        Advice(f"{e.name}: {e.reason.split(': ', 1)[-1]}", ())
        for e in excluded
        if e.exercise_id in known
    ]
    keep = [x.advice() for x in t.keep]
    if cross:
        names = ", ".join(ex.name.lower() for ex in cross)
        keep.append(Advice(f"Low-impact cross-training that suits this problem: {names}.", ("FA",)))
    physio = t.see_physio.get(level) or t.see_physio["soon"]
    not_new = any(assessment.findings.get(f) for f in t.not_new.findings)
    n = t.plan_days.value if days is None else days
    return TreatmentPlan(
        urgency=level,
        urgency_title=text.title,
        urgency_action=text.action,
        conditions=targets,
        guarded=guarded,
        immediate=tuple(_immediate(targets, guarded, rules, not_new)),
        painkillers=t.painkillers.advice(),
        see_physio=physio.advice(),
        stop=tuple(stop),
        keep=tuple(keep),
        phases=tuple(p for _, p in chosen),
        days=_schedule(chosen, cross, start, n, rules) if chosen else (),
        cross_training=tuple(cross),
        excluded=tuple(excluded),
        no_programme=None if chosen else (policy.programme or t.no_exercises.advice()),
        policy=policy,
    )
