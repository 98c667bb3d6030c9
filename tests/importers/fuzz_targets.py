"""Fuzzing harnesses for the importers, shared by the suite and the long campaign.

``tests/importers/test_fuzz.py`` runs them briefly under hypothesis; ``bench/fuzz.py``
runs them for millions of executions. Each target takes one input's bytes and raises
``Unexpected`` when a reader misbehaves: an exception other than the reader's own
input errors escapes, the walk's guard had to catch one (it logs it), or a skip reason
echoes unbounded content. Everything else (activities, or a clear refusal) is fine.

Inputs are seed files from tests/data (small ones, or real files shortened to a few
dozen points so an execution stays cheap) changed by ``Mutation``s: bit flips,
truncation, deleted or repeated ranges, and hostile fragments (long whitespace runs,
deep nesting, odd XML declarations and BOMs, huge numbers, unterminated quotes).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gzip
import io
import json
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from random import Random

from hipcoach.importers.archives import Limits, Refused, gunzip
from hipcoach.importers.exports import fit_file_id, manual_activity, parse_garmin_summaries
from hipcoach.importers.fit import FitError, read_fit
from hipcoach.importers.items import sniff
from hipcoach.importers.messages import LOG
from hipcoach.importers.plausibility import problem
from hipcoach.importers.sources import ImportFailure, Item, iter_items, read_item
from hipcoach.importers.strava import parse_strava_csv
from hipcoach.importers.xml_tracks import TrackError, read_gpx, read_tcx
from hipcoach.training.model import Activity

DATA = Path(__file__).resolve().parent.parent / "data"
SEED_BYTES = 64 * 1024  # larger files are shortened or left out: executions stay cheap
KEEP_POINTS = 40  # points kept when a real GPX/TCX file is shortened into a seed
MAX_INPUT = 4 << 20  # mutations stop growing an input past this
MAX_MESSAGE = 1500  # a skip reason longer than this echoes content it should not

# (op, where in the input 0..1, argument); kept as plain ints for hypothesis to shrink.
Mutation = tuple[int, float, int]

FRAGMENTS: tuple[bytes, ...] = (
    b" " * 40,
    b" " * 5000,
    b"\x1c\x1d\x1e\x1f" * 500,
    b"\x85\xa0" * 2000,
    b"\t\r\n" * 1000,
    b"<a>" * 20000,
    b"<trkpt>" * 5000,
    b"[" * 100_000,
    b'{"a":' * 50_000,
    b'<?xml version="1.0" encoding="utf-16"?>',
    b'<?xml version="1.0" encoding="UTF-16LE"?>',
    b'<?xml version="1.0" encoding="Shift_JIS"?>',
    b'<?xml version="1.0" encoding="made-up-charset"?>',
    b'<?xml version="1.0" encoding="base64"?>',
    b'<?xml version="1.0" encoding="punycode"?>',
    b'<?xml version="1.0" encoding="unicode_escape"?>',
    b"<?xml version='1.0' encoding='" + b"x" * 3000 + b"'?>",
    b'<?xml encoding="a"encoding="a"' * 300,
    b"<!DOCTYPE gpx [" + b"<!ENTITY a 'b'>" * 10 + b"]>",
    b"<!--" * 1000,
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xff\xfe\x00\x00",
    b"1e300",
    b"-1e309",
    b"9" * 5000,
    b"NaN",
    b"Infinity",
    b"18446744073709551615",
    b"0001-01-01T00:00:00+14:00",
    b"9999-12-31T23:59:59-14:00",
    b'"' + b"x" * 140_000,
    b"\x00" * 64,
    b"\xff" * 64,
    b"PK\x03\x04",
    b"PK\x01\x02",
    b"PK\x05\x06" + b"\xff" * 18,
    b"\x1f\x8b\x08\x00",
    b".FIT",
)
_WORDS = (0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0x10000000, 0xFFFFFFFE)
OPS = 11
_ZIP_RECORDS = (b"PK\x01\x02", b"PK\x03\x04", b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07")


def mutate(data: bytes, mutations: list[Mutation], other: bytes = b"") -> bytes:
    """``data`` with each mutation applied in turn (deterministic: hypothesis shrinks it)."""
    for op, where, arg in mutations:
        if len(data) > MAX_INPUT:
            break
        at = min(len(data), int(where * len(data)))
        op %= OPS
        if op == 0:  # flip one bit
            if data:
                i = min(at, len(data) - 1)
                data = data[:i] + bytes([data[i] ^ (1 << (arg % 8))]) + data[i + 1 :]
        elif op == 1:  # truncate
            data = data[:at]
        elif op == 2:  # delete a range
            data = data[:at] + data[at + 1 + arg % 512 :]
        elif op == 3:  # repeat a range
            piece = data[at : at + 1 + arg % 256]
            data = data[:at] + piece * (2 + arg % 7) + data[at:]
        elif op == 4:  # insert a hostile fragment
            data = data[:at] + FRAGMENTS[arg % len(FRAGMENTS)] + data[at:]
        elif op == 5:  # hostile fragment at the very start (where sniffing looks)
            data = FRAGMENTS[arg % len(FRAGMENTS)] + data
        elif op == 6:  # overwrite with an interesting 1-, 2- or 4-byte value
            width = (1, 2, 4)[arg % 3]
            value = _WORDS[(arg // 3) % len(_WORDS)] & ((1 << (8 * width)) - 1)
            order = "little" if arg & 64 else "big"
            data = data[:at] + value.to_bytes(width, order) + data[at + width :]
        elif op == 7:  # replace the next number with a huge or odd one
            data = _renumber(data, at, arg)
        elif op == 8:  # splice another seed in
            cut = int(where * len(other))
            data = data[:at] + other[cut : cut + 1 + arg % 4096]
        elif op == 9:  # random byte
            data = data[:at] + bytes([arg % 256]) + data[at + 1 :]
        else:  # a field of a zip header: version, flags, method, sizes, lengths, offsets
            data = _zip_field(data, where, arg)
    return data


def _zip_field(data: bytes, where: float, arg: int) -> bytes:
    """One field of one zip record (local, central, end) set to an interesting value."""
    starts = [i for sig in _ZIP_RECORDS for i in _find_all(data, sig)]
    if not starts:
        return data
    at = sorted(starts)[arg % len(starts)] + 4 + int(where * 42)
    width = (1, 2, 4)[(arg >> 4) % 3]
    value = _WORDS[(arg >> 6) % len(_WORDS)] & ((1 << (8 * width)) - 1)
    return data[:at] + value.to_bytes(width, "little") + data[at + width :]


def _find_all(data: bytes, sig: bytes) -> Iterator[int]:
    at = data.find(sig)
    while at >= 0:
        yield at
        at = data.find(sig, at + 1)


def _renumber(data: bytes, at: int, arg: int) -> bytes:
    """The first run of digits from ``at`` replaced by a fragment that is a number, or not."""
    i = at
    while i < len(data) and not 0x30 <= data[i] <= 0x39:
        i += 1
    j = i
    while j < len(data) and 0x30 <= data[j] <= 0x39:
        j += 1
    numbers = (b"1e300", b"-1e309", b"9" * 400, b"NaN", b"-0", b"4294967295", b"1" * 5000)
    return data[:i] + numbers[arg % len(numbers)] + data[j:]


def random_mutations(rng: Random) -> list[Mutation]:
    """One to four mutations, mostly small ones (bit flips, bytes) as a fuzzer's diet."""
    out: list[Mutation] = []
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        op = rng.choice((0, 0, 0, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 10))
        out.append((op, rng.random(), rng.randrange(1 << 16)))
    return out


