"""FIT decoder against real files (tests/data/fit, see its README) and fitdecode.

Every valid sample is decoded by both this decoder and fitdecode (the test extra) and
the record columns, session totals and file_id must agree. Files fitdecode cannot read
are checked against the facts of the shared sample README instead. Synthetic files,
built here byte by byte, cover what the samples do not (developer fields next to
records, big-endian records, compressed-timestamp rollover, adversarial payloads for the
scan's cycle skipper); hypothesis throws random, truncated and bit-flipped bytes at it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import random
import struct
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcoach.importers import fit as fitmod
from hipcoach.importers import fit_profile as prof
from hipcoach.importers.fit import (
    FitError,
    FitFile,
    decode,
    fit_crc,
    normalise_sport,
    read_fit,
    shift_timestamps,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "fit"
VALID = sorted(
    p.name.removesuffix(".gz") for p in DATA.iterdir() if p.name.endswith((".fit", ".fit.gz"))
)
STRAVA = "strava-android-app-201.10-b1218918.fit"  # fitdecode stops at byte 7471
COMPARED = [name for name in VALID if name != STRAVA]
FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)


def load(name: str) -> bytes:
    """A fixture's original bytes (files over 256 KiB are stored gzipped)."""
    path = DATA / name
    if not path.exists():
        return gzip.decompress((DATA / (name + ".gz")).read_bytes())
    return path.read_bytes()


# ------------------------------------------------------------------ reference (fitdecode)


def _raw_time(v: Any) -> float:
    if v is None:
        return np.nan
    if isinstance(v, dt.datetime):
        return (v - FIT_EPOCH).total_seconds()
    return float(v)


def _num(v: Any) -> float:
    if isinstance(v, tuple):  # an array field: we keep its first element
        v = v[0] if v else None
    if v is None or isinstance(v, str | bytes):
        return np.nan
    return float(v)


def _fields(frame: Any) -> dict[str, Any]:
    """fitdecode's fields of one message, real fields winning over expanded components.

    fitdecode lists a component expansion (speed from compressed_speed_distance …) after
    the real field of the same name, so a plain dict would let an invalid component hide
    a valid field; real values first, components only where the field has none.
    """
    out = {f.name: f.value for f in frame.fields if f.field_def is not None}
    for f in frame.fields:
        if f.field_def is None and f.value is not None and out.get(f.name) is None:
            out[f.name] = f.value
    return out


_REFERENCE: dict[str, dict[str, list[dict[str, Any]]]] = {}


def reference(name: str) -> dict[str, list[dict[str, Any]]]:
    """fitdecode's messages of the kinds we decode, cached per file."""
    if name not in _REFERENCE:
        fitdecode = pytest.importorskip("fitdecode")
        out: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("record", "session", "lap", "file_id", "activity")
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with fitdecode.FitReader(io.BytesIO(load(name))) as reader:
                for frame in reader:
                    if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name in out:
                        out[frame.name].append(_fields(frame))
        _REFERENCE[name] = out
    return _REFERENCE[name]


def _column(msgs: list[dict[str, Any]], *names: str, conv: Callable[[Any], float] = _num) -> Any:
    values = []
    for m in msgs:
        v = np.nan
        for name in names:
            if m.get(name) is not None:
                v = conv(m[name])
                break
        values.append(v)
    return np.array(values, dtype=np.float64)


def assert_same(ours: Any, ref: Any, what: str) -> None:
    ref = np.asarray(ref, dtype=np.float64)
    if ours is None:
        assert np.all(np.isnan(ref)), f"{what}: we have no column, fitdecode has values"
        return
    ours = np.asarray(ours, dtype=np.float64)
    assert ours.shape == ref.shape, what
    both_nan = np.isnan(ours) & np.isnan(ref)
    close = np.isclose(ours, ref, rtol=1e-9, atol=1e-9)
    bad = ~(both_nan | close)
    assert not bad.any(), (
        f"{what}: {int(bad.sum())} values differ, first at {np.flatnonzero(bad)[:3]}: "
        f"ours {ours[bad][:3]} fitdecode {ref[bad][:3]}"
    )


def _scalar(ours: Any, ref: float, what: str) -> None:
    if ours is None:
        assert np.isnan(ref), f"{what}: ours None, fitdecode {ref}"
    else:
        assert not np.isnan(ref), f"{what}: ours {ours}, fitdecode None"
        assert ours == pytest.approx(ref, rel=1e-9, abs=1e-9), what


# ------------------------------------------------------------------ real files vs fitdecode


