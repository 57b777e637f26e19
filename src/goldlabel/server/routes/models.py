"""Model versions: list, deploy, predict."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from goldlabel.server.deps import CurrentUser, State
from goldlabel.server.schemas import PredictRequest
from goldlabel.service.modeling import deploy_model, describe_model, get_model, predict_rows

router = APIRouter(prefix="/api/models", tags=["models"])


@router.get("/{model_id}")
def show_model(state: State, _user: CurrentUser, model_id: int) -> dict[str, Any]:
    """One model version with its metrics."""
    with state.db.read() as session:
        return describe_model(get_model(session, model_id))


@router.post("/{model_id}/deploy")
def deploy(state: State, _user: CurrentUser, model_id: int) -> dict[str, Any]:
    """Make this model version the project's deployed one."""
    with state.db.write() as session:
        return describe_model(deploy_model(session, model_id))


@router.post("/{model_id}/predict")
def predict_with(
    state: State, _user: CurrentUser, model_id: int, body: PredictRequest
) -> dict[str, Any]:
    """Predict rows with this model version."""
    with state.db.read() as session:
        model = get_model(session, model_id)
        return {
            "model_id": model.id,
            "predictions": predict_rows(session, model.project_id, body.rows, model_id=model.id),
        }
