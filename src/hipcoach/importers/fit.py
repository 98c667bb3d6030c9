"""FIT activity decoder: the device's own file, decoded fast enough for bulk imports.

A Garmin or Strava export holds thousands of FIT files, and the pure-Python decoders
spend ~70 µs per record building one object per field. This decoder never builds
per-message objects. It makes one tight pass over the message *headers* only, noting the
byte offset of every data message under its definition, then reads each field of every
message of a definition at once with numpy (one fancy-indexed copy per definition,
endianness per definition, invalid values to NaN, scale and offset applied on whole
columns). Only the messages an activity importer needs are decoded: file_id, session,
lap, record, activity and sport; everything else, developer fields included, is skipped
by the sizes its definition declares.

Three entry points:

* :func:`decode` — the file's contents as a :class:`FitFile` (columns as numpy arrays).
* :func:`read_fit` — the project's :class:`~hipcoach.training.model.Activity` list.
* :func:`shift_timestamps` — the same file with every date moved, CRCs recomputed (test
  and benchmark data from one real file).

Anything malformed raises :class:`FitError` saying what and where (byte offset); no other
exception escapes for bad input. ``decode(data, salvage=True)`` instead keeps what was
decoded before the damage and says what went wrong in :attr:`FitFile.damage`.
"""

from __future__ import annotations

import functools
import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Final

import numpy as np
import numpy.typing as npt

from hipcoach.importers import fit_profile as prof
from hipcoach.training.model import Activity, Lap, Samples

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_FIT_EPOCH: Final = datetime(1989, 12, 31, tzinfo=UTC)


class FitError(Exception):
    """The bytes are not a (complete, intact) FIT file, or not an activity: says where."""


# ----------------------------------------------------------------------------- result


@dataclass(frozen=True, slots=True)
class FitTime:
    """A FIT ``date_time`` value as stored: seconds since 1989-12-31T00:00:00Z.

    Values below 0x10000000 are *not* dates: they count seconds since the device was
    switched on (old Forerunner ANT-FS dumps use them), so :meth:`to_datetime` returns
    None for them instead of inventing a date in 1990.
    """

    raw: int

    @property
    def is_relative(self) -> bool:
        """True when the value counts seconds since power-on rather than being a date."""
        return self.raw < prof.FIT_MIN_ABSOLUTE_TIME

    def to_datetime(self) -> datetime | None:
        """Timezone-aware datetime (UTC), or None for device-relative values.

        For ``local_timestamp`` fields the result is the local wall-clock time labelled
        UTC, which is how the protocol encodes local times.
        """
        if self.is_relative:
            return None
        return _FIT_EPOCH + timedelta(seconds=self.raw)


@dataclass(frozen=True, slots=True)
class FitSession:
    """One ``session`` message: the device's own summary of one sport leg."""

    sport: str | int | None
    sub_sport: str | int | None
    start_time: FitTime | None
    timestamp: FitTime | None  # when the session message was written (normally its end)
    total_elapsed_time: float | None  # s, including pauses
    total_timer_time: float | None  # s, timer running
    total_distance: float | None  # m
    total_ascent: float | None  # m
    avg_heart_rate: float | None
    max_heart_rate: float | None
    avg_cadence: float | None  # rpm as stored (strides/min for running), with fraction
    avg_speed: float | None  # m/s, enhanced_avg_speed when present
    max_speed: float | None  # m/s, enhanced_max_speed when present
    total_calories: float | None  # kcal


@dataclass(frozen=True, slots=True)
class FitLap:
    """One ``lap`` message (the fields the activity model keeps)."""

    start_time: FitTime | None
    timestamp: FitTime | None
    total_elapsed_time: float | None
    total_distance: float | None
    avg_heart_rate: float | None
    sport: str | int | None


@dataclass(frozen=True)
class Records:
    """Every ``record`` message, in file order, as float64 columns (NaN = invalid/absent).

    ``timestamp`` is raw FIT seconds (see :class:`FitTime`), compressed-header timestamps
    resolved. ``cadence`` includes ``fractional_cadence``; ``speed`` and ``altitude``
    prefer the enhanced fields; ``speed``/``distance`` fall back to the expanded
    ``compressed_speed_distance``. A column is None when no record definition in the file
    declares the field at all.
    """

    timestamp: FloatArray
    heart_rate: FloatArray | None = None
    cadence: FloatArray | None = None
    distance: FloatArray | None = None
    speed: FloatArray | None = None
    altitude: FloatArray | None = None
    lat: FloatArray | None = None
    lon: FloatArray | None = None
    power: FloatArray | None = None

    def __len__(self) -> int:
        return int(self.timestamp.shape[0])


@dataclass(frozen=True)
class FitFile:
    """What an activity importer needs from one FIT file (all chained parts merged)."""

    file_type: str | int | None  # file_id.type of the first part ("activity", "course" …)
    manufacturer: str | int | None  # name when known, else the profile number
    product: str | int | None
    serial_number: int | None
    time_created: FitTime | None
    sessions: list[FitSession]
    laps: list[FitLap]
    records: Records
    activity_timestamp: FitTime | None = None
    activity_local_timestamp: FitTime | None = None
    sport: str | int | None = None  # from a ``sport`` message, if any
    sub_sport: str | int | None = None
    file_types: tuple[str | int | None, ...] = ()  # of every file_id (chained parts)
    damage: str | None = None  # salvage mode: what stopped decoding, and where
    stats: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def device(self) -> str | None:
        """Manufacturer and product, e.g. "garmin fr935" or "wahoo_fitness 28"."""
        if self.manufacturer is None:
            return None
        if self.product is None:
            return str(self.manufacturer)
        return f"{self.manufacturer} {self.product}"

    @property
    def utc_offset_s(self) -> int | None:
        """activity.local_timestamp − activity.timestamp, rounded to 15 min (None if unknown)."""
        ts, local = self.activity_timestamp, self.activity_local_timestamp
        if ts is None or local is None or ts.is_relative or local.is_relative:
            return None
        return round((local.raw - ts.raw) / 900) * 900


# ------------------------------------------------------------------------------- CRC
#
# FIT uses CRC-16/ARC (reflected polynomial 0xA001, initial value 0). A byte-at-a-time
# loop in Python costs ~0.3 s for a 2.8 MB file, more than the whole decode, so the CRC
# is computed with numpy using its linearity: with initial value 0, the CRC of a message
# is the XOR of each byte's own contribution, and a byte b followed by d bytes
# contributes Z^d(T[b]), where T is the usual byte table and Z the register update for a
# zero byte. Z has order 32767 (x^8 modulo (x+1)(x^15+x+1)), so bytes whose distances to
# the end agree modulo 32767 can be XOR-ed together first: the file folds into at most
# 32767 bytes, whose contributions come from precomputed tables of Z^r and Z^(256 q).

_CRC_PERIOD: Final = 32767


def _crc_byte_table() -> npt.NDArray[np.uint16]:
    table = np.zeros(256, dtype=np.uint16)
    for b in range(256):
        c = b
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        table[b] = c
    return table


_CRC_BYTE_TABLE: Final[list[int]] = _crc_byte_table().tolist()


