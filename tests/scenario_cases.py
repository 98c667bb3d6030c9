"""The scenario cases (tests/cases/*.jsonl) by id, for tests that need one presentation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CASES = Path(__file__).parent / "cases"


def case_answers(file: str, case_id: str) -> dict[str, Any]:
    """The answers of case ``case_id`` in ``tests/cases/<file>``."""
    for line in (CASES / file).read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["id"] == case_id:
            return dict(case["answers"])
    raise KeyError(f"{case_id} not in {file}")