# ------------------------------------------------------------------------- checking


class Unexpected(Exception):
    """A reader misbehaved on one input; ``__cause__`` holds what it raised."""


class _Caught(logging.Handler):
    """Collects the records that ``messages.unexpected`` logs (a guard caught a bug)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_CAUGHT = _Caught()
LOG.addHandler(_CAUGHT)


def _checked(run: Callable[[bytes], None]) -> Callable[[bytes], None]:
    """``run`` that raises Unexpected for any escape or guarded bug, nothing else."""

    @functools.wraps(run)
    def check(data: bytes) -> None:
        _CAUGHT.records.clear()
        try:
            run(data)
        except Unexpected:
            raise
        except Exception as exc:
            raise Unexpected(f"{type(exc).__name__} escaped: {str(exc)[:300]}") from exc
        if _CAUGHT.records:
            record = _CAUGHT.records[0]
            cause = record.exc_info[1] if record.exc_info else None
            raise Unexpected(f"a guard caught {cause!r:.300}") from cause

    return check


def _message(text: str | None) -> None:
    if text is not None and len(text) > MAX_MESSAGE:
        raise Unexpected(f"a message of {len(text):,} characters: {text[:200]!r}…")


def _as_imported(acts: list[Activity]) -> None:
    """What the import does next in the main process: plausibility, then the end time."""
    for act in acts:
        if problem(act) is None:
            _ = act.end_utc, act.local_start


def _read(item: Item) -> None:
    """read_item as the workers call it, then the main process's checks."""
    try:
        acts = read_item(item)
    except ImportFailure as exc:
        _message(str(exc))
        return
    _as_imported(acts)


