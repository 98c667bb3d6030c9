"""The plan as an iCalendar file: one all-day event per planned day.

UIDs are derived from each day's ``uid_key`` (uuid5 over a fixed namespace), never random,
so exporting twice — or exporting again after re-planning the same days — gives the same
UIDs, and a calendar app updates its events instead of duplicating them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from icalendar import Alarm, Calendar, Event

from hipcoach import __version__
from hipcoach.plan.schedule import PlannedDay
from hipcoach.sessions.player import dosage_text
from hipcoach.units import Units, distance

PLAN_NAMESPACE = uuid.UUID("32949341-5364-430e-ae5a-93e6225aa607")
"""Never change: every UID ever exported depends on it."""
UID_DOMAIN = "hipcoach"
PRODID = f"-//hipcoach//hipcoach {__version__}//EN"


def uid_for(day: PlannedDay) -> str:
    """The event UID: stable for the same ``uid_key`` (or, without one, the same date)."""
    key = day.uid_key or f"day:{day.day.isoformat()}"
    return f"{uuid.uuid5(PLAN_NAMESPACE, key)}@{UID_DOMAIN}"


def describe(day: PlannedDay, units: Units = "km") -> str:
    """The event's description: what to do that day, with every exercise's dosage."""
    lines: list[str] = []
    if day.description:
        lines.append(day.description)
    run = []
    if day.run_distance_m is not None:
        run.append(distance(day.run_distance_m, units))
    if day.run_minutes is not None:
        run.append(f"{day.run_minutes:g} min")
    if run:
        lines.append("Run: " + ", ".join(run))
    if day.items:
        if lines:
            lines.append("")
        lines.append("Exercises:")
        lines.extend(f"• {it.name}: {dosage_text(it)}" for it in day.items)
    if day.notes:
        lines.append("")
        lines.extend(day.notes)
    if day.items or run:
        lines.append("")
        lines.append("Play it with `hipcoach session`; rate your pain with `hipcoach diary add`.")
    return "\n".join(lines)


def to_ical(
    days: Sequence[PlannedDay],
    *,
    units: Units = "km",
    remind_at: time | None = None,
    stamp: datetime | None = None,
    name: str = "hipcoach plan",
) -> bytes:
    """An iCalendar file of all-day events, one per day (sorted by date).

    ``remind_at`` adds a reminder at that local time on the day (apps that ignore alarms on
    import, such as Google Calendar, ignore it). ``stamp`` is the DTSTAMP (default: now).
    """
    now = (stamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for day in sorted(days, key=lambda d: (d.day, d.uid_key)):
        ev = Event()
        ev.add("uid", uid_for(day))
        ev.add("dtstamp", now)
        ev.add("last-modified", now)
        ev.add("dtstart", day.day)
        ev.add("dtend", day.day + timedelta(days=1))
        ev.add("summary", day.title)
        text = describe(day, units)
        if text:
            ev.add("description", text)
        ev.add("categories", [day.kind.replace("_", " ")])
        ev.add("transp", "TRANSPARENT")
        if remind_at is not None and day.kind != "rest":
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", day.title)
            alarm.add("trigger", timedelta(hours=remind_at.hour, minutes=remind_at.minute))
            ev.add_component(alarm)
        cal.add_component(ev)
    return bytes(cal.to_ical())