@functools.cache
def _crc_tables() -> tuple[
    npt.NDArray[np.uint16], npt.NDArray[np.uint16], npt.NDArray[np.uint16], npt.NDArray[np.uint16]
]:
    """G[r, b] = Z^r(T[b]) for r < 256; HLO/HHI[q, x] = Z^(256 q)(x), Z^(256 q)(x << 8)."""
    t = _crc_byte_table()

    def zero_byte(s: npt.NDArray[np.uint16]) -> npt.NDArray[np.uint16]:
        return np.asarray((s >> 8) ^ t[s & 0xFF], dtype=np.uint16)

    g = np.empty((256, 256), dtype=np.uint16)
    cur = t.copy()
    for r in range(256):
        g[r] = cur
        cur = zero_byte(cur)
    # Z^256 as two byte tables (it is linear: Z(a ^ b) = Z(a) ^ Z(b)).
    lo = np.arange(256, dtype=np.uint16)
    hi = np.asarray(lo << 8, dtype=np.uint16)
    for _ in range(256):
        lo = zero_byte(lo)
        hi = zero_byte(hi)
    nq = (_CRC_PERIOD + 255) // 256
    hlo = np.empty((nq, 256), dtype=np.uint16)
    hhi = np.empty((nq, 256), dtype=np.uint16)
    cur_lo = np.arange(256, dtype=np.uint16)
    cur_hi = np.asarray(cur_lo << 8, dtype=np.uint16)
    for q in range(nq):
        hlo[q] = cur_lo
        hhi[q] = cur_hi
        cur_lo = np.asarray(lo[cur_lo & 0xFF] ^ hi[cur_lo >> 8], dtype=np.uint16)
        cur_hi = np.asarray(lo[cur_hi & 0xFF] ^ hi[cur_hi >> 8], dtype=np.uint16)
    return g, hlo, hhi, t


