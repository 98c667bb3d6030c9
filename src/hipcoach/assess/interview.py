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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from hipcoach.assess.answers import Answer, findings_of
from hipcoach.assess.differential import log_scores, normalise
from hipcoach.assess.engine import assess
from hipcoach.assess.logic import Findings, evaluate
from hipcoach.assess.model import compile_model
from hipcoach.kb.load import KnowledgeBase
from hipcoach.kb.models import Question
from hipcoach.urgency import rank


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


def information_gain(kb: KnowledgeBase, q: Question, findings: Findings) -> float:
    """Expected reduction in entropy (bits) of the cause distribution from answering ``q``."""
    model = compile_model(kb)
    prior = normalise(log_scores(kb, findings))
    h0 = _entropy(prior)
    k = kb.manifest.settings.evidence_exponent.value
    n = len(kb.conditions)
    ex = next((e for e in model.exclusive if e.question.id == q.id), None)
    if ex is not None:
        base = [
            kb.findings[f].base_rate
            if f
            else max(0.005, 1 - sum(kb.findings[g].base_rate for g in ex.slots if g))
            for f in ex.slots
        ]
        # P(answer | condition) = LR × base rate, normalised per condition.
        like = [[ex.lr[c][s] * base[s] for s in range(len(ex.slots))] for c in range(n)]
        like = [[x / sum(row) for x in row] for row in like]
        lrs = [[ex.lr[c][s] for c in range(n)] for s in range(len(ex.slots))]
        return _gain(
            prior, h0, k, [[like[c][s] for c in range(n)] for s in range(len(ex.slots))], lrs
        )
    total = 0.0
    for fid in q.findings():  # yes/no, or each region of a multi-choice: one binary question each
        lr_pos = [1.0] * n
        lr_neg = [1.0] * n
        for ci, lp, ln in model.independent.get(fid, ()):
            lr_pos[ci], lr_neg[ci] = lp, ln
        rate = kb.findings[fid].base_rate
        p_pos = [min(1.0, lr_pos[c] * rate) for c in range(n)]
        total += _gain(prior, h0, k, [p_pos, [1 - x for x in p_pos]], [lr_pos, lr_neg])
    return total


def _gain(
    prior: list[float],
    h0: float,
    k: float,
    like: list[list[float]],
    lrs: list[list[float]],
) -> float:
    """H(prior) − E[H(posterior)]; like[outcome][condition], lrs[outcome][condition]."""
    expected = 0.0
    for out_like, out_lr in zip(like, lrs, strict=True):
        p_out = sum(p * lk for p, lk in zip(prior, out_like, strict=True))
        if p_out <= 0:
            continue
        post = [p * lr**k for p, lr in zip(prior, out_lr, strict=True)]
        s = sum(post)
        expected += p_out * _entropy([x / s for x in post])
    return max(0.0, h0 - expected)


def _possible_answers(q: Question) -> list[Answer]:
    """One representative of every distinct answer to ``q``."""
    if q.type == "yes_no":
        return [True, False]
    if q.type == "choice":
        return [c.id for c in q.choices if not c.means_unknown]
    if q.type == "multi":
        return [[c.id] for c in q.choices]
    out: list[Answer] = []
    for b in q.bands:
        lo = b.min if b.min is not None else q.min
        hi = b.max if b.max is not None else q.max
        assert lo is not None and hi is not None
        out.append(float(round((lo + hi) / 2)))
    return out


def could_raise_urgency(kb: KnowledgeBase, answers: Mapping[str, Answer], q: Question) -> int:
    """How many levels some answer to ``q`` would raise the urgency by (0: none would)."""
    current = rank(assess(kb, answers).triage.level)
    best = 0
    for value in _possible_answers(q):
        level = rank(assess(kb, {**answers, q.id: value}).triage.level)
        best = max(best, level - current)
    return best


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


RECHECK = 'warning sign answered "don\'t know": asked once more'


def _recheck(
    kb: KnowledgeBase, answers: Mapping[str, Answer], rechecked: Collection[str], step: Step
) -> Step:
    """Before the interview ends, put each warning-sign question answered "don't know" once
    more (those in ``rechecked`` were already asked twice): an unanswered warning sign is
    never reassurance, so the runner gets a second chance to answer it."""
    if step.question is not None or step.reason.startswith("emergency"):
        return step
    findings = findings_of(kb, answers)
    again = [q for q in _unsure_warning_signs(kb, answers, rechecked) if askable(kb, q, findings)]
    if not again:
        return step
    return Step(again[0], RECHECK, step.asked, len(again) - 1)


def _unsure_warning_signs(
    kb: KnowledgeBase, answers: Mapping[str, Answer], rechecked: Collection[str]
) -> list[Question]:
    """Warning-sign questions answered "don't know" and not yet asked a second time."""
    return [
        q
        for q in kb.questions
        if q.always_ask
        and q.section == "red_flags"
        and q.id in answers
        and answers[q.id] is None
        and q.id not in rechecked
    ]


def _rechecks_due(
    kb: KnowledgeBase, answers: Mapping[str, Answer], rechecked: Collection[str]
) -> int:
    """Warning-sign questions answered "don't know" that will be put once more at the end."""
    return len(_unsure_warning_signs(kb, answers, rechecked))


def next_step(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    *,
    adaptive: bool = True,
    rechecked: Collection[str] | None = None,
) -> Step:
    """The next question, or None when the interview is over.

    ``rechecked``: the warning-sign questions already asked a second time. When given, the
    interview asks every warning sign answered "don't know" once more before it ends
    (callers that keep no such record pass None and get no second pass).
    """
    step = _next_step(kb, answers, adaptive=adaptive)
    if rechecked is None:
        return step
    again = _recheck(kb, answers, rechecked, step)
    if again is step and step.question is not None:
        # The second pass over "don't know" warning signs comes on top of what is left.
        due = _rechecks_due(kb, answers, rechecked)
        return Step(step.question, step.reason, step.asked, step.remaining_estimate + due)
    return again


