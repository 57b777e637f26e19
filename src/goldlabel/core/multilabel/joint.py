"""The one-vs-rest confident joint of multi-label data: thresholds, confident guesses and counts.

For class ``k`` every example either has ``k`` in its label set or not, and ``pred_probs[:, k]`` is the
probability that it should. The statistics of these K binary problems are computed for all classes at
once on (N, K) arrays, following cleanlab's operation order and dtypes so counts agree exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from goldlabel.core.counting import calibrate_confident_joint
from goldlabel.core.multilabel.inputs import check_multilabel_inputs
from goldlabel.exceptions import InvalidOptionError

__all__ = [
    "compute_multilabel_confident_joint",
    "compute_multilabel_confident_thresholds",
    "count_multilabel_label_issues",
    "estimate_multilabel_joint",
]

#: Slack of threshold comparisons and tie bonus of the given label (cleanlab's constant).
_EPS = 1e-6
_THRESHOLD_LOWER_BOUND = 2e-6
#: Threshold of a binary class no example is in: no probability reaches it.
_ABSENT_THRESHOLD = 2
_TINY = 1e-100


def _class_thresholds(onehot: np.ndarray, probs: np.ndarray) -> list[np.ndarray]:
    """Per class, the thresholds ``[absent, present]`` of its binary problem, in cleanlab's dtype."""
    present = onehot.astype(bool)
    out = []
    for k in range(probs.shape[1]):
        col, has = probs[:, k], present[:, k]
        n_has = int(np.count_nonzero(has))
        t_absent = np.mean(1 - col[~has]) if n_has < has.shape[0] else _ABSENT_THRESHOLD
        t_present = np.mean(col[has]) if n_has else _ABSENT_THRESHOLD
        out.append(np.clip([t_absent, t_present], a_min=_THRESHOLD_LOWER_BOUND, a_max=None))
    return out


@dataclass
class _Binary:
    """Every binary problem at once: (N, K) boolean arrays."""

    present: np.ndarray  #: class k is in the given label set of the example
    counted: np.ndarray  #: some binary class is confident (the example enters the confident joint)
    guess: np.ndarray  #: the confident guess is "present" (meaningful where counted)
    given_top: np.ndarray  #: the given binary label is the likelier one, with the 1e-6 tie bonus
    top: np.ndarray  #: "present" is strictly likelier than "absent"


def _analyse(onehot: np.ndarray, probs: np.ndarray, thresholds: list[np.ndarray]) -> _Binary:
    absent = 1 - probs
    # Each floor is computed in its threshold's dtype (as the binary problem would) and then widened
    # exactly, so every comparison below is the one cleanlab makes.
    floors = np.array([t - _EPS for t in thresholds], dtype=np.float64).reshape(-1, 2)
    conf_absent = absent >= floors[:, 0]
    conf_present = probs >= floors[:, 1]
    top = probs > absent
    present = onehot.astype(bool)
    return _Binary(
        present=present,
        counted=conf_absent | conf_present,
        guess=np.where(conf_absent & conf_present, top, conf_present),
        given_top=np.where(present, (probs + _EPS) > absent, (absent + _EPS) >= probs),
        top=top,
    )


def _check_thresholds(thresholds: Any, k: int) -> list[np.ndarray]:
    arr = np.asarray(thresholds)
    if arr.shape != (k, 2):
        raise InvalidOptionError(
            f"thresholds must have shape ({k}, 2), one [absent, present] pair per class as returned "
            f"by compute_multilabel_confident_thresholds, but received shape {arr.shape}."
        )
    return list(arr)


def compute_multilabel_confident_thresholds(labels: Any, pred_probs: Any) -> np.ndarray:
    """Confident thresholds of each class's one-vs-rest problem.

    For class ``k``, ``thresholds[k, 1]`` is the mean of ``pred_probs[:, k]`` over the examples that
    have ``k`` and ``thresholds[k, 0]`` the mean of ``1 - pred_probs[:, k]`` over those that do not
    (2 when there are none), clipped below at 2e-6.

    Parameters
    ----------
    labels : list of list of int, length N
    pred_probs : array-like of shape (N, K)

    Returns
    -------
    numpy.ndarray of shape (K, 2), float64

    Examples
    --------
    >>> compute_multilabel_confident_thresholds([[0], [1]], [[0.8, 0.4], [0.2, 0.6]]).tolist()
    [[0.8, 0.8], [0.6, 0.6]]
    """
    onehot, probs = check_multilabel_inputs(labels, pred_probs)
    return np.array(_class_thresholds(onehot, probs), dtype=np.float64).reshape(-1, 2)


def _joint_counts(binary: _Binary) -> np.ndarray:
    """The uncalibrated (K, 2, 2) confident joint ``[class][given][guess]``, diagonal at least 1."""
    k = binary.present.shape[1]
    counts = np.empty((k, 2, 2), dtype=np.int64)
    for given in (0, 1):
        for guess in (0, 1):
            hit = binary.counted & (binary.present == given) & (binary.guess == guess)
            counts[:, given, guess] = np.count_nonzero(hit, axis=0)
    counts[:, 0, 0] = counts[:, 0, 0].clip(min=1)
    counts[:, 1, 1] = counts[:, 1, 1].clip(min=1)
    return counts


