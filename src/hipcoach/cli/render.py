"""Rich rendering of an assessment: urgency first, in colour; then causes and why; then steps."""

from __future__ import annotations

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hipcoach.assess.engine import Assessment, finding_text

STYLE = {
    "emergency": "bold white on red",
    "urgent": "bold red",
    "soon": "bold yellow",
    "self_care": "bold green",
}
BORDER = {"emergency": "red", "urgent": "red", "soon": "yellow", "self_care": "green"}
STRONG = 1.5  # the screen shows only findings that moved a condition at least this much

ICON = {"emergency": "🚨", "urgent": "⚠️ ", "soon": "📅", "self_care": "✅"}


def percent(p: float) -> str:
    """Honest display: the model is not calibrated well enough to print 100% or 0%."""
    if p > 0.95:
        return ">95%"
    if p < 0.01:
        return "<1%"
    return f"{p:.0%}"


def _bar(p: float, width: int = 12) -> Text:
    filled = round(p * width)
    return Text("█" * filled, style="cyan") + Text("░" * (width - filled), style="dim")


def render(result: Assessment, console: Console, emergency_number: str | None = None) -> None:
    """The result in the terminal; ``emergency_number`` is shown for the runner to call when
    the result is an emergency (and as the number to call if a same-day result worsens)."""
    kb = result.kb
    level = result.triage.level
    text = kb.triage.levels[level]
    call: list[Text] = []
    if emergency_number and level == "emergency":
        call = [Text(f"📞 Call {emergency_number} now.", style="bold red")]
    elif emergency_number and level == "urgent":
        call = [Text(f"If it gets worse: call {emergency_number}.", style="bold")]
    reasons = Text()
    for reason in result.triage.reasons:
        reasons.append("• ", style="dim")
        reasons.append(reason.text)
        if reason.source:
            reasons.append(f"  [{', '.join(reason.source)}]", style="dim")
        if because := result.because(reason.findings):
            reasons.append("\n  Your answers: " + "; ".join(because), style="dim")
        reasons.append("\n")
    reasons.rstrip()
    console.print(
        Panel(
            Group(
                Text(f"{ICON[level]} {text.title}", style=STYLE[level]),
                Text(text.action),
                *call,
                Text(""),
                Text("Why:", style="bold"),
                reasons,
            ),
            title="How urgent",
            border_style=BORDER[level],
            padding=(0, 2),
        )
    )

    if (notice := result.unchecked_notice()) is not None:
        console.print(
            Panel(Text(notice), title="Warning signs not checked", border_style="yellow")
        )

    if (side := result.side()) is not None:
        console.print(Text.assemble(("Side: ", "bold"), side))
    table = Table(title="Likely causes", title_justify="left", expand=True, show_lines=True)
    table.add_column("#", justify="right", width=2)
    table.add_column("Condition", ratio=2)
    table.add_column("Likelihood", width=18)
    table.add_column("Why", ratio=3, overflow="fold")
    for i, r in enumerate(result.shown[:6], start=1):
        why = Text()
        for e in [e for e in r.for_ if e.present and e.lr >= STRONG][:3]:
            why.append("＋ ", style="green")
            why.append(finding_text(kb, e.finding, e.present) + "\n")
        for e in [e for e in r.against if e.lr <= 1 / STRONG][:2]:
            why.append("－ ", style="red")
            why.append(finding_text(kb, e.finding, e.present) + "\n")
        name = Text(r.condition.short_name, style="bold")
        if r.condition.must_not_miss:
            name.append("\nmust not be missed", style="italic red")
        name.append(f"\n{', '.join(r.condition.sources[:4])}", style="dim")
        table.add_row(str(i), name, _bar(r.probability) + Text(f" {percent(r.probability)}"), why)
    console.print(table)

    if result.history or result.shown_factors:
        console.print(Text("What may have contributed", style="bold underline"))
        for c in result.history:
            console.print(
                Padding(
                    Text.assemble(
                        (f"{c.title} (from your training history): ", "bold"),
                        c.text,
                        (f"  [{c.strength} evidence; {', '.join(c.source)}]", "dim"),
                    ),
                    (0, 0, 0, 2),
                )
            )
        for h in result.shown_factors:
            console.print(
                Padding(
                    Text.assemble(
                        (f"{h.factor.name}: ", "bold"),
                        h.factor.text,
                        (f"  [{h.factor.strength} evidence; {', '.join(h.factor.source)}]", "dim"),
                    ),
                    (0, 0, 0, 2),
                )
            )
        console.print()

    console.print(Text("What to do now", style="bold underline"))
    for step in result.next_steps():
        console.print(Padding(Text("→ ") + Text(step), (0, 0, 0, 2)))
    console.print()
    console.print(Text(kb.triage.disclaimer, style="italic dim"))
