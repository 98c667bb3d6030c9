"""FIT decoding speed: hipcoach's decoder against fitdecode, side by side. Prints figures.

    .venv/bin/python bench/bench_fit_decode.py [FIT_DIR] [--repeat 3] [--hour-run FILE]

FIT_DIR defaults to ../shared/data/activities/fit relative to the repository root (the
shared sample corpus); its valid files (not bad/) are decoded. Like the project's shared
``bench_parsers.py``: each file is read into memory once, each decoder gets the bytes,
garbage is collected before every run, and the best wall time of ``--repeat`` runs per
file counts (one run when a run exceeds 20 s). fitdecode iterates every frame and builds
``{name: value}`` for each record (its defaults: CRC checked, warnings for oddities);
hipcoach's decoder builds the whole ``FitFile`` and then touches every record column.

records/s = fitdecode's record count / summed best times, over the files both decoders
read. Issue 3 asks for at least 50× fitdecode's records/s. Last, the time of
``read_fit`` (decode + conversion to the Activity model) on a one-hour run.
"""

from __future__ import annotations

import argparse
import gc
import io
import platform
import sys
import time
import warnings
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np

from hipcoach.importers.fit import FitError, decode, read_fit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT.parent / "shared" / "data" / "activities" / "fit"
HOUR_RUN = "developer-types-sample.fit"  # Stryd run, 57 min, 3,424 records, 148 kB


def ours(data: bytes) -> int:
    fit = decode(data)
    rec = fit.records
    for col in (rec.timestamp, rec.heart_rate, rec.cadence, rec.distance, rec.speed,
                rec.altitude, rec.lat, rec.lon, rec.power):  # fmt: skip
        if col is not None:
            float(np.nansum(col))  # touch every value
    return len(rec)


def fitdecode_records(data: bytes) -> int:
    import fitdecode  # type: ignore[import-untyped]

    n = 0
    with fitdecode.FitReader(io.BytesIO(data)) as fr:  # library defaults (CRC: warn)
        for frame in fr:
            if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record":
                {f.name: f.value for f in frame.fields}
                n += 1
    return n


def best_of(fn: Callable[[], int], repeat: int, slow_s: float = 20.0) -> tuple[float, int]:
    """Best wall time in seconds of ``repeat`` calls, and the call's result."""
    best = float("inf")
    result = 0
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t0
        best = min(best, dt)
        if dt > slow_s:
            break
    return best, result


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def run(fn: Callable[[bytes], int], data: bytes, repeat: int) -> tuple[float | None, int, str]:
    try:
        t, n = best_of(lambda: fn(data), repeat)
        return t, n, ""
    except Exception as e:  # every failure mode is a result here
        return None, 0, f"{type(e).__name__}: {str(e)[:90]}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("fit_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--repeat", type=int, default=3, help="runs per file and decoder (best counts)")
    ap.add_argument("--hour-run", type=Path, default=None, help=f"default: FIT_DIR/{HOUR_RUN}")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")  # fitdecode warns on odd files; failures are recorded

    files = sorted(p for p in args.fit_dir.glob("*.fit") if p.is_file())
    if not files:
        sys.exit(f"no .fit files in {args.fit_dir}")
    print(f"# FIT decode benchmark: {len(files)} valid files in {args.fit_dir}")
    print(
        f"# {cpu_name()}, {platform.machine()}, {platform.system()}; Python "
        f"{platform.python_version()}, numpy {np.__version__}, fitdecode "
        f"{metadata.version('fitdecode')}; best of {args.repeat}\n"
    )
    head = ("file", "MB", "records", "hipcoach", "fitdecode", "ratio")
    print(f"{head[0]:44s} {head[1]:>6s} {head[2]:>8s} {head[3]:>10s} {head[4]:>10s} {head[5]:>7s}")
    rows = []
    for path in files:
        data = path.read_bytes()
        t_ours, n_ours, err_ours = run(ours, data, args.repeat)
        t_ref, n_ref, err_ref = run(fitdecode_records, data, args.repeat)
        rows.append((path.name, len(data), t_ours, n_ours, err_ours, t_ref, n_ref, err_ref))
        cell_o = f"{t_ours * 1e3:8.2f}ms" if t_ours is not None else "     fail"
        cell_r = f"{t_ref * 1e3:8.1f}ms" if t_ref is not None else "     fail"
        ratio = f"{t_ref / t_ours:6.0f}x" if t_ours and t_ref else "      -"
        print(f"{path.name[:44]:44s} {len(data) / 1e6:6.3f} {n_ref or n_ours:8d} {cell_o:>10s} "
              f"{cell_r:>10s} {ratio}")  # fmt: skip
        if n_ours and n_ref and n_ours != n_ref:
            print(f"  ! record counts differ: hipcoach {n_ours}, fitdecode {n_ref}")

    print()
    for name, _, _, _, err_o, _, _, err_r in rows:
        if err_o or err_r:
            print(f"failed: {name}: hipcoach: {err_o or 'ok'}; fitdecode: {err_r or 'ok'}")
            if err_o:
                salvaged = decode((args.fit_dir / name).read_bytes(), salvage=True)
                print(f"  hipcoach decode(salvage=True): {len(salvaged.records)} records kept")
    both = [r for r in rows if r[2] is not None and r[5] is not None]
    records = sum(r[6] for r in both)
    t_o = sum(r[2] for r in both if r[2] is not None)
    t_r = sum(r[5] for r in both if r[5] is not None)
    ok_o = sum(1 for r in rows if r[2] is not None)
    ok_r = sum(1 for r in rows if r[5] is not None)
    print(f"\nfiles decoded: hipcoach {ok_o}/{len(rows)}, fitdecode {ok_r}/{len(rows)}; "
          f"compared on the {len(both)} both read ({records:,} records, "
          f"{sum(r[1] for r in both) / 1e6:.2f} MB)")  # fmt: skip
    print(f"hipcoach : {records / t_o:12,.0f} records/s  ({t_o * 1e3:8.1f} ms in all)")
    print(f"fitdecode: {records / t_r:12,.0f} records/s  ({t_r * 1e3:8.1f} ms in all)")
    print(f"ratio    : {t_r / t_o:12,.1f}x  (issue 3 asks for >= 50x)")

    hour = args.hour_run or args.fit_dir / HOUR_RUN
    if hour.exists():
        data = hour.read_bytes()
        try:
            t_read, _ = best_of(lambda: len(read_fit(data)), max(args.repeat, 20))
            (act,) = read_fit(data)
            samples = len(act.samples) if act.samples is not None else 0
            print(
                f"\nread_fit on a {act.elapsed_s / 60:.0f}-minute {act.sport} ({hour.name}, "
                f"{samples} samples): {t_read * 1e3:.2f} ms (best of {max(args.repeat, 20)})"
            )
        except FitError as e:
            print(f"\nread_fit on {hour.name} failed: {e}")


if __name__ == "__main__":
    main()
