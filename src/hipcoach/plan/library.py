"""The exercise library: pydantic models for ``knowledge/exercises.yaml``.

Every exercise is data with its source: what to do in plain steps, the muscles it works,
its dosage, easier and harder variants, the conditions it suits and those it must never be
given for (contraindications win over everything), form cues, an illustration (our own
SVG line drawing under ``knowledge/illustrations/``) and the licence of that drawing.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hipcoach.kb.models import Id, SourceId, Strict

Kind = Literal[
    "stretch", "strength", "isometric", "mobility", "warm_up", "cool_down", "cross_training",
    "walk_run",
]  # fmt: skip
Phase = Literal["settle", "load", "strengthen", "return", "prevent"]


class Dosage(Strict):
    """How much: sets × reps, holds (seconds × repetitions) or minutes; per side if one-sided."""

    sets: int | None = Field(default=None, ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=100)
    reps_max: int | None = Field(default=None, ge=1, le=100)
    hold_s: int | None = Field(default=None, ge=1, le=600)
    hold_s_max: int | None = Field(default=None, ge=1, le=600)
    minutes: float | None = Field(default=None, gt=0, le=120)
    per_side: bool = False
    rest_s: int = Field(default=30, ge=0, le=600)
    tempo: str | None = None  # e.g. "3 s down, 1 s hold, 3 s up"
    source: list[SourceId] = Field(min_length=1)
    estimate: str | None = None

    @model_validator(mode="after")
    def _some_amount(self) -> Dosage:
        if self.reps is None and self.hold_s is None and self.minutes is None:
            raise ValueError("a dosage needs reps, hold_s or minutes")
        return self


class Variant(Strict):
    name: str
    how: str


class Exercise(Strict):
    id: Id
    name: str
    kind: Kind
    steps: list[str] = Field(min_length=1)
    muscles: list[str] = Field(default_factory=list)
    dosage: Dosage
    easier: Variant | None = None
    harder: Variant | None = None
    cues: list[str] = Field(default_factory=list)
    suits: list[Id] = Field(default_factory=list)  # condition ids, or "any"
    phases: list[Phase] = Field(min_length=1)
    never_for: list[Id] = Field(default_factory=list)  # condition ids it must not be given for
    never_for_reason: str | None = None
    loads_bone: bool = (
        False  # impact / heavy weight-bearing: never with a suspected stress fracture
    )
    illustration: str  # file name under knowledge/illustrations/
    illustration_licence: str = "CC0-1.0 (drawn for hipcoach)"
    source: list[SourceId] = Field(min_length=1)

    @model_validator(mode="after")
    def _reason_for_contraindication(self) -> Exercise:
        if self.never_for and not self.never_for_reason:
            raise ValueError("never_for needs never_for_reason (why it must not be given)")
        return self


class Library(Strict):
    version: str
    exercises: list[Exercise]
