"""A one-page report for a doctor or physio: the assessment, recent load and pain, the programme.

:func:`build_report` gathers everything into a plain :class:`Report` (no I/O); it renders as
self-contained HTML (Jinja2, inline CSS, no external assets) or as an A4 PDF (fpdf2 with its
built-in core fonts, so text is reduced to Latin-1 — dashes, quotes and symbols are replaced
by plain equivalents, anything else by ``?`` — never an error).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hipcoach.diary import PainWeek, recent_mondays
from hipcoach.exports import charts
from hipcoach.kb.load import KnowledgeBase
from hipcoach.plan.schedule import PlannedDay, SessionItem
from hipcoach.sessions.player import dosage_text
from hipcoach.storage.diary import StoredAssessment
from hipcoach.training.load import WeekSummary
from hipcoach.units import METRES_PER_MILE, Units, duration

REPORT_WEEKS = 12
# The load chart: rendered at this size in CSS pixels, placed this wide in the PDF (mm);
# the height follows the image's aspect ratio.
CHART_PX = (640, 130)
CHART_MM_WIDTH = 186.0
TOP_CONDITIONS = 5
UPCOMING_DAYS = 7


@dataclass(frozen=True)
class Line:
    """A label and its value (an answer, or a programme exercise and its dosage)."""

    label: str
    value: str


@dataclass(frozen=True)
class Reason:
    text: str
    sources: str


@dataclass(frozen=True)
class Cause:
    name: str
    probability: str
    must_not_miss: bool
    sources: str


@dataclass(frozen=True)
class Week:
    label: str
    distance: str
    time: str
    pain_max: str
    pain_mean: str


@dataclass(frozen=True)
class SourceRef:
    id: str
    citation: str
    url: str | None


@dataclass(frozen=True)
class Report:
    generated: date
    assessed: str
    kb_version: str
    urgency_level: str
    urgency_title: str
    urgency_action: str
    reasons: list[Reason]
    answers: list[Line]
    unknown_answers: int
    causes: list[Cause]
    factors: list[str]
    weeks: list[Week]
    distance_unit: str
    programme: list[Line]
    upcoming: list[Line]
    sources: list[SourceRef] = field(default_factory=list)
    disclaimer: str = ""
    load_chart: dict[str, Any] | None = None
    """The dashboard's load-and-pain Vega-Lite spec for these weeks (None without load)."""
    load_chart_summary: str = ""
    weeks_to: date | None = None
    """The last day of the weeks shown: today, or the end of a history that stopped earlier."""

    @property
    def weeks_title(self) -> str:
        """'last 12 weeks', or '12 weeks to 03 May 2024' when the history ended before."""
        n = len(self.weeks)
        if self.weeks_to is None or self.weeks_to >= self.generated:
            return f"last {n} weeks"
        return f"{n} weeks to {self.weeks_to.strftime('%d %b %Y')}"


# --- building -------------------------------------------------------------------------------


def percent(p: float) -> str:
    """As on screen: the model is not calibrated well enough to print 100% or 0%."""
    if p > 0.95:
        return ">95%"
    if p < 0.01:
        return "<1%"
    return f"{p:.0%}"


def _humanise(qid: str) -> str:
    return qid.replace("_", " ").capitalize()


def answer_lines(kb: KnowledgeBase | None, answers: Mapping[str, Any]) -> tuple[list[Line], int]:
    """The answers in plain words with the questionnaire's labels; and how many were unknown."""
    lines: list[Line] = []
    unknown = 0
    for qid, value in answers.items():
        if value is None:
            unknown += 1
            continue
        q = kb.question_by_id.get(qid) if kb is not None else None
        if q is None:
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            lines.append(Line(_humanise(qid), shown))
            continue
        label = (q.label or q.text).rstrip(":?").strip()
        labels = {c.id: c.label for c in q.choices}
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, list):
            text = ", ".join(labels.get(str(v), str(v)) for v in value) or "none"
        elif isinstance(value, str):
            text = labels.get(value, value)
        elif isinstance(value, int | float):
            text = f"{value:g}" + (f" {q.unit}" if q.unit else "")
            if q.type == "scale" and q.max is not None:
                text = f"{value:g}/{q.max:g}"
        else:
            text = str(value)
        lines.append(Line(label, text))
    return lines, unknown


