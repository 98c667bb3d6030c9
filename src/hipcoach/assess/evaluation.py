"""Score the engine against labelled cases (vignettes): diagnosis and triage accuracy.

Metrics follow the symptom-checker literature so figures are comparable: the share of
cases whose expected condition is ranked first (top-1) or in the first three (top-3);
for urgency, the share exactly right, under-triaged (less urgent than expected — the
safety figure) and over-triaged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hipcoach.assess.answers import Answers
from hipcoach.assess.engine import assess
from hipcoach.kb.load import KnowledgeBase
from hipcoach.urgency import Urgency, rank


@dataclass(frozen=True)
class Case:
    id: str
    answers: Answers
    condition: str | None
    urgency: Urgency | None


@dataclass
class Report:
    cases: int = 0
    dx_cases: int = 0
    top1: int = 0
    top3: int = 0
    urg_cases: int = 0
    exact: int = 0
    under: int = 0
    over: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def share(n: int, d: int) -> float | None:
            return round(n / d, 4) if d else None

        return {
            "cases": self.cases,
            "top1": share(self.top1, self.dx_cases),
            "top3": share(self.top3, self.dx_cases),
            "diagnosis_cases": self.dx_cases,
            "urgency": {
                "cases": self.urg_cases,
                "exact": share(self.exact, self.urg_cases),
                "under": share(self.under, self.urg_cases),
                "over": share(self.over, self.urg_cases),
            },
            "failures": self.failures,
        }


def evaluate(kb: KnowledgeBase, cases: Iterable[Case]) -> Report:
    report = Report()
    for case in cases:
        report.cases += 1
        result = assess(kb, case.answers)
        top3 = result.top(3)
        level = result.triage.level
        problems = []
        if case.condition is not None:
            report.dx_cases += 1
            report.top1 += top3[0] == case.condition
            if case.condition in top3:
                report.top3 += 1
            else:
                problems.append("condition not in top 3")
        if case.urgency is not None:
            report.urg_cases += 1
            diff = rank(level) - rank(case.urgency)
            if diff == 0:
                report.exact += 1
            elif diff < 0:
                report.under += 1
                problems.append("UNDER-TRIAGED")
            else:
                report.over += 1
                problems.append("over-triaged")
        if problems:
            expected: dict[str, str] = {}
            if case.condition:
                expected["condition"] = case.condition
            if case.urgency:
                expected["urgency"] = case.urgency
            report.failures.append(
                {
                    "id": case.id,
                    "expected": expected,
                    "got": {"top3": top3, "urgency": level},
                    "problems": problems,
                }
            )
    return report
