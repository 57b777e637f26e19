from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from goldlabel.exceptions import NotFoundError
from goldlabel.service.analysis import (
    ANALYSIS_JOB,
    get_analysis,
    load_analysis_probs,
    make_analysis_handler,
    start_analysis,
)
from goldlabel.service.demo import NEWS_CLASSES, generate_news_frame
from goldlabel.service.engines import AnalysisInput, AnalysisOutput, BaselineEngine, Progress
from goldlabel.service.jobs import JobRunner, cancel_job, describe_job, get_job
from goldlabel.service.rows import RowFilter, list_rows
from goldlabel.store import Database
from goldlabel.store.tables import Job
from tests.service.helpers import make_project


def _run(db: Database, pid: int, engine=BaselineEngine) -> dict:
    with db.write() as s:
        job_id = start_analysis(s, pid, user="ana").id
    runner = JobRunner(db, {ANALYSIS_JOB: make_analysis_handler(engine)})
    runner.start()
    runner.wait(job_id, timeout=120)
    runner.shutdown()
    with db.read() as s:
        return describe_job(get_job(s, job_id))


def test_analysis_job_scores_every_row(database: Database) -> None:
    _, pid = make_project(database, 400, labeled_fraction=0.3, noise=0.1, random_state=3)
    _, truth = generate_news_frame(400, labeled_fraction=0.3, noise=0.1, random_state=3)
    job = _run(database, pid)
    assert job["status"] == "succeeded", job["error"]
    assert job["progress"] == 1.0 and job["attempts"] == 1
    with database.read() as s:
        analysis = get_analysis(s, pid)
        assert analysis.engine == "baseline-logreg"
        _ids, labels_at, probs = load_analysis_probs(s, analysis, 4)
        page = list_rows(s, pid, sort="label_issue_score", descending=True, limit=1000)
    assert probs.shape == (400, 4) and np.allclose(probs.sum(1), 1, atol=1e-5)
    assert (labels_at >= 0).sum() == 120
    suggested = np.array(
        [
            NEWS_CLASSES.index(r["suggested_label"])
            for r in sorted(page.rows, key=lambda r: r["row_id"])
        ]
    )
    assert (suggested == truth).mean() > 0.8  # a real model, not noise
    flagged = [r for r in page.rows if r["is_label_issue"]]
    assert flagged and all(r["label"] is not None for r in flagged)
    assert all(
        0 <= r["label_issue_score"] <= 1 for r in page.rows if r["label_issue_score"] is not None
    )


def test_failing_analysis_is_recorded(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 20, labeled_fraction=0.0)
    job = _run(sqlite_db, pid)
    assert job["status"] == "failed"
    assert "labeled rows of at least 2 classes" in job["error"]
    with (
        pytest.raises(NotFoundError, match=f"project {pid} has no analysis"),
        sqlite_db.read() as s,
    ):
        get_analysis(s, pid)


class _UntilCancelled:
    """An engine that reports progress until someone cancels its job."""

    name = "until-cancelled"

    def __init__(self, started: threading.Event) -> None:
        self.started = started

    def analyze(self, data: AnalysisInput, *, progress: Progress) -> AnalysisOutput:
        for i in range(10_000):
            progress((i + 1) / 10_000, "working")
            self.started.set()
            threading.Event().wait(0.01)
        raise AssertionError("never cancelled")

    def train(self, data, *, progress):  # pragma: no cover - not used
        raise NotImplementedError


def test_cancel_a_running_job(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 20)
    started = threading.Event()
    with sqlite_db.write() as s:
        job_id = start_analysis(s, pid, user="ana").id
    runner = JobRunner(
        sqlite_db, {ANALYSIS_JOB: make_analysis_handler(lambda: _UntilCancelled(started))}
    )
    runner.start()
    assert started.wait(30)
    with sqlite_db.write() as s:
        cancel_job(s, job_id)
    runner.wait(job_id, timeout=30)
    with sqlite_db.read() as s:
        job = get_job(s, job_id)
        assert job.status == "cancelled" and 0 < job.progress < 1