def programme_lines(
    programme: Sequence[PlannedDay] | Sequence[SessionItem], today: date
) -> tuple[list[Line], list[Line]]:
    """The exercises (each once, with dosage) and the coming days of the plan."""
    items: list[SessionItem] = []
    days: list[PlannedDay] = []
    for p in programme:
        if isinstance(p, PlannedDay):
            days.append(p)
            items.extend(p.items)
        else:
            items.append(p)
    seen: set[str] = set()
    exercises: list[Line] = []
    for it in items:
        if it.exercise_id not in seen:
            seen.add(it.exercise_id)
            exercises.append(Line(it.name, dosage_text(it)))
    coming = sorted((d for d in days if d.day >= today), key=lambda d: d.day)[:UPCOMING_DAYS]
    if not coming:
        coming = sorted(days, key=lambda d: d.day)[-UPCOMING_DAYS:]
    upcoming = [Line(d.day.strftime("%a %d %b"), d.title) for d in coming]
    return exercises, upcoming


def build_report(
    assessment: StoredAssessment,
    *,
    kb: KnowledgeBase | None,
    load_weeks: Sequence[WeekSummary] = (),
    pain_weeks: Sequence[PainWeek] = (),
    programme: Sequence[PlannedDay] | Sequence[SessionItem] = (),
    units: Units = "km",
    today: date,
    as_of: date | None = None,
) -> Report:
    """Everything the report shows. Load and pain cover the ``REPORT_WEEKS`` ISO weeks up to
    ``as_of`` (default ``today``): the dashboard's reference day from
    :func:`hipcoach.training.load.reference_day`, so both show the same weeks; weeks
    without data show a dash."""
    end = as_of or today
    result = assessment.result
    urgency = result.get("urgency", {})
    level = str(urgency.get("level", ""))
    action = ""
    if kb is not None:
        for key, words in kb.triage.levels.items():
            if key == level:
                action = words.action
    used: list[str] = []

    def refs(ids: Sequence[str]) -> str:
        for i in ids:
            if i not in used:
                used.append(i)
        return ", ".join(ids)

    reasons = [
        Reason(str(r.get("text", "")), refs(list(r.get("sources", []))))
        for r in urgency.get("reasons", [])
    ]
    causes = [
        Cause(
            str(c.get("name", c.get("id", ""))),
            percent(float(c.get("probability", 0.0))),
            bool(c.get("must_not_miss", False)),
            refs(list(c.get("sources", []))[:4]),
        )
        for c in result.get("conditions", [])[:TOP_CONDITIONS]
    ]
    factors = [
        str(f.get("name", "")) + (" (from the training history)" if f.get("from_history") else "")
        for f in result.get("contributing_factors", [])
    ]
    answers, unknown = answer_lines(kb, assessment.answers)
    mondays = recent_mondays(end, REPORT_WEEKS)
    load_by = {w.monday: w for w in load_weeks}
    pain_by = {p.monday: p for p in pain_weeks}
    per = METRES_PER_MILE if units == "mi" else 1000.0
    weeks = []
    for m in mondays:
        w = load_by.get(m)
        p = pain_by.get(m)
        weeks.append(
            Week(
                m.strftime("%d %b") + ("*" if m + timedelta(days=6) > today else ""),
                "–" if w is None else f"{w.run_distance_m / per:.1f}",
                "–" if w is None else duration(w.run_moving_s),
                "–" if p is None or p.max is None else str(p.max),
                "–" if p is None or p.mean is None else f"{p.mean:.1f}",
            )
        )
    exercises, upcoming = programme_lines(programme, today)
    # The same chart as the dashboard's, over the report's weeks; only with load in them.
    window = set(mondays)
    shown = [w for w in load_weeks if w.monday in window]
    chart = charts.load_and_pain(shown, pain_weeks, mondays) if shown else None
    sources = []
    for sid in used:
        src = kb.sources.get(sid) if kb is not None else None
        sources.append(SourceRef(sid, src.citation if src else "", src.url if src else None))
    return Report(
        generated=today,
        assessed=assessment.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        kb_version=assessment.kb_version,
        urgency_level=level,
        urgency_title=str(urgency.get("title", level)),
        urgency_action=action,
        reasons=reasons,
        answers=answers,
        unknown_answers=unknown,
        causes=causes,
        factors=[f for f in factors if f],
        weeks=weeks,
        distance_unit=units,
        programme=exercises,
        upcoming=upcoming,
        sources=sources,
        disclaimer=str(result.get("disclaimer", "")),
        load_chart=None if chart is None else chart.spec,
        load_chart_summary="" if chart is None else chart.summary,
        weeks_to=end,
    )


