"""Temperature scaling: one number that makes predicted probabilities honest about their confidence.

Probabilities ``p`` become ``softmax(log(p) / T)``: ``T > 1`` softens over-confident models, ``T < 1``
sharpens timid ones, and the ranking of classes within a row never changes. ``T`` is chosen to
minimise the log loss of out-of-sample probabilities against the given labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar

from goldlabel.exceptions import InvalidLabelsError, InvalidOptionError, InvalidPredProbsError
from goldlabel.learn.crossval import compute_log_loss, validate_labels

__all__ = ["apply_temperature", "fit_temperature"]

_FLOOR = 1e-12


def _check_probs(pred_probs: Any) -> np.ndarray:
    probs = np.asarray(pred_probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] < 2:
        raise InvalidPredProbsError(
            f"pred_probs must be a 2-D array of shape (n_rows, n_classes) with at least 2 classes; "
            f"got shape {probs.shape}."
        )
    if not np.isfinite(probs).all() or probs.min() < 0:
        raise InvalidPredProbsError(
            "pred_probs must be finite and non-negative; found NaN, infinite or negative values."
        )
    return probs


def apply_temperature(pred_probs: Any, temperature: float) -> np.ndarray:
    """Rescale probabilities by a temperature: ``softmax(log(pred_probs) / temperature)``.

    Parameters
    ----------
    pred_probs : array-like of shape (n_rows, n_classes)
    temperature : float
        Positive; 1 leaves the probabilities unchanged.

    Returns
    -------
    ndarray of shape (n_rows, n_classes)

    Examples
    --------
    >>> apply_temperature([[0.8, 0.2]], 2.0).round(3).tolist()
    [[0.667, 0.333]]
    """
    probs = _check_probs(pred_probs)
    if not np.isfinite(temperature) or temperature <= 0:
        raise InvalidOptionError(
            f"temperature must be a positive number, but received {temperature!r}."
        )
    logits = np.log(np.clip(probs, _FLOOR, None)) / float(temperature)
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    out /= out.sum(axis=1, keepdims=True)
    return out


def fit_temperature(
    pred_probs: Any, labels: Any, *, bounds: tuple[float, float] = (0.05, 20.0)
) -> float:
    """The temperature that minimises the log loss of ``pred_probs`` against ``labels``.

    Parameters
    ----------
    pred_probs : array-like of shape (n_rows, n_classes)
        Out-of-sample probabilities (in-sample ones would teach over-confidence).
    labels : array-like of shape (n_rows,)
        Class indices; -1 rows are skipped.
    bounds : (float, float), default (0.05, 20)
        Range searched for the temperature.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> labels = rng.integers(0, 2, 2000)
    >>> right = rng.random(2000) < 0.7  # the model is right 70 % of the time, but says 99 %
    >>> probs = np.where((labels == 1) == right, 0.99, 0.01)
    >>> pred_probs = np.column_stack([1 - probs, probs])
    >>> bool(fit_temperature(pred_probs, labels) > 2)
    True
    """
    probs = _check_probs(pred_probs)
    labs = validate_labels(labels, n_rows=probs.shape[0], n_classes=probs.shape[1])
    rows = labs >= 0
    if rows.sum() == 0:
        raise InvalidLabelsError("fit_temperature needs labeled rows; every label is -1.")
    low, high = bounds
    if not 0 < low < high:
        raise InvalidOptionError(f"bounds must satisfy 0 < low < high, but received {bounds!r}.")
    sub_probs, sub_labels = probs[rows], labs[rows]

    def loss(log_t: float) -> float:
        return compute_log_loss(sub_labels, apply_temperature(sub_probs, float(np.exp(log_t))))

    best = minimize_scalar(loss, bounds=(np.log(low), np.log(high)), method="bounded")
    temperature = float(np.exp(best.x))
    return temperature if loss(best.x) < loss(0.0) else 1.0
