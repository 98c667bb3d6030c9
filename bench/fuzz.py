"""Long fuzzing campaign over the importers' harnesses (tests/importers/fuzz_targets.py).

Each target (fit, gpx, tcx, gzip, zip, strava, garmin) runs in a child process of its
own, one after the other (one core), for its share of the executions: a seed file from
tests/data, one to four mutations, one run of the reader. Counted per target:
executions, unexpected exceptions (each saved with its traceback under --crashes, a few
per distinct place), executions slower than --hang-s (saved too), and the child's peak
memory (ru_maxrss). A child stuck in one input for --watchdog-s is killed, its input
saved as a hang, and the target goes on in a new child. Target: >= 1,000,000
executions, 0 unexpected, 0 hangs over 2 s, peak memory under 500 MB.

    nice -n 10 .venv/bin/python bench/fuzz.py --total 1000000
    .venv/bin/python bench/fuzz.py --replay /tmp/hipcoach-fuzz/zip-unexpected-….bin --target zip
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import mmap
import os
import platform
import resource
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.importers.fuzz_targets import (  # noqa: E402 - after the path is set
    MAX_INPUT,
    TARGETS,
    Unexpected,
    mutate,
    random_mutations,
)

# Share of the executions per target, by cost: the zip-based targets are 20-50x slower.
WEIGHTS = {
    "fit": 0.40,
    "gzip": 0.28,
    "gpx": 0.12,
    "tcx": 0.08,
    "zip": 0.06,
    "strava": 0.03,
    "garmin": 0.03,
}
HEADER = struct.Struct("<QQ")  # executions so far, length of the input being run
SLOT = HEADER.size + MAX_INPUT + (1 << 20)
SAVED_PER_PLACE = 3


def child(target: str, execs: int, seed: int, slot: str, crashes: Path, hang_s: float) -> None:
    """Run ``execs`` executions of one target; print its counts as JSON at the end."""
    logging.getLogger("hipcoach.importers").propagate = False  # counted, not printed
    t = TARGETS[target]
    seeds = t.seeds()
    rng = Random(seed)
    places: dict[str, int] = {}
    unexpected = hangs = 0
    slowest = 0.0
    started = time.perf_counter()
    with open(slot, "r+b") as f:
        shared = mmap.mmap(f.fileno(), SLOT)
        for i in range(execs):
            data = mutate(rng.choice(seeds), random_mutations(rng), rng.choice(seeds))
            data = data[: SLOT - HEADER.size]
            shared[HEADER.size : HEADER.size + len(data)] = data
            HEADER.pack_into(shared, 0, i, len(data))
            t0 = time.perf_counter()
            try:
                t.run(data)
            except Unexpected as exc:
                unexpected += 1
                cause = exc.__cause__ or exc
                frames = traceback.extract_tb(cause.__traceback__)
                where = f"{type(cause).__name__}@{frames[-1].filename}:{frames[-1].lineno}"
                places[where] = places.get(where, 0) + 1
                if places[where] <= SAVED_PER_PLACE:
                    name = f"{target}-unexpected-{hashlib.sha256(data).hexdigest()[:12]}"
                    (crashes / f"{name}.bin").write_bytes(data)
                    text = "".join(traceback.format_exception(cause))
                    (crashes / f"{name}.txt").write_text(f"{exc}\n\n{text}", encoding="utf-8")
            took = time.perf_counter() - t0
            slowest = max(slowest, took)
            if took > hang_s:
                hangs += 1
                name = f"{target}-slow-{took:.1f}s-{hashlib.sha256(data).hexdigest()[:12]}.bin"
                (crashes / name).write_bytes(data)
        HEADER.pack_into(shared, 0, execs, 0)
    print(
        json.dumps(
            {
                "execs": execs,
                "unexpected": unexpected,
                "places": places,
                "hangs": hangs,
                "slowest_s": slowest,
                "seconds": time.perf_counter() - started,
                "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


@dataclass
class Stats:
    """One target's counts, summed over its child processes."""

    execs: int = 0
    unexpected: int = 0
    hangs: int = 0
    slowest_s: float = 0.0
    seconds: float = 0.0
    maxrss_mb: float = 0.0
    places: dict[str, int] = field(default_factory=dict)

    def add(self, part: dict[str, Any]) -> None:
        self.execs += int(part.get("execs", 0))
        self.unexpected += int(part.get("unexpected", 0))
        self.hangs += int(part.get("hangs", 0))
        self.seconds += float(part.get("seconds", 0.0))
        self.slowest_s = max(self.slowest_s, float(part.get("slowest_s", 0.0)))
        self.maxrss_mb = max(self.maxrss_mb, float(part.get("maxrss_mb", 0.0)))
        for k, v in dict(part.get("places", {})).items():
            self.places[k] = self.places.get(k, 0) + int(v)


def _progress(fd: int) -> tuple[int, int]:
    """(executions done, size of the input now running), read past any file buffering."""
    done, size = HEADER.unpack(os.pread(fd, HEADER.size, 0))
    return int(done), int(size)


