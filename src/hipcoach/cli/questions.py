"""`hipcoach questions`: the questionnaire as a table or as JSON for other tools."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from hipcoach.assess.answers import allowed
from hipcoach.kb.load import KnowledgeBase


def questions_json(kb: KnowledgeBase) -> dict[str, Any]:
    out = []
    for q in kb.questions:
        item: dict[str, Any] = {
            "id": q.id,
            "text": q.text,
            "type": q.type,
            "section": q.section,
            "always_ask": q.always_ask,
            "answer": allowed(q),
        }
        if q.help:
            item["help"] = q.help
        if q.choices:
            item["choices"] = [{"id": c.id, "label": c.label} for c in q.choices]
        if q.type in ("number", "scale"):
            item.update({"min": q.min, "max": q.max, "unit": q.unit})
        if q.ask_when is not None:
            item["ask_when"] = q.ask_when
        if q.gate is not None:
            item["gate"] = {"requires": q.gate.requires, "reason": q.gate.reason}
        item["findings"] = q.findings()
        out.append(item)
    return {
        "kb_version": kb.version,
        "unknown": 'omit the question, or answer null / "unknown" / "?"',
        "questions": out,
    }


def print_questions(kb: KnowledgeBase, console: Console) -> None:
    table = Table(title=f"hipcoach questionnaire (knowledge base {kb.version})", show_lines=True)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("question")
    table.add_column("answer")
    table.add_column("asked", style="dim")
    for q in kb.questions:
        when = "always" if q.always_ask else "adaptively"
        if q.ask_when is not None:
            when += f"\nwhen {q.ask_when}"
        if q.gate is not None:
            when += f"\nsafety gate: {q.gate.reason}"
        table.add_row(q.id, q.text, allowed(q), when)
    console.print(table)
