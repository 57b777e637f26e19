from __future__ import annotations

import pytest

from goldlabel.exceptions import DataValidationError, NotFoundError
from goldlabel.service.engines import BaselineEngine
from goldlabel.service.jobs import JobRunner, get_job
from goldlabel.service.modeling import (
    TRAIN_JOB,
    deploy_model,
    get_model,
    make_train_handler,
    predict_rows,
    start_training,
)
from goldlabel.service.pipeline_engine import PipelineEngine
from goldlabel.store import Database
from tests.service.helpers import make_project


@pytest.mark.parametrize("engine", [PipelineEngine, BaselineEngine], ids=["pipeline", "baseline"])
def test_train_deploy_predict(sqlite_db: Database, engine: type) -> None:
    """The default engine deploys the analysis pipeline's own choice of model; the baseline too."""
    _, pid = make_project(sqlite_db, 160, labeled_fraction=0.5)
    with sqlite_db.write() as s:
        job_id = start_training(s, pid, user="ana").id
    runner = JobRunner(sqlite_db, {TRAIN_JOB: make_train_handler(engine)})
    runner.start()
    runner.wait(job_id, timeout=120)
    with sqlite_db.read() as s:
        job = get_job(s, job_id)
        assert job.status == "succeeded", job.error
        model_id = job.result["model_id"]
        assert get_model(s, model_id).metrics["n_train"] == 80
        assert get_model(s, model_id).metrics["cv_accuracy"] > 0.7
        with pytest.raises(NotFoundError, match=f"project {pid} has no deployed model"):
            predict_rows(s, pid, [{"title": "x"}])
    with sqlite_db.write() as s:
        assert deploy_model(s, model_id).deployed
    rows = [
        {
            "title": "Striker scores in the cup final",
            "description": "the team won the league match",
        },
        {"title": "Shares and profit", "description": "investors bank earnings market stocks"},
    ]
    with sqlite_db.read() as s:
        out = predict_rows(s, pid, rows)
        assert [p["label"] for p in out] == ["Sports", "Business"]
        assert abs(sum(out[0]["probabilities"].values()) - 1) < 1e-6
        with pytest.raises(DataValidationError, match="at least one row"):
            predict_rows(s, pid, [])
        with pytest.raises(NotFoundError, match="model 77 does not exist"):
            get_model(s, 77)
