"""`hipcoach kb check`: everything ``load`` validates, plus whole-knowledge-base properties.

Beyond the per-entry rules enforced when loading (every number sourced or marked as an
estimate, probabilities in [0, 1], every referenced id known), this checks that:

* every condition id of the design contract exists;
* within one single-choice question, a condition's likelihoods add up to at most 1;
* every condition can come first for *some* set of answers (otherwise it could never be
  suggested, however typical the story) — its "most typical answers" are built from its
  own likelihoods and run through the real engine.
"""

from __future__ import annotations

from pathlib import Path

from hipcoach.kb.load import KnowledgeBase, default_dir, read
from hipcoach.kb.models import Condition

CONTRACT_CONDITIONS = (
    "femoral_neck_stress_fracture", "pelvic_or_sacral_stress_fracture", "gtps",
    "proximal_hamstring_tendinopathy", "hamstring_strain", "adductor_strain",
    "hip_flexor_strain_or_tendinopathy", "fai_labral_tear", "snapping_hip", "itb_syndrome",
    "deep_gluteal_piriformis", "lumbar_radiculopathy_referred", "si_joint",
    "osteitis_pubis_athletic_pubalgia", "hip_osteoarthritis", "meralgia_paresthetica",
    "septic_arthritis", "avascular_necrosis", "scfe", "tumour", "hernia",
    "visceral_or_vascular_referred",
)  # fmt: skip


def typical_answers(kb: KnowledgeBase, cond: Condition) -> dict[str, object]:
    """The answers most in favour of ``cond``: per question, the value with the best LR for it."""

    def ratio(fid: str, present: bool) -> float:
        lk = cond.findings.get(fid)
        base = kb.findings[fid].base_rate
        if lk is None:
            return 1.0
        without = lk.without if lk.without is not None else base
        return lk.with_ / without if present else (1 - lk.with_) / (1 - without)

    answers: dict[str, object] = {}
    for q in kb.questions:
        if q.type == "yes_no":
            assert q.finding
            yes, no = ratio(q.finding, True), ratio(q.finding, False)
            if max(yes, no) > 1.0:
                answers[q.id] = yes > no
        elif q.type == "multi":
            picked = [c.id for c in q.choices if c.finding and ratio(c.finding, True) > 1.0]
            if picked:
                answers[q.id] = picked
        elif q.type == "choice":
            # A question whose choices set no finding (which side hurts) is asked only to be
            # recorded: no answer to it favours any cause.
            scored = [(ratio(c.finding, True), c.id) for c in q.choices if c.finding]
            best = max(scored, default=(1.0, ""))
            if best[0] > 1.0:
                answers[q.id] = best[1]
        else:
            scored_b = [(ratio(b.finding, True), b) for b in q.bands]
            r, band = max(scored_b, key=lambda t: t[0])
            if r > 1.0:
                lo = band.min if band.min is not None else q.min
                hi = band.max if band.max is not None else q.max
                assert lo is not None and hi is not None
                answers[q.id] = float(int((lo + hi) / 2))
    return answers


