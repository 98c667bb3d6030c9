"""Local time from where an activity was recorded, when its file does not say it: a GPX or
TCX run is shown, and counted in the runner's days and weeks, at the clock time it was run."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from hipcoach.importers.local_time import offset_at, with_local_time
from hipcoach.importers.sources import Item, read_item
from hipcoach.training.model import Activity

DATA = Path(__file__).parents[1] / "data"


def _read(path: str) -> list[Activity]:
    file = DATA / path
    return read_item(Item(file.name, file.read_bytes()))


def test_a_gpx_in_utc_gets_the_offset_of_where_it_was_run():
    [run] = _read("gpx/run.gpx")  # Bedfordshire, 27 May 2017, times in "Z"
    assert run.utc_offset_s == 3600  # British Summer Time
    assert run.local_start.hour == run.start_utc.hour + 1


def test_a_tcx_gets_it_too():
    [run] = _read("tcx/run_garmin.tcx")
    assert run.utc_offset_s == 3600  # La Rochelle in November: Central European Time


def test_an_offset_the_file_gives_is_kept():
    [walk] = _read("gpx/track-with-less-sec-time.gpx")  # times written with +01:00
    assert walk.utc_offset_s == 3600


def test_summer_time_and_the_other_side_of_the_world():
    berlin = (52.52, 13.40)
    assert offset_at(*berlin, datetime(2025, 1, 15, 12, tzinfo=UTC)) == 3600
    assert offset_at(*berlin, datetime(2025, 7, 15, 12, tzinfo=UTC)) == 7200
    # 19:30 UTC on 10 January is 06:30 the next morning in Sydney (summer, UTC+11).
    sydney = offset_at(-33.87, 151.21, datetime(2025, 1, 10, 19, 30, tzinfo=UTC))
    assert sydney == 11 * 3600


def test_without_a_position_the_time_stays_utc_and_says_so():
    [run] = _read("gpx/run.gpx")
    assert run.samples is not None
    blind = replace(run, utc_offset_s=None, samples=replace(run.samples, lat=None, lon=None))
    assert with_local_time(blind).utc_offset_s is None
    at_null_island = replace(
        run, utc_offset_s=None,
        samples=replace(run.samples, lat=run.samples.lat * 0, lon=run.samples.lon * 0),
    )  # fmt: skip
    assert with_local_time(at_null_island).utc_offset_s is None