# ------------------------------------------------------------------------- targets


def _fit(data: bytes) -> None:
    fit_file_id(data)  # never raises: used on every FIT file of a Garmin export
    try:
        acts = read_fit(data)
    except FitError as exc:
        _message(str(exc))
        return
    _as_imported(acts)


def _xml(reader: Callable[[bytes], list[Activity]]) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        sniff(data)
        try:
            acts = reader(data)
        except TrackError as exc:
            _message(str(exc))
            return
        _as_imported(acts)

    return run


def _gzip(data: bytes) -> None:
    try:
        gunzip(data, Limits())
    except Refused as exc:
        _message(str(exc))
    _read(Item("activity.gz", data))


_TMP = Path(tempfile.mkdtemp(prefix="hipcoach-fuzz-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)


def _walk(data: bytes, name: str = "input.zip") -> None:
    """The archive as the user's file: every item, and every file item read."""
    path = _TMP / name
    path.write_bytes(data)
    for item in iter_items([path]):
        _message(item.error)
        if len(item.name) > MAX_MESSAGE:
            raise Unexpected(f"an item name of {len(item.name):,} characters")
        if item.data is not None and item.error is None:
            _read(item)
        elif item.metadata is not None and item.error is None:
            act = manual_activity(item.metadata)
            if act is not None:
                _as_imported([act])


def _strava(csv: bytes) -> None:
    parse_strava_csv(csv)
    _walk(strava_zip(csv))


def _garmin(summaries: bytes) -> None:
    with contextlib.suppress(ValueError):
        parse_garmin_summaries(summaries)
    _walk(garmin_zip(summaries))


@dataclass(frozen=True)
class Target:
    """One reader under fuzzing: its seeds and the check of one input."""

    name: str
    seeds: Callable[[], list[bytes]]
    run: Callable[[bytes], None]


# ------------------------------------------------------------------------- seeds


def _files(folder: str, suffixes: tuple[str, ...]) -> Iterator[bytes]:
    for path in sorted((DATA / folder).rglob("*")):
        name = path.name.lower()
        if path.is_file() and name.endswith(suffixes):
            raw = path.read_bytes()
            yield gzip.decompress(raw) if name.endswith(".gz") else raw


def shortened(text: bytes, point: bytes, container: bytes) -> bytes:
    """A real XML file cut to its first KEEP_POINTS points, still well-formed.

    Everything between the last kept ``</point>`` and the file's last ``</container>``
    goes (later points, laps, segments); the closing tags after it match the ones cut.
    """
    end = -1
    for _ in range(KEEP_POINTS):
        nxt = text.find(point, end + 1)
        if nxt < 0:
            return text
        end = nxt
    tail = text.rfind(container)
    if tail <= end:
        return text
    return text[: end + len(point)] + text[tail:]


@functools.cache
def fit_seeds() -> list[bytes]:
    return [d for d in _files("fit", (".fit", ".fit.gz")) if len(d) <= SEED_BYTES]


@functools.cache
def gpx_seeds() -> list[bytes]:
    out = [shortened(d, b"</trkpt>", b"</trkseg>") for d in _files("gpx", (".gpx", ".gpx.gz"))]
    return [d for d in out if len(d) <= SEED_BYTES]


@functools.cache
def tcx_seeds() -> list[bytes]:
    files = _files("tcx", (".tcx", ".tcx.gz"))
    out = [shortened(d, b"</Trackpoint>", b"</Track>") for d in files]
    return [d for d in out if len(d) <= SEED_BYTES]


@functools.cache
def gzip_seeds() -> list[bytes]:
    small = [*fit_seeds()[:4], *gpx_seeds()[:4], *tcx_seeds()[:4]]
    return [gzip.compress(d, mtime=0) for d in small]


def make_zip(members: dict[str, bytes], stored: bool = True) -> bytes:
    buf = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, method)
    return buf.getvalue()


@functools.cache
def _strava_files() -> dict[str, bytes]:
    root = DATA / "strava_export"
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix != ".md" and p.name != "activities.csv"
    }
    files["activities/1.gpx"] = gpx_seeds()[0]
    return files


