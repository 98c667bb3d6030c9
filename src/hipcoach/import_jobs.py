"""Imports that run in the background, with a progress snapshot anyone can poll.

Why: an export of ten years of activities takes minutes to import. The web server must keep
answering while it runs (its event loop never waits on an import) and the page wants to
show files done out of the total and the activities so far. So an import runs the same
:class:`~hipcoach.importing.Importer` as ``hipcoach import``, in a child process followed by
a thread of the server: each file's outcome comes back through a pipe and updates a
:class:`Job`, and readers take a consistent copy under a lock.

A child process, not a thread: reading an upload is reading a stranger's file, and code
that spins in C (a regex, a decompressor) holds the interpreter lock for as long as it
spins, which in a thread stops every request of the server. In its own process it can be
watched and stopped: an import that reports nothing for ``stall_seconds`` is killed and
the job fails with the reason, and a child that dies fails its job instead of leaving it
"running" for ever. The child and its readers die with the server.

One import at a time: the store has one writer, and two imports of the same export would
only race to find the same duplicates. The files imported are the caller's: ``cleanup``
paths (uploaded temporary files) are deleted when the import ends, whatever happened.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal

from hipcoach.errors import HipcoachError, InputError
from hipcoach.importing import ImportReport, Outcome, budget_from_env, die_with_parent

State = Literal["running", "done", "failed"]
KEEP_FINISHED = 20  # finished jobs kept for polling; older ones are forgotten
START_SECONDS = 60.0  # for the import's process to start and open the store
STALL_SECONDS = 120.0
"""An import that reports nothing for this long (or four file budgets, if longer) is stuck:
every file's reading has its own budget, so only the walk through folders and archives
or the store can be silent this long, and neither is, unless something is wrong."""


class ImportBusy(InputError):
    """Another import is still running."""


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


@dataclass(frozen=True)
class Summary:
    """What ``hipcoach import`` prints at the end, as data."""

    files: int
    imported_files: int
    imported_activities: int
    duplicate_files: int
    duplicate_activities: int
    not_activities: int
    skipped: list[Skipped]
    seconds: float
    nothing_new: bool

    @classmethod
    def of(cls, r: ImportReport, show: Callable[[str], str] = str) -> Summary:
        return cls(
            r.files, r.imported_files, r.imported_activities, r.duplicate_files,
            r.duplicate_activities, r.not_activities,
            [Skipped(show(o.name), o.reason) for o in r.skipped], round(r.seconds, 2),
            r.nothing_new,
        )  # fmt: skip


@dataclass(frozen=True)
class Job:
    """A snapshot of one import. ``files_total`` is an estimate that grows if it was low."""

    id: str
    names: list[str]
    state: State = "running"
    files_done: int = 0
    files_total: int = 1
    activities: int = 0
    current: str | None = None
    started: float = field(default_factory=time.time)
    summary: Summary | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["elapsed_s"] = round(time.time() - self.started, 1)
        return d


class Jobs:
    """The registry of imports in this process (the web app keeps one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def running(self) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs.values() if j.state == "running"), None)

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            self._jobs[job_id] = replace(self._jobs[job_id], **changes)

    def start(
        self,
        paths: Sequence[Path],
        names: Sequence[str],
        *,
        folder: Path,
        cleanup: Sequence[Path] = (),
        workers: int | None = None,
        estimate: Callable[[list[Path]], int] | None = None,
        stall_seconds: float | None = None,
    ) -> Job:
        """Start importing ``paths`` into the store in ``folder``; returns at once.

        ``estimate`` (a module-level function: it runs in the import's process) gives the
        progress bar's total.
        """
        from hipcoach.storage.db import database_url

        job = Job(uuid.uuid4().hex, list(names))
        hidden = sorted({str(p.parent) + os.sep for p in paths}, key=len, reverse=True)
        seconds = budget_from_env()  # read here: the child's environment may be older
        stall = stall_seconds or max(STALL_SECONDS, 4 * seconds)
        setup = _Setup(list(paths), folder, database_url(folder), workers, seconds, estimate)

        def show(name: str) -> str:
            """A file's name as the user knows it: without the temporary folder it sits in."""
            for prefix in hidden:
                if name.startswith(prefix):
                    return name[len(prefix) :]
            return name

        with self._lock:
            if any(j.state == "running" for j in self._jobs.values()):
                raise ImportBusy("an import is already running; wait for it to finish")
            self._jobs[job.id] = job
            finished = [k for k, j in self._jobs.items() if j.state != "running"]
            for k in finished[:-KEEP_FINISHED]:
                del self._jobs[k]

        def step(o: Outcome, activities: int) -> None:
            with self._lock:
                j = self._jobs[job.id]
                done = j.files_done + 1
                self._jobs[job.id] = replace(
                    j, files_done=done, activities=activities, current=show(o.name),
                    files_total=max(j.files_total, done),
                )  # fmt: skip

        def work() -> None:
            # A forkserver: forking the server itself, threads and all, could copy a held lock.
            context = multiprocessing.get_context("forkserver")
            child: multiprocessing.process.BaseProcess | None = None
            ours: Connection | None = None
            end: dict[str, Any] = {"state": "failed", "error": "the import stopped"}
            try:
                ours, theirs = context.Pipe(duplex=False)
                child = context.Process(
                    target=_import_in_child, args=(theirs, setup, os.getpid()),
                    name="hipcoach-import",
                )  # fmt: skip
                child.start()
                theirs.close()  # so the child's death reads as end-of-file here
                report = self._follow(job.id, ours, child, stall, step, show)
                end = {
                    "state": "done", "summary": Summary.of(report, show),
                    "activities": report.imported_activities,
                }  # fmt: skip
            except HipcoachError as exc:
                end = {"state": "failed", "error": str(exc)}
            except Exception as exc:  # the thread must always report, never die silently
                end = {
                    "state": "failed", "error": f"the import stopped: {type(exc).__name__}: {exc}"
                }  # fmt: skip
            finally:
                if child is not None and child.pid is not None:
                    if end["state"] == "done":
                        child.join(2)  # after its report it only has to exit
                    if child.exitcode is None:
                        child.kill()  # stalled, or would not end; its readers die with it
                        child.join(10)
                if ours is not None:
                    ours.close()
                for p in cleanup:
                    if p.is_dir():
                        shutil.rmtree(p, ignore_errors=True)
                    else:
                        p.unlink(missing_ok=True)
                # last: whoever sees the job ended finds its uploads gone and no process left
                self._update(job.id, current=None, **end)

        threading.Thread(target=work, name=f"import-{job.id[:8]}", daemon=True).start()
        return job

    def _follow(
        self,
        job_id: str,
        conn: Connection,
        child: multiprocessing.process.BaseProcess,
        stall: float,
        step: Callable[[Outcome, int], None],
        show: Callable[[str], str],
    ) -> ImportReport:
        """Relay the child's messages into the job until its report, its failure or its end."""
        last: str | None = None
        started = False  # a new process imports modules and may migrate the database first
        while True:
            if not conn.poll(stall if started else max(stall, START_SECONDS)):
                after = f"after {show(last)}" if last else "before the first file"
                raise HipcoachError(
                    f"the import stopped: nothing was read for {stall:g} s ({after}); the next "
                    "file or archive may be damaged or hostile. Everything imported until then "
                    "is kept; import the rest without that file"
                )
            try:
                kind, *data = conn.recv()
            except (EOFError, OSError):
                child.join(5)
                raise HipcoachError(
                    f"the import stopped unexpectedly ({_how(child.exitcode)}"
                    f"{', after ' + show(last) if last else ''}); everything imported until "
                    "then is kept. Import the same files again to finish"
                ) from None
            started = True
            if kind == "total":
                self._update(job_id, files_total=max(int(data[0]), 1))
            elif kind == "step":
                outcome, activities = data
                last = outcome.name
                step(outcome, activities)
            elif kind == "done":
                report: ImportReport = data[0]
                return report
            else:
                raise HipcoachError(str(data[0]))