def check(directory: Path | None = None) -> tuple[list[str], list[str]]:
    """Return (problems, summary lines)."""
    kb, problems = read(directory)
    problems = list(problems) + _other_files(directory)
    if kb is None:
        return problems, []
    problems.extend(_library(kb, directory))
    problems.extend(_rehab_references(kb, directory))
    for cid in CONTRACT_CONDITIONS:
        if cid not in kb.condition_by_id:
            problems.append(f"conditions/: contract condition {cid!r} is missing (add {cid}.yaml)")
    for f in kb.findings.values():
        if not 0.0 < f.base_rate < 1.0:
            problems.append(
                f"questions.yaml: entry {f.question!r}: base_rate of {f.id!r} must be strictly "
                "between 0 and 1"
            )
    for cond in kb.conditions:
        where = f"conditions/{cond.id}.yaml"
        for q in kb.questions:
            if q.type == "choice" or q.type in ("number", "scale"):
                total = sum(cond.findings[f].with_ for f in q.findings() if f in cond.findings)
                if total > 1.05:
                    problems.append(
                        f"{where}: findings of question {q.id!r} are mutually exclusive but their "
                        f"`with` values add up to {total:.2f} (> 1)"
                    )
        if not any(lk.with_ > kb.findings[f].base_rate for f, lk in cond.findings.items()):
            problems.append(f"{where}: no finding makes this condition more likely")
    if not problems:
        problems.extend(_reachability(kb))
    n_src = n_est = 0
    for cond in kb.conditions:
        for item in [cond.prior, *cond.findings.values()]:
            n_src += bool(item.source)
            n_est += not item.source
    summary = [
        f"knowledge base {kb.version}: {len(kb.conditions)} conditions, {len(kb.questions)} "
        f"questions, {len(kb.findings)} findings, {len(kb.triage.red_flags)} red-flag rules, "
        f"{len(kb.factors)} contributing factors, {len(kb.sources)} sources",
        f"condition numbers: {n_src} cite a source, {n_est} are marked as estimates",
    ]
    return problems, summary


def _other_files(directory: Path | None) -> list[str]:
    """The knowledge files beside the assessment's: training-load and rehab rules."""
    from hipcoach.plan.rules import read_rules as read_rehab_rules
    from hipcoach.training.rules import read_rules

    base = directory or default_dir()
    _, problems = read_rules(base / "training_rules.yaml")
    _, rehab = read_rehab_rules(base / "rehab_rules.yaml")
    return problems + rehab


def _rehab_references(kb: KnowledgeBase, directory: Path | None) -> list[str]:
    """Every condition and finding the rehab rules name exists: a misspelt id in the
    bone-stress list would silently let running through for that condition."""
    from hipcoach.plan.rules import read_rules as read_rehab_rules

    rules, _ = read_rehab_rules((directory or default_dir()) / "rehab_rules.yaml")
    if rules is None:
        return []
    t, rtr = rules.treatment, rules.return_to_run
    named = {
        "treatment.bone_stress": t.bone_stress.conditions,
        "treatment.ice": [*(t.ice.suits or []), *t.ice.not_for],
        "treatment.compression": [*(t.compression.suits or []), *t.compression.not_for],
        "treatment.avoid": list(t.avoid),
        "return_to_run.continuous_run": rtr.continuous_run.conditions,
        "return_to_run.before_running": rtr.before_running.conditions,
    }
    out = [
        f"rehab_rules.yaml: {where}: unknown condition {c!r}"
        for where, ids in named.items()
        for c in ids
        if c not in kb.condition_by_id
    ]
    out += [
        f"rehab_rules.yaml: treatment.not_new: unknown finding {f!r}"
        for f in t.not_new.findings
        if f not in kb.findings
    ]
    return out


def _library(kb: KnowledgeBase, directory: Path | None) -> list[str]:
    from hipcoach.plan.library_load import check_library, read_library

    base = directory or default_dir()
    library, problems = read_library(base / "exercises.yaml")
    if library is None:
        return problems
    return problems + check_library(
        library, set(kb.condition_by_id), set(kb.sources), base / "illustrations"
    )


def _reachability(kb: KnowledgeBase) -> list[str]:
    from hipcoach.assess.answers import parse_answers
    from hipcoach.assess.engine import assess

    out = []
    for cond in kb.conditions:
        result = assess(kb, parse_answers(kb, typical_answers(kb, cond)))
        top = result.top(len(kb.conditions))
        if top[0] != cond.id:
            out.append(
                f"conditions/{cond.id}.yaml: unreachable — even its most typical answers rank it "
                f"#{top.index(cond.id) + 1} (behind {', '.join(top[: top.index(cond.id)][:3])})"
            )
    return out
