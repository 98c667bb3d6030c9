"""Use cases shared by the command line and the web: they join storage to the core."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hipcoach.settings import Settings
from hipcoach.storage.db import data_dir, database_url, open_engine
from hipcoach.storage.repository import Repository
from hipcoach.training.flags import ContributingFactor, Flag, contributing_factors, evaluate
from hipcoach.training.load import LoadHistory, compute_load
from hipcoach.training.model import Activity
from hipcoach.training.rules import load_rules
from hipcoach.units import Units, preferred

RUNNER_KEY = "runner"
"""Plan-state key of what the runner reported since the assessment (``runner_state``)."""
DAYS_FOR_KEY = "days_for_assessment"
"""Plan-state key: the id of the assessment the stored days were planned under."""

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hipcoach.assess.engine import Assessment
    from hipcoach.diary import PainEntry, SessionLog
    from hipcoach.exports.report import Report
    from hipcoach.plan.prevention import FormAdvice, RunningPlan
    from hipcoach.plan.progression import Decision
    from hipcoach.plan.return_to_run import Readiness, ReturnToRunPlan
    from hipcoach.plan.rules import Advice
    from hipcoach.plan.safety import RunnerState, SafetyPolicy
    from hipcoach.plan.schedule import PlannedDay
    from hipcoach.plan.treatment import TreatmentPlan
    from hipcoach.sessions.calendar import CalendarDay
    from hipcoach.storage.diary import StoredAssessment

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
    today = today or local_today()
    since = datetime.combine(today - timedelta(days=HISTORY_WINDOW_DAYS), datetime.min.time(), UTC)
    acts = stored_activities(since)
    if not acts:
        return []
    rules = load_rules()
    flags = evaluate(acts, today, rules, units=units, **current_settings().load_options())
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
    now = today or local_today()
    today = now
    if recent_weeks is not None:
        from hipcoach.training.load import reference_day

        today = reference_day(max(a.local_start.date() for a in acts), now, recent_weeks)
    rules = load_rules()
    history = compute_load(acts, rules, today=today, **current_settings().load_options())
    from hipcoach.training.flags import evaluate_history

    return history, evaluate_history(history, rules, units=units, now=now)


def _assessment_of(answers: Mapping[str, Any]) -> Assessment:
    from hipcoach.assess.answers import parse_answers
    from hipcoach.assess.engine import assess
    from hipcoach.kb.load import load

    kb = load()
    return assess(kb, parse_answers(kb, answers))


def _latest() -> StoredAssessment | None:
    from hipcoach.storage.diary import DiaryRepository

    return DiaryRepository(open_engine()).latest_assessment() if has_history() else None


def _readiness(result: Assessment, results: Mapping[str, float], cleared: bool) -> Readiness:
    """The return-to-running checks judged for the assessment's likely causes, with the same
    tissue rules (tendon or bone) that its return-to-running plan uses."""
    from hipcoach.plan.return_to_run import check_gates, tissue_for
    from hipcoach.plan.rules import load_rules as load_rehab_rules
    from hipcoach.plan.safety import likely_conditions

    rules = load_rehab_rules()
    tissue = tissue_for(likely_conditions(result, rules), rules)
    return check_gates(dict(results), tissue, rules, cleared_by_clinician=cleared)


def _runner_data() -> dict[str, Any]:
    from hipcoach.storage.diary import DiaryRepository

    return dict(DiaryRepository(open_engine()).plan_state().get(RUNNER_KEY) or {})


def _update_runner(values: Mapping[str, Any]) -> None:
    from hipcoach.storage.diary import DiaryRepository

    DiaryRepository(open_engine()).update_plan_state({RUNNER_KEY: {**_runner_data(), **values}})


def runner_state(
    stored: StoredAssessment | None = None, result: Assessment | None = None
) -> RunnerState:
    """What the runner reported since the latest assessment (checks passed, a clinician's
    clearance, recovery); anything recorded before that assessment no longer counts.
    ``result`` is that assessment when the caller has it already."""
    from hipcoach.plan.safety import RunnerState

    stored = stored or _latest()
    if stored is None:
        return RunnerState()
    data = _runner_data()

    def since(key: str) -> bool:
        at = data.get(key)
        return isinstance(at, str) and datetime.fromisoformat(at) > stored.created_at

    cleared = since("cleared_at")
    passed = False
    if since("checks_at") and isinstance(data.get("checks"), dict):
        results = {str(k): float(v) for k, v in data["checks"].items()}
        result = result or _assessment_of(stored.answers)
        passed = _readiness(result, results, cleared).ready
    return RunnerState(
        checks_passed=passed, cleared_by_clinician=cleared, recovered=since("recovered_at")
    )


def _assessed(
    answers: Mapping[str, Any] | None,
) -> tuple[Assessment, SafetyPolicy] | None:
    """The assessment of ``answers`` (the latest stored one when None) and its safety policy,
    with what the runner reported since that stored assessment; None without either."""
    from hipcoach.plan.library_load import load_library
    from hipcoach.plan.rules import load_rules as load_rehab_rules
    from hipcoach.plan.safety import policy_for

    stored = _latest()
    if answers is None:
        if stored is None:
            return None
        result = _assessment_of(stored.answers)
        state = runner_state(stored, result)  # the same assessment: not assessed twice
    else:
        result = _assessment_of(answers)
        state = runner_state(stored)
    return result, policy_for(result, load_library(), load_rehab_rules(), state)


def safety_policy(answers: Mapping[str, Any] | None = None) -> SafetyPolicy:
    """The one safety policy: from ``answers``, or the latest stored assessment when None
    (unrestricted before any assessment). Every plan, session, calendar entry and export
    obeys it."""
    from hipcoach.plan.safety import UNRESTRICTED

    found = _assessed(answers)
    return UNRESTRICTED if found is None else found[1]


def enforce_policy(days: Sequence[PlannedDay]) -> list[PlannedDay]:
    """``days`` as the latest assessment allows them (see ``SafetyPolicy.enforce``): what a
    session, a calendar or a report may show, whatever plan they came from."""
    return safety_policy().enforce(days)


def sessions_as_played(
    days: Sequence[PlannedDay], policy: SafetyPolicy | None = None
) -> list[PlannedDay]:
    """``days`` as every session is played, shown and exported: under ``policy`` (default:
    the latest assessment's), with a warm-up first and a cool-down last (see
    :func:`hipcoach.sessions.framing.frame_days`)."""
    from hipcoach.plan.library_load import load_library
    from hipcoach.sessions.framing import frame_days

    return frame_days(days, load_library().exercises, policy or safety_policy())


def treatment_for(
    answers: Mapping[str, Any] | None, *, start: date, days: int | None = None
) -> TreatmentPlan | None:
    """The treatment plan for ``answers``, or for the latest stored assessment when None
    (None when there is no assessment yet). One place, shared by the CLI, the web and the
    progression, so all three always plan from the same assessment the same way."""
    from hipcoach.plan.library_load import load_library
    from hipcoach.plan.rules import load_rules as load_rehab_rules
    from hipcoach.plan.treatment import build_treatment

    found = _assessed(answers)
    if found is None:
        return None
    result, policy = found
    return build_treatment(
        result, load_library(), load_rehab_rules(), start=start, days=days, policy=policy
    )


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
    # Only rehab days take the new dosage (a cross-training day keeps its own items), and
    # the days already past stay as they were planned, so the calendar's history is kept.
    from hipcoach.exports.data import plan_from_json

    past = [d for d in plan_from_json(state_data.get("days", []), "plan state", day) if d.day < day]
    days = past + [
        PlannedDay(d.day, d.kind, d.title, d.description, items, uid_key=d.uid_key)
        if d.kind == "rehab" and d.items and d.day >= day
        else d
        for d in plan.days
        if d.day >= day
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


def current_settings() -> Settings:
    """The saved settings, or the defaults; reading never creates a database."""
    if not has_history():
        return Settings()
    from hipcoach.storage.settings import SettingsRepository

    return SettingsRepository(open_engine()).load()


def save_settings(values: Mapping[str, Any]) -> Settings:
    """Validate and store ``values`` (all fields); raises ``InputError`` on bad input."""
    from hipcoach.settings import parse_settings
    from hipcoach.storage.settings import SettingsRepository

    return SettingsRepository(open_engine()).save(parse_settings(dict(values)))


def preferred_units(explicit: str | None = None) -> Units:
    """The runner's units: an explicit option, else HIPCOACH_UNITS, else the saved
    setting, else km."""
    if explicit or os.environ.get("HIPCOACH_UNITS"):
        return preferred(explicit)
    return current_settings().units


def emergency_number() -> str:
    """The number an emergency result tells the runner to call (setting, else locale)."""
    from hipcoach.emergency import emergency_number as pick

    return pick(current_settings().emergency_number)


def with_profile(answers: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` with the age and sex from the settings filled in where not given, so
    the hip check does not ask what the runner already said once."""
    return {**current_settings().profile_answers(), **answers}


