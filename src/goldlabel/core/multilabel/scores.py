"""Label-quality scores of multi-label data: per class (each a binary problem) and per example.

Per-class scores follow cleanlab's binary scorers in their dtypes, so scores agree to the last bit and
rankings agree on ties; :func:`aggregate_multilabel_scores` combines them into one score per example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import xlogy

from goldlabel.core.multilabel.inputs import check_multilabel_inputs
from goldlabel.core.multilabel.joint import _class_thresholds
from goldlabel.exceptions import DataValidationError, InvalidOptionError, InvalidPredProbsError

__all__ = [
    "MULTILABEL_AGGREGATORS",
    "MULTILABEL_SCORE_METHODS",
    "aggregate_multilabel_scores",
    "compute_multilabel_label_quality_scores",
    "compute_multilabel_label_quality_scores_per_class",
]

MULTILABEL_SCORE_METHODS = ("self_confidence", "normalized_margin", "confidence_weighted_entropy")
MULTILABEL_AGGREGATORS = ("exponential_moving_average", "softmin")
_EPS = 1e-6
_DEFAULT_ALPHA = 0.8
_DEFAULT_TEMPERATURE = 0.1

Aggregator = str | Callable[..., Any]


def _check_method(method: str, adjust_pred_probs: bool) -> None:
    if method not in MULTILABEL_SCORE_METHODS:
        raise InvalidOptionError(
            f"method must be one of {', '.join(MULTILABEL_SCORE_METHODS)}, but received {method!r}."
        )
    if adjust_pred_probs and method == "confidence_weighted_entropy":
        raise InvalidOptionError(
            "adjust_pred_probs=True is not supported with method='confidence_weighted_entropy'; "
            "use self_confidence or normalized_margin, or set adjust_pred_probs=False."
        )


def _binary_scores(given: np.ndarray, other: np.ndarray, method: str) -> np.ndarray:
    """Scores of binary problems from the probability of the given and of the other binary label."""
    if method == "self_confidence":
        return given
    if method == "normalized_margin":
        return (given - other + 1) / 2
    if given.size and (min(given.min(), other.min()) < 0 or max(given.max(), other.max()) > 1):
        raise InvalidPredProbsError(
            "confidence_weighted_entropy needs pred_probs within [0, 1], but some are slightly "
            "outside; clip them first: np.clip(pred_probs, 0, 1)."
        )
    entropy = -(xlogy(given, given) + xlogy(other, other)) / np.log(2)
    ratio = entropy / np.clip(given, a_min=_EPS, a_max=None)
    return np.log(ratio + 1) / np.clip(ratio, a_min=_EPS, a_max=None)


def _class_scores(
    onehot: np.ndarray, probs: np.ndarray, method: str, adjust_pred_probs: bool
) -> list[np.ndarray]:
    """Per-class score columns, each in the dtype cleanlab's binary scorer would produce."""
    present = onehot.astype(bool)
    if not adjust_pred_probs:
        absent = 1 - probs
        given = np.where(present, probs, absent)
        other = np.where(present, absent, probs)
        scores = _binary_scores(given, other, method)
        return [scores[:, k] for k in range(probs.shape[1])]
    out = []
    rows = np.arange(probs.shape[0])
    for k, thr in enumerate(_class_thresholds(onehot, probs)):
        # Shift both binary columns by their thresholds and renormalise, in the binary problem's
        # own dtypes (thresholds are float64 when a binary class is empty).
        pair = np.column_stack((1 - probs[:, k], probs[:, k])) - thr
        pair += thr.max()
        pair /= pair.sum(axis=1, keepdims=True)
        y = present[:, k].astype(np.int64)
        out.append(_binary_scores(pair[rows, y], pair[rows, 1 - y], method))
    return out


def compute_multilabel_label_quality_scores_per_class(
    labels: Any,
    pred_probs: Any,
    *,
    method: str = "self_confidence",
    adjust_pred_probs: bool = False,
) -> np.ndarray:
    """A label-quality score for every example and class: how likely its label for that class is right.

    Each class is scored as a binary problem: the given binary label is whether the class is in the
    example's set, and ``[1 - p, p]`` are its probabilities.

    Parameters
    ----------
    labels : list of list of int, length N
    pred_probs : array-like of shape (N, K)
    method : {'self_confidence', 'normalized_margin', 'confidence_weighted_entropy'}
    adjust_pred_probs : bool, default=False
        Shift each binary problem's probabilities by its confident thresholds first (not with
        confidence_weighted_entropy).

    Returns
    -------
    numpy.ndarray of shape (N, K), float64
        Scores in [0, 1]; lower means the class's label is more likely wrong.

    Examples
    --------
    >>> compute_multilabel_label_quality_scores_per_class([[1], [0, 2]], [[.1, .9, .1], [.4, .1, .9]])
    array([[0.9, 0.9, 0.9],
           [0.4, 0.9, 0.9]])
    """
    _check_method(method, adjust_pred_probs)
    onehot, probs = check_multilabel_inputs(labels, pred_probs)
    cols = _class_scores(onehot, probs, method, adjust_pred_probs)
    return np.column_stack(cols).astype(np.float64, copy=False)


