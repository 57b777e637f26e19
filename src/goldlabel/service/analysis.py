"""Running an analysis: featurize -> cross-validate -> audit -> suggestions, as a background job.

The model runs outside any transaction on a snapshot of the project's current labels; its results are
written in one transaction at the end (per-row results, the current scores in ``row_states``, the
project's current analysis), so a crash or a cancel leaves the previous analysis in place.
"""

from __future__ import annotations

import json
import math
import pickle
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from goldlabel.exceptions import NotFoundError
from goldlabel.service.engines import AnalysisEngine, AnalysisInput, AnalysisOutput, default_engine
from goldlabel.service.importing import load_dataset_frame
from goldlabel.service.jobs import JobContext, create_job
from goldlabel.service.projects import decode_label, get_project
from goldlabel.store.bulk import insert_rows, refresh_statistics, update_rows
from goldlabel.store.database import Database
from goldlabel.store.tables import Analysis, AnalysisRow, Job, Project, RowState, utcnow

__all__ = [
    "ANALYSIS_JOB",
    "build_analysis_input",
    "get_analysis",
    "get_job_project",
    "load_analysis_probs",
    "make_analysis_handler",
    "start_analysis",
]

ANALYSIS_JOB = "analysis"
_STATE_COLUMNS = (
    "suggested_label",
    "suggested_label_confidence",
    "is_label_issue",
    "label_issue_score",
    "is_outlier_issue",
    "outlier_score",
    "is_near_duplicate_issue",
    "near_duplicate_score",
)


def build_analysis_input(
    session: Session, project: Project, *, random_state: int = 0
) -> AnalysisInput:
    """The project's rows and current labels (excluded rows count as unlabeled)."""
    frame = load_dataset_frame(session, project.dataset_id)
    labels = np.full(len(frame), -1, dtype=np.int64)
    position = {r: i for i, r in enumerate(frame.index)}
    stmt = select(RowState.row_id, RowState.label, RowState.status).where(
        RowState.project_id == project.id
    )
    for row_id, label, status in session.execute(stmt):
        if label is not None and status != "excluded":
            labels[position[row_id]] = int(label)
    return AnalysisInput(
        frame=frame,
        labels=labels,
        task=project.task,
        classes=list(project.classes),
        text_columns=list(project.text_columns),
        feature_columns=list(project.feature_columns),
        image_column=project.image_column,
        random_state=random_state,
    )


def start_analysis(session: Session, project_id: int, *, user: str) -> Job:
    """Queue an analysis job for the project (the caller commits and submits it to a runner)."""
    get_project(session, project_id)
    return create_job(session, kind=ANALYSIS_JOB, project_id=project_id, params={}, user=user)