@pytest.mark.parametrize("name", COMPARED)
def test_records_match_fitdecode(name: str) -> None:
    fit = decode(load(name))
    ref = reference(name)["record"]
    rec = fit.records
    assert len(rec) == len(ref)
    assert_same(rec.timestamp, _column(ref, "timestamp", conv=_raw_time), "timestamp")
    assert_same(rec.heart_rate, _column(ref, "heart_rate"), "heart_rate")
    cadence = _column(ref, "cadence") + np.nan_to_num(_column(ref, "fractional_cadence"))
    assert_same(rec.cadence, cadence, "cadence")
    assert_same(rec.distance, _column(ref, "distance"), "distance")
    assert_same(rec.speed, _column(ref, "enhanced_speed", "speed"), "speed")
    assert_same(rec.altitude, _column(ref, "enhanced_altitude", "altitude"), "altitude")
    assert_same(rec.lat, _column(ref, "position_lat") * 180 / 2**31, "lat")
    assert_same(rec.lon, _column(ref, "position_long") * 180 / 2**31, "lon")
    assert_same(rec.power, _column(ref, "power"), "power")


@pytest.mark.parametrize("name", COMPARED)
def test_sessions_and_laps_match_fitdecode(name: str) -> None:
    fit = decode(load(name))
    ref = reference(name)
    assert len(fit.sessions) == len(ref["session"])
    for ours, theirs in zip(fit.sessions, ref["session"], strict=True):
        start = ours.start_time.raw if ours.start_time else None
        _scalar(start, _raw_time(theirs.get("start_time")), "start_time")
        for attr, keys in {
            "total_elapsed_time": ("total_elapsed_time",),
            "total_timer_time": ("total_timer_time",),
            "total_distance": ("total_distance",),
            "total_ascent": ("total_ascent",),
            "avg_heart_rate": ("avg_heart_rate",),
            "max_heart_rate": ("max_heart_rate",),
            "avg_speed": ("enhanced_avg_speed", "avg_speed"),
            "max_speed": ("enhanced_max_speed", "max_speed"),
            "total_calories": ("total_calories",),
        }.items():
            _scalar(getattr(ours, attr), _column([theirs], *keys)[0], attr)
        cad = _column([theirs], "avg_cadence", "avg_running_cadence")[0]
        cad += np.nan_to_num(_column([theirs], "avg_fractional_cadence")[0])
        _scalar(ours.avg_cadence, cad, "avg_cadence")
        assert ours.sport == theirs.get("sport")
        assert ours.sub_sport == theirs.get("sub_sport")
    assert len(fit.laps) == len(ref["lap"])
    for lap, theirs in zip(fit.laps, ref["lap"], strict=True):
        _scalar(
            lap.start_time.raw if lap.start_time else None,
            _raw_time(theirs.get("start_time")),
            "lap",
        )
        _scalar(lap.total_elapsed_time, _column([theirs], "total_elapsed_time")[0], "lap time")
        _scalar(lap.total_distance, _column([theirs], "total_distance")[0], "lap distance")
        _scalar(lap.avg_heart_rate, _column([theirs], "avg_heart_rate")[0], "lap avg hr")


@pytest.mark.parametrize("name", COMPARED)
def test_file_id_and_activity_match_fitdecode(name: str) -> None:
    fit = decode(load(name))
    ref = reference(name)
    fid = ref["file_id"][0]
    assert fit.file_type == fid.get("type")
    assert len(fit.file_types) == len(ref["file_id"])
    maker = fid.get("manufacturer")
    if isinstance(maker, str) and maker not in prof.MANUFACTURERS.values():
        assert isinstance(fit.manufacturer, int)  # a maker outside our small table
    else:
        assert fit.manufacturer == maker
    product = fid.get("garmin_product", fid.get("product"))
    if isinstance(product, str) and product not in prof.GARMIN_PRODUCTS.values():
        assert isinstance(fit.product, int)
    else:
        assert fit.product == product
    assert fit.serial_number == fid.get("serial_number")
    _scalar(
        fit.time_created.raw if fit.time_created else None,
        _raw_time(fid.get("time_created")),
        "time_created",
    )
    activities = [a for a in ref["activity"] if a.get("timestamp") is not None]
    if activities:
        assert fit.activity_timestamp is not None
        assert fit.activity_timestamp.raw == _raw_time(activities[0]["timestamp"])
        local = activities[0].get("local_timestamp")
        if local is not None:
            assert fit.activity_local_timestamp is not None
            assert fit.activity_local_timestamp.raw == _raw_time(local)


def test_corpus_is_complete() -> None:
    assert len(VALID) == 36
    assert len(list((DATA / "bad").iterdir())) == 8


# ------------------------------------------------------------------ special files


