"""Annotations of several people on the same rows: one per annotator per row, never overwritten by consensus.

Consensus is computed on request from the stored annotations (CROWDLAB, with the current analysis's
predicted probabilities when there is one); accepting it is an ordinary, logged, undoable label action.
In a multi-label project each class is decided on its own (CROWDLAB per class,
:mod:`goldlabel.core.multiannotator_multilabel`) and the consensus is the set of classes decided yes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from goldlabel.core.agreement import (
    compute_krippendorff_alpha,
    compute_krippendorff_alpha_per_class,
)
from goldlabel.core.multiannotator import convert_long_to_wide_labels
from goldlabel.core.multiannotator_multilabel import (
    MultilabelConsensusResult,
    compute_annotation_consensus,
)
from goldlabel.exceptions import InvalidOptionError, NotFoundError
from goldlabel.service.actions import ActionResult, apply_action
from goldlabel.service.analysis import load_analysis_probs
from goldlabel.service.projects import (
    decode_label,
    encode_label,
    expand_label_masks,
    get_project,
)
from goldlabel.store.tables import Analysis, Annotation, Project, RowState, utcnow

__all__ = [
    "accept_consensus",
    "compute_project_consensus",
    "list_annotations",
    "remove_annotation",
    "set_annotation",
]


def _own_annotation(
    session: Session, project_id: int, row_id: int, annotator: str
) -> Annotation | None:
    return session.scalar(
        select(Annotation).where(
            Annotation.project_id == project_id,
            Annotation.row_id == row_id,
            Annotation.annotator == annotator,
        )
    )


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
    current = _own_annotation(session, project_id, row_id, annotator)
    if current is None:
        current = Annotation(project_id=project_id, row_id=row_id, annotator=annotator, label=value)
        session.add(current)
    else:
        current.label = value
        current.created_at = utcnow()
    session.flush()
    return _describe(current, project.classes, project.task)


def remove_annotation(session: Session, project_id: int, row_id: int, *, annotator: str) -> bool:
    """Delete one annotator's annotation of a row; False if there was none. The row is unchanged.

    Raises
    ------
    NotFoundError
        If the project does not exist.
    """
    get_project(session, project_id)
    current = _own_annotation(session, project_id, row_id, annotator)
    if current is None:
        return False
    session.delete(current)
    session.flush()
    return True


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


def _number(value: Any) -> float | None:
    """A JSON-safe float (None for NaN)."""
    v = float(value)
    return None if math.isnan(v) else v


def _model_probs(
    session: Session, project: Project, row_ids: np.ndarray
) -> tuple[np.ndarray | None, int | None]:
    """The current analysis's pred_probs for ``row_ids`` (None if there is none or it lacks a row)."""
    if project.current_analysis_id is None:
        return None, None
    analysis = session.get(Analysis, project.current_analysis_id)
    if analysis is None or analysis.status != "succeeded":
        return None, None
    ids, _, probs = load_analysis_probs(session, analysis, len(project.classes))
    where = np.searchsorted(ids, row_ids)
    if (
        ids.size == 0
        or (where >= ids.size).any()
        or (ids[np.minimum(where, ids.size - 1)] != row_ids).any()
    ):
        return None, None
    chosen = np.asarray(probs[where], dtype=np.float64)
    if project.task == "multilabel":  # per-class probabilities: rows need not sum to 1
        return chosen, analysis.id
    return chosen / chosen.sum(axis=1, keepdims=True), analysis.id


def _onehot(labels: np.ndarray, k: int) -> np.ndarray:
    """Stored bit masks of shape (N, M) as the (N, M, K) 0/1 array, NaN where none was given."""
    given = ~np.isnan(labels)
    onehot = expand_label_masks(np.where(given, labels, 0), k).astype(np.float64)
    onehot[~given] = np.nan
    return onehot