def _exponential_moving_average(scores: np.ndarray, alpha: float | None) -> np.ndarray:
    k = scores.shape[1]
    if alpha is None:
        alpha = float(2 / (k + 1))
    if not 0 <= alpha <= 1:
        raise InvalidOptionError(f"alpha must be in [0, 1], but received {alpha!r}.")
    ordered = np.sort(scores, axis=1)[:, ::-1]
    # The recurrence runs over the K sorted columns, each step on all N rows at once. A closed form
    # (a weighted sum) would change the last bits of the scores, and with them the order of ties.
    ema = ordered[:, 0]
    for j in range(1, k):
        ema = alpha * ordered[:, j] + (1 - alpha) * ema
    return ema


def _softmin(scores: np.ndarray, temperature: float) -> np.ndarray:
    shifted = (1 - scores) / max(temperature, _EPS)
    shifted = shifted - np.max(shifted, axis=1, keepdims=True)
    weights = np.exp(shifted)
    weights = weights / np.sum(weights, axis=1, keepdims=True)
    return np.einsum("ij,ij->i", scores, weights)


def aggregate_multilabel_scores(
    class_scores: Any,
    *,
    aggregator: Aggregator = "exponential_moving_average",
    alpha: float | None = _DEFAULT_ALPHA,
    temperature: float = _DEFAULT_TEMPERATURE,
) -> np.ndarray:
    """Combine per-class scores into one score per example, dominated by the worst classes.

    Parameters
    ----------
    class_scores : array-like of shape (N, K)
        E.g. from :func:`compute_multilabel_label_quality_scores_per_class`.
    aggregator : {'exponential_moving_average', 'softmin'} or callable
        ``'exponential_moving_average'``: sort each row's scores in descending order and run
        ``ema = alpha * s_j + (1 - alpha) * ema`` from the largest to the smallest, so the lowest
        scores weigh most. ``'softmin'``: the scores averaged with weights ``softmax((1 - s) / T)``.
        A callable is called as ``aggregator(class_scores, axis=1)`` and must return shape (N,).
    alpha : float or None, default=0.8
        Weight of each new (smaller) score in the moving average, in [0, 1]; None means
        ``2 / (K + 1)``.
    temperature : float, default=0.1
        Softmin temperature; smaller is closer to the minimum.

    Returns
    -------
    numpy.ndarray of shape (N,)

    Examples
    --------
    >>> aggregate_multilabel_scores([[0.9, 0.9, 0.3], [0.4, 0.9, 0.6]]).round(3).tolist()
    [0.42, 0.452]
    """
    scores = np.asarray(class_scores)
    if scores.ndim != 2:
        raise DataValidationError(
            f"class_scores must be a 2-D array of shape (N, K), but received shape {scores.shape}."
        )
    if callable(aggregator):
        out = np.asarray(aggregator(scores, axis=1))
        if out.shape != (scores.shape[0],):
            raise InvalidOptionError(
                f"The aggregator must return one score per row, shape ({scores.shape[0]},), but "
                f"returned shape {out.shape}. Reduce over axis=1."
            )
        return out
    if aggregator == "exponential_moving_average":
        return _exponential_moving_average(scores, alpha)
    if aggregator == "softmin":
        return _softmin(scores, temperature)
    raise InvalidOptionError(
        f"aggregator must be one of {', '.join(MULTILABEL_AGGREGATORS)} or a callable, but "
        f"received {aggregator!r}."
    )


def compute_multilabel_label_quality_scores(
    labels: Any,
    pred_probs: Any,
    *,
    method: str = "self_confidence",
    adjust_pred_probs: bool = False,
    aggregator: Aggregator = "exponential_moving_average",
    alpha: float | None = _DEFAULT_ALPHA,
    temperature: float = _DEFAULT_TEMPERATURE,
) -> np.ndarray:
    """A label-quality score for every example: how likely its whole label set is right.

    The per-class scores of :func:`compute_multilabel_label_quality_scores_per_class`, aggregated by
    :func:`aggregate_multilabel_scores`.

    Parameters
    ----------
    labels : list of list of int, length N
    pred_probs : array-like of shape (N, K)
    method : {'self_confidence', 'normalized_margin', 'confidence_weighted_entropy'}
    adjust_pred_probs : bool, default=False
    aggregator : {'exponential_moving_average', 'softmin'} or callable
    alpha : float or None, default=0.8
    temperature : float, default=0.1

    Returns
    -------
    numpy.ndarray of shape (N,)
        Scores in [0, 1]; lower means some class is more likely mislabeled.

    Examples
    --------
    >>> compute_multilabel_label_quality_scores([[1], [0, 2]], [[.1, .9, .1], [.4, .1, .9]]).tolist()
    [0.9, 0.5]
    """
    per_class = compute_multilabel_label_quality_scores_per_class(
        labels, pred_probs, method=method, adjust_pred_probs=adjust_pred_probs
    )
    return aggregate_multilabel_scores(
        per_class, aggregator=aggregator, alpha=alpha, temperature=temperature
    )
