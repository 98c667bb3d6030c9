"""Real activity files made into many distinct ones, for the import robustness tests (and
the one /proc reading both of them need).

Everything here starts from real GPX files in ``tests/data/gpx`` (origins and licences in
its README) and only moves their timestamps or repeats their track points, so the readers
see genuine device output, just more of it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

GPX = Path(__file__).parent / "data" / "gpx"
RUN = GPX / "activity_5039744860.gpx"  # a 2020 run recorded by a Garmin watch (MIT, sweatpy)
DENSE = GPX / "run.gpx"  # a TomTom run, one point a second (MIT, runpandas)
_TIME = re.compile(r"<time>([^<]+)</time>")


def shifted(text: str, days: int) -> str:
    """The same recording ``days`` later (negative: earlier): every timestamp moved."""

    def move(m: re.Match[str]) -> str:
        t = datetime.fromisoformat(m.group(1).replace("Z", "+00:00")) + timedelta(days=days)
        return f"<time>{t.strftime('%Y-%m-%dT%H:%M:%S.000Z')}</time>"

    return _TIME.sub(move, text)


def runs(folder: Path, count: int, prefix: str = "run") -> list[Path]:
    """``count`` distinct runs, one a day going back from the original, as GPX files."""
    folder.mkdir(parents=True, exist_ok=True)
    text = RUN.read_text(encoding="utf-8")
    out = []
    for i in range(count):
        p = folder / f"{prefix}-{i:04d}.gpx"
        p.write_text(shifted(text, -i), encoding="utf-8")
        out.append(p)
    return out


def slow_gpx(path: Path, points: int = 300_000) -> Path:
    """A valid GPX whose track is ``points`` long: real points repeated, a tenth of a second
    apart. Nothing in it is malformed; it only takes a reader seconds (about ten for the
    default on a 2-core test machine), which is what a hostile file does to a budget."""
    text = DENSE.read_text(encoding="utf-8")
    head, rest = text.split("<trkseg>", 1)
    body, tail = rest.rsplit("</trkseg>", 1)
    pts = [_TIME.sub("<time>{}</time>", p) for p in re.findall(r"<trkpt.*?</trkpt>", body, re.S)]
    t0 = datetime(2017, 5, 27, 8, 13, 1, tzinfo=UTC)
    parts = [head, "<trkseg>"]
    for i in range(points):
        t = t0 + timedelta(milliseconds=100 * i)
        parts.append(pts[i % len(pts)].format(t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"))
    parts.append("</trkseg>" + tail)
    path.write_text("".join(parts), encoding="utf-8")
    return path


def process_state(pid: int) -> str:
    """A process's state letter from /proc ("R" running, "Z" zombie…), or "gone"."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
