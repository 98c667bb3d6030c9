"""The one safety policy: what the latest hip check allows, for every plan, session,
calendar entry and export.

Why one object: when each generator asked its own questions they disagreed — a "see a
doctor today, stop running" result sat next to a 12-week running plan, and a strength day
of a build-up plan held the clamshell the same page said compresses the gluteal tendons.
Now every producer of days (treatment programme, return to running, build-up plan) asks
the policy first, and every consumer (session player, calendar, report, data export) passes
its days through :meth:`SafetyPolicy.enforce`, so a stored plan, an older plan or a plan
file cannot slip past the latest assessment.

The rules, most serious first:

* warning signs not checked, or urgency above ``treatment.programme_max_urgency``
  (urgent / emergency): no programme and no running at all — only rest days;
* a bone-stress injury possible (any ``bone_stress`` condition in the guarded set): no
  running, and nothing that ``loads_bone``, until a clinician has cleared the runner;
* any exercise that is ``never_for`` a guarded condition is never in any day;
* during an episode (an assessment, not yet marked recovered) running comes only through
  the criteria-gated return to running, after its checks are passed; the build-up plan
  waits until the runner is running again without pain.

Pure: built from an :class:`~hipcoach.assess.engine.Assessment`, the exercise library and
the rehab rules; storage supplies the runner's state (checks passed, cleared, recovered).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from hipcoach.errors import InputError
from hipcoach.plan.schedule import PlannedDay, SessionItem
from hipcoach.urgency import Urgency, rank

if TYPE_CHECKING:
    from hipcoach.assess.engine import Assessment
    from hipcoach.plan.library import Exercise, Library
    from hipcoach.plan.rules import Advice, RehabRules

RUNNING_KINDS = frozenset({"run", "walk_run"})


class PolicyRefusal(InputError):
    """A plan the latest assessment does not allow; the message says why and what instead."""


@dataclass(frozen=True)
class RunnerState:
    """What the runner has told hipcoach since the assessment (kept in the plan state)."""

    checks_passed: bool = False
    """Every return-to-running check passed within its pain limit."""
    cleared_by_clinician: bool = False
    """A doctor or physiotherapist has cleared them to run after a bone stress injury."""
    recovered: bool = False
    """They marked this episode over (running again without pain) after the assessment."""


@dataclass(frozen=True)
class SafetyPolicy:
    """What the latest assessment allows. ``None`` in a refusal field means allowed."""

    assessed: bool
    urgency: Urgency | None = None
    likely: tuple[str, ...] = ()
    guarded: tuple[str, ...] = ()
    """Every cause likely enough that harming it matters (contraindications apply to these)."""
    bone_stress: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()
    """Warning-sign questions left unanswered (ids)."""
    blocked: dict[str, str] = field(default_factory=dict)
    """Exercise id → why it must never appear in any day."""
    programme: Advice | None = None
    """Why there may be no exercise programme (urgent result, warning signs unchecked)."""
    programme_reason: str | None = None
    """``urgent`` or ``unchecked`` when there is no programme."""
    running: Advice | None = None
    """Why no day may hold running now."""
    return_to_run: Advice | None = None
    """Why the return-to-running programme may not even be shown as a plan."""
    build_up: Advice | None = None
    """Why a build-up (prevention) running plan is refused."""
    nothing_safe: str = ""
    """What a session says when every exercise in it was taken out."""

    # --- single checks ----------------------------------------------------------------------

    def item_refusal(self, item: SessionItem) -> str | None:
        return self.blocked.get(item.exercise_id)

    def violations(self, day: PlannedDay) -> list[str]:
        """Everything in ``day`` the policy forbids (empty: the day is safe)."""
        if day.kind == "rest":
            return []
        if self.programme is not None:
            return [f"{day.day}: {day.title}: no programme — {self.programme.text}"]
        out = []
        if day.kind in RUNNING_KINDS and self.running is not None:
            out.append(f"{day.day}: {day.title}: no running — {self.running.text}")
        out += [
            f"{day.day}: {item.name}: {why}"
            for item in day.items
            if (why := self.item_refusal(item)) is not None
        ]
        return out

    def check(self, days: Iterable[PlannedDay]) -> None:
        """Raise :class:`PolicyRefusal` naming the first forbidden day, if any."""
        for d in days:
            if problems := self.violations(d):
                raise PolicyRefusal(problems[0])

    def enforce(self, days: Sequence[PlannedDay]) -> list[PlannedDay]:
        """``days`` with everything forbidden taken out: a forbidden day becomes a rest day
        that says why; a forbidden exercise is dropped from its session (a session left
        empty becomes a rest day). Safe days are returned unchanged."""
        out = []
        for d in days:
            if not self.violations(d):
                out.append(d)
                continue
            whole = self.programme or (self.running if d.kind in RUNNING_KINDS else None)
            if whole is None:
                items = tuple(i for i in d.items if self.item_refusal(i) is None)
                if items or d.kind in RUNNING_KINDS:  # an allowed run stays, without them
                    out.append(replace(d, items=items))
                    continue
                why = self.nothing_safe
            else:
                why = whole.text
            out.append(PlannedDay(d.day, "rest", "Rest day", why, uid_key=d.uid_key, notes=d.notes))
        return out

    @property
    def urgent_only(self) -> bool:
        """The urgency is above what a programme allows: only what to do now."""
        return self.programme is not None and self.programme_reason == "urgent"

    def require(self, refusal: Advice | None) -> None:
        if refusal is not None:
            raise PolicyRefusal(refusal.text)


UNRESTRICTED = SafetyPolicy(assessed=False)
"""No assessment yet: nothing to bind a plan to (a prevention plan for a healthy runner)."""


def exercise_refusal(
    ex: Exercise, guarded: Iterable[str], bone_stress: Iterable[str]
) -> str | None:
    """Why ``ex`` may never be given while ``guarded`` causes are possible (None: it may)."""
    guarded = set(guarded)
    if hit := sorted(guarded & set(ex.never_for)):
        return f"not for {', '.join(_named(c) for c in hit)}: {ex.never_for_reason}"
    bone = sorted(set(bone_stress))
    if ex.loads_bone and bone:
        return (
            "impact or heavy weight-bearing while a stress fracture is possible "
            f"({_named(bone[0])})"
        )
    return None


def _named(condition: str) -> str:
    """A condition as people read it (the knowledge base's short name), never its raw id:
    this text is shown on the plan beside the exercise it keeps out."""
    from hipcoach.kb.load import load

    found = load().condition_by_id.get(condition)
    return found.short_name if found is not None else condition.replace("_", " ")


def likely_conditions(assessment: Assessment, rules: RehabRules) -> tuple[str, ...]:
    """The causes to treat: the top one always, then others above the threshold, capped."""
    t = rules.treatment
    ranked = assessment.ranked
    if not ranked:
        return ()
    keep = [ranked[0].condition.id] + [
        r.condition.id for r in ranked[1:] if r.probability >= t.likely_min_probability.value
    ]
    return tuple(keep[: max(1, t.max_programme_conditions.value)])


def guarded_conditions(assessment: Assessment, rules: RehabRules) -> tuple[str, ...]:
    """The likely causes plus every cause likely enough that harming it matters."""
    floor = rules.treatment.contraindication_min_probability.value
    out = list(likely_conditions(assessment, rules))
    out += [r.condition.id for r in assessment.ranked if r.probability >= floor]
    return tuple(dict.fromkeys(out))


def warning_signs_checked(assessment: Assessment, rules: RehabRules) -> bool:
    """Were enough warning-sign questions answered to give a programme at all?"""
    unchecked = assessment.unchecked_warning_signs
    allowed = rules.safety.unchecked_allowed.value
    return len(unchecked) <= allowed and len(unchecked) < len(assessment.warning_signs)


def policy_for(
    assessment: Assessment,
    library: Library,
    rules: RehabRules,
    state: RunnerState | None = None,
) -> SafetyPolicy:
    """The policy for ``assessment`` (the latest one) and what the runner did since."""
    state = state or RunnerState()
    t, s = rules.treatment, rules.safety
    level = assessment.triage.level
    likely = likely_conditions(assessment, rules)
    guarded = guarded_conditions(assessment, rules)
    bone = tuple(c for c in guarded if c in set(t.bone_stress.conditions))
    unchecked = assessment.unchecked_warning_signs
    blocked = {
        ex.id: reason
        for ex in library.exercises
        if (reason := exercise_refusal(ex, guarded, bone)) is not None
    }
    programme: Advice | None = None
    why: str | None = None
    if rank(level) > rank(t.programme_max_urgency):
        programme, why = t.no_programme.advice(), "urgent"
    elif not warning_signs_checked(assessment, rules):
        programme, why = s.unchecked.advice(), "unchecked"
    # Running, most serious reason first.
    serious = None if programme is None else (s.urgent if why == "urgent" else s.unchecked).advice()
    if serious is None and rank(level) > rank(s.running_max_urgency):
        serious = s.urgent.advice()
    if serious is None and bone and not state.cleared_by_clinician:
        serious = s.bone_stress.advice()
    running = serious
    if running is None and not (state.recovered or state.checks_passed):
        running = s.return_not_ready.advice()
    build_up = serious
    if build_up is None and not state.recovered:
        build_up = s.build_up_during_episode.advice()
    return SafetyPolicy(
        assessed=True,
        urgency=level,
        likely=likely,
        guarded=guarded,
        bone_stress=bone,
        unchecked=unchecked,
        blocked=blocked,
        programme=programme,
        programme_reason=why,
        running=running,
        return_to_run=serious,
        build_up=build_up,
        nothing_safe=s.nothing_safe.render(),
    )


__all__ = [
    "UNRESTRICTED",
    "PolicyRefusal",
    "RunnerState",
    "SafetyPolicy",
    "exercise_refusal",
    "guarded_conditions",
    "likely_conditions",
    "policy_for",
    "warning_signs_checked",
]
