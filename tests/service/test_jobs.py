"""Background jobs shared by several server processes: heartbeats, taking over the jobs of a process
that went silent, leaving alone those of a live one (SQLite and PostgreSQL)."""

from __future__ import annotations

import gc
import threading
import time
from datetime import timedelta
from typing import Any

import pytest

from goldlabel.service.jobs import JobContext, JobRunner, describe_job, get_job
from goldlabel.store import Database
from goldlabel.store.tables import Job, utcnow

FAST = {"heartbeat_seconds": 0.05, "stale_after_seconds": 1.0}


def _job(db: Database, **fields: Any) -> int:
    with db.write() as s:
        job = Job(kind="count", params={}, **fields)
        s.add(job)
        s.flush()
        return int(job.id)


def _state(db: Database, job_id: int) -> dict[str, Any]:
    with db.read() as s:
        return describe_job(get_job(s, job_id))


def _until(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_running_jobs_heartbeat_advances_and_a_second_runner_leaves_it(
    database: Database,
) -> None:
    release = threading.Event()
    started = threading.Event()

    def slow(ctx: JobContext) -> dict[str, int]:
        started.set()
        assert release.wait(30)
        return {"n": 1}

    job_id = _job(database, status="queued")
    first = JobRunner(database, {"count": slow}, **FAST)
    first.start()
    assert started.wait(30)
    beat = _state(database, job_id)["heartbeat_at"]
    _until(lambda: _state(database, job_id)["heartbeat_at"] != beat)
    second = JobRunner(database, {"count": slow}, **FAST)
    second.start()
    time.sleep(0.3)
    second.tick()
    state = _state(database, job_id)
    assert (state["status"], state["runner"], state["attempts"]) == ("running", first.runner_id, 1)
    release.set()
    first.wait(job_id, timeout=30)
    state = _state(database, job_id)
    assert (state["status"], state["result"], state["attempts"]) == ("succeeded", {"n": 1}, 1)
    for runner in (first, second):
        runner.shutdown()


@pytest.mark.parametrize(
    ("attempts", "status"), [(1, "succeeded"), (2, "failed")], ids=["resumed", "out-of-attempts"]
)
def test_the_job_of_a_silent_runner_is_taken_over(
    database: Database, attempts: int, status: str
) -> None:
    job_id = _job(
        database,
        status="running",
        attempts=attempts,
        runner="dead-host:1:abc",
        heartbeat_at=utcnow() - timedelta(minutes=5),
    )
    runner = JobRunner(database, {"count": lambda ctx: {"n": 2}})
    runner.start()
    runner.wait(job_id, timeout=30)
    state = _state(database, job_id)
    assert state["status"] == status
    if status == "succeeded":
        assert (state["runner"], state["attempts"], state["result"]) == (
            runner.runner_id,
            2,
            {"n": 2},
        )
    else:
        assert "no attempts left" in state["error"]
    runner.shutdown()


def test_the_job_of_a_live_runner_is_left_alone(database: Database) -> None:
    job_id = _job(
        database, status="running", attempts=1, runner="live-host:2:def", heartbeat_at=utcnow()
    )
    runner = JobRunner(database, {"count": lambda ctx: {"n": 3}})
    assert runner.start() == []
    runner.tick()
    state = _state(database, job_id)
    assert (state["status"], state["runner"], state["attempts"]) == (
        "running",
        "live-host:2:def",
        1,
    )
    runner.shutdown()


def test_a_runner_that_went_silent_neither_reports_nor_finishes_a_job_taken_from_it(
    database: Database,
) -> None:
    """The old runner wakes up after another took its job over: its progress report stops it, and
    its result never overwrites the new runner's."""
    release = threading.Event()
    started = threading.Event()
    outcome: list[str] = []

    def sleepy(ctx: JobContext) -> dict[str, str]:
        started.set()
        assert release.wait(30)
        try:
            ctx.progress(0.5, "awake again")
        except Exception as err:
            outcome.append(str(err))
            raise
        return {"by": "old"}

    job_id = _job(database, status="queued")
    old = JobRunner(database, {"count": sleepy}, heartbeat_seconds=300, stale_after_seconds=600)
    old.submit(job_id)
    assert started.wait(30)
    with database.write() as s:  # as a paused process leaves it: no heartbeat for ten minutes
        s.get(Job, job_id).heartbeat_at = utcnow() - timedelta(minutes=10)
    new = JobRunner(database, {"count": lambda ctx: {"by": "new"}})
    new.tick()
    new.wait(job_id, timeout=30)
    assert _state(database, job_id)["result"] == {"by": "new"}
    release.set()
    old.wait(job_id, timeout=30)
    state = _state(database, job_id)
    assert (state["status"], state["result"], state["runner"]) == (
        "succeeded",
        {"by": "new"},
        new.runner_id,
    )
    assert outcome and "taken over by another server process" in outcome[0]
    for runner in (old, new):
        runner.shutdown()


def test_a_queued_job_nobody_runs_is_picked_up_at_the_next_heartbeat(database: Database) -> None:
    runner = JobRunner(database, {"count": lambda ctx: {"n": 4}}, **FAST)
    runner.start()
    job_id = _job(database, status="queued")  # queued by a process that then died
    _until(lambda: _state(database, job_id)["status"] == "succeeded")
    runner.shutdown()


@pytest.mark.parametrize(
    ("beat", "stale"), [(0, 5), (5, 5), (10, 1)], ids=["zero", "equal", "above"]
)
def test_heartbeat_settings_are_checked(sqlite_db: Database, beat: float, stale: float) -> None:
    with pytest.raises(ValueError, match="heartbeat_seconds must be positive and below"):
        JobRunner(sqlite_db, {}, heartbeat_seconds=beat, stale_after_seconds=stale)


def test_a_runner_dropped_without_shutdown_stops_its_heartbeat(sqlite_db: Database) -> None:
    runner = JobRunner(sqlite_db, {}, **FAST)
    runner.start()
    ticker = runner._ticker
    assert ticker is not None and ticker.is_alive()
    del runner
    gc.collect()
    ticker.join(timeout=5)
    assert not ticker.is_alive()
