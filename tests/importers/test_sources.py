"""Paths to items to activities: sniffing, .gz, folders, zips, Strava and Garmin exports.

Real files come from tests/data; archives and exports that need odd content (German
headers, bombs, '..' members, Garmin's nested zips) are built here with zipfile.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import struct
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hipcoach.importers.archives import Limits, declared_members
from hipcoach.importers.sources import (
    ImportFailure,
    Item,
    iter_items,
    manual_activity,
    read_item,
    sniff,
)
from hipcoach.importers.sports import sport_from_text

DATA = Path(__file__).resolve().parent.parent / "data"
STRAVA = DATA / "strava_export"
FIT_START = datetime(2022, 5, 29, 15, 53, 35, tzinfo=UTC)


def gpx_bytes() -> bytes:
    return (DATA / "gpx" / "run.gpx").read_bytes()


def tcx_bytes() -> bytes:
    return (DATA / "tcx" / "run_garmin.tcx").read_bytes()


def fit_bytes() -> bytes:
    """The real FIT of the Strava sample export (a 3.32 km run, 2022-05-29 15:53:35Z)."""
    return gzip.decompress((STRAVA / "activities" / "12866632127.fit.gz").read_bytes())


def fit_file_of_type(file_type: int, created: datetime) -> bytes:
    """A minimal FIT file with just a file_id message (type, time_created); CRC zero."""
    stamp = int(created.timestamp()) - 631_065_600
    body = bytes([0x40, 0, 0, 0, 0, 2, 0, 1, 0x00, 4, 4, 0x86])  # definition of file_id
    body += bytes([0x00, file_type]) + struct.pack("<I", stamp)
    header = struct.pack("<BBHI4sH", 14, 0x20, 2100, len(body), b".FIT", 0)
    return header + body + b"\x00\x00"


def make_zip(members: dict[str, bytes], stored: bool = False) -> bytes:
    buf = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, method)
    return buf.getvalue()


def items_of(*paths: Path, limits: Limits | None = None) -> list[Item]:
    return list(iter_items(paths, limits))


needs_fit = pytest.mark.skipif(
    not (Path(__file__).resolve().parents[2] / "src/hipcoach/importers/fit.py").exists(),
    reason="FIT reader not present",
)


# ----------------------------------------------------------------------------- sniffing


def test_sniff_by_content_never_by_name() -> None:
    assert sniff(fit_bytes()) == "fit"
    assert sniff(gpx_bytes()) == "gpx"
    assert sniff(tcx_bytes()) == "tcx"
    assert sniff(gzip.compress(b"x")) == "gzip"
    assert sniff(make_zip({"a": b"b"})) == "zip"
    assert sniff(b"Activity ID,Activity Date\n") == "unknown"
    assert sniff(b"") == "unknown"
    assert sniff((DATA / "gpx" / "unicode_with_bom.gpx").read_bytes()) == "gpx"
    prolog = b'\xef\xbb\xbf\n<?xml version="1.0"?>\n<!-- exported -->\n<?xml-stylesheet x?>'
    assert sniff(prolog + b"<TrainingCenterDatabase/>") == "tcx"
    assert sniff(b"<?xml version='1.0'?><gpx:gpx xmlns:gpx='x'/>") == "gpx"
    assert sniff('<?xml version="1.0" encoding="UTF-16"?><gpx/>'.encode("utf-16")) == "gpx"
    assert sniff(b"<html><body>gpx</body></html>") == "unknown"


def test_wrong_extensions_are_read_by_content(tmp_path: Path) -> None:
    (tmp_path / "run.fit").write_bytes(gpx_bytes())
    (tmp_path / "ride.gpx").write_bytes(tcx_bytes())
    (tmp_path / "notes.tcx").write_bytes(b"just text")
    items = items_of(tmp_path)
    assert [(Path(i.name).name, i.error is None) for i in items] == [
        ("notes.tcx", False),
        ("ride.gpx", True),
        ("run.fit", True),
    ]
    assert "not an activity file" in (items[0].error or "")
    assert read_item(items[1])[0].source_format == "tcx"
    assert read_item(items[2])[0].source_format == "gpx"


@pytest.mark.parametrize("kind", ["gpx", "tcx", "fit"])
def test_gz_of_each_format(tmp_path: Path, kind: str) -> None:
    if kind == "fit":
        pytest.importorskip("hipcoach.importers.fit")
    raw = {"gpx": gpx_bytes, "tcx": tcx_bytes, "fit": fit_bytes}[kind]()
    path = tmp_path / f"activity.{kind}.gz"
    path.write_bytes(gzip.compress(raw))
    [item] = items_of(path)
    assert item.error is None and item.data == raw  # decompressed
    [act] = read_item(item)
    assert act.source_format == kind
    # read_item also accepts gzip bytes handed to it directly
    assert read_item(Item("x", gzip.compress(raw)))[0].start_utc == act.start_utc


def test_folders_are_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    for rel in ("b/2.gpx", "a/z.gpx", "a/c/1.gpx", "0.gpx", ".hidden/x.gpx", "a/.DS_Store"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(gpx_bytes())
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "__MACOSX" / "._0.gpx").write_bytes(b"\x00\x05\x16\x07")
    names = [Path(i.name).relative_to(tmp_path).as_posix() for i in items_of(tmp_path)]
    assert names == ["0.gpx", "a/c/1.gpx", "a/z.gpx", "b/2.gpx"]  # like `find | sort`
    assert all(i.source == "folder" for i in items_of(tmp_path))
    [missing] = items_of(tmp_path / "nope")
    assert missing.error is not None and "no such file" in missing.error


# ----------------------------------------------------------------------------- zips


def test_zip_members_are_items_and_bad_members_do_not_stop_the_rest(tmp_path: Path) -> None:
    bomb = b"<gpx>" + b"\x00" * (5 << 20)  # 5 MiB of zeros: deflates about 1000:1
    archive = tmp_path / "mixed.zip"
    archive.write_bytes(
        make_zip(
            {
                "run.gpx": gpx_bytes(),
                "../evil.gpx": gpx_bytes(),
                "/etc/abs.gpx": gpx_bytes(),
                "C:/windows.gpx": gpx_bytes(),
                "dir/../../up.gpx": gpx_bytes(),
                "bomb.gpx": bomb,
                "__MACOSX/._run.gpx": b"\x00\x05\x16\x07",
                "readme.txt": b"hello",
                "ride.tcx": tcx_bytes(),
            }
        )
    )
    items = {i.name.split(" › ")[1]: i for i in items_of(archive)}
    assert list(items) == [
        "run.gpx", "../evil.gpx", "/etc/abs.gpx", "C:/windows.gpx", "dir/../../up.gpx",
        "bomb.gpx", "readme.txt", "ride.tcx",
    ]  # fmt: skip
    for name in ("../evil.gpx", "/etc/abs.gpx", "C:/windows.gpx", "dir/../../up.gpx"):
        assert "unsafe path" in (items[name].error or "")
    assert "zip bomb" in (items["bomb.gpx"].error or "")
    assert "not an activity file" in (items["readme.txt"].error or "")
    assert items["run.gpx"].data == gpx_bytes() and items["run.gpx"].source == "archive"
    assert read_item(items["ride.tcx"])[0].sport == "running"
    assert items["run.gpx"].name == f"{archive} › run.gpx"


def test_too_many_members_refuses_the_archive_before_reading_it(tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    archive.write_bytes(make_zip({f"f{i:05d}.gpx": b"<gpx/>" for i in range(150)}))
    with archive.open("rb") as f:
        assert declared_members(f) == 150
    [item] = items_of(archive, limits=Limits(max_members=100))
    assert item.error is not None and "150 members" in item.error and "100" in item.error
    assert len(items_of(archive, limits=Limits(max_members=150))) == 150


def test_size_limits_per_member_and_in_total(tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    archive.write_bytes(make_zip({f"{i}.gpx": gpx_bytes() for i in range(5)}))
    small = Limits(max_member_bytes=100_000)
    assert all("limit" in (i.error or "") for i in items_of(archive, limits=small))
    total = Limits(max_total_bytes=len(gpx_bytes()) * 2 + 10)
    items = items_of(archive, limits=total)
    assert [i.error is None for i in items] == [True, True, False]  # then it stops
    assert "rest of the archive" in (items[2].error or "")


def test_gzip_bombs_and_damaged_gzip(tmp_path: Path) -> None:
    (tmp_path / "bomb.gpx.gz").write_bytes(gzip.compress(b"<gpx>" + b"\x00" * (50 << 20)))
    (tmp_path / "cut.gpx.gz").write_bytes(gzip.compress(gpx_bytes())[:2000])
    (tmp_path / "big.gpx.gz").write_bytes(gzip.compress(gpx_bytes() * 8))
    items = {Path(i.name).name: i for i in items_of(tmp_path)}
    assert "zip bomb" in (items["bomb.gpx.gz"].error or "")
    assert "truncated" in (items["cut.gpx.gz"].error or "")
    assert items["big.gpx.gz"].error is None
    [big] = items_of(tmp_path / "big.gpx.gz", limits=Limits(max_member_bytes=1 << 20))
    assert "exceeds 1.0 MiB" in (big.error or "")


def test_nesting_depth_encryption_and_damaged_archives(tmp_path: Path) -> None:
    inner = make_zip({"deep.gpx": gpx_bytes()})
    middle = make_zip({"inner.zip": inner, "ok.gpx": gpx_bytes()})
    (tmp_path / "outer.zip").write_bytes(make_zip({"middle.zip": middle}))
    items = items_of(tmp_path / "outer.zip")
    assert [i.name.rsplit(" › ", 1)[1] for i in items] == ["inner.zip", "ok.gpx"]
    assert "nested 3 deep" in (items[0].error or "") and items[1].error is None

    raw = bytearray(make_zip({"secret.gpx": gpx_bytes()}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set "encrypted"
        at = raw.index(signature) + offset
        raw[at] |= 0x1
    (tmp_path / "enc.zip").write_bytes(bytes(raw))
    [enc] = items_of(tmp_path / "enc.zip")
    assert "encrypted" in (enc.error or "")

    (tmp_path / "cut.zip").write_bytes(make_zip({"a.gpx": gpx_bytes()})[:-30])
    [cut] = items_of(tmp_path / "cut.zip")
    assert "damaged zip" in (cut.error or "")


# ----------------------------------------------------------------------------- Strava


def check_strava_sample(items: list[Item]) -> None:
    [item] = items  # the other CSVs of the export are not items
    assert item.name.endswith("activities/12866632127.fit.gz")
    assert item.source == "strava" and item.error is None
    assert item.data == fit_bytes()
    meta = item.metadata
    assert meta is not None and meta.source == "strava"
    assert meta.activity_id == "12070555079"
    assert meta.name == "Laufen Landal Park" and meta.sport == "running"
    assert meta.start_utc == FIT_START  # "May 29, 2022, 3:53:35 PM" is UTC
    assert meta.distance_m == pytest.approx(3322.95, abs=0.01)  # the second Distance: metres
    assert meta.elapsed_s == 1428.0 and meta.moving_s == 1411.0 and meta.commute is False


@pytest.mark.parametrize(
    ("label", "sport"),
    [
        ("Run", "running"), ("Trail Run", "trail_running"), ("Virtual Run", "treadmill_running"),
        ("Walk", "walking"), ("Hike", "hiking"), ("Ride", "cycling"), ("E-Bike Ride", "cycling"),
        ("Weight Training", "strength"), ("Yoga", "other"), ("Nordic Ski", "other"),
        ("Lauf", "running"), ("Wanderung", "hiking"), ("Spaziergang", "walking"),
        ("Radfahrt", "cycling"), ("Eislaufen", "other"), ("Skilanglauf", "other"),
        ("treadmill_running", "treadmill_running"), ("indoor_cycling", "cycling"),
        ("lap_swimming", "swimming"), ("strength_training", "strength"), ("9", "running"),
        ("", None),
    ],
)  # fmt: skip
def test_sport_names_of_exports(label: str, sport: str | None) -> None:
    assert sport_from_text(label) == sport


def test_real_strava_export_folder_joins_the_csv_to_its_fit_gz() -> None:
    check_strava_sample(items_of(STRAVA))


def test_real_strava_export_zipped_inside_a_top_folder(tmp_path: Path) -> None:
    members = {
        f"export_12345/{p.relative_to(STRAVA).as_posix()}": p.read_bytes()
        for p in sorted(STRAVA.rglob("*"))
        if p.is_file()
    }
    members["export_12345/media/photo.jpg"] = b"\xff\xd8\xff"
    (tmp_path / "export_12345.zip").write_bytes(make_zip(members))
    items = items_of(tmp_path / "export_12345.zip")
    check_strava_sample(items)
    assert " › export_12345/activities/" in items[0].name


@needs_fit
def test_strava_metadata_wins_over_the_file() -> None:
    [item] = items_of(STRAVA)
    [act] = read_item(item)
    assert act.name == "Laufen Landal Park" and act.sport == "running"
    assert act.start_utc == FIT_START
    assert act.distance_m == pytest.approx(3322.95, abs=1)


GERMAN_HEADER = (
    "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Aktivitätsbeschreibung,"
    "Verstrichene Zeit,Distanz,Max. Herzfrequenz,Relative Leistung,Pendeln,"
    "Hinweis zur Privatsphäre für Aktivitäten,Aktivitätsausrüstung,Dateiname,Sportlergewicht,"
    "Fahrradgewicht,Verstrichene Zeit,Bewegungszeit,Distanz,Höchstgeschw.,"
    "Durchschnittliche Herzfrequenz,Kalorien,Gefühlte Anstrengung,Art,Medien"
)


def test_german_export_with_manual_and_missing_activities(tmp_path: Path) -> None:
    root = tmp_path / "export_de"
    (root / "activities").mkdir(parents=True)
    (root / "media").mkdir()
    (root / "media" / "foto.jpg").write_bytes(b"\xff\xd8\xff")
    (root / "profile.csv").write_text("Athlete ID\n1\n", encoding="utf-8")
    (root / "activities" / "1.gpx").write_bytes(gpx_bytes())  # a 2017 run, no <type>
    (root / "activities" / "extra.gpx").write_bytes(gpx_bytes())  # not in the CSV
    rows = [
        '1,"29.05.2017, 08:13:01",Abendlauf,Radfahrt,"Schön, aber kalt",1423,"4,81",170,,false,'
        "Hüfte zwickt,Brooks Ghost 15,activities/1.gpx,,,1423.0,1380.0,4810.5,,150,300,6,,",
        '2,"01.06.2017, 07:00:00",Kraftraum,Krafttraining,,3600,"0,00",,,false,,,,,,3600.0,'
        "3600.0,0.0,,,,4,,",
        '3,"02.06.2017, 07:00:00",Pendeln,Radfahrt,,1800,"9,50",,,true,,Rad,'
        "activities/3.fit.gz,,,1800.0,1700.0,9500.0,,,,,,",
    ]
    (root / "activities.csv").write_text(
        GERMAN_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    items = items_of(tmp_path)
    by_end = {i.name.rsplit("/", 1)[-1]: i for i in items}
    assert len(items) == 4
    run = by_end["1.gpx"]
    meta = run.metadata
    assert meta is not None and meta.name == "Abendlauf" and meta.gear == "Brooks Ghost 15"
    assert meta.start_utc == datetime(2017, 5, 29, 8, 13, 1, tzinfo=UTC)  # day first
    assert meta.distance_m == 4810.5 and meta.elapsed_s == 1423.0 and meta.rpe == 6
    assert meta.notes == "Schön, aber kalt\n\nHüfte zwickt"
    assert meta.sport == "cycling" and meta.sport_label == "Radfahrt"
    [act] = read_item(run)  # the CSV wins: name, sport, gear, notes
    assert (act.name, act.sport, act.gear) == ("Abendlauf", "cycling", "Brooks Ghost 15")
    assert act.notes == "Schön, aber kalt\n\nHüfte zwickt"
    assert by_end["extra.gpx"].metadata is None and by_end["extra.gpx"].source == "strava"
    missing = next(i for i in items if "3.fit.gz" in i.name)
    assert missing.error is not None and "missing from the export" in missing.error
    manual = next(i for i in items if "Kraftraum" in i.name)
    assert manual.data is None and manual.error is None and manual.metadata is not None
    assert manual.metadata.sport == "strength" and manual.metadata.rpe == 4
    activity = manual_activity(manual.metadata)
    assert activity is not None and activity.source_format == "manual"
    assert activity.elapsed_s == 3600 and activity.sport == "strength"
    with pytest.raises(ImportFailure, match="manual activity"):
        read_item(manual)


def test_export_in_an_unknown_language_still_imports_its_files(tmp_path: Path) -> None:
    (tmp_path / "activities").mkdir()
    (tmp_path / "activities" / "1.gpx").write_bytes(gpx_bytes())
    (tmp_path / "goals.csv").write_text("Type d'objectif\n", encoding="utf-8")
    (tmp_path / "activities.csv").write_text(
        "ID de l'activité,Date de l'activité,Nom de l'activité,Nom du fichier\n"
        '1,"29 mai 2017, 08:13:01",Course du soir,activities/1.gpx\n',
        encoding="utf-8",
    )
    note, run = items_of(tmp_path)  # goals.csv is the export's: passed over
    assert "language" in (note.error or "") and note.name.endswith("activities.csv")
    assert run.error is None and run.source == "strava"
    assert run.metadata is not None and run.metadata.name is None


def test_pre_2019_header_and_english_duplicated_columns(tmp_path: Path) -> None:
    old = tmp_path / "old"
    (old / "activities").mkdir(parents=True)
    (old / "activities" / "1808293.gpx").write_bytes(gpx_bytes())
    (old / "activities.csv").write_text(
        "id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
        "1808293,2018-09-12 15:02:23,Morning Run,Run,,1800,5012.3,false,Old Shoes,"
        "activities/1808293.gpx\n",
        encoding="utf-8",
    )
    [item] = items_of(old)
    meta = item.metadata
    assert meta is not None and meta.start_utc == datetime(2018, 9, 12, 15, 2, 23, tzinfo=UTC)
    assert (meta.distance_m, meta.elapsed_s, meta.gear) == (5012.3, 1800.0, "Old Shoes")

    new = tmp_path / "new"
    (new / "activities").mkdir(parents=True)
    (new / "activities" / "7.gpx").write_bytes(gpx_bytes())
    (new / "activities.csv").write_text(
        "\ufeffActivity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,"
        "Filename,Elapsed Time,Distance,Perceived Exertion,Activity Private Note\n"
        '7,"Jan 2, 2024, 12:05:09 AM","Hills, again",Trail Run,1500,3.1,activities/7.gpx,'
        '1500.0,5000.0,7,"sore ""left"" hip"\n'
        '8,"Jan 2, 2024, 12:30:00 PM",Lunch,Walk,900,1.0,,900.0,1000.0,,\n',
        encoding="utf-8",
    )
    [run, walk] = items_of(new)
    meta = run.metadata
    assert meta is not None and meta.distance_m == 5000.0  # metres, not the 3.1 (miles)
    assert meta.start_utc == datetime(2024, 1, 2, 0, 5, 9, tzinfo=UTC)  # 12 AM = midnight
    assert (meta.name, meta.sport, meta.rpe) == ("Hills, again", "trail_running", 7.0)
    assert meta.private_note == 'sore "left" hip'
    assert walk.metadata is not None and walk.data is None
    assert walk.metadata.start_utc == datetime(2024, 1, 2, 12, 30, tzinfo=UTC)


def test_a_lone_activities_csv_is_one_clear_error(tmp_path: Path) -> None:
    csv = (STRAVA / "activities.csv").read_text(encoding="utf-8")
    second = csv.splitlines()[1].replace("12866632127", "12866632128")
    (tmp_path / "activities.csv").write_text(csv + second + "\n", encoding="utf-8")
    (tmp_path / "x.csv").write_bytes(b"Activity ID\n")
    items = items_of(tmp_path)
    [item] = items  # x.csv belongs to the export, like its other CSVs: passed over
    assert Path(item.name).name == "activities.csv"
    assert "import the whole export" in (item.error or "")


# ----------------------------------------------------------------------------- Garmin


def garmin_summaries() -> bytes:
    start_ms = int(FIT_START.timestamp() * 1000)
    acts = [
        {"activityId": 9000, "name": "Multisport", "activityType": "multi_sport",
         "parent": True, "startTimeGmt": start_ms, "distance": 999_999_00.0},
        {"activityId": 9001, "name": "Landal trail", "activityType": "trail_running",
         "sportType": "RUNNING", "startTimeGmt": start_ms + 2000, "beginTimestamp": start_ms,
         "duration": 1_428_038.0, "elapsedDuration": 1_430_000.0, "movingDuration": 1_411_000.0,
         "distance": 332_295.0, "elevationGain": 6_188.0, "avgHr": 151.0, "maxHr": 171.0,
         "parent": False},
        {"activityId": 9002, "name": "Later walk", "activityType": "walking",
         "startTimeGmt": start_ms + 3_600_000, "duration": 600_000.0, "distance": 80_000.0},
    ]  # fmt: skip
    return json.dumps([{"summarizedActivitiesExport": acts}]).encode()


def garmin_members(stored_uploads: bool) -> dict[str, bytes]:
    uploads = {
        "someone@example.com_123456789.fit": fit_bytes(),
        "someone@example.com_5550001.fit": fit_file_of_type(32, FIT_START),  # monitoring_b
        "someone@example.com_5550002.fit": fit_file_of_type(4, datetime(2023, 1, 1, tzinfo=UTC)),
    }
    return {
        "DI_CONNECT/DI-Connect-Fitness/someone_0_summarizedActivities.json": garmin_summaries(),
        "DI_CONNECT/DI-Connect-Wellness/someone_sleepData.json": b"[]",
        "DI_CONNECT/DI-Connect-User/user_profile.json": b"{}",
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": make_zip(
            uploads, stored=stored_uploads
        ),
    }


@pytest.mark.parametrize("stored_uploads", [True, False], ids=["stored", "deflated"])
def test_garmin_export_nested_zips_summaries_and_non_activity_fit(
    tmp_path: Path, stored_uploads: bool
) -> None:
    (tmp_path / "garmin.zip").write_bytes(make_zip(garmin_members(stored_uploads)))
    items = items_of(tmp_path / "garmin.zip")
    assert [i.name.rsplit(" › ", 1)[1] for i in items] == [
        "someone@example.com_123456789.fit",
        "someone@example.com_5550001.fit",
        "someone@example.com_5550002.fit",
    ]
    run, monitoring, unmatched = items
    assert all(i.source == "garmin" for i in items)
    meta = run.metadata
    assert meta is not None and meta.source == "garmin" and meta.activity_id == "9001"
    assert meta.distance_m == pytest.approx(3322.95)  # centimetres → metres
    assert meta.elapsed_s == 1430.0 and meta.moving_s == 1411.0  # milliseconds → seconds
    assert meta.sport == "trail_running" and meta.avg_hr == 151.0
    assert monitoring.not_activity and monitoring.data is None
    assert "not an activity" in (monitoring.error or "") and "monitoring_b" in (
        monitoring.error or ""
    )
    assert unmatched.error is None and unmatched.metadata is None  # no summary near it


def test_unpacked_garmin_export_folder(tmp_path: Path) -> None:
    for rel, data in garmin_members(stored_uploads=False).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    items = items_of(tmp_path)
    assert len(items) == 3 and items[0].metadata is not None
    assert items[0].metadata.name == "Landal trail"


@needs_fit
def test_garmin_metadata_is_laid_over_the_fit_file(tmp_path: Path) -> None:
    (tmp_path / "garmin.zip").write_bytes(make_zip(garmin_members(stored_uploads=True)))
    run = items_of(tmp_path / "garmin.zip")[0]
    [act] = read_item(run)
    assert (act.name, act.sport) == ("Landal trail", "trail_running")
    assert act.start_utc == FIT_START


def test_broken_summary_json_is_reported_and_files_still_come(tmp_path: Path) -> None:
    members = garmin_members(stored_uploads=True)
    members["DI_CONNECT/DI-Connect-Fitness/someone_0_summarizedActivities.json"] = b"{oops"
    (tmp_path / "garmin.zip").write_bytes(make_zip(members))
    items = items_of(tmp_path / "garmin.zip")
    assert "export index could not be read" in (items[0].error or "")
    assert [i.metadata for i in items[1:]] == [None, None, None]


# ----------------------------------------------------------------------------- read_item


def test_read_item_failures_say_what_is_wrong() -> None:
    with pytest.raises(ImportFailure, match="neither FIT, GPX nor TCX"):
        read_item(Item("notes.txt", b"hello"))
    with pytest.raises(ImportFailure, match="zip archive"):
        read_item(Item("a.zip", make_zip({"a.gpx": gpx_bytes()})))
    with pytest.raises(ImportFailure, match="planned route"):
        read_item(Item("route.gpx", (DATA / "gpx" / "route.gpx").read_bytes()))
    with pytest.raises(ImportFailure, match="already said"):
        read_item(Item("x", None, error="already said"))
    with pytest.raises(ImportFailure, match="truncated"):
        read_item(Item("x.gpx.gz", gzip.compress(gpx_bytes())[:500]))


def test_items_can_be_sent_to_worker_processes() -> None:
    import pickle

    [item] = items_of(STRAVA)
    assert pickle.loads(pickle.dumps(item)) == item  # noqa: S301 - our own bytes


def test_copying_an_export_keeps_working(tmp_path: Path) -> None:
    """A Strava export whose CSV names files with './' and another case still joins."""
    root = tmp_path / "e"
    shutil.copytree(STRAVA, root)
    csv_path = root / "activities.csv"
    text = csv_path.read_text(encoding="utf-8").replace(
        "activities/12866632127.fit.gz", "./Activities/12866632127.FIT.GZ"
    )
    csv_path.write_text(text, encoding="utf-8")
    (root / "activities").rename(root / "Activities")
    (root / "Activities" / "12866632127.fit.gz").rename(root / "Activities" / "12866632127.FIT.GZ")
    [item] = items_of(root)
    assert item.metadata is not None and item.metadata.name == "Laufen Landal Park"
