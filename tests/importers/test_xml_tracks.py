"""GPX and TCX readers against the real sample files in tests/data (see their READMEs).

Expected values come from the shared sample README (computed with gpxpy / tcxreader):
start date, duration in whole minutes, distance in km, number of points.
"""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from hipcoach.importers.xml_tracks import TrackError, read_gpx, read_tcx
from hipcoach.training.model import Activity

DATA = Path(__file__).resolve().parent.parent / "data"
SHARED = Path("/work/shared/data/activities")


def load(rel: str) -> bytes:
    """A fixture's original bytes (files over 256 KiB are stored gzipped)."""
    path = DATA / rel
    if not path.exists():
        return gzip.decompress((DATA / (rel + ".gz")).read_bytes())
    return path.read_bytes()


def read(rel: str) -> list[Activity]:
    return read_gpx(load(rel)) if rel.endswith(".gpx") else read_tcx(load(rel))


def close(value: float | None, expected: float, rel: float = 0.02, slack: float = 0.0) -> bool:
    assert value is not None
    return abs(value - expected) <= max(rel * abs(expected), slack)


# file, start date, duration (whole minutes as in the README), distance km, points, sport
ZWIN = "gpx/2025-08-31 09_57_05.835 Zwin und Nieuwvliet.gpx"
GPX_TABLE = [
    ("gpx/2025-08-29 20_12_17.410 Cadzand-Bad.gpx", "2025-08-29", 45, 2.69, 265, "other"),
    (ZWIN, "2025-08-31", 114, 21.63, 1786, "other"),
    ("gpx/4801048867_strava.gpx", "2020-04-18", 85, 36.31, 5159, "cycling"),
    ("gpx/activity_4801048867.gpx", "2020-04-18", 85, 36.31, 5159, "cycling"),
    ("gpx/activity_5039744860.gpx", "2020-06-01", 2, 0.90, 96, "cycling"),
    ("gpx/around-visnjan-with-car.gpx", "2020-12-18", 8, 2.74, 104, "running"),
    ("gpx/garmin_connect.gpx", "2018-02-21", 0, 0.00, 3, "running"),
    ("gpx/run.gpx", "2017-05-27", 23, 4.81, 1424, "running"),
    ("gpx/strava_export.gpx", "2021-01-10", 85, 12.61, 1697, "running"),
    ("gpx/track-with-empty-segment.gpx", "2013-07-06", 1, 0.09, 9, "running"),
    ("gpx/track-with-less-sec-time.gpx", "2015-12-11", 0, 0.00, 2, "running"),
    ("gpx/track_with_speed.gpx", "2009-03-02", 0, 0.02, 3, "running"),
    ("gpx/Mojstrovka.gpx", "1901-12-13", 0, 2.70, 184, "running"),
    ("gpx/gpx1.0_with_all_fields.gpx", "2013-01-01", 0, 0.00, 1, "running"),
    ("gpx/gpx1.1_with_all_fields.gpx", "2013-01-01", 0, 0.00, 1, "other"),
]
TCX_TABLE = [
    ("tcx/11km.tcx", "2021-03-21", 76, 11.05, 1599, "running"),
    ("tcx/2020-12-02T06_08_29-300_Running.tcx", "2020-12-02", 41, 7.01, 927, "running"),
    ("tcx/2020-12-04T19_09_21-300_Running.tcx", "2020-12-04", 73, 9.63, 1353, "running"),
    ("tcx/2020-12-06T06_36_21-300_Running.tcx", "2020-12-06", 85, 12.03, 1747, "running"),
    ("tcx/2020-12-08T06_36_12-300_Running.tcx", "2020-12-08", 44, 6.24, 898, "running"),
    ("tcx/2020-12-13T07_25_55-300_Running.tcx", "2020-12-13", 70, 9.53, 1355, "running"),
    ("tcx/2020-12-16T05_44_18-300_Running.tcx", "2020-12-16", 41, 6.05, 805, "running"),
    ("tcx/2020-12-20T05_50_47-300_Running.tcx", "2020-12-20", 118, 16.10, 2327, "running"),
    ("tcx/2020-12-26T06_03_49-300_Running.tcx", "2020-12-26", 35, 6.02, 808, "running"),
    ("tcx/3173437224.tcx", "2019-01-29", 65, 4.51, 3507, "running"),
    ("tcx/activity_4801048867.tcx", "2020-04-18", 85, 36.32, 5166, "cycling"),
    ("tcx/activity_5039744860.tcx", "2020-06-01", 2, 0.67, 100, "cycling"),
    ("tcx/cross-country-skiing_activity_1.tcx", "2020-12-26", 40, 5.69, 486, "other"),
    ("tcx/mapmyride_biking.tcx", "2022-11-12", 51, 15.35, 3112, "cycling"),
    ("tcx/no_hr.tcx", "2012-12-26", 33, 4.69, 384, "running"),
    ("tcx/run.tcx", "2017-05-27", 23, 4.82, 1424, "running"),
    ("tcx/run_garmin.tcx", "2018-11-25", 13, 2.15, 147, "running"),
    ("tcx/stopped_example.tcx", "2021-01-10", 85, 12.01, 1697, "running"),
    ("tcx/sup_activity_1.tcx", "2022-07-16", 18, 1.16, 111, "other"),
    ("tcx/test.tcx", "2012-12-26", 33, 4.69, 384, "running"),
]


