"""The knowledge base compiled into likelihood-ratio tables the scorer can use directly.

Two kinds of question need different arithmetic:

* **independent findings** (yes/no questions, and each region of a multi-choice question):
  present → LR+ = with / without, absent → LR− = (1 − with) / (1 − without);
* **exclusive findings** (a single-choice question, or the bands of a number): exactly one
  answer is true, so only the chosen one counts — LR = P(choice | condition) / P(choice).
  Counting the unchosen answers as "absent" as well would count the same evidence twice.
  Where a condition gives likelihoods for only some choices, the rest share what is left
  (1 − the listed total) in proportion to their base rates, so an unlisted choice is never
  mistaken for "no information". A choice that sets no finding (e.g. "no lump") is the
  remainder of the question.

``without`` defaults to the finding's base rate among runners with hip pain.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from hipcoach.kb.load import KnowledgeBase
from hipcoach.kb.models import Question

FLOOR = 0.005  # smallest probability a derived (unlisted) share may take


@dataclass(frozen=True)
class Exclusive:
    question: Question
    slots: tuple[str | None, ...]  # finding per answer; None = the remainder choice
    lr: tuple[tuple[float, ...], ...]  # lr[condition][slot]
    listed: tuple[tuple[bool, ...], ...]  # whether the condition gave that slot itself


@dataclass(frozen=True)
class Model:
    kb: KnowledgeBase
    log_prior: tuple[float, ...]
    independent: Mapping[str, tuple[tuple[int, float, float], ...]]  # finding -> (cond, lr+, lr-)
    exclusive: tuple[Exclusive, ...]

    def slot(self, ex: Exclusive, findings: Mapping[str, bool]) -> int | None:
        """Which answer of an exclusive question the findings say was given (None: unanswered)."""
        known = False
        for i, fid in enumerate(ex.slots):
            if fid is None:
                continue
            value = findings.get(fid)
            if value:
                return i
            known = known or value is not None
        if known and None in ex.slots:
            return ex.slots.index(None)
        return None


def _without(kb: KnowledgeBase, fid: str, given: float | None) -> float:
    return given if given is not None else kb.findings[fid].base_rate


def _exclusive(kb: KnowledgeBase, q: Question) -> Exclusive:
    slots: list[str | None] = list(q.findings())
    base = [kb.findings[f].base_rate for f in q.findings()]
    has_rest = q.type == "choice" and any(
        c.finding is None and not c.means_unknown for c in q.choices
    )
    if has_rest:
        slots.append(None)
        base.append(max(FLOOR, 1.0 - sum(base)))
    lrs, listed_all = [], []
    for cond in kb.conditions:
        given = {i: cond.findings[f] for i, f in enumerate(slots) if f in cond.findings}
        listed_total = sum(lk.with_ for lk in given.values())
        rest_base = sum(b for i, b in enumerate(base) if i not in given)
        left = max(0.0, 1.0 - listed_total)
        row = []
        for i, fid in enumerate(slots):
            if i in given:
                lk = given[i]
                assert fid is not None
                row.append(lk.with_ / _without(kb, fid, lk.without))
            else:
                share = left * base[i] / rest_base if rest_base > 0 else 0.0
                row.append(max(FLOOR, share) / base[i])
        lrs.append(tuple(row))
        listed_all.append(tuple(i in given for i in range(len(slots))))
    return Exclusive(q, tuple(slots), tuple(lrs), tuple(listed_all))


@functools.cache
def compile_model(kb: KnowledgeBase) -> Model:
    exclusive_qs = [q for q in kb.questions if q.type in ("choice", "number", "scale")]
    exclusive_fids = {f for q in exclusive_qs for f in q.findings()}
    independent: dict[str, list[tuple[int, float, float]]] = {}
    for ci, cond in enumerate(kb.conditions):
        for fid, lk in cond.findings.items():
            if fid in exclusive_fids:
                continue
            w = _without(kb, fid, lk.without)
            independent.setdefault(fid, []).append((ci, lk.with_ / w, (1.0 - lk.with_) / (1.0 - w)))
    return Model(
        kb,
        tuple(math.log(c.prior.value) for c in kb.conditions),
        {f: tuple(v) for f, v in independent.items()},
        tuple(_exclusive(kb, q) for q in exclusive_qs),
    )