def test_compressed_timestamps_are_resolved_and_device_relative() -> None:
    fit = decode(load("compressed-speed-distance.fit"))
    ts = fit.records.timestamp
    assert len(fit.records) == 755
    assert list(ts[:5]) == [17217864, 17217869, 17217874, 17217879, 17217884]
    assert np.all(np.diff(ts) > 0)
    assert np.all(ts < prof.FIT_MIN_ABSOLUTE_TIME)  # seconds since power-on, not dates
    session = fit.sessions[0]
    assert session.start_time is not None and session.start_time.is_relative
    assert session.start_time.to_datetime() is None  # no date invented
    # compressed_speed_distance: 12-bit speed (1/100 m/s) and rolling 12-bit distance (1/16 m)
    assert fit.records.speed is not None and fit.records.distance is not None
    assert list(fit.records.speed[1:5]) == [3.54, 3.55, 0.0, 1.66]
    assert list(fit.records.distance[1:5]) == [0.0, 14.25, 18.875, 25.1875]
    assert np.nanmax(fit.records.distance) == pytest.approx(10248.67, abs=16)  # > 256 m: rolled
    with pytest.raises(FitError, match="device-relative"):
        read_fit(load("compressed-speed-distance.fit"))

    dump = decode(load("antfs-dump.63.fit"))
    assert len(dump.records) == 686
    assert np.all(np.diff(dump.records.timestamp) >= 0)
    assert dump.records.heart_rate is not None and np.nanmax(dump.records.heart_rate) > 150


def test_developer_fields_are_skipped_by_their_sizes() -> None:
    for name, records in [
        ("developer-types-sample.fit", 3424),
        ("mornindew-broken.fit", 6874),
        ("0134902991.fit", 739),
        ("20170518-191602-1740899583.fit", 1641),
    ]:
        fit = decode(load(name))
        assert len(fit.records) == records
        assert fit.records.heart_rate is not None
    stryd = decode(load("developer-types-sample.fit"))
    assert stryd.manufacturer == "stryd"
    assert stryd.records.power is not None and np.nanmax(stryd.records.power) > 200


@pytest.mark.parametrize(
    ("name", "parts", "types"),
    [
        ("activity-settings.fit", 2, ("activity", "settings")),
        ("garmin-fr935-cr.fit", 7, ("activity",)),  # one file_id, in the first part
        ("event_timestamp.fit", 5, ("activity",)),
        ("sample_mulitple_header.fit", 4, ("activity",)),
    ],
)
def test_chained_files_decode_into_one(name: str, parts: int, types: tuple[str, ...]) -> None:
    fit = decode(load(name))
    assert fit.stats["files"] == parts
    assert fit.file_types == types
    assert len(fit.records) == len(reference(name)["record"])


def test_multisport_gives_one_activity_per_leg_without_transitions() -> None:
    acts = read_fit(load("6471559601_ACTIVITY.fit"))
    assert [a.sport for a in acts] == ["running", "rowing"]
    fit = decode(load("activity-large-fenxi2-multisport.fit"))
    assert len(fit.sessions) == 7
    legs = read_fit(load("activity-large-fenxi2-multisport.fit"))
    transitions = sum(1 for s in fit.sessions if s.sport == "transition")
    assert transitions > 0 and len(legs) == 7 - transitions
    for leg in legs:
        assert leg.samples is not None and len(leg.samples) > 0
        assert leg.samples.t[0] >= 0 and leg.samples.t[-1] <= leg.elapsed_s
    tri = read_fit(load("triathlon_summary_first.fit"))
    assert [a.sport for a in tri] == ["swimming", "cycling", "running"]
    assert [a.start_utc for a in tri] == [
        a.start_utc for a in read_fit(load("triathlon_summary_last.fit"))
    ]


def test_strava_app_file_is_damaged_and_salvageable() -> None:
    """The Strava Android file lost bytes (CRLF→LF): facts from the shared README."""
    data = load(STRAVA)
    with pytest.raises(FitError, match="truncated at byte 78233"):
        decode(data)
    fit = decode(data, salvage=True)
    assert fit.damage is not None
    assert len(fit.records) == 473  # what fitdecode and the FIT SDK deliver too
    assert fit.manufacturer == "strava" and fit.product == 102
    (session,) = fit.sessions
    assert session.sport == "running"
    assert (
        session.total_elapsed_time is not None and 58 * 60 <= session.total_elapsed_time < 60 * 60
    )
    assert session.total_distance == pytest.approx(11270, abs=10)
    assert fit.records.heart_rate is None  # GPS only
    assert fit.records.lat is not None and np.count_nonzero(~np.isnan(fit.records.lat)) > 200
    (run,) = read_fit(data, salvage=True)
    assert run.sport == "running" and run.device == "strava 102"
    assert run.distance_m == pytest.approx(11274.04)
    assert run.samples is not None and np.all(run.samples.t <= run.elapsed_s)


def test_misaligned_fields_are_read_as_bytes() -> None:
    fit = decode(load("coros-pace-2-cycling-misaligned-fields.fit"))
    assert fit.manufacturer == "coros" and fit.product == 802
    assert len(fit.records) == 11272
    (ride,) = read_fit(load("coros-pace-2-cycling-misaligned-fields.fit"))
    assert ride.sport == "cycling" and ride.distance_m == pytest.approx(32145.76)


