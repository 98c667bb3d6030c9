"""Which question to ask next.

Order: the red-flag screen (``always_ask``) first, in the knowledge base's order; an
emergency rule that says ``stop_interview`` ends the interview at once. Then the
question with the largest expected information gain over the ranked causes, among
those whose ``ask_when`` holds and whose safety gate is known to be satisfied. The
interview stops when no question is expected to teach much, or when the top three
causes and the urgency have not changed for a while.

A fixed, full questionnaire is the same machinery with ``adaptive=False``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipcoach.assess.answers import Answer, findings_of
from hipcoach.assess.differential import log_scores, normalise
from hipcoach.assess.engine import assess
from hipcoach.assess.logic import Findings, evaluate
from hipcoach.kb.load import KnowledgeBase
from hipcoach.kb.models import Question


@dataclass(frozen=True)
class Step:
    """What to ask next (``question`` is None when the interview is over) and why."""

    question: Question | None
    reason: str
    asked: int
    remaining_estimate: int


def askable(kb: KnowledgeBase, q: Question, findings: Findings) -> bool:
    """May ``q`` be put to the user now? Gates need *known* safety, not just no bad news."""
    if q.ask_when is not None and evaluate(q.ask_when, findings) is not True:
        return False
    return q.gate is None or evaluate(q.gate.requires, findings) is True


def _entropy(p: Sequence[float]) -> float:
    return -sum(x * math.log2(x) for x in p if x > 0)


def _outcomes(kb: KnowledgeBase, q: Question) -> list[list[tuple[str, bool]]]:
    """Each possible answer as the findings it sets (multi: approximated per choice)."""
    if q.type == "yes_no":
        assert q.finding
        return [[(q.finding, True)], [(q.finding, False)]]
    if q.type == "choice":
        fids = [c.finding for c in q.choices if c.finding]
        outs = [[(f, f == chosen) for f in fids] for chosen in fids]
        if any(c.finding is None and not c.means_unknown for c in q.choices):
            outs.append([(f, False) for f in fids])
        return outs
    if q.type in ("number", "scale"):
        fids = [b.finding for b in q.bands]
        return [[(f, f == chosen) for f in fids] for chosen in fids]
    return []  # multi handled in information_gain


def information_gain(kb: KnowledgeBase, q: Question, findings: Findings) -> float:
    """Expected reduction in entropy (bits) of the cause distribution from answering ``q``."""
    base_logs = log_scores(kb, findings)
    prior = normalise(base_logs)
    h0 = _entropy(prior)
    k = kb.manifest.settings.evidence_exponent.value
    if q.type == "multi":
        # Treat each choice as its own yes/no question and add the gains: an upper bound.
        return sum(
            _gain(kb, prior, h0, k, [[(c.finding, True)], [(c.finding, False)]])
            for c in q.choices
            if c.finding
        )
    return _gain(kb, prior, h0, k, _outcomes(kb, q))


def _gain(
    kb: KnowledgeBase,
    prior: list[float],
    h0: float,
    k: float,
    outcomes: list[list[tuple[str, bool]]],
) -> float:
    # P(outcome | condition) up to a per-outcome constant, from the likelihoods.
    like = []
    for out in outcomes:
        row = []
        for cond in kb.conditions:
            p = 1.0
            for fid, present in out:
                rate = kb.findings[fid].base_rate
                lk = cond.findings.get(fid)
                with_ = lk.with_ if lk else rate
                p *= with_ if present else 1.0 - with_
            row.append(p)
        like.append(row)
    # Normalise over outcomes for each condition so they form a distribution.
    for j in range(len(kb.conditions)):
        total = sum(like[i][j] for i in range(len(outcomes))) or 1.0
        for i in range(len(outcomes)):
            like[i][j] /= total
    expected = 0.0
    for i in range(len(outcomes)):
        p_out = sum(prior[j] * like[i][j] for j in range(len(prior)))
        if p_out <= 0:
            continue
        post = [prior[j] * like[i][j] ** k for j in range(len(prior))]
        s = sum(post)
        expected += p_out * _entropy([x / s for x in post])
    return max(0.0, h0 - expected)


def _signature(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> tuple[object, ...]:
    a = assess(kb, answers)
    return (tuple(a.top(3)), a.triage.level)


def stable_for(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> int:
    """How many of the latest answers left the top three causes and the urgency unchanged."""
    items = list(answers.items())
    last = _signature(kb, dict(items))
    n = 0
    for cut in range(len(items) - 1, 0, -1):
        if _signature(kb, dict(items[:cut])) != last:
            break
        n += 1
    return n


def next_step(kb: KnowledgeBase, answers: Mapping[str, Answer], *, adaptive: bool = True) -> Step:
    findings = findings_of(kb, answers)
    asked = len(answers)
    screen = [q for q in kb.questions if q.always_ask]
    for rf in kb.triage.red_flags:
        if rf.stop_interview and evaluate(rf.when, findings):
            return Step(None, f"emergency: {rf.id}", asked, 0)
    for q in screen:
        if q.id not in answers and askable(kb, q, findings):
            left = sum(1 for s in screen if s.id not in answers)
            return Step(q, "screen", asked, left + (6 if adaptive else 0))
    rest = [
        q
        for q in kb.questions
        if not q.always_ask and q.id not in answers and askable(kb, q, findings)
    ]
    if not rest:
        return Step(None, "no more questions", asked, 0)
    if not adaptive:
        return Step(rest[0], "full questionnaire", asked, len(rest))
    settings = kb.manifest.settings.interview
    gains = sorted(
        ((information_gain(kb, q, findings), i, q) for i, q in enumerate(rest)),
        key=lambda t: (-t[0], t[1]),
    )
    best_gain, _, best = gains[0]
    extra = asked - sum(1 for q in screen if q.id in answers)
    if best_gain < settings.min_information_gain:
        return Step(None, "no question is expected to change the result", asked, 0)
    if extra >= settings.min_questions and stable_for(kb, answers) >= settings.stable_after:
        return Step(None, "result stable", asked, 0)
    useful = sum(1 for g, _, _ in gains if g >= settings.min_information_gain)
    return Step(best, f"information gain {best_gain:.2f} bits", asked, min(useful, 12))


__all__ = ["Step", "askable", "information_gain", "next_step", "stable_for"]
