"""What the adaptive interview costs and whether it stops too early. Not a test: prints figures.

    .venv/bin/python bench/bench_interview.py [CASES.jsonl ...]   (default: tests/cases/*.jsonl)

Each case's answers stand in for the runner: the interview asks, the case answers (or
"don't know" where it says nothing). Reported: questions asked, and how often the result
at the end of the interview is less urgent than, or ranks differently from, the result with
every answer the case has (the fixed full questionnaire) — the price of stopping early.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from hipcoach.assess.answers import Answers, parse_answers
from hipcoach.assess.engine import assess
from hipcoach.assess.interview import next_step
from hipcoach.kb.load import load
from hipcoach.urgency import rank


def main(argv: list[str]) -> int:
    kb = load()
    paths = [Path(p) for p in argv] or sorted(Path("tests/cases").glob("*.jsonl"))
    asked_n: list[int] = []
    under = differ = mnm_missed = 0
    cases = 0
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            full = parse_answers(kb, case["answers"])
            answers: Answers = {}
            for _ in range(len(kb.questions) + 1):
                step = next_step(kb, answers)
                if step.question is None:
                    break
                answers[step.question.id] = full.get(step.question.id)
            cases += 1
            asked_n.append(len(answers))
            end, whole = assess(kb, answers), assess(kb, full)
            under += rank(end.triage.level) < rank(whole.triage.level)
            differ += end.top(3) != whole.top(3)
            expected = (case.get("expected") or {}).get("condition")
            if expected and kb.condition_by_id[expected].must_not_miss:
                mnm_missed += expected in whole.top(3) and expected not in end.top(3)
    print(f"{cases} cases from {', '.join(p.name for p in paths)}")
    print(
        f"questions asked: mean {statistics.mean(asked_n):.1f}, median "
        f"{statistics.median(asked_n):.0f}, max {max(asked_n)} (of {len(kb.questions)})"
    )
    print(f"interview result less urgent than the full questionnaire's: {under}")
    print(f"top 3 differs from the full questionnaire's: {differ}")
    print(f"must-not-miss diagnosis in the full top 3 but not the interview's: {mnm_missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
