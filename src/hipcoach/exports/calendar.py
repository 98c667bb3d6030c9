"""The plan as an iCalendar file: one event per planned day, at a time of day with a reminder.

Events start at a time of day (18:00 local by default) and carry a reminder (VALARM) a few
minutes before, because an all-day entry is easy to overlook; all-day events are an option.
Times are the runner's local time zone, written in UTC for each day (so a summer-time change
between two days is right without a VTIMEZONE block).

UIDs are derived from each day's ``uid_key`` (uuid5 over a fixed namespace), never random,
so exporting twice — or exporting again after re-planning the same days, or switching between
timed and all-day events — gives the same UIDs, and a calendar app updates its events instead
of duplicating them. Descriptions speak to a person: a link to the day's session in the web
player, never a command line, and conditions by their short names, never by internal ids.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache

from icalendar import Alarm, Calendar, Event

from hipcoach import __version__
from hipcoach.plan.schedule import PlannedDay
from hipcoach.sessions.player import dosage_text, estimate_seconds
from hipcoach.units import Units, distance

PLAN_NAMESPACE = uuid.UUID("32949341-5364-430e-ae5a-93e6225aa607")
"""Never change: every UID ever exported depends on it."""
UID_DOMAIN = "hipcoach"
PRODID = f"-//hipcoach//hipcoach {__version__}//EN"
DEFAULT_AT = time(18, 0)
"""Events start at 18:00 local time unless the runner chooses another time or all-day."""
REMIND_BEFORE = timedelta(minutes=15)
DEFAULT_BASE_URL = "http://127.0.0.1:8765/"
"""Where ``hipcoach serve`` listens by default: the link in events exported from the CLI."""


def uid_for(day: PlannedDay) -> str:
    """The event UID: stable for the same ``uid_key`` (or, without one, the same date)."""
    key = day.uid_key or f"day:{day.day.isoformat()}"
    return f"{uuid.uuid5(PLAN_NAMESPACE, key)}@{UID_DOMAIN}"


@cache
def condition_names() -> dict[str, str]:
    """Condition id → the short name people read (from the knowledge base)."""
    from hipcoach.kb.load import load

    # Ids that are plain words ("tumour", "hernia") stay: replacing them would garble prose.
    return {c.id: c.short_name for c in load().conditions if "_" in c.id or len(c.id) <= 4}


def readable(text: str, names: Mapping[str, str] | None = None) -> str:
    """``text`` with every condition id replaced by its short name ("not for gtps" → "not
    for gluteal tendinopathy"): ids are for programs, not people."""
    names = condition_names() if names is None else names
    if not names or not text:
        return text
    pattern = r"\b(" + "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True)) + r")\b"
    return re.sub(pattern, lambda m: names[m.group(1)], text)


def session_url(day: date, base_url: str = DEFAULT_BASE_URL) -> str:
    """The web player for that day's session."""
    return f"{base_url.rstrip('/')}/session?date={day.isoformat()}"


def describe(
    day: PlannedDay,
    units: Units = "km",
    *,
    base_url: str = DEFAULT_BASE_URL,
    names: Mapping[str, str] | None = None,
) -> str:
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
    # "phase: settle" is the plan's bookkeeping; the title already names the phase in words.
    notes = [n for n in day.notes if not n.startswith("phase: ")]
    if notes:
        lines.append("")
        lines.extend(notes)
    if day.items:
        lines.append("")
        lines.append(f"Play this session with timers in hipcoach: {session_url(day.day, base_url)}")
        lines.append("Rate your pain the next morning on your programme page.")
    elif run:
        lines.append("")
        lines.append(f"Your programme: {base_url.rstrip('/')}/programme")
    return readable("\n".join(lines), names)


def minutes_of(day: PlannedDay) -> int:
    """How long the event lasts: the session's estimate, the run's minutes, else 30, in
    whole 5 minutes."""
    if day.items:
        mins = estimate_seconds(day.items) / 60
    elif day.run_minutes:
        mins = day.run_minutes
    else:
        mins = 30
    return max(15, int(-(-mins // 5) * 5))


def local_start(day: date, at: time, tz: tzinfo | None = None) -> datetime:
    """``at`` on ``day`` in ``tz`` (default: this computer's zone, summer time included)."""
    naive = datetime.combine(day, at)
    return naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()


def to_ical(
    days: Sequence[PlannedDay],
    *,
    units: Units = "km",
    at: time = DEFAULT_AT,
    all_day: bool = False,
    tz: tzinfo | None = None,
    remind_at: time | None = None,
    remind_before: timedelta = REMIND_BEFORE,
    base_url: str = DEFAULT_BASE_URL,
    names: Mapping[str, str] | None = None,
    stamp: datetime | None = None,
    name: str = "hipcoach plan",
) -> bytes:
    """An iCalendar file, one event per day (sorted by date).

    Events start at ``at`` local time (in ``tz``, default this computer's zone) and last the
    session's estimate, with a reminder ``remind_before`` the start; ``all_day`` makes all-day
    events instead. ``remind_at`` puts the reminder at that time of day instead (apps that
    ignore alarms on import, such as Google Calendar, ignore it). Rest days get no reminder.
    ``stamp`` is the DTSTAMP (default: now).
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
        start = local_start(day.day, at, tz)
        if all_day:
            ev.add("dtstart", day.day)
            ev.add("dtend", day.day + timedelta(days=1))
            ev.add("transp", "TRANSPARENT")
        else:
            ev.add("dtstart", start.astimezone(UTC))
            ev.add("dtend", (start + timedelta(minutes=minutes_of(day))).astimezone(UTC))
            ev.add("transp", "TRANSPARENT" if day.kind == "rest" else "OPAQUE")
        ev.add("summary", readable(day.title, names))
        text = describe(day, units, base_url=base_url, names=names)
        if text:
            ev.add("description", text)
        if day.items:
            ev.add("url", session_url(day.day, base_url))
        ev.add("categories", [day.kind.replace("_", " ")])
        if day.kind != "rest" and (remind_at is not None or not all_day):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", readable(day.title, names))
            if remind_at is not None and all_day:
                alarm.add("trigger", timedelta(hours=remind_at.hour, minutes=remind_at.minute))
            elif remind_at is not None:
                alarm.add("trigger", local_start(day.day, remind_at, tz) - start)
            else:
                alarm.add("trigger", -remind_before)
            ev.add_component(alarm)
        cal.add_component(ev)
    return bytes(cal.to_ical())
