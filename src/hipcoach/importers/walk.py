"""Walking folders and zip archives, with Strava and Garmin exports recognised inside.

A folder is walked in sorted order; a zip is read member by member in memory (nested
zips too, up to ``Limits.max_depth``), within the limits of ``archives``; nothing is
written anywhere. Every member becomes an ``Item``, or an ``Item`` with ``error`` when it
cannot or may not be read, so one bad member never stops the walk.

Exports are recognised in any folder or zip: a Strava export by an ``activities.csv``
with Strava's header (its files get their CSV row's metadata; its other files —
profile, media, the other CSVs — are passed over; rows without a file become
metadata-only Items), a Garmin export by a ``DI_CONNECT/`` folder or a
``*summarizedActivities.json`` (its FIT files are matched to the summaries by start
time, its non-activity FIT files are reported as such, its wellness files passed over).
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from io import BytesIO
from pathlib import Path
from typing import IO, cast

from hipcoach.importers.archives import (
    Limits,
    Refused,
    check_members,
    check_ratio,
    gunzip,
    size_text,
    stored_member_window,
)
from hipcoach.importers.exports import (
    FIT_ACTIVITY,
    FIT_FILE_TYPES,
    ExportMetadata,
    GarminIndex,
    fit_file_id,
    parse_garmin_summaries,
)
from hipcoach.importers.items import HEAD_BYTES, Item, Kind, sniff
from hipcoach.importers.strava import StravaRow, leftover_items, member_path, parse_strava_csv

SEPARATOR = " › "  # between an archive's name and a member's: "export.zip › activities/1.gpx"
_IGNORED = re.compile(r"(^|/)(__MACOSX/|\._[^/]*$|\.DS_Store$|Thumbs\.db$|desktop\.ini$)")


@dataclass
class Entry:
    """A file inside a folder or zip, not read yet."""

    rel: str  # "/"-separated path inside its container
    display: str
    open: Callable[[], IO[bytes]]
    size: int | None = None
    packed: int | None = None  # compressed size inside a zip
    path: Path | None = None  # on disk
    zf: zipfile.ZipFile | None = None
    info: zipfile.ZipInfo | None = None
    refused: str | None = None


@dataclass
class Walk:
    """Budget of one path given by the user: bytes read so far, and whether it ran out."""

    limits: Limits
    total: int = 0
    exhausted: bool = False


@dataclass
class Scope:
    """What the surrounding container says about its members."""

    source: str
    quiet: bool = False  # inside an export: non-activity files are expected, not errors
    garmin: GarminIndex | None = None
    depth: int = 0


def walk_path(path: Path, limits: Limits) -> Iterator[Item]:
    """The Items under one path given by the user (its own total-size budget)."""
    walk = Walk(limits)
    if path.is_dir():
        yield from container(walk, folder_entries(path), Scope("folder"))
    elif path.is_file():
        entry = Entry(path.name, str(path), opener(path), path.stat().st_size, path=path)
        yield from entry_items(walk, entry, Scope("file"), None)
    else:
        yield Item(str(path), None, error="no such file or folder; check the path")


def opener(path: Path) -> Callable[[], IO[bytes]]:
    """Opens the file only when read: a folder may hold thousands of files."""
    return lambda: path.open("rb")


def folder_entries(root: Path) -> list[Entry]:
    """Files under ``root`` sorted by relative path; hidden and OS metadata files left out."""
    out: list[Entry] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            p = Path(folder, name)
            rel = p.relative_to(root).as_posix()
            if name.startswith(".") or _IGNORED.search(rel) or not p.is_file():
                continue
            out.append(Entry(rel, str(p), opener(p), p.stat().st_size, path=p))
    return sorted(out, key=lambda e: e.rel)


def _zip_entries(zf: zipfile.ZipFile, display: str) -> list[Entry]:
    """A zip's files in archive order; unsafe or encrypted ones marked as refused."""
    out: list[Entry] = []
    for info in zf.infolist():
        name = info.filename.replace("\\", "/")
        if info.is_dir() or _IGNORED.search(name):
            continue
        e = Entry(
            name,
            f"{display}{SEPARATOR}{info.filename}",
            partial(zf.open, info),
            info.file_size,
            info.compress_size,
            zf=zf,
            info=info,
        )
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
            e.refused = (
                "unsafe path inside the archive (absolute or with '..'); not read. Archives "
                "from devices and services never contain one: check where this file came from"
            )
        elif info.flag_bits & 0x1:
            e.refused = "encrypted inside the archive; not read. Unpack it with its password"
        out.append(e)
    return out