def deciding_strength(kb: KnowledgeBase, q: Question, condition_index: int) -> float:
    """How strongly some answer to ``q`` moves one condition: the largest |log LR| over the
    question's answers (0 when the condition does not mention it)."""
    model = compile_model(kb)
    ex = next((e for e in model.exclusive if e.question.id == q.id), None)
    if ex is not None:
        return max((abs(math.log(lr)) for lr in ex.lr[condition_index] if lr > 0), default=0.0)
    best = 0.0
    for fid in q.findings():
        for ci, lp, ln in model.independent.get(fid, ()):
            if ci == condition_index:
                best = max(best, abs(math.log(lp)), abs(math.log(ln)) if ln > 0 else 0.0)
    return best


def must_not_miss_question(
    kb: KnowledgeBase, answers: Mapping[str, Answer], rest: Sequence[Question]
) -> tuple[Question, str] | None:
    """The unanswered question that best decides a must-not-miss condition still in play
    (probability at least ``interview.must_not_miss_floor``), if one moves it by at least
    ``interview.must_not_miss_min_lr``: the risk questions of a femoral neck stress fracture
    (load increase, energy deficiency, a previous stress fracture) are asked before the
    interview may stop, whatever their information gain over all the causes."""
    settings = kb.manifest.settings.interview
    ranked = assess(kb, answers).ranked
    index = {c.id: i for i, c in enumerate(kb.conditions)}
    floor = math.log(settings.must_not_miss_min_lr)
    for r in ranked:  # most likely first
        c = r.condition
        if (
            not c.must_not_miss
            or max(r.probability, r.own_probability) < settings.must_not_miss_floor
        ):
            continue
        scored = [(deciding_strength(kb, q, index[c.id]), -i, q) for i, q in enumerate(rest)]
        strength, _, q = max(scored, key=lambda t: (t[0], t[1]), default=(0.0, 0, None))
        if q is not None and strength >= floor:
            return q, c.id
    return None


def _adaptive_guess(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> int:
    """How many questions the adaptive part will ask, as seen during the screen: those still
    expected to teach something, but no more than the minimum it asks before it may stop."""
    findings = findings_of(kb, answers)
    settings = kb.manifest.settings.interview
    useful = sum(
        1
        for q in kb.questions
        if not q.always_ask
        and q.id not in answers
        and askable(kb, q, findings)
        and information_gain(kb, q, findings) >= settings.min_information_gain
    )
    return min(settings.min_questions, useful)


def _next_step(kb: KnowledgeBase, answers: Mapping[str, Answer], *, adaptive: bool) -> Step:
    findings = findings_of(kb, answers)
    asked = len(answers)
    screen = [q for q in kb.questions if q.always_ask]
    for rf in kb.triage.red_flags:
        if rf.stop_interview and evaluate(rf.when, findings):
            return Step(None, f"emergency: {rf.id}", asked, 0)
    settings = kb.manifest.settings.interview
    for q in screen:
        if q.id not in answers and askable(kb, q, findings):
            # After this one: the rest of the screen that may still apply (a follow-up such as
            # "leg deformity" only after an injury), then at least the adaptive minimum.
            left = sum(
                1
                for s in screen
                if s.id not in answers
                and s.id != q.id
                and (s.ask_when is None or evaluate(s.ask_when, findings) is not False)
            )
            return Step(
                q, "screen", asked, left + (_adaptive_guess(kb, answers) if adaptive else 0)
            )
    rest = [
        q
        for q in kb.questions
        if not q.always_ask and q.id not in answers and askable(kb, q, findings)
    ]
    if not rest:
        return Step(None, "no more questions", asked, 0)
    if not adaptive:
        return Step(rest[0], "full questionnaire", asked, len(rest) - 1)
    # Safety before efficiency: a question that could make the result more urgent is asked
    # before the interview may stop, whatever its information gain.
    raising = [(could_raise_urgency(kb, answers, q), i, q) for i, q in enumerate(rest)]
    raising = [t for t in raising if t[0] > 0]
    gains = sorted(
        ((information_gain(kb, q, findings), i, q) for i, q in enumerate(rest)),
        key=lambda t: (-t[0], t[1]),
    )
    useful = {q.id for g, _, q in gains if g >= settings.min_information_gain}
    extra = asked - sum(1 for q in screen if q.id in answers)
    stable = stable_for(kb, answers)
    # After this one: until the adaptive minimum is reached and the result has been stable
    # for long enough, never more than the questions still worth asking.
    need = max(settings.min_questions - extra, settings.stable_after - stable) - 1
    left = max(0, min(need, len(useful | {q.id for _, _, q in raising}) - 1))
    if raising:
        lift, _, q = max(raising, key=lambda t: (t[0], -t[1]))
        return Step(q, f"could change the urgency by {lift} level(s)", asked, left)
    best_gain, _, best = gains[0]
    if best_gain < settings.min_information_gain or (
        extra >= settings.min_questions and stable >= settings.stable_after
    ):
        # Before stopping: the questions that decide a must-not-miss condition still in play.
        if (found := must_not_miss_question(kb, answers, rest)) is not None:
            q, cid = found
            return Step(q, f"decides a must-not-miss condition ({cid})", asked, left)
        why = (
            "result stable"
            if best_gain >= settings.min_information_gain
            else ("no question is expected to change the result")
        )
        return Step(None, why, asked, 0)
    return Step(best, f"information gain {best_gain:.2f} bits", asked, left)


__all__ = ["RECHECK", "Step", "askable", "information_gain", "next_step", "stable_for"]
