"""Treatment plans: urgency decides whether there is a programme at all, contraindications
always win over suitability, immediate care fits the likely cause, and every number comes
from ``rehab_rules.yaml``. The libraries here are small and built in the test, so these
tests do not depend on the real exercise data (one integration test uses it when present).
"""

from __future__ import annotations

import importlib.util
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcoach.assess.differential import Ranked
from hipcoach.assess.engine import Assessment
from hipcoach.assess.triage import TriageResult
from hipcoach.errors import KnowledgeBaseError
from hipcoach.kb.load import KnowledgeBase
from hipcoach.plan.library import Dosage, Exercise, Library, Variant
from hipcoach.plan.rules import load_rules, read_rules
from hipcoach.plan.treatment import TreatmentPlan, build_treatment, exclusion_reason
from hipcoach.urgency import Urgency

RULES = load_rules()
START = date(2026, 1, 5)
CASES = Path(__file__).parents[1] / "cases"


def ex(
    id: str,
    *,
    kind: str = "strength",
    suits: tuple[str, ...] = ("any",),
    phases: tuple[str, ...] = ("load", "strengthen"),
    never_for: tuple[str, ...] = (),
    loads_bone: bool = False,
    source: tuple[str, ...] = ("R15",),
    **dosage: Any,
) -> Exercise:
    dose = {"sets": 2, "reps": 10, "source": ["R15"]} | dosage
    return Exercise(
        id=id,
        name=id.replace("_", " ").capitalize(),
        kind=kind,
        steps=["Do it slowly."],
        dosage=Dosage(**dose),
        easier=Variant(name="Smaller range", how="Move less far."),
        suits=list(suits),
        phases=list(phases),
        never_for=list(never_for),
        never_for_reason="It harms that condition." if never_for else None,
        loads_bone=loads_bone,
        illustration=f"{id}.svg",
        source=list(source),
    )


LIBRARY = Library(
    version="test",
    exercises=[
        ex("isometric_abduction", kind="isometric", suits=("gtps", "itb_syndrome"),
           phases=("settle", "load"), reps=5, hold_s=30),
        ex("iliotibial_band_stretch", kind="stretch", suits=("itb_syndrome", "gtps"),
           phases=("load", "prevent"), never_for=("gtps",), source=("FA",), reps=3, hold_s=20),
        ex("clamshell", suits=("itb_syndrome",), never_for=("gtps",), source=("FA",)),
        ex("glute_bridge", suits=("gtps", "itb_syndrome", "proximal_hamstring_tendinopathy")),
        ex("hamstring_bridge", kind="isometric", suits=("proximal_hamstring_tendinopathy",),
           phases=("settle", "load"), reps=5, hold_s=30),
        ex("step_up", suits=("any",), phases=("strengthen", "return"), loads_bone=True),
        ex("hop_drill", suits=("any",), phases=("return",), loads_bone=True,
           never_for=("femoral_neck_stress_fracture",)),
        ex("adductor_squeeze", kind="isometric", suits=("adductor_strain",),
           phases=("settle", "load"), reps=5, hold_s=10),
        ex("cycling", kind="cross_training", suits=("gtps", "adductor_strain", "itb_syndrome"),
           phases=("settle", "load", "strengthen", "return"),
           never_for=("proximal_hamstring_tendinopathy",), minutes=20, reps=None, sets=None),
        ex("swimming", kind="cross_training", suits=("any",),
           phases=("settle", "load", "strengthen", "return"), minutes=20, reps=None, sets=None),
        ex("warm_up", kind="warm_up", suits=("any",), phases=("return",), minutes=5, reps=None),
    ],
)  # fmt: skip


def assessment(
    kb: KnowledgeBase, level: Urgency, probs: dict[str, float], *, screened: bool = True
) -> Assessment:
    """An assessment with chosen probabilities and urgency (the engine is tested elsewhere).
    ``screened``: the warning-sign questions were answered (all "no")."""
    ranked = tuple(
        Ranked(kb.condition_by_id[c], p, (), ())
        for c, p in sorted(probs.items(), key=lambda kv: -kv[1])
    )
    answers: dict[str, Any] = (
        {q.id: False for q in kb.questions if q.section == "red_flags" and q.always_ask}
        if screened
        else {}
    )
    return Assessment(kb, answers, {}, TriageResult(level, (), False), ranked, ())


def plan(
    kb: KnowledgeBase, level: Urgency, probs: dict[str, float], *, screened: bool = True, **kw: Any
) -> TreatmentPlan:
    a = assessment(kb, level, probs, screened=screened)
    return build_treatment(a, LIBRARY, RULES, start=START, **kw)


def programme_ids(p: TreatmentPlan) -> set[str]:
    ids = {e.id for ph in p.phases for e in ph.exercises}
    return ids | {i.exercise_id for d in p.days for i in d.items}


