"""Request bodies of the REST API (pydantic)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from goldlabel.service.rows import RowFilter

__all__ = [
    "ActionRequest",
    "AnnotationRequest",
    "AutolabelRequest",
    "FilterModel",
    "PredictRequest",
    "ProjectCreate",
    "TokenRequest",
    "UserCreate",
]


class FilterModel(BaseModel):
    """Which rows (every condition given must hold); see ``GET /api/projects/{id}/rows``."""

    row_ids: list[int] | None = None
    label: list[str] | None = None
    suggested_label: list[str] | None = None
    status: list[str] | None = None
    source: list[str] | None = None
    updated_by: list[str] | None = None
    tag: str | None = None
    issue: list[str] | None = None
    unlabeled: bool | None = None
    disagrees: bool | None = None
    scores: dict[str, tuple[float | None, float | None]] = Field(default_factory=dict)
    search: str | None = None
    annotated_by: str | None = None
    not_annotated_by: str | None = None

    def to_filter(self) -> RowFilter:
        """The service's filter."""
        return RowFilter(**self.model_dump())


class ProjectCreate(BaseModel):
    """A new project over an imported dataset."""

    dataset_id: int
    name: str = Field(min_length=1, max_length=300)
    task: str = "multiclass"
    label_column: str | None = None
    text_columns: list[str] | None = None
    feature_columns: list[str] | None = None
    image_column: str | None = None
    classes: list[str] | None = None
    instructions: str = ""
    examples: dict[str, str] | None = None


class ActionRequest(BaseModel):
    """An action on listed rows (``row_ids``) or on every row matching ``filter``."""

    kind: str
    row_ids: list[int] | None = None
    filter: FilterModel | None = None
    label: str | list[str] | None = None
    tag: str | None = None
    expected_versions: dict[int, int] | None = None
    note: str | None = None


class AnnotationRequest(BaseModel):
    """One annotator's label for a row (a list of classes for multi-label)."""

    label: str | list[str]


class AutolabelRequest(BaseModel):
    """Apply the auto-labeling proposal made on ``analysis_id``."""

    analysis_id: int
    target_accuracy: float = 0.95
    confidence: float = 0.9


class PredictRequest(BaseModel):
    """Rows to predict with the deployed (or a named) model."""

    rows: list[dict[str, Any]]
    model_id: int | None = None


class UserCreate(BaseModel):
    """A new user."""

    name: str
    password: str
    is_admin: bool = False


class TokenRequest(BaseModel):
    """Sign in to get an API token."""

    name: str
    password: str
    token_name: str = ""
