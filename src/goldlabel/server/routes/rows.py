"""Rows of a project (paged, filtered, sorted) and actions on them, with the action log and undo."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile

from goldlabel.server.deps import CurrentUser, State
from goldlabel.server.schemas import ActionRequest, AnnotationRequest
from goldlabel.service.actions import apply_action, list_actions, undo_action
from goldlabel.service.annotation_import import import_annotations
from goldlabel.service.annotations import (
    accept_consensus,
    compute_project_consensus,
    list_annotations,
    remove_annotation,
    set_annotation,
)
from goldlabel.service.importing import MAX_IMPORT_BYTES
from goldlabel.service.rows import RowFilter, list_rows

router = APIRouter(prefix="/api/projects/{project_id}", tags=["rows"])

ListParam = Annotated[list[str] | None, Query()]


@router.get("/rows")
def get_rows(
    state: State,
    _user: CurrentUser,
    project_id: int,
    limit: int = 50,
    offset: int = 0,
    sort: str = "row_id",
    order: str = Query("asc", pattern="^(asc|desc)$"),
    label: ListParam = None,
    suggested_label: ListParam = None,
    status: ListParam = None,
    source: ListParam = None,
    updated_by: ListParam = None,
    issue: ListParam = None,
    tag: str | None = None,
    unlabeled: bool | None = None,
    disagrees: bool | None = None,
    search: str | None = None,
    annotated_by: str | None = None,
    not_annotated_by: str | None = None,
    row_id: Annotated[list[int] | None, Query()] = None,
    min_label_issue_score: float | None = None,
    max_label_issue_score: float | None = None,
    min_suggested_label_confidence: float | None = None,
    max_suggested_label_confidence: float | None = None,
    min_outlier_score: float | None = None,
    max_outlier_score: float | None = None,
    min_near_duplicate_score: float | None = None,
    max_near_duplicate_score: float | None = None,
    with_total: bool = True,
    exact_total: bool = False,
) -> dict[str, Any]:
    """A page of rows: filters, sort by any score or confidence, server-side limit/offset."""
    ranges = {
        "label_issue_score": (min_label_issue_score, max_label_issue_score),
        "suggested_label_confidence": (
            min_suggested_label_confidence,
            max_suggested_label_confidence,
        ),
        "outlier_score": (min_outlier_score, max_outlier_score),
        "near_duplicate_score": (min_near_duplicate_score, max_near_duplicate_score),
    }
    row_filter = RowFilter(
        row_ids=row_id,
        label=label,
        suggested_label=suggested_label,
        status=status,
        source=source,
        updated_by=updated_by,
        tag=tag,
        issue=issue,
        unlabeled=unlabeled,
        disagrees=disagrees,
        scores={k: v for k, v in ranges.items() if v != (None, None)},
        search=search,
        annotated_by=annotated_by,
        not_annotated_by=not_annotated_by,
    )
    with state.db.read() as session:
        page = list_rows(
            session,
            project_id,
            row_filter=row_filter,
            sort=sort,
            descending=order == "desc",
            limit=limit,
            offset=offset,
            with_total=with_total,
            count_limit=None if exact_total else 10_000,
        )
    return {
        "total": page.total,
        "total_exact": page.total_exact,
        "limit": limit,
        "offset": offset,
        "rows": page.rows,
    }


@router.get("/rows/{row_id}")
def get_row(state: State, _user: CurrentUser, project_id: int, row_id: int) -> dict[str, Any]:
    """One row with its label state, scores, tags and original values."""
    from goldlabel.exceptions import NotFoundError

    with state.db.read() as session:
        page = list_rows(
            session, project_id, row_filter=RowFilter(row_ids=[row_id]), with_total=False
        )
    if not page.rows:
        raise NotFoundError(f"row {row_id} does not exist in project {project_id}.")
    return page.rows[0]


@router.post("/actions")
def act(state: State, user: CurrentUser, project_id: int, body: ActionRequest) -> dict[str, Any]:
    """Apply an action to listed rows or to every row matching a filter (409 if a row moved on)."""
    with state.db.write() as session:
        result = apply_action(
            session,
            project_id,
            kind=body.kind,
            user=user,
            row_ids=body.row_ids,
            row_filter=body.filter.to_filter() if body.filter is not None else None,
            label=body.label,
            tag=body.tag,
            expected_versions=body.expected_versions,
            note=body.note,
        )
    return vars(result)


@router.get("/actions")
def get_actions(
    state: State, _user: CurrentUser, project_id: int, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """The action log, newest first."""
    with state.db.read() as session:
        return list_actions(session, project_id, limit=limit, offset=offset)


@router.post("/actions/{action_id}/undo")
def undo(state: State, user: CurrentUser, project_id: int, action_id: int) -> dict[str, Any]:
    """Undo an action (a new, logged action)."""
    with state.db.write() as session:
        return vars(undo_action(session, project_id, action_id, user=user))


@router.put("/rows/{row_id}/annotations")
def annotate(
    state: State, user: CurrentUser, project_id: int, row_id: int, body: AnnotationRequest
) -> dict[str, Any]:
    """Record your own label for a row (multi-annotator); the row's current label is unchanged."""
    with state.db.write() as session:
        return set_annotation(session, project_id, row_id, annotator=user, label=body.label)


@router.delete("/rows/{row_id}/annotations")
def unannotate(state: State, user: CurrentUser, project_id: int, row_id: int) -> dict[str, Any]:
    """Take back your own annotation of a row: ``{"removed": true}``, or false if you had none."""
    with state.db.write() as session:
        return {"removed": remove_annotation(session, project_id, row_id, annotator=user)}


@router.post("/annotations/import")
def post_import_annotations(
    state: State,
    _user: CurrentUser,
    project_id: int,
    file: Annotated[UploadFile, File(description="a table or a Label Studio JSON export")],
    key_column: Annotated[str, Form()] = "row_id",
    annotator_column: Annotated[str, Form()] = "annotator",
    label_column: Annotated[str, Form()] = "label",
) -> dict[str, Any]:
    """Import many people's annotations at once (all or nothing); see service.annotation_import."""
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    with state.db.write() as session:
        return import_annotations(
            session,
            project_id,
            data,
            filename=file.filename or "annotations.csv",
            key_column=key_column,
            annotator_column=annotator_column,
            label_column=label_column,
        )


@router.get("/annotations")
def get_annotations(
    state: State, _user: CurrentUser, project_id: int, row_id: int | None = None
) -> list[dict[str, Any]]:
    """Every annotator's labels (of one row with ``row_id``)."""
    with state.db.read() as session:
        return list_annotations(session, project_id, row_id=row_id)


@router.get("/consensus")
def get_consensus(
    state: State, _user: CurrentUser, project_id: int, use_model: bool = True
) -> dict[str, Any]:
    """Consensus of the annotations (CROWDLAB): per row, and each annotator's quality."""
    with state.db.read() as session:
        return compute_project_consensus(session, project_id, use_model=use_model)


@router.post("/consensus/accept")
def post_accept_consensus(
    state: State,
    user: CurrentUser,
    project_id: int,
    row_id: Annotated[list[int] | None, Query()] = None,
    min_quality: float = 0.0,
    use_model: bool = True,
) -> dict[str, Any]:
    """Label rows with their consensus (logged label actions, one per class; annotations unchanged)."""
    with state.db.write() as session:
        results = accept_consensus(
            session,
            project_id,
            user=user,
            row_ids=row_id,
            min_quality=min_quality,
            use_model=use_model,
        )
    return {"actions": [vars(r) for r in results], "n_rows": sum(r.n_rows for r in results)}
