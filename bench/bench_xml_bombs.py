"""How fast hostile XML is refused: a billion-laughs entity bomb and external entities in
GPX and TCX must be turned away at once, not expanded (target: each under 0.5 s).

    .venv/bin/python bench/bench_xml_bombs.py
"""

from __future__ import annotations

import platform
import sys
import time

from hipcoach.importers.xml_tracks import TrackError, read_gpx, read_tcx

TARGET_S = 0.5
POINTS = (
    '<trkpt lat="50.0" lon="6.0"><time>2020-01-01T10:00:00Z</time></trkpt>'
    '<trkpt lat="50.001" lon="6.0"><time>2020-01-01T10:01:00Z</time></trkpt>'
)


def gpx(name: str) -> str:
    return (
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>{name}</name><trkseg>{POINTS}</trkseg></trk></gpx>"
    )


def bombs() -> dict[str, str]:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 12))
    return {
        "billion laughs (10^11 expansions)": '<?xml version="1.0"?><!DOCTYPE gpx '
        f'[<!ENTITY l0 "lol">{laughs}]>' + gpx("&l11;"),
        "external entity": '<?xml version="1.0"?><!DOCTYPE gpx '
        '[<!ENTITY x SYSTEM "file:///etc/passwd">]>' + gpx("&x;"),
        "external DTD": '<?xml version="1.0"?><!DOCTYPE gpx SYSTEM "http://example.invalid/x.dtd">'
        + gpx("run"),
        "parameter entity (TCX)": '<?xml version="1.0"?><!DOCTYPE T '
        '[<!ENTITY % p SYSTEM "http://example.invalid/p">%p;]><TrainingCenterDatabase/>',
    }


def main() -> int:
    print(f"{platform.machine()}, Python {platform.python_version()}")
    slow = 0
    for name, doc in bombs().items():
        read = read_tcx if "Training" in doc else read_gpx
        started = time.perf_counter()
        try:
            read(doc.encode())
        except TrackError:
            pass
        else:
            print(f"{name}: NOT refused")
            return 1
        took = time.perf_counter() - started
        slow += took >= TARGET_S
        print(f"{name:<36} refused in {took * 1000:8.2f} ms")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
