"""Model versions: train a final model on the cleanset, keep it with its metrics, deploy it, predict."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goldlabel.exceptions import DataValidationError, NotFoundError
from goldlabel.service.analysis import build_analysis_input, get_job_project
from goldlabel.service.engines import AnalysisEngine, default_engine
from goldlabel.service.jobs import JobContext, create_job
from goldlabel.service.projects import get_project
from goldlabel.store.tables import Job, ModelVersion

__all__ = [
    "TRAIN_JOB",
    "deploy_model",
    "describe_model",
    "get_model",
    "make_train_handler",
    "predict_rows",
    "start_training",
]

TRAIN_JOB = "train"


def start_training(session: Session, project_id: int, *, user: str) -> Job:
    """Queue a job that trains a model version on the project's current labels."""
    get_project(session, project_id)
    return create_job(session, kind=TRAIN_JOB, project_id=project_id, params={}, user=user)


def make_train_handler(
    engine_factory: Callable[[], AnalysisEngine] = default_engine,
) -> Callable[[JobContext], Mapping[str, Any]]:
    """The job handler that trains a model version on the cleanset (labeled, not excluded rows)."""

    def handle(ctx: JobContext) -> Mapping[str, Any]:
        with ctx.db.read() as session:
            project = get_job_project(session, ctx.job_id)
            data = build_analysis_input(session, project)
        trained = engine_factory().train(data, progress=ctx.progress)
        with ctx.db.write() as session:
            model = ModelVersion(
                project_id=project.id,
                classes=list(project.classes),
                metrics=dict(trained.metrics),
                artifact=pickle.dumps(
                    {
                        "model": trained.model,
                        "columns": [str(c) for c in data.frame.columns],
                        "task": project.task,
                    }
                ),
                created_by=ctx.user,
            )
            session.add(model)
            session.flush()
            return {"model_id": model.id, "metrics": model.metrics}

    return handle


def get_model(session: Session, model_id: int) -> ModelVersion:
    """The model version with this id.

    Raises
    ------
    NotFoundError
        If there is none.
    """
    model = session.get(ModelVersion, model_id)
    if model is None:
        raise NotFoundError(
            f"model {model_id} does not exist; train one with POST /api/projects/{{id}}/models."
        )
    return model


def describe_model(model: ModelVersion) -> dict[str, Any]:
    """A model version as a JSON-ready dict."""
    return {
        "id": model.id,
        "project_id": model.project_id,
        "classes": model.classes,
        "metrics": model.metrics,
        "deployed": model.deployed,
        "created_by": model.created_by,
        "created_at": model.created_at.isoformat(),
    }


def deploy_model(session: Session, model_id: int) -> ModelVersion:
    """Make this model the project's deployed one (and no other)."""
    model = get_model(session, model_id)
    session.execute(
        update(ModelVersion)
        .where(ModelVersion.project_id == model.project_id)
        .values(deployed=False)
        .execution_options(synchronize_session=False)
    )
    model.deployed = True
    session.flush()
    return model


def predict_rows(
    session: Session,
    project_id: int,
    records: Sequence[Mapping[str, Any]],
    *,
    model_id: int | None = None,
) -> list[dict[str, Any]]:
    """Predict rows with the project's deployed model (or a given model version).

    Parameters
    ----------
    records
        Rows as ``{column: value}`` with the dataset's columns (missing ones are empty).

    Returns
    -------
    list of dict
        ``{"label": class name, "confidence": float, "probabilities": {class: float}}`` per row. For
        a multi-label project ``label`` is the list of classes with probability at least 0.5,
        ``confidence`` the probability of exactly that set (classes taken as independent:
        the product of ``max(p, 1 - p)``) and ``probabilities`` each class's own probability.

    Raises
    ------
    NotFoundError
        If no model is deployed (and none is named).
    DataValidationError
        If ``records`` is empty.
    """
    if model_id is None:
        model = session.scalar(
            select(ModelVersion).where(
                ModelVersion.project_id == project_id, ModelVersion.deployed.is_(True)
            )
        )
        if model is None:
            raise NotFoundError(
                f"project {project_id} has no deployed model; deploy one with POST /api/models/{{id}}/deploy."
            )
    else:
        model = get_model(session, model_id)
    if not records:
        raise DataValidationError("predict needs at least one row; got an empty list.")
    artifact = pickle.loads(model.artifact)  # our own artifact, written by make_train_handler
    frame = pd.DataFrame(list(records)).reindex(columns=artifact["columns"])
    probs = np.asarray(artifact["model"].predict_proba(frame, len(model.classes)))
    classes = model.classes
    if artifact.get("task") == "multilabel":
        from goldlabel.learn.multilabel_crossval import compute_set_confidence  # loaded on use

        return [
            {
                "label": [c for c, v in zip(classes, p, strict=True) if v >= 0.5],
                "confidence": float(compute_set_confidence(p)),
                "probabilities": {c: float(v) for c, v in zip(classes, p, strict=True)},
            }
            for p in probs
        ]
    return [
        {
            "label": classes[int(p.argmax())],
            "confidence": float(p.max()),
            "probabilities": {c: float(v) for c, v in zip(classes, p, strict=True)},
        }
        for p in probs
    ]
