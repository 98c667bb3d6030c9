"""Reading labelled cases for `hipcoach eval`, and printing the report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hipcoach.assess.answers import load_json, parse_answers
from hipcoach.assess.evaluation import Case, Report
from hipcoach.errors import InputError, shorten
from hipcoach.kb.load import KnowledgeBase
from hipcoach.urgency import LEVELS


def read_cases(kb: KnowledgeBase, path: Path) -> list[Case]:
    """All cases of a JSONL file; any bad line is an InputError naming the line and the field."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    cases = list(_parse(kb, path, lines))
    if not cases:
        raise InputError(f"{path}: no cases (expected one JSON object per line)")
    return cases


def _parse(kb: KnowledgeBase, path: Path, lines: list[str]) -> Iterator[Case]:
    seen: set[str] = set()
    for n, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}, line {n}"
        try:
            obj = load_json(line, where)  # deep nesting, huge numbers: one clear error
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: malformed JSON at column {exc.colno}: {exc.msg}") from None
        if not isinstance(obj, dict):
            raise InputError(f"{where}: expected a JSON object")
        cid = str(obj.get("id", f"line-{n}"))
        if cid in seen:
            raise InputError(f"{where}: duplicate case id {shorten(cid)}")
        seen.add(cid)
        expected = obj.get("expected") or {}
        if not isinstance(expected, dict):
            raise InputError(f"{where}: 'expected' must be an object")
        cond = expected.get("condition")
        if cond is not None and cond not in kb.condition_by_id:
            raise InputError(f"{where}: unknown condition {shorten(cond)} in expected.condition")
        urg = expected.get("urgency")
        if urg is not None and urg not in LEVELS:
            raise InputError(
                f"{where}: expected.urgency is {shorten(urg)}; expected one of {', '.join(LEVELS)}"
            )
        try:
            answers = parse_answers(kb, obj.get("answers", {}))
        except InputError as exc:
            raise InputError(f"{where} (case {shorten(cid)}): {exc}") from None
        yield Case(cid, answers, cond, urg)


def print_report(report: Report, console: Console) -> None:
    d = report.to_dict()
    table = Table(title=f"Evaluation over {report.cases} cases", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("over", justify="right", style="dim")

    def pct(x: float | None) -> str:
        return "—" if x is None else f"{x:.1%}"

    table.add_row("diagnosis: top-1", pct(d["top1"]), str(report.dx_cases))
    table.add_row("diagnosis: top-3", pct(d["top3"]), str(report.dx_cases))
    u = d["urgency"]
    table.add_row("urgency: exact", pct(u["exact"]), str(report.urg_cases))
    under_style = "bold red" if report.under else "green"
    table.add_row(
        f"[{under_style}]urgency: under-triaged[/]", pct(u["under"]), str(report.urg_cases)
    )
    table.add_row("urgency: over-triaged", pct(u["over"]), str(report.urg_cases))
    console.print(table)
    for f in report.failures:
        style = "red" if "UNDER-TRIAGED" in f["problems"] else "yellow"
        console.print(
            f"[{style}]case {escape(str(f['id']))}[/]: {failure_line(f)}",
            soft_wrap=True,
        )


def failure_line(failure: dict[str, Any]) -> str:
    """One failed case as a person reads it, e.g. ``expected gtps (soon), got itb_syndrome,
    fai (urgent) — condition not in top 3``: what was wanted beside what came out."""
    expected, got = failure["expected"], failure["got"]
    wanted = expected.get("condition", "any condition")
    if "urgency" in expected:
        wanted += f" ({_level(expected['urgency'])})"
    top = ", ".join(got["top3"]) or "no condition"
    why = "; ".join(failure["problems"])
    return escape(f"expected {wanted}, got {top} ({_level(got['urgency'])}) — {why}")


def _level(level: str) -> str:
    return level.replace("_", " ")
