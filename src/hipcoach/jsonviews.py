"""The JSON shapes of hipcoach's answers: one place for the CLI's ``--json`` and the web
API, so the two agree field for field. Plain functions from domain objects to dicts."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from hipcoach.assess.answers import allowed

if TYPE_CHECKING:
    from hipcoach.kb.load import KnowledgeBase
    from hipcoach.plan.return_to_run import ReturnToRunPlan
    from hipcoach.plan.treatment import TreatmentPlan
    from hipcoach.services import RunningAdvice
    from hipcoach.training.flags import Flag
    from hipcoach.training.load import LoadHistory, WeekSummary
    from hipcoach.training.model import Activity

STRENGTH_WORDS = {
    "trial": "tested in a randomised trial",
    "observational": "an association in cohort studies, not proof",
    "heuristic": "a rule of thumb, not tested",
}


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


def load_json(history: LoadHistory, flags: list[Flag], weeks: int) -> dict[str, Any]:
    def week(w: WeekSummary) -> dict[str, Any]:
        d = asdict(w)
        d["monday"] = w.monday.isoformat()
        return d

    shown = list(history.weeks[-weeks:])
    since = shown[0].monday if shown else history.today
    return {
        "today": history.today.isoformat(),
        "weeks": [week(w) for w in shown],
        "acwr": None
        if not history.acwr.size or not math.isfinite(history.acwr[-1])
        else round(float(history.acwr[-1]), 3),
        "shoes": [
            {
                "gear": s.gear,
                "distance_m": s.distance_m,
                "runs": s.runs,
                "first_day": s.first_day.isoformat(),
                "last_day": s.last_day.isoformat(),
            }
            for s in history.shoes
        ],
        "flags": [
            {
                "id": f.id,
                "severity": f.severity,
                "date": f.day.isoformat(),
                "title": f.title,
                "text": f.text,
                "strength": f.strength,
                "caveat": f.caveat,
                "sources": list(f.source),
                "evidence": [
                    {
                        "label": e.label,
                        "value": e.value,
                        "unit": e.unit,
                        "date": e.day.isoformat() if e.day else None,
                    }
                    for e in f.evidence
                ],
            }
            for f in flags
            if f.day >= since
        ],
    }


def plan_json(plan: TreatmentPlan) -> dict[str, Any]:
    """The plan for other tools (`plan --json`, ``/api/plan``). Its days' sessions are the
    ones the player plays and the calendar exports: warm-up first, cool-down last, then the
    plan's safety policy over the whole (a warm-up it forbids is dropped)."""
    from hipcoach.services import sessions_as_played

    def advice(a: Any) -> dict[str, Any] | None:
        return None if a is None else {"text": a.text, "sources": list(a.source)}

    days = sessions_as_played(plan.days, plan.policy)

    return {
        "urgency": plan.urgency,
        "title": plan.urgency_title,
        "action": plan.urgency_action,
        "conditions": list(plan.conditions),
        "no_programme": advice(plan.no_programme),
        "immediate": [advice(a) for a in plan.immediate],
        "painkillers": advice(plan.painkillers),
        "see_physio": advice(plan.see_physio),
        "stop": [advice(a) for a in plan.stop],
        "keep": [advice(a) for a in plan.keep],
        "phases": [
            {
                "phase": p.phase,
                "title": p.title,
                "goal": p.goal,
                "every_days": p.every_days,
                "exercises": [e.id for e in p.exercises],
            }
            for p in plan.phases
        ],
        "excluded": [asdict(e) for e in plan.excluded],
        "days": [
            {
                "date": d.day.isoformat(),
                "kind": d.kind,
                "title": d.title,
                "items": [asdict(i) for i in d.items],
                "uid_key": d.uid_key,
            }
            for d in days
        ],
    }


def running_json(advice: RunningAdvice) -> dict[str, Any]:
    """`plan --goal --json`: the same fields as the web's running-plan API."""
    form = advice.form
    return {
        "goal_m": advice.plan.goal_distance_m,
        "shoes": [a.text for a in advice.shoes],
        "form": [form.cadence.text, *(c.text for c in form.cues)],
        "target_cadence_spm": form.target_spm,
        "notes": [a.text for a in advice.plan.notes],
        "weeks": [
            {
                "week": w.number,
                "start": w.start.isoformat(),
                "change": w.change,
                "volume_m": w.volume_m,
                "runs_m": list(w.runs_m),
                "race": w.race,
            }
            for w in advice.plan.weeks
        ],
    }


def return_json(rtr: ReturnToRunPlan) -> dict[str, Any]:
    """`plan --return --json`: the same fields as the web's return-to-running API.
    ``days`` is empty, and ``not_yet`` says why, until the checks are passed."""
    return {
        "can_start": rtr.not_yet is None,
        "not_yet": None if rtr.not_yet is None else rtr.not_yet.text,
        "steps": [{"day": s.day, "kind": s.kind, "title": s.title} for s in rtr.steps],
        "tissue": rtr.tissue,
        "max_pain": rtr.max_pain,
        "before_you_start": [a.text for a in rtr.before_you_start],
        "gates": [a.text for a in rtr.gates],
        "on_pain": rtr.on_pain.text,
        "days": [{"date": d.day.isoformat(), "kind": d.kind, "title": d.title} for d in rtr.days],
    }


def activity_record(a: Activity, original: tuple[str, str | None] | None = None) -> dict[str, Any]:
    return {
        "id": a.id,
        "start_utc": a.start_utc.isoformat(),
        "start_local": a.local_start.replace(tzinfo=None).isoformat(timespec="seconds"),
        "utc_offset_s": a.utc_offset_s,
        "sport": a.sport,
        "name": a.name,
        "distance_km": None if a.distance_m is None else round(a.distance_m / 1000, 3),
        "moving_time_s": a.moving_s,
        "elapsed_time_s": a.elapsed_s,
        "avg_hr": a.avg_hr,
        "max_hr": a.max_hr,
        "avg_cadence_spm": a.avg_cadence_spm,
        "ascent_m": a.ascent_m,
        "gear": a.gear,
        "rpe": a.rpe,
        "device": a.device,
        "source_format": a.source_format,
        "original_name": original[0] if original else None,
        "original_copy": original[1] if original else None,
    }
