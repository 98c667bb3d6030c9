"""The guided session player: today's exercises, one at a time, in the terminal.

For each exercise: its dosage and form cues, a get-ready countdown, then per set either a
per-second hold timer (per side when one-sided, with a short break to switch sides, and the
dosage's rest between two holds), a rep-counter prompt, or a timed block; rest timers between
sets. The rests come from the exercise's dosage (``rest_s``), never from a constant. The
terminal bell rings at every change of phase so the runner need not watch the screen.
At the end it asks the pain during the session (0–10) and returns a :class:`SessionResult`,
which records the time each exercise really took (clock time from its start to the next one's,
pauses included), so the log says how long the session took, not how long it was planned.

Commands: at each prompt ``s`` skip, ``r`` repeat, ``p`` pause, ``q`` quit; during a timer,
Ctrl-C pauses, and the pause menu offers resume / skip / repeat / quit. Ctrl-C or end of
input at a prompt quits; what was done so far is still returned.

Testable without waiting: ``sleep`` (one call per second), ``input_fn`` (one line per
prompt), ``clock`` and the output :class:`Screen` are injected.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from hipcoach.diary import parse_pain
from hipcoach.errors import InputError
from hipcoach.plan.schedule import SessionItem
from hipcoach.units import duration

Command = Literal["go", "skip", "repeat", "pause", "quit"]
COMMANDS: dict[str, Command] = {
    "": "go", "go": "go", "start": "go", "resume": "go", "y": "go", "yes": "go",
    "s": "skip", "skip": "skip", "n": "skip", "next": "skip",
    "r": "repeat", "repeat": "repeat", "again": "repeat",
    "p": "pause", "pause": "pause",
    "q": "quit", "quit": "quit", "exit": "quit", "stop": "quit",
}  # fmt: skip
Status = Literal["done", "skipped", "stopped", "not_reached"]
MAX_PAIN_TRIES = 5
GET_READY_S = 5
SWITCH_S = 5
"""Default pacing: seconds to get ready before each exercise, and to switch sides. The rest
between two holds or two sets is the dosage's; the browser player uses the same."""
BETWEEN_S = SWITCH_S  # the older name
MAX_REPS = 1000


def _now() -> datetime:
    return datetime.now(UTC)


def _clock(seconds: int) -> str:
    return f"{seconds} s" if seconds < 60 else duration(seconds)


def _n(x: float) -> str:
    return f"{x:g}"


def dosage_text(item: SessionItem) -> str:
    """The dosage in words: "3 × 12 per side, rest 30 s", "3 × 30 s hold", "20 min"."""
    side = " per side" if item.per_side else ""
    if item.hold_s is not None:
        holds = item.reps or 1
        one = f"{item.hold_s} s hold"
        body = f"{holds} × {one}" if holds > 1 else one
        if item.sets > 1:
            body = f"{item.sets} sets of {body}"
    elif item.reps is not None:
        body = f"{item.sets} × {item.reps}" if item.sets > 1 else f"{item.reps} reps"
    elif item.minutes is not None:
        body = (
            f"{item.sets} × {_n(item.minutes)} min" if item.sets > 1 else f"{_n(item.minutes)} min"
        )
    else:
        body = f"{item.sets} sets" if item.sets > 1 else "once"
    several = item.sets > 1 or (item.hold_s is not None and (item.reps or 1) > 1)
    rest = f", rest {item.rest_s} s" if several and item.rest_s > 0 else ""
    return f"{body}{side}{rest}"


def estimate_seconds(items: Sequence[SessionItem], rep_s: float = 4.0) -> float:
    """Roughly how long the items take (reps at ``rep_s`` seconds each), rests included."""
    total = 0.0
    for it in items:
        sides = 2 if it.per_side else 1
        work: float
        if it.hold_s is not None:
            work = (it.reps or 1) * it.hold_s
        elif it.reps is not None:
            work = it.reps * rep_s
        elif it.minutes is not None:
            work = it.minutes * 60
        else:
            work = 30.0
        rests = max(it.sets - 1, 0)
        if it.hold_s is not None:
            rests += it.sets * max((it.reps or 1) - 1, 0)
        total += it.sets * sides * work + rests * it.rest_s
    return total