# --- programme and sessions (web and CLI) ---------------------------------------------------


def local_today() -> date:
    """The runner's calendar day in local time, as `hipcoach session` and `export` use it."""
    return datetime.now().astimezone().date()


def _with_progression(
    days: list[PlannedDay], plan: TreatmentPlan, state: Mapping[str, Any]
) -> list[PlannedDay]:
    """Rehab days at the dosage the pain reports have reached (the stored programme state),
    so a re-planned calendar does not fall back to the first rung."""
    from hipcoach.errors import InputError
    from hipcoach.plan.progression import ProgrammeState, session
    from hipcoach.plan.rules import load_rules as load_rehab_rules
    from hipcoach.plan.schedule import PlannedDay

    if "phase" not in state or not plan.phases:
        return days
    try:
        items = session(
            ProgrammeState(state["phase"], state["level"], state.get("streak", 0)),
            plan.phases,
            load_rehab_rules(),
        )
    except InputError:
        return days
    return [
        PlannedDay(d.day, d.kind, d.title, d.description, items, uid_key=d.uid_key, notes=d.notes)
        if d.kind == "rehab" and d.items
        else d
        for d in days
    ]


def plan_days(today: date, plan: TreatmentPlan | None = None) -> list[PlannedDay]:
    """The programme's days: those kept in the plan state, which `hipcoach session` plays and
    `hipcoach export` exports, so the web and the CLI always show the same plan.

    They are planned again from the latest assessment (``plan``, when the caller already has
    it from ``treatment_for(None, start=today)``) when they were stored before that
    assessment was made, or when none reaches ``today``. Past days are kept, so the calendar
    can still show what was planned. Empty without an assessment.
    """
    from hipcoach.exports.data import plan_from_json, plan_to_json
    from hipcoach.storage.diary import DiaryRepository

    if not has_history():
        return []
    repo = DiaryRepository(open_engine())
    state = repo.plan_state()
    days = plan_from_json(state.get("days") or [], "the stored plan", today)
    stored = repo.latest_assessment()
    if stored is None:
        return days
    if DAYS_FOR_KEY in state:
        stale = state[DAYS_FOR_KEY] != stored.id
    else:
        updated = repo.plan_state_updated_at()
        stale = updated is None or updated < stored.created_at
    if not stale and any(d.day >= today for d in days):
        return enforce_policy(days)
    plan = plan if plan is not None else treatment_for(stored.answers, start=today)
    fresh = [] if plan is None else _with_progression(list(plan.days), plan, state)
    if not stale and not fresh:
        return enforce_policy(days)
    new = [d for d in days if d.day < today] + fresh
    repo.update_plan_state({"days": plan_to_json(new), DAYS_FOR_KEY: stored.id})
    # The plan just made carries the latest assessment's policy: no need to build it again.
    return plan.policy.enforce(new) if plan is not None else enforce_policy(new)


