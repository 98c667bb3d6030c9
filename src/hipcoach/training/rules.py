"""Pydantic models and loader for ``knowledge/training_rules.yaml``.

The training-load flags make claims about injury risk, so they follow the knowledge-base
rule (see ``hipcoach.kb.models``): every threshold and constant lives in YAML and carries
source ids or an explicit ``estimate`` note, and every flag states how good its evidence
is (``strength``) and the caveat the runner sees. Code never hard-codes a threshold; it
asks the rule (``rule.level(x)``), so changing a number is a reviewed data change.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from hipcoach.errors import KnowledgeBaseError
from hipcoach.kb.models import Count, Id, Number, Provenance, SourceId, Strict
from hipcoach.kb.sourced_file import read_sourced

Strength = Literal["trial", "observational", "heuristic"]
"""trial: tested in a randomised trial; observational: cohort association;
heuristic: tool convention, lab study or expert/article opinion."""

Severity = Literal["info", "warn", "high"]
SEVERITY_RANK: dict[Severity, int] = {"info": 0, "warn": 1, "high": 2}
STRENGTH_RANK: dict[Strength, int] = {"heuristic": 0, "observational": 1, "trial": 2}
Sex = Literal["male", "female", "unknown"]

RULES_FILE = "training_rules.yaml"


class Level(Provenance):
    """One severity step of a flag: it fires when the measure reaches ``value``."""

    severity: Severity
    value: float


class FlagRule(Strict):
    """What every flag shows the runner besides its numbers: evidence and honesty."""

    title: str
    strength: Strength
    source: list[SourceId] = Field(min_length=1)
    caveat: str = Field(min_length=1)
    factor: Id | None = None
    """The contributing factor in ``factors.yaml`` this flag is evidence for, if any."""


class LeveledRule(FlagRule):
    """A flag on one measure with increasing severity steps.

    ``direction: above`` fires when the measure is >= a level's value; ``below`` when <=.
    Levels must be ordered from least to most severe, so the last one reached wins.
    """

    direction: Literal["above", "below"]
    levels: list[Level] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> LeveledRule:
        values = [lv.value for lv in self.levels]
        ranks = [SEVERITY_RANK[lv.severity] for lv in self.levels]
        monotone = values == sorted(values, reverse=self.direction == "below")
        if not monotone or ranks != sorted(ranks) or len(set(values)) != len(values):
            raise ValueError("levels must go from least to most severe, with distinct values")
        return self

    def level(self, x: float | None) -> Level | None:
        """The most severe level the measure reaches, or None (also for a missing measure)."""
        if x is None or x != x:  # None or NaN
            return None
        hit = None
        for lv in self.levels:
            # a hair of tolerance: 36 km after 30 km is +20% on screen, so it must reach 0.20
            eps = 1e-9 * max(1.0, abs(lv.value))
            if (x >= lv.value - eps) if self.direction == "above" else (x <= lv.value + eps):
                hit = lv
        return hit

    @property
    def first(self) -> Level:
        return self.levels[0]


class RampRule(LeveledRule):
    min_base_m: Number


class SpikeRule(LeveledRule):
    window_days: Count
    min_history_days: Count


class MonotonyRule(LeveledRule):
    cap: Number


class VolumeIntensityRule(FlagRule):
    severity: Severity
    distance_increase: Number
    intensity_increase: Number
    min_intensity_coverage: Number
    min_base_m: Number


class LighterWeekRule(LeveledRule):
    drop: Number
    baseline_weeks: Count


class ShoeRule(LeveledRule):
    active_within_days: Count


class CadenceRule(LeveledRule):
    recent_days: Count
    baseline_days: Count
    min_recent_runs: Count
    min_baseline_runs: Count


class BreakRule(FlagRule):
    """Said in words, not leveled: a break long enough to restart the comparisons."""

    severity: Severity


class Flags(Strict):
    weekly_ramp: RampRule
    two_week_change: RampRule
    single_run_spike: SpikeRule
    acwr_high: LeveledRule
    acwr_low: LeveledRule
    monotony: MonotonyRule
    volume_and_intensity: VolumeIntensityRule
    no_lighter_week: LighterWeekRule
    shoe_distance: ShoeRule
    cadence_drop: CadenceRule
    running_break: BreakRule


class TrimpCoefficients(Provenance):
    """Banister TRIMP = minutes × a × HRr × e^(b·HRr)."""

    a: float = Field(gt=0)
    b: float = Field(gt=0)


class LoadRules(Strict):
    """Constants of the load model itself (not flags), with the conventions stated."""

    hr_max_default: Number
    hr_rest_default: Number
    trimp: dict[Sex, TrimpCoefficients]
    hr_sample_max_gap_s: Number
    srpe_to_trimp: Number
    duration_fallback_per_min: Number
    fitness_days: Number
    fatigue_days: Number
    acwr_acute_days: Count
    acwr_chronic_days: Count
    acwr_min_history_days: Count
    break_days: Count
    conventions: dict[str, str]

    @model_validator(mode="after")
    def _all_sexes(self) -> LoadRules:
        if set(self.trimp) != {"male", "female", "unknown"}:
            raise ValueError("trimp needs coefficients for male, female and unknown")
        if self.acwr_acute_days.value >= self.acwr_chronic_days.value:
            raise ValueError("acwr_acute_days must be shorter than acwr_chronic_days")
        return self


class Reporting(Strict):
    lookback_days: Count
    factor_window_days: Count
    max_factors: Count


class TrainingRules(Strict):
    version: str
    load: LoadRules
    reporting: Reporting
    flags: Flags

    def flag_rule(self, flag_id: str) -> FlagRule:
        rule = getattr(self.flags, flag_id)
        assert isinstance(rule, FlagRule)
        return rule


def default_path() -> Path:
    return Path(str(resources.files("hipcoach") / "knowledge" / RULES_FILE))


def read_rules(path: Path | None = None) -> tuple[TrainingRules | None, list[str]]:
    """Parse and validate the rules file; return the rules (if usable) and every problem.

    Source ids are also checked against ``sources.yaml`` next to the file, so a typo in a
    citation is caught here rather than shown to a runner.
    """
    return read_sourced(path or default_path(), TrainingRules)


@functools.cache
def _load_default() -> TrainingRules:
    rules, problems = read_rules()
    if rules is None:
        raise KnowledgeBaseError(problems)
    return rules


def load_rules(path: Path | None = None) -> TrainingRules:
    """The validated rules (the packaged file is read once and cached); raises if broken."""
    if path is None:
        return _load_default()
    rules, problems = read_rules(path)
    if rules is None:
        raise KnowledgeBaseError(problems)
    return rules
