"""Label-quality scores from several models at once: a weighted average of each model's scores.

Results equal ``cleanlab.rank.get_label_quality_ensemble_scores`` (2.9). The log loss used to weight
members (``weight_ensemble_members_by='log_loss_search'``) is computed here with numpy, with the same
dtype, clipping and summation order as ``sklearn.metrics.log_loss``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from goldlabel.core.counting import prepare_inputs
from goldlabel.core.scoring import SCORE_METHODS, compute_label_quality_scores
from goldlabel.exceptions import DataValidationError, InvalidOptionError, InvalidPredProbsError

__all__ = [
    "DEFAULT_LOG_LOSS_SEARCH_T_VALUES",
    "ENSEMBLE_WEIGHTINGS",
    "compute_ensemble_label_quality_scores",
    "compute_ensemble_weights",
    "compute_log_loss",
]

ENSEMBLE_WEIGHTINGS = ("accuracy", "uniform", "custom", "log_loss_search")
#: Temperatures tried by ``log_loss_search``: member m gets weight ∝ exp(-T * log_loss_m).
DEFAULT_LOG_LOSS_SEARCH_T_VALUES = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 200.0)
#: Each member's probabilities are floored at this value (then renormalised) before its log loss.
_PROBABILITY_FLOOR = 1e-6


def compute_log_loss(labels: Any, pred_probs: Any) -> float:
    """Mean negative log-likelihood of the given labels (cross-entropy), natural log.

    Probabilities are clipped to ``[eps, 1 - eps]`` with ``eps`` the machine epsilon of their dtype,
    and the mean is taken in that dtype, as :func:`sklearn.metrics.log_loss` does.

    Parameters
    ----------
    labels : array-like of shape (N,)
        Given labels, integers in [0, K).
    pred_probs : array-like of shape (N, K)
        Predicted probabilities.

    Returns
    -------
    float

    Examples
    --------
    >>> round(compute_log_loss([0, 1], [[0.9, 0.1], [0.2, 0.8]]), 4)
    0.1643
    """
    labs, probs = prepare_inputs(labels, pred_probs)
    return _log_loss(labs, probs)


def _log_loss(labels: np.ndarray, pred_probs: np.ndarray) -> float:
    eps = np.finfo(pred_probs.dtype).eps
    picked = np.clip(pred_probs[np.arange(labels.shape[0]), labels], eps, 1 - eps)
    return float(-np.log(picked).mean())


def _check_members(labels: Any, pred_probs_list: Any) -> tuple[np.ndarray, list[np.ndarray]]:
    if isinstance(pred_probs_list, np.ndarray) or not isinstance(pred_probs_list, (list, tuple)):
        raise InvalidPredProbsError(
            "pred_probs_list must be a list with one (N, K) array of predicted probabilities per "
            f"model, but received {type(pred_probs_list).__name__}. Wrap a single array as "
            "[pred_probs], or use compute_label_quality_scores for one model."
        )
    if len(pred_probs_list) == 0:
        raise InvalidPredProbsError(
            "pred_probs_list is empty. Pass one (N, K) array of predicted probabilities per model."
        )
    if len(pred_probs_list) == 1:
        warnings.warn(
            "pred_probs_list holds a single model; the ensemble score equals that model's score. "
            "Use compute_label_quality_scores for one model.",
            UserWarning,
            stacklevel=3,
        )
    labs, first = prepare_inputs(labels, pred_probs_list[0])
    members = [first]
    for m, member in enumerate(pred_probs_list[1:], start=1):
        _, probs = prepare_inputs(labs, member)
        if probs.shape != first.shape:
            raise InvalidPredProbsError(
                f"Every model's pred_probs must have the same shape, but model {m} has shape "
                f"{probs.shape} and model 0 has shape {first.shape}. Predict the same examples "
                "and classes with every model."
            )
        members.append(probs)
    return labs, members


def _check_weighting(weighting: str, custom_weights: Any, n_members: int) -> np.ndarray | None:
    if weighting not in ENSEMBLE_WEIGHTINGS:
        raise InvalidOptionError(
            f"weight_ensemble_members_by must be one of {', '.join(ENSEMBLE_WEIGHTINGS)}, but "
            f"received {weighting!r}."
        )
    if custom_weights is not None and weighting != "custom":
        raise InvalidOptionError(
            f"custom_weights were given but weight_ensemble_members_by={weighting!r}. Set "
            "weight_ensemble_members_by='custom' to use them, or drop custom_weights."
        )
    if weighting != "custom":
        return None
    if custom_weights is None:
        raise InvalidOptionError(
            "weight_ensemble_members_by='custom' needs custom_weights, one weight per model, but "
            "custom_weights is None."
        )
    weights = np.asarray(custom_weights)
    if weights.ndim != 1 or weights.shape[0] != n_members or weights.dtype.kind not in "biuf":
        raise DataValidationError(
            f"custom_weights must be {n_members} numbers, one per model in pred_probs_list, but "
            f"received shape {weights.shape} and dtype {weights.dtype}."
        )
    return weights


def _log_loss_search(
    labels: np.ndarray, members: list[np.ndarray], t_values: Sequence[float]
) -> np.ndarray:
    """Member weights ∝ exp(-T * log_loss), T chosen to minimise the ensemble's log loss."""
    losses = []
    for probs in members:
        floored = np.clip(probs, a_min=_PROBABILITY_FLOOR, a_max=None)
        floored /= floored.sum(axis=1)[:, np.newaxis]
        losses.append(_log_loss(labels, floored))
    best_loss = float("inf")
    best: np.ndarray | None = None
    for t in t_values:
        scaled = [np.exp(-t * loss) for loss in losses]
        weights = np.array(scaled) / sum(scaled)
        # Accumulated left to right from 0, in float64, like Python's sum over the members.
        average: Any = 0
        for w, probs in zip(weights, members, strict=True):
            average = average + w * probs
        loss = _log_loss(labels, average)
        if loss < best_loss:
            best_loss, best = loss, weights.copy()
    if best is None:
        raise InvalidOptionError(
            "log_loss_search found no temperature giving a finite ensemble log loss: "
            f"log_loss_search_T_values must be a non-empty list of finite numbers, but received "
            f"{list(t_values)!r}."
        )
    return best