BAD = {
    "activity-activity-filecrc.fit": r"^file CRC mismatch: the CRC at byte 1540",
    "activity-filecrc.fit": r"^file CRC mismatch: the CRC at byte 769",
    "activity-settings-corruptheader.fit": r"^not a FIT file: no '\.FIT' signature at byte 779$",
    "activity-settings-nodata.fit": r"^truncated at byte 786: expected 67 more bytes",
    "activity-unexpected-eof.fit": r"^truncated at byte 768: expected 3 more bytes",
    "nick.fit": r"^file CRC mismatch: the CRC at byte 403454",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_raise_a_specific_fit_error(name: str) -> None:
    with pytest.raises(FitError, match=BAD[name]):
        decode(load(f"bad/{name}"))
    with pytest.raises(FitError, match=BAD[name]):
        read_fit(load(f"bad/{name}"))


def test_bad_files_that_are_valid_fit() -> None:
    with pytest.raises(FitError, match=r"^no activity in this file: no session and 1 timestamped"):
        read_fit(load("bad/valid_only_contain_fileid.fit"))
    assert len(decode(load("bad/valid_only_contain_fileid.fit")).records) == 1
    # fitdecode files this one under invalid/, but it is a valid FIT activity
    (ride,) = read_fit(load("bad/elemnt-bolt-no-application-id-inside-developer-data-id.fit"))
    assert ride.sport == "cycling" and ride.distance_m == pytest.approx(963.65)


def test_salvage_keeps_what_came_before_the_damage() -> None:
    nick = decode(load("bad/nick.fit"), salvage=True)
    assert nick.damage is not None and "CRC" in nick.damage
    assert len(nick.records) == 14391
    eof = decode(load("bad/activity-unexpected-eof.fit"), salvage=True)
    assert eof.damage is not None and eof.damage.startswith("truncated at byte 768")
    assert len(eof.records) == 14


def test_route_without_times_is_not_an_activity() -> None:
    fit = decode(load("Berlin (0,9 km).fit"))
    assert fit.file_type == "course" and len(fit.records) == 49
    with pytest.raises(FitError, match=r"^no activity in this file: it is a course file"):
        read_fit(load("Berlin (0,9 km).fit"))


# ------------------------------------------------------------------ read_fit → model


def test_read_fit_running_activity() -> None:
    (run,) = read_fit(load("2022-05-29-15-53-35_Laufen_Landal_Park.fit"))
    assert run.sport == "running" and run.source_format == "fit"
    assert run.start_utc == dt.datetime(2022, 5, 29, 15, 53, 35, tzinfo=dt.UTC)
    assert run.utc_offset_s == 7200  # activity.local_timestamp − timestamp
    assert run.elapsed_s == pytest.approx(1428.038)
    assert run.distance_m == pytest.approx(3322.95)
    assert run.device == "garmin venusq"
    assert len(run.laps) == 4
    samples = run.samples
    assert samples is not None and len(samples) == 326
    fit = decode(load("2022-05-29-15-53-35_Laufen_Landal_Park.fit"))
    assert fit.records.cadence is not None and samples.cadence_spm is not None
    # running cadence is stored per stride (one foot): doubled to steps per minute
    assert np.allclose(samples.cadence_spm, 2 * fit.records.cadence, equal_nan=True)
    assert run.avg_cadence_spm is not None and 120 < run.avg_cadence_spm < 200
    assert samples.t[0] == 0 and samples.t[-1] <= run.elapsed_s
    assert samples.power_w is None  # not carried by this file


def test_read_fit_sports_and_devices() -> None:
    assert read_fit(load("sample.fit"))[0].sport == "trail_running"
    assert read_fit(load("garmin-fenix-5-walk.fit"))[0].sport == "walking"
    assert read_fit(load("20170518-191602-1740899583.fit"))[0].sport == "rowing"
    (ride,) = read_fit(load("0134902991.fit"))
    assert ride.sport == "cycling" and ride.device == "onelap 22"
    (edge,) = read_fit(load("Edge810-Vector-2013-08-16-15-35-10.fit"))
    assert edge.samples is not None and edge.samples.cadence_spm is not None
    assert np.nanmax(edge.samples.cadence_spm) < 200  # cycling cadence is not doubled
    assert normalise_sport("running", "treadmill") == "treadmill_running"
    assert normalise_sport("fitness_equipment", "indoor_rowing") == "rowing"
    assert normalise_sport("training", "strength_training") == "strength"
    assert normalise_sport("generic", None) == "other"
    assert normalise_sport(None, None) == "other"


def test_read_fit_slices_samples_to_the_session() -> None:
    (ride,) = read_fit(load("big_activity.fit"))  # 99,998 records, session of 30,877 s
    assert ride.samples is not None and len(ride.samples) == 30877  # one a second
    assert ride.samples.t[0] == 1 and ride.samples.t[-1] == ride.elapsed_s


# ------------------------------------------------------------------ CRC


def _nibble_crc(data: bytes) -> int:
    """The FIT SDK's nibble-wise CRC, written plainly as the reference."""
    table = [0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
             0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400]  # fmt: skip
    crc = 0
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = table[crc & 0xF]
            crc = (crc >> 4) & 0x0FFF
            crc = crc ^ tmp ^ table[nibble]
    return crc


@pytest.mark.parametrize("size", [0, 1, 12, 63, 64, 255, 256, 257, 32766, 32767, 32768, 70001])
def test_crc_matches_the_sdk_algorithm(size: int) -> None:
    data = random.Random(size).randbytes(size)
    assert fit_crc(data) == _nibble_crc(data)


def test_crc_of_real_files() -> None:
    data = load("large.fit")  # 2.8 MB: exercises the fold over 32767-byte rows
    assert fit_crc(data[:-2]) == int.from_bytes(data[-2:], "little")
    assert fit_crc(data) == 0  # a CRC over its own CRC bytes gives 0


# ------------------------------------------------------------------ synthetic files


def build(*messages: bytes, header_crc: bool = True) -> bytes:
    """A FIT file around the given messages (14-byte header, both CRCs)."""
    body = b"".join(messages)
    header = bytes([14, 0x20]) + struct.pack("<HI", 2132, len(body)) + b".FIT"
    header += struct.pack("<H", _nibble_crc(header) if header_crc else 0)
    data = header + body
    return data + struct.pack("<H", _nibble_crc(data))


def definition(
    local: int,
    gnum: int,
    fields: list[tuple[int, int, int]],
    *,
    big: bool = False,
    dev: list[tuple[int, int, int]] | None = None,
) -> bytes:
    out = bytes([0x40 | local | (0x20 if dev else 0), 0, int(big)])
    out += struct.pack(">H" if big else "<H", gnum) + bytes([len(fields)])
    out += b"".join(bytes(f) for f in fields)
    if dev:
        out += bytes([len(dev)]) + b"".join(bytes(f) for f in dev)
    return out


def message(local: int, payload: bytes, *, offset: int | None = None) -> bytes:
    head = local if offset is None else 0x80 | local << 5 | offset
    return bytes([head]) + payload


T0 = 1_000_000_000  # a FIT date_time in 2021


def test_synthetic_big_endian_records_with_developer_fields() -> None:
    fields = [(253, 4, 0x86), (3, 1, 0x02), (5, 4, 0x86), (2, 2, 0x84), (0, 4, 0x85)]
    data = build(
        definition(0, 0, [(0, 1, 0x00), (1, 2, 0x84)], big=True),
        message(0, bytes([4]) + struct.pack(">H", 1)),
        definition(1, 20, fields, big=True, dev=[(0, 3, 0), (1, 1, 0)]),
        *(
            message(1, struct.pack(">IBIHi", T0 + i, 100 + i, 150 * i, 2600, 2**30) + b"dev!")
            for i in range(40)
        ),
        message(1, struct.pack(">IBIHi", T0 + 40, 0xFF, 0xFFFFFFFF, 0xFFFF, 0x7FFFFFFF) + b"xxxx"),
    )
    fit = decode(data)
    assert fit.file_type == "activity" and fit.manufacturer == "garmin"
    rec = fit.records
    assert len(rec) == 41
    assert list(rec.timestamp) == [T0 + i for i in range(41)]
    assert rec.heart_rate is not None and list(rec.heart_rate[:3]) == [100, 101, 102]
    assert rec.distance is not None and rec.distance[2] == 3.0
    assert rec.altitude is not None and rec.altitude[0] == pytest.approx(20.0)  # 2600/5 − 500
    assert rec.lat is not None and rec.lat[0] == pytest.approx(90.0)
    assert np.isnan(rec.heart_rate[40]) and np.isnan(rec.distance[40]) and np.isnan(rec.lat[40])


def test_synthetic_compressed_timestamps_roll_over() -> None:
    start = T0 + 30  # low 5 bits = 30: the next offsets 31, 1, 4 roll over once
    data = build(
        definition(0, 20, [(253, 4, 0x86), (3, 1, 0x02)]),
        message(0, struct.pack("<IB", start, 90)),
        definition(1, 20, [(3, 1, 0x02)]),
        message(1, bytes([91]), offset=31),
        message(1, bytes([92]), offset=1),
        message(1, bytes([93]), offset=4),
        message(1, bytes([94]), offset=4),
        message(0, struct.pack("<IB", start + 100, 95)),
        message(1, bytes([96]), offset=(start + 101) & 31),
    )
    fit = decode(data)
    assert list(fit.records.timestamp) == [
        start, start + 1, start + 3, start + 6, start + 6, start + 100, start + 101,
    ]  # fmt: skip


def test_synthetic_errors_name_the_byte() -> None:
    with pytest.raises(FitError, match=r"^bad message at byte 14: local message 3 is not defined"):
        decode(build(message(3, b"")))
    with pytest.raises(FitError, match="architecture byte is 7"):
        decode(build(bytes([0x40, 0, 7, 20, 0, 0])))
    with pytest.raises(FitError, match=r"^truncated data: the message at byte 23 runs 2 bytes"):
        decode(build(definition(0, 20, [(3, 4, 0x86)]), message(0, b"\x01\x02")))
    with pytest.raises(
        FitError, match=r"^truncated at byte 25: the definition message at byte 14 needs 1 more"
    ):
        decode(build(definition(0, 20, [(3, 4, 0x86), (4, 1, 2)])[:-1]))
    good = build(definition(0, 20, [(3, 1, 2)]), message(0, b"\x50"))
    bad_header = bytearray(good)
    bad_header[12] ^= 1
    with pytest.raises(FitError, match=r"^header CRC mismatch"):
        decode(bytes(bad_header))
    with pytest.raises(FitError, match=r"^not a FIT file"):
        decode(b"")
    with pytest.raises(FitError, match=r"^not a FIT file"):
        decode(b"<?xml version='1.0'?><gpx></gpx>")
    with pytest.raises(FitError, match=r"^truncated at byte"):
        decode(good + good[:10])  # a chained file cut inside its header
    # header CRC 0 means "not computed" and is accepted
    assert len(decode(build(definition(0, 20, [(3, 1, 2)]), header_crc=False)).records) == 0


# Payload bytes chosen to look like headers, so a careless skipper would be fooled.
_TRICKY = st.sampled_from([0x00, 0x01, 0x02, 0x03, 0x21, 0x40, 0x41, 0x80, 0xA1, 0xFF])


@st.composite
def fit_streams(draw: st.DrawFn) -> tuple[bytes, list[float], list[float]]:
    """A valid FIT file of redefinitions and repeating record cycles with intruders.

    Records of local types 0-3 sometimes use compressed-timestamp headers. Returns the
    file and the heart rates and timestamps of its record messages in order.
    """
    parts: list[bytes] = []
    hrs: list[float] = []
    times: list[float] = []
    sizes: dict[int, int] = {}
    is_record: dict[int, bool] = {}
    for _ in range(draw(st.integers(1, 6))):
        for local in draw(st.lists(st.integers(0, 5), min_size=1, max_size=3, unique=True)):
            extra = draw(st.integers(0, 6))
            record = draw(st.booleans())
            fields = [(253, 4, 0x86), (3, 1, 0x02)] if record else [(1, 2, 0x84)]
            if extra:
                fields.append((99, extra, 0x0D))
            dev = [(0, draw(st.integers(1, 5)), 0)] if draw(st.booleans()) else None
            parts.append(definition(local, 20 if record else 23, fields, dev=dev))
            sizes[local] = sum(f[1] for f in fields) + (dev[0][1] if dev else 0)
            is_record[local] = record
        cycle = draw(st.lists(st.sampled_from(sorted(sizes)), min_size=1, max_size=4))
        for _ in range(draw(st.integers(0, 60))):
            for local in cycle:
                if draw(st.integers(0, 30)) == 0:  # an intruder of another kind
                    other = draw(st.sampled_from(sorted(sizes)))
                    parts.append(_payload(draw, other, sizes, is_record, hrs, times))
                parts.append(_payload(draw, local, sizes, is_record, hrs, times))
    return build(*parts), hrs, times


def _payload(
    draw: st.DrawFn,
    local: int,
    sizes: dict[int, int],
    is_record: dict[int, bool],
    hrs: list[float],
    times: list[float],
) -> bytes:
    """One message; records are one second apart, so compressed times are exact."""
    rest = bytes(draw(st.lists(_TRICKY, min_size=sizes[local], max_size=sizes[local])))
    if not is_record[local]:
        return message(local, rest)
    hr = draw(st.integers(0, 254))
    t = T0 + len(times)
    compressed = bool(times) and local < 4 and draw(st.booleans())  # after a full time
    hrs.append(hr)
    times.append(t)
    offset = t & 31 if compressed else None
    return message(local, struct.pack("<IB", t, hr) + rest[5:], offset=offset)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fit_streams())