def run_target(target: str, execs: int, args: argparse.Namespace) -> Stats:
    """One target's executions in child processes, restarted after a stuck input."""
    total = Stats()
    left, attempt = execs, 0
    with tempfile.NamedTemporaryFile(prefix="fuzz-slot-") as slot:
        slot.truncate(SLOT)
        slot.flush()
        while left > 0:
            seed = args.seed * 1000 + attempt
            cmd = [sys.executable, __file__, "--child", target, "--execs", str(left),
                   "--seed", str(seed), "--slot", slot.name, "--crashes", str(args.crashes),
                   "--hang-s", str(args.hang_s), "--mem-mb", str(args.mem_mb)]  # fmt: skip
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
            last, since = -1, time.monotonic()
            while proc.poll() is None:
                time.sleep(0.5)
                done, _ = _progress(slot.fileno())
                if done != last:
                    last, since = done, time.monotonic()
                elif time.monotonic() - since > args.watchdog_s:
                    proc.kill()
                    proc.wait()
                    done, size = _progress(slot.fileno())
                    data = os.pread(slot.fileno(), size, HEADER.size)
                    name = f"{target}-stuck-{hashlib.sha256(data).hexdigest()[:12]}.bin"
                    (args.crashes / name).write_bytes(data)
                    print(f"  {target}: stuck for {args.watchdog_s:.0f} s; input saved as {name}")
                    total.add({"execs": done + 1, "hangs": 1})
                    left -= done + 1
                    attempt += 1
                    break
            else:
                out = proc.stdout.read() if proc.stdout else ""
                if proc.returncode != 0 or not out.strip():
                    name = f"{target}-child-died-{attempt}.txt"
                    (args.crashes / name).write_text(out, encoding="utf-8")
                    done, size = _progress(slot.fileno())
                    data = os.pread(slot.fileno(), size, HEADER.size)
                    (args.crashes / f"{target}-died-{attempt}.bin").write_bytes(data)
                    print(f"  {target}: child exited with {proc.returncode}; input saved")
                    total.add({"execs": done + 1, "unexpected": 1})
                    left -= done + 1
                    attempt += 1
                    continue
                total.add(json.loads(out.strip().splitlines()[-1]))
                left = 0
    return total


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--total", type=int, default=1_000_000, help="executions over all targets")
    p.add_argument("--targets", default=",".join(WEIGHTS), help="comma-separated targets")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--crashes", type=Path, default=Path(tempfile.gettempdir()) / "hipcoach-fuzz")
    p.add_argument("--hang-s", type=float, default=2.0, help="slower executions are hangs")
    p.add_argument("--watchdog-s", type=float, default=30.0, help="kill a child stuck this long")
    p.add_argument("--mem-mb", type=int, default=2048, help="address-space limit per child")
    p.add_argument("--replay", type=Path, help="run one saved input and show what it raises")
    p.add_argument("--target", help="the target of --replay")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--execs", type=int, help=argparse.SUPPRESS)
    p.add_argument("--slot", help=argparse.SUPPRESS)
    args = p.parse_args()
    args.crashes.mkdir(parents=True, exist_ok=True)
    if args.child:
        limit = args.mem_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # a memory bomb fails alone
        child(args.child, args.execs, args.seed, args.slot, args.crashes, args.hang_s)
        return 0
    if args.replay:
        try:
            TARGETS[args.target].run(args.replay.read_bytes())
        except Unexpected as exc:
            traceback.print_exception(exc.__cause__ or exc)
            return 1
        print("no unexpected behaviour")
        return 0

    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    weight = sum(WEIGHTS[t] for t in targets)
    print(f"{platform.machine()}, Python {platform.python_version()}, pid {os.getpid()}; "
          f"{args.total:,} executions, crashes to {args.crashes}")  # fmt: skip
    rows = []
    started = time.perf_counter()
    for t in targets:
        share = max(1, round(args.total * WEIGHTS[t] / weight))
        r = run_target(t, share, args)
        rows.append(r)
        print(
            f"  {t:<7} {r.execs:>9,} execs in {r.seconds:7.1f} s  unexpected {r.unexpected}  "
            f"hangs {r.hangs}  slowest {r.slowest_s:.2f} s  peak {r.maxrss_mb:.0f} MB",
            flush=True,
        )
        for place, n in r.places.items():
            print(f"           {n} x {place}")
    execs = sum(r.execs for r in rows)
    unexpected = sum(r.unexpected for r in rows)
    hangs = sum(r.hangs for r in rows)
    peak = max(r.maxrss_mb for r in rows)
    slowest = max(r.slowest_s for r in rows)
    print(
        f"total: {execs:,} executions in {time.perf_counter() - started:.0f} s, "
        f"{unexpected} unexpected, {hangs} hangs over {args.hang_s:g} s "
        f"(slowest {slowest:.2f} s), peak memory {peak:.0f} MB"
    )
    ok = execs >= 1_000_000 and unexpected == 0 and hangs == 0 and peak < 500
    print("target met" if ok else "target NOT met (>= 1,000,000 execs, 0, 0, < 500 MB)")
    return 0 if unexpected == 0 and hangs == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
