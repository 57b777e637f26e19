"""The confident joint and the estimates derived from it.

The confident joint ``C[i][j]`` counts the examples whose given label is ``i`` and whose true label is
confidently ``j``. Calibrated, it estimates the joint distribution of given and true labels, from which
follow the noise matrices, the prior of true labels and the number of label issues.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from goldlabel.core.calibration import calibrate_joint
from goldlabel.core.grouping import BLOCK_SORT_CLASSES, group_by_label
from goldlabel.core.latent import (
    TINY_VALUE,
    clip_noise_rates,
    clip_values,
    compute_py,
    converge_estimates,
)
from goldlabel.core.scan import (
    RowScan,
    default_n_jobs,
    gather_given,
    given_label_is_top,
    scan_rows,
    threshold_floor,
)
from goldlabel.core.validation import check_labels, check_pred_probs, values_need_check
from goldlabel.exceptions import InvalidOptionError

__all__ = [
    "CONFIDENT_THRESHOLDS_LOWER_BOUND",
    "ESTIMATION_METHODS",
    "Analysis",
    "analyse",
    "calibrate_confident_joint",
    "compute_confident_joint",
    "compute_confident_thresholds",
    "count_label_issues",
    "estimate_joint",
    "estimate_latent",
    "estimate_py_and_noise_matrices_from_probabilities",
    "group_by_label",
    "prepare_inputs",
]

CONFIDENT_THRESHOLDS_LOWER_BOUND = 2e-6
#: Threshold of a class that never appears among the labels: no probability can reach it.
_ABSENT_CLASS_THRESHOLD = 2
ESTIMATION_METHODS = ("off_diagonal", "off_diagonal_calibrated", "off_diagonal_custom")


def prepare_inputs(
    labels: Any, pred_probs: Any, *, check_values: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``labels`` and ``pred_probs`` together; return them as arrays."""
    probs = check_pred_probs(pred_probs, check_values=check_values)
    labs = check_labels(labels, n_classes=probs.shape[1], n_examples=probs.shape[0])
    return labs, probs


@dataclass
class Analysis:
    """Everything one scan of pred_probs tells confident learning, for the functions built on it."""

    labels: np.ndarray
    pred_probs: np.ndarray
    scan: RowScan
    order: np.ndarray  #: rows sorted by label (stable)
    starts: np.ndarray  #: start of each class's run in ``order``, shape (K + 1,)
    thresholds: np.ndarray
    guess: np.ndarray  #: confident guess of the true label, -1 if none
    given_is_top: np.ndarray  #: given label is the argmax with its 1e-6 bonus

    @property
    def label_counts(self) -> np.ndarray:
        return np.diff(self.starts)

    @property
    def groups(self) -> tuple[np.ndarray, np.ndarray]:
        return self.order, self.starts


def analyse(
    labels: Any, pred_probs: Any, *, thresholds: Any = None, n_jobs: int | None = None
) -> Analysis:
    """Validate the inputs and scan pred_probs once (see :mod:`goldlabel.core.scan`).

    The values of pred_probs are checked during the scan; when they are off, they are checked again by
    :func:`~goldlabel.core.validation.check_pred_probs`, which raises or renormalises (with a warning),
    and the scan is repeated on the repaired copy.
    """
    jobs = default_jobs(n_jobs)
    labs, probs = prepare_inputs(labels, pred_probs, check_values=False)
    k = probs.shape[1]
    if thresholds is not None:
        thresholds = np.asarray(thresholds)
        if thresholds.shape != (k,):
            raise InvalidOptionError(
                f"thresholds must have one value per class, shape ({k},), but received shape "
                f"{thresholds.shape}."
            )
    # Sorting the labels (one thread) overlaps with reading the given labels' probabilities.
    if jobs > 1 and labs.shape[0] >= 1 << 16:
        with ThreadPoolExecutor(max_workers=1) as pool:
            grouping = pool.submit(group_by_label, labs, k)
            given_p = gather_given(labs, probs)
            order, starts = grouping.result()
    else:
        order, starts = group_by_label(labs, k)
        given_p = gather_given(labs, probs)
    for attempt in range(2):
        if attempt:
            given_p = gather_given(labs, probs)
        if thresholds is None:
            if k <= BLOCK_SORT_CLASSES:  # a few large classes: gather each in turn
                thr = _thresholds_from_groups(given_p, starts, probs.dtype, order=order)
            else:
                thr = _thresholds_from_groups(given_p[order], starts, probs.dtype)
        else:
            thr = thresholds
        scan = scan_rows(labs, probs, threshold_floor(thr), given_p=given_p, n_jobs=jobs)
        if attempt == 0 and values_need_check(scan.min_value, scan.max_row_error, scan.finite):
            probs = check_pred_probs(probs)  # raises, or returns a renormalised copy
            continue
        break
    return Analysis(
        labels=labs,
        pred_probs=probs,
        scan=scan,
        order=order,
        starts=starts,
        thresholds=thr,
        guess=scan.guess,
        given_is_top=given_label_is_top(labs, scan),
    )


