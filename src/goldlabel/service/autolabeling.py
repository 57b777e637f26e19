"""Auto-labeling: the threshold proposal with its promised accuracy, and applying it.

The proposal calls :func:`goldlabel.learn.autolabel.find_auto_labels` on the current analysis: the
probabilities of the rows unlabeled now, and, as calibration data, the out-of-fold probabilities of the
rows that were labeled when the analysis ran, with those labels. The pipeline engine scores unlabeled
rows by the average of the same fold models (``run_pipeline(..., unlabeled="average")``, its default),
so both sides are scored alike. Rows labeled after the analysis leave the pool and are not used as
calibration data (their probabilities are not out of fold).

Multi-label projects go through :func:`~goldlabel.learn.autolabel.find_multilabel_auto_labels`: a
row's suggestion is its set of classes at probability 0.5 or more, right only when it equals the given
set, and rows whose suggestion is the empty set are never auto-labeled.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from goldlabel.core.multilabel import convert_onehot_to_multilabel
from goldlabel.exceptions import ConflictError, MissingDependencyError
from goldlabel.service.actions import ActionResult, apply_action
from goldlabel.service.analysis import get_analysis, load_analysis_probs
from goldlabel.service.projects import expand_label_masks, get_project
from goldlabel.store.tables import RowState

__all__ = ["apply_autolabel", "propose_autolabel"]


def _find(
    session: Session, project_id: int, target_accuracy: float, confidence: float
) -> tuple[Any, ...]:
    project = get_project(session, project_id)
    try:
        from goldlabel.learn.autolabel import find_auto_labels, find_multilabel_auto_labels
    except ImportError as err:  # pragma: no cover - the module ships with goldlabel
        raise MissingDependencyError(
            "auto-labeling needs goldlabel.learn.autolabel, which failed to import; reinstall goldlabel."
        ) from err
    analysis = get_analysis(session, project_id)
    n_classes = len(project.classes)
    ids, labels_at, probs = load_analysis_probs(session, analysis, n_classes)
    unlabeled_now = set(
        session.scalars(
            select(RowState.row_id).where(
                RowState.project_id == project_id, RowState.status == "unlabeled"
            )
        )
    )
    pool = np.array([i for i, r in enumerate(ids) if int(r) in unlabeled_now], dtype=np.int64)
    cal = np.flatnonzero(labels_at >= 0)
    if project.task == "multilabel":
        sets = convert_onehot_to_multilabel(expand_label_masks(labels_at[cal], n_classes))
        # an empty set is how the studio writes "unlabeled": never given as a label (has_suggestion)
        result = find_multilabel_auto_labels(
            probs[pool].astype(np.float64),
            probs[cal].astype(np.float64),
            sets,
            target_accuracy=target_accuracy,
            confidence=confidence,
            allow_empty=False,
        )
    else:
        result = find_auto_labels(
            probs[pool].astype(np.float64),
            probs[cal].astype(np.float64),
            labels_at[cal],
            target_accuracy=target_accuracy,
            confidence=confidence,
            per_class="auto",
        )
    return project, analysis, ids[pool], result


def _describe(project: Any, analysis: Any, pool_ids: np.ndarray, result: Any) -> dict[str, Any]:
    n_classes = len(project.classes)
    if project.task == "multilabel":  # rows per class among the sets to give
        counts = np.zeros(n_classes, dtype=np.int64)
        for labels in result.labels:
            counts[labels] += 1
    else:
        counts = np.bincount(np.asarray(result.labels, dtype=np.int64), minlength=n_classes)
    thresholds = {
        c: (float(t) if np.isfinite(t) else None)
        for c, t in zip(project.classes, np.asarray(result.thresholds).tolist(), strict=True)
    }
    return {
        "analysis_id": analysis.id,
        "target_accuracy": result.target_accuracy,
        "confidence": result.confidence,
        "promised_accuracy": result.promised_accuracy,
        "accuracy_lower_bound": result.accuracy_lower_bound,
        "calibration_accuracy": result.calibration_accuracy,
        "n_calibration_rows": int(result.n_calibration_rows),
        "n_unlabeled": int(pool_ids.size),
        "n_to_label": int(result.n_to_label),
        "coverage": float(result.coverage),
        "per_class": bool(result.per_class),
        "thresholds": thresholds,
        "counts": dict(zip(project.classes, counts.tolist(), strict=True)),
        "reason": result.reason,
    }


def propose_autolabel(
    session: Session, project_id: int, *, target_accuracy: float = 0.95, confidence: float = 0.9
) -> dict[str, Any]:
    """How many unlabeled rows the current analysis can label at ``target_accuracy``, and at what threshold.

    Returns
    -------
    dict
        ``analysis_id``, ``promised_accuracy`` (None when nothing can be vouched for), ``confidence``,
        ``thresholds`` per class, ``n_to_label``, ``coverage``, ``counts`` per class and ``reason``.

    Raises
    ------
    NotFoundError
        If the project has no analysis yet.
    InvalidOptionError
        If an option is out of range.
    """
    project, analysis, pool_ids, result = _find(session, project_id, target_accuracy, confidence)
    return _describe(project, analysis, pool_ids, result)


def apply_autolabel(
    session: Session,
    project_id: int,
    *,
    analysis_id: int,
    user: str,
    target_accuracy: float = 0.95,
    confidence: float = 0.9,
) -> tuple[dict[str, Any], ActionResult]:
    """Label the rows the proposal vouches for (source ``auto``), as one logged action.

    Raises
    ------
    ConflictError
        If ``analysis_id`` is no longer the project's current analysis (the proposal is stale).
    """
    project, analysis, pool_ids, result = _find(session, project_id, target_accuracy, confidence)
    if analysis.id != analysis_id:
        raise ConflictError(
            f"the proposal was made on analysis {analysis_id} but the current analysis is {analysis.id}; "
            "ask for a new proposal.",
            current={"analysis_id": analysis.id},
        )
    proposal = _describe(project, analysis, pool_ids, result)
    rows = pool_ids[np.asarray(result.indices, dtype=np.int64)].tolist()
    action = apply_action(
        session,
        project_id,
        kind="autolabel",
        user=user,
        row_ids=rows,
        note=f"target accuracy {target_accuracy} at confidence {confidence}",
    )
    return proposal, action
