"""Time ``hipcoach load`` over ten years of daily history (target: well under 200 ms).

Builds ~3,500 synthetic activities (runs with heart rate, RPE or neither; rides; shoes;
cadence), then times the whole analysis as the command will run it: load history, every
flag, and the contributing-factor list. Activity construction is not timed (the command
gets them from storage); loading the rules YAML is timed separately (it is cached).

    .venv/bin/python bench/bench_load.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from hipcoach.training.flags import contributing_factors, evaluate_history
from hipcoach.training.load import compute_load
from hipcoach.training.model import Activity
from hipcoach.training.rules import load_rules, read_rules


def synthetic_history(years: int = 10, seed: int = 7) -> list[Activity]:
    """About one activity a day with rest days, weekly long runs and periodic lighter weeks."""
    rng = random.Random(seed)
    start = datetime(2016, 1, 4, 7, 0, tzinfo=UTC)
    out: list[Activity] = []
    shoe, shoe_km = 0, 0.0
    for day in range(365 * years):
        if rng.random() < 0.04:  # rest day
            continue
        t = start + timedelta(days=day, minutes=rng.randint(0, 600))
        week_factor = 0.7 if (day // 7) % 4 == 3 else 1.0 + 0.02 * ((day // 7) % 4)
        if rng.random() < 0.18:
            secs = rng.uniform(2400, 7200)
            out.append(
                Activity("cycling", t, secs * 1.05, "fit", 3600, secs, secs * 7.5,
                         avg_hr=rng.uniform(115, 150), gear="Road bike")
            )  # fmt: skip
            continue
        km = (rng.uniform(5, 14) if day % 7 != 6 else rng.uniform(16, 30)) * week_factor
        speed = rng.uniform(2.6, 3.6)
        secs = km * 1000 / speed
        kind = rng.random()
        shoe_km += km
        if shoe_km > 700:
            shoe, shoe_km = shoe + 1, 0.0
        out.append(
            Activity(
                "running", t, secs * 1.03, "fit", 3600, secs, km * 1000,
                avg_hr=rng.uniform(130, 170) if kind < 0.8 else None,
                rpe=float(rng.randint(2, 8)) if 0.8 <= kind < 0.9 else None,
                avg_cadence_spm=rng.uniform(160, 180), gear=f"Shoe {shoe}",
            )
        )  # fmt: skip
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    t0 = time.perf_counter()
    read_rules()
    rules_ms = (time.perf_counter() - t0) * 1000
    rules = load_rules()
    acts = synthetic_history()
    today = max(a.start_utc for a in acts).date() + timedelta(days=1)
    assert isinstance(today, date)

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        h = compute_load(acts, rules, today=today)
        flags = evaluate_history(h, rules, units="km")
        contributing_factors(flags, today, rules)
        times.append((time.perf_counter() - t0) * 1000)

    runs = sum(a.is_run for a in acts)
    print(f"{len(acts)} activities ({runs} runs) over {len(h.weeks)} weeks, {len(flags)} flags")
    print(f"rules YAML read + validate (uncached): {rules_ms:.1f} ms")
    print(
        f"load + flags + factors: median {statistics.median(times):.1f} ms, "
        f"min {min(times):.1f} ms, max {max(times):.1f} ms over {args.repeat} runs"
    )
    print(f"python {platform.python_version()} on {platform.machine()} {platform.processor()}")


if __name__ == "__main__":
    main()