def test_cycle_skipper_never_misreads(stream: tuple[bytes, list[float], list[float]]) -> None:
    """The strided skip finds exactly the messages a one-by-one scan finds."""
    data, hrs, times = stream
    fast: list[Any] = []
    slow: list[Any] = []
    fitmod._scan(data, 14, len(data) - 2, fast, skip=True)
    fitmod._scan(data, 14, len(data) - 2, slow, skip=False)
    assert [list(d.positions()) for d in fast] == [list(d.positions()) for d in slow]
    fit = decode(data)
    assert len(fit.records) == len(hrs)
    if hrs:
        assert fit.records.heart_rate is not None
        assert list(fit.records.heart_rate) == hrs
        assert list(fit.records.timestamp) == times


@pytest.mark.parametrize("name", COMPARED)
def test_cycle_skipper_agrees_on_real_files(name: str) -> None:
    data = load(name)
    fast: list[Any] = []
    slow: list[Any] = []
    end = 14 if data[0] == 14 else 12
    size = int.from_bytes(data[4:8], "little")
    fitmod._scan(data, end, end + size, fast, skip=True)
    fitmod._scan(data, end, end + size, slow, skip=False)
    assert [list(d.positions()) for d in fast] == [list(d.positions()) for d in slow]


# ------------------------------------------------------------------ robustness


