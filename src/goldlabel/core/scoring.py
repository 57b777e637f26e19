"""Label-quality scores: one number per example, lower for a label more likely wrong.

Scores are computed chunk by chunk, so memory stays proportional to a chunk, never to a copy of
pred_probs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import xlogy

from goldlabel.core.counting import _confident_thresholds, prepare_inputs
from goldlabel.core.scan import chunk_bounds
from goldlabel.exceptions import DataValidationError, InvalidOptionError, InvalidPredProbsError

__all__ = [
    "SCORE_METHODS",
    "adjust_pred_probs",
    "compute_confidence_weighted_entropy",
    "compute_label_quality_scores",
    "compute_normalized_entropy",
    "compute_normalized_margin",
    "compute_self_confidence",
    "find_top_issues",
    "order_label_issues",
]

SCORE_METHODS = ("self_confidence", "normalized_margin", "confidence_weighted_entropy")
_CLIP = 1e-6


def compute_self_confidence(labels: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """``p_s``: the predicted probability of the given label. Inputs must be validated arrays.

    Examples
    --------
    >>> compute_self_confidence(np.array([1, 0]), np.array([[0.3, 0.7], [0.6, 0.4]])).tolist()
    [0.7, 0.6]
    """
    return pred_probs[np.arange(labels.shape[0]), labels]


def compute_normalized_margin(labels: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """``(p_s - max_{k != s} p_k + 1) / 2``, in [0, 1]. Inputs must be validated arrays.

    Examples
    --------
    >>> compute_normalized_margin(np.array([1, 0]), np.array([[0.3, 0.7], [0.6, 0.4]])).round(2).tolist()
    [0.7, 0.6]
    """
    n = labels.shape[0]
    out = np.empty(n, dtype=pred_probs.dtype)
    if pred_probs.shape[1] < 2:
        raise InvalidPredProbsError(
            "normalized_margin needs at least 2 classes (columns of pred_probs), but pred_probs "
            f"has {pred_probs.shape[1]}."
        )
    for a, b in chunk_bounds(n, pred_probs.shape[1], pred_probs.dtype.itemsize):
        block = np.array(pred_probs[a:b], copy=True)
        rows = np.arange(b - a)
        given = block[rows, labels[a:b]].copy()
        block[rows, labels[a:b]] = -np.inf
        out[a:b] = (given - block.max(axis=1) + 1) / 2
    return out


def compute_normalized_entropy(pred_probs: np.ndarray) -> np.ndarray:
    """Entropy of each row divided by ``log(K)``, in [0, 1].

    Parameters
    ----------
    pred_probs : numpy.ndarray of shape (N, K)
        Probabilities in [0, 1].

    Returns
    -------
    numpy.ndarray of shape (N,)
        1 for a uniform row, 0 for a one-hot row.

    Examples
    --------
    >>> compute_normalized_entropy(np.array([[0.5, 0.5], [1.0, 0.0]])).tolist()
    [1.0, 0.0]
    """
    n, k = pred_probs.shape
    if pred_probs.size and (pred_probs.min() < 0 or pred_probs.max() > 1):
        raise ValueError(
            "pred_probs must be in [0, 1] to compute an entropy; clip tiny rounding errors first."
        )
    # "+ 0.0" turns the -0.0 of a one-hot row into 0.0 (equal in every comparison, so ranks do not move).
    parts = [
        -np.sum(xlogy(pred_probs[a:b], pred_probs[a:b]), axis=1) / np.log(k) + 0.0
        for a, b in chunk_bounds(n, k, pred_probs.dtype.itemsize)
    ]
    return np.concatenate(parts) if parts else np.zeros(0)


def compute_confidence_weighted_entropy(labels: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """``log(1 + r) / max(r, 1e-6)`` with ``r = H(p) / max(p_s, 1e-6)``, ``H`` the normalised entropy."""
    self_confidence = np.clip(compute_self_confidence(labels, pred_probs), a_min=_CLIP, a_max=None)
    ratio = compute_normalized_entropy(pred_probs) / self_confidence
    clipped = np.clip(ratio, a_min=_CLIP, a_max=None)
    return np.log(ratio + 1) / clipped


def adjust_pred_probs(
    labels: np.ndarray | None,
    pred_probs: np.ndarray,
    *,
    confident_thresholds: np.ndarray | None = None,
) -> np.ndarray:
    """Shift each class's probabilities by its confident threshold and renormalise each row.

    ``p'_k = p_k - t_k + max_j t_j``, then divided by the row sum; this corrects for classes the model
    is systematically more or less confident in.
    """
    if confident_thresholds is None:
        if labels is None:
            raise InvalidOptionError(
                "adjust_pred_probs needs labels to compute the confident thresholds, or the "
                "thresholds themselves via confident_thresholds=; both were None."
            )
        confident_thresholds = _confident_thresholds(labels, pred_probs)
    thresholds = np.asarray(confident_thresholds)
    adjusted = pred_probs - thresholds
    adjusted += thresholds.max()
    adjusted /= adjusted.sum(axis=1, keepdims=True)
    return adjusted


_SCORERS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "self_confidence": compute_self_confidence,
    "normalized_margin": compute_normalized_margin,
    "confidence_weighted_entropy": compute_confidence_weighted_entropy,
}


def _check_method(method: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    try:
        return _SCORERS[method]
    except KeyError:
        raise InvalidOptionError(
            f"method must be one of {', '.join(SCORE_METHODS)}, but received {method!r}."
        ) from None


def compute_label_quality_scores(
    labels: Any,
    pred_probs: Any,
    *,
    method: str = "self_confidence",
    adjust_pred_probs: bool = False,
    confident_thresholds: np.ndarray | None = None,
) -> np.ndarray:
    """A label-quality score for every example, in [0, 1]; lower means more likely mislabeled.

    Parameters
    ----------
    labels : array-like of shape (N,)
    pred_probs : array-like of shape (N, K)
    method : {'self_confidence', 'normalized_margin', 'confidence_weighted_entropy'}
    adjust_pred_probs : bool
        Subtract per-class confident thresholds first (not with confidence_weighted_entropy).
    confident_thresholds : numpy.ndarray of shape (K,), optional
        Thresholds to use when adjusting, instead of computing them from the labels.

    Returns
    -------
    numpy.ndarray of shape (N,)

    Examples
    --------
    >>> compute_label_quality_scores([1, 0], [[0.3, 0.7], [0.6, 0.4]]).tolist()
    [0.7, 0.6]
    """
    scorer = _check_method(method)
    labs, probs = prepare_inputs(labels, pred_probs)
    if adjust_pred_probs:
        if method == "confidence_weighted_entropy":
            raise InvalidOptionError(
                "adjust_pred_probs=True is not supported with method='confidence_weighted_entropy'; "
                "use self_confidence or normalized_margin, or set adjust_pred_probs=False."
            )
        probs = _adjust(labs, probs, confident_thresholds)
    return scorer(labs, probs)


def _adjust(
    labels: np.ndarray, pred_probs: np.ndarray, confident_thresholds: np.ndarray | None
) -> np.ndarray:
    return adjust_pred_probs(labels, pred_probs, confident_thresholds=confident_thresholds)


def order_label_issues(
    label_issues_mask: Any,
    labels: Any,
    pred_probs: Any,
    *,
    rank_by: str = "self_confidence",
    rank_by_kwargs: dict[str, Any] | None = None,
) -> np.ndarray:
    """Indices of the flagged examples, most likely mislabeled first (ascending quality score).

    Examples
    --------
    >>> order_label_issues([True, False, True], [1, 0, 0], [[.9, .1], [.8, .2], [.3, .7]]).tolist()
    [0, 2]
    """
    labs, probs = prepare_inputs(labels, pred_probs)
    mask = np.asarray(label_issues_mask, dtype=bool)
    if mask.shape != labs.shape:
        raise DataValidationError(
            f"label_issues_mask must have one entry per example, shape {labs.shape}, but received "
            f"shape {mask.shape}."
        )
    return rank_indices(np.flatnonzero(mask), labs, probs, rank_by, rank_by_kwargs or {})


def rank_indices(
    indices: np.ndarray,
    labels: np.ndarray,
    pred_probs: np.ndarray,
    rank_by: str,
    rank_by_kwargs: dict[str, Any],
) -> np.ndarray:
    """Sort ``indices`` by ascending label-quality score (cleanlab's default sort, same ties)."""
    scorer = _check_method(rank_by)
    unknown = set(rank_by_kwargs) - {"adjust_pred_probs"}
    if unknown:
        raise TypeError(
            f"rank_by_kwargs accepts only 'adjust_pred_probs', but received {sorted(unknown)}."
        )
    if rank_by_kwargs.get("adjust_pred_probs", False):
        if rank_by == "confidence_weighted_entropy":
            raise InvalidOptionError(
                "adjust_pred_probs=True is not supported with method='confidence_weighted_entropy'."
            )
        thresholds = _confident_thresholds(labels, pred_probs)
        sub = adjust_pred_probs(None, pred_probs[indices], confident_thresholds=thresholds)
    else:
        sub = pred_probs[indices]
    scores = scorer(labels[indices], sub)
    return indices[np.argsort(scores)]


def find_top_issues(quality_scores: Any, *, top: int | None = 10) -> np.ndarray:
    """Indices of the ``top`` lowest scores, lowest first (all of them if ``top`` is None).

    Examples
    --------
    >>> find_top_issues([0.9, 0.1, 0.5], top=2).tolist()
    [1, 2]
    """
    scores = np.asarray(quality_scores)
    if scores.ndim != 1:
        raise DataValidationError(f"quality_scores must be 1-D, but received shape {scores.shape}.")
    if top is None or top > scores.shape[0]:
        top = scores.shape[0]
    return scores.argsort()[:top]
