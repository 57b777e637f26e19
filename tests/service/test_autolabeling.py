"""The studio's auto-labeling: proposal on the current analysis, monotone in the target, applied once."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from goldlabel.exceptions import ConflictError
from goldlabel.service.analysis import ANALYSIS_JOB, make_analysis_handler, start_analysis
from goldlabel.service.autolabeling import apply_autolabel, propose_autolabel
from goldlabel.service.jobs import JobRunner, describe_job, get_job
from goldlabel.service.pipeline_engine import PipelineEngine
from goldlabel.store import Database
from tests.service.helpers import make_project
from tests.store.dbfixtures import open_test_database

N_ROWS = 1500


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, int]]:
    db = next(open_test_database("sqlite", tmp_path_factory.mktemp("autolabel")))
    _, pid = make_project(db, N_ROWS, labeled_fraction=0.04, noise=0.05, random_state=2)
    with db.write() as s:
        job_id = start_analysis(s, pid, user="ana").id
    runner = JobRunner(
        db, {ANALYSIS_JOB: make_analysis_handler(lambda: PipelineEngine(time_budget=10))}
    )
    runner.start()
    runner.wait(job_id, timeout=300)
    runner.shutdown()
    with db.read() as s:
        job = describe_job(get_job(s, job_id))
    assert job["status"] == "succeeded", job["error"]
    yield db, pid
    db.dispose()


def test_proposal_is_monotone_in_the_target(analysed: tuple[Database, int]) -> None:
    db, pid = analysed
    with db.read() as s:
        proposals = [
            propose_autolabel(s, pid, target_accuracy=t) for t in (0.7, 0.8, 0.85, 0.9, 0.95)
        ]
    counts = [p["n_to_label"] for p in proposals]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > 0
    assert all(p["n_unlabeled"] == N_ROWS - 60 for p in proposals)
    assert all(p["n_calibration_rows"] <= 60 for p in proposals)


def test_apply_labels_the_proposed_rows_and_refuses_a_stale_proposal(
    analysed: tuple[Database, int],
) -> None:
    db, pid = analysed
    with db.read() as s:
        proposal = propose_autolabel(s, pid, target_accuracy=0.8)
    with db.write() as s, pytest.raises(ConflictError, match="the current analysis is"):
        apply_autolabel(
            s, pid, analysis_id=proposal["analysis_id"] + 1, user="ana", target_accuracy=0.8
        )
    with db.write() as s:
        applied, action = apply_autolabel(
            s, pid, analysis_id=proposal["analysis_id"], user="ana", target_accuracy=0.8
        )
    assert applied["n_to_label"] == proposal["n_to_label"] == action.n_rows
    with db.read() as s:
        again = propose_autolabel(s, pid, target_accuracy=0.8)
    # the labelled rows left the pool; the calibration rows (labelled at analysis time) did not change
    assert again["n_unlabeled"] == proposal["n_unlabeled"] - proposal["n_to_label"]
    assert again["n_calibration_rows"] <= 60
    assert np.isfinite(again["coverage"])