def container(walk: Walk, entries: list[Entry], scope: Scope) -> Iterator[Item]:
    """Items of a folder's or zip's entries, with Strava/Garmin export handling."""
    strava: dict[str, tuple[str, list[StravaRow]]] = {}  # root prefix → (CSV name, rows)
    summaries: list[ExportMetadata] = []
    consumed: set[int] = set()
    garmin_marker = False
    for i, e in enumerate(entries):
        base = e.rel.rsplit("/", 1)[-1].lower()
        garmin_marker |= "di_connect/" in e.rel.lower()
        if base == "activities.csv" or base.endswith("summarizedactivities.json"):
            try:
                data = _read(walk, e, walk.limits.max_member_bytes)
                if base == "activities.csv":
                    table = parse_strava_csv(data)
                    if table is not None:
                        strava[e.rel[: -len(base)]] = (e.display, table.rows)
                        consumed.add(i)
                        if table.language == "unknown":
                            yield Item(
                                e.display,
                                None,
                                source="strava",
                                error=(
                                    "activities.csv is in a language hipcoach does not read yet; "
                                    "the export's activity files are imported without Strava's "
                                    "names, types, gear and notes"
                                ),
                            )
                else:
                    summaries.extend(parse_garmin_summaries(data))
                    consumed.add(i)
            except (Refused, ValueError, UnicodeDecodeError) as exc:
                consumed.add(i)
                yield Item(
                    e.display,
                    None,
                    source=scope.source,
                    error=(
                        f"export index could not be read ({exc}); its activity files are still "
                        "imported, without the export's names, types and gear"
                    ),
                )
    garmin = GarminIndex(summaries) if summaries else scope.garmin
    if garmin is None and garmin_marker:
        garmin = GarminIndex([])  # an export without its summaries: files, no metadata
    by_path = {
        member_path(prefix, row.filename): row
        for prefix, (_, rows) in strava.items()
        for row in rows
        if row.filename
    }
    used: set[str] = set()
    for i, e in enumerate(entries):
        if i in consumed or walk.exhausted:
            continue
        inner = scope
        meta = None
        prefix = next(
            (p for p in sorted(strava, key=len, reverse=True) if e.rel.startswith(p)), None
        )
        if prefix is not None:
            row = by_path.get(e.rel.lower())
            if row is None and not e.rel[len(prefix) :].lower().startswith("activities/"):
                continue  # the export's other files: profile, media, other CSVs, PDFs
            if row is not None:
                used.add(e.rel.lower())
                meta = row.metadata
            inner = Scope("strava", True, None, scope.depth)
        elif garmin is not None and (
            scope.garmin is not None or not garmin_marker or "di_connect/" in e.rel.lower()
        ):  # only the export's own files, not what lies next to its DI_CONNECT folder
            inner = Scope("garmin", True, garmin, scope.depth)
        yield from entry_items(walk, e, inner, meta)
    for prefix, (csv_name, rows) in strava.items():
        if not walk.exhausted:  # after a bomb, "missing" files were just not read
            yield from leftover_items(prefix, csv_name, rows, used)


