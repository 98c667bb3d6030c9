"""End-to-end import benchmark: a generated Strava-style export of 3,000 one-hour runs.

    .venv/bin/python bench/bench_import.py [--runs 3000] [--source FILE.fit]

Builds ``export.zip`` (activities.csv + activities/<id>.fit.gz) from one real running
file of the shared corpus, each copy shifted in time (3,000 runs over ten years), then:

1. imports it into a fresh data folder (both cores) — target < 30 s;
2. imports it again — target < 5 s, and nothing new;
3. runs ``hipcoach load`` over the resulting ten-year history — target < 200 ms of work
   (also timed as a whole command, which adds interpreter start-up);
4. decodes a sample of the same files with fitdecode and with our decoder, side by side,
   and extrapolates fitdecode's decode-only time to the whole export.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT / "tests" / "data" / "fit" / "developer-types-sample.fit"
TEN_YEARS_S = 3652 * 86400

HEADER = [
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute",
    "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight", "Bike Weight",
    "Elapsed Time", "Moving Time", "Distance", "Perceived Exertion",
]  # fmt: skip


def build_export(source: Path, runs: int, out: Path) -> int:
    from hipcoach.importers.fit import decode, shift_timestamps

    data = source.read_bytes()
    fit = decode(data)
    first = fit.sessions[0]
    step = (TEN_YEARS_S // runs) // 32 * 32  # keep compressed timestamps valid
    start0 = first.start_time.to_datetime() if first.start_time else None
    assert start0 is not None, "the source file needs a session start time"
    back = (TEN_YEARS_S // 32) * 32  # first copy ten years before the original
    rows = io.StringIO()
    w = csv.writer(rows)
    w.writerow(HEADER)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
        for i in range(runs):
            shift = -back + i * step
            member = f"activities/{10_000_000 + i}.fit.gz"
            z.writestr(member, gzip.compress(shift_timestamps(data, shift), compresslevel=6))
            when = start0 + timedelta(seconds=shift)
            w.writerow([
                1_000_000 + i, when.strftime("%b %d, %Y, %-I:%M:%S %p"), f"Run {i}", "Run", "",
                round(first.total_elapsed_time or 0), f"{(first.total_distance or 0) / 1000:.2f}",
                "", "", "false", "", "Pegasus 40" if i % 2 else "Kinvara 14", member, "", "",
                first.total_elapsed_time, first.total_timer_time, first.total_distance,
                (i % 7) + 3,
            ])  # fmt: skip
        z.writestr("activities.csv", rows.getvalue())
    return len(fit.records)


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3000)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--fitdecode-sample", type=int, default=20)
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("hipcoach"))
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.zip"
        t0 = time.perf_counter()
        records = build_export(args.source, args.runs, export)
        built = time.perf_counter() - t0
        env = {**os.environ, "HIPCOACH_DATA_DIR": str(Path(tmp) / "data")}
        first = timed([exe, "import", str(export)], env)
        again = timed([exe, "import", str(export)], env)
        load_cmd = timed([exe, "load", "--json"], env)

        os.environ["HIPCOACH_DATA_DIR"] = env["HIPCOACH_DATA_DIR"]
        from hipcoach.services import load_report

        t0 = time.perf_counter()
        history, _ = load_report(today=datetime.now(UTC).date())
        load_work = time.perf_counter() - t0
        assert history is not None
        n_weeks = len(history.weeks)

        with zipfile.ZipFile(export) as z:
            names = [n for n in z.namelist() if n.endswith(".fit.gz")][: args.fitdecode_sample]
            files = [gzip.decompress(z.read(n)) for n in names]
        import fitdecode

        from hipcoach.importers.fit import decode

        t0 = time.perf_counter()
        for data in files:
            with fitdecode.FitReader(io.BytesIO(data)) as fr:
                for frame in fr:
                    if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record":
                        {f.name: f.value for f in frame.fields}
        fd = (time.perf_counter() - t0) / len(files)
        t0 = time.perf_counter()
        for data in files:
            decode(data)
        ours = (time.perf_counter() - t0) / len(files)

    py = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {py}")
    print(f"export: {args.runs} runs of {records} records each from {args.source.name}, "
          f"built in {built:.1f} s")  # fmt: skip
    print(f"import (fresh database)       {first:8.2f} s   target < 30 s")
    print(f"re-import (nothing new)       {again:8.2f} s   target < 5 s")
    print(f"hipcoach load --json (command){load_cmd:8.2f} s   incl. interpreter start-up")
    print(f"load + flags over {n_weeks} weeks   {load_work * 1000:8.1f} ms  target < 200 ms")
    print(f"decode one file: fitdecode {fd * 1000:.1f} ms, hipcoach {ours * 1000:.2f} ms "
          f"({fd / ours:.0f}x); fitdecode alone would need {fd * args.runs / 60:.1f} min "
          f"for the export on one core")  # fmt: skip


if __name__ == "__main__":
    main()
