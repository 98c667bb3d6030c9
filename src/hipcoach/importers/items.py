"""What ``iter_items`` yields, and how a file's kind is told from its content.

Kinds are recognised by content, never by extension: exports and users rename files,
Strava gzips them, and a GPX called ``.fit`` is still a GPX.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hipcoach.importers.exports import ExportMetadata

Kind = Literal["fit", "gpx", "tcx", "gzip", "zip", "unknown"]
HEAD_BYTES = 4096  # enough for a BOM, an XML prolog and comments before the root element

# XML whitespace, plus what str.isspace() would accept in a latin-1 head and some
# editors write before the prolog; every skip below is one forward step, so the scan is
# linear in HEAD_BYTES whatever the bytes are (a backtracking regex was not: 40 spaces
# before a non-tag took minutes).
_SPACE = frozenset(" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\ufeff")
_NAME_END = frozenset(" \t\r\n/>")


@dataclass(frozen=True)
class Item:
    """One file found by ``iter_items``, ready for ``read_item`` in a worker process.

    ``data`` is the file's content, decompressed when it was .gz. It is None when the item
    has no file (a manual activity in an export: ``metadata`` only) or could not be read
    (``error`` says why and what to do). ``not_activity`` marks files expected not to be
    activities (a Garmin export's monitoring FIT files): count them, do not list them.
    """

    name: str
    data: bytes | None
    metadata: ExportMetadata | None = None
    source: str = "file"  # file | folder | archive | strava | garmin
    error: str | None = None
    not_activity: bool = False


def sniff(data: bytes) -> Kind:
    """The kind of file by its first bytes (an XML prolog and a BOM are skipped)."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    head = data[:HEAD_BYTES]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head.decode("utf-16", errors="ignore")
    elif head[:2] in (b"<\x00", b"\x00<"):
        text = head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="ignore")
    else:
        text = head.decode("latin-1")
    root = xml_root(text.lstrip("\ufeffï»¿"))
    if root == "gpx":
        return "gpx"
    if root == "TrainingCenterDatabase":
        return "tcx"
    return "unknown"


def xml_root(text: str) -> str:
    """The root element's local name after a prolog, or "" when ``text`` is not XML.

    Skips whitespace, ``<?...?>``, ``<!--...-->`` and ``<!DOCTYPE ...>`` (with an
    internal subset in brackets), each with one ``find``: linear, never backtracking.
    """
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _SPACE:
            i += 1
            continue
        if c != "<":
            return ""
        if text.startswith("<?", i):
            end = text.find("?>", i + 2)
            i = end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            i = end + 3
        elif text.startswith("<!DOCTYPE", i):
            end = _doctype_end(text, i + 9)
            i = end + 1
        else:
            return _local_name(text, i + 1)
        if end < 0:
            return ""
    return ""


def _doctype_end(text: str, i: int) -> int:
    """Index of the ``>`` closing a DOCTYPE whose name starts at ``i``; -1 if none."""
    close = text.find(">", i)
    bracket = text.find("[", i)
    if bracket < 0 or close < bracket:
        return close
    subset_end = text.find("]", bracket + 1)
    return -1 if subset_end < 0 else text.find(">", subset_end + 1)


def _local_name(text: str, start: int) -> str:
    """The element name starting at ``start``, without its ``prefix:``."""
    end = start
    n = min(len(text), start + 256)  # no real root name is longer
    while end < n and text[end] not in _NAME_END:
        end += 1
    return text[start:end].rpartition(":")[2]