def _never_other_errors(data: bytes) -> None:
    for salvage in (False, True):
        try:
            decode(data, salvage=salvage)
        except FitError as e:
            assert not str(e).startswith("malformed FIT data"), e  # a specific message
        with contextlib.suppress(FitError):
            read_fit(data, salvage=salvage)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_raise_fit_error(data: bytes) -> None:
    _never_other_errors(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bodies_behind_a_valid_header_raise_fit_error(body: bytes) -> None:
    _never_other_errors(build(body))  # CRCs right: the decoder must parse the garbage
    header = bytes([12, 0x10]) + struct.pack("<HI", 100, len(body)) + b".FIT"
    _never_other_errors(header + body)


_DECODED = {
    0: [0, 1, 2, 3, 4],  # file_id
    18: [253, 2, 5, 6, 7, 8, 9, 11, 14, 15, 16, 17, 18, 22, 92, 124, 125],  # session
    19: [253, 2, 7, 9, 15, 25],  # lap
    20: [253, 0, 1, 2, 3, 4, 5, 6, 7, 8, 53, 73, 78],  # record
    34: [253, 5],  # activity
    12: [0, 1],  # sport
}


@st.composite
def odd_definitions(draw: st.DrawFn) -> bytes:
    """Structurally valid files whose decoded fields have any base type and size."""
    parts = []
    for local, gnum in enumerate(draw(st.lists(st.sampled_from(sorted(_DECODED)), max_size=6))):
        nums = draw(st.lists(st.sampled_from(_DECODED[gnum]), min_size=1, max_size=6))
        fields = [(n, draw(st.integers(0, 9)), draw(st.integers(0, 255))) for n in nums]
        parts.append(definition(local, gnum, fields, big=draw(st.booleans())))
        size = sum(f[1] for f in fields)
        for _ in range(draw(st.integers(0, 4))):
            parts.append(message(local, draw(st.binary(min_size=size, max_size=size))))
    return build(*parts)


@settings(max_examples=300, deadline=None)
@given(odd_definitions())
def test_any_field_types_decode_without_crashing(data: bytes) -> None:
    decode(data)  # structurally valid: must decode, whatever the values
    _never_other_errors(data)


SMALL = ["activity-settings.fit", "compressed-speed-distance.fit", "garmin-fenix-5-run.fit"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SMALL), st.integers(0, 10**9), st.integers(0, 7))
def test_bit_flips_are_always_caught(name: str, where: int, bit: int) -> None:
    data = bytearray(load(name))
    data[where % len(data)] ^= 1 << bit
    with pytest.raises(FitError):  # CRC-16 catches every single-bit error
        decode(bytes(data))
    _never_other_errors(bytes(data))


