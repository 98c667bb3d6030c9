"""`hipcoach kb check` passes on the shipped knowledge base and pinpoints breakage."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hipcoach.kb.check import CONTRACT_CONDITIONS, check
from hipcoach.kb.load import default_dir


def test_shipped_knowledge_base_is_valid(cli):
    out = cli("kb", "check")
    assert out.exit_code == 0, out.stdout
    assert "knowledge base is valid" in out.stdout


def test_every_contract_condition_exists(kb):
    assert set(CONTRACT_CONDITIONS) <= set(kb.condition_by_id)


def test_every_condition_number_is_sourced_or_an_estimate(kb):
    for cond in kb.conditions:
        for item in [cond.prior, *cond.findings.values()]:
            assert item.source or (item.estimate and item.estimate.strip())


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(default_dir(), target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_number_without_source_is_named(broken, cli):
    _edit(
        broken / "conditions" / "gtps.yaml",
        'loc_groin: {with: 0.08, estimate: "groin pain points away from GTPS"}',
        "loc_groin: {with: 0.08}",
    )
    out = cli("kb", "check", "--dir", str(broken))
    assert out.exit_code == 1
    assert "conditions/gtps.yaml: findings.loc_groin" in out.stdout
    assert "no source and no 'estimate'" in out.stdout


def test_unknown_finding_is_named(broken):
    _edit(
        broken / "conditions" / "gtps.yaml",
        "  loc_outer_thigh:",
        "  loc_elbow: {with: 0.5, estimate: x}\n  loc_outer_thigh:",
    )
    problems, _ = check(broken)
    assert any("gtps.yaml: findings → loc_elbow" in p and "unknown finding" in p for p in problems)


def test_probability_out_of_range_is_named(broken):
    _edit(broken / "conditions" / "gtps.yaml", "prior: {value: 0.16", "prior: {value: 1.6")
    problems, _ = check(broken)
    assert any("gtps.yaml: prior.value" in p and "less than or equal to 1" in p for p in problems)


def test_unknown_source_is_named(broken):
    _edit(broken / "conditions" / "gtps.yaml", "source: [R13]", "source: [R999]")
    problems, _ = check(broken)
    assert any("gtps.yaml" in p and "unknown source 'R999'" in p for p in problems)


def test_malformed_yaml_names_file_and_line(broken):
    (broken / "factors.yaml").write_text("factors:\n  - id: x\n    when: [unclosed\n")
    problems, _ = check(broken)
    assert any(p.startswith("factors.yaml: not valid YAML at line") for p in problems)


def test_unknown_finding_in_red_flag_is_named(broken):
    _edit(broken / "triage.yaml", "when: cauda_equina_signs", "when: caudaequina")
    problems, _ = check(broken)
    assert any(
        "red flag 'cauda_equina'" in p and "unknown finding 'caudaequina'" in p for p in problems
    )


def test_unreachable_condition_is_reported(broken):
    path = broken / "conditions" / "snapping_hip.yaml"
    _edit(path, "prior: {value: 0.04", "prior: {value: 0.0000001")
    problems, _ = check(broken)
    assert any("snapping_hip.yaml: unreachable" in p for p in problems)


def test_engine_refuses_a_broken_knowledge_base(broken):
    from hipcoach.errors import KnowledgeBaseError
    from hipcoach.kb.load import load

    (broken / "kb.yaml").write_text("")
    with pytest.raises(KnowledgeBaseError, match=r"kb\.yaml: file is empty"):
        load(broken)


def test_training_rules_are_checked_too(broken):
    path = broken / "training_rules.yaml"
    text = path.read_text()
    assert "source: [R47" in text
    path.write_text(text.replace("source: [R47", "source: [R4777", 1))
    problems, _ = check(broken)
    assert any(p.startswith("training_rules.yaml") and "R4777" in p for p in problems)


def test_exercise_contraindications_are_checked_too(broken):
    path = broken / "exercises.yaml"
    text = path.read_text()
    path.write_text(text.replace("never_for: [gtps,", "never_for: [gtpz,", 1))
    problems, _ = check(broken)
    assert any(p.startswith("exercises.yaml") and "gtpz" in p for p in problems)