def texts(items: Any) -> str:
    return " ".join(a.text for a in items)


# --- the rules file ------------------------------------------------------------------------------


def test_the_rules_file_is_valid_and_cites_known_sources() -> None:
    rules, problems = read_rules()
    assert problems == [] and rules is not None


def test_a_number_without_source_or_estimate_is_refused(tmp_path: Path) -> None:
    src = Path(__file__).parents[2] / "src/hipcoach/knowledge"
    raw = yaml.safe_load((src / "rehab_rules.yaml").read_text())
    del raw["pain_monitoring"]["safe_max"]["source"]
    (tmp_path / "rehab_rules.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    (tmp_path / "sources.yaml").write_text((src / "sources.yaml").read_text())
    with pytest.raises(KnowledgeBaseError, match="safe_max"):
        load_rules(tmp_path / "rehab_rules.yaml")


def test_a_text_placeholder_without_a_value_is_refused(tmp_path: Path) -> None:
    src = Path(__file__).parents[2] / "src/hipcoach/knowledge"
    raw = yaml.safe_load((src / "rehab_rules.yaml").read_text())
    raw["treatment"]["ice"]["text"] += " Repeat {times} times."
    (tmp_path / "rehab_rules.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    _, problems = read_rules(tmp_path / "rehab_rules.yaml")
    assert any("times" in p for p in problems)


# --- urgency -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "probs"),
    [
        ("urgent", {"femoral_neck_stress_fracture": 0.6, "hip_flexor_strain_or_tendinopathy": 0.4}),
        ("urgent", {"gtps": 0.9, "tumour": 0.1}),
        ("emergency", {"septic_arthritis": 0.7, "gtps": 0.3}),
    ],
)
def test_urgent_and_emergency_results_get_no_programme(
    kb: KnowledgeBase, level: Urgency, probs: dict[str, float]
) -> None:
    p = plan(kb, level, probs)
    assert not p.has_programme and p.phases == () and p.days == ()
    assert p.no_programme is not None and "No exercise programme" in p.no_programme.text
    assert p.immediate[0].text == kb.triage.levels[level].action
    assert "Stop running" in texts(p.immediate)
    assert p.stop == () and p.keep == () and p.painkillers is None


def test_a_suspected_fnsf_is_told_not_to_hop(kb: KnowledgeBase) -> None:
    p = plan(kb, "urgent", {"femoral_neck_stress_fracture": 0.7})
    assert "hop" in texts(p.immediate)


# --- contraindications ---------------------------------------------------------------------------


def test_gluteal_tendinopathy_never_gets_an_it_band_stretch(kb: KnowledgeBase) -> None:
    for probs in (
        {"gtps": 0.9},
        {"itb_syndrome": 0.6, "gtps": 0.4},
        {"itb_syndrome": 0.9, "gtps": 0.06},
    ):
        p = plan(kb, "soon", probs)
        assert "iliotibial_band_stretch" not in programme_ids(p)
        assert "clamshell" not in programme_ids(p)
        assert "iliotibial_band_stretch" in {e.exercise_id for e in p.excluded}
        assert "Iliotibial band stretch" in texts(p.stop)  # named, so nobody adds it back


def test_unanswered_warning_signs_get_care_advice_but_no_programme(kb: KnowledgeBase) -> None:
    p = plan(kb, "soon", {"gtps": 0.9}, screened=False)
    assert not p.has_programme and p.days == ()
    assert p.no_programme is not None and "warning-sign questions were not answered" in (
        p.no_programme.text
    )
    assert p.painkillers is not None and p.immediate  # what to do now still stands


def test_itb_pain_without_gtps_gets_the_it_band_stretch(kb: KnowledgeBase) -> None:
    p = plan(kb, "self_care", {"itb_syndrome": 0.97, "gtps": 0.01})
    assert "iliotibial_band_stretch" in programme_ids(p)


def test_a_suspected_stress_fracture_never_gets_a_loads_bone_exercise(kb: KnowledgeBase) -> None:
    p = plan(kb, "soon", {"gtps": 0.85, "pelvic_or_sacral_stress_fracture": 0.10})
    assert p.has_programme
    loads_bone = {e.id for e in LIBRARY.exercises if e.loads_bone}
    assert not programme_ids(p) & loads_bone
    assert {"step_up", "hop_drill"} <= {e.exercise_id for e in p.excluded}


def test_only_exercises_for_the_likely_causes(kb: KnowledgeBase) -> None:
    p = plan(kb, "soon", {"adductor_strain": 0.95})
    for e in (e for ph in p.phases for e in ph.exercises):
        assert "adductor_strain" in e.suits or "any" in e.suits
    assert "glute_bridge" not in programme_ids(p)


def test_cross_training_respects_contraindications(kb: KnowledgeBase) -> None:
    p = plan(kb, "soon", {"proximal_hamstring_tendinopathy": 0.9})
    assert [e.id for e in p.cross_training] == ["swimming"]  # cycling is never for PHT
    assert all(i.exercise_id != "cycling" for d in p.days for i in d.items)


def test_exclusion_reason_puts_contraindications_first() -> None:
    stretch = next(e for e in LIBRARY.exercises if e.id == "iliotibial_band_stretch")
    why = exclusion_reason(stretch, ["itb_syndrome"], ["itb_syndrome", "gtps"], RULES)
    assert why is not None and why.startswith("not for Gluteal tendinopathy")
    assert exclusion_reason(stretch, ["itb_syndrome"], ["itb_syndrome"], RULES) is None


CONDITIONS = [
    "gtps", "itb_syndrome", "proximal_hamstring_tendinopathy", "adductor_strain",
    "femoral_neck_stress_fracture", "pelvic_or_sacral_stress_fracture", "fai_labral_tear",
]  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    weights=st.lists(st.floats(0.0, 1.0), min_size=len(CONDITIONS), max_size=len(CONDITIONS)),
    level=st.sampled_from(["self_care", "soon", "urgent", "emergency"]),
)
def test_no_programme_ever_holds_a_contraindicated_exercise(
    kb: KnowledgeBase, weights: list[float], level: Urgency
) -> None:
    total = sum(weights) or 1.0
    probs = (
        {c: w / total for c, w in zip(CONDITIONS, weights, strict=True)}
        if sum(weights)
        else {"gtps": 1.0}
    )
    p = plan(kb, level, probs)
    by_id = {e.id: e for e in LIBRARY.exercises}
    floor = RULES.treatment.contraindication_min_probability.value
    risky = {c for c, q in probs.items() if q >= floor} | set(p.conditions)
    bone = risky & set(RULES.treatment.bone_stress.conditions)
    for eid in programme_ids(p):
        e = by_id[eid]
        assert not set(e.never_for) & risky
        assert not (bone and e.loads_bone)
    if level in ("urgent", "emergency"):
        assert not p.has_programme and p.days == ()


