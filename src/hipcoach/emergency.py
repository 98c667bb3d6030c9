"""Which number to call in an emergency: the runner's own setting, else their locale's.

An emergency result shows a "call now" button; a wrong number there is a safety bug, so the
number is data (``knowledge/emergency_numbers.yaml``), the runner can set it, and the locale
only chooses the default.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from importlib import resources

import yaml

from hipcoach.errors import KnowledgeBaseError

_LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")
_TERRITORY = re.compile(r"^[a-z]{2,3}_([A-Z]{2})")


@functools.cache
def _numbers() -> tuple[str, dict[str, str]]:
    path = resources.files("hipcoach") / "knowledge" / "emergency_numbers.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return str(data["default"]), {str(k): str(v) for k, v in data["numbers"].items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise KnowledgeBaseError([f"emergency_numbers.yaml: {exc}"]) from None


def country(env: Mapping[str, str] | None = None) -> str | None:
    """The country of the locale (``en_GB.UTF-8`` → ``GB``), None when it names none."""
    env = os.environ if env is None else env
    for var in _LOCALE_VARS:
        if value := env.get(var):
            m = _TERRITORY.match(value)
            return m.group(1) if m else None
    return None


def default_number(env: Mapping[str, str] | None = None) -> str:
    """The emergency number for the locale's country, or the fallback (112)."""
    fallback, numbers = _numbers()
    found = country(env)
    return numbers.get(found, fallback) if found else fallback


def emergency_number(saved: str | None, env: Mapping[str, str] | None = None) -> str:
    """The runner's saved number when they set one, else the locale's."""
    return saved or default_number(env)
