"""Temperature scaling of a model's probabilities against several annotators' labels.

An over-confident model drowns the annotators in CROWDLAB's weighted average; scaling its probabilities
by the temperature that best fits the annotators' empirical label distribution tempers it.
"""

from __future__ import annotations

import numpy as np

from goldlabel.core.multiannotator_votes import compute_vote_counts
from goldlabel.exceptions import InvalidOptionError

__all__ = ["COARSE_TEMPERATURES", "find_best_temperature", "scale_by_temperature"]

#: The coarse grid of temperatures searched first (then refined between the best one's neighbours).
COARSE_TEMPERATURES = (0.1, 0.2, 0.5, 0.8, 1.0, 2.0, 3.0, 5.0, 8.0)
_FINE_STEPS = 4
_TINY = 1e-30
_MIN_TEMPERATURE = 1e-6


def _softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    e = np.exp(logits / max(temperature, _MIN_TEMPERATURE))
    return e / np.sum(e, axis=1, keepdims=True)


def _mean_soft_cross_entropy(empirical: np.ndarray, probs: np.ndarray) -> float:
    k = probs.shape[1]
    per_row = -np.sum(empirical * np.log(np.clip(probs, a_min=_TINY, a_max=None)), axis=1)
    return float(np.mean(per_row / np.log(k)))


def _fine_grid(best: int) -> np.ndarray:
    grid = COARSE_TEMPERATURES
    parts = []
    if best != 0:
        parts.append(np.linspace(grid[best - 1], grid[best], _FINE_STEPS, endpoint=False))
    if best != len(grid) - 1:
        parts.append(np.linspace(grid[best], grid[best + 1], _FINE_STEPS + 1, endpoint=True))
    return np.concatenate(parts)


def find_best_temperature(
    labels_multiannotator: np.ndarray,
    pred_probs: np.ndarray,
    *,
    vote_counts: np.ndarray | None = None,
) -> float:
    """The temperature whose scaled pred_probs best match the annotators' label frequencies.

    Minimises the mean soft cross-entropy (normalised by ``log K``) between each example's empirical
    distribution of annotator labels and the scaled probabilities, over a coarse grid and then a fine
    grid between the best coarse value's neighbours.

    Parameters
    ----------
    labels_multiannotator : numpy.ndarray of shape (N, M)
        A validated wide matrix (NaN = no label).
    pred_probs : numpy.ndarray of shape (N, K)
    vote_counts : numpy.ndarray of shape (N, K), optional
        The vote counts to match instead of the annotators' votes per class (the compat layer passes
        the counts cleanlab builds from labels stored as floats).

    Returns
    -------
    float

    Examples
    --------
    >>> labels = np.array([[0, 0], [1, 1], [0, 1]])
    >>> find_best_temperature(labels, np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])) > 0
    True
    """
    k = pred_probs.shape[1]
    if k < 2:
        raise InvalidOptionError(
            f"temperature scaling needs at least 2 classes, but pred_probs has {k} column."
        )
    counts = compute_vote_counts(labels_multiannotator, k) if vote_counts is None else vote_counts
    empirical = counts / counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        logits = np.log(pred_probs, where=pred_probs > 0, out=np.full(pred_probs.shape, -np.inf))

    def loss(t: float) -> float:
        return _mean_soft_cross_entropy(empirical, _softmax(logits, t))

    coarse = [loss(t) for t in COARSE_TEMPERATURES]
    fine = _fine_grid(int(np.argmin(coarse)))
    return float(fine[int(np.argmin([loss(float(t)) for t in fine]))])


def scale_by_temperature(pred_probs: np.ndarray, temperature: float) -> np.ndarray:
    """Sharpen (temperature < 1) or soften (> 1) probabilities: ``softmax(log p / T)``.

    Parameters
    ----------
    pred_probs : numpy.ndarray of shape (N, K)
    temperature : float
        Must be positive.

    Returns
    -------
    numpy.ndarray of shape (N, K)
        Rows sum to 1.

    Examples
    --------
    >>> scale_by_temperature(np.array([[0.8, 0.2]]), 1.0).round(3).tolist()
    [[0.8, 0.2]]
    """
    if not temperature > 0:
        raise InvalidOptionError(f"temperature must be positive, but received {temperature!r}.")
    probs = np.clip(pred_probs, a_min=_TINY, a_max=None)
    probs = probs / np.sum(probs, axis=1)[:, np.newaxis]
    scaled = _softmax(np.log(probs), temperature)
    return scaled / np.sum(scaled, axis=1)[:, np.newaxis]