@pytest.mark.parametrize(("rel", "day", "minutes", "km", "points", "sport"), GPX_TABLE + TCX_TABLE)
def test_sample_totals_match_the_readme(
    rel: str, day: str, minutes: int, km: float, points: int, sport: str
) -> None:
    [act] = read(rel)
    assert act.source_format == rel[:3]
    assert act.start_utc.tzinfo is UTC
    assert act.start_utc.date().isoformat() == day
    assert minutes <= act.elapsed_s / 60 < minutes + 1.01
    assert close(act.distance_m, km * 1000, rel=0.02, slack=10.0)
    assert act.samples is not None and len(act.samples) == points
    assert act.sport == sport
    assert act.moving_s is not None and act.moving_s <= act.elapsed_s + 1e-6


@pytest.mark.parametrize(
    ("rel", "why"),
    [
        ("gpx/route.gpx", "planned route"),
        ("gpx/Berlin (0,9 km).gpx", "no times"),
        ("gpx/cerknicko-without-times.gpx", "no times"),
        ("gpx/track-with-extremes.gpx", "no times"),
        ("gpx/gpx_with_garmin_extension.gpx", "no track"),
        ("gpx/unicode_with_bom.gpx", "no track"),
        ("tcx/bad/malformed.tcx", "line 4653"),
    ],
)
def test_files_without_an_activity_fail_with_a_clear_reason(rel: str, why: str) -> None:
    with pytest.raises(TrackError, match=why) as info:
        read(rel)
    assert "instead" in str(info.value) or "again" in str(info.value)  # what to do


def test_gpx_with_several_tracks_gives_one_activity_per_timed_track() -> None:
    acts = read("gpx/cerknicko-jezero.gpx")
    assert len(acts) == 7  # 8 tracks, one without points
    total = sum(a.distance_m or 0 for a in acts)
    assert close(total, 4580, rel=0.02)
    korita = read("gpx/korita-zbevnica.gpx")  # one of its 3 tracks has no times: a route
    assert [len(a.samples or ()) for a in korita] == [176, 337]
    assert korita[-1].end_utc == datetime(2010, 10, 3, 13, 19, 31, tzinfo=UTC)


def test_same_run_as_gpx_and_tcx_gives_the_same_totals() -> None:
    [gpx] = read("gpx/run.gpx")
    [tcx] = read("tcx/run.tcx")
    assert gpx.start_utc == tcx.start_utc
    assert close(gpx.elapsed_s, tcx.elapsed_s, rel=0.01)
    assert close(gpx.distance_m, tcx.distance_m or 0, rel=0.01)
    bike = [read(r)[0] for r in ("gpx/4801048867_strava.gpx", "gpx/activity_4801048867.gpx",
                                 "tcx/activity_4801048867.tcx")]  # fmt: skip
    assert len({a.start_utc for a in bike}) == 1
    assert all(close(a.distance_m, 36_320, rel=0.01) for a in bike)
    assert all(close(a.avg_hr, bike[0].avg_hr or 0, rel=0.01) for a in bike)
    [strava] = read("gpx/strava_export.gpx")
    [stopped] = read("tcx/stopped_example.tcx")
    assert abs((strava.start_utc - stopped.start_utc).total_seconds()) <= 10
    assert close(strava.elapsed_s, stopped.elapsed_s, rel=0.01)


def test_moving_time_leaves_out_the_stops() -> None:
    [act] = read("tcx/stopped_example.tcx")
    assert act.moving_s is not None
    assert 0.85 * act.elapsed_s < act.moving_s < 0.95 * act.elapsed_s
    [night] = read_gpx(
        load("gpx/runpandas-session/720bf570-d855-4303-87c2-74d85429e52d.gpx")
    )  # a 24-hour pause inside the track
    assert night.elapsed_s > 20 * 3600
    assert night.moving_s is not None and night.moving_s < 3 * 3600