def played_days(today: date, plan: TreatmentPlan | None = None) -> list[PlannedDay]:
    """The programme's days (:func:`plan_days`) as their sessions are played and exported
    (:func:`sessions_as_played`). The latest assessment is assessed once: the plan of it
    (``plan``, or made here) carries the policy both steps obey."""
    plan = plan if plan is not None else treatment_for(None, start=today)
    return sessions_as_played(plan_days(today, plan), None if plan is None else plan.policy)


def plan_calendar(today: date, weeks_back: int = 4, weeks_ahead: int = 2) -> list[CalendarDay]:
    """Planned vs done, from ``weeks_back`` weeks before this ISO week to ``weeks_ahead``
    weeks after it (whole weeks, Monday first)."""
    from hipcoach.diary import monday_of
    from hipcoach.sessions.calendar import planned_vs_done
    from hipcoach.storage.diary import DiaryRepository

    monday = monday_of(today)
    start = monday - timedelta(weeks=weeks_back)
    end = monday + timedelta(weeks=weeks_ahead + 1) - timedelta(days=1)
    days = played_days(today)
    logs = DiaryRepository(open_engine()).session_logs(since=start) if has_history() else []
    return planned_vs_done(days, logs, start, end, today)


def log_played_session(
    day: date, uid_key: str, items: list[dict[str, Any]], pain_during: int | None
) -> SessionLog:
    """Store a played session as `hipcoach session` does (its items as ``ItemLog.to_dict``)."""
    from hipcoach.diary import SessionLog
    from hipcoach.storage.diary import DiaryRepository

    return DiaryRepository(open_engine()).log_session(SessionLog(day, uid_key, items, pain_during))


