"""Projects: create, list, show; analyses, auto-labeling, export, model training and prediction."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import func, select

from goldlabel.server.deps import CurrentUser, State
from goldlabel.server.schemas import AutolabelRequest, PredictRequest, ProjectCreate
from goldlabel.service.analysis import get_analysis, start_analysis
from goldlabel.service.autolabeling import apply_autolabel, propose_autolabel
from goldlabel.service.exporting import build_label_studio_config, export_project
from goldlabel.service.jobs import describe_job
from goldlabel.service.modeling import describe_model, predict_rows, start_training
from goldlabel.service.projects import create_project, get_project
from goldlabel.store.tables import ModelVersion, Project, RowState

router = APIRouter(prefix="/api/projects", tags=["projects"])


def describe_project(session: Any, p: Project) -> dict[str, Any]:
    """A project as JSON, with row counts by status."""
    counts = dict(
        session.execute(
            select(RowState.status, func.count())
            .where(RowState.project_id == p.id)
            .group_by(RowState.status)
        ).all()
    )
    return {
        "id": p.id,
        "name": p.name,
        "dataset_id": p.dataset_id,
        "task": p.task,
        "label_column": p.label_column,
        "text_columns": p.text_columns,
        "feature_columns": p.feature_columns,
        "image_column": p.image_column,
        "classes": p.classes,
        "instructions": p.instructions,
        "current_analysis_id": p.current_analysis_id,
        "counts": counts,
        "n_rows": int(sum(counts.values())),
        "created_by": p.created_by,
        "created_at": p.created_at.isoformat(),
    }


@router.post("", status_code=201)
def add_project(state: State, user: CurrentUser, body: ProjectCreate) -> dict[str, Any]:
    """Create a project over an imported dataset."""
    with state.db.write() as session:
        project = create_project(session, user=user, **body.model_dump())
        return describe_project(session, project)


@router.get("")
def list_projects(state: State, _user: CurrentUser) -> list[dict[str, Any]]:
    """Every project, newest first."""
    with state.db.read() as session:
        return [
            describe_project(session, p)
            for p in session.scalars(select(Project).order_by(Project.id.desc()))
        ]


@router.get("/{project_id}")
def show_project(state: State, _user: CurrentUser, project_id: int) -> dict[str, Any]:
    """One project."""
    with state.db.read() as session:
        return describe_project(session, get_project(session, project_id))


@router.post("/{project_id}/analyses", status_code=202)
def run_analysis(state: State, user: CurrentUser, project_id: int) -> dict[str, Any]:
    """Start an analysis (or a retrain on the current labels) as a background job."""
    with state.db.write() as session:
        job = start_analysis(session, project_id, user=user)
        body = describe_job(job)
    state.runner.submit(body["id"])
    return body


@router.get("/{project_id}/analyses/current")
def current_analysis(state: State, _user: CurrentUser, project_id: int) -> dict[str, Any]:
    """The project's current analysis: engine and metrics."""
    with state.db.read() as session:
        a = get_analysis(session, project_id)
        return {
            "id": a.id,
            "job_id": a.job_id,
            "engine": a.engine,
            "metrics": a.metrics,
            "columns": a.extra_columns,
        }


@router.get("/{project_id}/autolabel")
def autolabel_proposal(
    state: State,
    _user: CurrentUser,
    project_id: int,
    target_accuracy: float = 0.95,
    confidence: float = 0.9,
) -> dict[str, Any]:
    """The auto-labeling proposal: thresholds, promised accuracy, rows it would label."""
    with state.db.read() as session:
        return propose_autolabel(
            session, project_id, target_accuracy=target_accuracy, confidence=confidence
        )


@router.post("/{project_id}/autolabel")
def autolabel(
    state: State, user: CurrentUser, project_id: int, body: AutolabelRequest
) -> dict[str, Any]:
    """Apply the auto-labeling proposal (one logged action)."""
    with state.db.write() as session:
        proposal, action = apply_autolabel(
            session,
            project_id,
            analysis_id=body.analysis_id,
            user=user,
            target_accuracy=body.target_accuracy,
            confidence=body.confidence,
        )
        return {"proposal": proposal, "action": vars(action)}


@router.get("/{project_id}/export")
def export(
    state: State,
    _user: CurrentUser,
    project_id: int,
    format: str = Query("csv", description="csv, parquet, jsonl or label-studio"),
    include_excluded: bool = False,
) -> Response:
    """Download the cleanset or Label Studio tasks."""
    with state.db.read() as session:
        content, media, filename = export_project(
            session, project_id, file_format=format, include_excluded=include_excluded
        )
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/{project_id}/label-studio-config")
def label_studio_config(state: State, _user: CurrentUser, project_id: int) -> Response:
    """The Label Studio labeling config (XML) matching the Label Studio export."""
    with state.db.read() as session:
        return Response(
            build_label_studio_config(get_project(session, project_id)),
            media_type="application/xml",
        )


@router.post("/{project_id}/models", status_code=202)
def train_model(state: State, user: CurrentUser, project_id: int) -> dict[str, Any]:
    """Train a model version on the cleanset, as a background job."""
    with state.db.write() as session:
        body = describe_job(start_training(session, project_id, user=user))
    state.runner.submit(body["id"])
    return body


@router.get("/{project_id}/models")
def list_models(state: State, _user: CurrentUser, project_id: int) -> list[dict[str, Any]]:
    """The project's model versions, newest first."""
    with state.db.read() as session:
        get_project(session, project_id)
        stmt = (
            select(ModelVersion)
            .where(ModelVersion.project_id == project_id)
            .order_by(ModelVersion.id.desc())
        )
        return [describe_model(m) for m in session.scalars(stmt)]


@router.post("/{project_id}/predict")
def predict(
    state: State, _user: CurrentUser, project_id: int, body: PredictRequest
) -> dict[str, Any]:
    """Predict rows with the project's deployed model (or ``model_id``)."""
    with state.db.read() as session:
        return {"predictions": predict_rows(session, project_id, body.rows, model_id=body.model_id)}
