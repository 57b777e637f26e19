"""Labeling functions in the rest of goldlabel: suggestions for unlabeled rows, and label issues.

* :func:`suggest_labels_from_lfs` turns a label matrix into ``pred_probs``-shaped suggestions plus a
  mask of the rows any LF covers (a row no LF covers has no suggestion worth showing).
* :func:`find_lf_label_issues` flags rows whose given label disagrees with a confident LF consensus;
  its score follows the studio's convention (``label_issue_score`` in [0, 1], 1 = surely mislabeled).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from goldlabel.exceptions import InvalidOptionError
from goldlabel.weak.base import BaseLabelModel
from goldlabel.weak.label_model import LabelModel
from goldlabel.weak.validation import (
    check_gold_labels,
    check_label_matrix,
    check_n_classes,
    check_number_option,
)

__all__ = ["find_lf_label_issues", "suggest_labels_from_lfs"]


def _fitted_model(label_matrix: np.ndarray, n_classes: int | None, model: Any) -> BaseLabelModel:
    if model is None:
        if n_classes is None:
            raise InvalidOptionError(
                "pass n_classes=K (or a label model) so the label matrix's classes are known."
            )
        return LabelModel(n_classes=check_n_classes(n_classes)).fit(label_matrix)
    if not isinstance(model, BaseLabelModel):
        raise InvalidOptionError(
            f"model must be a goldlabel label model (e.g. LabelModel(n_classes=K)), but received "
            f"{type(model).__name__}."
        )
    if not hasattr(model, "n_lfs_"):
        model.fit(label_matrix)
    return model


def suggest_labels_from_lfs(
    L: Any,
    *,
    n_classes: int | None = None,
    model: BaseLabelModel | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Label-model probabilities for every row and which rows any LF covers.

    Parameters
    ----------
    L : array-like of shape (n_rows, n_lfs)
    n_classes : int, optional
        K; needed when ``model`` is not given (a default :class:`LabelModel` is fit on ``L``).
    model : label model, optional
        Fitted (used as is) or not (fit on ``L``).

    Returns
    -------
    pred_probs : numpy.ndarray of shape (n_rows, n_classes)
    covered : numpy.ndarray of shape (n_rows,), dtype bool

    Examples
    --------
    >>> probs, covered = suggest_labels_from_lfs([[0, 0], [1, -1], [-1, -1]], n_classes=2)
    >>> probs.argmax(axis=1).tolist(), covered.tolist()
    ([0, 1, 0], [True, True, False])
    """
    label_matrix = check_label_matrix(L, n_classes=n_classes)
    fitted = _fitted_model(label_matrix, n_classes, model)
    return fitted.predict_proba(label_matrix), np.asarray((label_matrix >= 0).any(axis=1))


def find_lf_label_issues(
    labels: Any,
    L: Any,
    *,
    n_classes: int | None = None,
    model: BaseLabelModel | None = None,
    min_confidence: float = 0.9,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose given label disagrees with a confident LF consensus.

    A row is flagged when some LF covers it, it has a given label (not ``-1``), the label model's most
    probable class differs from that label, and its probability is at least ``min_confidence``.

    Parameters
    ----------
    labels : array-like of shape (n_rows,)
        Given labels, ``-1`` for unlabeled rows (never flagged).
    L : array-like of shape (n_rows, n_lfs)
    n_classes, model : as in :func:`suggest_labels_from_lfs`
    min_confidence : float, default=0.9

    Returns
    -------
    is_label_issue : numpy.ndarray of shape (n_rows,), dtype bool
    label_issue_score : numpy.ndarray of shape (n_rows,)
        ``1 - P(given label | LFs)`` on covered, labeled rows; 0 elsewhere (no evidence).

    Examples
    --------
    >>> L = [[1, 1, 1], [0, 0, -1], [-1, -1, -1]]
    >>> mask, score = find_lf_label_issues([0, 0, 1], L, n_classes=2, min_confidence=0.8)
    >>> mask.tolist(), (score > 0.8).tolist()
    ([True, False, False], [True, False, False])
    """
    confidence = check_number_option(
        min_confidence, "min_confidence", "find_lf_label_issues", low=0.0, high=1.0
    )
    label_matrix = check_label_matrix(L, n_classes=n_classes)
    k = n_classes if n_classes is not None else getattr(model, "n_classes", None)
    gold = check_gold_labels(labels, n_rows=label_matrix.shape[0], n_classes=k)
    probs, covered = suggest_labels_from_lfs(label_matrix, n_classes=n_classes, model=model)
    usable = covered & (gold >= 0)
    top = probs.argmax(axis=1)
    p_given = np.where(gold >= 0, probs[np.arange(len(gold)), np.maximum(gold, 0)], 1.0)
    score = np.where(usable, 1.0 - p_given, 0.0)
    flag = usable & (top != gold) & (probs.max(axis=1) >= confidence)
    return flag, score
