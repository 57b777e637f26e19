"""The label model over a project's active LFs: suggestions, applying its labels, and label issues.

The label model (:class:`goldlabel.weak.LabelModel`) fit on every active LF gives per-row probabilities:
suggestions for unlabeled rows, labels applied above a threshold as one logged, undoable action (source
``weak``), and label issues where a row's label disagrees with a confident LF consensus. A fit model is
cached until the active LFs change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from goldlabel.exceptions import ConflictError, InvalidOptionError
from goldlabel.service.actions import (
    LOG_COLUMNS,
    ActionResult,
    apply_action,
    write_logged_rows,
)
from goldlabel.service.lf_matches import (
    SNIPPET,
    LRUCache,
    compile_stored_lf,
    get_lf_project,
    list_project_lfs,
    load_labels,
    load_texts,
    make_text_key,
    match_lf,
    stack_votes,
)
from goldlabel.store.bulk import insert_rows
from goldlabel.store.tables import Action, Project, RowState, RowTag
from goldlabel.weak import LabelModel, find_lf_label_issues

__all__ = [
    "ISSUE_TAG",
    "WeakLabels",
    "apply_weak_labels",
    "find_weak_label_issues",
    "fit_weak_labels",
    "list_weak_suggestions",
    "propose_weak_labels",
    "tag_weak_label_issues",
]

ISSUE_TAG = "lf-conflict"
_MODELS = LRUCache(8)  # (text key, fingerprint) -> WeakLabels


@dataclass(frozen=True)
class WeakLabels:
    """The label model fit on a project's active LFs.

    ``row_ids`` (n,), ``probs`` (n, K), ``covered`` (n,) whether any active LF votes on the row,
    ``lf_ids`` and ``estimated_accuracies`` per active LF, ``fingerprint`` names the LF set (a proposal
    made on one fingerprint is refused once the LFs change).
    """

    row_ids: np.ndarray
    probs: np.ndarray
    covered: np.ndarray
    lf_ids: tuple[int, ...]
    estimated_accuracies: np.ndarray
    fingerprint: str
    model: LabelModel | None


# ------------------------------------------------------------------------------ label model


def fit_weak_labels(session: Session, project_id: int) -> WeakLabels:
    """Fit the label model on the project's active LFs (cached until they change).

    Returns
    -------
    WeakLabels
        Without active LFs: uniform probabilities, nothing covered, ``model`` None.
    """
    project = get_lf_project(session, project_id)
    lfs = list_project_lfs(session, project, active_only=True)
    drafts = [compile_stored_lf(lf) for lf in lfs]
    spec = [(lf.id, d.pattern, d.label) for lf, d in zip(lfs, drafts, strict=True)]
    fingerprint = hashlib.sha1(json.dumps(spec).encode()).hexdigest()[:16]
    row_ids, _ = load_texts(session, project)
    k = len(project.classes)

    def fit() -> WeakLabels:
        n = row_ids.size
        if not lfs or not n:
            probs = np.full((n, k), 1.0 / k)
            return WeakLabels(
                row_ids, probs, np.zeros(n, dtype=bool), (), np.zeros(0), fingerprint, None
            )
        matrix = stack_votes([match_lf(session, project, d) for d in drafts], drafts, n)
        model = LabelModel(n_classes=k).fit(matrix)
        return WeakLabels(
            row_ids,
            model.predict_proba(matrix),
            np.asarray((matrix >= 0).any(axis=1), dtype=bool),
            tuple(lf.id for lf in lfs),
            np.asarray(model.accuracies_, dtype=np.float64),
            fingerprint,
            model,
        )

    weak: WeakLabels = _MODELS.get((make_text_key(session, project), fingerprint), fit)
    return weak


def _confident(weak: WeakLabels) -> tuple[np.ndarray, np.ndarray]:
    """Each row's top class and its probability; 0 where the top is tied or no LF votes."""
    top = weak.probs.argmax(axis=1)
    best = weak.probs.max(axis=1) if weak.probs.size else np.zeros(weak.row_ids.size)
    if weak.probs.shape[1] > 1:
        second = np.partition(weak.probs, -2, axis=1)[:, -2]
        best = np.where(best - second > 1e-9, best, 0.0)
    return top, np.where(weak.covered, best, 0.0)


