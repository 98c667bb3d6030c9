"""Pydantic models of the clinical knowledge base.

The knowledge base is data, not code: every clinical number lives in a YAML
file under ``hipcoach/knowledge`` and carries either the ids of the sources it
comes from or an explicit ``estimate`` note with the reasoning behind it. These
models make that rule impossible to break silently: a number with neither is a
validation error, and ``hipcoach kb check`` reports it with file and entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hipcoach.urgency import Urgency

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
SourceId = Annotated[str, Field(pattern=r"^R[0-9]+[a-z]?$|^FA$")]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    """Base for every knowledge-base entry: unknown keys are typos, so refuse them."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Provenance(Strict):
    """Where a number comes from: published sources, or an honest estimate, or both."""

    source: list[SourceId] = Field(default_factory=list)
    estimate: str | None = None

    @model_validator(mode="after")
    def _must_be_traceable(self) -> Provenance:
        if not self.source and not (self.estimate and self.estimate.strip()):
            raise ValueError(
                "number has no source and no 'estimate' note; add `source: [R..]` "
                "or `estimate: <reasoning>`"
            )
        return self


class Sourced(Provenance):
    """A probability with its provenance."""

    value: Probability


class Number(Provenance):
    """A constant with its unit and provenance (``source`` ids and/or an ``estimate`` note)."""

    value: float
    unit: str


class Count(Provenance):
    """A whole number (days, weeks, sessions, sets) with its unit and provenance."""

    value: int = Field(ge=0)
    unit: str


class Likelihood(Provenance):
    """How often a finding is present with a condition, and (optionally) without it.

    ``with_`` is the sensitivity, P(finding | condition). ``without`` is
    P(finding | another cause of hip pain); when omitted, the finding's base
    rate among runners with hip pain is used instead.
    """

    with_: Probability = Field(alias="with")
    without: Probability | None = None


# --- expressions over findings -------------------------------------------------------------
# A condition over findings, evaluated in three-valued logic (true / false / unknown):
#   "finding_id"              the finding is present
#   {"absent": "finding_id"}  the finding is known to be absent
#   {"all": [...]}, {"any": [...]}, {"not": expr}
Expr = str | dict[str, Any]


def validate_expr(expr: Any, where: str = "expression") -> Expr:
    """Check the shape of an expression; ids are checked later against the questions."""
    if isinstance(expr, str):
        return expr
    if isinstance(expr, dict) and len(expr) == 1:
        ((op, arg),) = expr.items()
        if op in ("all", "any") and isinstance(arg, list) and arg:
            for item in arg:
                validate_expr(item, where)
            return expr
        if op == "not":
            validate_expr(arg, where)
            return expr
        if op in ("absent", "present") and isinstance(arg, str):
            return expr
    raise ValueError(
        f"{where}: {expr!r} is not a valid expression; use a finding id, "
        "{absent: id}, {all: [...]}, {any: [...]} or {not: ...}"
    )


def expr_findings(expr: Expr) -> set[str]:
    """Every finding id an expression mentions."""
    if isinstance(expr, str):
        return {expr}
    ((op, arg),) = expr.items()
    if op in ("all", "any"):
        out: set[str] = set()
        for item in arg:
            out |= expr_findings(item)
        return out
    if op == "not":
        return expr_findings(arg)
    return {arg}


class WithExpr(Strict):
    @field_validator("when", "ask_when", "requires", check_fields=False, mode="before")
    @classmethod
    def _expr(cls, value: Any) -> Any:
        return None if value is None else validate_expr(value)


# --- sources ---------------------------------------------------------------------------------


class Source(Strict):
    id: SourceId
    citation: str
    url: str | None = None
    evidence: Literal["primary", "secondary", "unverified", "article"] = "primary"


# --- questions ---------------------------------------------------------------------------------

QuestionType = Literal["yes_no", "choice", "multi", "number", "scale"]


class Choice(Strict):
    id: Id
    label: str
    finding: Id | None = None
    base_rate: Sourced | None = None
    means_unknown: bool = False
    """Picking this choice (e.g. "prefer not to say") is the same as not answering."""

    @model_validator(mode="after")
    def _rate_with_finding(self) -> Choice:
        if self.finding and self.base_rate is None:
            raise ValueError(
                f"choice {self.id!r} sets finding {self.finding!r} but has no base_rate"
            )
        return self


class Band(Strict):
    """A range of a number or scale answer that sets one finding."""

    finding: Id
    min: float | None = None
    max: float | None = None
    base_rate: Sourced

    def contains(self, x: float) -> bool:
        return (self.min is None or x >= self.min) and (self.max is None or x <= self.max)


class Gate(WithExpr):
    """A safety gate: the question may only be put to the user once ``requires`` is true."""

    requires: Expr
    reason: str
    source: list[SourceId] = Field(default_factory=list)


