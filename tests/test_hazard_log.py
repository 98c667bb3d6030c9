"""The clinical hazard log (docs/clinical-safety.md) stays honest: every hazard has a
section, every section names at least one test, and every test it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
LOG = ROOT / "docs" / "clinical-safety.md"


def _sections() -> dict[str, str]:
    text = LOG.read_text(encoding="utf-8")
    parts = re.split(r"^## (H\d+) ", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def _tests(body: str) -> list[str]:
    tail = body.split("**Tests**", 1)
    return re.findall(r"`(tests/[\w/]+\.py::\w+)`", tail[1]) if len(tail) == 2 else []


def _defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_every_hazard_in_the_table_has_a_section_and_back() -> None:
    table = set(re.findall(r"^\| (H\d+) \|", LOG.read_text(encoding="utf-8"), flags=re.M))
    assert table and table == set(_sections())


def test_every_hazard_names_a_test_and_every_named_test_exists() -> None:
    sections = _sections()
    assert len(sections) >= 10
    for hid, body in sections.items():
        named = _tests(body)
        assert named, f"{hid} has no test"
        for ref in named:
            file, name = ref.split("::")
            path = ROOT / file
            assert path.is_file(), f"{hid}: {file} does not exist"
            assert name in _defined(path), f"{hid}: {ref} does not exist"