def _check_unit(value: float, what: str) -> float:
    if not 0.0 <= float(value) <= 1.0:
        raise InvalidOptionError(f"{what} must lie in [0, 1]; got {value!r}.")
    return float(value)


def list_weak_suggestions(
    session: Session,
    project_id: int,
    *,
    min_confidence: float = 0.0,
    unlabeled_only: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Label-model suggestions for the rows any active LF covers, most confident first.

    Returns
    -------
    dict
        ``total`` and ``rows`` (``row_id``, ``suggested_label``, ``confidence``, ``probabilities``
        per class).
    """
    _check_unit(min_confidence, "min_confidence")
    if not 1 <= limit <= 1000 or offset < 0:
        raise InvalidOptionError(
            f"limit must be in 1..1000 and offset >= 0; got {limit}, {offset}."
        )
    project = get_lf_project(session, project_id)
    weak = fit_weak_labels(session, project_id)
    top, confidence = _confident(weak)
    keep = weak.covered & (confidence >= min_confidence)
    if unlabeled_only:
        keep &= load_labels(session, project, weak.row_ids)[1]
    order = np.flatnonzero(keep)
    order = order[np.argsort(-confidence[order], kind="stable")]
    page = order[offset : offset + limit]
    texts = load_texts(session, project)[1]
    rows = [
        {
            "row_id": int(weak.row_ids[i]),
            "text": texts[i][:SNIPPET],
            "suggested_label": project.classes[int(top[i])],
            "confidence": float(confidence[i]),
            "probabilities": dict(zip(project.classes, weak.probs[i].tolist(), strict=True)),
        }
        for i in page
    ]
    return {"total": int(order.size), "fingerprint": weak.fingerprint, "rows": rows}


def _proposal(
    session: Session, project: Project, threshold: float
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    weak = fit_weak_labels(session, project.id)
    top, confidence = _confident(weak)
    free = load_labels(session, project, weak.row_ids)[1]
    chosen = free & weak.covered & (confidence >= threshold)
    counts = np.bincount(top[chosen], minlength=len(project.classes))
    edges = np.linspace(0.0, 1.0, 21)
    histogram = np.histogram(confidence[free & weak.covered], bins=edges)[0]
    proposal = {
        "threshold": threshold,
        "fingerprint": weak.fingerprint,
        "n_lfs": len(weak.lf_ids),
        "n_unlabeled": int(free.sum()),
        "n_covered_unlabeled": int((free & weak.covered).sum()),
        "n_to_label": int(chosen.sum()),
        "counts": dict(zip(project.classes, counts.tolist(), strict=True)),
        "histogram": {"edges": edges.tolist(), "counts": histogram.tolist()},
    }
    return proposal, weak.row_ids[chosen], top[chosen]


def propose_weak_labels(session: Session, project_id: int, *, threshold: float) -> dict[str, Any]:
    """How many unlabeled rows the label model would label at ``threshold``, per class.

    Returns
    -------
    dict
        ``threshold``, ``fingerprint`` (pass it to :func:`apply_weak_labels`), ``n_lfs``,
        ``n_unlabeled``, ``n_covered_unlabeled``, ``n_to_label``, ``counts`` per class and a 20-bin
        ``histogram`` of the covered unlabeled rows' confidence.
    """
    threshold = _check_unit(threshold, "threshold")
    return _proposal(session, get_lf_project(session, project_id), threshold)[0]


def apply_weak_labels(
    session: Session,
    project_id: int,
    *,
    threshold: float,
    user: str,
    fingerprint: str | None = None,
) -> tuple[dict[str, Any], ActionResult | None]:
    """Label every unlabeled row whose label-model confidence reaches ``threshold``, as ONE action.

    The action (kind ``weak``, source ``weak``) is logged like any other and undone with
    :func:`goldlabel.service.actions.undo_action`.

    Returns
    -------
    proposal, action
        The proposal applied and the action (None when no row qualified).

    Raises
    ------
    ConflictError
        If ``fingerprint`` was given and the active LFs changed since it was proposed.
    """
    threshold = _check_unit(threshold, "threshold")
    project = get_lf_project(session, project_id)
    proposal, ids, labels = _proposal(session, project, threshold)
    if fingerprint is not None and fingerprint != proposal["fingerprint"]:
        raise ConflictError(
            "the labeling functions changed since this proposal was made; look at the new proposal "
            "and apply again.",
            current=proposal,
        )
    if not ids.size:
        return proposal, None
    names = [lf.name for lf in list_project_lfs(session, project, active_only=True)]
    action = Action(
        project_id=project.id,
        kind="weak",
        params={"threshold": threshold, "lfs": names, "fingerprint": proposal["fingerprint"]},
        user=user,
        n_rows=0,
    )
    session.add(action)
    session.flush()
    after = dict(zip(ids.tolist(), labels.tolist(), strict=True))
    logged = []
    stmt = select(
        RowState.row_id, RowState.label, RowState.status, RowState.source, RowState.version
    ).where(RowState.project_id == project.id, RowState.status == "unlabeled")
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    for row_id, label, status, source, version in session.execute(stmt):
        if row_id in after:
            logged.append((action.id, row_id, label, status, source, version, None, after[row_id]))
    insert_rows(
        session,
        "action_rows",
        LOG_COLUMNS,
        [(*row, "labeled", "weak", None) for row in logged],
    )
    n = write_logged_rows(session, project, action, [], user, None)
    return proposal, ActionResult(action_id=action.id, kind="weak", n_rows=n)


# ------------------------------------------------------------------------------ label issues


def find_weak_label_issues(
    session: Session, project_id: int, *, min_confidence: float = 0.9, limit: int = 100
) -> dict[str, Any]:
    """Rows whose current label disagrees with an LF consensus at least ``min_confidence`` sure.

    Returns
    -------
    dict
        ``n_flagged``, ``row_ids`` (every flagged row, worst first) and ``rows`` (the first ``limit``:
        ``row_id``, ``label``, ``lf_label``, ``confidence``, ``label_issue_score`` =
        1 - P(label | LFs)).
    """
    _check_unit(min_confidence, "min_confidence")
    project = get_lf_project(session, project_id)
    weak = fit_weak_labels(session, project_id)
    labels, _ = load_labels(session, project, weak.row_ids)
    if weak.model is None:
        return {"n_flagged": 0, "row_ids": [], "rows": []}
    active = list_project_lfs(session, project, active_only=True)
    drafts = [compile_stored_lf(lf) for lf in active]
    matrix = stack_votes([match_lf(session, project, d) for d in drafts], drafts, labels.size)
    flag, score = find_lf_label_issues(
        labels, matrix, model=weak.model, min_confidence=min_confidence
    )
    order = np.flatnonzero(flag)
    order = order[np.argsort(-score[order], kind="stable")]
    top = weak.probs.argmax(axis=1)
    texts = load_texts(session, project)[1]
    rows = [
        {
            "row_id": int(weak.row_ids[i]),
            "text": texts[i][:SNIPPET],
            "label": project.classes[int(labels[i])],
            "lf_label": project.classes[int(top[i])],
            "confidence": float(weak.probs[i].max()),
            "label_issue_score": float(score[i]),
        }
        for i in order[: max(0, int(limit))]
    ]
    return {
        "n_flagged": int(order.size),
        "row_ids": weak.row_ids[order].tolist(),
        "rows": rows,
    }


def tag_weak_label_issues(
    session: Session,
    project_id: int,
    *,
    user: str,
    min_confidence: float = 0.9,
    tag: str = ISSUE_TAG,
) -> tuple[int, ActionResult | None]:
    """Tag the rows :func:`find_weak_label_issues` flags (and do not carry the tag yet), as one action.

    Returns
    -------
    n_flagged, action
        How many rows are flagged and the ``tag`` action (None when every one was tagged already).
    """
    found = find_weak_label_issues(session, project_id, min_confidence=min_confidence, limit=0)
    tagged = set(
        session.scalars(
            select(RowTag.row_id).where(RowTag.project_id == project_id, RowTag.tag == tag)
        )
    )
    todo = [r for r in found["row_ids"] if r not in tagged]
    if not todo:
        return found["n_flagged"], None
    action = apply_action(
        session,
        project_id,
        kind="tag",
        user=user,
        row_ids=todo,
        tag=tag,
        note=f"label disagrees with the labeling functions at confidence >= {min_confidence}",
    )
    return found["n_flagged"], action
