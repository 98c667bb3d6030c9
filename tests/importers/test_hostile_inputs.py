"""Hostile files, as a user would meet them: skipped with a reason, the rest imported.

One test per defect a security tester reported (a sniffing regex that backtracked for
minutes, readers that crashed on a long CSV field, absurd or deeply nested JSON, a
forged zip member count, a nameless or oddly versioned zip member, XML in an encoding
expat does not know), each through the public import path (``iter_items`` and
``read_item``, the ``hipcoach import`` command) and, where there is one, the reader.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hipcoach.importers.archives import Limits, declared_members
from hipcoach.importers.exports import parse_garmin_summaries
from hipcoach.importers.items import sniff
from hipcoach.importers.sources import ImportFailure, Item, estimate_items, iter_items, read_item
from hipcoach.importers.strava import parse_strava_csv, parse_strava_date
from hipcoach.importers.xml_common import declared_encoding
from hipcoach.importers.xml_tracks import TrackError, read_gpx

DATA = Path(__file__).resolve().parent.parent / "data"
GPX = (DATA / "gpx" / "run.gpx").read_bytes()
GPX_BODY = GPX.split(b"?>", 1)[1]  # run.gpx without its XML declaration
FIT = gzip.decompress((DATA / "strava_export" / "activities" / "12866632127.fit.gz").read_bytes())
FIT_START = datetime(2022, 5, 29, 15, 53, 35, tzinfo=UTC)
GOOD_START = read_gpx(GPX)[0].start_utc


def items_of(*paths: Path, limits: Limits | None = None) -> dict[str, Item]:
    """Items by the last part of their name (after the archive's ' › ')."""
    return {i.name.rsplit(" › ", 1)[-1].rsplit("/", 1)[-1]: i for i in iter_items(paths, limits)}


def imports(item: Item) -> bool:
    """Whether the item gives activities, as the import's workers would read it."""
    return item.error is None and bool(read_item(item))


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def central_records(raw: bytes | bytearray) -> list[int]:
    """Offsets of a zip's central-directory records."""
    out, at = [], raw.find(b"PK\x01\x02")
    while at >= 0:
        out.append(at)
        at = raw.find(b"PK\x01\x02", at + 4)
    return out


# --------------------------------------------------------------- 1. sniffing regex


@pytest.mark.parametrize(
    "lead",
    [b" " * 40, b" " * 4000, b"\x1c\x1d\x1e\x1f" * 10, b"\x85" * 40, b"\xa0" * 40, b"\t\r\n" * 20],
    ids=["40 spaces", "4000 spaces", "x1c-x1f", "x85", "xa0", "tabs and newlines"],
)
def test_whitespace_before_no_tag_is_not_an_activity_and_the_rest_imports(
    tmp_path: Path, lead: bytes
) -> None:
    hostile = lead + b"!"
    assert sniff(hostile) == "unknown"  # was: minutes of regex backtracking from 28 bytes
    (tmp_path / "x.gpx").write_bytes(hostile)
    (tmp_path / "run.gpx").write_bytes(GPX)
    items = items_of(tmp_path)
    assert "not an activity file" in (items["x.gpx"].error or "")
    assert imports(items["run.gpx"])


def test_xml_prologs_are_still_skipped_to_the_root() -> None:
    assert sniff(b" " * 4000 + b"<gpx/>") == "gpx"
    prolog = b"<?xml version='1.0'?><!-- <gpx> --><!DOCTYPE x [<!x>]>"
    assert sniff(prolog + b"<tcx:TrainingCenterDatabase/>") == "tcx"
    assert sniff(b"<!--" * 1000) == "unknown"  # an unclosed comment, not a hang
    assert sniff(b"<?" * 2000) == "unknown"


def test_the_other_text_scanners_stay_linear_on_hostile_text() -> None:
    # The XML-declaration regex was quadratic on repeated 'encoding=' pieces.
    assert declared_encoding(b'<?xml encoding="a"' * 20_000) is None
    assert declared_encoding(b'<?xml version="1.0" encoding="Shift_JIS"?><gpx/>') == "Shift_JIS"
    for language in ("en", "de", "legacy"):
        assert parse_strava_date("1." + "1" * 100_000 + " x", language) is None
        assert parse_strava_date("Jan" + "a" * 100_000, language) is None


# ------------------------------------------------------- 2a. an enormous CSV field


def strava_folder(root: Path, csv: str) -> Path:
    (root / "activities").mkdir(parents=True)
    (root / "activities" / "1.gpx").write_bytes(GPX)
    (root / "activities" / "2.gpx").write_bytes(GPX.replace(b"2017-", b"2016-"))
    (root / "profile.csv").write_text("Athlete ID\n1\n", encoding="utf-8")
    (root / "activities.csv").write_text(csv, encoding="utf-8")
    return root


def test_strava_csv_with_a_field_over_128_kib_keeps_the_rows_before_it(tmp_path: Path) -> None:
    csv = (
        "Activity ID,Activity Date,Activity Name,Filename\n"
        '1,"Jan 2, 2024, 12:05:09 AM",Hills,activities/1.gpx\n'
        '2,"Jan 3, 2024, 12:05:09 AM","never closed' + "x" * 140_000 + ",activities/2.gpx\n"
    )
    root = strava_folder(tmp_path / "export", csv)
    items = items_of(root)
    note = items["activities.csv"].error or ""
    assert "cannot be read past line" in note and "rows before it are used" in note
    assert len(note) < 500  # the 140,000 characters are not echoed
    assert items["1.gpx"].metadata is not None and items["1.gpx"].metadata.name == "Hills"
    assert imports(items["1.gpx"]) and imports(items["2.gpx"])  # both files still import
    assert "profile.csv" not in items  # still recognised as Strava's export
    table = parse_strava_csv((root / "activities.csv").read_bytes())
    assert table is not None and len(table.rows) == 1 and table.problem is not None


def test_very_wide_strava_csv_in_an_unknown_language_is_read_quickly(tmp_path: Path) -> None:
    header = ",".join(f"Spalte {i}" for i in range(20_000))
    rows = "\n".join("activities/1.gpx" for _ in range(2000))
    table = parse_strava_csv(f"ID de l'activité,{header}\n{rows}\n".encode())
    assert table is not None and table.language == "unknown"  # was columns x rows work


# --------------------------------------------------------- 2b. Garmin summary JSON


def garmin_folder(root: Path, summaries: bytes) -> Path:
    fitness = root / "DI_CONNECT" / "DI-Connect-Fitness"
    fitness.mkdir(parents=True)
    (fitness / "someone_0_summarizedActivities.json").write_bytes(summaries)
    uploads = root / "DI_CONNECT" / "DI-Connect-Uploaded-Files"
    uploads.mkdir(parents=True)
    (uploads / "UploadedFiles_0-_Part1.zip").write_bytes(make_zip({"someone_1.fit": FIT}))
    return root


@pytest.mark.parametrize(
    "value",
    ["1e300", "-1e300", "1" + "0" * 400, "NaN", "Infinity", '"0001-01-01T00:00:00+14:00"'],
)
def test_garmin_summary_with_an_absurd_start_time_is_ignored_not_fatal(
    tmp_path: Path, value: str
) -> None:
    acts = f'[{{"summarizedActivitiesExport": [{{"activityId": 1, "startTimeGmt": {value}, "elapsedDuration": {value}, "distance": {value}}}]}}]'  # noqa: E501
    [summary] = parse_garmin_summaries(acts.encode())
    assert summary.start_utc is None and summary.elapsed_s is None and summary.distance_m is None
    items = items_of(garmin_folder(tmp_path, acts.encode()))
    [fit_item] = items.values()
    [act] = read_item(fit_item)
    assert act.start_utc == FIT_START


def test_garmin_summary_nested_100000_deep_is_one_skipped_index(tmp_path: Path) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    items = items_of(garmin_folder(tmp_path, deep))
    index = items["someone_0_summarizedActivities.json"]
    assert "export index could not be read" in (index.error or "")
    assert "nested too deeply" in (index.error or "")
    assert imports(items["someone_1.fit"])


# ------------------------------------------------------- 2c. forged member count


def forged_zip(members: int, declared: int) -> bytes:
    raw = bytearray(make_zip({"run.gpx": GPX} | {f"f{i:05d}.txt": b"" for i in range(members - 1)}))
    end = raw.rfind(b"PK\x05\x06")
    raw[end + 8 : end + 12] = declared.to_bytes(2, "little") * 2
    return bytes(raw)


def test_zip_with_a_forged_low_member_count_is_refused_by_its_real_count(tmp_path: Path) -> None:
    path = tmp_path / "forged.zip"
    path.write_bytes(forged_zip(members=1000, declared=10))
    with path.open("rb") as f:
        assert declared_members(f) == 10
    [item] = iter_items([path], Limits(max_members=100))
    assert item.error is not None
    assert "more than 100 members" in item.error and "declares 10" in item.error
    # Under the limit, the real members are all read, whatever the end record says.
    (tmp_path / "small.zip").write_bytes(forged_zip(members=50, declared=3))
    items = list(iter_items([tmp_path / "small.zip"], Limits(max_members=100)))
    assert len(items) == 50 and imports(items[0])


# --------------------------------------------------------- 2d. nameless member


def test_zip_member_with_an_empty_name_is_skipped_and_its_neighbours_import(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.zip").write_bytes(make_zip({"run.gpx": GPX, "": GPX, "z.gpx": GPX}))
    items = list(iter_items([tmp_path / "a.zip"]))
    assert [i.error is None for i in items] == [True, False, True]
    assert "without a name" in (items[1].error or "")
    assert imports(items[0]) and imports(items[2])


# ---------------------------------------------- 2e. odd "version needed to extract"


def test_zip_member_with_an_odd_version_needed_does_not_stop_the_archive(
    tmp_path: Path,
) -> None:
    raw = bytearray(make_zip({"run.gpx": GPX, "odd.gpx": GPX, "z.gpx": GPX}))
    odd = central_records(raw)[1]
    raw[odd + 6] = 243  # "version 24.3": zipfile refused the whole archive for it
    raw[raw.index(b"PK\x03\x04", 4) + 4] = 243
    (tmp_path / "odd.zip").write_bytes(bytes(raw))
    items = items_of(tmp_path / "odd.zip")
    assert list(items) == ["run.gpx", "odd.gpx", "z.gpx"]
    assert all(imports(i) for i in items.values())  # plain deflate inside: read as usual


def test_zip_member_in_an_unknown_compression_method_is_skipped_alone(tmp_path: Path) -> None:
    raw = bytearray(make_zip({"run.gpx": GPX, "odd.gpx": GPX}))
    for at, field in ((central_records(raw)[1], 10), (raw.index(b"PK\x03\x04", 4), 8)):
        raw[at + field] = 99  # compression method 99 (AES): zipfile cannot read it
    (tmp_path / "m.zip").write_bytes(bytes(raw))
    items = items_of(tmp_path / "m.zip")
    assert "zip feature hipcoach cannot read" in (items["odd.gpx"].error or "")
    assert imports(items["run.gpx"])


def test_zip_whose_directory_cannot_be_read_is_one_skipped_item(tmp_path: Path) -> None:
    raw = bytearray(make_zip({"run.gpx": GPX}))
    raw[central_records(raw)[0] : central_records(raw)[0] + 4] = b"PK\x09\x09"
    (tmp_path / "bad.zip").write_bytes(bytes(raw))
    (tmp_path / "run.gpx").write_bytes(GPX)
    items = items_of(tmp_path)
    assert "damaged zip archive" in (items["bad.zip"].error or "")
    assert imports(items["run.gpx"])


def test_a_member_name_of_60000_characters_is_not_echoed_whole(tmp_path: Path) -> None:
    (tmp_path / "long.zip").write_bytes(make_zip({"a" * 60_000 + ".txt": b"hello"}))
    [item] = iter_items([tmp_path / "long.zip"])
    assert item.error is not None and "not an activity file" in item.error
    assert len(item.name) < 400 and "more characters" in item.name


# ------------------------------------------------------------- 2f. XML encodings


def with_declaration(encoding: str, body: str) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>{body}'


NAMED = GPX_BODY.decode().replace("<trk>", "<trk><name>Läufchen 走る</name>", 1)


@pytest.mark.parametrize(
    ("label", "data", "name"),
    [
        ("UTF-8 with BOM", b"\xef\xbb\xbf" + with_declaration("UTF-8", NAMED).encode(), "走る"),
        ("UTF-16 LE BOM", with_declaration("UTF-16", NAMED).encode("utf-16-le"), "走る"),
        ("UTF-16 BE BOM", with_declaration("UTF-16", NAMED).encode("utf-16-be"), "走る"),
        ("Shift_JIS", with_declaration("Shift_JIS", NAMED.replace("ä", "a")).encode("shift_jis"), "走る"),  # noqa: E501
        ("cp1252", with_declaration("windows-1252", NAMED.replace(" 走る", "")).encode("cp1252"), "Läufchen"),  # noqa: E501
        ("Latin-1", with_declaration("ISO-8859-1", NAMED.replace(" 走る", "")).encode("latin-1"), "Läufchen"),  # noqa: E501
        ("UTF-16 declared, single bytes", with_declaration("utf-16", NAMED).encode(), "走る"),
        ("UTF-8 declared, ANSI bytes", with_declaration("UTF-8", NAMED.replace(" 走る", "")).encode("cp1252"), "Läufchen"),  # noqa: E501
    ],
)  # fmt: skip
def test_gpx_in_the_encodings_devices_write_is_read(label: str, data: bytes, name: str) -> None:
    if label.startswith("UTF-16 LE"):
        data = b"\xff\xfe" + data
    elif label.startswith("UTF-16 BE"):
        data = b"\xfe\xff" + data
    assert sniff(data) == "gpx"
    [act] = read_item(Item(f"{label}.gpx", data))
    assert act.start_utc == GOOD_START and name in (act.name or "")


@pytest.mark.parametrize("encoding", ["made-up-charset", "base64", "punycode", "x" * 3000])
def test_gpx_declaring_an_unknown_encoding_is_skipped_with_a_clear_reason(
    tmp_path: Path, encoding: str
) -> None:
    data = with_declaration(encoding, GPX_BODY.decode()).encode()
    with pytest.raises(TrackError, match="character encoding hipcoach does not know"):
        read_gpx(data)
    (tmp_path / "odd.gpx").write_bytes(data)
    (tmp_path / "run.gpx").write_bytes(GPX)
    items = items_of(tmp_path)
    with pytest.raises(ImportFailure, match="save it as UTF-8") as info:
        read_item(items["odd.gpx"])
    assert len(str(info.value)) < 400
    assert imports(items["run.gpx"])


# ---------------------------------------------------------- the whole command


def test_import_command_skips_every_hostile_file_and_imports_the_good_one(
    cli, home_dir, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "spaces.gpx").write_bytes(b" " * 40 + b"!")
    (folder / "made-up.gpx").write_bytes(with_declaration("made-up", GPX_BODY.decode()).encode())
    (folder / "empty-name.zip").write_bytes(make_zip({"": GPX}))
    (folder / "utf16.gpx").write_bytes(
        b"\xff\xfe"
        + with_declaration("UTF-16", GPX_BODY.decode().replace("2017-", "2016-")).encode(
            "utf-16-le"
        )
    )
    (folder / "run.gpx").write_bytes(GPX)
    out = cli("import", str(folder))
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    assert "spaces.gpx" in text and "not an activity file" in text
    assert "made-up.gpx" in text and "character encoding" in text
    assert "without a name" in text
    listed = json.loads(cli("activities", "--json").stdout)
    assert sorted(a["start_utc"][:4] for a in listed) == ["2016", "2017"]  # utf16 and run


def test_the_progress_estimate_survives_every_hostile_archive(tmp_path: Path) -> None:
    raw = bytearray(make_zip({"run.gpx": GPX, "odd.gpx": GPX}))
    raw[central_records(raw)[1] + 6] = 243
    (tmp_path / "odd.zip").write_bytes(bytes(raw))
    (tmp_path / "noname.zip").write_bytes(make_zip({"": GPX, "run.gpx": GPX}))
    (tmp_path / "forged.zip").write_bytes(forged_zip(members=60_000, declared=5))
    paths = [tmp_path / n for n in ("odd.zip", "noname.zip", "forged.zip")]
    assert [estimate_items([p]) for p in paths] == [2, 1, 1]


@pytest.mark.parametrize("kind", ["odd version", "nameless member"])
def test_import_command_skips_hostile_zip_members(cli, home_dir, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    if kind == "odd version":
        raw = bytearray(make_zip({"odd.gpx": GPX, "run.gpx": GPX}))
        raw[central_records(raw)[0] + 6] = 243
        data = bytes(raw)
    else:
        data = make_zip({"": GPX, "run.gpx": GPX})
    (tmp_path / "a.zip").write_bytes(data)
    out = cli("import", str(tmp_path / "a.zip"))
    assert out.exit_code == 0, out.output
    assert len(json.loads(cli("activities", "--json").stdout)) == 1


def test_gpx_with_one_enormous_number_still_imports_its_other_points() -> None:
    """Found by bench/fuzz.py: numpy sized every value by the longest (GBs for a track)."""
    points = "".join(
        f'<trkpt lat="50.{i:04d}" lon="6.0"><time>2020-01-01T00:{i // 60:02d}:{i % 60:02d}Z'
        "</time></trkpt>"
        for i in range(3000)
    )
    huge = '<trkpt lat="5' + "0" * 200_000 + '" lon="6"><time>2019-12-31T23:59:00Z</time></trkpt>'
    doc = f"<gpx><trk><trkseg>{huge}{points}</trkseg></trk></gpx>".encode()
    [act] = read_item(Item("huge-number.gpx", doc))
    assert act.elapsed_s == pytest.approx(3059)
    assert act.distance_m == pytest.approx(33_350, rel=0.01)


def test_xml_with_millions_of_elements_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    flood = b"<gpx>" + b"<a/>" * 4_100_000 + b"</gpx>"  # 16 MB: would be ~400 MB as a tree
    (tmp_path / "flood.gpx").write_bytes(flood)
    (tmp_path / "run.gpx").write_bytes(GPX)
    items = items_of(tmp_path)
    with pytest.raises(ImportFailure, match="more than any recording"):
        read_item(items["flood.gpx"])
    assert imports(items["run.gpx"])