@pytest.mark.parametrize("name", ["activity-settings.fit", "garmin-fenix-5-bike.fit"])
def test_every_truncation_raises_fit_error(name: str) -> None:
    data = load(name)
    boundaries = {sum(len(p) for p in _parts(data)[:k]) for k in range(len(_parts(data)))}
    for cut in range(len(data)):
        if cut in boundaries - {0}:  # a whole chained part: a valid file
            assert decode(data[:cut]).stats["files"] >= 1
            continue
        with pytest.raises(FitError):
            decode(data[:cut])
        _never_other_errors(data[:cut])


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(COMPARED), st.floats(0, 1))
def test_truncated_real_files_raise_fit_error(name: str, frac: float) -> None:
    data = load(name)
    cut = int(frac * (len(data) - 1))
    with pytest.raises(FitError):
        decode(data[:cut])
    fit = decode(data[:cut], salvage=True) if cut >= 14 else None
    if fit is not None:
        assert len(fit.records) <= len(decode(data).records)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(SMALL), st.binary(min_size=1, max_size=64), st.integers(0, 10**9))
def test_garbage_spliced_into_real_files(name: str, junk: bytes, where: int) -> None:
    data = load(name)
    at = where % len(data)
    _never_other_errors(data[:at] + junk + data[at:])


# ------------------------------------------------------------------ shift_timestamps