def pain_advice(pain: int) -> str:
    """The pain-monitoring model's reading of a rating during exercise [R41, R42], with the
    thresholds of ``rehab_rules.yaml`` (the ones the progression itself uses)."""
    from hipcoach.plan.rules import load_rules

    pm = load_rules().pain_monitoring
    safe, acceptable = round(pm.safe_max.value), round(pm.acceptable_max.value)
    if pain <= safe:
        return (
            f"Pain 0–{safe}/10: fine. Rate your hip tomorrow morning: if it is no worse, the "
            "programme can move on."
        )
    if pain <= acceptable:
        return (
            f"Pain {safe + 1}–{acceptable}/10: acceptable for a healing muscle or tendon. Rate "
            "your hip tomorrow morning: that rating shows whether the session was too much."
        )
    return (
        f"Pain above {acceptable}/10: too much. Ease off next time (fewer sets, an easier "
        "variant); if it keeps getting worse, see a physio or doctor."
    )


class Screen:
    """Where the player writes: lines, a per-second countdown line, and the bell."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self._stream = stream
        self._live = live
        self._ticking = False

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stdout

    @property
    def live(self) -> bool:
        """Whether countdowns redraw in place (a terminal) rather than stay silent."""
        if self._live is not None:
            return self._live
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def line(self, text: str = "") -> None:
        self.end_tick()
        self.stream.write(text + "\n")
        self.stream.flush()

    def tick(self, label: str, remaining: int) -> None:
        if self.live:
            self.stream.write(f"\r  {label}  {_clock(remaining):>5} ")
            self.stream.flush()
            self._ticking = True

    def end_tick(self) -> None:
        if self._ticking:
            self.stream.write("\n")
            self._ticking = False

    def bell(self) -> None:
        self.stream.write("\a")
        self.stream.flush()


@dataclass
class ItemLog:
    """What was done of one item. ``holds`` / ``reps`` count per side (``both`` if two-sided)."""

    exercise_id: str
    name: str
    sets_planned: int
    status: Status = "not_reached"
    sets_done: int = 0
    reps: dict[str, int] = field(default_factory=dict)
    holds: dict[str, int] = field(default_factory=dict)
    seconds: int = 0
    repeats: int = 0
    elapsed_s: int | None = None
    """Clock time on this exercise (from its start to the next one's); None if not reached."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise_id": self.exercise_id,
            "name": self.name,
            "status": self.status,
            "sets_planned": self.sets_planned,
            "sets_done": self.sets_done,
            "reps": dict(self.reps),
            "holds": dict(self.holds),
            "seconds": self.seconds,
            "repeats": self.repeats,
            "elapsed_s": self.elapsed_s,
        }


@dataclass(frozen=True)
class SessionResult:
    items: tuple[ItemLog, ...]
    pain_during: int | None
    quit_early: bool
    started_at: datetime
    finished_at: datetime

    @property
    def elapsed_s(self) -> int:
        """The time the session took, from the player's start to its finish."""
        return sum(i.elapsed_s or 0 for i in self.items)

    @property
    def done(self) -> int:
        """Items finished in full."""
        return sum(1 for i in self.items if i.status == "done")

    def completed(self) -> list[dict[str, Any]]:
        """The items as stored in the session log."""
        return [i.to_dict() for i in self.items]

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.completed(),
            "pain_during": self.pain_during,
            "quit_early": self.quit_early,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
        }


class _Skip(Exception):
    pass


class _Repeat(Exception):
    pass


class _Quit(Exception):
    pass


@dataclass
class _SetCounts:
    reps: dict[str, int] = field(default_factory=dict)
    holds: dict[str, int] = field(default_factory=dict)
    seconds: int = 0

    def add(self, counts: dict[str, int], side: str, n: int) -> None:
        counts[side] = counts.get(side, 0) + n


def _sides(item: SessionItem) -> tuple[str, ...]:
    return ("left", "right") if item.per_side else ("both",)


def _side_words(side: str) -> str:
    return "" if side == "both" else f" — {side} side"


