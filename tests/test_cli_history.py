"""Importing a training history from the command line, listing it, and the load report."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh data folder for hipcoach; everything it writes must stay inside."""
    folder = tmp_path / "hipcoach-data"
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(folder))
    return folder


def _strava_zip(tmp_path: Path) -> Path:
    out = tmp_path / "export_12345.zip"
    with zipfile.ZipFile(out, "w") as z:
        for f in sorted((DATA / "strava_export").rglob("*")):
            if f.is_file() and f.name != "README.md":
                z.write(f, f"export_12345/{f.relative_to(DATA / 'strava_export')}")
    return out


def test_strava_export_imports_with_its_csv_metadata_and_reimport_is_a_no_op(cli, home, tmp_path):
    export = _strava_zip(tmp_path)
    out = cli("import", str(export))
    assert out.exit_code == 0, out.output
    assert "imported" in out.stdout
    listed = json.loads(cli("activities", "--json").stdout)
    assert len(listed) == 1
    run = listed[0]
    assert run["name"] == "Laufen Landal Park"  # from activities.csv, not the file
    assert run["sport"] == "running"
    assert run["start_utc"].startswith("2022-05-29T15:53:35")
    assert abs(run["distance_km"] - 3.32) < 0.02
    assert run["start_local"].startswith("2022-05-29T17:53")  # UTC+2 from the FIT file
    again = cli("import", str(export))
    assert "Nothing new" in again.stdout
    assert len(json.loads(cli("activities", "--json").stdout)) == 1
    # the original file is kept, gzipped, inside the data folder
    kept = list((home / "originals").rglob("*.fit.gz"))
    assert len(kept) == 1
    run = json.loads(cli("activities", "--json").stdout)[0]
    assert run["original_name"].endswith("activities/12866632127.fit.gz")
    assert (home / run["original_copy"]) == kept[0]


def test_same_run_from_the_device_after_the_strava_copy_is_a_duplicate(cli, home, tmp_path):
    cli("import", str(_strava_zip(tmp_path)))
    device = DATA / "fit" / "2022-05-29-15-53-35_Laufen_Landal_Park.fit"
    out = cli("import", str(device))
    assert out.exit_code == 0
    assert len(json.loads(cli("activities", "--json").stdout)) == 1


