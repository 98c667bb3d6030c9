"""Rank the likely causes: likelihood-ratio (naive Bayes) scoring over the findings.

For each condition c: log score = log prior(c) + k · Σ log LR_c(finding), where LR+ =
with / without and LR− = (1 − with) / (1 − without); ``without`` defaults to the finding's
base rate among runners with hip pain. Scores are then normalised across conditions, so
the probabilities read as "share of the explanation" and the conditions compete: a
finding that fits one condition well makes the others relatively less likely. With
``without`` equal to the base rate this is exactly multi-class naive Bayes. ``k`` (the
``evidence_exponent`` in kb.yaml) damps the over-confidence of treating correlated
findings as independent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from hipcoach.kb.load import KnowledgeBase
from hipcoach.kb.models import Condition


@dataclass(frozen=True)
class Evidence:
    finding: str
    present: bool
    lr: float


@dataclass(frozen=True)
class Ranked:
    condition: Condition
    probability: float
    for_: tuple[Evidence, ...]
    against: tuple[Evidence, ...]


def likelihood_ratio(kb: KnowledgeBase, cond: Condition, finding: str, present: bool) -> float:
    lk = cond.findings.get(finding)
    if lk is None:
        return 1.0
    without = lk.without if lk.without is not None else kb.findings[finding].base_rate
    if present:
        return lk.with_ / without
    return (1.0 - lk.with_) / (1.0 - without)


def log_scores(kb: KnowledgeBase, findings: Mapping[str, bool]) -> list[float]:
    """Unnormalised log scores, one per condition in ``kb.conditions`` order."""
    k = kb.manifest.settings.evidence_exponent.value
    out = []
    for cond in kb.conditions:
        total = math.log(cond.prior.value)
        for fid, _lk in cond.findings.items():
            present = findings.get(fid)
            if present is None:
                continue
            total += k * math.log(likelihood_ratio(kb, cond, fid, present))
        out.append(total)
    return out


def normalise(logs: list[float]) -> list[float]:
    top = max(logs)
    weights = [math.exp(x - top) for x in logs]
    total = sum(weights)
    return [w / total for w in weights]


def probabilities(kb: KnowledgeBase, findings: Mapping[str, bool]) -> list[float]:
    return normalise(log_scores(kb, findings))


def rank(kb: KnowledgeBase, findings: Mapping[str, bool]) -> list[Ranked]:
    """Every condition with its probability and the evidence for and against, most likely first."""
    probs = probabilities(kb, findings)
    ranked = []
    for cond, p in zip(kb.conditions, probs, strict=True):
        ev = []
        for fid in cond.findings:
            present = findings.get(fid)
            if present is not None:
                ev.append(Evidence(fid, present, likelihood_ratio(kb, cond, fid, present)))
        pro = tuple(sorted((e for e in ev if e.lr > 1.0), key=lambda e: -e.lr))
        con = tuple(sorted((e for e in ev if e.lr < 1.0), key=lambda e: e.lr))
        ranked.append(Ranked(cond, p, pro, con))
    ranked.sort(key=lambda r: -r.probability)
    return ranked
