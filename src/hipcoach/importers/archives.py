"""Low-level, bounded access to zip and gzip content, for ``sources``.

Archives come from the user's downloads and are not trusted: sizes, counts and
compression ratios are checked against ``Limits`` before and while reading, and
nothing is ever written to disk. A nested zip stored uncompressed inside another is
read through a window on the outer file instead of being copied into memory, which is
what keeps a multi-gigabyte Garmin export cheap.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MiB = 1 << 20
GiB = 1 << 30

# An export holds one file per activity plus a few dozen others: Garmin's nested zips
# hold ~8,000 each. Far more members is a "many tiny files" bomb, and zipfile would
# build the whole directory in memory before we see a single member.
MAX_MEMBERS = 50_000
# The largest real activity files are a few tens of MB (24 h of 1-s GPX points with
# extensions ≈ 40 MB); anything over this is not an activity file.
MAX_MEMBER_BYTES = 256 * MiB
# Everything decompressed from one path given to iter_items; a large Garmin export is
# a few GB. Stops many members that each stay under the per-member limit.
MAX_TOTAL_BYTES = 16 * GiB
# Activity files compress 3–20:1; zip bombs reach 1,000:1 and more. Checked only on
# output above RATIO_FLOOR_BYTES, where a bomb could do harm.
MAX_RATIO = 200.0
RATIO_FLOOR_BYTES = 1 * MiB
# Garmin exports nest zips two deep (export → UploadedFiles_*.zip); deeper is refused.
MAX_DEPTH = 2
# A nested zip that is compressed inside its parent must be held in memory to be read.
MAX_NESTED_ARCHIVE_BYTES = 1 * GiB
CHUNK = 1 * MiB


@dataclass(frozen=True)
class Limits:
    """Safety limits; the defaults are the module constants (tests lower them)."""

    max_members: int = MAX_MEMBERS
    max_member_bytes: int = MAX_MEMBER_BYTES
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_ratio: float = MAX_RATIO
    ratio_floor_bytes: int = RATIO_FLOOR_BYTES
    max_depth: int = MAX_DEPTH
    max_nested_archive_bytes: int = MAX_NESTED_ARCHIVE_BYTES


class Refused(Exception):
    """Content not read, with the reason for the user (what, why, what to do)."""


def size_text(n: float) -> str:
    """Sizes for messages, in the unit people read ("1.5 GiB")."""
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} bytes"


def check_ratio(out: int, packed: int, limits: Limits) -> None:
    """Refuse output that grew past the ratio limit: the signature of a bomb."""
    if out > limits.ratio_floor_bytes and out > limits.max_ratio * max(packed, 1):
        raise Refused(
            f"expands from {size_text(packed)} to over {size_text(out)} (ratio above "
            f"{limits.max_ratio:.0f}:1), like a zip bomb and unlike any activity file; not read"
        )


def gunzip(data: bytes, limits: Limits) -> bytes:
    """Decompress gzip data (also concatenated members) without exceeding the limits."""
    chunks: list[bytes] = []
    size = 0
    d = zlib.decompressobj(wbits=31)
    buf = data
    try:
        while True:
            part = d.decompress(buf, CHUNK)
            size += len(part)
            check_ratio(size, len(data), limits)
            if size > limits.max_member_bytes:
                raise Refused(
                    f"gzip content exceeds {size_text(limits.max_member_bytes)}, more than any "
                    "activity file; not read"
                )
            chunks.append(part)
            buf = d.unconsumed_tail
            if d.eof:
                rest = d.unused_data
                if rest[:2] != b"\x1f\x8b":
                    break
                d = zlib.decompressobj(wbits=31)  # another gzip member follows
                buf = rest
            elif not buf and not part:
                raise Refused("gzip data is truncated (download incomplete?); not read")
    except zlib.error as exc:
        raise Refused(
            f"gzip data is damaged; not read. Download or export the file again (zlib: {exc})"
        ) from None
    return b"".join(chunks)


def declared_members(fp: IO[bytes]) -> int | None:
    """Member count from a zip's end record (zip64 too), read before zipfile parses it."""
    end = _end_record(fp)
    return end[0] if end is not None else None


def _end_record(fp: IO[bytes]) -> tuple[int, int, int] | None:
    """(declared members, directory start, directory size) from the end record; None if none.

    The start is where zipfile looks too: the directory ends where the end record (or the
    zip64 end record) begins, whatever offset the record claims (self-extracting zips).
    """
    fp.seek(0, io.SEEK_END)
    size = fp.tell()
    tail_len = min(size, 22 + 65_535)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    i = tail.rfind(b"PK\x05\x06")
    if i < 0 or len(tail) < i + 22:
        return None
    total = int.from_bytes(tail[i + 10 : i + 12], "little")
    cd_size = int.from_bytes(tail[i + 12 : i + 16], "little")
    cd_end = size - tail_len + i
    if i >= 20 and tail[i - 20 : i - 16] == b"PK\x06\x07" and cd_end >= 76:
        fp.seek(cd_end - 76)
        record = fp.read(56)
        if record[:4] == b"PK\x06\x06":
            total = int.from_bytes(record[32:40], "little")
            cd_size = int.from_bytes(record[40:48], "little")
            cd_end -= 76
    return total, max(0, cd_end - cd_size), cd_size


