"""Load the exercise library (``knowledge/exercises.yaml``) and check that it hangs together.

``read_library`` parses and validates the file and returns every problem it finds, each
located ("exercises.yaml: entry 'clamshell' → dosage.reps: ..."); ``load_library`` is what the
plan engine uses: cached, and raises :class:`KnowledgeBaseError` if the file is broken.
``check_library`` cross-checks a parsed library against the knowledge base: condition and
source ids, illustration files, duplicates, contradictions and the founding article's
exercises.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from hipcoach.errors import KnowledgeBaseError
from hipcoach.plan.library import Exercise, Library

try:  # libyaml is several times faster when present; fall back to pure Python
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

FILE = "exercises.yaml"

ANY = "any"
"""In ``suits``: the exercise fits every condition it is not contraindicated for."""

FOUNDING_ARTICLE_IDS: tuple[str, ...] = (
    "hip_flexor_stretch",
    "butterfly_stretch",
    "iliotibial_band_stretch",
    "piriformis_stretch",
    "glute_bridge",
    "clamshell",
    "fire_hydrant",
    "single_leg_romanian_deadlift",
    "lateral_step_up",
    "reverse_lunge",
    "standing_hip_abduction",
    "warm_up",
    "cool_down",
    "cycling",
    "swimming",
    "rowing",
)
"""Every stretch, exercise, warm-up, cool-down and cross-training option the founding
article names: the library must contain each of them, citing ``FA``."""

BONE_STRESS_CONDITIONS: frozenset[str] = frozenset(
    {"femoral_neck_stress_fracture", "pelvic_or_sacral_stress_fracture"}
)
"""Conditions an exercise with ``loads_bone: true`` can never suit."""


def default_path() -> Path:
    """The packaged ``exercises.yaml``."""
    return Path(str(resources.files("hipcoach") / "knowledge" / FILE))


def default_illustrations_dir() -> Path:
    """The packaged illustrations (one SVG per exercise)."""
    return Path(str(resources.files("hipcoach") / "knowledge" / "illustrations"))


def _where(raw: Any, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into "entry 'id' → field.path"."""
    if (
        len(loc) >= 2
        and loc[0] == "exercises"
        and isinstance(loc[1], int)
        and isinstance(raw, dict)
        and isinstance(raw.get("exercises"), list)
        and loc[1] < len(raw["exercises"])
    ):
        item = raw["exercises"][loc[1]]
        label = (
            f"entry {item['id']!r}"
            if isinstance(item, dict) and "id" in item
            else f"entry #{loc[1] + 1}"
        )
        rest = ".".join(str(part) for part in loc[2:])
        return f"{label} → {rest}" if rest else label
    return ".".join(str(part) for part in loc) or "top level"


def read_library(path: Path | None = None) -> tuple[Library | None, list[str]]:
    """Parse and validate the library file; return it (if valid) and every problem found."""
    p = path or default_path()
    name = p.name
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [f"{name}: cannot read ({exc.strerror})"]
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return None, [f"{name}: not valid YAML{at}: {getattr(exc, 'problem', exc)}"]
    if raw is None:
        return None, [f"{name}: file is empty"]
    try:
        return Library.model_validate(raw), []
    except ValidationError as exc:
        problems = [
            f"{name}: {_where(raw, tuple(err['loc']))}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        ]
        return None, problems


@functools.cache
def load_library(path: Path | None = None) -> Library:
    """The validated exercise library (cached per path). Raises KnowledgeBaseError."""
    library, problems = read_library(path)
    if library is None:
        raise KnowledgeBaseError(problems)
    return library


def _exercise_sources(ex: Exercise) -> Iterable[tuple[str, str]]:
    for sid in ex.source:
        yield "source", sid
    for sid in ex.dosage.source:
        yield "dosage.source", sid


def check_library(
    library: Library,
    condition_ids: set[str],
    source_ids: set[str],
    illustrations_dir: Path,
) -> list[str]:
    """Cross-check the library against the knowledge base; return every located problem."""
    problems: list[str] = []

    def add(ex_id: str | None, problem: str) -> None:
        where = f"{FILE}: entry {ex_id!r}" if ex_id is not None else FILE
        problems.append(f"{where} → {problem}" if ex_id is not None else f"{where}: {problem}")

    counts = Counter(ex.id for ex in library.exercises)
    for ex_id, n in sorted(counts.items()):
        if n > 1:
            add(ex_id, f"id: appears {n} times")

    for ex in library.exercises:
        for cid in ex.suits:
            if cid != ANY and cid not in condition_ids:
                add(ex.id, f"suits: unknown condition {cid!r}")
        for cid in ex.never_for:
            if cid not in condition_ids:
                add(ex.id, f"never_for: unknown condition {cid!r}")
        for cid in sorted(set(ex.suits) & set(ex.never_for)):
            add(ex.id, f"suits and never_for both name {cid!r}; contraindications win, drop one")
        if ex.loads_bone:
            for cid in sorted(BONE_STRESS_CONDITIONS & set(ex.suits)):
                add(ex.id, f"suits: loads bone (loads_bone: true) so cannot suit {cid!r}")
        for field, sid in _exercise_sources(ex):
            if sid not in source_ids:
                add(ex.id, f"{field}: unknown source {sid!r} (add it to sources.yaml)")
        d = ex.dosage
        if d.reps is not None and d.reps_max is not None and d.reps_max < d.reps:
            add(ex.id, f"dosage.reps_max: {d.reps_max} is below reps {d.reps}")
        if d.reps_max is not None and d.reps is None:
            add(ex.id, "dosage.reps_max: set without reps")
        if d.hold_s is not None and d.hold_s_max is not None and d.hold_s_max < d.hold_s:
            add(ex.id, f"dosage.hold_s_max: {d.hold_s_max} is below hold_s {d.hold_s}")
        if d.hold_s_max is not None and d.hold_s is None:
            add(ex.id, "dosage.hold_s_max: set without hold_s")
        pic = ex.illustration
        if Path(pic).name != pic or not pic.endswith(".svg"):
            add(ex.id, f"illustration: {pic!r} must be a plain .svg file name")
        elif not (illustrations_dir / pic).is_file():
            add(ex.id, f"illustration: file {pic!r} not found in {illustrations_dir.name}/")

    by_id = {ex.id: ex for ex in library.exercises}
    for fid in FOUNDING_ARTICLE_IDS:
        found = by_id.get(fid)
        if found is None:
            add(None, f"founding-article exercise {fid!r} is missing")
        elif "FA" not in found.source or "FA" not in found.dosage.source:
            add(fid, "source: a founding-article exercise must cite FA (source and dosage.source)")
    return problems
