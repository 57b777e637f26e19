"""Latent algebra of confident learning: priors, noise matrices and their inverses.

Notation: ``ps[i] = P(s=i)`` (given labels), ``py[j] = P(y*=j)`` (true labels),
``noise_matrix[i][j] = P(s=i | y*=j)`` (columns sum to 1) and
``inverse_noise_matrix[j][i] = P(y*=j | s=i)`` (columns sum to 1).
"""

from __future__ import annotations

import numpy as np

from goldlabel.exceptions import InvalidOptionError

__all__ = [
    "CLIPPING_LOWER_BOUND",
    "TINY_VALUE",
    "clip_noise_rates",
    "clip_values",
    "compute_inv_noise_matrix",
    "compute_noise_matrix_from_inverse",
    "compute_py",
    "compute_py_inv_noise_matrix",
    "converge_estimates",
]

TINY_VALUE = 1e-100
CLIPPING_LOWER_BOUND = 1e-6
_PY_METHODS = ("cnt", "eqn", "marginal", "marginal_ps")


def clip_noise_rates(noise_matrix: np.ndarray) -> np.ndarray:
    """Clip off-diagonal noise rates to [0, 0.9999] and renormalise every column to sum to 1.

    Examples
    --------
    >>> clip_noise_rates(np.array([[0.9, 0.2], [0.1, 0.8]])).sum(axis=0).tolist()
    [1.0, 1.0]
    """
    diagonal = np.diagonal(noise_matrix).copy()
    clipped = np.clip(noise_matrix, 0, 0.9999)
    np.fill_diagonal(clipped, diagonal)
    return clipped / np.clip(clipped.sum(axis=0), a_min=TINY_VALUE, a_max=None)


def clip_values(
    x: np.ndarray, low: float = 0.0, high: float = 1.0, new_sum: float | None = None
) -> np.ndarray:
    """Clip a 1-D array to [low, high] and rescale it to sum to ``new_sum`` (default: its old sum).

    Examples
    --------
    >>> clip_values(np.array([0.5, -0.1, 0.6]), new_sum=1.0).round(3).tolist()
    [0.455, 0.0, 0.545]
    """
    x = np.asarray(x)
    if x.ndim > 1:
        raise TypeError(f"clip_values needs a 1-D array, got shape {x.shape}")
    prev_sum = np.sum(x) if new_sum is None else new_sum
    x = np.clip(x, low, high)
    return x * prev_sum / np.clip(np.sum(x), a_min=TINY_VALUE, a_max=None)


def compute_py(
    ps: np.ndarray,
    noise_matrix: np.ndarray,
    inverse_noise_matrix: np.ndarray,
    *,
    py_method: str = "cnt",
    true_labels_class_counts: np.ndarray | None = None,
) -> np.ndarray:
    """Estimate the prior of the true labels, ``P(y*)``.

    ``py_method``: ``'cnt'`` (from the diagonals, the default), ``'eqn'`` (inverting the noise matrix),
    ``'marginal'`` (from true-label counts) or ``'marginal_ps'`` (inverse noise matrix times ``ps``).
    """
    if py_method not in _PY_METHODS:
        raise InvalidOptionError(
            f"py_method must be one of {', '.join(_PY_METHODS)}, but received {py_method!r}."
        )
    if py_method == "cnt":
        py = (
            inverse_noise_matrix.diagonal()
            / np.clip(noise_matrix.diagonal(), a_min=TINY_VALUE, a_max=None)
            * ps
        )
    elif py_method == "eqn":
        py = np.linalg.inv(noise_matrix).dot(ps)
    elif py_method == "marginal":
        if true_labels_class_counts is None:
            raise InvalidOptionError(
                "py_method='marginal' needs true_labels_class_counts (the column sums of the "
                "confident joint), but received None."
            )
        counts = np.asarray(true_labels_class_counts, dtype=float)
        py = counts / np.clip(float(counts.sum()), a_min=TINY_VALUE, a_max=None)
    else:
        py = np.dot(inverse_noise_matrix, ps)
    return clip_values(py, low=CLIPPING_LOWER_BOUND, high=1.0, new_sum=1.0)


def compute_inv_noise_matrix(
    py: np.ndarray, noise_matrix: np.ndarray, *, ps: np.ndarray | None = None
) -> np.ndarray:
    """``P(y*=j | s=i)`` from ``py`` and the noise matrix (Bayes' rule), noise rates clipped."""
    joint = noise_matrix * py
    ps = joint.sum(axis=1) if ps is None else ps
    inverse = joint.T / np.clip(ps, a_min=TINY_VALUE, a_max=None)
    return clip_noise_rates(inverse)


def compute_noise_matrix_from_inverse(
    ps: np.ndarray, inverse_noise_matrix: np.ndarray, *, py: np.ndarray | None = None
) -> np.ndarray:
    """``P(s=i | y*=j)`` from ``ps`` and the inverse noise matrix (Bayes' rule), noise rates clipped."""
    joint = (inverse_noise_matrix * ps).T
    py = joint.sum(axis=0) if py is None else py
    noise = joint / np.clip(py, a_min=TINY_VALUE, a_max=None)
    return clip_noise_rates(noise)


def compute_py_inv_noise_matrix(
    ps: np.ndarray, noise_matrix: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``py`` and the inverse noise matrix from ``ps`` and the noise matrix."""
    py = np.linalg.inv(noise_matrix).dot(ps)
    py = clip_values(py, low=CLIPPING_LOWER_BOUND, high=1.0, new_sum=1.0)
    return py, compute_inv_noise_matrix(py=py, noise_matrix=noise_matrix, ps=ps)


def converge_estimates(
    ps: np.ndarray,
    py: np.ndarray,
    noise_matrix: np.ndarray,
    inverse_noise_matrix: np.ndarray,
    *,
    inv_noise_matrix_iterations: int = 5,
    noise_matrix_iterations: int = 3,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Alternate the Bayes-rule updates until ``py`` and both noise matrices agree."""
    for _ in range(noise_matrix_iterations):
        for _ in range(inv_noise_matrix_iterations):
            inverse_noise_matrix = compute_inv_noise_matrix(py=py, noise_matrix=noise_matrix, ps=ps)
            py = compute_py(ps, noise_matrix, inverse_noise_matrix)
        noise_matrix = compute_noise_matrix_from_inverse(
            ps=ps, inverse_noise_matrix=inverse_noise_matrix, py=py
        )
    return py, noise_matrix, inverse_noise_matrix
