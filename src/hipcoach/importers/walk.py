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
    Patched,
    Refused,
    check_ratio,
    gunzip,
    scan_directory,
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
from hipcoach.importers.messages import clip, detail, unexpected
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
        yield from guarded(_folder(walk, path), str(path), "folder")
    elif path.is_file():
        yield from guarded(_file(walk, path), str(path), "file")
    else:
        yield Item(str(path), None, error="no such file or folder; check the path")


def _folder(walk: Walk, path: Path) -> Iterator[Item]:
    """A folder's Items (its listing can fail too: permissions, a file removed meanwhile)."""
    yield from container(walk, folder_entries(path), Scope("folder"))


def _file(walk: Walk, path: Path) -> Iterator[Item]:
    """A single file's Item(s): itself, or an archive's members."""
    entry = Entry(path.name, str(path), opener(path), path.stat().st_size, path=path)
    yield from entry_items(walk, entry, Scope("file"), None)


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
        if name.endswith("/") or _IGNORED.search(name):
            continue
        e = Entry(
            name,
            f"{display}{SEPARATOR}{clip(info.filename, 160) or '(a member without a name)'}",
            partial(zf.open, info),
            info.file_size,
            info.compress_size,
            zf=zf,
            info=info,
        )
        if not name:
            e.refused = (
                "a member without a name inside the archive; not read. Archives from devices "
                "and services never contain one: the archive is damaged or was made by hand"
            )
        elif name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
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
                        note = table.problem
                        if table.language == "unknown":
                            note = (
                                "activities.csv is in a language hipcoach does not read yet; "
                                "the export's activity files are imported without Strava's "
                                "names, types, gear and notes"
                            )
                        if note is not None:
                            yield Item(e.display, None, source="strava", error=note)
                else:
                    summaries.extend(parse_garmin_summaries(data))
                    consumed.add(i)
            except Exception as exc:  # any damage to an index is the index's problem only
                consumed.add(i)
                why = str(exc) if isinstance(exc, Refused) else detail(exc)
                yield Item(
                    e.display,
                    None,
                    source=scope.source,
                    error=(
                        "export index could not be read; its activity files are still "
                        f"imported, without the export's names, types and gear ({why})"
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
        yield from guarded(entry_items(walk, e, inner, meta), e.display, inner.source)
    for prefix, (csv_name, rows) in strava.items():
        if not walk.exhausted:  # after a bomb, "missing" files were just not read
            yield from leftover_items(prefix, csv_name, rows, used)


def guarded(items: Iterator[Item], name: str, source: str) -> Iterator[Item]:
    """``items`` until one raises anything: then that entry's skip reason, and no more.

    The walk of the other entries goes on; nested archives guard each of their own
    entries, so one bad member never hides its neighbours.
    """
    try:
        yield from items
    except Exception as exc:
        yield Item(name, None, source=source, error=unexpected(exc, name))


def _unreadable(exc: BaseException) -> str:
    """Why an entry's bytes could not be read, in words (zipfile's own errors vary)."""
    if isinstance(exc, NotImplementedError):
        return (
            "uses a zip feature hipcoach cannot read (a compression method or option other "
            f"than the usual deflate); unpack it with another tool and import the folder "
            f"({detail(exc)})"
        )
    if isinstance(exc, RuntimeError | zipfile.BadZipFile | EOFError):
        return f"could not be read: the archive is damaged. Download it again ({detail(exc)})"
    if isinstance(exc, OSError):
        return f"could not be read from disk ({detail(exc)})"
    return f"could not be read: its compressed data is damaged ({detail(exc)})"


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
    except Exception as exc:  # zlib, lzma and bz2 errors of damaged members too
        raise Refused(_unreadable(exc)) from None
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
        yield fail(_unreadable(exc))
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
            directory = scan_directory(fp, walk.limits)
            if directory is not None and directory.patches:
                fp = cast(IO[bytes], Patched(fp, directory.patches))
            zf = stack.enter_context(zipfile.ZipFile(fp))
            entries = _zip_entries(zf, e.display)
        except Refused as exc:
            yield Item(e.display, None, source=scope.source, error=str(exc))
            return
        except Exception as exc:  # whatever zipfile raises on a directory it cannot read
            yield Item(
                e.display,
                None,
                source=scope.source,
                error=(
                    "damaged zip archive: its list of files cannot be read; download or "
                    f"create it again ({detail(exc)})"
                ),
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