@dataclass(frozen=True)
class _Setup:
    """What the import's process needs; everything picklable."""

    paths: list[Path]
    folder: Path
    url: str
    workers: int | None
    seconds: float
    estimate: Callable[[list[Path]], int] | None


def _import_in_child(conn: Connection, setup: _Setup, server: int) -> None:
    """The import's own process: runs the Importer, sends every outcome, then the report."""
    from hipcoach.importing import Importer
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.repository import Repository

    die_with_parent(server, forked=False)
    try:
        total = len(setup.paths)
        if setup.estimate is not None:
            with contextlib.suppress(Exception):  # only the progress bar's total
                total = setup.estimate(setup.paths)
        repo = Repository(open_engine(setup.folder, setup.url))
        conn.send(("total", total))  # also: started, the watch for a stall begins now
        importer = Importer(repo, setup.folder, setup.workers, setup.seconds)
        report = importer.run(setup.paths, lambda o, n: conn.send(("step", o, n)))
        conn.send(("done", report))
    except HipcoachError as exc:
        conn.send(("failed", str(exc)))
    except Exception as exc:
        conn.send(("failed", f"the import stopped: {type(exc).__name__}: {exc}"))


def _how(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"its process was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"its process was killed by signal {-code}"
    return f"its process ended with exit code {code}"


JOBS = Jobs()