def _weights(
    labels: np.ndarray,
    members: list[np.ndarray],
    weighting: str,
    custom: np.ndarray | None,
    t_values: Sequence[float],
) -> np.ndarray:
    if custom is not None:
        return custom
    if weighting == "uniform":
        return np.full(len(members), 1.0 / len(members))
    if weighting == "accuracy":
        accuracies = [(probs.argmax(axis=1) == labels).mean() for probs in members]
        return np.array(accuracies) / sum(accuracies)
    return _log_loss_search(labels, members, t_values)


def compute_ensemble_weights(
    labels: Any,
    pred_probs_list: Sequence[Any],
    *,
    weight_ensemble_members_by: str = "accuracy",
    custom_weights: Any = None,
    log_loss_search_T_values: Sequence[float] = DEFAULT_LOG_LOSS_SEARCH_T_VALUES,
) -> np.ndarray:
    """The weight of each model in the ensemble.

    Parameters
    ----------
    labels : array-like of shape (N,)
        Given labels, integers in [0, K).
    pred_probs_list : list of M array-likes of shape (N, K)
        Each model's out-of-sample predicted probabilities.
    weight_ensemble_members_by : {'accuracy', 'uniform', 'custom', 'log_loss_search'}
        ``'accuracy'``: each model's accuracy against the given labels, normalised to sum to 1;
        ``'uniform'``: ``1 / M`` each; ``'custom'``: ``custom_weights`` as given (not normalised);
        ``'log_loss_search'``: ``exp(-T * log_loss_m)`` normalised, with T taken from
        ``log_loss_search_T_values`` to minimise the log loss of the weighted average of the
        (unclipped) pred_probs; each model's own log loss is computed after flooring its
        probabilities at 1e-6 and renormalising.
    custom_weights : array-like of shape (M,), optional
        Only with ``weight_ensemble_members_by='custom'``.
    log_loss_search_T_values : sequence of float
        Temperatures tried by ``'log_loss_search'``; the first of equally good ones is kept.

    Returns
    -------
    numpy.ndarray of shape (M,)

    Examples
    --------
    >>> labels = [0, 1, 1]
    >>> a = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]
    >>> b = [[0.8, 0.2], [0.3, 0.7], [0.3, 0.7]]
    >>> compute_ensemble_weights(labels, [a, b]).round(2).tolist()
    [0.4, 0.6]
    """
    labs, members = _check_members(labels, pred_probs_list)
    custom = _check_weighting(weight_ensemble_members_by, custom_weights, len(members))
    return _weights(labs, members, weight_ensemble_members_by, custom, log_loss_search_T_values)


def compute_ensemble_label_quality_scores(
    labels: Any,
    pred_probs_list: Sequence[Any],
    *,
    method: str = "self_confidence",
    adjust_pred_probs: bool = False,
    weight_ensemble_members_by: str = "accuracy",
    custom_weights: Any = None,
    log_loss_search_T_values: Sequence[float] = DEFAULT_LOG_LOSS_SEARCH_T_VALUES,
) -> np.ndarray:
    """A label-quality score per example from several models: the weighted average of their scores.

    Parameters
    ----------
    labels : array-like of shape (N,)
        Given labels, integers in [0, K).
    pred_probs_list : list of M array-likes of shape (N, K)
        Each model's out-of-sample predicted probabilities.
    method : {'self_confidence', 'normalized_margin', 'confidence_weighted_entropy'}
        The per-model score (see :func:`goldlabel.core.scoring.compute_label_quality_scores`).
    adjust_pred_probs : bool
        Adjust each model's pred_probs by its confident thresholds before scoring.
    weight_ensemble_members_by, custom_weights, log_loss_search_T_values
        See :func:`compute_ensemble_weights`. With ``'uniform'`` the scores are averaged.

    Returns
    -------
    numpy.ndarray of shape (N,)
        Lower means more likely mislabeled.

    Examples
    --------
    >>> labels = [0, 1, 1]
    >>> a = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]
    >>> b = [[0.8, 0.2], [0.3, 0.7], [0.3, 0.7]]
    >>> compute_ensemble_label_quality_scores(labels, [a, b]).round(2).tolist()
    [0.84, 0.74, 0.58]
    """
    if method not in SCORE_METHODS:
        raise InvalidOptionError(
            f"method must be one of {', '.join(SCORE_METHODS)}, but received {method!r}."
        )
    labs, members = _check_members(labels, pred_probs_list)
    custom = _check_weighting(weight_ensemble_members_by, custom_weights, len(members))
    scores = np.vstack(
        [
            compute_label_quality_scores(
                labs, probs, method=method, adjust_pred_probs=adjust_pred_probs
            )
            for probs in members
        ]
    ).T
    if weight_ensemble_members_by == "uniform":
        return scores.mean(axis=1)
    weights = _weights(labs, members, weight_ensemble_members_by, custom, log_loss_search_T_values)
    return (scores * weights).sum(axis=1)