# --- immediate care ------------------------------------------------------------------------------


def test_ice_with_the_usual_minutes_and_hours(kb: KnowledgeBase) -> None:
    p = plan(kb, "self_care", {"adductor_strain": 0.9})
    ice = RULES.treatment.ice.values
    text = texts(p.immediate)
    assert f"{ice['minutes'].min:g}–{ice['minutes'].max:g} minutes" in text  # type: ignore[union-attr]
    assert f"{ice['hours'].min:g}–{ice['hours'].max:g} hours" in text  # type: ignore[union-attr]


def test_compression_for_a_thigh_strain_but_not_for_the_deep_hip(kb: KnowledgeBase) -> None:
    assert "compression" in texts(plan(kb, "soon", {"hamstring_strain": 0.9}).immediate)
    deep = texts(plan(kb, "soon", {"fai_labral_tear": 0.9}).immediate)
    assert "compression" not in deep.lower()


def test_gtps_gets_no_compression_and_no_side_lying(kb: KnowledgeBase) -> None:
    care = texts(plan(kb, "soon", {"gtps": 0.9}).immediate)
    assert "No compression over the outer hip" in care
    assert "don't lie on the painful side" in care
    assert "wear them" not in care


def test_never_run_on_painkillers_with_the_bonn_marathon_figures(kb: KnowledgeBase) -> None:
    p = plan(kb, "soon", {"gtps": 0.9})
    assert p.painkillers is not None and "R63" in p.painkillers.source
    assert "never run while taking them" in p.painkillers.text
    assert "3,913" in p.painkillers.text and "9 hospital admissions" in p.painkillers.text


def test_when_to_see_a_physiotherapist(kb: KnowledgeBase) -> None:
    mild = plan(kb, "self_care", {"itb_syndrome": 0.9}).see_physio
    soon = plan(kb, "soon", {"itb_syndrome": 0.9}).see_physio
    assert mild is not None and "3–5 days" in mild.text and "7/10" in mild.text
    assert soon is not None and "within the next few days" in soon.text


def test_stop_and_keep_lists(kb: KnowledgeBase) -> None:
    p = plan(kb, "soon", {"gtps": 0.9})
    assert "Lying on the painful side" in texts(p.stop)
    assert "painkillers" in texts(p.stop)
    assert "Walking" in texts(p.keep) and "cycling" in texts(p.keep).lower()


# --- programme and calendar ----------------------------------------------------------------------