def test_bad_files_are_skipped_with_reasons_and_the_rest_imports(cli, home, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(DATA / "fit" / "garmin-fenix-5-run.fit", folder / "run.fit")
    shutil.copy(DATA / "fit" / "bad" / "activity-filecrc.fit", folder / "crc.fit")
    (folder / "empty.fit").write_bytes(b"")
    (folder / "notes.txt").write_text("not an activity")
    shutil.copy(DATA / "gpx" / "garmin_connect.gpx", folder / "looks-like.fit")  # wrong extension
    out = cli("import", str(folder))
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    assert "crc.fit" in text and "CRC" in text
    assert "empty.fit" in text
    listed = json.loads(cli("activities", "--json").stdout)
    assert {a["source_format"] for a in listed} == {"fit", "gpx"}


def test_a_rerun_after_a_partial_import_finishes_the_job(cli, home, tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    names = ["garmin-fenix-5-run.fit", "garmin-fenix-5-walk.fit", "activity-small-fenix2-run.fit"]
    shutil.copy(DATA / "fit" / names[0], folder / names[0])
    cli("import", str(folder))
    for n in names[1:]:
        shutil.copy(DATA / "fit" / n, folder / n)
    cli("import", str(folder))
    assert len(json.loads(cli("activities", "--json").stdout)) == 3


def test_nothing_is_written_outside_the_data_folder(cli, home, tmp_path):
    before = {p for p in tmp_path.rglob("*")}
    cli("import", str(DATA / "fit" / "garmin-fenix-5-run.fit"))
    new = {p for p in tmp_path.rglob("*")} - before
    assert new and all(home in p.parents or p == home for p in new)


def test_missing_path_is_a_clear_error(cli, home, tmp_path):
    out = cli("import", str(tmp_path / "nope.zip"))
    assert out.exit_code == 2
    assert "no such file or folder" in out.stderr


def test_activities_csv_export_and_miles(cli, home):
    cli("import", str(DATA / "fit" / "activity-small-fenix2-run.fit"))
    csv_out = cli("activities", "--csv").stdout.splitlines()
    assert csv_out[0].startswith("start_utc,start_local,sport")
    assert len(csv_out) == 2
    table = cli("activities", "--units", "mi").stdout
    assert " mi" in table


def test_load_report_json_and_table(cli, home):
    cli("import", str(DATA / "tcx"))
    d = json.loads(cli("load", "--json", "--weeks", "4").stdout)
    assert set(d) >= {"weeks", "flags", "shoes", "today"}
    table = cli("load", "--weeks", "4")
    assert table.exit_code == 0
    assert "Weekly running" in table.stdout


def test_load_without_history_says_how_to_start(cli, home):
    out = cli("load")
    assert out.exit_code == 0
    assert "hipcoach import" in out.stdout


def test_one_activity_in_four_formats_is_stored_once(cli, home, tmp_path):
    folder = tmp_path / "same-ride"
    folder.mkdir()
    for src in (
        DATA / "fit" / "4801048867.fit",
        DATA / "gpx" / "4801048867_strava.gpx.gz",
        DATA / "gpx" / "activity_4801048867.gpx.gz",
        DATA / "tcx" / "activity_4801048867.tcx.gz",
    ):
        shutil.copy(src, folder / src.name)
    out = cli("import", str(folder))
    assert out.exit_code == 0, out.output
    listed = json.loads(cli("activities", "--json").stdout)
    assert len(listed) == 1
    assert listed[0]["source_format"] == "fit"  # sorted order: the FIT file came first


def test_manual_strava_entries_count_and_export_totals_win(cli, home, tmp_path):
    src = tmp_path / "export"
    shutil.copytree(DATA / "strava_export", src)
    csv_path = src / "activities.csv"
    lines = csv_path.read_text().splitlines()
    header = lines[0].split(",")
    row = [""] * len(header)
    row[header.index("Activity ID")] = "999"
    row[header.index("Activity Date")] = '"Jun 2, 2022, 6:00:00 AM"'
    row[header.index("Activity Name")] = "Treadmill easy"
    row[header.index("Activity Type")] = "Run"
    second = [i for i, h in enumerate(header) if h == "Elapsed Time"][1]
    row[second] = "1800.0"
    metres = [i for i, h in enumerate(header) if h == "Distance"][1]
    row[metres] = "5000.0"
    csv_path.write_text("\n".join([*lines, ",".join(row)]) + "\n")
    out = cli("import", str(src))
    assert out.exit_code == 0, out.output
    listed = {a["name"]: a for a in json.loads(cli("activities", "--json").stdout)}
    assert listed["Treadmill easy"]["distance_km"] == 5.0
    assert listed["Treadmill easy"]["source_format"] == "manual"
    # the file's run takes Strava's own distance from the CSV (metres column)
    assert listed["Laufen Landal Park"]["distance_km"] == round(3322.949951171875 / 1000, 3)
    again = cli("import", str(src))
    assert "Nothing new" in again.stdout


def test_assessment_with_no_store_never_creates_a_database(cli, home):
    out = cli("assess", "--no-store", "--answers", "-", "--json", input='{"answers": {"age": 40}}')
    assert out.exit_code == 0
    assert not (home / "hipcoach.db").exists()
    cli("import", str(DATA / "tcx"))
    d = json.loads(
        cli("assess", "--answers", "-", "--json", input='{"answers": {"age": 40}}').stdout
    )
    # The imported runs are from 2020: history that old says nothing about today's pain.
    assert d["from_history"] == {}
    assert not any(f["id"].startswith("history_") for f in d["contributing_factors"])
