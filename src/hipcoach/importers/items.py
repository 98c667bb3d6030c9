"""What ``iter_items`` yields, and how a file's kind is told from its content.

Kinds are recognised by content, never by extension: exports and users rename files,
Strava gzips them, and a GPX called ``.fit`` is still a GPX.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from hipcoach.importers.exports import ExportMetadata

Kind = Literal["fit", "gpx", "tcx", "gzip", "zip", "unknown"]
HEAD_BYTES = 4096  # enough for a BOM, an XML prolog and comments before the root element

_XML_ROOT = re.compile(
    r"^(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*<(?:[\w.\-]+:)?([\w.\-]+)",
    re.DOTALL,
)


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
    m = _XML_ROOT.match(text.lstrip("\ufeffï»¿"))
    root = m.group(1) if m else ""
    if root == "gpx":
        return "gpx"
    if root == "TrainingCenterDatabase":
        return "tcx"
    return "unknown"