def test_phases_run_settle_load_strengthen_return_with_library_dosage(kb: KnowledgeBase) -> None:
    p = plan(kb, "soon", {"gtps": 0.9})
    assert [ph.phase for ph in p.phases] == ["settle", "load", "strengthen", "return"]
    settle = p.days[0]
    assert settle.kind == "rehab"
    item = next(i for i in settle.items if i.exercise_id == "isometric_abduction")
    assert (item.reps, item.hold_s, item.sets) == (5, 30, 2)
    cap = RULES.treatment.max_exercises_per_session.value
    assert all(len(ph.exercises) <= cap for ph in p.phases)


def test_calendar_has_daily_isometrics_then_alternate_days_with_cross_training(
    kb: KnowledgeBase,
) -> None:
    p = plan(kb, "soon", {"gtps": 0.9})
    rules = {r.id: r for r in RULES.treatment.phases}
    assert len(p.days) == RULES.treatment.plan_days.value
    assert [d.day for d in p.days] == [START + timedelta(days=i) for i in range(len(p.days))]
    settle_n = rules["settle"].preview_days.value
    assert all(d.kind == "rehab" for d in p.days[:settle_n])
    load = p.days[settle_n : settle_n + 7]
    assert [d.kind for d in load][::2] == ["rehab"] * 4
    off = [d.kind for d in load][1::2]
    assert off.count("cross_training") == rules["load"].cross_training_per_week.value
    assert "rest" in off
    assert len({d.uid_key for d in p.days}) == len(p.days)


def test_a_cause_without_exercises_says_so(kb: KnowledgeBase) -> None:
    p = plan(kb, "soon", {"meralgia_paresthetica": 0.9})
    assert not p.has_programme and p.days == ()
    assert p.no_programme is not None and "physiotherapist" in p.no_programme.text
    assert p.painkillers is not None  # the care advice is still there
    assert "nerve" in texts(p.immediate)  # and no ice for a nerve problem


def test_days_can_be_chosen(kb: KnowledgeBase) -> None:
    assert len(plan(kb, "soon", {"gtps": 0.9}, days=30).days) == 30


# --- with the real exercise library --------------------------------------------------------------

HAS_LIBRARY = importlib.util.find_spec("hipcoach.plan.library_load") is not None


@pytest.mark.skipif(not HAS_LIBRARY, reason="hipcoach.plan.library_load is not there yet")
def test_every_scenario_with_the_real_library(kb: KnowledgeBase, run: Any) -> None:
    from hipcoach.plan.library_load import load_library

    library = load_library()
    by_id = {e.id: e for e in library.exercises}
    bone = set(RULES.treatment.bone_stress.conditions)
    for path in sorted(CASES.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            case = json.loads(line)
            a = run(case["answers"])
            p = build_treatment(a, library, RULES, start=START)
            if a.triage.level in ("urgent", "emergency"):
                assert not p.has_programme and p.days == (), case["id"]
                continue
            for eid in programme_ids(p):
                e = by_id[eid]
                assert not set(e.never_for) & set(p.guarded), (case["id"], eid)
                assert not (e.loads_bone and bone & set(p.guarded)), (case["id"], eid)
            if "gtps" in p.guarded:
                assert "iliotibial_band_stretch" not in programme_ids(p), case["id"]


def test_first_days_ice_is_not_advised_for_pain_of_more_than_six_weeks(kb: KnowledgeBase) -> None:
    new = plan(kb, "soon", {"hamstring_strain": 0.9})
    ranked = tuple(
        Ranked(kb.condition_by_id[c], p, (), ()) for c, p in (("hamstring_strain", 0.9),)
    )
    answers = {q.id: False for q in kb.questions if q.section == "red_flags" and q.always_ask}
    old = Assessment(
        kb, {**answers, "duration": "months"}, {"dur_over_6w": True, "dur_under_1w": False},
        TriageResult("soon", (), False), ranked, (),
    )  # fmt: skip
    later = build_treatment(old, LIBRARY, RULES, start=START)
    hours = RULES.treatment.ice.values["hours"]
    assert f"{hours.min:g}–{hours.max:g}" in texts(new.immediate)
    assert f"{hours.min:g}–{hours.max:g}" not in texts(later.immediate)
    assert "first days of ice are past" in texts(later.immediate)
    assert "compression" in texts(new.immediate).lower()
    assert "compression" not in texts(later.immediate).lower()


def test_kb_check_finds_a_misspelt_condition_in_the_rehab_rules(tmp_path: Path) -> None:
    import shutil

    from hipcoach.kb.check import check

    src = Path(__file__).parents[2] / "src/hipcoach/knowledge"
    shutil.copytree(src, tmp_path / "knowledge")
    rules = tmp_path / "knowledge" / "rehab_rules.yaml"
    rules.write_text(
        rules.read_text().replace("- femoral_shaft_stress_fracture", "- femoral_shaft_stres")
    )
    problems, _ = check(tmp_path / "knowledge")
    assert any("bone_stress: unknown condition 'femoral_shaft_stres'" in p for p in problems)
