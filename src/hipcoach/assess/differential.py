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
    own_probability: float = 0.0
    """This condition against "not this condition" (binary log-odds), ignoring how likely
    the others are. Must-not-miss escalation uses it too, so evidence *for* another
    condition can never talk a dangerous one below its threshold — and in it a warning
    sign that is present never counts *against* a condition (a red flag only adds
    urgency)."""


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
    logs = log_scores(kb, findings)
    probs = normalise(logs)
    evidence = _evidence(kb, findings)
    k = kb.manifest.settings.evidence_exponent.value
    screen = {f for f, info in kb.findings.items()
              if kb.question_by_id[info.question].section == "red_flags"}  # fmt: skip
    ranked = []
    for cond, p, ev, score in zip(kb.conditions, probs, evidence, logs, strict=True):
        pro = tuple(sorted((e for e in ev if e.lr > 1.0), key=lambda e: -e.lr))
        con = tuple(sorted((e for e in ev if e.lr < 1.0), key=lambda e: e.lr))
        # log score = log prior + Σ; the condition's own log-odds = that − log(1 − prior).
        logit = score - math.log1p(-cond.prior.value)
        logit -= k * sum(math.log(e.lr) for e in con if e.present and e.finding in screen)
        own = 1.0 / (1.0 + math.exp(-logit)) if logit > -700 else 0.0
        ranked.append(Ranked(cond, p, pro, con, own))
    ranked.sort(key=lambda r: -r.probability)
    return ranked