def _thresholds_from_groups(
    values_sorted: np.ndarray,
    starts: np.ndarray,
    dtype: np.dtype,
    *,
    order: np.ndarray | None = None,
) -> np.ndarray:
    """Per-class mean of ``values_sorted`` (grouped by class), with cleanlab's dtype rules.

    With ``order`` (from :func:`group_by_label`), ``values_sorted`` is in row order instead and each
    class's values are gathered in turn: the same means, without an N-long sorted copy.
    """
    if order is None and values_sorted.dtype in (np.float32, np.float64):
        return _thresholds_by_size(values_sorted, starts)
    means: list[Any] = []
    for k in range(starts.shape[0] - 1):
        a, b = int(starts[k]), int(starts[k + 1])
        if b <= a:
            means.append(_ABSENT_CLASS_THRESHOLD)
            continue
        values = values_sorted[a:b] if order is None else values_sorted.take(order[a:b])
        means.append(np.mean(values))
    if not means:
        return np.zeros(0, dtype=dtype)
    return np.clip(np.asarray(means), a_min=CONFIDENT_THRESHOLDS_LOWER_BOUND, a_max=None)


def _thresholds_by_size(values_sorted: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """:func:`_thresholds_from_groups` for many classes: the classes of each size are averaged
    together, as the rows of one matrix. A row's sum is numpy's pairwise sum of that many values,
    the same as :func:`numpy.mean` computes for the class alone, so the means are identical."""
    sizes = np.diff(starts)
    means = np.empty(sizes.shape[0], dtype=values_sorted.dtype)
    for size in np.unique(sizes[sizes > 0]).tolist():
        classes = np.flatnonzero(sizes == size)
        block = values_sorted[starts[classes][:, None] + np.arange(size)]
        means[classes] = np.add.reduce(block, axis=1) / values_sorted.dtype.type(size)
    if (sizes == 0).any():
        # As numpy builds an array from float32 means and the integer 2: in float64.
        means = means.astype(np.float64)
        means[sizes == 0] = _ABSENT_CLASS_THRESHOLD
    return np.clip(means, a_min=CONFIDENT_THRESHOLDS_LOWER_BOUND, a_max=None)


def compute_confident_thresholds(labels: Any, pred_probs: Any) -> np.ndarray:
    """Per-class confident thresholds: the mean probability of class k over examples labeled k.

    A class that never appears among the labels gets threshold 2, so no example is ever confidently
    in it. Thresholds are clipped below at 2e-6.

    Parameters
    ----------
    labels : array-like of shape (N,)
    pred_probs : array-like of shape (N, K)

    Returns
    -------
    numpy.ndarray of shape (K,)

    Examples
    --------
    >>> compute_confident_thresholds([0, 0, 1], [[0.8, 0.2], [0.6, 0.4], [0.3, 0.7]]).round(2).tolist()
    [0.7, 0.7]
    """
    return analyse(labels, pred_probs).thresholds


def _confident_thresholds(labels: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """Thresholds of already validated arrays (no scan: one gather of the given-label column)."""
    order, starts = group_by_label(labels, pred_probs.shape[1])
    return _thresholds_from_groups(pred_probs[order, labels[order]], starts, pred_probs.dtype)


def _confident_counts(
    analysis: Analysis, *, with_indices: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """The uncalibrated confident joint and the indices of its off-diagonal examples.

    With ``with_indices=False`` the indices are not computed (an empty array is returned) and the
    joint comes from the scan's pair counts when it has them.
    """
    n_classes = analysis.pred_probs.shape[1]
    pairs = analysis.scan.pair_counts
    off_diagonal = np.zeros(0, dtype=np.int64)
    if pairs is None or with_indices:
        counted = analysis.guess >= 0
        given = analysis.labels[counted]
        guessed = analysis.guess[counted]
        if pairs is None:
            pairs = np.bincount(
                guessed.astype(np.int64) * n_classes + given, minlength=n_classes * n_classes
            )
        if with_indices:
            off_diagonal = np.flatnonzero(counted)[guessed != given]
    # Built as [true][given] and transposed, so its memory layout (and hence the float summation
    # order during calibration) is the same as cleanlab's, whose counts come from a transposed
    # confusion matrix: calibrated counts then round identically.
    # (a fresh bincount is reshaped in place; the scan's own counts are copied, never changed)
    fresh = pairs is not analysis.scan.pair_counts
    joint = pairs.reshape(n_classes, n_classes).astype(np.int64, copy=not fresh).T
    np.fill_diagonal(joint, joint.diagonal().clip(min=1))
    return joint, off_diagonal


def _label_counts(labels: np.ndarray, n_classes: int) -> np.ndarray:
    return np.bincount(labels, minlength=n_classes).astype(np.int64)


def calibrate_confident_joint(confident_joint: Any, labels: Any) -> np.ndarray:
    """Calibrate a confident joint so row ``i`` sums to the number of examples labeled ``i``.

    Each row is rescaled to the count of its given label, the matrix is rescaled to sum to N, and the
    entries are rounded to integers preserving each row's total.

    Parameters
    ----------
    confident_joint : array-like of shape (K, K)
    labels : array-like of shape (N,)

    Returns
    -------
    numpy.ndarray of shape (K, K), int64

    Examples
    --------
    >>> calibrate_confident_joint([[2, 1], [0, 1]], [0, 0, 0, 0, 1, 1]).tolist()
    [[3, 1], [0, 2]]
    """
    joint = np.asarray(confident_joint)
    if joint.ndim != 2 or joint.shape[0] != joint.shape[1]:
        raise InvalidOptionError(
            f"confident_joint must be a square (K, K) matrix, but received shape {joint.shape}."
        )
    labs = check_labels(labels, n_classes=joint.shape[0])
    return calibrate_joint(joint, _label_counts(labs, joint.shape[0]))


def compute_confident_joint(
    labels: Any,
    pred_probs: Any,
    *,
    thresholds: Any = None,
    calibrate: bool = True,
    return_indices_of_off_diagonals: bool = False,
    n_jobs: int | None = None,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """The K×K confident joint ``C[given][true]``.

    Parameters
    ----------
    labels : array-like of shape (N,)
        Given labels, integers in [0, K).
    pred_probs : array-like of shape (N, K)
        Out-of-sample predicted probabilities.
    thresholds : array-like of shape (K,), optional
        Per-class thresholds; default :func:`compute_confident_thresholds`.
    calibrate : bool
        Calibrate so rows sum to the given-label counts and the total is N.
    return_indices_of_off_diagonals : bool
        Also return the indices of the examples counted off the diagonal.
    n_jobs : int, optional
        Threads.

    Returns
    -------
    numpy.ndarray of shape (K, K), or a tuple (joint, indices) with
    ``return_indices_of_off_diagonals=True``.

    Examples
    --------
    >>> compute_confident_joint([0, 0, 1, 1], [[.9, .1], [.2, .8], [.1, .9], [.3, .7]]).tolist()
    [[1, 1], [0, 2]]
    """
    analysis = analyse(labels, pred_probs, thresholds=thresholds, n_jobs=n_jobs)
    joint, off = _confident_counts(analysis)
    if calibrate:
        joint = calibrate_joint(joint, analysis.label_counts, scratch=True)  # a fresh joint
    if return_indices_of_off_diagonals:
        return joint, off
    return joint


def estimate_joint(
    labels: Any, pred_probs: Any, *, confident_joint: Any = None, n_jobs: int | None = None
) -> np.ndarray:
    """The estimated joint distribution ``Q[i][j] = P(given=i, true=j)``, summing to 1.

    If ``confident_joint`` is given it is calibrated with ``labels`` (or used as is when ``labels`` is
    None) instead of being computed.

    Examples
    --------
    >>> estimate_joint([0, 0, 1, 1], [[.9, .1], [.2, .8], [.1, .9], [.3, .7]]).tolist()
    [[0.25, 0.25], [0.0, 0.5]]
    """
    if confident_joint is None:
        calibrated = compute_confident_joint(labels, pred_probs, calibrate=True, n_jobs=n_jobs)
    elif labels is not None:
        calibrated = calibrate_confident_joint(confident_joint, labels)
    else:
        calibrated = np.asarray(confident_joint)
    assert isinstance(calibrated, np.ndarray)
    return calibrated / np.clip(float(np.sum(calibrated)), a_min=TINY_VALUE, a_max=None)


def _count_off_diagonal(analysis: Analysis) -> int:
    guess = analysis.guess
    wrong = (guess >= 0) & (guess != analysis.labels) & ~analysis.given_is_top
    return int(np.count_nonzero(wrong))


def count_label_issues(
    labels: Any,
    pred_probs: Any,
    *,
    confident_joint: Any = None,
    estimation_method: str = "off_diagonal",
    n_jobs: int | None = None,
) -> int:
    """Estimate how many examples are mislabeled.

    ``estimation_method``:

    - ``'off_diagonal'`` (default): examples off the diagonal of the uncalibrated confident joint, not
      counting those whose given label is (within 1e-6) the most likely class;
    - ``'off_diagonal_calibrated'``: ``round(N * (1 - trace(Q)))`` with ``Q`` from :func:`estimate_joint`;
    - ``'off_diagonal_custom'``: the same from a ``confident_joint`` you pass.

    Examples
    --------
    >>> count_label_issues([0, 0, 1, 1], [[.9, .1], [.2, .8], [.1, .9], [.3, .7]])
    1
    """
    if estimation_method not in ESTIMATION_METHODS:
        raise InvalidOptionError(
            f"estimation_method must be one of {', '.join(ESTIMATION_METHODS)}, but received "
            f"{estimation_method!r}."
        )
    if confident_joint is not None and estimation_method != "off_diagonal_custom":
        warnings.warn(
            "The confident_joint you passed is ignored: it is recomputed from labels and pred_probs. "
            "Use estimation_method='off_diagonal_custom' to count from your confident_joint.",
            UserWarning,
            stacklevel=2,
        )
    if estimation_method == "off_diagonal":
        return _count_off_diagonal(analyse(labels, pred_probs, n_jobs=n_jobs))
    labs, probs = prepare_inputs(labels, pred_probs)
    if estimation_method == "off_diagonal_calibrated":
        joint = estimate_joint(labs, probs, n_jobs=n_jobs)
    else:
        if confident_joint is None:
            raise InvalidOptionError(
                "estimation_method='off_diagonal_custom' counts from the confident_joint you pass, "
                "but confident_joint is None. Pass one, or use estimation_method='off_diagonal'."
            )
        joint = estimate_joint(labs, probs, confident_joint=confident_joint)
    return int(np.rint((1.0 - joint.trace()) * labs.shape[0]))


def estimate_latent(
    confident_joint: Any,
    labels: Any,
    *,
    py_method: str = "cnt",
    converge_latent_estimates: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prior of true labels, noise matrix and inverse noise matrix from a confident joint.

    Returns
    -------
    py : numpy.ndarray of shape (K,)
        ``P(true=j)``.
    noise_matrix : numpy.ndarray of shape (K, K)
        ``P(given=i | true=j)``; columns sum to 1.
    inverse_noise_matrix : numpy.ndarray of shape (K, K)
        ``P(true=j | given=i)`` stored as ``[j][i]``; columns sum to 1.

    Examples
    --------
    >>> py, nm, inm = estimate_latent(np.array([[8, 2], [1, 9]]), [0] * 10 + [1] * 10)
    >>> nm.sum(axis=0).round(6).tolist()
    [1.0, 1.0]
    """
    joint = np.asarray(confident_joint)
    if joint.ndim != 2 or joint.shape[0] != joint.shape[1]:
        raise InvalidOptionError(
            f"confident_joint must be a square (K, K) matrix, but received shape {joint.shape}."
        )
    k = joint.shape[0]
    labs = check_labels(labels, n_classes=k)
    ps = _label_counts(labs, k) / float(labs.shape[0])
    given_counts = joint.sum(axis=1).astype(float)
    true_counts = joint.sum(axis=0).astype(float)
    noise_matrix = joint / np.clip(true_counts, a_min=TINY_VALUE, a_max=None)
    inverse_noise_matrix = joint.T / np.clip(given_counts, a_min=TINY_VALUE, a_max=None)
    py = compute_py(
        ps,
        noise_matrix,
        inverse_noise_matrix,
        py_method=py_method,
        true_labels_class_counts=true_counts,
    )
    noise_matrix = clip_noise_rates(noise_matrix)
    inverse_noise_matrix = clip_noise_rates(inverse_noise_matrix)
    if converge_latent_estimates:
        py, noise_matrix, inverse_noise_matrix = converge_estimates(
            ps, py, noise_matrix, inverse_noise_matrix
        )
        py = clip_values(py, low=1e-5, high=1.0, new_sum=1.0)
        noise_matrix = clip_noise_rates(noise_matrix)
        inverse_noise_matrix = clip_noise_rates(inverse_noise_matrix)
    return py, noise_matrix, inverse_noise_matrix


def estimate_py_and_noise_matrices_from_probabilities(
    labels: Any,
    pred_probs: Any,
    *,
    thresholds: Any = None,
    converge_latent_estimates: bool = True,
    py_method: str = "cnt",
    calibrate: bool = True,
    n_jobs: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(py, noise_matrix, inverse_noise_matrix, confident_joint)`` from labels and pred_probs.

    The confident joint (see :func:`compute_confident_joint`) is passed to :func:`estimate_latent`.

    Parameters
    ----------
    labels : array-like of shape (N,)
    pred_probs : array-like of shape (N, K)
    thresholds, calibrate, n_jobs
        As in :func:`compute_confident_joint`.
    converge_latent_estimates, py_method
        As in :func:`estimate_latent`.

    Returns
    -------
    tuple of numpy.ndarray
        ``py`` (K,), ``noise_matrix`` (K, K), ``inverse_noise_matrix`` (K, K) and the confident joint
        (K, K).

    Examples
    --------
    >>> py, nm, inm, joint = estimate_py_and_noise_matrices_from_probabilities(
    ...     [0, 0, 1, 1], [[.9, .1], [.2, .8], [.1, .9], [.3, .7]]
    ... )
    >>> joint.tolist(), py.round(3).tolist()
    ([[1, 1], [0, 2]], [0.25, 0.75])
    """
    labs, probs = prepare_inputs(labels, pred_probs)
    joint = compute_confident_joint(
        labs, probs, thresholds=thresholds, calibrate=calibrate, n_jobs=n_jobs
    )
    assert isinstance(joint, np.ndarray)
    py, nm, inm = estimate_latent(
        joint, labs, py_method=py_method, converge_latent_estimates=converge_latent_estimates
    )
    return py, nm, inm, joint


def default_jobs(n_jobs: int | None) -> int:
    """Resolve ``n_jobs`` (None means every available CPU); reject values below 1."""
    if n_jobs is None:
        return default_n_jobs()
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise InvalidOptionError(
            f"n_jobs must be a positive integer or None, but received {n_jobs!r}. Use None for "
            "every available CPU."
        )
    return int(n_jobs)
