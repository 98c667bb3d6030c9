"""Reading a knowledge file that must cite known sources: one reader for every rules file.

Parses YAML safely, validates it with a pydantic model, and checks every id under a
``source`` key against ``sources.yaml`` beside the file — returning the model (if usable)
and *all* problems, each naming the file and the field, for ``hipcoach kb check``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

try:  # libyaml is several times faster when present
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

M = TypeVar("M", bound=BaseModel)


def source_ids(node: Any) -> set[str]:
    """Every id under a ``source`` key anywhere in the raw YAML."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "source" and isinstance(value, list):
                found |= {str(v) for v in value}
            else:
                found |= source_ids(value)
    elif isinstance(node, list):
        for item in node:
            found |= source_ids(item)
    return found


def known_sources(directory: Path) -> set[str] | None:
    """The ids in ``sources.yaml`` of ``directory`` (None when there is no readable file)."""
    try:
        raw = yaml.load((directory / "sources.yaml").read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError):
        return None
    return {str(s.get("id")) for s in raw.get("sources", []) if isinstance(s, dict)}


def read_sourced(path: Path, model: type[M]) -> tuple[M | None, list[str]]:
    """Parse and validate ``path`` as ``model``; return it (if usable) and every problem."""
    name = path.name
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as exc:
        return None, [f"{name}: cannot read ({exc.strerror})"]
    except yaml.YAMLError as exc:
        return None, [f"{name}: not valid YAML: {exc}"]
    problems: list[str] = []
    parsed: M | None = None
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(x) for x in err["loc"]) or "top level"
            problems.append(f"{name}: {where}: {err['msg'].removeprefix('Value error, ')}")
    known = known_sources(path.parent)
    if known is not None:
        for sid in sorted(source_ids(raw) - known):
            problems.append(f"{name}: source id {sid!r} is not in sources.yaml")
    return (None if problems else parsed), problems
