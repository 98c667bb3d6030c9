"""Use cases shared by the command line and (later) the web: they join storage to the core."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hipcoach.storage.db import data_dir, database_url, open_engine
from hipcoach.storage.repository import Repository
from hipcoach.training.flags import ContributingFactor, Flag, contributing_factors, evaluate
from hipcoach.training.load import LoadHistory, compute_load
from hipcoach.training.model import Activity
from hipcoach.training.rules import load_rules
from hipcoach.units import Units

if TYPE_CHECKING:
    from hipcoach.plan.treatment import TreatmentPlan

# The flags look back at most this far (ACWR: 28 days; spikes: 30 days before the run;
# lighter weeks: several months), so older history need not be read for an assessment.
HISTORY_WINDOW_DAYS = 200


def has_history(folder: Path | None = None) -> bool:
    """True when a database exists; assessing never creates one as a side effect."""
    if os.environ.get("HIPCOACH_DATABASE_URL"):
        return True
    folder = folder or data_dir()
    return database_url(folder).startswith("sqlite:") and (folder / "hipcoach.db").exists()


def stored_activities(since: datetime | None = None) -> list[Activity]:
    return Repository(open_engine()).activities(since=since)


def history_facts(today: date | None = None, units: Units = "km") -> list[ContributingFactor]:
    """The training facts of the last weeks for the assessment (empty without a history)."""
    if not has_history():
        return []
    today = today or datetime.now(UTC).date()
    since = datetime.combine(today - timedelta(days=HISTORY_WINDOW_DAYS), datetime.min.time(), UTC)
    acts = stored_activities(since)
    if not acts:
        return []
    rules = load_rules()
    flags = evaluate(acts, today, rules, units=units)
    return contributing_factors(flags, today, rules)


def load_report(
    today: date | None = None, units: Units = "km", *, recent_weeks: int | None = None
) -> tuple[LoadHistory | None, list[Flag]]:
    """The whole load history as of ``today`` and its flags (None without activities).

    With ``recent_weeks``, a history whose last activity is older than that window is
    shown as of its last activity instead of as a run of empty weeks.
    """
    acts = stored_activities() if has_history() else []
    if not acts:
        return None, []
    today = today or datetime.now(UTC).date()
    last = max(a.local_start.date() for a in acts)
    if recent_weeks is not None and last < today - timedelta(weeks=recent_weeks):
        today = last
    rules = load_rules()
    history = compute_load(acts, rules, today=today)
    from hipcoach.training.flags import evaluate_history

    return history, evaluate_history(history, rules, units=units)


def treatment_for(
    answers: Mapping[str, Any] | None, *, start: date, days: int | None = None
) -> TreatmentPlan | None:
    """The treatment plan for ``answers``, or for the latest stored assessment when None
    (None when there is no assessment yet). One place, shared by the CLI, the web and the
    progression, so all three always plan from the same assessment the same way."""
    from hipcoach.assess.answers import parse_answers
    from hipcoach.assess.engine import assess
    from hipcoach.kb.load import load
    from hipcoach.plan.library_load import load_library
    from hipcoach.plan.rules import load_rules as load_rehab_rules
    from hipcoach.plan.treatment import build_treatment
    from hipcoach.storage.diary import DiaryRepository

    if answers is None:
        stored = DiaryRepository(open_engine()).latest_assessment() if has_history() else None
        if stored is None:
            return None
        answers = stored.answers
    kb = load()
    result = assess(kb, parse_answers(kb, answers))
    return build_treatment(result, load_library(), load_rehab_rules(), start=start, days=days)


def progress_programme(morning_pain: int, day: date) -> str | None:
    """After a next-morning pain rating: judge yesterday's session with the pain-monitoring
    model and move the programme forward, hold it, or step it back.

    The decision and the new state are stored; the next `hipcoach session` plays the new
    dosage. Returns the decision in words, or None when there was no session to judge.
    """
    from hipcoach.exports.data import plan_to_json
    from hipcoach.plan.progression import PainReport, ProgrammeState, initial_state, next_session
    from hipcoach.plan.rules import load_rules as load_rehab_rules
    from hipcoach.plan.schedule import PlannedDay
    from hipcoach.storage.diary import DiaryRepository

    repo = DiaryRepository(open_engine())
    logs = [s for s in repo.session_logs(since=day - timedelta(days=1)) if s.day < day]
    stored = repo.latest_assessment()
    if not logs or stored is None:
        return None
    session = logs[-1]
    state_data = repo.plan_state()
    if state_data.get("judged") == session.day.isoformat():
        return None
    before = [
        e.pain
        for e in repo.pain_entries(since=session.day - timedelta(days=1))
        if e.day <= session.day and e.when in ("next_morning", "rest")
    ]
    rules = load_rehab_rules()
    plan = treatment_for(stored.answers, start=day)
    if plan is None or not plan.phases:
        return None
    state = (
        ProgrammeState(state_data["phase"], state_data["level"], state_data.get("streak", 0))
        if "phase" in state_data
        else initial_state(rules)
    )
    report = PainReport(
        during=float(session.pain_during or 0),
        before=float(before[0] if before else 0),
        next_morning=float(morning_pain),
    )
    decision, new, items = next_session(report, state, plan.phases, rules)
    days = [
        PlannedDay(
            d.day, d.kind, d.title, d.description, items if d.items else (), uid_key=d.uid_key
        )
        if d.day >= day
        else d
        for d in plan.days
    ]
    repo.update_plan_state(
        {
            "phase": new.phase,
            "level": new.level,
            "streak": new.streak,
            "judged": session.day.isoformat(),
            "days": plan_to_json(days),
        }
    )
    return f"{decision.action}: {decision.reason}"


def preferred_units() -> Units:
    """The runner's units: HIPCOACH_UNITS, else the saved setting, else km."""
    env = os.environ.get("HIPCOACH_UNITS", "").strip().lower()
    if env in ("km", "mi"):
        return env  # type: ignore[return-value]
    return "km"