def session_outlook(pain_during: int, day: date) -> Decision:
    """What a session with this pain does to the programme if the hip has settled by the
    next morning (no worse than the morning before): the pain-monitoring model's decision
    with the stored programme state. The real decision waits for the next-morning rating
    (:func:`progress_programme`); pain above the acceptable limit steps back either way."""
    from hipcoach.plan.progression import PainReport, ProgrammeState, decide, initial_state
    from hipcoach.plan.rules import load_rules as load_rehab_rules
    from hipcoach.storage.diary import DiaryRepository

    rules = load_rehab_rules()
    repo = DiaryRepository(open_engine())
    data = repo.plan_state()
    state = (
        ProgrammeState(data["phase"], data["level"], data.get("streak", 0))
        if "phase" in data
        else initial_state(rules)
    )
    before = [
        e.pain
        for e in repo.pain_entries(since=day - timedelta(days=1))
        if e.day <= day and e.when in ("next_morning", "rest")
    ]
    morning = float(before[0] if before else 0)
    return decide(PainReport(float(pain_during), morning, morning), state, rules)


def awaiting_next_morning(today: date) -> SessionLog | None:
    """Yesterday's played session while its next-morning pain is still to be rated."""
    from hipcoach.storage.diary import DiaryRepository

    if not has_history():
        return None
    logs = DiaryRepository(open_engine()).session_logs(since=today - timedelta(days=1))
    waiting = [s for s in logs if s.day < today and s.pain_next_morning is None]
    return waiting[-1] if waiting else None


def record_next_morning(
    pain: object, where: object, today: date, day: date | None = None
) -> tuple[PainEntry, str | None]:
    """A next-morning pain rating, as `hipcoach diary add --when next_morning` stores it,
    and the programme's decision in words (None when there was no session to judge)."""
    from hipcoach.diary import new_entry, regions
    from hipcoach.kb.load import load
    from hipcoach.storage.diary import DiaryRepository

    entry = new_entry(
        pain=pain, where=where, when="next_morning", day=day, today=today, regions=regions(load())
    )
    stored = DiaryRepository(open_engine()).add_pain(entry)
    return stored, progress_programme(stored.pain, stored.day)


def clinician_report(today: date, units: Units, programme: Sequence[PlannedDay]) -> Report | None:
    """The report for a doctor or physio from the latest assessment (None without one):
    the same document for `hipcoach export report` and the web download."""
    from hipcoach.diary import recent_mondays, weekly_pain
    from hipcoach.exports.report import REPORT_WEEKS, build_report
    from hipcoach.kb.load import load
    from hipcoach.storage.diary import DiaryRepository

    if not has_history():
        return None
    repo = DiaryRepository(open_engine())
    stored = repo.latest_assessment()
    if stored is None:
        return None
    history, _ = load_report(today, units=units, recent_weeks=REPORT_WEEKS)
    as_of = history.today if history is not None else today  # the dashboard's reference day
    mondays = recent_mondays(as_of, REPORT_WEEKS)
    return build_report(
        stored,
        kb=load(),
        load_weeks=history.weeks if history is not None else (),
        pain_weeks=weekly_pain(repo.pain_readings(since=mondays[0]), mondays),
        programme=programme,
        units=units,
        today=today,
        as_of=as_of,
    )


def data_zip() -> bytes:
    """Every table as CSV plus the JSON document, zipped: `hipcoach export data OUT.zip`."""
    import tempfile

    from hipcoach.exports.data import export_data

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "hipcoach-data.zip"
        export_data(open_engine(), out, plan=plan_days(local_today()))
        return out.read_bytes()


@dataclass(frozen=True)
class RunningAdvice:
    """A prevention running plan with the shoe and running-form advice that goes with it."""

    plan: RunningPlan
    shoes: list[Advice]
    form: FormAdvice