def test_cancel_a_queued_job(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 20)
    with sqlite_db.write() as s:
        job_id = start_analysis(s, pid, user="ana").id
    with sqlite_db.write() as s:
        assert cancel_job(s, job_id).status == "cancelled"
    runner = JobRunner(sqlite_db, {ANALYSIS_JOB: make_analysis_handler(BaselineEngine)})
    assert runner.start() == []


@pytest.mark.parametrize(
    ("attempts", "status"), [(1, "succeeded"), (2, "failed")], ids=["resumed", "out-of-attempts"]
)
def test_job_left_running_by_a_dead_process(
    sqlite_db: Database, attempts: int, status: str
) -> None:
    _, pid = make_project(sqlite_db, 60, labeled_fraction=0.5)
    with sqlite_db.write() as s:
        job = start_analysis(s, pid, user="ana")
        job.status, job.attempts = "running", attempts  # as a killed server leaves it
        job_id = job.id
    runner = JobRunner(sqlite_db, {ANALYSIS_JOB: make_analysis_handler(BaselineEngine)})
    runner.start()
    runner.wait(job_id, timeout=60)
    with sqlite_db.read() as s:
        job = s.get(Job, job_id)
        assert job.status == status
        if status == "failed":
            assert "has no attempts left" in job.error


def test_unknown_job_kind_fails_with_a_message(sqlite_db: Database) -> None:
    with sqlite_db.write() as s:
        job = Job(kind="dance", params={}, status="queued")
        s.add(job)
        s.flush()
        job_id = job.id
    runner = JobRunner(sqlite_db, {})
    runner.start()
    runner.wait(job_id)
    with sqlite_db.read() as s:
        assert "no handler for jobs of kind 'dance'" in get_job(s, job_id).error
        with pytest.raises(NotFoundError, match="job 999 does not exist"):
            get_job(s, 999)


def test_retrain_uses_current_labels(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 120, labeled_fraction=0.5)
    assert _run(sqlite_db, pid)["status"] == "succeeded"
    from goldlabel.service.actions import apply_action

    with sqlite_db.write() as s:
        apply_action(s, pid, kind="autofix", user="a", row_filter=RowFilter(unlabeled=True))
    job = _run(sqlite_db, pid)
    assert job["result"]["metrics"]["n_labeled"] == 120
    assert job["result"]["analysis_id"] == 2


def test_two_runners_on_one_database_run_a_job_once(database: Database) -> None:
    """Two server processes' runners that both read a job as queued: one claims it, the other leaves
    it (PostgreSQL; SQLite's writers queue on BEGIN IMMEDIATE, so they never read it together)."""
    if database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: two runners cannot read a queued job at once")
    with database.write() as s:
        job = Job(kind="count", params={}, status="queued")
        s.add(job)
        s.flush()
        job_id = job.id
    calls: list[int] = []
    both_read = threading.Barrier(2)

    class ReadTogether:
        """The database, but a runner waits after reading the job until the other has read it too."""

        engine = database.engine

        @contextlib.contextmanager
        def write(self) -> Iterator[Any]:
            with database.write() as session:
                real_get = session.get

                def get(entity: Any, ident: Any, **kw: Any) -> Any:
                    found = real_get(entity, ident, **kw)
                    if entity is Job and found is not None and found.status == "queued":
                        both_read.wait(timeout=10)
                    return found

                session.get = get  # type: ignore[method-assign]
                yield session

        def read(self) -> Any:
            return database.read()

    def handler(ctx: object) -> dict[str, int]:
        calls.append(1)
        return {"n": len(calls)}

    runners = [JobRunner(ReadTogether(), {"count": handler}) for _ in range(2)]  # type: ignore[arg-type]
    for r in runners:
        r.submit(job_id)
    for r in runners:
        r.wait(job_id, timeout=30)
    with database.read() as s:
        done = get_job(s, job_id)
        assert (done.status, done.attempts) == ("succeeded", 1)
    assert len(calls) == 1
