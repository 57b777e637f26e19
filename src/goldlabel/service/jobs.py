"""Background jobs whose state lives in the database: queued, running, progress, cancel, restart.

A :class:`JobRunner` runs jobs on a small thread pool inside the server process. Several server processes
may share one database: a job is claimed by exactly one of them, and the runner that claimed it records a
heartbeat while it runs. A running job whose heartbeat stopped (its process died) is taken over by any live
runner — at its start and then every few seconds: queued again (resumed) while it has attempts left,
otherwise failed with a message that says so. A job is never silently lost, and a job whose runner is alive
is never taken from it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
import uuid
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from goldlabel.exceptions import GoldlabelError, NotFoundError
from goldlabel.store.database import Database
from goldlabel.store.tables import Job, utcnow

__all__ = [
    "JOB_STATES",
    "JobCancelledError",
    "JobContext",
    "JobRunner",
    "cancel_job",
    "create_job",
    "describe_job",
    "get_job",
]

JOB_STATES = ("queued", "running", "succeeded", "failed", "cancelled")
MAX_ATTEMPTS = 2
#: Seconds between a runner's heartbeats, and after which a silent runner's jobs are taken over.
HEARTBEAT_SECONDS = 10.0
STALE_AFTER_SECONDS = 60.0
_log = logging.getLogger(__name__)


class JobCancelledError(GoldlabelError):
    """Raised inside a job when someone asked to cancel it."""


@dataclass
class JobContext:
    """Handed to a job's handler: report progress, learn whether it was cancelled."""

    db: Database
    job_id: int
    params: dict[str, Any]
    user: str
    #: the runner that claimed the job (None: any)
    runner: str | None = None

    def is_cancelled(self) -> bool:
        """Whether someone asked to cancel this job."""
        with self.db.read() as session:
            return bool(session.scalar(select(Job.cancel_requested).where(Job.id == self.job_id)))

    def progress(self, fraction: float, message: str = "") -> None:
        """Record progress in [0, 1] (and a heartbeat); raises :class:`JobCancelledError` if the job
        was cancelled, or taken over by another server process after this one went silent."""
        with self.db.write() as session:
            job = session.get(Job, self.job_id)
            if job is None:
                raise JobCancelledError(f"job {self.job_id} was deleted")
            if job.cancel_requested:
                raise JobCancelledError(f"job {self.job_id} was cancelled")
            if self.runner is not None and (job.runner != self.runner or job.status != "running"):
                raise JobCancelledError(
                    f"job {self.job_id} was taken over by another server process after this one "
                    "stopped reporting"
                )
            job.progress = float(min(max(fraction, 0.0), 1.0))
            job.message = message[:500]
            job.heartbeat_at = utcnow()


Handler = Callable[[JobContext], Mapping[str, Any]]


def create_job(
    session: Any, *, kind: str, project_id: int | None, params: Mapping[str, Any], user: str
) -> Job:
    """Queue a job (the caller commits, then hands its id to a :class:`JobRunner`)."""
    job = Job(
        kind=kind, project_id=project_id, params=dict(params), created_by=user, status="queued"
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Any, job_id: int) -> Job:
    """The job with this id.

    Raises
    ------
    NotFoundError
        If there is none.
    """
    job = session.get(Job, job_id)
    if job is None:
        raise NotFoundError(f"job {job_id} does not exist.")
    return job  # type: ignore[no-any-return]


def describe_job(job: Job) -> dict[str, Any]:
    """A job as a JSON-ready dict."""
    return {
        "id": job.id,
        "kind": job.kind,
        "project_id": job.project_id,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "result": job.result,
        "error": job.error,
        "attempts": job.attempts,
        "cancel_requested": job.cancel_requested,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "runner": job.runner,
        "heartbeat_at": job.heartbeat_at.isoformat() if job.heartbeat_at else None,
    }


def cancel_job(session: Any, job_id: int) -> Job:
    """Ask a job to stop: a queued job is cancelled at once, a running one at its next progress report."""
    job = get_job(session, job_id)
    if job.status == "queued":
        job.status = "cancelled"
        job.finished_at = utcnow()
        job.message = "cancelled before it started"
    if job.status in ("queued", "running", "cancelled"):
        job.cancel_requested = True
    return job


