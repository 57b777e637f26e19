"""Background jobs whose state lives in the database: queued, running, progress, cancel, restart.

A :class:`JobRunner` runs jobs on a small thread pool inside the server process. On start it recovers the
jobs a previous process left: a job that was running is queued again (resumed) while it has attempts left,
otherwise failed with a message that says so — a job is never silently lost.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
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

    def is_cancelled(self) -> bool:
        """Whether someone asked to cancel this job."""
        with self.db.read() as session:
            return bool(session.scalar(select(Job.cancel_requested).where(Job.id == self.job_id)))

    def progress(self, fraction: float, message: str = "") -> None:
        """Record progress in [0, 1]; raises :class:`JobCancelledError` if the job was cancelled."""
        with self.db.write() as session:
            job = session.get(Job, self.job_id)
            if job is None:
                raise JobCancelledError(f"job {self.job_id} was deleted")
            if job.cancel_requested:
                raise JobCancelledError(f"job {self.job_id} was cancelled")
            job.progress = float(min(max(fraction, 0.0), 1.0))
            job.message = message[:500]


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
    """Runs queued jobs on a thread pool; one per server process.

    Parameters
    ----------
    db
        The database holding the jobs.
    handlers
        ``{kind: handler}``; a handler takes a :class:`JobContext` and returns the job's result dict.
    max_workers
        Jobs run at once.
    """

    def __init__(
        self, db: Database, handlers: Mapping[str, Handler], *, max_workers: int = 1
    ) -> None:
        self.db = db
        self.handlers = dict(handlers)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="goldlabel-job")
        self._lock = threading.Lock()
        self._futures: dict[int, Future[None]] = {}

    def start(self) -> list[int]:
        """Recover jobs left by a previous process and queue every waiting job; returns their ids."""
        with self.db.write() as session:
            for job in session.scalars(select(Job).where(Job.status == "running")):
                if job.attempts < MAX_ATTEMPTS and not job.cancel_requested:
                    job.status = "queued"
                    job.message = "resumed after the server restarted"
                else:
                    job.status = "failed"
                    job.finished_at = utcnow()
                    job.error = (
                        "the server stopped while this job was running and it has no attempts left; "
                        "start it again."
                    )
            queued = list(session.scalars(select(Job.id).where(Job.status == "queued")))
        for job_id in queued:
            self.submit(job_id)
        return queued

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
        """Stop taking jobs; with ``wait`` finish the running ones first."""
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
                .values(status="running", attempts=Job.attempts + 1, started_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return
            ctx = JobContext(self.db, job.id, dict(job.params), job.created_by)
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
            if job is None:
                return
            job.status = status
            job.finished_at = utcnow()
            job.error = error
            job.message = message or job.message
            if result is not None:
                job.result = result
            if status == "succeeded":
                job.progress = 1.0
