"""The runner's settings: units, heart rates, and the age and sex the hip check starts from.

Pure: validation only. Storage (one row per key in the ``setting`` table) is in
``hipcoach.storage.settings``; the use cases that read them are in ``hipcoach.services``.
The bounds below are input sanity checks (what a person can physically have), not
clinical thresholds.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hipcoach.errors import InputError, shorten

SettingsSex = Literal["female", "male", "unknown"]


class Settings(BaseModel):
    """What the runner told us about themselves once, so no screen asks again."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    units: Literal["km", "mi"] = Field("km", description="Distances in kilometres or miles.")
    hr_rest: int | None = Field(
        None, ge=25, le=120, description="Resting heart rate (beats/min); improves load figures."
    )
    hr_max: int | None = Field(
        None, ge=100, le=240, description="Maximum heart rate (beats/min); improves load figures."
    )
    age: int | None = Field(None, ge=5, le=100, description="Age in years, for the hip check.")
    sex: SettingsSex = Field("unknown", description="Sex recorded at birth, for the hip check.")
    emergency_number: str | None = Field(
        None,
        description="The number to call in an emergency; by default the locale's (112, 999, 911…).",
    )

    @field_validator("emergency_number")
    @classmethod
    def _digits(cls, v: str | None) -> str | None:
        if v is not None and not (v.isdigit() and v.isascii() and 2 <= len(v) <= 6):
            raise ValueError("give the number as 2 to 6 digits, e.g. 112, 999 or 911")
        return v

    @model_validator(mode="after")
    def _rest_below_max(self) -> Settings:
        if self.hr_rest is not None and self.hr_max is not None and self.hr_rest >= self.hr_max:
            raise ValueError("resting heart rate must be below the maximum heart rate")
        return self

    def load_options(self) -> dict[str, Any]:
        """The keyword arguments the load analytics take from the settings."""
        return {"hr_max": self.hr_max, "hr_rest": self.hr_rest, "sex": self.sex}

    def profile_answers(self) -> dict[str, Any]:
        """The hip check's ``age`` and ``sex`` answers these settings already give."""
        out: dict[str, Any] = {}
        if self.age is not None:
            out["age"] = self.age
        if self.sex != "unknown":
            out["sex"] = self.sex
        return out


LABELS = {
    "units": "Units",
    "hr_rest": "Resting heart rate",
    "hr_max": "Maximum heart rate",
    "age": "Age",
    "sex": "Sex",
    "emergency_number": "Emergency number",
}


def parse_settings(values: dict[str, Any]) -> Settings:
    """Validated settings from form or JSON values; empty strings mean "not set".

    Raises ``InputError`` naming the field, what was given and what is allowed.
    """
    clean = {k: (None if v == "" else v) for k, v in values.items()}
    if clean.get("sex") is None and "sex" in clean:
        clean["sex"] = "unknown"
    if clean.get("units") is None and "units" in clean:
        clean["units"] = "km"
    try:
        return Settings.model_validate(clean)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else ""
        label = LABELS.get(field, field or "settings")
        given = f" (you gave {shorten(err['input'])})" if field and "input" in err else ""
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise InputError(f"{label}: {msg}{given}") from None