def _read(walk: Walk, e: Entry, limit: int) -> bytes:
    """All bytes of an entry, refused beyond the size, ratio and total limits."""
    lim = walk.limits
    if e.size is not None and e.size > limit:
        raise Refused(f"{size_text(e.size)}, more than the {size_text(limit)} limit; not read")
    if e.size is not None and e.packed is not None:
        check_ratio(e.size, e.packed, lim)
    if walk.total + (e.size or 0) > lim.max_total_bytes:
        walk.exhausted = True
        raise Refused(
            f"reading it would exceed {size_text(lim.max_total_bytes)} in total for this import "
            "(a likely archive bomb); this and the rest of the archive were not read"
        )
    try:
        with e.open() as f:
            data = f.read(limit + 1)
    except (OSError, zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
        raise Refused(f"could not be read ({exc}); the file or archive is damaged") from None
    except Exception as exc:  # zlib.error, lzma/bz2 errors from damaged members
        raise Refused(f"could not be read ({type(exc).__name__}: {exc})") from None
    if len(data) > limit:
        raise Refused(f"larger than the {size_text(limit)} limit; not read")
    walk.total += len(data)
    return data


def entry_items(walk: Walk, e: Entry, scope: Scope, meta: ExportMetadata | None) -> Iterator[Item]:
    """The Item(s) of one entry: a file by its sniffed kind, or an archive's members."""

    def fail(reason: str) -> Item:
        return Item(e.display, None, meta, scope.source, error=reason)

    if e.refused:
        yield fail(e.refused)
        return
    try:  # a bomb is refused from the archive's directory, before a byte is inflated
        if e.size is not None and e.packed is not None:
            check_ratio(e.size, e.packed, walk.limits)
    except Refused as exc:
        yield fail(str(exc))
        return
    try:
        with e.open() as f:
            head = f.read(HEAD_BYTES)
    except Exception as exc:  # any unreadable member is one item's problem, never the walk's
        yield fail(f"could not be read ({type(exc).__name__}: {exc})")
        return
    kind = sniff(head)
    if kind == "zip":
        yield from _archive(walk, e, scope, None)
        return
    if kind == "unknown":
        if not scope.quiet:
            yield fail(
                "not an activity file: its content is neither FIT, GPX nor TCX "
                "(whatever its name says)"
            )
        return
    try:
        data = _read(walk, e, walk.limits.max_member_bytes)
        if kind == "gzip":
            data = gunzip(data, walk.limits)
            walk.total += len(data)
            kind = sniff(data)
    except Refused as exc:
        yield fail(str(exc))
        return
    if kind == "zip":
        yield from _archive(walk, e, scope, data)
    elif kind in ("gzip", "unknown"):
        if not scope.quiet:
            yield fail(
                "gzip file whose content is neither FIT, GPX, TCX nor a zip; not an activity "
                "(a .tar.gz must be unpacked first)"
            )
    else:
        yield _leaf(e.display, data, kind, meta, scope)


def _leaf(name: str, data: bytes, kind: Kind, meta: ExportMetadata | None, scope: Scope) -> Item:
    """An activity file's Item; FIT files say in their first message if they are one."""
    if kind == "fit":
        ftype, created = fit_file_id(data)
        if ftype is not None and ftype != FIT_ACTIVITY:
            label = FIT_FILE_TYPES.get(ftype, f"type {ftype}")
            return Item(
                name,
                None,
                meta,
                scope.source,
                not_activity=True,
                error=(
                    f"not an activity: a FIT {label} file (devices and Garmin exports hold many "
                    "such files); nothing to import"
                ),
            )
        if meta is None and scope.garmin is not None:
            meta = scope.garmin.match(created)
    return Item(name, data, meta, scope.source)


def _archive(walk: Walk, e: Entry, scope: Scope, data: bytes | None) -> Iterator[Item]:
    """The members of a zip (on disk, inside another zip, or decompressed from .gz)."""
    depth = scope.depth + 1
    if depth > walk.limits.max_depth:
        yield Item(
            e.display,
            None,
            source=scope.source,
            error=(
                f"archive nested {depth} deep, more than the limit of {walk.limits.max_depth}; "
                "not read. Unpack the outer archive and import the folder"
            ),
        )
        return
    inner = Scope(
        "archive" if scope.source in ("file", "folder") else scope.source,
        scope.quiet,
        scope.garmin,
        depth,
    )
    with ExitStack() as stack:
        try:
            fp = _open_archive(walk, e, data, stack)
            check_members(fp, walk.limits)
            zf = stack.enter_context(zipfile.ZipFile(fp))
            entries = _zip_entries(zf, e.display)
        except Refused as exc:
            yield Item(e.display, None, source=scope.source, error=str(exc))
            return
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            yield Item(
                e.display,
                None,
                source=scope.source,
                error=f"damaged zip archive ({exc}); download or create it again",
            )
            return
        yield from container(walk, entries, inner)


def _open_archive(walk: Walk, e: Entry, data: bytes | None, stack: ExitStack) -> IO[bytes]:
    """A seekable stream of a zip: the file, a window on a stored member, or memory."""
    if data is not None:
        return BytesIO(data)
    if e.path is not None:
        return stack.enter_context(e.path.open("rb"))
    assert e.zf is not None and e.info is not None and e.zf.fp is not None
    if e.info.compress_type == zipfile.ZIP_STORED:
        window = stored_member_window(e.zf.fp, e.info.header_offset, e.info.compress_size)
        if window is not None:
            return cast(IO[bytes], window)
    return BytesIO(_read(walk, e, walk.limits.max_nested_archive_bytes))