class JobRunner:
    """Runs queued jobs on a thread pool; one per server process, several per database.

    Parameters
    ----------
    db
        The database holding the jobs.
    handlers
        ``{kind: handler}``; a handler takes a :class:`JobContext` and returns the job's result dict.
    max_workers
        Jobs run at once.
    heartbeat_seconds
        How often the runner records that its running jobs are alive, takes over the jobs of runners
        that went silent and picks up queued jobs nobody runs.
    stale_after_seconds
        How long a running job's heartbeat may be silent before another runner takes it over; well
        above ``heartbeat_seconds``.
    """

    def __init__(
        self,
        db: Database,
        handlers: Mapping[str, Handler],
        *,
        max_workers: int = 1,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        stale_after_seconds: float = STALE_AFTER_SECONDS,
    ) -> None:
        if not 0 < heartbeat_seconds < stale_after_seconds:
            raise ValueError(
                "heartbeat_seconds must be positive and below stale_after_seconds, but received "
                f"heartbeat_seconds={heartbeat_seconds} and stale_after_seconds="
                f"{stale_after_seconds}."
            )
        self.db = db
        self.handlers = dict(handlers)
        self.runner_id = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_after = timedelta(seconds=stale_after_seconds)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="goldlabel-job")
        self._lock = threading.Lock()
        self._futures: dict[int, Future[None]] = {}
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def start(self) -> list[int]:
        """Take over the jobs of runners that went silent, queue every waiting job and start the
        heartbeat; returns the ids of the jobs queued here."""
        queued = self.tick()
        if self._ticker is None:
            # The thread holds the runner weakly: a runner dropped without shutdown() stops beating.
            self._ticker = threading.Thread(
                target=_beat,
                args=(weakref.ref(self), self._stop, self.heartbeat_seconds),
                name="goldlabel-job-heartbeat",
                daemon=True,
            )
            self._ticker.start()
        return queued

    def tick(self) -> list[int]:
        """One heartbeat: record that this runner's jobs are alive, take over stale running jobs, and
        submit the queued jobs this runner is not running yet; returns those jobs' ids."""
        now = utcnow()
        with self.db.write() as session:
            session.execute(
                update(Job)
                .where(Job.runner == self.runner_id, Job.status == "running")
                .values(heartbeat_at=now)
                .execution_options(synchronize_session=False)
            )
            for job in session.scalars(select(Job).where(Job.status == "running")):
                if job.runner != self.runner_id and _silent_since(job, now, self.stale_after):
                    _take_over(session, job)
            queued = list(session.scalars(select(Job.id).where(Job.status == "queued")))
        with self._lock:
            new = [j for j in queued if j not in self._futures or self._futures[j].done()]
        for job_id in new:
            self.submit(job_id)
        return new

    def submit(self, job_id: int) -> None:
        """Run a queued job in the background."""
        with self._lock:
            if job_id in self._futures and not self._futures[job_id].done():
                return
            self._futures[job_id] = self._pool.submit(self._run, job_id)

    def wait(self, job_id: int, timeout: float | None = None) -> None:
        """Block until the job's run in this process ends (for tests and scripts)."""
        with self._lock:
            future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout)

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop taking jobs and stop the heartbeat; with ``wait`` finish the running ones first."""
        self._stop.set()
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def _run(self, job_id: int) -> None:
        with self.db.write() as session:
            job = session.get(Job, job_id)
            if job is None or job.status != "queued":
                return
            handler = self.handlers.get(job.kind)
            if handler is None:
                job.status = "failed"
                job.error = (
                    f"no handler for jobs of kind {job.kind!r}; known: {sorted(self.handlers)}"
                )
                job.finished_at = utcnow()
                return
            # Claim the job with one conditional update: of two runners that saw it queued (two
            # server processes on one database), exactly one moves it to running.
            claimed = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "queued")
                .values(
                    status="running",
                    attempts=Job.attempts + 1,
                    started_at=utcnow(),
                    runner=self.runner_id,
                    heartbeat_at=utcnow(),
                )
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return
            ctx = JobContext(self.db, job.id, dict(job.params), job.created_by, self.runner_id)
        try:
            result = dict(handler(ctx))
        except JobCancelledError:
            self._finish(job_id, "cancelled", message="cancelled")
        except Exception as err:  # a job's failure is recorded, never raised into the pool
            _log.warning("job %s failed: %s", job_id, traceback.format_exc())
            self._finish(job_id, "failed", error=f"{type(err).__name__}: {err}")
        else:
            self._finish(job_id, "succeeded", result=result, message="done")

    def _finish(
        self,
        job_id: int,
        status: str,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        message: str = "",
    ) -> None:
        with self.db.write() as session:
            job = session.get(Job, job_id)
            if job is None or job.runner != self.runner_id or job.status != "running":
                return  # deleted, or taken over by another runner while this one was silent
            job.status = status
            job.finished_at = utcnow()
            job.error = error
            job.message = message or job.message
            if result is not None:
                job.result = result
            if status == "succeeded":
                job.progress = 1.0


def _beat(runner: weakref.ref[JobRunner], stop: threading.Event, seconds: float) -> None:
    """The heartbeat thread: a tick every ``seconds`` until stopped or the runner is gone."""
    while not stop.wait(seconds):
        live = runner()
        if live is None:
            return
        try:
            live.tick()
        except Exception:  # a failed heartbeat is retried at the next one, never raised
            _log.warning("job heartbeat failed: %s", traceback.format_exc())
        del live


def _silent_since(job: Job, now: datetime, stale_after: timedelta) -> bool:
    """Whether a running job's runner has not reported for ``stale_after`` (or never did: a job left
    running before heartbeats were recorded)."""
    beat = job.heartbeat_at
    if beat is None:
        return True
    if beat.tzinfo is None:  # SQLite keeps no time zone; goldlabel writes UTC
        beat = beat.replace(tzinfo=UTC)
    return now - beat > stale_after


def _take_over(session: Any, job: Job) -> None:
    """Resume (queue again) or fail a running job whose runner went silent, unless another runner
    did so first: the update applies only to the job as it was read."""
    resume = job.attempts < MAX_ATTEMPTS and not job.cancel_requested
    values: dict[str, Any] = (
        {"status": "queued", "message": "resumed: the server process running it stopped"}
        if resume
        else {
            "status": "failed",
            "finished_at": utcnow(),
            "error": (
                "the server process running this job stopped and the job has no attempts left; "
                "start it again."
            ),
        }
    )
    session.execute(
        update(Job)
        .where(
            Job.id == job.id,
            Job.status == "running",
            Job.attempts == job.attempts,
            (Job.runner == job.runner) if job.runner is not None else Job.runner.is_(None),
        )
        .values(runner=None, **values)
        .execution_options(synchronize_session=False)
    )
