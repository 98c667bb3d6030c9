"""The one-time split of the external cases into dev and test (kept to show how it was made).

Run once, on 2026-12-03, on the three raw files the case collectors wrote
(raw_bone_paeds.jsonl, raw_serious_other.jsonl, raw_common.jsonl), which were then removed:
their cases live on, unchanged, in dev.jsonl and test.jsonl. Never run it again — a new split
would put test cases into dev. Stratified by expected condition: within each condition, cases
are ordered by the SHA-256 of their id and the first 45 % (at least one when there are two or
more) go to dev, the rest to test.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
DEV_SHARE = 0.45


def main() -> int:
    rows = [
        json.loads(line)
        for raw in sorted(HERE.glob("raw_*.jsonl"))
        for line in raw.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if not rows:
        print("no raw files: the split was made once already", file=sys.stderr)
        return 1
    groups: dict[str, list[dict[str, object]]] = defaultdict(list)
    for r in rows:
        groups[str(r["expected"].get("condition"))].append(r)  # type: ignore[union-attr]
    dev, test = [], []
    for _, cases in sorted(groups.items()):
        cases.sort(key=lambda r: hashlib.sha256(str(r["id"]).encode()).hexdigest())
        n = len(cases)
        k = max(1, int(n * DEV_SHARE)) if n >= 2 else 0
        dev += cases[:k]
        test += cases[k:]
    for name, part in (("dev.jsonl", dev), ("test.jsonl", test)):
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part)
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"{name}: {len(part)} cases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