def fit_crc(data: bytes | bytearray | memoryview) -> int:
    """CRC-16 of ``data`` as the FIT protocol computes it (initial value 0)."""
    n = len(data)
    if n == 0:
        return 0
    if n < 64:  # tiny inputs (file headers): a plain loop is cheaper than numpy
        crc = 0
        table = _CRC_BYTE_TABLE
        for b in bytes(data):
            crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
        return crc
    g, hlo, hhi, _ = _crc_tables()
    buf = np.frombuffer(data, dtype=np.uint8)
    if n > _CRC_PERIOD:
        rows = -(-n // _CRC_PERIOD)
        padded = np.zeros(rows * _CRC_PERIOD, dtype=np.uint8)
        padded[rows * _CRC_PERIOD - n :] = buf  # leading zeros do not change this CRC
        buf = np.bitwise_xor.reduce(padded.reshape(rows, _CRC_PERIOD), axis=0)
    m = buf.shape[0]
    q_count = -(-m // 256)
    by_distance = np.zeros(q_count * 256, dtype=np.intp)
    by_distance[:m] = buf[::-1]  # index = number of bytes after this one
    contrib = g[np.arange(256)[None, :], by_distance.reshape(q_count, 256)]
    block = np.bitwise_xor.reduce(contrib, axis=1)
    q = np.arange(q_count)
    return int(np.bitwise_xor.reduce(hlo[q, block & 0xFF] ^ hhi[q, block >> 8]))


# ---------------------------------------------------------------------------- parsing


class _Layout:
    """What a definition message says: message type, byte order and field positions.

    Shared by every definition message with the same bytes (devices repeat them: one
    Wahoo file redefines its local types 838 times with a dozen layouts).
    """

    __slots__ = ("big", "fields", "gnum", "size")

    def __init__(self, gnum: int, big: bool, fields: dict[int, tuple[int, int, int]], size: int):
        self.gnum = gnum
        self.big = big
        self.fields = fields  # field number -> (offset in message incl. header, size, type)
        self.size = size  # whole data message, header byte included


class _Def:
    """One definition message and the offsets of the data messages that use it."""

    __slots__ = (
        "_positions",
        "at",
        "big",
        "fields",
        "gnum",
        "layout",
        "local",
        "pos",
        "runs",
        "size",
    )

    def __init__(self, at: int, local: int, layout: _Layout) -> None:
        self.at = at  # byte offset of the definition message
        self.local = local
        self.layout = layout
        self.gnum = layout.gnum
        self.big = layout.big
        self.fields = layout.fields
        self.size = layout.size
        self.pos: array[int] = array("q")  # offsets found one by one by the scan loop
        # runs found by the cycle skipper: (index in pos it precedes, first, step, count)
        self.runs: list[tuple[int, int, int, int]] = []
        self._positions: IntArray | None = None

    def count(self) -> int:
        return len(self.pos) + sum(r[3] for r in self.runs)

    def positions(self) -> IntArray:
        """All data-message offsets, ascending: the one-by-one ones and the runs merged."""
        if self._positions is None:
            self._positions = self._merge()
        return self._positions

    def _merge(self) -> IntArray:
        single = np.frombuffer(self.pos, dtype=np.int64) if self.pos else _NO_POSITIONS
        if not self.runs:
            return single
        at = np.array([r[0] for r in self.runs], dtype=np.int64)
        first = np.array([r[1] for r in self.runs], dtype=np.int64)
        step = np.array([r[2] for r in self.runs], dtype=np.int64)
        count = np.array([r[3] for r in self.runs], dtype=np.int64)
        ends = np.cumsum(count)
        starts = ends - count
        total = int(ends[-1])
        within = np.arange(total, dtype=np.int64) - np.repeat(starts, count)
        values = np.repeat(first, count) + np.repeat(step, count) * within
        # Scatter both into place: a run recorded when ``at`` offsets had been found one
        # by one precedes pos[at:]; both lists are in scan (= file) order already.
        out = np.empty(single.shape[0] + total, dtype=np.int64)
        out[np.repeat(at + starts, count) + within] = values
        before = np.searchsorted(at, np.arange(single.shape[0]), side="right")
        shift = np.concatenate([[0], ends])[before]
        out[np.arange(single.shape[0]) + shift] = single
        return out


_NO_POSITIONS: Final[IntArray] = np.zeros(0, dtype=np.int64)


@dataclass
class _Parsed:
    data: bytes
    defs: list[_Def]
    segments: list[int]  # byte offset of each chained file's header
    damage: str | None
    compressed: bool  # any compressed-timestamp header seen


def _header(data: bytes, pos: int, n: int) -> tuple[int, int]:
    """(header size, data size) of the FIT file header at ``pos``; raises FitError."""
    if n - pos < 12:
        if pos == 0:
            raise FitError(f"not a FIT file: {n} bytes is shorter than a FIT file header")
        raise FitError(
            f"truncated at byte {n}: expected {12 - (n - pos)} more bytes of the FIT "
            f"file header that starts at byte {pos}"
        )
    if data[pos + 8 : pos + 12] != b".FIT":
        raise FitError(f"not a FIT file: no '.FIT' signature at byte {pos + 8}")
    hs = data[pos]
    if hs < 12:
        raise FitError(f"bad FIT file header at byte {pos}: header size {hs} is below 12")
    if pos + hs > n:
        raise FitError(f"truncated at byte {n}: expected {pos + hs - n} more header bytes")
    size = int.from_bytes(data[pos + 4 : pos + 8], "little")
    if hs >= 14:
        stored = data[pos + 12] | data[pos + 13] << 8
        if stored != 0 and fit_crc(data[pos : pos + 12]) != stored:  # 0 = not computed
            raise FitError(f"header CRC mismatch in the FIT file header at byte {pos}")
    return hs, size


def _definition(data: bytes, pos: int, end: int, cache: dict[bytes, _Layout]) -> tuple[_Def, int]:
    """Parse the definition message at ``pos``; returns it and the next offset."""
    h = data[pos]
    if pos + 6 > end:
        raise FitError(
            f"truncated at byte {end}: the definition message at byte {pos} needs "
            f"{pos + 6 - end} more bytes"
        )
    nf = data[pos + 5]
    q = pos + 6 + 3 * nf
    if h & 0x20:  # developer fields follow: a count, then 3 bytes each
        if q >= end:
            raise FitError(
                f"truncated at byte {end}: the definition message at byte {pos} needs "
                f"{q + 1 - end} more bytes"
            )
        q += 1 + 3 * data[q]
    if q > end:
        raise FitError(
            f"truncated at byte {end}: the definition message at byte {pos} needs "
            f"{q - end} more bytes"
        )
    key = data[pos + 1 : q]  # everything but the local type in the header byte
    layout = cache.get(key)
    if layout is None:
        layout = _layout(data, pos, nf, h & 0x20)
        cache[key] = layout
    return _Def(pos, h & 0x0F, layout), q


def _layout(data: bytes, pos: int, nf: int, dev: int) -> _Layout:
    """Offsets of the fields this module reads; the message size counts them all.

    Only the fields some caller needs are located (``_FIELDS_OF_INTEREST``): a session
    definition lists 100+ fields of which 17 are read, so looking those up with
    ``bytes.rfind`` (the last occurrence wins, as in a dict) beats a loop over all.
    """
    arch = data[pos + 2]
    if arch > 1:
        raise FitError(
            f"bad definition message at byte {pos}: architecture byte is {arch}, "
            "neither 0 (little-endian) nor 1 (big-endian)"
        )
    big = arch == 1
    gnum = (data[pos + 3] << 8 | data[pos + 4]) if big else (data[pos + 4] << 8 | data[pos + 3])
    q = pos + 6
    nums = data[q : q + 3 * nf : 3]
    sizes = data[q + 1 : q + 3 * nf : 3]
    offsets = list(accumulate(sizes, initial=1))  # offsets[i]: field i; offsets[nf]: end
    fields: dict[int, tuple[int, int, int]] = {}
    for num in _FIELDS_OF_INTEREST.get(gnum, _TIMESTAMP_ONLY):
        i = nums.rfind(num)
        if i >= 0:
            size = sizes[i]
            code, unit = _BASE_BY_BYTE[data[q + 3 * i + 2]]
            fields[num] = (offsets[i], size, code if size % unit == 0 else prof.BYTE_TYPE)
    off = offsets[nf]
    if dev:  # developer fields: only their sizes matter, to skip them
        q += 3 * nf
        off += sum(data[q + 2 : q + 1 + 3 * data[q] : 3])
    return _Layout(gnum, big, fields, off)


# Base-type byte -> (type code, size): the code is the low 5 bits; unknown codes are bytes.
_BASE_BY_BYTE: Final[list[tuple[int, int]]] = [
    (b & 0x1F, prof.BASE_TYPES[b & 0x1F][1]) if b & 0x1F in prof.BASE_TYPES else (prof.BYTE_TYPE, 1)
    for b in range(256)
]
_TIMESTAMP_ONLY: Final = (prof.FIELD_TIMESTAMP,)
_FIELDS_OF_INTEREST: Final[dict[int, tuple[int, ...]]] = {
    gnum: tuple(
        sorted(
            {prof.FIELD_TIMESTAMP}
            | prof.DATE_TIME_FIELDS.get(gnum, frozenset())
            | {spec[0] for spec in specs.values()}
            | ({prof.RECORD_COMPRESSED_SPEED_DISTANCE} if gnum == prof.MESG_RECORD else set())
        )
    )
    for gnum, specs in [
        (prof.MESG_FILE_ID, prof.FILE_ID_FIELDS),
        (prof.MESG_SPORT, prof.SPORT_FIELDS),
        (prof.MESG_SESSION, prof.SESSION_FIELDS),
        (prof.MESG_LAP, prof.LAP_FIELDS),
        (prof.MESG_RECORD, prof.RECORD_FIELDS),
        (prof.MESG_ACTIVITY, prof.ACTIVITY_FIELDS),
    ]
} | {
    gnum: tuple(sorted({prof.FIELD_TIMESTAMP} | nums))
    for gnum, nums in prof.DATE_TIME_FIELDS.items()
    if gnum not in (0, 12, 18, 19, 20, 34)
}


_SKIP_MAX_PERIOD: Final = 4  # messages in a repeating cycle the skipper looks for
_SKIP_MIN_WINDOW: Final = 64  # bytes scanned message by message between skip attempts
_SKIP_MAX_WINDOW: Final = 1 << 16

# A cycle of data-message kinds: (offset in the cycle, header bytes allowed, definition).
_Cycle = list[tuple[int, bytes, _Def]]

# Header bytes that select the same definition as a given header byte: the byte itself,
# or for a compressed-timestamp header all 32 time offsets of its local type.
_SAME_KIND: Final[list[bytes]] = [
    bytes(range(h & 0xE0, (h & 0xE0) + 32)) if h & 0x80 else bytes((h,)) for h in range(256)
]


def _scan(data: bytes, pos: int, end: int, defs: list[_Def], *, skip: bool = True) -> bool:
    """Walk the messages in data[pos:end], recording data-message offsets per definition.

    This loop is the decoder's hot spot (one iteration per message), so it does the
    minimum: one table lookup by header byte gives the message size and the ``append``
    of the definition's offset list. Definition messages rebuild the table entries of
    their local type. Between windows of a few dozen bytes it tries
    :func:`_skip_cycles`, which jumps over a run of messages repeating a short cycle of
    headers (record, hrv, record, hrv …) after checking every one of their header bytes.
    Returns whether any compressed-timestamp header was used.
    """
    undefined = (0, None)
    table: list[tuple[int, object]] = [undefined] * 256
    layouts: dict[bytes, _Layout] = {}
    owner: list[_Def | None] = [None] * 256
    cycles: list[_Cycle] = []  # rotations of the last cycle that paid off
    window = _SKIP_MIN_WINDOW if skip else end
    while True:
        limit = min(end, pos + window)
        while pos < limit:
            size, app = table[data[pos]]
            if not size:
                break
            app(pos)  # type: ignore[operator]
            pos += size
        if pos >= end:
            break
        if pos >= limit:  # window used up: try to jump over a repeating run
            new = _skip_cycles(data, pos, end, table, owner, cycles)
            if new > pos:
                pos = new
                window = _SKIP_MIN_WINDOW
            else:
                window = min(window * 2, _SKIP_MAX_WINDOW)
            continue
        h = data[pos]
        if h & 0x80 or not h & 0x40:
            local = (h >> 5) & 3 if h & 0x80 else h & 0x0F
            raise FitError(f"bad message at byte {pos}: local message {local} is not defined")
        d, pos = _definition(data, pos, end, layouts)
        defs.append(d)
        entry = (d.size, d.pos.append)
        loc = d.local
        for hb in (loc, loc | 0x10, loc | 0x20, loc | 0x30):  # bits 4-5 reserved in data
            table[hb] = entry
            owner[hb] = d
        if loc < 4:  # compressed-timestamp headers address local types 0-3
            base = 0x80 | loc << 5
            for hb in range(base, base + 32):
                table[hb] = entry
                owner[hb] = d
    if pos > end:
        # the last data message ran past the end: drop it, then report it
        last = max((d for d in defs if d.pos), key=lambda d: d.pos[-1])
        at = last.pos.pop()
        raise FitError(
            f"truncated data: the message at byte {at} runs {pos - end} bytes past the end "
            f"of the data at byte {end}"
        )
    # Compressed-timestamp headers (0x80-0xFF) can only belong to local types 0-3.
    low = [d for d in defs if d.local < 4]
    if any(data[r[1]] & 0x80 for d in low for r in d.runs):
        return True
    singles = [np.frombuffer(d.pos, dtype=np.int64) for d in low if d.pos]
    if not singles:
        return False
    buf = np.frombuffer(data, dtype=np.uint8)
    return bool((buf[np.concatenate(singles)] & 0x80).any())


def _skip_cycles(
    data: bytes,
    pos: int,
    end: int,
    table: list[tuple[int, object]],
    owner: list[_Def | None],
    cycles: list[_Cycle],
) -> int:
    """Jump over a run of messages that repeat one short cycle of data-message headers.

    The candidate cycle is the last one that paid off (in the rotation that starts with
    the header at ``pos``), else one found by walking at most ``_SKIP_MAX_PERIOD``
    messages from ``pos`` until a header of the first message's kind comes back: headers
    h_j at offsets o_j, C bytes in all. :func:`_count_cycles` then checks the header byte
    at pos + k·C + o_j for every j and k = 0, 1, … Returns the new position, or ``pos``.

    Why this cannot misread the file: ``pos`` is a real message boundary; if the message
    at a real boundary q has a header of h_j's definition, it is s_j bytes long, so the
    next message starts at q + s_j — the next offset of the cycle. By induction every
    checked position is a real message of the asserted definition and pos + n·C is a
    boundary. No definition message can hide in the run, as its header byte (0x40-0x7F)
    never selects a data definition, and nothing is assumed past the last checked cycle.
    """
    head = data[pos]
    for rotation in cycles:
        if head in rotation[0][1]:
            # still valid only if no member's local type was redefined since
            if all(owner[allowed[0]] is d for _, allowed, d in rotation):
                new = _count_cycles(data, pos, end, rotation)
                if new > pos:
                    return new
            break
    cycle: _Cycle = []
    p = pos
    for _ in range(_SKIP_MAX_PERIOD):
        h = data[p]
        size = table[h][0]
        d = owner[h]
        if not size or d is None or any(d is member for _, _, member in cycle):
            return pos  # one definition twice in a cycle would interleave its runs
        cycle.append((p - pos, _SAME_KIND[h], d))
        p += size
        if p >= end:
            return pos
        if data[p] in cycle[0][1]:
            break
    else:
        return pos
    new = _count_cycles(data, pos, end, cycle)
    if new > pos:  # remember every rotation, to resume after a stray message
        period = p - pos
        cycles.clear()
        for r in range(len(cycle)):
            base = cycle[r][0]
            cycles.append(
                [((off - base) % period, allowed, d) for off, allowed, d in cycle[r:] + cycle[:r]]
            )
    return new


def _count_cycles(data: bytes, pos: int, end: int, cycle: _Cycle) -> int:
    """Record the full repetitions of ``cycle`` from ``pos``; returns the position after.

    Reads the header bytes of each cycle member at once with a strided slice and counts
    how many lead the slice with an allowed value (``bytes.lstrip``), in batches that
    grow 4× so a long run costs few calls and a short one reads little. Records nothing
    (returns ``pos``) when fewer than 8 messages would be skipped.
    """
    last_off, _, last_def = cycle[-1]
    period = last_off + last_def.size
    total = (end - pos) // period  # full cycles that fit before the end
    done = 0
    batch = 64
    while done < total:
        count = batch if batch < total - done else total - done
        start = pos + done * period
        ok = count
        for off, allowed, _ in cycle:
            heads = data[start + off : start + off + count * period : period]
            matched = len(heads) - len(heads.lstrip(allowed))
            if matched < ok:
                ok = matched
                if not ok:
                    break
        done += ok
        if ok < count:
            break
        batch *= 4
    if done * len(cycle) < 8:
        return pos
    for off, _, d in cycle:
        d.runs.append((len(d.pos), pos + off, period, done))
    return pos + done * period


def _parse(data: bytes, salvage: bool) -> _Parsed:
    """Check headers and CRCs and scan every chained FIT file in ``data``."""
    n = len(data)
    defs: list[_Def] = []
    segments: list[int] = []
    damage: str | None = None
    compressed = False
    pos = 0
    if n == 0:
        raise FitError("not a FIT file: no data")
    while pos < n:
        try:
            hs, size = _header(data, pos, n)
        except FitError as e:
            if not salvage or not segments:
                raise
            damage = str(e)
            break
        segments.append(pos)
        data_end = pos + hs + size
        crc_end = data_end + 2
        problem: str | None = None
        if crc_end > n:
            problem = (
                f"truncated at byte {n}: expected {crc_end - n} more bytes (the header at "
                f"byte {pos} declares {size} data bytes and a 2-byte CRC)"
            )
        else:
            stored = data[data_end] | data[data_end + 1] << 8
            if fit_crc(memoryview(data)[pos:data_end]) != stored:
                problem = f"file CRC mismatch: the CRC at byte {data_end} does not match"
        if problem is not None:
            if not salvage:
                raise FitError(problem)
            damage = damage or problem
        seg_defs: list[_Def] = []
        try:
            compressed |= _scan(data, pos + hs, min(data_end, n), seg_defs)
        except FitError as e:
            if not salvage:
                raise
            defs.extend(seg_defs)
            damage = damage or str(e)
            break
        defs.extend(seg_defs)
        if crc_end > n:
            break
        pos = crc_end
    return _Parsed(data, defs, segments, damage, compressed)


# ------------------------------------------------------------------------- extraction


def _positions(d: _Def) -> IntArray:
    return d.positions()


def _raw_columns(
    data: bytes, d: _Def, nums: Iterable[int], pos: IntArray, step: int = 0
) -> dict[int, npt.NDArray[np.generic]]:
    """Raw values of the wanted fields for the data messages of ``d`` at ``pos``.

    One fancy-indexed copy of whole messages (as opaque ``void`` items, numpy's fastest
    path), then a structured view that names the wanted fields at their offsets with the
    definition's byte order. When the messages are evenly spaced (``step``: one run of
    the scan's cycle skipper) the view is laid straight over the file bytes, no copy.
    The returned columns are strided views.
    """
    names: list[str] = []
    formats: list[object] = []
    offsets: list[int] = []
    wanted: list[int] = []
    endian = ">" if d.big else "<"
    for num in nums:
        spec = d.fields.get(num)
        if spec is None:
            continue
        off, size, code = spec
        if size == 0:
            continue
        kind, bsize, _ = prof.BASE_TYPES[code]
        fmt = endian + kind
        count = size // bsize
        names.append(f"f{num}")
        formats.append(fmt if count == 1 else (fmt, (count,)))
        offsets.append(off)
        wanted.append(num)
    if not wanted or pos.shape[0] == 0:
        return {}
    dt = np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": d.size})
    if step:
        rows = np.ndarray(
            shape=pos.shape, dtype=dt, buffer=data, offset=int(pos[0]), strides=(step,)
        )
    else:
        items = np.ndarray(
            shape=(len(data) - d.size + 1,),
            dtype=np.dtype((np.void, d.size)),
            buffer=data,
            strides=(1,),
        )
        rows = items[pos].view(dt)
    return {num: rows[f"f{num}"] for num in wanted}


def _to_float(raw: npt.NDArray[np.generic], code: int, scale: float, offset: float) -> FloatArray:
    """Scaled float64 values; the base type's invalid value becomes NaN."""
    if raw.ndim > 1:
        if code == prof.BYTE_TYPE:  # several bytes that are not a number of this field
            return np.full(raw.shape[0], np.nan)
        raw = raw[:, 0]  # an array field: its first element
    out = raw.astype(np.float64)
    invalid = prof.BASE_TYPES[code][2]
    if invalid is not None:
        # <= 32-bit values are exact in float64: compare the contiguous copy
        bad = out == float(invalid) if prof.BASE_TYPES[code][1] < 8 else raw == invalid
        if bad.any():
            np.putmask(out, bad, np.nan)
    if scale != 1.0:
        out /= scale
    if offset != 0.0:
        out -= offset
    return out


def _layout_groups(defs: list[_Def], nums: Iterable[int]) -> list[tuple[_Def, IntArray, int]]:
    """Definitions of one message type merged when the wanted fields lie alike.

    Devices redefine local types often (one Wahoo file has 201 record definitions in 11
    layouts); extracting per layout instead of per definition saves numpy calls. The
    third item is the spacing of the messages when they form one evenly spaced run.
    """
    groups: dict[tuple[object, ...], list[_Def]] = {}
    wanted = list(nums)
    for d in defs:
        key = (d.big, d.size, tuple((num, d.fields.get(num)) for num in wanted))
        groups.setdefault(key, []).append(d)
    out: list[tuple[_Def, IntArray, int]] = []
    for members in groups.values():
        if len(members) == 1:
            d = members[0]
            step = d.runs[0][2] if len(d.runs) == 1 and not d.pos else 0
            out.append((d, _positions(d), step))
        else:
            out.append((members[0], np.concatenate([_positions(d) for d in members]), 0))
    return out


def _gather(
    parsed: _Parsed, gnum: int, specs: dict[str, prof.FieldSpec]
) -> tuple[IntArray, dict[str, FloatArray]]:
    """All messages of one global type, in file order: positions and float columns.

    A column is absent from the dict when no definition of the type declares the field.
    """
    data = parsed.data
    defs = [d for d in parsed.defs if d.gnum == gnum and d.count()]
    by_num = {spec[0]: (name, spec) for name, spec in specs.items()}
    if not defs:
        return np.zeros(0, dtype=np.int64), {}
    parts: list[tuple[IntArray, dict[str, FloatArray]]] = []
    for d, pos, step in _layout_groups(defs, by_num):
        cols: dict[str, FloatArray] = {}
        for num, raw in _raw_columns(data, d, by_num, pos, step).items():
            name, (_, scale, offset) = by_num[num]
            cols[name] = _to_float(raw, d.fields[num][2], scale, offset)
        parts.append((pos, cols))
    if len(parts) == 1:
        pos, cols = parts[0]
    else:
        pos = np.concatenate([p for p, _ in parts])
        names = {name for _, c in parts for name in c}
        cols = {
            name: np.concatenate([c.get(name, np.full(p.shape[0], np.nan)) for p, c in parts])
            for name in names
        }
    if pos.shape[0] > 1 and not bool(np.all(pos[1:] > pos[:-1])):
        order = np.argsort(pos, kind="stable")
        pos = pos[order]
        cols = {name: col[order] for name, col in cols.items()}
    return pos, cols


def _accumulate(
    anchor_pos: IntArray,
    anchor_val: IntArray,
    delta_pos: IntArray,
    delta_raw: IntArray,
    bits: int,
) -> IntArray:
    """Expand rolling ``bits``-wide counters (compressed timestamps, compressed distance).

    Each delta carries only the low ``bits`` of a growing value: it takes the high bits
    of the value before it (the last anchor or delta) and adds one rollover when its low
    bits are smaller. Anchors set the value outright. Vectorised with cumulative sums.
    """
    if delta_pos.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    span = 1 << bits
    mask = span - 1
    pos = np.concatenate([anchor_pos, delta_pos])
    is_anchor = np.zeros(pos.shape[0], dtype=bool)
    is_anchor[: anchor_pos.shape[0]] = True
    val = np.concatenate([anchor_val, delta_raw]).astype(np.int64)
    order = np.lexsort((~is_anchor, pos))  # by position; an anchor before a delta there
    pos, is_anchor, val = pos[order], is_anchor[order], val[order]
    if not is_anchor[0]:  # deltas before any anchor count from 0
        pos = np.concatenate([[pos[0]], pos])
        is_anchor = np.concatenate([[True], is_anchor])
        val = np.concatenate([[0], val])
    low = np.where(is_anchor, val & mask, val)
    roll = np.zeros(pos.shape[0], dtype=np.int64)
    roll[1:] = (~is_anchor[1:]) & (low[1:] < low[:-1])
    cum = np.cumsum(roll)
    anchor_idx = np.flatnonzero(is_anchor)
    group = np.cumsum(is_anchor) - 1
    base = (val[anchor_idx] & ~mask)[group]
    out = base + low + span * (cum - cum[anchor_idx][group])
    return np.asarray(out[~is_anchor], dtype=np.int64)


def _compressed_times(parsed: _Parsed) -> tuple[IntArray, IntArray]:
    """Positions and resolved timestamps of every compressed-header message.

    The header holds the low 5 bits of the time; the rest comes from the previous
    timestamp of *any* message (field 253 or an earlier compressed header), reset at the
    start of each chained file.
    """
    data = parsed.data
    buf = np.frombuffer(data, dtype=np.uint8)
    a_pos: list[IntArray] = [np.asarray(parsed.segments, dtype=np.int64)]
    a_val: list[IntArray] = [np.zeros(len(parsed.segments), dtype=np.int64)]
    d_pos: list[IntArray] = []
    d_raw: list[IntArray] = []
    for d in parsed.defs:
        if not d.count():
            continue
        pos = _positions(d)
        comp = np.zeros(pos.shape[0], dtype=bool)
        if d.local < 4:
            heads = buf[pos]
            comp = heads >= 0x80
            if comp.any():
                d_pos.append(pos[comp])
                d_raw.append((heads[comp] & 0x1F).astype(np.int64))
        spec = d.fields.get(prof.FIELD_TIMESTAMP)
        if spec is not None and spec[2] in (0x06, 0x05, 0x0C) and spec[1] == 4 and not comp.all():
            raw = _raw_columns(data, d, [prof.FIELD_TIMESTAMP], pos[~comp])[
                prof.FIELD_TIMESTAMP
            ].astype(np.int64)
            ok = raw != prof.BASE_TYPES[spec[2]][2]
            a_pos.append(pos[~comp][ok])
            a_val.append(raw[ok])
    if not d_pos:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    dp = np.concatenate(d_pos)
    dr = np.concatenate(d_raw)
    order = np.argsort(dp, kind="stable")
    dp, dr = dp[order], dr[order]
    return dp, _accumulate(np.concatenate(a_pos), np.concatenate(a_val), dp, dr, 5)


def _records(parsed: _Parsed) -> Records:
    pos, cols = _gather(parsed, prof.MESG_RECORD, prof.RECORD_FIELDS)
    n = pos.shape[0]
    ts = cols.get("timestamp", np.full(n, np.nan))
    if parsed.compressed and n:
        cpos, cts = _compressed_times(parsed)
        if cpos.shape[0]:
            idx = np.searchsorted(cpos, pos)
            idx[idx >= cpos.shape[0]] = 0
            hit = cpos[idx] == pos
            ts = ts.copy()
            ts[hit] = cts[idx[hit]].astype(np.float64)
    bad = (ts < 0) | (ts >= 0xFFFFFFFF) | (ts != np.floor(ts))  # not a uint32: the file lies
    if bad.any():
        ts = np.where(bad, np.nan, ts)

    speed = cols.get("enhanced_speed")
    if "speed" in cols:
        speed = cols["speed"] if speed is None else np.where(np.isnan(speed), cols["speed"], speed)
    distance = cols.get("distance")
    csd = _compressed_speed_distance(parsed, pos)
    if csd is not None:
        c_speed, c_dist = csd
        speed = c_speed if speed is None else np.where(np.isnan(speed), c_speed, speed)
        distance = c_dist if distance is None else np.where(np.isnan(distance), c_dist, distance)
    altitude = cols.get("enhanced_altitude")
    if "altitude" in cols:
        alt = cols["altitude"]
        altitude = alt if altitude is None else np.where(np.isnan(altitude), alt, altitude)
    cadence = cols.get("cadence")
    if cadence is not None and "fractional_cadence" in cols:
        cadence = cadence + np.nan_to_num(cols["fractional_cadence"])
    lat = cols.get("position_lat")
    lon = cols.get("position_long")
    return Records(
        timestamp=ts,
        heart_rate=cols.get("heart_rate"),
        cadence=cadence,
        distance=distance,
        speed=speed,
        altitude=altitude,
        lat=None if lat is None else lat * prof.SEMICIRCLE_DEG,
        lon=None if lon is None else lon * prof.SEMICIRCLE_DEG,
        power=cols.get("power"),
    )


def _compressed_speed_distance(
    parsed: _Parsed, rec_pos: IntArray
) -> tuple[FloatArray, FloatArray] | None:
    """Expand record.compressed_speed_distance into speed and accumulated distance.

    The 3 bytes hold speed (12 bits, 1/100 m/s) and distance (12 bits, 1/16 m) that
    rolls over every 256 m; the distance accumulates over records, restarting at every
    definition that declares the field and at every chained file, as fitdecode does.
    """
    num = prof.RECORD_COMPRESSED_SPEED_DISTANCE
    defs = [
        d
        for d in parsed.defs
        if d.gnum == prof.MESG_RECORD and num in d.fields and d.fields[num][1] == 3
    ]
    if not defs:
        return None
    n = rec_pos.shape[0]
    speed = np.full(n, np.nan)
    dist = np.full(n, np.nan)
    v_pos: list[IntArray] = []
    v_speed: list[IntArray] = []
    v_dist: list[IntArray] = []
    for d in defs:
        if not d.count():
            continue
        pos = _positions(d)
        raw = _raw_columns(parsed.data, d, [num], pos)[num].astype(np.uint8).astype(np.int64)
        b0, b1, b2 = raw[:, 0], raw[:, 1], raw[:, 2]
        ok = ~((b0 == 0xFF) & (b1 == 0xFF) & (b2 == 0xFF))
        v_pos.append(pos[ok])
        v_speed.append((b0 | (b1 & 0x0F) << 8)[ok])
        v_dist.append((b1 >> 4 | b2 << 4)[ok])
    if not v_pos:
        return None
    vp = np.concatenate(v_pos)
    order = np.argsort(vp, kind="stable")
    vp = vp[order]
    vs = np.concatenate(v_speed)[order]
    vd = np.concatenate(v_dist)[order]
    resets = np.concatenate(
        [np.asarray(parsed.segments, dtype=np.int64), np.asarray([d.at for d in defs], np.int64)]
    )
    acc = _accumulate(resets, np.zeros(resets.shape[0], dtype=np.int64), vp, vd, 12)
    idx = np.searchsorted(rec_pos, vp)
    speed[idx] = vs / 100.0
    dist[idx] = acc / 16.0
    return speed, dist


def _value(col: FloatArray | None, i: int) -> float | None:
    if col is None:
        return None
    v = float(col[i])
    return None if math.isnan(v) else v


def _time(col: FloatArray | None, i: int) -> FitTime | None:
    v = _value(col, i)
    if v is None or not 0 <= v < 0xFFFFFFFF:  # date_time is a uint32 (a file may lie)
        return None
    return FitTime(int(v))


def _enum(col: FloatArray | None, i: int, names: dict[int, str]) -> str | int | None:
    v = _value(col, i)
    if v is None:
        return None
    return names.get(int(v), int(v))


def _prefer(first: FloatArray | None, second: FloatArray | None, i: int) -> float | None:
    v = _value(first, i)
    return _value(second, i) if v is None else v


def decode(data: bytes, *, salvage: bool = False) -> FitFile:
    """Decode a FIT file (or several chained FIT files) into one :class:`FitFile`.

    Strict by default: a bad header, CRC mismatch, truncation or undefined message raises
    :class:`FitError`. With ``salvage=True`` the messages before the damage are kept and
    :attr:`FitFile.damage` says what stopped the decoder — for damaged uploads that are
    better partly imported than not at all (values just before the damage may be garbage).
    """
    if not isinstance(data, bytes):
        data = bytes(data)
    try:
        return _decode(data, salvage)
    except FitError:
        raise
    except (ValueError, IndexError, OverflowError, TypeError) as e:  # pragma: no cover
        # Defensive: every malformed input should already be a FitError above.
        raise FitError(f"malformed FIT data: {e}") from e


def _decode(data: bytes, salvage: bool) -> FitFile:
    parsed = _parse(data, salvage)
    _, fid = _gather(parsed, prof.MESG_FILE_ID, prof.FILE_ID_FIELDS)
    n_fid = len(next(iter(fid.values()))) if fid else 0
    file_types = tuple(_enum(fid.get("type"), i, prof.FILE_TYPES) for i in range(n_fid))
    manufacturer: str | int | None = None
    product: str | int | None = None
    serial: int | None = None
    created: FitTime | None = None
    if n_fid:
        man_num = _value(fid.get("manufacturer"), 0)
        manufacturer = _enum(fid.get("manufacturer"), 0, prof.MANUFACTURERS)
        prod_names = (
            prof.GARMIN_PRODUCTS
            if man_num is not None and int(man_num) in prof.GARMIN_PRODUCT_MAKERS
            else {}
        )
        product = _enum(fid.get("product"), 0, prod_names)
        s = _value(fid.get("serial_number"), 0)
        serial = None if s is None else int(s)
        created = _time(fid.get("time_created"), 0)

    _, ses = _gather(parsed, prof.MESG_SESSION, prof.SESSION_FIELDS)
    sessions: list[FitSession] = []
    n_ses = len(next(iter(ses.values()))) if ses else 0
    for i in range(n_ses):
        cad = _value(ses.get("avg_cadence"), i)
        frac = _value(ses.get("avg_fractional_cadence"), i)
        sessions.append(
            FitSession(
                sport=_enum(ses.get("sport"), i, prof.SPORTS),
                sub_sport=_enum(ses.get("sub_sport"), i, prof.SUB_SPORTS),
                start_time=_time(ses.get("start_time"), i),
                timestamp=_time(ses.get("timestamp"), i),
                total_elapsed_time=_value(ses.get("total_elapsed_time"), i),
                total_timer_time=_value(ses.get("total_timer_time"), i),
                total_distance=_value(ses.get("total_distance"), i),
                total_ascent=_value(ses.get("total_ascent"), i),
                avg_heart_rate=_value(ses.get("avg_heart_rate"), i),
                max_heart_rate=_value(ses.get("max_heart_rate"), i),
                avg_cadence=None if cad is None else cad + (frac or 0.0),
                avg_speed=_prefer(ses.get("enhanced_avg_speed"), ses.get("avg_speed"), i),
                max_speed=_prefer(ses.get("enhanced_max_speed"), ses.get("max_speed"), i),
                total_calories=_value(ses.get("total_calories"), i),
            )
        )

    _, lap = _gather(parsed, prof.MESG_LAP, prof.LAP_FIELDS)
    n_lap = len(next(iter(lap.values()))) if lap else 0
    laps = [
        FitLap(
            start_time=_time(lap.get("start_time"), i),
            timestamp=_time(lap.get("timestamp"), i),
            total_elapsed_time=_value(lap.get("total_elapsed_time"), i),
            total_distance=_value(lap.get("total_distance"), i),
            avg_heart_rate=_value(lap.get("avg_heart_rate"), i),
            sport=_enum(lap.get("sport"), i, prof.SPORTS),
        )
        for i in range(n_lap)
    ]

    _, act = _gather(parsed, prof.MESG_ACTIVITY, prof.ACTIVITY_FIELDS)
    act_ts: FitTime | None = None
    act_local: FitTime | None = None
    n_act = len(next(iter(act.values()))) if act else 0
    for i in range(n_act):
        act_ts = _time(act.get("timestamp"), i)
        act_local = _time(act.get("local_timestamp"), i)
        if act_ts is not None:
            break

    _, spo = _gather(parsed, prof.MESG_SPORT, prof.SPORT_FIELDS)
    sport = _enum(spo.get("sport"), 0, prof.SPORTS) if spo else None
    sub_sport = _enum(spo.get("sub_sport"), 0, prof.SUB_SPORTS) if spo else None

    return FitFile(
        file_type=file_types[0] if file_types else None,
        manufacturer=manufacturer,
        product=product,
        serial_number=serial,
        time_created=created,
        sessions=sessions,
        laps=laps,
        records=_records(parsed),
        activity_timestamp=act_ts,
        activity_local_timestamp=act_local,
        sport=sport,
        sub_sport=sub_sport,
        file_types=file_types,
        damage=parsed.damage,
        stats={
            "files": len(parsed.segments),
            "definitions": len(parsed.defs),
            "messages": sum(int(d.count()) for d in parsed.defs),
        },
    )


# ------------------------------------------------------------------------ to the model

_FOOT_SPORTS: Final = frozenset(
    {"running", "trail_running", "treadmill_running", "track_running", "walking", "hiking"}
)


def normalise_sport(sport: str | int | None, sub_sport: str | int | None) -> str:
    """Map FIT sport/sub_sport onto the model's sport names (``other`` when unsure)."""
    if sport == "running":
        return {
            "trail": "trail_running",
            "treadmill": "treadmill_running",
            "indoor_running": "treadmill_running",
            "track": "track_running",
        }.get(str(sub_sport), "running")
    if sport in ("cycling", "e_biking"):
        return "cycling"
    if sport in ("swimming", "walking", "hiking", "rowing"):
        return str(sport)
    if sport == "mountaineering":
        return "hiking"
    if sport in ("fitness_equipment", "training"):
        return {
            "treadmill": "treadmill_running",
            "indoor_running": "treadmill_running",
            "indoor_cycling": "cycling",
            "indoor_rowing": "rowing",
            "indoor_walking": "walking",
            "strength_training": "strength",
        }.get(str(sub_sport), "other")
    return "other"


def _series(col: FloatArray | None, mask: npt.NDArray[np.bool_]) -> FloatArray | None:
    if col is None:
        return None
    out = col[mask]
    return None if not np.any(~np.isnan(out)) else out


def _samples(rec: Records, start: float, end: float, foot: bool) -> Samples:
    ts = rec.timestamp
    mask = (ts >= start) & (ts <= end)
    cadence = _series(rec.cadence, mask)
    if cadence is not None and foot:
        cadence = cadence * 2.0  # FIT stores strides (one foot) per minute
    return Samples(
        t=ts[mask] - start,
        heart_rate=_series(rec.heart_rate, mask),
        cadence_spm=cadence,
        speed_mps=_series(rec.speed, mask),
        distance_m=_series(rec.distance, mask),
        altitude_m=_series(rec.altitude, mask),
        lat=_series(rec.lat, mask),
        lon=_series(rec.lon, mask),
        power_w=_series(rec.power, mask),
    )


def _no_date(fit: FitFile, what: str) -> FitError:
    local = fit.activity_local_timestamp
    hint = ""
    if local is not None and not local.is_relative:
        hint = f" (the activity message gives local time {local.to_datetime():%Y-%m-%d %H:%M:%S}"
        hint += ", but no UTC offset)"
    return FitError(
        f"no date in this file: {what} is device-relative (seconds since power-on, below "
        f"0x10000000), so the activity cannot be placed in time{hint}"
    )


def _laps_between(fit: FitFile, start: float, end: float) -> tuple[Lap, ...]:
    out: list[Lap] = []
    for lap in fit.laps:
        st = lap.start_time
        if st is None or st.is_relative or not start <= st.raw < max(end, start + 1):
            continue
        when = st.to_datetime()
        if when is None or lap.total_elapsed_time is None:
            continue
        out.append(
            Lap(
                start_utc=when,
                elapsed_s=lap.total_elapsed_time,
                distance_m=lap.total_distance,
                avg_hr=lap.avg_heart_rate,
            )
        )
    return tuple(out)


def to_activities(fit: FitFile) -> list[Activity]:
    """Convert a decoded file into activities: one per session, transitions left out."""
    device = fit.device
    offset = fit.utc_offset_s
    rec = fit.records
    acts: list[Activity] = []
    sessions = sorted(
        (s for s in fit.sessions if s.sport != "transition"),
        key=lambda s: s.start_time.raw if s.start_time is not None else 0,
    )
    for s in sessions:
        start_t = s.start_time
        elapsed = s.total_elapsed_time
        if start_t is None and s.timestamp is not None and elapsed is not None:
            start_t = FitTime(int(s.timestamp.raw - elapsed))
        if start_t is None:
            continue
        if start_t.is_relative:
            raise _no_date(fit, "the session start time")
        if elapsed is None:
            elapsed = float(s.timestamp.raw - start_t.raw) if s.timestamp is not None else 0.0
        sport = normalise_sport(s.sport, s.sub_sport)
        foot = sport in _FOOT_SPORTS
        when = start_t.to_datetime()
        assert when is not None
        cad = s.avg_cadence
        acts.append(
            Activity(
                sport=sport,
                start_utc=when,
                elapsed_s=elapsed,
                source_format="fit",
                utc_offset_s=offset,
                moving_s=s.total_timer_time,
                distance_m=s.total_distance,
                ascent_m=s.total_ascent,
                avg_hr=s.avg_heart_rate,
                max_hr=s.max_heart_rate,
                avg_cadence_spm=None if cad is None else (cad * 2.0 if foot else cad),
                avg_speed_mps=s.avg_speed,
                max_speed_mps=s.max_speed,
                calories=s.total_calories,
                device=device,
                laps=_laps_between(fit, start_t.raw, start_t.raw + elapsed),
                samples=_samples(rec, start_t.raw, start_t.raw + elapsed, foot),
            )
        )
    if acts:
        return acts
    if fit.sessions:
        raise FitError("no activity in this file: its only sessions are transitions")
    return [_from_records(fit)]


def _from_records(fit: FitFile) -> Activity:
    """One activity from the records alone (a file the device never summarised)."""
    if fit.file_type is not None and fit.file_type != "activity":
        raise FitError(f"no activity in this file: it is a {fit.file_type} file, not an activity")
    rec = fit.records
    ts = rec.timestamp
    valid = ~np.isnan(ts)
    if int(valid.sum()) < 2:
        raise FitError(
            f"no activity in this file: no session and {int(valid.sum())} timestamped "
            f"record(s) out of {len(rec)}"
        )
    start = float(ts[valid].min())
    end = float(ts[valid].max())
    if start < prof.FIT_MIN_ABSOLUTE_TIME:
        raise _no_date(fit, "the record time")
    sport = "other"
    if fit.sport is not None:
        sport = normalise_sport(fit.sport, fit.sub_sport)
    elif fit.laps and fit.laps[0].sport is not None:
        sport = normalise_sport(fit.laps[0].sport, None)
    foot = sport in _FOOT_SPORTS
    samples = _samples(rec, start, end, foot)
    when = FitTime(int(start)).to_datetime()
    assert when is not None

    def stat(col: FloatArray | None, fn: str) -> float | None:
        if col is None or not np.any(~np.isnan(col)):
            return None
        return float(getattr(np, fn)(col))

    return Activity(
        sport=sport,
        start_utc=when,
        elapsed_s=end - start,
        source_format="fit",
        utc_offset_s=fit.utc_offset_s,
        distance_m=stat(samples.distance_m, "nanmax"),
        avg_hr=stat(samples.heart_rate, "nanmean"),
        max_hr=stat(samples.heart_rate, "nanmax"),
        max_speed_mps=stat(samples.speed_mps, "nanmax"),
        device=fit.device,
        laps=_laps_between(fit, start, end),
        samples=samples,
    )


def read_fit(data: bytes, *, salvage: bool = False) -> list[Activity]:
    """Activities in a FIT file: one per session (multisport: one per leg, no transitions).

    Raises FitError for malformed files and for files that hold no activity (only a
    file_id, a course without times, settings …) or whose times are device-relative.
    """
    return to_activities(decode(data, salvage=salvage))


# --------------------------------------------------------------------------- shifting


def shift_timestamps(data: bytes, seconds: int) -> bytes:
    """The same FIT file with every date moved by ``seconds``, CRCs recomputed.

    Moves field 253 (timestamp) of every message and the profile's other date_time and
    local_date_time fields (start_time, time_created, local_timestamp …); invalid values
    stay invalid, developer fields are left alone. Files with compressed-timestamp
    headers only carry the low 5 bits of each time, so there ``seconds`` must be a
    multiple of 32. Raises ValueError when that rule is broken or a time would leave the
    range of its kind (a date would become device-relative or overflow).
    """
    if not isinstance(seconds, int):
        raise TypeError("seconds must be an int")
    parsed = _parse(bytes(data), salvage=False)
    if parsed.compressed and seconds % 32:
        raise ValueError(
            "this file uses compressed timestamps: the shift must be a multiple of 32 seconds"
        )
    out = bytearray(parsed.data)
    buf = np.frombuffer(out, dtype=np.uint8)
    for d in parsed.defs:
        if not d.count():
            continue
        nums = {prof.FIELD_TIMESTAMP} | prof.DATE_TIME_FIELDS.get(d.gnum, frozenset())
        pos = _positions(d)
        for num in nums:
            spec = d.fields.get(num)
            if spec is None or spec[2] not in (0x05, 0x06, 0x0C) or spec[1] % 4:
                continue
            off, size, code = spec
            dt = np.dtype(">u4" if d.big else "<u4")
            for k in range(size // 4):
                idx = pos + off + 4 * k
                raw = buf[idx[:, None] + np.arange(4)].copy().view(dt)[:, 0].astype(np.int64)
                ok = raw != prof.BASE_TYPES[code][2]
                new = raw[ok] + seconds
                old_rel = raw[ok] < prof.FIT_MIN_ABSOLUTE_TIME
                if np.any(new < 0) or np.any(new >= 0xFFFFFFFF):
                    raise ValueError(f"shifting by {seconds} s takes a time out of range")
                if np.any((new < prof.FIT_MIN_ABSOLUTE_TIME) != old_rel):
                    raise ValueError(
                        f"shifting by {seconds} s would turn a date into a device-relative "
                        "time or back"
                    )
                raw[ok] = new
                buf[idx[:, None] + np.arange(4)] = raw.astype(dt).view(np.uint8).reshape(-1, 4)
    for start in parsed.segments:
        hs = out[start]
        size = int.from_bytes(out[start + 4 : start + 8], "little")
        end = start + hs + size
        crc = fit_crc(memoryview(out)[start:end])
        out[end] = crc & 0xFF
        out[end + 1] = crc >> 8
    return bytes(out)


__all__ = [
    "FitError",
    "FitFile",
    "FitLap",
    "FitSession",
    "FitTime",
    "Records",
    "decode",
    "fit_crc",
    "normalise_sport",
    "read_fit",
    "shift_timestamps",
    "to_activities",
]