@pytest.mark.parametrize(
    "name",
    [
        "2022-05-29-15-53-35_Laufen_Landal_Park.fit",
        "activity-settings.fit",
        "compressed-speed-distance.fit",
        "triathlon_summary_first.fit",
        "2019-02-17-062644-ELEMNT-297E-195-0.fit",
    ],
)
def test_shift_timestamps_round_trips(name: str) -> None:
    data = load(name)
    shifted = shift_timestamps(data, 3200)
    assert len(shifted) == len(data)
    for part in _parts(shifted):
        assert fit_crc(part) == 0  # each chained file's CRC recomputed
    before, after = decode(data), decode(shifted)  # strict decode: CRCs are valid
    assert np.array_equal(after.records.timestamp, before.records.timestamp + 3200, equal_nan=True)
    for old, new in zip(before.sessions, after.sessions, strict=True):
        assert old.start_time is not None and new.start_time is not None
        assert new.start_time.raw == old.start_time.raw + 3200
        assert new.timestamp is not None and old.timestamp is not None
        assert new.timestamp.raw == old.timestamp.raw + 3200
    for old_lap, new_lap in zip(before.laps, after.laps, strict=True):
        assert old_lap.start_time is not None and new_lap.start_time is not None
        assert new_lap.start_time.raw == old_lap.start_time.raw + 3200
    assert before.time_created is not None and after.time_created is not None
    assert after.time_created.raw == before.time_created.raw + 3200
    if before.activity_local_timestamp is not None:
        assert after.activity_local_timestamp is not None
        assert after.activity_local_timestamp.raw == before.activity_local_timestamp.raw + 3200
        assert after.utc_offset_s == before.utc_offset_s
    assert shift_timestamps(shifted, -3200) == data  # and back, byte for byte


def _parts(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        end = pos + data[pos] + int.from_bytes(data[pos + 4 : pos + 8], "little") + 2
        out.append(data[pos:end])
        pos = end
    return out


def test_shift_timestamps_rules() -> None:
    with pytest.raises(ValueError, match="multiple of 32"):
        shift_timestamps(load("compressed-speed-distance.fit"), 3600)
    one_hour = shift_timestamps(load("garmin-fenix-5-run.fit"), 3600)  # no compressed headers
    (run,) = read_fit(one_hour)
    (orig,) = read_fit(load("garmin-fenix-5-run.fit"))
    assert run.start_utc - orig.start_utc == dt.timedelta(hours=1)
    with pytest.raises(ValueError, match="out of range"):
        shift_timestamps(load("garmin-fenix-5-run.fit"), -(10**9))
    one = build(definition(0, 20, [(253, 4, 0x86)]), message(0, struct.pack("<I", T0)))
    with pytest.raises(ValueError, match="device-relative"):
        shift_timestamps(one, prof.FIT_MIN_ABSOLUTE_TIME - T0 - 32)
    assert decode(shift_timestamps(one, -32)).records.timestamp[0] == T0 - 32
    with pytest.raises(FitError):
        shift_timestamps(load("bad/activity-filecrc.fit"), 32)


def test_shifted_copies_are_distinct_activities() -> None:
    """How the import benchmark builds many runs from one file."""
    base = load("garmin-fenix-5-run.fit")
    starts = {read_fit(shift_timestamps(base, k * 86_400))[0].start_utc for k in range(5)}
    assert len(starts) == 5


# ------------------------------------------------------------------ profile tables


def test_profile_tables_agree_with_fitdecode() -> None:
    fitdecode = pytest.importorskip("fitdecode")
    profile = fitdecode.profile
    types = profile.FIELD_TYPES
    for ours, theirs in [
        (prof.SPORTS, types["sport"].enum),
        (prof.SUB_SPORTS, types["sub_sport"].enum),
        (prof.FILE_TYPES, types["file"].enum),
    ]:
        assert {k: v for k, v in theirs.items() if k in ours} == ours
    assert all(types["manufacturer"].enum[k] == v for k, v in prof.MANUFACTURERS.items())
    assert all(types["garmin_product"].enum[k] == v for k, v in prof.GARMIN_PRODUCTS.items())
    messages = profile.MESSAGE_TYPES
    for gnum, specs in [
        (prof.MESG_FILE_ID, prof.FILE_ID_FIELDS),
        (prof.MESG_SESSION, prof.SESSION_FIELDS),
        (prof.MESG_LAP, prof.LAP_FIELDS),
        (prof.MESG_RECORD, prof.RECORD_FIELDS),
        (prof.MESG_ACTIVITY, prof.ACTIVITY_FIELDS),
        (prof.MESG_SPORT, prof.SPORT_FIELDS),
    ]:
        for name, (num, scale, offset) in specs.items():
            field = messages[gnum].fields[num]
            assert field.name == name
            assert (field.scale or 1) == scale and (field.offset or 0) == offset, name
    dated: dict[int, set[int]] = {}
    for gnum, mesg in messages.items():
        for num, field in mesg.fields.items():
            if getattr(field.type, "name", None) in ("date_time", "local_date_time") and num != 253:
                dated.setdefault(gnum, set()).add(num)
    assert dated == {k: set(v) for k, v in prof.DATE_TIME_FIELDS.items()}


def test_result_types() -> None:
    fit = decode(load("garmin-fenix-5-run.fit"))
    assert isinstance(fit, FitFile)
    assert fit.device == "garmin fenix5"
    created = fit.time_created
    assert created is not None and not created.is_relative
    when = created.to_datetime()
    assert when is not None and when.tzinfo is dt.UTC and when.year == 2017