class Question(WithExpr):
    id: Id
    text: str
    label: str | None = None
    """Short statement of the finding when present, for explanations ("Pain lying on that side")."""
    help: str | None = None
    type: QuestionType
    section: Literal["about", "red_flags", "story", "where", "pattern", "self_tests", "risks"]
    always_ask: bool = False
    ask_when: Expr | None = None
    gate: Gate | None = None
    # yes_no
    finding: Id | None = None
    base_rate: Sourced | None = None
    # choice / multi
    choices: list[Choice] = Field(default_factory=list)
    # number / scale
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    bands: list[Band] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.type == "yes_no":
            if not self.finding or self.base_rate is None:
                raise ValueError("a yes_no question needs `finding` and `base_rate`")
        elif self.type in ("choice", "multi"):
            if len(self.choices) < 2:
                raise ValueError(f"a {self.type} question needs at least two choices")
            ids = [c.id for c in self.choices]
            if len(set(ids)) != len(ids):
                raise ValueError("choice ids must be unique within a question")
        else:
            if self.min is None or self.max is None or self.min >= self.max:
                raise ValueError(f"a {self.type} question needs min < max")
            if not self.bands:
                raise ValueError(f"a {self.type} question needs at least one band")
        return self

    def findings(self) -> list[str]:
        """The finding ids this question can set, in order."""
        if self.type == "yes_no":
            assert self.finding
            return [self.finding]
        if self.type in ("choice", "multi"):
            return [c.finding for c in self.choices if c.finding]
        return [b.finding for b in self.bands]


# --- triage ------------------------------------------------------------------------------------


class RedFlag(WithExpr):
    id: Id
    when: Expr
    urgency: Urgency
    reason: str
    source: list[SourceId] = Field(min_length=1)
    suggests: list[Id] = Field(default_factory=list)
    stop_interview: bool = False


class SelfCarePolicy(WithExpr):
    """Self-care is only advised when ``requires`` is known to be true (reference section 2d)."""

    requires: Expr
    otherwise: Urgency
    reason_otherwise: str
    source: list[SourceId] = Field(min_length=1)


class UrgencyText(Strict):
    title: str
    action: str


class NetPart(Strict):
    """One symptom of a safety-net line, left out when the runner already reported it."""

    text: str
    unless: list[Id] = Field(default_factory=list)


class SafetyNet(Strict):
    """A safety-net line: shown only at ``levels`` (an emergency needs no "see a physio if it
    is not easing"), naming only the symptoms the runner has not already reported."""

    text: str
    """With ``{parts}`` where the symptoms go, joined with commas and "or"."""
    levels: list[Urgency] = Field(min_length=1)
    parts: list[NetPart] = Field(default_factory=list)

    def render(self, findings: Mapping[str, bool]) -> str | None:
        if not self.parts:
            return self.text
        parts = [p.text for p in self.parts if not any(findings.get(f) for f in p.unless)]
        if not parts:
            return None
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]
        return self.text.replace("{parts}", joined)


class CombinedUrgency(Strict):
    """Urgency from the combined share of the causes that each need that level of care."""

    thresholds: dict[Urgency, Sourced]
    reason: str
    """With ``{share}`` and ``{causes}``."""
    source: list[SourceId] = Field(min_length=1)


class Triage(Strict):
    red_flags: list[RedFlag]
    combined_urgency: CombinedUrgency | None = None
    self_care: SelfCarePolicy
    levels: dict[Urgency, UrgencyText]
    condition_urgency_min_probability: Sourced
    safety_net: list[SafetyNet | str]
    disclaimer: str
    recheck_prompt: str
    """Put before a warning-sign question asked again after "don't know"."""
    unchecked_notice: Advice
    """Shown when warning-sign questions were left unanswered; ``{questions}`` lists them."""


# --- conditions --------------------------------------------------------------------------------


class Escalation(Strict):
    """Must-not-miss: at or above ``threshold`` probability, urgency rises to ``urgency``."""

    threshold: Sourced
    urgency: Urgency
    reason: str
    source: list[SourceId] = Field(min_length=1)


class Advice(Strict):
    text: str
    source: list[SourceId] = Field(min_length=1)


class ConditionUrgency(Strict):
    level: Urgency
    source: list[SourceId] = Field(min_length=1)
    note: str | None = None


class Condition(Strict):
    id: Id
    name: str
    short_name: str
    description: str
    location: str
    story: str
    must_not_miss: bool = False
    prior: Sourced
    urgency: ConditionUrgency
    escalate: Escalation | None = None
    findings: dict[Id, Likelihood]
    advice: list[Advice] = Field(min_length=1)
    sources: list[SourceId] = Field(min_length=1)


# --- contributing factors -----------------------------------------------------------------------


class Factor(WithExpr):
    id: Id
    name: str
    when: Expr
    history_finding: Id | None = None
    """The questionnaire finding an imported training history can answer for this factor."""
    text: str
    strength: Literal["trial", "observational", "expert", "article"]
    source: list[SourceId] = Field(min_length=1)


# --- engine settings ----------------------------------------------------------------------------


class InterviewSettings(Strict):
    min_information_gain: float = Field(gt=0)
    stable_after: int = Field(ge=1)
    min_questions: int = Field(ge=0)
    must_not_miss_floor: float = Field(gt=0, lt=1)
    """A must-not-miss condition at least this likely is "in play": the questions that decide
    it are asked before the interview stops."""
    must_not_miss_min_lr: float = Field(gt=1)
    """A question decides a condition when some answer moves it by this likelihood ratio."""


class Settings(Strict):
    evidence_exponent: Sourced
    report_min_probability: float = Field(gt=0, lt=1)
    interview: InterviewSettings


class Manifest(Strict):
    version: str
    settings: Settings