def strava_zip(csv: bytes) -> bytes:
    """A Strava export (the sample's files) with ``csv`` as its activities.csv."""
    return make_zip({"export_1/activities.csv": csv} | {
        f"export_1/{k}": v for k, v in _strava_files().items()
    })  # fmt: skip


@functools.cache
def strava_seeds() -> list[bytes]:
    real = (DATA / "strava_export" / "activities.csv").read_bytes()
    german = (
        "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Verstrichene Zeit,"
        "Distanz,Dateiname,Verstrichene Zeit,Bewegungszeit,Distanz,Gefühlte Anstrengung\n"
        '1,"29.05.2017, 08:13:01",Abendlauf,Lauf,1423,"4,81",activities/1.gpx,1423.0,'
        '1380.0,4810.5,6\n2,"29. Mai 2017, 09:00:00",Kraft,Krafttraining,3600,"0,0",,'
        "3600.0,3600.0,0.0,4\n"
    ).encode()
    legacy = (
        b"id,date,name,type,elapsed_time,distance,filename\n"
        b"1,2018-09-12 15:02:23,Morning Run,Run,1800,5012.3,activities/1.gpx\n"
        b"2,2018-09-13 15:02:23,Manual,Run,1800,5012.3,\n"
    )
    return [real, german, legacy]


@functools.cache
def _uploads_zip() -> bytes:
    fit = gzip.decompress((DATA / "strava_export/activities/12866632127.fit.gz").read_bytes())
    return make_zip({"someone_1.fit": fit, "someone_2.fit": fit_seeds()[0]})


def garmin_zip(summaries: bytes) -> bytes:
    """A Garmin export: ``summaries`` as its summary JSON, next to one nested upload zip."""
    return make_zip(
        {
            "DI_CONNECT/DI-Connect-Fitness/someone_0_summarizedActivities.json": summaries,
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": _uploads_zip(),
        }
    )


@functools.cache
def garmin_seeds() -> list[bytes]:
    start = int(datetime(2022, 5, 29, 15, 53, 35, tzinfo=UTC).timestamp() * 1000)
    acts = [
        {"activityId": 9000, "activityType": "multi_sport", "parent": True,
         "startTimeGmt": start},
        {"activityId": 9001, "name": "Landal trail", "activityType": {"typeKey": "running"},
         "startTimeGmt": start + 2000, "beginTimestamp": start, "duration": 1_428_038.0,
         "elapsedDuration": 1_430_000.0, "movingDuration": 1_411_000.0, "distance": 332_295.0,
         "avgHr": 151.0, "maxHr": 171.0, "description": "hip ok"},
        {"activityId": "9002", "name": "Walk", "activityType": "walking",
         "startTimeGmt": "2022-05-29 17:00:00", "duration": 600_000.0, "distance": 80_000.0},
    ]  # fmt: skip
    return [json.dumps([{"summarizedActivitiesExport": acts}]).encode()]


@functools.cache
def zip_seeds() -> list[bytes]:
    small = {"run.gpx": gpx_seeds()[0], "ride.tcx": tcx_seeds()[0], "a.fit": fit_seeds()[1]}
    return [
        make_zip(small, stored=True),
        make_zip(small, stored=False),
        make_zip({"inner.zip": make_zip(small), "notes.txt": b"hello"}),
        strava_zip(strava_seeds()[0]),
        garmin_zip(garmin_seeds()[0]),
    ]


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("fit", fit_seeds, _checked(_fit)),
        Target("gpx", gpx_seeds, _checked(_xml(read_gpx))),
        Target("tcx", tcx_seeds, _checked(_xml(read_tcx))),
        Target("gzip", gzip_seeds, _checked(_gzip)),
        Target("zip", zip_seeds, _checked(_walk)),
        Target("strava", strava_seeds, _checked(_strava)),
        Target("garmin", garmin_seeds, _checked(_garmin)),
    )
}
