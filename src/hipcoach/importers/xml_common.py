"""Safe XML parsing and column collection shared by the GPX and TCX readers.

Activity XML comes from anywhere, so it is parsed with defusedxml with DTDs forbidden:
activity files never carry a DTD, and refusing one outright stops entity expansion
("billion laughs") and external entities before any expansion happens. Files that lie
about their encoding (ANSI bytes declared UTF-8, an encoding expat does not know) are
transcoded once and parsed again. Values are collected as strings per column while the
tree is walked and converted to numpy arrays once at the end: far cheaper than Python
float and datetime work per point.
"""

from __future__ import annotations

import codecs
import contextlib
import encodings
import encodings.aliases
from datetime import UTC, datetime
from typing import cast
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et  # type: ignore[import-untyped]
import numpy as np
from defusedxml import DefusedXmlException

from hipcoach.errors import InputError
from hipcoach.importers.messages import clip, detail
from hipcoach.importers.trackcalc import Track
from hipcoach.training.model import FloatArray

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The tree costs about 100 bytes of memory per tag: 4 million (a 3-day recording at one
# point per second with HR and cadence) is ~400 MB; a 256 MB file of "<a/>" would be 7 GB.
MAX_XML_TAGS = 4_000_000
MAX_NUMBER_CHARS = 40  # "-123.45678901234567890" and then some; longer is not a number
UTF8_BOM = b"\xef\xbb\xbf"
_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf_32_le"),
    (b"\x00\x00\xfe\xff", "utf_32_be"),
    (UTF8_BOM, "utf_8"),
    (b"\xff\xfe", "utf_16_le"),
    (b"\xfe\xff", "utf_16_be"),
)
_NATIVE = frozenset({"utf_8", "ascii", "latin_1"})  # expat decodes these bytes itself
_WIDE = frozenset({"utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"})
_CHARSETS = frozenset(encodings.aliases.aliases.values()) - {
    "base64_codec", "bz2_codec", "hex_codec", "quopri_codec", "rot_13", "uu_codec",
    "zlib_codec", "mbcs", "utf_7",
} | {"utf_8", "ascii", "latin_1"}  # fmt: skip

# Extension elements by local name (any namespace: gpxtpx, ns3, tp1, x, …).
_EXT_FIELDS = {
    "hr": "hr",
    "heartrate": "hr",
    "cad": "cad",
    "cadence": "cad",
    "runcadence": "runcad",
    "power": "power",
    "watts": "power",
    "powerinwatts": "power",
    "speed": "speed",
}


class TrackError(InputError):
    """A GPX or TCX file that cannot give an activity; the message says why and what to do."""


def local(tag: str) -> str:
    """``{namespace}name`` → ``name``: GPX 1.0/1.1 and vendor namespaces vary."""
    return tag.rpartition("}")[2]


def qualifier(root: Element) -> str:
    """The root's ``{namespace}`` prefix (or ""), to build exact tags for fast lookups."""
    return root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""


def _usable_codec(name: str) -> str | None:
    """Python's name for a declared character set, or None when it is not one.

    Only character sets (``encodings.aliases``: UTF-8, Latin-1, cp1252, Shift_JIS,
    ...) count: Python also registers transforms under codec names (base64, zlib,
    punycode, unicode_escape) that no XML file can be written in.
    """
    key = encodings.normalize_encoding(name[:60]).lower()
    codec = encodings.aliases.aliases.get(key, key)
    if codec not in _CHARSETS:
        return None
    try:
        codecs.lookup(codec)
    except LookupError:
        return None
    return codec


def declared_encoding(data: bytes) -> str | None:
    """The ``encoding`` named in an XML declaration at the start of ``data``, if any.

    A scan of at most the first kilobyte, never a regex over the whole file.
    """
    if not data.startswith(b"<?xml"):
        return None
    end = data.find(b"?>", 5, 1024)
    decl = data[5:end] if end > 0 else b""
    at = decl.find(b"encoding")
    if at < 0:
        return None
    rest = decl[at + 8 :].lstrip()
    if not rest.startswith(b"="):
        return None
    rest = rest[1:].lstrip()
    quote = rest[:1]
    if quote not in (b'"', b"'"):
        return None
    close = rest.find(quote, 1)
    return rest[1:close].decode("latin-1").strip() if close > 0 else None