def running_plan(
    goal: str, weeks: int, weekly: float | None, units: Units, today: date
) -> RunningAdvice:
    """`hipcoach plan --goal`: a build-up to ``goal`` (5k, 10k, half, marathon or a distance)
    in ``weeks``, from the stored history or from ``weekly`` (in ``units``) without one.
    Raises ``PolicyRefusal`` when the latest assessment does not allow a build-up (with the
    reason and what to do instead), ``InputError`` (``GoalUnreachable`` with the weeks it
    would take) on bad input."""
    from hipcoach.plan.library_load import load_library
    from hipcoach.plan.prevention import (
        build_running_plan,
        form_advice,
        parse_goal,
        recent_cadence,
        shoe_advice,
    )
    from hipcoach.plan.rules import load_rules as load_rehab_rules
    from hipcoach.units import METRES_PER_MILE

    policy = safety_policy()  # build_running_plan refuses what it does not allow
    rules = load_rehab_rules()
    history, _ = load_report(today, units=units)
    current = None if weekly is None else weekly * (METRES_PER_MILE if units == "mi" else 1000.0)
    plan = build_running_plan(
        parse_goal(goal),
        weeks,
        history=history,
        current_weekly_m=current,
        rules=rules,
        start=today,
        library=load_library(),
        policy=policy,
        units=units,
    )
    shoes, _ = shoe_advice(history, rules)
    form = form_advice(recent_cadence(history, rules) if history else None, rules)
    return RunningAdvice(plan, list(shoes), form)


def return_to_run(today: date, treatment: TreatmentPlan | None = None) -> ReturnToRunPlan:
    """`hipcoach plan --return`: the criteria-gated return to running for ``treatment`` (by
    default the latest assessment's). Raises ``InputError`` without one, and
    ``PolicyRefusal`` while the assessment says no running at all (a doctor first, a
    possible stress fracture, warning signs unchecked). The plan may be shown before its
    checks are passed; its days can be followed (``keep_plan_days``) only after."""
    from hipcoach.errors import InputError
    from hipcoach.plan.return_to_run import build_return_to_run
    from hipcoach.plan.rules import load_rules as load_rehab_rules

    treatment = treatment or treatment_for(None, start=today)
    if treatment is None:
        raise InputError("no assessment yet: do the hip check (`hipcoach assess`) first")
    if not treatment.conditions:
        raise InputError("no return-to-running plan for this assessment: see a doctor first")
    return build_return_to_run(
        treatment.conditions, load_rehab_rules(), start=today, policy=treatment.policy
    )


def record_checks(results: Mapping[str, float], *, cleared_by_clinician: bool = False) -> Readiness:
    """Store the runner's return-to-running check results (gate id → worst pain, 0–10) and
    a clinician's clearance; returns the readiness they give. Raises ``InputError`` without
    an assessment, or for an unknown check or a pain outside 0–10."""
    from hipcoach.errors import InputError, shorten
    from hipcoach.plan.rules import load_rules as load_rehab_rules

    stored = _latest()
    if stored is None:
        raise InputError("no assessment yet: do the hip check (`hipcoach assess`) first")
    ids = [g.id for g in load_rehab_rules().return_to_run.gates]
    for key, pain in results.items():
        if key not in ids:
            raise InputError(f"unknown check {shorten(key)}; the checks are {', '.join(ids)}")
        if not 0 <= pain <= 10:
            raise InputError(f"check {shorten(key)}: pain {pain:g} is not on the 0–10 scale")
    now = datetime.now(UTC).isoformat()
    data: dict[str, Any] = {"checks": dict(results), "checks_at": now}
    if cleared_by_clinician:
        data["cleared_at"] = now
    _update_runner(data)
    result = _assessment_of(stored.answers)
    return _readiness(result, results, runner_state(stored, result).cleared_by_clinician)


def mark_recovered() -> None:
    """The runner is running again without pain: the episode of the latest assessment is
    over, so a build-up plan is allowed (its contraindications still hold)."""
    from hipcoach.errors import InputError

    if _latest() is None:
        raise InputError("no assessment yet: there is no episode to close")
    _update_runner({"recovered_at": datetime.now(UTC).isoformat()})


def keep_plan_days(days: Sequence[PlannedDay]) -> None:
    """Make ``days`` the plan that `hipcoach session`, the calendar and the exports follow.
    Raises ``PolicyRefusal`` when any day breaks the latest assessment's safety policy:
    a plan that is not allowed is never stored."""
    from hipcoach.exports.data import plan_to_json
    from hipcoach.storage.diary import DiaryRepository

    safety_policy().check(days)
    stored = _latest()
    values: dict[str, Any] = {"days": plan_to_json(list(days))}
    if stored is not None:
        values[DAYS_FOR_KEY] = stored.id
    DiaryRepository(open_engine()).update_plan_state(values)
