"""The clinical scenario suite (tests/cases/*.jsonl), run through `hipcoach eval`.

Zero under-triage is required: no case may come back less urgent than expected.
The accuracy floors guard against regressions; the figures themselves are reported
by `hipcoach eval tests/cases/<file>`.
"""

from __future__ import annotations

import json

import pytest

from conftest import CASES_DIR

FILES = sorted(CASES_DIR.glob("*.jsonl"))


def test_there_are_scenario_files():
    assert {p.name for p in FILES} >= {"conditions.jsonl", "red_flags.jsonl", "self_care.jsonl"}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_no_case_is_under_triaged(cli, path):
    out = cli("eval", str(path), "--json")
    report = json.loads(out.stdout)
    under = [f for f in report["failures"] if "UNDER-TRIAGED" in f["problems"]]
    assert under == []
    assert report["urgency"]["under"] == 0.0
    assert out.exit_code == 0


def test_every_condition_has_at_least_three_cases(kb):
    counts = dict.fromkeys(kb.condition_by_id, 0)
    for line in (CASES_DIR / "conditions.jsonl").read_text().splitlines():
        if line.strip():
            cond = json.loads(line).get("expected", {}).get("condition")
            if cond:
                counts[cond] += 1
    assert {c: n for c, n in counts.items() if n < 3} == {}


def test_diagnostic_accuracy_floor(cli):
    report = json.loads(cli("eval", str(CASES_DIR / "conditions.jsonl"), "--json").stdout)
    assert report["top3"] >= 0.85
    assert report["top1"] >= 0.6


def test_every_red_flag_rule_is_exercised_by_a_case(kb, run):
    fired: set[str] = set()
    for path in FILES:
        for line in path.read_text().splitlines():
            if line.strip():
                result = run(json.loads(line)["answers"])
                fired |= {r.rule for r in result.triage.reasons if r.kind == "red_flag"}
    assert {rf.id for rf in kb.triage.red_flags} - fired == set()
