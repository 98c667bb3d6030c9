"""`hipcoach questions`: the questionnaire as a table or as JSON for other tools."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from hipcoach.assess.answers import allowed
from hipcoach.kb.load import KnowledgeBase


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
