"""Rank the likely causes: likelihood-ratio (naive Bayes) scoring over the findings.

For each condition c: log score = log prior(c) + k · Σ log LR_c(answer) over the answered
questions (see :mod:`hipcoach.assess.model` for how each LR is formed). Scores are then
normalised across conditions, so the probabilities read as "share of the explanation" and
the conditions compete: an answer that fits one condition well makes the others relatively
less likely. With ``without`` equal to the base rate this is multi-class naive Bayes.
``k`` (the ``evidence_exponent`` in kb.yaml) damps the over-confidence of treating
correlated findings as independent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from hipcoach.assess.model import compile_model
from hipcoach.kb.load import KnowledgeBase
from hipcoach.kb.models import Condition

SHOWN_LR = (0.8, 1.25)  # derived LRs closer to 1 than this are not worth explaining


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


def _evidence(kb: KnowledgeBase, findings: Mapping[str, bool]) -> list[list[Evidence]]:
    """Per condition, the LR of every answered question that bears on it."""
    model = compile_model(kb)
    out: list[list[Evidence]] = [[] for _ in kb.conditions]
    for fid, present in findings.items():
        for ci, lr_pos, lr_neg in model.independent.get(fid, ()):
            out[ci].append(Evidence(fid, present, lr_pos if present else lr_neg))
    for ex in model.exclusive:
        s = model.slot(ex, findings)
        if s is None:
            continue
        name = ex.slots[s] or f"{ex.question.id}:none"
        for ci in range(len(kb.conditions)):
            lr = ex.lr[ci][s]
            if ex.listed[ci][s] or not SHOWN_LR[0] < lr < SHOWN_LR[1]:
                out[ci].append(Evidence(name, True, lr))
    return out


def log_scores(kb: KnowledgeBase, findings: Mapping[str, bool]) -> list[float]:
    """Unnormalised log scores, one per condition in ``kb.conditions`` order."""
    model = compile_model(kb)
    k = kb.manifest.settings.evidence_exponent.value
    scores = list(model.log_prior)
    for fid, present in findings.items():
        for ci, lr_pos, lr_neg in model.independent.get(fid, ()):
            scores[ci] += k * math.log(lr_pos if present else lr_neg)
    for ex in model.exclusive:
        s = model.slot(ex, findings)
        if s is not None:
            for ci in range(len(scores)):
                scores[ci] += k * math.log(ex.lr[ci][s])
    return scores


def normalise(logs: list[float]) -> list[float]:
    top = max(logs)
    weights = [math.exp(x - top) for x in logs]
    total = sum(weights)
    return [w / total for w in weights]


def probabilities(kb: KnowledgeBase, findings: Mapping[str, bool]) -> list[float]:
    return normalise(log_scores(kb, findings))


def likelihood_ratio(kb: KnowledgeBase, cond: Condition, finding: str, present: bool) -> float:
    """The LR a single finding alone gives ``cond`` (1.0 when it says nothing about it)."""
    ci = kb.conditions.index(cond)
    single = {finding: present}
    return next((e.lr for e in _evidence(kb, single)[ci] if e.finding == finding), 1.0)


def rank(kb: KnowledgeBase, findings: Mapping[str, bool]) -> list[Ranked]:
    """Every condition with its probability and the evidence for and against, most likely first."""
    probs = probabilities(kb, findings)
    evidence = _evidence(kb, findings)
    ranked = []
    for cond, p, ev in zip(kb.conditions, probs, evidence, strict=True):
        pro = tuple(sorted((e for e in ev if e.lr > 1.0), key=lambda e: -e.lr))
        con = tuple(sorted((e for e in ev if e.lr < 1.0), key=lambda e: e.lr))
        ranked.append(Ranked(cond, p, pro, con))
    ranked.sort(key=lambda r: -r.probability)
    return ranked
