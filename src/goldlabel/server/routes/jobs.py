"""Background jobs: status, progress, cancel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from goldlabel.server.deps import CurrentUser, State
from goldlabel.service.jobs import cancel_job, describe_job, get_job
from goldlabel.store.tables import Job

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


@router.get("")
def list_jobs(
    state: State, _user: CurrentUser, project_id: int | None = None
) -> list[dict[str, Any]]:
    """Jobs, newest first (of one project when ``project_id`` is given)."""
    stmt = select(Job).order_by(Job.id.desc()).limit(200)
    if project_id is not None:
        stmt = stmt.where(Job.project_id == project_id)
    with state.db.read() as session:
        return [describe_job(j) for j in session.scalars(stmt)]


@router.get("/{job_id}")
def show_job(state: State, _user: CurrentUser, job_id: int) -> dict[str, Any]:
    """A job's status and progress."""
    with state.db.read() as session:
        return describe_job(get_job(session, job_id))


@router.post("/{job_id}/cancel")
def cancel(state: State, _user: CurrentUser, job_id: int) -> dict[str, Any]:
    """Ask a job to stop."""
    with state.db.write() as session:
        return describe_job(cancel_job(session, job_id))
