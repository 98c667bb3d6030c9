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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import cast

from hipcoach.errors import InputError
from hipcoach.importers.archives import Limits, Refused, gunzip
from hipcoach.importers.exports import ExportMetadata, apply_metadata, manual_activity
from hipcoach.importers.items import Item, Kind, sniff
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
    return apply_metadata(acts, item.metadata)


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