def _disagreements(
    labels: np.ndarray, consensus: np.ndarray, k: int, task: str, classes: list[Any]
) -> list[list[dict[str, Any]]]:
    """Per annotator, how their labels differ from the consensus, most frequent first (at most 5):
    ``{gave, consensus, rows}`` pairs of classes, or for multi-label sets ``{class, extra, missing}``
    (rows where the annotator added the class, or left it out, against the consensus)."""
    out: list[list[dict[str, Any]]] = []
    for j in range(labels.shape[1]):
        given = ~np.isnan(labels[:, j])
        mine, agreed = labels[given, j].astype(np.int64), consensus[given].astype(np.int64)
        if task == "multilabel":
            difference = expand_label_masks(mine, k) - expand_label_masks(agreed, k)
            extra, missing = difference > 0, difference < 0
            counts = [
                {
                    "class": classes[c],
                    "extra": int(extra[:, c].sum()),
                    "missing": int(missing[:, c].sum()),
                }
                for c in range(k)
            ]
            found = sorted(
                (d for d in counts if d["extra"] or d["missing"]),
                key=lambda d: -(d["extra"] + d["missing"]),
            )
        else:
            off = mine != agreed
            pairs, n = np.unique(mine[off] * k + agreed[off], return_counts=True)
            order = np.argsort(-n, kind="stable")
            found = [
                {
                    "gave": classes[int(pairs[i] // k)],
                    "consensus": classes[int(pairs[i] % k)],
                    "rows": int(n[i]),
                }
                for i in order
            ]
        out.append(found[:5])
    return out


def _agreement(wide: np.ndarray, k: int, classes: list[Any]) -> dict[str, Any]:
    """Krippendorff's alpha over whole labels (multi-label: whole sets, ``wide`` of shape (N, M, K))
    and per class."""
    per_class = compute_krippendorff_alpha_per_class(wide, n_classes=k)
    overall = compute_krippendorff_alpha(wide, n_classes=k)
    return {
        "krippendorff_alpha": _number(overall),
        "per_class": {str(c): _number(a) for c, a in zip(classes, per_class, strict=True)},
    }


def compute_project_consensus(
    session: Session, project_id: int, *, use_model: bool = True
) -> dict[str, Any]:
    """Consensus of the project's annotations: per row and per annotator.

    CROWDLAB weighs each annotator by agreement with the others and, when ``use_model`` and the project
    has a current analysis, the model by its agreement with the majority vote. When no row has two
    annotations yet, CROWDLAB has nothing to learn weights from and the result is the majority vote
    scored by vote fractions (``method`` says which). Stored annotations are never changed.

    In a multi-label project ``consensus_label`` is a list of class names (possibly empty), each class
    decided by CROWDLAB on its own; ``consensus_quality_score`` is the product of the per-class scores
    (the probability that the whole set is right), agreement counts identical sets, and
    ``model_weight`` / ``weight`` are the per-class weights averaged over classes.

    Returns
    -------
    dict
        ``method`` (``crowdlab``, ``majority_vote`` or None without annotations), ``analysis_id`` (the
        analysis whose probabilities were used, or None), ``model_weight``, ``rows`` (``row_id``,
        ``consensus_label``, ``consensus_quality_score``, ``annotator_agreement``, ``num_annotations``,
        ``labels`` by annotator) and ``annotators`` (``annotator``, ``annotator_quality``,
        ``agreement_with_consensus``, ``worst_class``, ``num_examples_labeled``, ``weight``,
        ``disagreements``: how their labels differ from the consensus, most frequent first), worst
        annotator first, and ``agreement``: Krippendorff's alpha over whole labels (multi-label: whole
        sets) and ``per_class`` (each class as a yes/no question; 1 = perfect agreement, 0 = chance).
        Scores are in [0, 1], lower = worse; None where undefined.

    Raises
    ------
    NotFoundError
        If the project does not exist.
    """
    project = get_project(session, project_id)
    stmt = select(Annotation.row_id, Annotation.annotator, Annotation.label).where(
        Annotation.project_id == project_id
    )
    triples = list(session.execute(stmt))
    empty: dict[str, Any] = {
        "method": None,
        "analysis_id": None,
        "model_weight": None,
        "agreement": None,
        "rows": [],
        "annotators": [],
    }
    if not triples:
        return empty
    row_ids, annotators, values = zip(*triples, strict=True)
    labels, rows, who = convert_long_to_wide_labels(
        np.asarray(row_ids, dtype=np.int64),
        np.asarray(annotators, dtype=object).astype(str),
        values,
    )
    k = len(project.classes)
    probs, analysis_id = _model_probs(session, project, rows) if use_model else (None, None)
    wide = _onehot(labels, k) if project.task == "multilabel" else labels
    method, result = compute_annotation_consensus(wide, probs, n_classes=k, random_state=0)
    if isinstance(result, MultilabelConsensusResult):
        consensus = result.consensus_labels @ (1 << np.arange(k, dtype=np.int64))
    else:
        consensus = result.consensus_label
    classes = project.classes

    def name(index: Any) -> Any:
        return decode_label(int(index), classes, task=project.task)

    out_rows = []
    for i, row_id in enumerate(rows.tolist()):
        given = {str(who[j]): name(labels[i, j]) for j in np.flatnonzero(~np.isnan(labels[i]))}
        out_rows.append(
            {
                "row_id": int(row_id),
                "consensus_label": name(consensus[i]),
                "consensus_quality_score": _number(result.consensus_quality_score[i]),
                "annotator_agreement": _number(result.annotator_agreement[i]),
                "num_annotations": int(result.num_annotations[i]),
                "labels": given,
            }
        )
    weights = result.annotator_weight
    disagreements = _disagreements(labels, np.asarray(consensus), k, project.task, classes)
    people = [
        {
            "annotator": str(who[j]),
            "annotator_quality": _number(result.annotator_quality[j]),
            "agreement_with_consensus": _number(result.agreement_with_consensus[j]),
            "worst_class": classes[int(result.worst_class[j])],
            "num_examples_labeled": int(result.num_examples_labeled[j]),
            "weight": None if weights is None else _number(weights[j]),
            "disagreements": disagreements[j],
        }
        for j in range(who.size)
    ]
    people.sort(key=lambda p: (p["annotator_quality"] is None, p["annotator_quality"] or 0.0))
    return {
        "method": method,
        "analysis_id": analysis_id,
        "model_weight": None if result.model_weight is None else _number(result.model_weight),
        "agreement": _agreement(wide, k, classes),
        "rows": out_rows,
        "annotators": people,
    }


def accept_consensus(
    session: Session,
    project_id: int,
    *,
    user: str,
    row_ids: list[int] | None = None,
    min_quality: float = 0.0,
    use_model: bool = True,
) -> list[ActionResult]:
    """Set rows' labels to their consensus, as logged ``label`` actions (one per class, or per class
    set in a multi-label project; each undoable). Rows whose consensus is the empty set are skipped.

    Parameters
    ----------
    session
        A session in a write transaction.
    project_id
        The project.
    user
        Who accepts (logged).
    row_ids
        Only these annotated rows (default: every annotated row).
    min_quality
        Only rows whose consensus quality score is at least this, in [0, 1].
    use_model
        Use the current analysis's probabilities, as :func:`compute_project_consensus`.

    Returns
    -------
    list of ActionResult
        One per consensus class (or set) that received rows (empty when no row qualifies).

    Raises
    ------
    InvalidOptionError
        If ``min_quality`` is outside [0, 1] or a listed row has no annotation.
    """
    if not 0.0 <= min_quality <= 1.0:
        raise InvalidOptionError(f"min_quality must be in [0, 1]; got {min_quality!r}.")
    consensus = compute_project_consensus(session, project_id, use_model=use_model)
    by_row = {r["row_id"]: r for r in consensus["rows"]}
    wanted = list(by_row) if row_ids is None else [int(r) for r in row_ids]
    missing = [r for r in wanted if r not in by_row]
    if missing:
        raise InvalidOptionError(
            f"rows {missing[:10]} have no annotations, so no consensus to accept; annotate them "
            "first or leave them out of row_ids."
        )
    groups: dict[Any, list[int]] = {}
    for r in wanted:
        row = by_row[r]
        label = row["consensus_label"]
        if isinstance(label, list):
            if not label:  # an empty set is not a label the studio can hold: left to a person
                continue
            label = tuple(label)
        if (row["consensus_quality_score"] or 0.0) >= min_quality:
            groups.setdefault(label, []).append(r)
    return [
        apply_action(
            session,
            project_id,
            kind="label",
            user=user,
            row_ids=ids,
            label=list(label) if isinstance(label, tuple) else label,
            note=f"accept consensus ({consensus['method']})",
        )
        for label, ids in sorted(groups.items())
    ]
