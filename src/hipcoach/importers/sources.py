"""From paths to activities: files, folders, .gz, zip archives, Strava and Garmin exports.

``iter_items`` turns what the user points at into ``Item``s (a name, the bytes, and
the export's metadata when there is some) and never stops on a bad member: a member it
cannot or will not read becomes an Item with ``error`` set, and the walk goes on.
``read_item`` then decodes one Item into activities (this runs in worker processes).

File kinds are recognised by content (``sniff``), never by extension: exports and users
rename files, and a GPX called ``.fit`` is still a GPX. Folders are walked in sorted
order; zips are read member by member in memory, within the limits of ``archives``.

Exports are recognised inside any folder or zip: a Strava export by an
``activities.csv`` with Strava's header (its files get the CSV row's metadata, its other
files — profile, media, other CSVs — are passed over), a Garmin export by a
``DI_CONNECT/`` folder or ``*summarizedActivities.json`` (its FIT files are matched to
the summaries by start time; its wellness files are passed over).
"""

from __future__ import annotations

import importlib
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, cast

from hipcoach.errors import InputError
from hipcoach.importers.archives import Limits, Patched, Refused, gunzip, scan_directory
from hipcoach.importers.exports import ExportMetadata, apply_metadata, manual_activity
from hipcoach.importers.items import Item, Kind, sniff
from hipcoach.importers.local_time import with_local_time
from hipcoach.importers.messages import unexpected
from hipcoach.importers.walk import walk_path
from hipcoach.importers.xml_tracks import TrackError, read_gpx, read_tcx
from hipcoach.training.model import Activity

__all__ = [
    "ExportMetadata",
    "ImportFailure",
    "Item",
    "Kind",
    "Limits",
    "estimate_items",
    "iter_items",
    "manual_activity",
    "read_item",
    "sniff",
]


class ImportFailure(InputError):
    """One item could not be imported; the message says what, why and what to do."""


def iter_items(
    paths: Iterable[str | os.PathLike[str]], limits: Limits | None = None
) -> Iterator[Item]:
    """Every activity file under ``paths`` as an Item, in a stable order; never raises."""
    for raw in paths:
        yield from walk_path(Path(raw), limits or Limits())


ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".gz", ".zip")


def estimate_items(paths: Iterable[str | os.PathLike[str]]) -> int:
    """Roughly how many items ``iter_items`` will yield, for a progress bar; never raises.

    Cheap: folders are listed and zip directories read (after the same member-count
    check as the walk: a forged or hostile zip counts as one item here and is reported
    by the walk), nothing is decompressed.
    """
    n = 0
    for raw in paths:
        try:
            n += _estimate(Path(raw))
        except Exception:  # the walk reports what is wrong with it
            n += 1
    return max(n, 1)


def _estimate(path: Path) -> int:
    if path.is_dir():
        return sum(1 for f in path.rglob("*") if f.is_file())
    with path.open("rb") as fp:
        if fp.read(4) != b"PK\x03\x04":
            return 1
        try:
            directory = scan_directory(fp, Limits())
        except Refused:
            return 1
        stream: IO[bytes] = fp
        if directory is not None and directory.patches:
            stream = cast(IO[bytes], Patched(fp, directory.patches))
        with zipfile.ZipFile(stream) as zf:
            return sum(1 for i in zf.infolist() if i.filename.lower().endswith(ACTIVITY_SUFFIXES))


# --------------------------------------------------------------------------- decoding


def read_item(item: Item) -> list[Activity]:
    """The activities in one item, with its export metadata laid over; ImportFailure if none.

    Nothing else escapes: an exception no reader anticipated (a bug, found by a hostile
    file) is still this item's skip reason, logged with its traceback for a report.
    """
    try:
        return _read_item(item)
    except ImportFailure:
        raise
    except Exception as exc:
        raise ImportFailure(unexpected(exc, item.name)) from None


def _read_item(item: Item) -> list[Activity]:
    if item.error is not None:
        raise ImportFailure(item.error)
    if item.data is None:
        raise ImportFailure("no activity file for this entry (a manual activity in the export)")
    data = item.data
    kind = sniff(data)
    try:
        if kind == "gzip":
            data = gunzip(data, Limits())
            kind = sniff(data)
    except Refused as exc:
        raise ImportFailure(str(exc)) from None
    if kind == "fit":
        acts = _read_fit(data)
    elif kind in ("gpx", "tcx"):
        try:
            acts = read_gpx(data) if kind == "gpx" else read_tcx(data)
        except TrackError as exc:
            raise ImportFailure(str(exc)) from None
    elif kind == "zip":
        raise ImportFailure("is a zip archive: import its path so its members are read one by one")
    else:
        raise ImportFailure(
            "not an activity file: its content is neither FIT, GPX nor TCX (whatever its name "
            "says); export the activity again as FIT, GPX or TCX"
        )
    if not acts:
        raise ImportFailure("contains no activity (no session or track with times)")
    return apply_metadata([with_local_time(a) for a in acts], item.metadata)


def _read_fit(data: bytes) -> list[Activity]:
    """FIT through ``hipcoach.importers.fit`` (imported lazily: only workers need it)."""
    try:
        fit = importlib.import_module("hipcoach.importers.fit")
    except ImportError as exc:
        raise ImportFailure(f"FIT files cannot be read in this installation ({exc})") from None
    read_fit = cast(Callable[[bytes], list[Activity]], fit.read_fit)
    fit_error = cast(type[Exception], getattr(fit, "FitError", InputError))
    try:
        return read_fit(data)
    except fit_error as exc:
        raise ImportFailure(f"not a readable FIT activity: {exc}") from None
