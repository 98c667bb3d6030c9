"""The assessment use case: answers in, urgency + ranked causes + next steps out.

Pure: no I/O, no printing. The CLI and the web call :func:`assess` and render the
:class:`Assessment` (``to_dict`` is the stable JSON contract of the design doc).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hipcoach.assess.answers import Answer, findings_of
from hipcoach.assess.differential import Evidence, Ranked, rank
from hipcoach.assess.logic import evaluate, supporting
from hipcoach.assess.triage import TriageResult, triage
from hipcoach.kb.load import KnowledgeBase
from hipcoach.kb.models import Factor
from hipcoach.training.flags import ContributingFactor
from hipcoach.urgency import rank as urgency_rank

SIDE_QUESTION = "side"  # which side hurts: asked and shown, but no diagnostic finding


@dataclass(frozen=True)
class FactorHit:
    factor: Factor
    findings: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    kb: KnowledgeBase
    answers: Mapping[str, Answer]
    findings: Mapping[str, bool]
    triage: TriageResult
    ranked: tuple[Ranked, ...]
    factors: tuple[FactorHit, ...]
    history: tuple[ContributingFactor, ...] = ()
    from_history: Mapping[str, str] | None = None
    """Findings the runner did not answer that their training history supplied (→ flag id)."""

    @property
    def shown(self) -> list[Ranked]:
        """Conditions with a non-negligible probability, most likely first (at least three,
        but never one that rounds to 0 %: "0 % likely" tells the runner nothing)."""
        floor = self.kb.manifest.settings.report_min_probability
        return [
            r
            for i, r in enumerate(self.ranked)
            if (i < 3 or r.probability >= floor) and (i == 0 or round(r.probability * 100) >= 1)
        ]

    @property
    def shown_factors(self) -> list[FactorHit]:
        """Questionnaire factors not already shown, more specifically, from the history."""
        covered = {c.factor for c in self.history if c.factor}
        return [h for h in self.factors if h.factor.id not in covered]

    @property
    def warning_signs(self) -> tuple[str, ...]:
        """The warning-sign (red-flag screen) questions that apply to these answers."""
        return tuple(
            q.id
            for q in self.kb.questions
            if q.section == "red_flags"
            and q.always_ask
            and (q.ask_when is None or evaluate(q.ask_when, self.findings) is True)
        )

    @property
    def unchecked_warning_signs(self) -> tuple[str, ...]:
        """Warning-sign questions answered "don't know" or not at all: an unanswered
        warning sign is never reassurance, so plans and the result say so."""
        return tuple(q for q in self.warning_signs if self.answers.get(q) is None)

    def because(self, findings: Sequence[str]) -> list[str]:
        """The runner's own answers behind a reason, in words (those they gave, present or
        absent), so an urgent box speaks of what they said, not of what was never asked."""
        return [
            finding_text(self.kb, f, bool(self.findings[f]))
            for f in dict.fromkeys(findings)
            if f in self.findings and f in self.kb.findings
        ]

    def unchecked_notice(self) -> str | None:
        """The plain warning that warning signs were not checked (None when all were)."""
        if not self.unchecked_warning_signs:
            return None
        labels = [
            # A one-word label ("Clicking") reads badly in a list; the question says it all.
            (q.label if q.label and " " in q.label.strip() else q.text).rstrip(":?")
            for q in self.kb.questions
            if q.id in set(self.unchecked_warning_signs)
        ]
        return self.kb.triage.unchecked_notice.text.replace("{questions}", "; ".join(labels))

    def top(self, n: int = 3) -> list[str]:
        return [r.condition.id for r in self.ranked[:n]]

    def next_steps(self) -> list[str]:
        """What to do, in the words of the urgency level: an emergency or a same-day result
        gets only what fits it (no "see a physio within days"), and the safety net names
        only symptoms not already reported."""
        level = self.triage.level
        text = self.kb.triage.levels[level]
        steps = [text.title + ".", text.action]
        if urgency_rank(level) <= urgency_rank("soon"):
            # Condition advice only when it is safe to self-manage while waiting.
            for item in self.ranked[0].condition.advice[:2]:
                steps.append(item.text)
        for net in self.kb.triage.safety_net:
            if isinstance(net, str):
                steps.append(net)
            elif level in net.levels and (line := net.render(self.findings)) is not None:
                steps.append(line)
        return steps

    def side(self) -> str | None:
        """Which side hurts ("Left", "Right", "Both sides") as the runner answered, if asked."""
        q = self.kb.question_by_id.get(SIDE_QUESTION)
        answer = self.answers.get(SIDE_QUESTION)
        if q is None or answer is None:
            return None
        return next((c.label for c in q.choices if c.id == answer), None)

    def why_it_fits(self, r: Ranked, n: int = 3) -> str | None:
        """One plain sentence: the answers that speak most for this cause (present findings
        only, strongest first), or None when nothing the runner said points to it."""
        strongest = sorted((e for e in r.for_ if e.present and e.lr > 1), key=lambda e: -e.lr)
        words = [finding_text(self.kb, e.finding, True) for e in strongest[:n]]
        if not words:
            return None
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
        return f"It fits because of: {_lower(listed)}."

    def to_dict(self) -> dict[str, Any]:
        kb = self.kb

        def ev(e: Evidence) -> dict[str, Any]:
            return {
                "finding": e.finding,
                "present": e.present,
                "text": finding_text(kb, e.finding, e.present),
                "lr": round(e.lr, 2),
            }

        return {
            "urgency": {
                "level": self.triage.level,
                "title": kb.triage.levels[self.triage.level].title,
                "reasons": [
                    {
                        "text": r.text,
                        "level": r.level,
                        "kind": r.kind,
                        "rule": r.rule,
                        "findings": list(r.findings),
                        "because": self.because(r.findings),
                        "source": ", ".join(r.source),
                        "sources": list(r.source),
                    }
                    for r in self.triage.reasons
                ],
            },
            "conditions": [
                {
                    "id": r.condition.id,
                    "name": r.condition.name,
                    "probability": round(r.probability, 4),
                    "must_not_miss": r.condition.must_not_miss,
                    # Only what the runner has ("pain at the outer hip") speaks for a cause;
                    # an absent finding that nudges it up ("no fever") is no reason to think of it.
                    "for": [ev(e) for e in r.for_ if e.present],
                    "against": [ev(e) for e in r.against],
                    "sources": list(r.condition.sources),
                    "about": first_sentence(r.condition.description),
                    "location": r.condition.location,
                    "why": self.why_it_fits(r),
                }
                for r in self.shown
            ],
            "side": self.side(),
            "contributing_factors": [
                {
                    "id": f"history_{c.flag_id}",
                    "name": c.title,
                    "text": c.text,
                    "strength": c.strength,
                    "caveat": c.caveat,
                    "from_history": True,
                    "date": c.day.isoformat(),
                    "source": ", ".join(c.source),
                    "sources": list(c.source),
                }
                for c in self.history
            ]
            + [
                {
                    "id": h.factor.id,
                    "name": h.factor.name,
                    "text": h.factor.text,
                    "strength": h.factor.strength,
                    "findings": list(h.findings),
                    "source": ", ".join(h.factor.source),
                    "sources": list(h.factor.source),
                }
                for h in self.shown_factors
            ],
            "next_steps": self.next_steps(),
            "warning_signs": {
                "asked": list(self.warning_signs),
                "unchecked": list(self.unchecked_warning_signs),
                "notice": self.unchecked_notice(),
            },
            "disclaimer": kb.triage.disclaimer,
            "answered": sum(1 for v in self.answers.values() if v is not None),
            "from_history": dict(self.from_history or {}),
            "kb_version": kb.version,
        }


def finding_text(kb: KnowledgeBase, finding: str, present: bool) -> str:
    """A short phrase for a finding, present or absent, as a person would say it ("pain at
    the outside of the hip", "walking does not hurt"), for the "why" of a result."""
    if finding.endswith(":none"):  # the "none of these" answer of a choice question
        q = kb.question_by_id[finding.removesuffix(":none")]
        rest = next((c for c in q.choices if c.finding is None and not c.means_unknown), None)
        return f"{_head(q.label or q.text)}: {_lower(rest.label if rest else 'none')}"
    f = kb.findings[finding]
    q = kb.question_by_id[f.question]
    head = _head(q.label or q.text)
    if q.type == "yes_no":
        return head if present else negate(head)
    for c in q.choices:
        if c.finding == finding:
            return _choice_text(q.type, head, c.label, present)
    for b in q.bands:
        if b.finding == finding:
            lo = f"{b.min:g}" if b.min is not None else ""
            # Bands are stored as 16–34.99 so that 34.5 falls somewhere; people read "16–34".
            hi = f"{int(b.max) if b.max % 1 > 0.9 else b.max:g}" if b.max is not None else ""
            rng = f"{lo}–{hi}" if lo and hi else (f"{lo} or more" if lo else f"up to {hi}")
            if q.type == "scale" and q.max is not None:
                unit = f" out of {q.max:g}"
                head = re.sub(r"\s*\(.*?\)", "", head)  # "Worst pain (0–10)": the range is said
            else:
                unit = f" {q.unit}" if q.unit else ""
            return f"{head} {rng}{unit}" if present else f"{head} not {rng}{unit}"
    return finding


def first_sentence(text: str) -> str:
    """The first sentence of a condition's description: what it is, in one line."""
    text = " ".join(text.split())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return m.group(1) if m else text


def _head(label: str) -> str:
    return label.strip().rstrip(":?").strip()


def _lower(text: str) -> str:
    """Lower-case the first letter, unless the word is an abbreviation ("FADIR")."""
    if (len(text) > 1 and text[1].isupper()) or text.startswith(("I ", "I'")):
        return text
    return text[:1].lower() + text[1:]


def _choice_text(kind: str, head: str, label: str, present: bool) -> str:
    """A choice in a sentence. Where-questions ("Pain at") name a place; "Pain spreads"
    names a direction; "Also" lists symptoms; the others quote the answer after the topic."""
    part = _lower(label)
    if head.endswith(" at"):
        place = part.removeprefix("the ")
        return f"{head} the {place}" if present else f"No {_lower(head)} the {place}"
    if head.endswith(" spreads"):
        what = head.removesuffix(" spreads")
        return f"{head} {part}" if present else f"{what} does not spread {part}"
    if kind == "multi":
        return label if present else negate(label)
    return f"{head}: {part}" if present else f"{head}: not “{part}”"


_VERB = re.compile(r"^(?P<subject>.*?)\b(?P<verb>hurts|wakes|eases|brings|hurt)\b(?P<rest>.*)$")


def negate(statement: str) -> str:
    """The statement of a present finding turned into its absence: "Walking hurts" →
    "Walking does not hurt", "Pain at rest" → "No pain at rest". The labels in
    questions.yaml are written so that one of these patterns fits each of them."""
    s = statement.strip()
    if s.startswith("Cannot "):
        return "Can " + s.removeprefix("Cannot ")
    if s.startswith("Started with "):
        return "Did not start with " + s.removeprefix("Started with ")
    if s.startswith(("Hard to ", "Mostly ", "Injured ", "Pregnant ")):
        return "Not " + _lower(s)
    if " is " in s:
        return s.replace(" is ", " is not ", 1)
    if " getting " in s:
        return s.replace(" getting ", " not getting ", 1)
    if (m := _VERB.match(s)) and m["subject"].strip():
        subject, verb = m["subject"], m["verb"]
        aux = "do not" if verb == "hurt" else "does not"
        return f"{subject}{aux} {verb.removesuffix('s') if verb != 'hurt' else verb}{m['rest']}"
    if s.startswith(("A ", "An ")):
        return "No " + s.split(" ", 1)[1]
    if s.startswith("The "):
        return "Not: " + _lower(s)
    return "No " + _lower(s)


def contributing(kb: KnowledgeBase, findings: Mapping[str, bool]) -> tuple[FactorHit, ...]:
    return tuple(
        FactorHit(f, tuple(supporting(f.when, findings)))
        for f in kb.factors
        if evaluate(f.when, findings)
    )


def assess(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    history: Sequence[ContributingFactor] = (),
) -> Assessment:
    """Assess validated answers (see :func:`hipcoach.assess.answers.parse_answers`).

    ``history`` holds the training facts from the runner's imported activities. Where a
    fact points to a factor whose finding the runner left unanswered, the history answers
    it — so a load spike in the data raises the overuse conditions just as a "yes" would.
    The runner's own answers always win.
    """
    findings = findings_of(kb, answers)
    supplied: dict[str, str] = {}
    by_id = {f.id: f for f in kb.factors}
    for fact in history:
        factor = by_id.get(fact.factor or "")
        target = factor.history_finding if factor else None
        if target and target not in findings:
            findings[target] = True
            supplied[target] = fact.flag_id
    ranked = tuple(rank(kb, findings))
    return Assessment(
        kb,
        dict(answers),
        findings,
        triage(kb, findings, ranked),
        ranked,
        contributing(kb, findings),
        tuple(history),
        supplied,
    )
