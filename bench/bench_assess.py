"""Benchmark the assessment engine and the CLI's cold start. Not a test: prints figures.

    .venv/bin/python bench/bench_assess.py

* full assessment: every question answered (a condition's most typical answers), answers
  already validated — the engine's cost per result;
* adaptive step: choosing the next question after the red-flag screen plus a few answers
  (expected information gain over every candidate question);
* ``hipcoach --help`` cold start, a fresh interpreter each time;
* ``hipcoach assess --answers`` end to end, a fresh interpreter each time.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hipcoach.assess.answers import parse_answers
from hipcoach.assess.engine import assess
from hipcoach.assess.interview import next_step
from hipcoach.kb.check import typical_answers
from hipcoach.kb.load import load


def timeit(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and best wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    kb = load()
    cond = kb.condition_by_id["gtps"]
    full = parse_answers(kb, typical_answers(kb, cond))
    for q in kb.questions:  # answer every remaining question too
        if q.id not in full:
            full[q.id] = False if q.type == "yes_no" else None
    screen = {q.id: full[q.id] for q in kb.questions if q.always_ask}
    partial = {**screen, "location": ["outer_hip"], "onset": "gradual"}
    exe = Path(sys.executable).with_name("hipcoach")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"answers": full}, fh)
        answers_file = fh.name

    rows = [
        (
            f"full assessment (all {len(kb.questions)} questions)",
            *timeit(lambda: assess(kb, full), 200),
        ),
        (
            f"adaptive next question ({len(partial)} answered)",
            *timeit(lambda: next_step(kb, partial), 50),
        ),
        (
            "hipcoach --help (cold start)",
            *timeit(lambda: subprocess.run([exe, "--help"], capture_output=True, check=True), 10),
        ),
        (
            "hipcoach assess --answers FILE --json",
            *timeit(
                lambda: subprocess.run(
                    [exe, "assess", "--answers", answers_file, "--json"],
                    capture_output=True,
                    check=True,
                ),
                10,
            ),
        ),
    ]
    os.unlink(answers_file)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{'benchmark':45} {'median ms':>10} {'best ms':>10}")
    for name, med, best in rows:
        print(f"{name:45} {med:10.2f} {best:10.2f}")


if __name__ == "__main__":
    main()