@dataclass
class Directory:
    """What scanning a zip's central directory found, before zipfile reads it."""

    members: int  # records actually present (counting stops just past the limit)
    patches: dict[int, bytes]  # file offset → bytes zipfile is shown instead (see Patched)


def scan_directory(fp: IO[bytes], limits: Limits) -> Directory | None:
    """Count the directory's real records and neutralise fields that would stop zipfile.

    The end record's member count is not trusted (a forged one hides 100,000 members
    behind "1,000"): records are walked one by one and the walk stops as soon as it
    passes ``limits.max_members``. zipfile refuses a whole archive for one member's
    oddity (a "version needed to extract" above 6.3, a name flagged UTF-8 that is not,
    a malformed extra field); such fields are patched so the other members still read,
    and the odd member fails alone, if at all, when it is opened.
    """
    end = _end_record(fp)
    if end is None:
        return None
    declared, pos, cd_size = end
    if declared > limits.max_members:
        raise Refused(
            f"archive has {declared:,} members, more than the limit of {limits.max_members:,} "
            "(a likely zip bomb); unpack it and import the folders separately"
        )
    stop = pos + cd_size
    patches: dict[int, bytes] = {}
    count = 0
    fp.seek(pos)
    buf = fp.read(min(cd_size, CHUNK))
    base = pos
    while pos + 46 <= stop:
        if pos + 46 > base + len(buf):
            fp.seek(pos)
            buf = fp.read(min(stop - pos, CHUNK))
            base = pos
        head = buf[pos - base : pos - base + 46]
        if len(head) < 46 or head[:4] != b"PK\x01\x02":
            break  # damaged: zipfile says so when it reads the directory
        count += 1
        if count > limits.max_members:
            raise Refused(
                f"archive has more than {limits.max_members:,} members although its end "
                f"record declares {declared:,} (a forged archive, a likely zip bomb); not read"
            )
        n, m, k = (int.from_bytes(head[j : j + 2], "little") for j in (28, 30, 32))
        if head[6] > 63:  # zipfile's MAX_EXTRACT_VERSION
            patches[pos + 6] = b"\x14"  # 2.0, what deflate needs
        flags = int.from_bytes(head[8:10], "little")
        fp.seek(pos + 46)
        name_extra = fp.read(n + m)
        if flags & 0x800 and not _is_utf8(name_extra[:n]):
            patches[pos + 8] = (flags & ~0x800).to_bytes(2, "little")
        if not _extra_ok(name_extra[n:], head) and m + k <= 0xFFFF:
            patches[pos + 30] = b"\x00\x00" + (m + k).to_bytes(2, "little")  # extra → comment
        pos += 46 + n + m + k
    return Directory(count, patches)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _extra_ok(extra: bytes, head: bytes) -> bool:
    """Whether a record's extra field is what zipfile can parse: id/length blocks that fit.

    A zip64 block (id 1) must also hold a 64-bit value for each of the record's
    sizes and offset that say 0xFFFFFFFF, as zipfile will take them from it.
    """
    wide = sum(head[j : j + 4] == b"\xff\xff\xff\xff" for j in (20, 24, 42))
    i = 0
    while i + 4 <= len(extra):
        tag = int.from_bytes(extra[i : i + 2], "little")
        size = int.from_bytes(extra[i + 2 : i + 4], "little")
        if i + 4 + size > len(extra) or (tag == 1 and size < 8 * wide):
            return False
        i += 4 + size
    return True


class _View(io.RawIOBase):
    """A read-only, seekable view over another stream; subclasses say what it shows."""

    _pos: int

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos


class Patched(_View):
    """A seekable view of ``base`` with a few bytes replaced (``Directory.patches``)."""

    def __init__(self, base: IO[bytes], patches: dict[int, bytes]) -> None:
        super().__init__()
        self._base = base
        self._patches = sorted(patches.items())
        self._pos = base.tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset, whence = self._pos + offset, io.SEEK_SET
        self._pos = self._base.seek(offset, whence)
        return self._pos

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        self._base.seek(self._pos)
        data = self._base.read(len(view))
        start, n = self._pos, len(data)
        view[:n] = data
        for at, new in self._patches:
            if at + len(new) > start and at < start + n:
                for j, b in enumerate(new):
                    if start <= at + j < start + n:
                        view[at + j - start] = b
        self._pos += n
        return n


class Window(_View):
    """A read-only, seekable view of ``length`` bytes of ``base`` starting at ``start``."""

    def __init__(self, base: IO[bytes], start: int, length: int) -> None:
        super().__init__()
        self._base = base
        self._start = start
        self._length = length
        self._pos = 0

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        origin = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, origin + offset)
        return self._pos

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        n = min(len(view), self._length - self._pos)
        if n <= 0:
            return 0
        self._base.seek(self._start + self._pos)
        data = self._base.read(n)
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)


def stored_member_window(fp: IO[bytes], header_offset: int, length: int) -> Window | None:
    """A window on an uncompressed zip member's bytes, from its local header; else None."""
    fp.seek(header_offset)
    header = fp.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return None
    start = header_offset + 30 + int.from_bytes(header[26:28], "little")
    start += int.from_bytes(header[28:30], "little")
    return Window(fp, start, length)
