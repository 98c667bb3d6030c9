"""How urgently to see a professional.

Red-flag rules come first and the most urgent one wins. Probabilities can only add
urgency (a must-not-miss condition above its threshold, or a likely condition's own
usual urgency); nothing can lower what a red flag says. Self-care is advised only when
the knowledge base's self-care criteria are *known* to hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipcoach.assess.differential import Ranked
from hipcoach.assess.logic import evaluate, supporting
from hipcoach.kb.load import KnowledgeBase
from hipcoach.urgency import Urgency, most_urgent, rank


@dataclass(frozen=True)
class Reason:
    level: Urgency
    text: str
    findings: tuple[str, ...]
    source: tuple[str, ...]
    kind: str  # red_flag | must_not_miss | condition | self_care
    rule: str


@dataclass(frozen=True)
class TriageResult:
    level: Urgency
    reasons: tuple[Reason, ...]
    stop_interview: bool


def red_flags(kb: KnowledgeBase, findings: Mapping[str, bool]) -> list[Reason]:
    out = []
    for rf in kb.triage.red_flags:
        if evaluate(rf.when, findings):
            out.append(
                Reason(
                    rf.urgency,
                    rf.reason,
                    tuple(supporting(rf.when, findings)),
                    tuple(rf.source),
                    "red_flag",
                    rf.id,
                )
            )
    return out


def _combined(kb: KnowledgeBase, ranked: Sequence[Ranked]) -> list[Reason]:
    """The causes that each need a given level of care, taken together: three serious causes
    at 10 % each are a 30 % chance of something that needs a doctor today, even though none
    reaches its own must-not-miss threshold. The most urgent level whose combined share
    reaches its threshold (``combined_urgency``) adds a reason."""
    rule = kb.triage.combined_urgency
    if rule is None:
        return []
    for level, threshold in sorted(rule.thresholds.items(), key=lambda kv: -rank(kv[0])):
        serious = [r for r in ranked if rank(r.condition.urgency.level) >= rank(level)]
        share = sum(r.probability for r in serious)
        if serious and share >= threshold.value:
            names = ", ".join(r.condition.short_name for r in serious[:3])
            text = rule.reason.replace("{share}", f"{share:.0%}").replace("{causes}", names)
            findings = tuple(dict.fromkeys(e.finding for r in serious[:3] for e in r.for_[:2]))
            return [Reason(level, text, findings, tuple(rule.source), "combined", "combined")]
    return []


def triage(
    kb: KnowledgeBase, findings: Mapping[str, bool], ranked: Sequence[Ranked]
) -> TriageResult:
    reasons = red_flags(kb, findings)
    stop = any(rf.stop_interview and evaluate(rf.when, findings) for rf in kb.triage.red_flags)
    min_p = kb.triage.condition_urgency_min_probability.value
    policy = kb.triage.self_care
    self_care_met = evaluate(policy.requires, findings) is True
    for r in ranked:
        c = r.condition
        if c.escalate and max(r.probability, r.own_probability) >= c.escalate.threshold.value:
            reasons.append(
                Reason(
                    c.escalate.urgency,
                    c.escalate.reason,
                    tuple(e.finding for e in r.for_[:4]),
                    tuple(c.escalate.source),
                    "must_not_miss",
                    c.id,
                )
            )
        if r.probability >= min_p and rank(c.urgency.level) > rank(
            "soon" if self_care_met else "self_care"
        ):
            # When the self-care criteria hold (mild, walking and standing pain-free,
            # settling), a likely condition that is usually "within days" does not override
            # them; one that needs a doctor today still does.
            reasons.append(
                Reason(
                    c.urgency.level,
                    f"{c.short_name} looks likely; it usually needs: "
                    f"{kb.triage.levels[c.urgency.level].title.lower()}.",
                    tuple(e.finding for e in r.for_[:4]),
                    tuple(c.urgency.source),
                    "condition",
                    c.id,
                )
            )
    # Only when nothing else reached that level: the sum adds nothing to a named reason.
    reasons.extend(
        c for c in _combined(kb, ranked) if all(rank(r.level) < rank(c.level) for r in reasons)
    )
    if self_care_met:
        stance = (
            "walking and standing on one leg are pain-free"
            if findings.get("sls_no_pain")
            else "walking is pain-free, with no limp and no pain at rest or at night"
        )
        base: Reason = Reason(
            "self_care",
            f"Mild pain, {stance}, and it is settling.",
            tuple(supporting(policy.requires, findings)),
            tuple(policy.source),
            "self_care",
            "self_care",
        )
    else:
        base = Reason(
            policy.otherwise,
            policy.reason_otherwise,
            (),
            tuple(policy.source),
            "self_care",
            "self_care_not_met",
        )
    reasons.append(base)
    level = most_urgent(*(r.level for r in reasons))
    # Most urgent first; the self-care line only matters when nothing else raised the level.
    # A same-day or emergency result shows only the reasons at its own level: "within days"
    # beside "call an ambulance" would blur what to do.
    ordered = sorted(reasons, key=lambda r: -rank(r.level))
    urgent = rank(level) >= rank("urgent")
    shown = tuple(r for r in ordered if r.level == level or (r.kind != "self_care" and not urgent))
    return TriageResult(level, shown, stop)