def _calibrate(counts: np.ndarray, binary: _Binary) -> np.ndarray:
    out = np.empty_like(counts)
    any_counted = np.asarray(binary.counted.any(axis=0))
    for k in range(counts.shape[0]):
        # cleanlab's per-class joint is a transposed confusion matrix (Fortran order) unless no
        # example is confident; the memory order fixes the float summation order of calibration.
        joint = np.asfortranarray(counts[k]) if any_counted[k] else counts[k].copy()
        out[k] = calibrate_confident_joint(joint, binary.present[:, k].astype(np.int64))
    return out


def compute_multilabel_confident_joint(
    labels: Any,
    pred_probs: Any,
    *,
    thresholds: Any = None,
    calibrate: bool = True,
    return_indices_of_off_diagonals: bool = False,
) -> np.ndarray | tuple[np.ndarray, list[np.ndarray]]:
    """The one-vs-rest confident joint of every class.

    ``joint[k, i, j]`` counts the examples whose given label for class ``k`` is ``i`` (1 = has it) and
    whose confidently guessed label is ``j``.

    Parameters
    ----------
    labels : list of list of int, length N
    pred_probs : array-like of shape (N, K)
    thresholds : array-like of shape (K, 2), optional
        Per-class ``[absent, present]`` thresholds; default
        :func:`compute_multilabel_confident_thresholds`.
    calibrate : bool, default=True
        Calibrate each class's 2x2 joint so its rows sum to the given-label counts.
    return_indices_of_off_diagonals : bool, default=False
        Also return, per class, the indices of the examples counted off the diagonal.

    Returns
    -------
    numpy.ndarray of shape (K, 2, 2), int64
        Or ``(joint, indices)`` where ``indices`` is a list of K index arrays.

    Examples
    --------
    >>> labels = [[0], [0], [1], [0, 1]]
    >>> pred_probs = [[0.9, 0.1], [0.8, 0.3], [0.2, 0.9], [0.3, 0.8]]
    >>> compute_multilabel_confident_joint(labels, pred_probs)[0].tolist()
    [[1, 0], [0, 3]]
    """
    onehot, probs = check_multilabel_inputs(labels, pred_probs)
    if thresholds is None:
        thr = _class_thresholds(onehot, probs)
    else:
        thr = _check_thresholds(thresholds, probs.shape[1])
    binary = _analyse(onehot, probs, thr)
    joint = _joint_counts(binary)
    if calibrate:
        joint = _calibrate(joint, binary)
    if not return_indices_of_off_diagonals:
        return joint
    off = binary.counted & (binary.guess != binary.present)
    return joint, [np.flatnonzero(off[:, k]) for k in range(off.shape[1])]


def estimate_multilabel_joint(
    labels: Any, pred_probs: Any, *, confident_joint: Any = None
) -> np.ndarray:
    """The estimated joint distribution of given and true label of every class, one-vs-rest.

    Parameters
    ----------
    labels : list of list of int, length N
    pred_probs : array-like of shape (N, K)
    confident_joint : array-like of shape (K, 2, 2), optional
        Calibrated with the labels instead of being computed.

    Returns
    -------
    numpy.ndarray of shape (K, 2, 2)
        Each ``joint[k]`` sums to 1.

    Examples
    --------
    >>> labels = [[0], [0], [1], [0, 1]]
    >>> pred_probs = [[0.9, 0.1], [0.8, 0.3], [0.2, 0.9], [0.3, 0.8]]
    >>> estimate_multilabel_joint(labels, pred_probs)[0].tolist()
    [[0.25, 0.0], [0.0, 0.75]]
    """
    onehot, probs = check_multilabel_inputs(labels, pred_probs)
    k = probs.shape[1]
    if confident_joint is None:
        binary = _analyse(onehot, probs, _class_thresholds(onehot, probs))
        joint = _calibrate(_joint_counts(binary), binary)
    else:
        joint = np.asarray(confident_joint)
        if joint.shape != (k, 2, 2):
            raise InvalidOptionError(
                f"confident_joint must have shape ({k}, 2, 2), but received shape {joint.shape}."
            )
    out = np.empty((k, 2, 2), dtype=np.float64)
    for c in range(k):
        calibrated = calibrate_confident_joint(joint[c], onehot[:, c])
        out[c] = calibrated / np.clip(float(np.sum(calibrated)), a_min=_TINY, a_max=None)
    return out


def _confident_learning(binary: _Binary) -> np.ndarray:
    return binary.counted & (binary.guess != binary.present) & ~binary.given_top


def count_multilabel_label_issues(labels: Any, pred_probs: Any) -> int:
    """Estimate how many examples have a wrong label for at least one class.

    The count of examples flagged by ``filter_by='confident_learning'`` (cleanlab's ``num_label_issues``
    with ``multi_label=True``).

    Parameters
    ----------
    labels : list of list of int, length N
    pred_probs : array-like of shape (N, K)

    Returns
    -------
    int

    Examples
    --------
    >>> count_multilabel_label_issues([[0], [0], [1], [1]], [[.9, .1], [.2, .9], [.1, .9], [.2, .8]])
    1
    """
    onehot, probs = check_multilabel_inputs(labels, pred_probs)
    binary = _analyse(onehot, probs, _class_thresholds(onehot, probs))
    return int(np.count_nonzero(_confident_learning(binary).any(axis=1)))
