"""Imports that run in the background, with a progress snapshot anyone can poll.

Why: an export of ten years of activities takes minutes to import. The web server must keep
answering while it runs (its event loop never waits on an import) and the page wants to
show files done out of the total and the activities so far. So an import runs the same
:class:`~hipcoach.importing.Importer` as ``hipcoach import`` in its own thread, its progress
callback updates a :class:`Job`, and readers take a consistent copy under a lock.

One import at a time: the store has one writer, and two imports of the same export would
only race to find the same duplicates. The files imported are the caller's: ``cleanup``
paths (uploaded temporary files) are deleted when the import ends, whatever happened.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from hipcoach.errors import HipcoachError, InputError
from hipcoach.importing import Importer, ImportReport, Outcome

State = Literal["running", "done", "failed"]
KEEP_FINISHED = 20  # finished jobs kept for polling; older ones are forgotten


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
    ) -> Job:
        """Start importing ``paths`` into the store in ``folder``; returns at once."""
        from hipcoach.storage.db import open_engine
        from hipcoach.storage.repository import Repository

        job = Job(uuid.uuid4().hex, list(names))
        hidden = sorted({str(p.parent) + os.sep for p in paths}, key=len, reverse=True)

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

        def work() -> None:
            try:
                total = estimate(list(paths)) if estimate else len(paths)
                self._update(job.id, files_total=max(total, 1))

                def step(o: Outcome, activities: int) -> None:
                    with self._lock:
                        j = self._jobs[job.id]
                        done = j.files_done + 1
                        self._jobs[job.id] = replace(
                            j, files_done=done, activities=activities, current=show(o.name),
                            files_total=max(j.files_total, done),
                        )  # fmt: skip

                repo = Repository(open_engine(folder))
                report = Importer(repo, folder, workers).run(list(paths), step)
                self._update(
                    job.id, state="done", summary=Summary.of(report, show), current=None,
                    activities=report.imported_activities,
                )  # fmt: skip
            except HipcoachError as exc:
                self._update(job.id, state="failed", error=str(exc), current=None)
            except Exception as exc:  # the thread must always report, never die silently
                self._update(
                    job.id, state="failed", current=None,
                    error=f"the import stopped: {type(exc).__name__}: {exc}",
                )  # fmt: skip
            finally:
                for p in cleanup:
                    if p.is_dir():
                        shutil.rmtree(p, ignore_errors=True)
                    else:
                        p.unlink(missing_ok=True)

        threading.Thread(target=work, name=f"import-{job.id[:8]}", daemon=True).start()
        return job


JOBS = Jobs()