def test_heart_rate_and_cadence_from_extensions() -> None:
    [run] = read("gpx/strava_export.gpx")  # gpxtpx:hr and gpxtpx:cad, strides per minute
    assert run.avg_hr is not None and 140 < run.avg_hr < 160
    assert run.max_hr == 174
    assert run.avg_cadence_spm is not None and 160 < run.avg_cadence_spm < 185  # doubled
    [garmin] = read("tcx/run_garmin.tcx")  # ns3:RunCadence, per leg
    assert garmin.avg_cadence_spm is not None and 160 < garmin.avg_cadence_spm < 185
    [polar] = read("tcx/3173437224.tcx")  # <Cadence> in a running Trackpoint, per leg
    assert polar.avg_cadence_spm is not None and polar.avg_cadence_spm > 100
    [ride] = read("tcx/activity_5039744860.tcx")  # cycling <Cadence> stays rpm
    assert ride.avg_cadence_spm is not None and 70 < ride.avg_cadence_spm < 100
    assert ride.samples is not None and ride.samples.power_w is not None
    [no_hr] = read("tcx/no_hr.tcx")
    assert no_hr.avg_hr is None and no_hr.samples is not None
    assert no_hr.samples.heart_rate is None


def test_tcx_laps_calories_and_device() -> None:
    [act] = read("tcx/test.tcx")
    assert len(act.laps) == 3
    assert act.laps[0].start_utc == act.start_utc
    assert close(sum(lap.distance_m or 0 for lap in act.laps), act.distance_m or 0, rel=0.01)
    assert act.calories is not None and act.calories > 0
    assert act.device == "Forerunner 410 Software Version 2.20"
    assert act.avg_hr is not None and act.max_hr == 189


def test_local_offset_from_gpx_times_with_an_offset() -> None:
    assert read("gpx/track-with-less-sec-time.gpx")[0].utc_offset_s == 3600
    assert read("gpx/2025-08-29 20_12_17.410 Cadzand-Bad.gpx")[0].utc_offset_s == 7200
    assert read("gpx/run.gpx")[0].utc_offset_s is None  # "Z": UTC says nothing local


def test_absurd_values_are_kept_for_the_importer_to_judge() -> None:
    [act] = read("gpx/Mojstrovka.gpx")
    assert act.start_utc.year == 1901 and act.elapsed_s < 0.001
    [fast] = read_gpx(load("gpx/runpandas-session/556160e9-d74c-440c-b0af-363efb753430.gpx"))
    assert fast.avg_speed_mps is not None and fast.avg_speed_mps > 6  # a GPS glitch, kept


def test_ascent_ignores_barometer_jumps_and_flat_noise() -> None:
    [ski] = read("tcx/cross-country-skiing_activity_1.tcx")  # starts 1258 m → 2259 m at once
    assert ski.ascent_m is not None and ski.ascent_m < 300
    [flat] = read("tcx/2020-12-02T06_08_29-300_Running.tcx")  # ±2 m along the sea
    assert flat.ascent_m is not None and flat.ascent_m < 10


def gpx_doc(body: str, decl: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    return f'{decl}<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">{body}</gpx>'


def trk(points: list[tuple[float, float, str]], name: str = "Müller", kind: str = "") -> str:
    pts = "".join(f'<trkpt lat="{la}" lon="{lo}"><time>{t}</time></trkpt>' for la, lo, t in points)
    kind_el = f"<type>{kind}</type>" if kind else ""
    return f"<trk><name>{name}</name>{kind_el}<trkseg>{pts}</trkseg></trk>"


TWO = [(50.0, 6.0, "2020-01-01T10:00:00Z"), (50.001, 6.0, "2020-01-01T10:01:00Z")]


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("utf-8 with BOM and blank lines", b"\xef\xbb\xbf\n  " + gpx_doc(trk(TWO)).encode()),
        ("latin-1", gpx_doc(trk(TWO), '<?xml version="1.0" encoding="ISO-8859-1"?>')
         .encode("latin-1")),
        ("windows-1252", gpx_doc(trk(TWO), '<?xml version="1.0" encoding="windows-1252"?>')
         .encode("cp1252")),
        ("ANSI declared UTF-8", gpx_doc(trk(TWO)).encode("cp1252")),
        ("UTF-16 with BOM", gpx_doc(trk(TWO), '<?xml version="1.0" encoding="UTF-16"?>')
         .encode("utf-16")),
    ],
)  # fmt: skip
def test_encodings(label: str, data: bytes) -> None:
    [act] = read_gpx(data)
    assert act.name == "Müller", label
    assert close(act.distance_m, 111.2, rel=0.01)