class Player:
    """Plays ``items``; see the module docstring. ``get_ready_s`` counts down before each
    exercise, ``between_s`` to switch sides; rests are the items' ``rest_s``."""

    def __init__(
        self,
        items: Sequence[SessionItem],
        *,
        input_fn: Callable[[str], str] = input,
        sleep: Callable[[float], object] = time.sleep,
        clock: Callable[[], datetime] = _now,
        screen: Screen | None = None,
        get_ready_s: int = GET_READY_S,
        between_s: int = BETWEEN_S,
    ) -> None:
        self.items = list(items)
        self.input_fn = input_fn
        self.sleep = sleep
        self.clock = clock
        self.screen = screen or Screen()
        self.get_ready_s = get_ready_s
        self.between_s = between_s

    # --- input ------------------------------------------------------------------------------

    def _ask(self, prompt: str) -> str:
        self.screen.end_tick()
        try:
            return self.input_fn(prompt).strip()
        except (EOFError, KeyboardInterrupt):
            raise _Quit from None

    def _command(self, prompt: str) -> Command:
        while True:
            text = self._ask(prompt).lower()
            cmd = COMMANDS.get(text)
            if cmd is not None:
                return cmd
            self.screen.line(f"  {text!r}? Enter, or s (skip), r (repeat), p (pause), q (quit).")

    def _pause(self) -> None:
        """Wait until the runner resumes; skip / repeat / quit from here raise."""
        self.screen.bell()
        self.screen.line("  ⏸  Paused.")
        while True:
            cmd = self._command(
                "  Enter = resume · s = skip exercise · r = repeat set · q = quit: "
            )
            if cmd in ("go", "pause"):
                self.screen.line("  ▶  Resumed.")
                return
            raise {"skip": _Skip, "repeat": _Repeat, "quit": _Quit}[cmd]()

    # --- timers -------------------------------------------------------------------------------

    def _timer(self, label: str, seconds: int) -> None:
        """A per-second countdown, bell at the start; Ctrl-C pauses."""
        self.screen.bell()
        self.screen.line(f"  {label} ({_clock(seconds)})")
        remaining = seconds
        while remaining > 0:
            self.screen.tick(label, remaining)
            try:
                self.sleep(1)
            except KeyboardInterrupt:
                self._pause()
                continue
            remaining -= 1
        self.screen.end_tick()

    # --- playing ------------------------------------------------------------------------------

    def play(self) -> SessionResult:
        started = self.clock()
        logs: list[ItemLog] = []
        quit_early = False
        n = len(self.items)
        minutes = round(estimate_seconds(self.items) / 60)
        self.screen.line(f"Today: {n} exercise{'s' if n != 1 else ''}, about {minutes} min.")
        i = 0
        mark = started  # when the time now being spent began (carried over a "repeat")
        while i < n:
            item = self.items[i]
            log = ItemLog(item.exercise_id, item.name, item.sets)
            try:
                cmd = self._intro(item, i)
                if cmd == "repeat":
                    i -= 1
                    continue
                if cmd == "skip":
                    log.status = "skipped"
                else:
                    self._play_item(item, log)
                    log.status = "done"
            except _Skip:
                log.status = "skipped"
                self.screen.line(f"  ⏭  Skipped {item.name}.")
            except _Quit:
                log.status = "stopped"
                mark = self._spent(log, mark)
                logs.append(log)
                quit_early = True
                break
            mark = self._spent(log, mark)
            logs.append(log)
            i += 1
        if quit_early:
            self.screen.line("  ⏹  Session stopped.")
            logs.extend(ItemLog(it.exercise_id, it.name, it.sets) for it in self.items[i + 1 :])
        self.screen.bell()
        pain = self._ask_pain()
        finished = self.clock()
        return SessionResult(tuple(logs), pain, quit_early, started, finished)

    def _spent(self, log: ItemLog, since: datetime) -> datetime:
        """Give ``log`` the clock time since ``since``; returns now (the next one's start)."""
        now = self.clock()
        log.elapsed_s = max(0, round((now - since).total_seconds()))
        return now

    def _intro(self, item: SessionItem, index: int) -> Command:
        self.screen.line()
        self.screen.line(f"{index + 1}/{len(self.items)}  {item.name}: {dosage_text(item)}")
        for cue in item.cues:
            self.screen.line(f"    • {cue}")
        while True:
            cmd = self._command(
                "  Enter = start · s = skip · r = repeat the previous · p = pause · q = quit: "
            )
            if cmd == "quit":
                raise _Quit
            if cmd == "pause":
                self.screen.line("  ⏸  Paused.")
                if self._command("  Enter = resume · q = quit: ") == "quit":
                    raise _Quit
                continue
            if cmd == "repeat" and index == 0:
                self.screen.line("  Nothing to repeat yet.")
                continue
            return cmd

    def _play_item(self, item: SessionItem, log: ItemLog) -> None:
        while True:
            try:
                self._timer(f"Get ready: {item.name}", self.get_ready_s)
                break
            except _Repeat:
                continue
        set_no = 1
        while set_no <= item.sets:
            try:
                if set_no > 1 and item.rest_s > 0:
                    self._timer(f"Rest, then set {set_no} of {item.sets}", item.rest_s)
                counts = self._play_set(item, set_no)
            except _Repeat:
                log.repeats += 1
                self.screen.line(f"  ↺  Set {set_no} again.")
                continue
            for side, k in counts.reps.items():
                log.reps[side] = log.reps.get(side, 0) + k
            for side, k in counts.holds.items():
                log.holds[side] = log.holds.get(side, 0) + k
            log.seconds += counts.seconds
            log.sets_done += 1
            set_no += 1
        self.screen.bell()
        self.screen.line(f"  ✓ {item.name} done.")

    def _play_set(self, item: SessionItem, set_no: int) -> _SetCounts:
        counts = _SetCounts()
        of = f"set {set_no}/{item.sets}" if item.sets > 1 else ""
        sides = _sides(item)
        if item.hold_s is not None:
            holds = item.reps or 1
            first = True
            for rep in range(1, holds + 1):
                for side in sides:
                    if not first and side == sides[0] and item.rest_s > 0:
                        self._timer(f"Rest, then hold {rep} of {holds}", item.rest_s)
                    elif not first and side != sides[0] and self.between_s > 0:
                        self._timer(f"Switch to the {side} side", self.between_s)
                    first = False
                    where = [x for x in (of, f"hold {rep}/{holds}" if holds > 1 else "") if x]
                    label = " · ".join([f"Hold{_side_words(side)}", *where])
                    self._timer(label, item.hold_s)
                    counts.add(counts.holds, side, 1)
                    counts.seconds += item.hold_s
            return counts
        if item.minutes is not None and item.reps is None:
            secs = round(item.minutes * 60)
            for k, side in enumerate(sides):
                if k and self.between_s > 0:
                    self._timer(f"Switch to the {side} side", self.between_s)
                self._timer(f"Go{_side_words(side)}" + (f" ({of})" if of else ""), secs)
                counts.seconds += secs
            return counts
        target = item.reps or 1
        for k, side in enumerate(sides):
            if k and self.between_s > 0:
                self._timer(f"Switch to the {side} side", self.between_s)
            self.screen.bell()
            head = f"{target} reps{_side_words(side)}" + (f" ({of})" if of else "")
            self.screen.line(f"  {head}")
            counts.add(counts.reps, side, self._count_reps(target))
        return counts

    def _count_reps(self, target: int) -> int:
        while True:
            text = self._ask(
                f"  Done? Enter = all {target}, or how many you did (s · r · p · q): "
            ).lower()
            if text.isdigit():
                n = int(text)
                if n <= MAX_REPS:
                    return n
            cmd = COMMANDS.get(text)
            if cmd == "go":
                return target
            if cmd == "skip":
                raise _Skip
            if cmd == "repeat":
                raise _Repeat
            if cmd == "quit":
                raise _Quit
            if cmd == "pause":
                self._pause()
                continue
            self.screen.line(f"  {text!r}? Enter, a number, or s / r / p / q.")

    def _ask_pain(self) -> int | None:
        """Pain during the session, 0–10; None if the input is closed or never valid."""
        for _ in range(MAX_PAIN_TRIES):
            try:
                text = self._ask("How much did it hurt during the session, 0–10? ")
            except _Quit:
                return None
            try:
                pain = parse_pain(text)
            except InputError as exc:
                self.screen.line(f"  {exc}")
                continue
            self.screen.line(f"  {pain_advice(pain)}")
            return pain
        return None


def play(
    items: Sequence[SessionItem],
    *,
    input_fn: Callable[[str], str] = input,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], datetime] = _now,
    screen: Screen | None = None,
    get_ready_s: int = GET_READY_S,
    between_s: int = SWITCH_S,
) -> SessionResult:
    """Play ``items`` and return what was done and the pain during (see :class:`Player`)."""
    return Player(
        items,
        input_fn=input_fn,
        sleep=sleep,
        clock=clock,
        screen=screen,
        get_ready_s=get_ready_s,
        between_s=between_s,
    ).play()
