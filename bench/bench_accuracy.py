"""Accuracy on external published cases. Not a test: prints figures (exit 1 when a target
is missed, so a long run can gate by hand).

    .venv/bin/python bench/bench_accuracy.py                  # the test split (the one to report)
    .venv/bin/python bench/bench_accuracy.py --split dev      # the split tuning may look at
    .venv/bin/python bench/bench_accuracy.py --json

The cases are in ``bench/external/`` (see its README): published case reports, exam
vignettes and teaching cases, encoded blind from the text, split once into dev and test.
Reported overall, per source kind, and with the very short cases (fewer than
``SHORT_BELOW`` answers) apart; with the calibration of the predicted probabilities
(every case × condition: predicted probability against whether it was the diagnosis).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hipcoach.assess.answers import parse_answers
from hipcoach.assess.engine import assess
from hipcoach.kb.load import KnowledgeBase, load
from hipcoach.urgency import rank

HERE = Path(__file__).parent / "external"
SHORT_BELOW = 4
TARGETS = {"top3": 0.85, "top1": 0.65, "exact": 0.75}
ANCHORS = (
    "symptom checkers 34% top-1 / 51% top-3 / 57% triage (Semigran 2015-16); "
    "physicians 72% top-1 / 84% top-3"
)
BINS = (0.0, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0001)


@dataclass
class Outcome:
    id: str
    kind: str
    short: bool
    condition: str | None
    urgency: str | None
    top3: list[str]
    got_urgency: str
    probabilities: dict[str, float]


def run(kb: KnowledgeBase, rows: Iterable[dict[str, Any]]) -> list[Outcome]:
    out = []
    for r in rows:
        answers = parse_answers(kb, r["answers"])
        a = assess(kb, answers)
        exp = r.get("expected") or {}
        out.append(
            Outcome(
                r["id"],
                r.get("source", {}).get("kind", "unknown"),
                sum(v is not None for v in answers.values()) < SHORT_BELOW,
                exp.get("condition"),
                exp.get("urgency"),
                a.top(3),
                a.triage.level,
                {x.condition.id: x.probability for x in a.ranked},
            )
        )
    return out


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    dx = [o for o in outcomes if o.condition]
    urg = [o for o in outcomes if o.urgency]

    def share(n: int, d: int) -> float | None:
        return round(n / d, 3) if d else None

    under = [o for o in urg if rank(o.got_urgency) < rank(o.urgency or "self_care")]
    serious_under = [o for o in under if o.urgency in ("emergency", "urgent")]
    return {
        "cases": len(outcomes),
        "top1": share(sum(o.top3[:1] == [o.condition] for o in dx), len(dx)),
        "top3": share(sum(o.condition in o.top3 for o in dx), len(dx)),
        "urgency_exact": share(sum(o.got_urgency == o.urgency for o in urg), len(urg)),
        "under_triaged": share(len(under), len(urg)),
        "over_triaged": share(
            sum(rank(o.got_urgency) > rank(o.urgency or "self_care") for o in urg), len(urg)
        ),
        "emergency_or_same_day_under_triaged": len(serious_under),
        "self_care_sent_to_emergency": sum(
            o.urgency == "self_care" and o.got_urgency == "emergency" for o in urg
        ),
    }


def calibration(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Predicted probability vs how often that condition was the diagnosis, per bin."""
    bins: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for o in outcomes:
        if not o.condition:
            continue
        for cid, p in o.probabilities.items():
            b = next(i for i in range(len(BINS) - 1) if BINS[i] <= p < BINS[i + 1])
            bins[b].append((p, cid == o.condition))
    return [
        {
            "bin": f"{BINS[i]:.2f}-{min(BINS[i + 1], 1):.2f}",
            "pairs": len(v),
            "mean_predicted": round(sum(p for p, _ in v) / len(v), 3),
            "observed": round(sum(hit for _, hit in v) / len(v), 3),
        }
        for i, v in sorted(bins.items())
    ]


def report(outcomes: list[Outcome]) -> dict[str, Any]:
    kinds = sorted({o.kind for o in outcomes})
    misses = [
        {
            "id": o.id,
            "expected": {"condition": o.condition, "urgency": o.urgency},
            "got": {"top3": o.top3, "urgency": o.got_urgency},
        }
        for o in outcomes
        if (o.condition and o.condition not in o.top3)
        or (o.urgency and rank(o.got_urgency) < rank(o.urgency))
    ]
    return {
        "all": summary(outcomes),
        "by_kind": {k: summary([o for o in outcomes if o.kind == k]) for k in kinds},
        "short_cases": summary([o for o in outcomes if o.short]),
        "not_short": summary([o for o in outcomes if not o.short]),
        "calibration": calibration(outcomes),
        "misses": misses,
        "anchors": ANCHORS,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("test", "test2", "dev"), default="test")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    path = HERE / f"{args.split}.jsonl"
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    kb = load()
    doc = {"split": args.split, "kb_version": kb.version, **report(run(kb, rows))}
    a = doc["all"]
    ok = (
        a["emergency_or_same_day_under_triaged"] == 0
        and a["self_care_sent_to_emergency"] == 0
        and all((a[k if k != "exact" else "urgency_exact"] or 0) >= v for k, v in TARGETS.items())
    )
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0 if ok else 1

    def pct(x: float | None) -> str:
        return "  —  " if x is None else f"{x:6.1%}"

    print(f"{path.name}: {a['cases']} cases, knowledge base {kb.version}")
    head = f"{'':22} {'cases':>5} {'top-1':>7} {'top-3':>7} {'exact':>7} {'under':>7} {'over':>7}"
    print(head)
    rows_out = [("all", a)] + [(f"kind: {k}", v) for k, v in doc["by_kind"].items()]
    rows_out += [
        (f"short (<{SHORT_BELOW} answers)", doc["short_cases"]),
        ("not short", doc["not_short"]),
    ]
    for name, s in rows_out:
        print(
            f"{name:22} {s['cases']:>5} {pct(s['top1'])} {pct(s['top3'])} "
            f"{pct(s['urgency_exact'])} {pct(s['under_triaged'])} {pct(s['over_triaged'])}"
        )
    print(
        f"emergency/same-day cases under-triaged: {a['emergency_or_same_day_under_triaged']}; "
        f"self-care sent to emergency: {a['self_care_sent_to_emergency']}"
    )
    print("calibration (predicted vs observed, every case x condition):")
    for c in doc["calibration"]:
        print(f"  {c['bin']:>10}  n={c['pairs']:>5}  predicted {c['mean_predicted']:.3f}  "
              f"observed {c['observed']:.3f}")  # fmt: skip
    print(f"anchors: {ANCHORS}")
    for m in doc["misses"]:
        print(f"  miss {m['id']}: expected {m['expected']}, got {m['got']}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