def test_entity_expansion_and_external_entities_are_refused() -> None:
    laughs = "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 12)
    )  # 10^11 expansions if honoured
    bombs = [
        f'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY l0 "lol">{laughs}]>'
        + gpx_doc(trk(TWO, name="&l11;"), ""),
        '<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + gpx_doc(trk(TWO, name="&x;"), ""),
        '<?xml version="1.0"?><!DOCTYPE gpx SYSTEM "http://example.invalid/x.dtd">'
        + gpx_doc(trk(TWO), ""),
        '<?xml version="1.0"?><!DOCTYPE T [<!ENTITY % p SYSTEM "http://example.invalid/p">%p;]>'
        "<TrainingCenterDatabase/>",
    ]
    for doc in bombs:  # refused outright; how fast is measured in bench/bench_xml_bombs.py
        with pytest.raises(TrackError, match="DTD or entities"):
            (read_tcx if "Training" in doc else read_gpx)(doc.encode())


def test_gpx_types_and_default_sport() -> None:
    assert read_gpx(gpx_doc(trk(TWO)).encode())[0].sport == "running"  # no <type>
    assert read_gpx(gpx_doc(trk(TWO, kind="1")).encode())[0].sport == "cycling"  # Strava code
    assert read_gpx(gpx_doc(trk(TWO, kind="Trail Running")).encode())[0].sport == "trail_running"
    assert read_gpx(gpx_doc(trk(TWO, kind="hiking")).encode())[0].sport == "hiking"
    assert read_gpx(gpx_doc(trk(TWO, kind="unknown")).encode())[0].sport == "other"


def test_segments_pauses_and_points_without_time() -> None:
    seg = '<trkpt lat="{}" lon="6"><time>2020-01-01T{}Z</time></trkpt>'
    body = (
        "<trk><trkseg>"
        + "".join(seg.format(50 + i * 0.0001, f"10:00:{i * 4:02d}") for i in range(10))
        + '<trkpt lat="50.1" lon="6"/>'  # no time: dropped
        + "</trkseg><trkseg>"  # 10 minutes later, 1 km away: a pause, not distance
        + "".join(seg.format(50.01 + i * 0.0001, f"10:10:{i * 4:02d}") for i in range(10))
        + "</trkseg></trk>"
    )
    [act] = read_gpx(gpx_doc(body).encode())
    assert act.samples is not None and len(act.samples) == 20
    assert close(act.distance_m, 18 * 11.12, rel=0.01)
    assert close(act.moving_s, 72.0, slack=0.5)
    assert act.elapsed_s == 636
    assert act.samples.distance_m is not None
    assert np.all(np.diff(act.samples.distance_m) >= 0)


def test_tcx_without_activity_or_with_only_laps() -> None:
    ns = 'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'
    course = f"<TrainingCenterDatabase {ns}><Courses><Course/></Courses></TrainingCenterDatabase>"
    with pytest.raises(TrackError, match="course"):
        read_tcx(course.encode())
    laps_only = (
        f'<TrainingCenterDatabase {ns}><Activities><Activity Sport="Running">'
        '<Id>2021-05-01T08:00:00Z</Id><Lap StartTime="2021-05-01T08:00:00Z">'
        "<TotalTimeSeconds>1800</TotalTimeSeconds><DistanceMeters>5000</DistanceMeters>"
        "<Calories>350</Calories><AverageHeartRateBpm><Value>150</Value></AverageHeartRateBpm>"
        "</Lap></Activity></Activities></TrainingCenterDatabase>"
    )
    [act] = read_tcx(laps_only.encode())
    assert (act.elapsed_s, act.distance_m, act.calories, act.avg_hr) == (1800, 5000, 350, 150)
    assert act.samples is None and act.moving_s == 1800


def test_not_this_format() -> None:
    with pytest.raises(TrackError, match="not a GPX file"):
        read_gpx(load("tcx/test.tcx"))
    with pytest.raises(TrackError, match="not a TCX file"):
        read_tcx(load("gpx/run.gpx"))
    with pytest.raises(TrackError, match="not well-formed"):
        read_gpx(b"")
    with pytest.raises(TrackError, match="not well-formed"):
        read_gpx(load("gpx/run.gpx")[:5000])  # truncated download


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared sample collection not available")
def test_every_session_run_in_the_shared_collection() -> None:
    """All 68 runs of gpx/runpandas-session/ against the shared README's table."""
    readme = (SHARED / "README.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| `([0-9a-f-]+\.gpx)` \| (\S+) \| ([^|]+) \| ([\d.]+) km \| (\d+) \|", readme, re.M
    )
    assert len(rows) == 68
    for name, day, _, km, points in rows:
        [act] = read_gpx((SHARED / "gpx" / "runpandas-session" / name).read_bytes())
        assert act.start_utc.date().isoformat() == day, name
        assert close(act.distance_m, float(km) * 1000, rel=0.02, slack=10), name
        assert act.samples is not None and len(act.samples) == int(points), name
        assert act.sport == "running", name