def _text(data: bytes, codec: str) -> str:
    """``data`` decoded; UTF-8 that is not (ANSI saved as "UTF-8") is read as cp1252."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        if codec == "utf_8":
            return data.decode("cp1252", errors="replace")
        return data.decode(codec, errors="replace")


def xml_input(data: bytes, kind: str) -> bytes | str:
    """What to give expat: UTF-8 and Latin-1 bytes as they are, anything else as text.

    A byte-order mark wins over the declaration (UTF-16 from Windows tools, UTF-8 with
    BOM); without one, the declared character set is decoded here (expat itself knows
    only UTF-8, UTF-16, Latin-1 and ASCII, and refuses multi-byte sets like Shift_JIS).
    Text handed to expat is parsed as what it is, whatever its declaration says, so a
    file declaring UTF-16 but written in single bytes (it happens) reads too.
    """
    for bom, wide in _BOMS:
        if data.startswith(bom):
            return _text(data[len(bom) :], wide).lstrip()
    if data.startswith(b"<\x00?\x00"):  # UTF-16 without a BOM
        return _text(data, "utf_16_le")
    if data.startswith(b"\x00<\x00?"):
        return _text(data, "utf_16_be")
    data = data.lstrip()  # whitespace before <?xml is common and harmless
    declared = declared_encoding(data)
    if declared is None:
        return data
    codec = _usable_codec(declared)
    if codec is None:
        raise TrackError(
            f"{kind} file says it is written in a character encoding hipcoach does not "
            "know; open it in a text editor and save it as UTF-8, or export it again "
            f"(declared encoding: {clip(declared, 60)!r})"
        )
    if codec in _NATIVE:
        return data
    if codec in _WIDE:  # declared multi-byte, but the declaration itself is single bytes
        return _text(data, "utf_8")
    return _text(data, codec)


def parse_xml(data: bytes, kind: str) -> Element:
    """The root element, parsed safely; every failure becomes a TrackError."""
    doc = xml_input(data, kind)
    tags = doc.count(b"<") if isinstance(doc, bytes) else doc.count("<")
    if tags > MAX_XML_TAGS:
        raise TrackError(
            f"{kind} file has {tags:,} XML tags, more than any recording (a whole day at one "
            "point per second has about 1.2 million), so it was not read: it would need "
            "gigabytes of memory. Export the activity as FIT instead, or split it"
        )
    for attempt in range(2):
        try:
            return cast(Element, safe_et.fromstring(doc, forbid_dtd=True))
        except DefusedXmlException as exc:
            raise TrackError(
                f"{kind} file declares a DTD or entities ({type(exc).__name__}); activity "
                "files never do, so it was refused as unsafe. Export the activity again "
                "from the device or service."
            ) from None
        except ParseError as exc:
            if attempt == 0 and isinstance(doc, bytes) and not _is_utf8(doc):
                doc = doc.decode("cp1252", errors="replace")  # ANSI bytes declared UTF-8
                continue
            raise TrackError(
                f"{kind} file is not well-formed XML; it is damaged or truncated. Export it "
                f"again from the device or service ({clip(exc)})"
            ) from None
        except LookupError:  # a declaration too long for us to read names an unknown one
            raise TrackError(
                f"{kind} file says it is written in a character encoding hipcoach does not "
                "know; open it in a text editor and save it as UTF-8, or export it again"
            ) from None
        except (ValueError, RecursionError, MemoryError) as exc:
            raise TrackError(
                f"{kind} file could not be parsed as XML; it is damaged. Export it again "
                f"from the device or service ({detail(exc)})"
            ) from None
    raise AssertionError("unreachable")


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8 (then a parse error is real, not an encoding mix-up)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_times(texts: list[str | None]) -> tuple[FloatArray, int | None]:
    """Unix seconds per text (NaN when missing or unreadable) and the first local offset."""
    out = np.full(len(texts), np.nan)
    offset: int | None = None
    cache: dict[str, float] = {}
    for i, s in enumerate(texts):
        if not s:
            continue
        value = cache.get(s)
        if value is None:
            s = s.strip()
            try:
                dt = datetime.fromisoformat(s)
            except ValueError:
                continue
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            elif offset is None and not s.endswith(("Z", "z")):
                delta = dt.utcoffset()
                offset = int(delta.total_seconds()) if delta is not None else None
            value = (dt - EPOCH).total_seconds()
            cache[s] = value
        out[i] = value
    return out, offset


def floats(values: list[str]) -> FloatArray:
    """Strings to float64 in one numpy call; NaN for any value that is not a finite number.

    numpy sizes a string array by its longest value: one 200 KB "number" would make the
    array 800 KB per point (gigabytes for a long track), so overlong values go first.
    """
    if values and max(map(len, values)) > MAX_NUMBER_CHARS:
        values = [v if len(v) <= MAX_NUMBER_CHARS else "nan" for v in values]
    try:
        out = np.asarray(values, dtype=np.str_).astype(np.float64)
    except (ValueError, OverflowError):  # one bad number: fall back to per-value parsing
        out = np.full(len(values), np.nan)
        for i, v in enumerate(values):
            with contextlib.suppress(ValueError, OverflowError):
                out[i] = float(v)
    out[~np.isfinite(out)] = np.nan  # "inf", "1e999": no device records those
    return out


class Columns:
    """Points collected as string dicts while walking the tree, converted once at the end."""

    NAMES = ("lat", "lon", "ele", "hr", "cad", "runcad", "power", "dist", "speed")

    def __init__(self) -> None:
        self.seg: list[int] = []
        self.times: list[str | None] = []
        self.rows: list[dict[str, str]] = []

    def add(self, seg: int, time: str | None, values: dict[str, str]) -> None:
        self.seg.append(seg)
        self.times.append(time)
        self.rows.append(values)

    def _column(self, name: str) -> FloatArray:
        rows = self.rows
        if not any(name in r for r in rows):
            return np.full(len(rows), np.nan)
        return floats([r.get(name, "nan") for r in rows])

    def track(self) -> tuple[Track, FloatArray, int | None]:
        """Timed points only, and the raw RunCadence column (doubling is decided later)."""
        t, offset = parse_times(self.times)
        keep = np.isfinite(t)
        c = {n: self._column(n)[keep] for n in self.NAMES}
        c["hr"][c["hr"] <= 0] = np.nan  # 0 bpm: the strap lost contact
        track = Track(
            t=t[keep],
            seg=np.asarray(self.seg, dtype=np.float64)[keep],
            lat=c["lat"],
            lon=c["lon"],
            ele=c["ele"],
            hr=c["hr"],
            cad=c["cad"],
            power=c["power"],
            dist=c["dist"],
            speed=c["speed"],
        )
        return track, c["runcad"], offset


def _ext_field(cache: dict[str, str], tag: str) -> str:
    """The field an extension tag feeds, cached per tag (tags repeat per point)."""
    field = cache.get(tag)
    if field is None:
        field = cache[tag] = _EXT_FIELDS.get(local(tag).lower(), "")
    return field


def scan_extensions(ext: Element, values: dict[str, str], cache: dict[str, str]) -> None:
    """HR, cadence, power and speed from any vendor's extension elements, by local name."""
    for x in ext.iter():
        field = _ext_field(cache, x.tag)
        if field and x.text and field not in values:
            values[field] = x.text


def text(el: Element | None) -> str | None:
    """An element's stripped text; None for a missing element or blank text."""
    return el.text.strip() if el is not None and el.text and el.text.strip() else None