# --- HTML -----------------------------------------------------------------------------------


STYLESHEET = "report.css"
"""The report's styles, in ``templates/``: one file for the saved report and the served one."""


def stylesheet() -> str:
    from importlib import resources

    return (resources.files("hipcoach.exports") / "templates" / STYLESHEET).read_text("utf-8")


def render_html(report: Report, *, stylesheet: str | None = None) -> str:
    """The report as one HTML page. By default it carries its styles inline, so a saved
    file is complete; with ``stylesheet`` (a URL) it links them instead, for a server
    whose Content-Security-Policy refuses inline styles."""
    from jinja2 import Environment, PackageLoader

    # Always escaped, whatever a template's file name: answers, notes and names are text
    # from the runner and from imported files, never markup.
    env = Environment(
        loader=PackageLoader("hipcoach.exports", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    svg = ""
    if report.load_chart is not None:
        try:
            svg = charts.to_svg(report.load_chart, width=CHART_PX[0], height=CHART_PX[1])
        except Exception:  # as in the PDF: the table carries the numbers anyway
            svg = ""
    # The SVG is rendered by Vega from our own spec (it escapes its text); inline so the
    # report stays one self-contained file.
    return env.get_template("report.html").render(r=report, chart_svg=svg, stylesheet=stylesheet)


# --- PDF ------------------------------------------------------------------------------------

_PLAIN = str.maketrans(
    {
        "–": "-", "—": "-", "‒": "-", "−": "-", "－": "-", "＋": "+",
        "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"',
        "•": "-", "…": "...", "≤": "<=", "≥": ">=", "→": "->", "←": "<-",
        "≈": "~", "✓": "v", "✗": "x", "Δ": "D", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    }
)  # fmt: skip


def latin1(text: str) -> str:
    """``text`` in the core fonts' Latin-1: common symbols made plain, accents kept where
    Latin-1 has them, dropped where it does not, anything else ``?``."""
    out = []
    for ch in text.translate(_PLAIN):
        if ord(ch) < 256:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if ord(c) < 256)
        out.append(base if base.strip() else "?")
    return "".join(out)


_URGENCY_RGB = {
    "emergency": (200, 30, 30),
    "urgent": (220, 60, 40),
    "soon": (230, 160, 20),
    "self_care": (40, 150, 70),
}


def _chart_image(pdf: Any, report: Report, width: float) -> None:
    """The load-and-pain chart as a PNG rendered from the dashboard's spec, with its summary
    as the image's alternative text. Without a renderer the table above still has it all."""
    import io

    assert report.load_chart is not None
    try:
        png = charts.to_png(report.load_chart, width=CHART_PX[0], height=CHART_PX[1])
    except Exception:  # a missing or failing renderer must not cost the runner the report
        return
    pdf.ln(1)
    pdf.image(
        io.BytesIO(png),
        x=pdf.l_margin,
        w=min(CHART_MM_WIDTH, width),
        alt_text=latin1(report.load_chart_summary),
    )


def render_pdf(report: Report) -> bytes:
    """The report as an A4 PDF, laid out to fit one page for a typical assessment."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(12, 11, 12)
    pdf.set_auto_page_break(auto=True, margin=11)
    pdf.set_title(latin1("hipcoach report"))
    pdf.set_creator("hipcoach")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def text(size: float, style: str = "") -> None:
        pdf.set_font("Helvetica", style, size)

    def para(s: str, h: float = 3.8) -> None:
        pdf.multi_cell(width, h, latin1(s), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(s: str) -> None:
        pdf.ln(1.5)
        text(10, "B")
        pdf.cell(width, 5.5, latin1(s), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(180, 180, 180)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.ln(0.8)

    text(15, "B")
    pdf.cell(width, 7, "Hip pain in a runner: summary for your doctor or physio",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    text(7.5)
    pdf.set_text_color(90, 90, 90)
    para(
        f"Made with hipcoach on {report.generated.isoformat()} from a self-reported "
        f"assessment of {report.assessed} (knowledge base {report.kb_version}). "
        "Not a diagnosis."
    )
    pdf.set_text_color(0, 0, 0)

    # urgency
    pdf.ln(1.5)
    r, g, b = _URGENCY_RGB.get(report.urgency_level, (90, 90, 90))
    pdf.set_fill_color(r, g, b)
    pdf.set_text_color(255, 255, 255)
    text(11, "B")
    pdf.cell(width, 7, latin1(f" Urgency: {report.urgency_title} ({report.urgency_level})"),
             fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.set_text_color(0, 0, 0)
    if report.urgency_action:
        text(8.5, "B")
        para(report.urgency_action)
    text(8)
    for reason in report.reasons:
        src = f" [{reason.sources}]" if reason.sources else ""
        para(f"- {reason.text}{src}")

    heading("Likely causes (self-reported answers, Bayesian estimate)")
    for i, c in enumerate(report.causes, start=1):
        text(8.5, "B")
        pdf.cell(6, 4.3, f"{i}.")
        pdf.cell(13, 4.3, latin1(c.probability), align="R")
        pdf.cell(2, 4.3, "")
        name = latin1(c.name).replace("*", "").replace("__", "_").replace("--", "-")
        mnm = " __(must not be missed)__" if c.must_not_miss else ""
        src = f"  [{latin1(c.sources)}]" if c.sources else ""
        text(8.5)
        pdf.multi_cell(
            0, 4.3, f"**{name}**{mnm}{src}", markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    if report.factors:
        text(8)
        para("Possible contributing factors: " + "; ".join(report.factors) + ".")

    heading("Answers given")
    text(7.5)
    parts = [f"{a.label}: {a.value}" for a in report.answers]
    if report.unknown_answers:
        parts.append(f'{report.unknown_answers} answered "don\'t know"')
    para(" | ".join(parts) if parts else "No answers recorded.", h=3.4)

    heading(f"Running and pain, {report.weeks_title} (week starting Monday)")
    label_w = 30.0
    col = (width - label_w) / max(len(report.weeks), 1)
    rows = [
        ("Week of", [w.label for w in report.weeks], "B"),
        (f"Running ({report.distance_unit})", [w.distance for w in report.weeks], ""),
        ("Running time", [w.time for w in report.weeks], ""),
        ("Pain, worst (0-10)", [w.pain_max for w in report.weeks], ""),
        ("Pain, mean (0-10)", [w.pain_mean for w in report.weeks], ""),
    ]
    for name, values, style in rows:
        pdf.set_font("Helvetica", "B", 7.5)
        pdf.cell(label_w, 4.2, latin1(name), border="B")
        pdf.set_font("Helvetica", style, 7.5)
        for v in values:
            pdf.cell(col, 4.2, latin1(v), border="B", align="C")
        pdf.ln(4.2)
    text(6.5)
    pdf.set_text_color(90, 90, 90)
    para("* week in progress. Pain from the runner's diary and session ratings.", h=3.2)
    pdf.set_text_color(0, 0, 0)
    if report.load_chart is not None:
        _chart_image(pdf, report, width)

    heading("Current exercise programme")
    text(8)
    if not report.programme and not report.upcoming:
        para("No programme yet.")
    for ex in report.programme:
        pdf.set_font("Helvetica", "B", 8)
        pdf.cell(70, 4, latin1(ex.label))
        pdf.set_font("Helvetica", "", 8)
        pdf.cell(0, 4, latin1(ex.value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if report.upcoming:
        text(7.5)
        pdf.ln(0.8)
        para("Coming days: " + "; ".join(f"{d.label}: {d.value}" for d in report.upcoming))

    if report.sources:
        heading("Sources")
        text(6.5)
        for s in report.sources:
            cite = s.citation if len(s.citation) <= 150 else s.citation[:147] + "..."
            para(f"[{s.id}] {cite}", h=2.9)
    if report.disclaimer:
        pdf.ln(1.5)
        pdf.set_font("Helvetica", "I", 6.5)
        pdf.set_text_color(90, 90, 90)
        para(report.disclaimer, h=3)
    return bytes(pdf.output())
