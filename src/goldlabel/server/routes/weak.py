"""A project's labeling functions: save, preview as you type, the label model's suggestions, applying
its labels above a threshold (one undoable action), and rows whose label disagrees with the LFs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from goldlabel.server.deps import CurrentUser, State
from goldlabel.service.weak_labels import create_lf, delete_lf, list_lfs, preview_lf, update_lf
from goldlabel.service.weak_model import (
    ISSUE_TAG,
    apply_weak_labels,
    find_weak_label_issues,
    list_weak_suggestions,
    propose_weak_labels,
    tag_weak_label_issues,
)

router = APIRouter(prefix="/api/projects/{project_id}/lfs", tags=["labeling functions"])


class LFDraft(BaseModel):
    """A keyword LF (``keywords``) or a regex LF (``pattern``) voting ``label`` (a class name)."""

    kind: str = Field(pattern="^(keyword|regex)$")
    label: str
    pattern: str | None = None
    keywords: list[str] | str | None = None


class LFCreate(LFDraft):
    """A new LF; ``name`` defaults to one made from its keywords or pattern."""

    name: str | None = Field(default=None, max_length=200)
    active: bool = True


class LFUpdate(BaseModel):
    """Fields of an LF to change (any subset)."""

    name: str | None = Field(default=None, max_length=200)
    kind: str | None = Field(default=None, pattern="^(keyword|regex)$")
    label: str | None = None
    pattern: str | None = None
    keywords: list[str] | str | None = None
    active: bool | None = None


class LFPreview(LFDraft):
    """A draft to preview; ``lf_id`` names the saved LF being edited (left out of the comparison)."""

    lf_id: int | None = None
    n_examples: int = Field(default=5, ge=0, le=50)


class WeakApply(BaseModel):
    """Apply the label model above ``threshold``; ``fingerprint`` from the proposal guards staleness."""

    threshold: float = Field(ge=0.0, le=1.0)
    fingerprint: str | None = None


class IssueTag(BaseModel):
    """Tag the rows whose label disagrees with an LF consensus at least ``min_confidence`` sure."""

    min_confidence: float = Field(default=0.9, ge=0.0, le=1.0)
    tag: str = Field(default=ISSUE_TAG, min_length=1, max_length=100)


@router.get("")
def get_lfs(
    state: State, _user: CurrentUser, project_id: int, stats: bool = False
) -> dict[str, Any]:
    """The project's LFs; with ``stats=true`` each one's coverage, overlaps, conflicts, accuracy."""
    with state.db.read() as session:
        return list_lfs(session, project_id, with_stats=stats)


@router.post("", status_code=201)
def post_lf(state: State, user: CurrentUser, project_id: int, body: LFCreate) -> dict[str, Any]:
    """Save a keyword or regex LF (409 if the name is taken)."""
    with state.db.write() as session:
        return create_lf(session, project_id, user=user, **body.model_dump())


@router.post("/preview")
def post_preview(
    state: State, _user: CurrentUser, project_id: int, body: LFPreview
) -> dict[str, Any]:
    """Coverage, overlaps, conflicts, accuracy and example matches of a draft LF (nothing is saved)."""
    with state.db.read() as session:
        return preview_lf(session, project_id, **body.model_dump())


@router.get("/suggestions")
def get_suggestions(
    state: State,
    _user: CurrentUser,
    project_id: int,
    min_confidence: float = 0.0,
    unlabeled: bool = True,
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    """The label model's suggestions for rows the LFs cover, most confident first."""
    with state.db.read() as session:
        return list_weak_suggestions(
            session,
            project_id,
            min_confidence=min_confidence,
            unlabeled_only=unlabeled,
            limit=limit,
            offset=offset,
        )


@router.get("/proposal")
def get_proposal(
    state: State, _user: CurrentUser, project_id: int, threshold: float = 0.9
) -> dict[str, Any]:
    """How many unlabeled rows applying the label model at ``threshold`` would label, per class."""
    with state.db.read() as session:
        return propose_weak_labels(session, project_id, threshold=threshold)


@router.post("/apply")
def post_apply(state: State, user: CurrentUser, project_id: int, body: WeakApply) -> dict[str, Any]:
    """Label the unlabeled rows above the threshold as one action (undo it with /actions/{id}/undo)."""
    with state.db.write() as session:
        proposal, action = apply_weak_labels(
            session, project_id, threshold=body.threshold, user=user, fingerprint=body.fingerprint
        )
    return {"proposal": proposal, "action": vars(action) if action else None}


@router.get("/issues")
def get_issues(
    state: State,
    _user: CurrentUser,
    project_id: int,
    min_confidence: float = 0.9,
    limit: int = Query(100, ge=0, le=1000),
) -> dict[str, Any]:
    """Rows whose current label disagrees with a confident LF consensus, worst first."""
    with state.db.read() as session:
        return find_weak_label_issues(
            session, project_id, min_confidence=min_confidence, limit=limit
        )


@router.post("/issues/tag")
def post_issue_tag(
    state: State, user: CurrentUser, project_id: int, body: IssueTag
) -> dict[str, Any]:
    """Tag those rows (one undoable ``tag`` action); filter the review table by the tag."""
    with state.db.write() as session:
        n_flagged, action = tag_weak_label_issues(
            session, project_id, user=user, min_confidence=body.min_confidence, tag=body.tag
        )
    return {"n_flagged": n_flagged, "tag": body.tag, "action": vars(action) if action else None}


@router.patch("/{lf_id}")
def patch_lf(
    state: State, _user: CurrentUser, project_id: int, lf_id: int, body: LFUpdate
) -> dict[str, Any]:
    """Change an LF's name, kind, class, pattern or keywords, or switch it on or off."""
    with state.db.write() as session:
        return update_lf(session, project_id, lf_id, **body.model_dump(exclude_none=True))


@router.delete("/{lf_id}")
def remove_lf(state: State, _user: CurrentUser, project_id: int, lf_id: int) -> dict[str, Any]:
    """Delete an LF."""
    with state.db.write() as session:
        delete_lf(session, project_id, lf_id)
    return {"ok": True, "deleted": lf_id}
