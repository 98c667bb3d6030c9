"""Pydantic models and loader for ``knowledge/rehab_rules.yaml``.

The plan engine tells an injured runner how hard to push, so it follows the knowledge-base
rule (see ``hipcoach.kb.models``): every clinical number — pain thresholds, ice minutes,
walk–run steps, weekly caps, shoe distances — lives in the YAML with ``source`` ids or an
explicit ``estimate`` note, and the code only asks for it. Advice shown to the runner is a
:class:`Text`: its words live in the YAML next to the numbers they quote, and a placeholder
without a number behind it is a validation error, so a sentence cannot drift from its data.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from hipcoach.errors import KnowledgeBaseError
from hipcoach.kb.models import Count, Id, Number, Provenance, SourceId, Strict
from hipcoach.kb.sourced_file import read_sourced
from hipcoach.plan.library import Kind, Phase
from hipcoach.urgency import Urgency

RULES_FILE = "rehab_rules.yaml"

Step = Literal["easier", "base", "more_volume", "more_sets", "harder"]
"""One rung of the dosage ladder within a phase (see ``pain_monitoring.ladder``)."""


class Span(Provenance):
    """A range quoted as such ("15–20 minutes"); code uses either end as the rule says."""

    min: float
    max: float
    unit: str

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.min > self.max:
            raise ValueError("min must not exceed max")
        return self


def _fmt(v: Number | Count | Span) -> str:
    if isinstance(v, Span):
        return f"{v.min:g}–{v.max:g}"
    if isinstance(v, Count):
        return f"{v.value:,}"
    return f"{v.value:g}"


@dataclass(frozen=True)
class Advice:
    """A sentence for the runner with the sources behind it."""

    text: str
    source: tuple[str, ...]


class Text(Strict):
    """Advice text whose ``{placeholders}`` are filled from ``values`` (each with provenance)."""

    text: str = Field(min_length=1)
    source: list[SourceId] = Field(min_length=1)
    values: dict[str, Count | Number | Span] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _placeholders(self) -> Text:
        names = {f for _, f, _, _ in string.Formatter().parse(self.text) if f}
        if missing := names - set(self.values):
            raise ValueError(f"text uses {sorted(missing)} but `values` does not define them")
        return self

    def render(self) -> str:
        return self.text.format_map({k: _fmt(v) for k, v in self.values.items()})

    def advice(self) -> Advice:
        return Advice(self.render(), tuple(self.source))


# --- treatment --------------------------------------------------------------------------------


class PhaseRule(Strict):
    """How a rehab phase is scheduled. ``preview_days`` only lays out the first calendar; the
    pain-monitoring model decides when a runner really moves on."""

    id: Phase
    title: str
    goal: str
    every_days: Count
    preview_days: Count
    cross_training_per_week: Count


class CareRule(Text):
    """Immediate care that fits some conditions only."""

    suits: list[Id] | None = None
    """None: every condition; otherwise only these."""
    not_for: list[Id] = Field(default_factory=list)
    not_for_text: Text | None = None
    later_text: Text | None = None
    """What to say instead once the injury is no longer new (``treatment.not_new``); without
    it the advice is left out then."""
    new_injury_only: bool = False


class ConditionSet(Strict):
    conditions: list[Id] = Field(min_length=1)
    source: list[SourceId] = Field(min_length=1)


class FindingSet(Strict):
    findings: list[Id] = Field(min_length=1)
    source: list[SourceId] = Field(default_factory=list)
    estimate: str | None = None


class Treatment(Strict):
    likely_min_probability: Number
    not_new: FindingSet
    """Findings that mean the pain is no longer a new injury (first-days care is past)."""
    max_programme_conditions: Count
    contraindication_min_probability: Number
    bone_stress: ConditionSet
    programme_max_urgency: Urgency
    no_programme: Text
    urgent_now: list[Text] = Field(min_length=1)
    plan_days: Count
    max_exercises_per_session: Count
    session_kinds: list[Kind] = Field(min_length=1)
    relative_rest: Text
    ice: CareRule
    compression: CareRule
    painkillers: Text
    see_physio: dict[Urgency, Text]
    stop: list[Text]
    keep: list[Text]
    avoid: dict[Id, list[Text]]
    no_exercises: Text
    phases: list[PhaseRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Treatment:
        ids = [p.id for p in self.phases]
        if len(set(ids)) != len(ids):
            raise ValueError("phase ids must be unique")
        if any(p.every_days.value < 1 for p in self.phases):
            raise ValueError("every_days must be at least 1")
        if not {"self_care", "soon"} <= set(self.see_physio):
            raise ValueError("see_physio needs texts for self_care and soon")
        return self


# --- pain monitoring -----------------------------------------------------------------------------


class PainMonitoring(Strict):
    safe_max: Number
    acceptable_max: Number
    settle_within_hours: Count
    sessions_to_advance: Count
    ladder: list[Step] = Field(min_length=2)
    ladder_note: Provenance
    volume_step: Number
    extra_sets: Count
    max_sets: Count
    easier_scale: Number
    source: list[SourceId] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> PainMonitoring:
        if not 0 <= self.safe_max.value < self.acceptable_max.value <= 10:
            raise ValueError("need 0 <= safe_max < acceptable_max <= 10")
        if "base" not in self.ladder or len(set(self.ladder)) != len(self.ladder):
            raise ValueError("the ladder needs a 'base' step and no repeats")
        if self.sessions_to_advance.value < 1:
            raise ValueError("sessions_to_advance must be at least 1")
        return self


# --- return to run -------------------------------------------------------------------------------


class Gate(Text):
    id: Id
    needs: list[Id] = Field(default_factory=list)
    bone_needs_clearance: bool = False


class WalkRunStep(Strict):
    """One day of the walk–run protocol: blocks of walking/jogging/running, repeated."""

    day: int = Field(ge=1)
    walk_min: float = Field(default=0, ge=0)
    jog_min: float = Field(default=0, ge=0)
    run_min: float = Field(default=0, ge=0)
    repeats: int = Field(default=1, ge=1)
    recovery: bool = False

    @property
    def minutes(self) -> float:
        return (self.walk_min + self.jog_min + self.run_min) * self.repeats

    @property
    def running(self) -> bool:
        return self.jog_min + self.run_min > 0


class WalkRun(Provenance):
    steps: list[WalkRunStep] = Field(min_length=1)
    on_pain: Text

    @model_validator(mode="after")
    def _days(self) -> WalkRun:
        days = [s.day for s in self.steps]
        if days != sorted(set(days)):
            raise ValueError("walk–run steps need increasing, distinct days")
        if not isinstance(self.on_pain.values.get("rest"), Count):
            raise ValueError("on_pain needs a `rest` count of days")
        if not any(s.running for s in self.steps):
            raise ValueError("the walk–run protocol needs at least one running step")
        return self

    @property
    def rest_days(self) -> int:
        rest = self.on_pain.values["rest"]
        assert isinstance(rest, Count)
        return rest.value


class TissueRules(Strict):
    max_pain: Number
    step_back_over: Number
    step_repeat: Count
    text: Text


class BeforeRunning(Strict):
    conditions: list[Id]
    text: Text


class ContinuousRun(BeforeRunning):
    distance_m: Number
    rest_after: Count


class AfterProtocol(Strict):
    weekly_increase_max: Number
    runs_per_week: Count
    run_day_offsets: list[int] = Field(min_length=1)
    easy_pace_s_per_km: Number
    max_growth_weeks: Count

    @model_validator(mode="after")
    def _offsets(self) -> AfterProtocol:
        o = self.run_day_offsets
        if len(o) != self.runs_per_week.value or sorted(set(o)) != o or not 0 <= o[0] <= o[-1] < 7:
            raise ValueError("run_day_offsets: one distinct weekday offset (0–6) per run")
        return self


class ReturnToRun(Strict):
    gates: list[Gate] = Field(min_length=1)
    tendon: TissueRules
    bone: TissueRules
    clearance: Text
    continuous_run: ContinuousRun
    before_running: BeforeRunning
    walk_run: WalkRun
    after: AfterProtocol

    @model_validator(mode="after")
    def _gates(self) -> ReturnToRun:
        ids = [g.id for g in self.gates]
        for g in self.gates:
            if unknown := set(g.needs) - set(ids[: ids.index(g.id)]):
                raise ValueError(f"gate {g.id!r} needs {sorted(unknown)}, not listed before it")
        if self.bone.max_pain.value > self.tendon.max_pain.value:
            raise ValueError("bone-stress pain limit must not be looser than tendon")
        return self


# --- prevention --------------------------------------------------------------------------------


class GoalRow(Strict):
    """What a plan for goals up to ``up_to_m`` must reach before race week."""

    up_to_m: float = Field(gt=0)
    peak_weekly_m: float = Field(gt=0)
    peak_long_run_m: float = Field(gt=0)
    estimate: str = Field(min_length=1)


class RunsRow(Strict):
    from_weekly_m: float = Field(ge=0)
    runs: int = Field(ge=2, le=7)


class Prevention(Strict):
    weekly_increase: Span
    lighter_every_weeks: Count
    lighter_drop: Number
    single_run_increase_max: Number
    single_run_window_weeks: Count
    baseline_weeks: Count
    start_floor_weekly_m: Number
    min_run_m: Number
    max_plan_weeks: Count
    goals: list[GoalRow] = Field(min_length=1)
    goals_note: Provenance
    runs_per_week: list[RunsRow] = Field(min_length=1)
    week_layouts: dict[int, list[str]]
    layouts_note: Provenance
    strength_per_week: Count
    cross_training_per_week: Count
    cross_training_minutes: Number
    warm_up_minutes: Number
    cool_down_minutes: Number
    intensity_steps: list[str] = Field(min_length=1)
    intensity_note: Provenance
    notes: list[Text]

    @model_validator(mode="after")
    def _check(self) -> Prevention:
        if [g.up_to_m for g in self.goals] != sorted(g.up_to_m for g in self.goals):
            raise ValueError("goals must be ordered by up_to_m")
        for g in self.goals:
            runs = self.runs_for(g.peak_weekly_m)
            if g.peak_long_run_m * runs < g.peak_weekly_m:
                raise ValueError("a goal's long run must be at least an average run at its peak")
        for row in self.runs_per_week:
            lay = self.week_layouts.get(row.runs)
            if lay is None or len(lay) != 7:
                raise ValueError(f"week_layouts needs seven days for {row.runs} runs")
            slots = [s for day in lay for s in day.split("+")]
            if set(slots) - {"R", "L", "S", "X", "-"} or slots.count("L") != 1:
                raise ValueError("layout slots are R, L, S, X or -, with exactly one L")
            if slots.count("R") + 1 != row.runs:
                raise ValueError(f"layout for {row.runs} runs has a different number of runs")
            if slots.count("S") != self.strength_per_week.value:
                raise ValueError("layout strength days differ from strength_per_week")
            if slots.count("X") != self.cross_training_per_week.value:
                raise ValueError("layout cross-training days differ from cross_training_per_week")
        if self.lighter_every_weeks.value < 2:
            raise ValueError("lighter_every_weeks must be at least 2")
        return self

    def runs_for(self, weekly_m: float) -> int:
        rows = [r for r in self.runs_per_week if weekly_m >= r.from_weekly_m]
        return (rows[-1] if rows else self.runs_per_week[0]).runs

    def goal_row(self, goal_m: float) -> GoalRow | None:
        return next((g for g in self.goals if goal_m <= g.up_to_m), None)


class Shoes(Strict):
    cushioning: Text
    stability: Text
    heel_counter: Text
    replace_m: Span
    active_within_days: Count
    replace_now: Text
    replace_soon: Text
    still_good: Text


class Form(Strict):
    cues: list[Text] = Field(min_length=1)
    cadence_increase: Span
    hip_benefit_from: Number
    cadence_known: Text
    cadence_unknown: Text
    recent_weeks: Count


class SafetyRules(Strict):
    """What the one safety policy says when it refuses something (see ``plan.safety``)."""

    running_max_urgency: Urgency
    """Running of any kind (a build-up or the walk–run) only at or below this urgency."""
    unchecked_allowed: Count
    """Warning-sign questions that may stay unanswered before no programme is given."""
    urgent: Text
    bone_stress: Text
    unchecked: Text
    build_up_during_episode: Text
    return_not_ready: Text
    nothing_safe: Text


class RehabRules(Strict):
    version: str
    treatment: Treatment
    safety: SafetyRules
    pain_monitoring: PainMonitoring
    return_to_run: ReturnToRun
    prevention: Prevention
    shoes: Shoes
    form: Form


# --- loading -------------------------------------------------------------------------------------


def default_path() -> Path:
    return Path(str(resources.files("hipcoach") / "knowledge" / RULES_FILE))


def read_rules(path: Path | None = None) -> tuple[RehabRules | None, list[str]]:
    """Parse and validate the rules; return them (if usable) and every problem found.

    Source ids are checked against ``sources.yaml`` beside the file, so a mistyped citation
    is caught by ``hipcoach kb check`` rather than shown to a runner.
    """
    return read_sourced(path or default_path(), RehabRules)


@functools.cache
def _load_default() -> RehabRules:
    return load_rules(default_path())


def load_rules(path: Path | None = None) -> RehabRules:
    """The validated rules (the packaged file is read once and cached); raises if broken."""
    if path is None:
        return _load_default()
    rules, problems = read_rules(path)
    if rules is None:
        raise KnowledgeBaseError(problems)
    return rules
