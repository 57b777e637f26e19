"""Annotations of several people on the same rows: one per annotator per row, never overwritten by consensus."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from goldlabel.exceptions import InvalidOptionError, NotFoundError
from goldlabel.service.projects import decode_label, encode_label, get_project
from goldlabel.store.tables import Annotation, RowState, utcnow

__all__ = ["list_annotations", "set_annotation"]


def set_annotation(
    session: Session, project_id: int, row_id: int, *, annotator: str, label: Any
) -> dict[str, Any]:
    """Record (or replace) one annotator's label for one row.

    The row's current label is not changed: annotations feed consensus, computed separately.

    Raises
    ------
    NotFoundError
        If the row does not exist in the project.
    InvalidOptionError
        If the label is empty.
    """
    project = get_project(session, project_id)
    exists = session.scalar(
        select(RowState.row_id).where(RowState.project_id == project_id, RowState.row_id == row_id)
    )
    if exists is None:
        raise NotFoundError(f"row {row_id} does not exist in project {project_id}.")
    value = encode_label(label, project.classes, task=project.task)
    if value is None:
        raise InvalidOptionError(f"an annotation needs a label; got {label!r}.")
    current = session.scalar(
        select(Annotation).where(
            Annotation.project_id == project_id,
            Annotation.row_id == row_id,
            Annotation.annotator == annotator,
        )
    )
    if current is None:
        current = Annotation(project_id=project_id, row_id=row_id, annotator=annotator, label=value)
        session.add(current)
    else:
        current.label = value
        current.created_at = utcnow()
    session.flush()
    return _describe(current, project.classes, project.task)


def _describe(a: Annotation, classes: list[Any], task: str) -> dict[str, Any]:
    return {
        "row_id": a.row_id,
        "annotator": a.annotator,
        "label": decode_label(a.label, classes, task=task),
        "created_at": a.created_at.isoformat(),
    }


def list_annotations(
    session: Session, project_id: int, *, row_id: int | None = None
) -> list[dict[str, Any]]:
    """The project's annotations (of one row when ``row_id`` is given), by row then annotator."""
    project = get_project(session, project_id)
    stmt = select(Annotation).where(Annotation.project_id == project_id)
    if row_id is not None:
        stmt = stmt.where(Annotation.row_id == row_id)
    stmt = stmt.order_by(Annotation.row_id, Annotation.annotator)
    return [_describe(a, project.classes, project.task) for a in session.scalars(stmt)]