def _json_value(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _column_value(name: str, value: Any, project: Project) -> Any:
    value = _json_value(value)
    if name == "suggested_label" and value is not None:
        return decode_label(int(value), project.classes, task=project.task)
    return value


def _state_value(name: str, column: np.ndarray | None, i: int) -> Any:
    if column is None:
        return None
    value = _json_value(column[i])
    if name.startswith("is_") and value is not None:
        return bool(value)
    return value


def save_analysis(
    session: Session,
    project: Project,
    data: AnalysisInput,
    output: AnalysisOutput,
    *,
    job_id: int | None,
) -> Analysis:
    """Store an analysis's results and make it the project's current one."""
    n = len(data.frame)
    if output.pred_probs.shape[0] != n:
        raise ValueError(
            f"engine returned {output.pred_probs.shape[0]} rows of probabilities for {n} rows"
        )
    analysis = Analysis(
        project_id=project.id,
        job_id=job_id,
        status="succeeded",
        engine=output.engine,
        metrics={k: _json_value(v) for k, v in output.metrics.items()},
        extra_columns=list(output.columns),
        model=pickle.dumps(output.model) if output.model is not None else None,
        finished_at=utcnow(),
    )
    session.add(analysis)
    session.flush()
    probs = np.asarray(output.pred_probs, dtype=np.float32)
    cols = output.columns
    row_ids = [int(r) for r in data.frame.index]

    def analysis_rows() -> Any:
        for i, row_id in enumerate(row_ids):
            extra = {c: _column_value(c, cols[c][i], project) for c in cols}
            label = int(data.labels[i]) if data.labels[i] >= 0 else None
            yield (analysis.id, row_id, label, probs[i].tobytes(), json.dumps(extra))

    insert_rows(
        session,
        "analysis_rows",
        ("analysis_id", "row_id", "label", "pred_probs", "extra"),
        analysis_rows(),
    )
    update_rows(
        session,
        "row_states",
        _STATE_COLUMNS,
        ("project_id", "row_id"),
        (
            (*(_state_value(c, cols.get(c), i) for c in _STATE_COLUMNS), project.id, row_id)
            for i, row_id in enumerate(row_ids)
        ),
    )
    project.current_analysis_id = analysis.id
    refresh_statistics(session, "row_states")
    return analysis


def get_analysis(session: Session, project_id: int, analysis_id: int | None = None) -> Analysis:
    """An analysis of the project, by default its current one.

    Raises
    ------
    NotFoundError
        If the project has no such (or no) analysis.
    """
    project = get_project(session, project_id)
    wanted = analysis_id if analysis_id is not None else project.current_analysis_id
    analysis = session.get(Analysis, wanted) if wanted is not None else None
    if analysis is None or analysis.project_id != project_id:
        raise NotFoundError(
            f"project {project_id} has no analysis {wanted if wanted is not None else ''}".rstrip()
            + "; run one with POST /api/projects/{id}/analyses."
        )
    return analysis


def load_analysis_probs(
    session: Session, analysis: Analysis, n_classes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row ids, labels at analysis time with -1 for none, pred_probs of shape (N, K)) of an analysis."""
    ids: list[int] = []
    labels: list[int] = []
    blobs: list[bytes] = []
    stmt = (
        select(AnalysisRow.row_id, AnalysisRow.label, AnalysisRow.pred_probs)
        .where(AnalysisRow.analysis_id == analysis.id)
        .order_by(AnalysisRow.row_id)
    )
    for row_id, label, blob in session.execute(stmt):
        ids.append(row_id)
        labels.append(-1 if label is None else int(label))
        blobs.append(bytes(blob))
    probs = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), n_classes)
    return np.asarray(ids, dtype=np.int64), np.asarray(labels, dtype=np.int64), probs


def get_job_project(session: Session, job_id: int) -> Project:
    """The project a queued job works on.

    Raises
    ------
    NotFoundError
        When the job does not exist or belongs to no project.

    Examples
    --------
    >>> import tempfile
    >>> from goldlabel.store.database import open_database
    >>> db = open_database(data_dir=tempfile.mkdtemp())
    >>> with db.read() as session:
    ...     get_job_project(session, 1)
    Traceback (most recent call last):
    goldlabel.exceptions.NotFoundError: job 1 has no project
    >>> db.dispose()
    """
    job = session.get(Job, job_id)
    if job is None or job.project_id is None:
        raise NotFoundError(f"job {job_id} has no project")
    return get_project(session, job.project_id)


def make_analysis_handler(
    engine_factory: Callable[[], AnalysisEngine] = default_engine,
) -> Callable[[JobContext], Mapping[str, Any]]:
    """The job handler that runs an analysis with the engine ``engine_factory`` makes."""

    def handle(ctx: JobContext) -> Mapping[str, Any]:
        with ctx.db.read() as session:
            project = get_job_project(session, ctx.job_id)
            ctx.progress(0.01, "loading rows")
            data = build_analysis_input(session, project)
        engine = engine_factory()
        output = engine.analyze(data, progress=ctx.progress)
        ctx.progress(0.95, "saving results")
        return _store(ctx.db, project.id, data, output, ctx.job_id)

    return handle


def _store(
    db: Database, project_id: int, data: AnalysisInput, output: AnalysisOutput, job_id: int
) -> dict[str, Any]:
    with db.write() as session:
        project = get_project(session, project_id)
        analysis = save_analysis(session, project, data, output, job_id=job_id)
        return {"analysis_id": analysis.id, "metrics": analysis.metrics, "engine": analysis.engine}
