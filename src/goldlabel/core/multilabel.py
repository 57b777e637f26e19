"""Label issues in multi-label data, where each example carries a set of classes (possibly empty).

The problem is reduced one-vs-rest: for class ``k`` every example either has ``k`` in its label set or
not, and the model's ``pred_probs[:, k]`` is the probability that it should. Each of these K binary
problems is solved with confident learning, and an example is flagged when any of its K binary labels
looks wrong. Results are identical to cleanlab 2.9's ``multilabel_classification`` (see each function for
the few documented exceptions).

The per-class statistics (confident thresholds, confident guesses, the tie-bonus check of the given
label, every per-class score) are computed for all K classes at once on (N, K) arrays; only the pruning
methods, which need a different selection per class, go through :func:`goldlabel.core.find_label_issues`
class by class. Arithmetic follows cleanlab's operation order and dtypes so that scores agree to the
last bit and rankings agree on ties.

Labels are a list of lists of class indices, e.g. ``[[0, 2], [1], []]``; pred_probs is an (N, K) array
of per-class probabilities whose rows need not sum to 1.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from scipy.special import xlogy

from goldlabel.core.counting import calibrate_confident_joint
from goldlabel.core.filtering import find_label_issues
from goldlabel.exceptions import InvalidLabelsError, InvalidPredProbsError

__all__ = [
    "MULTILABEL_AGGREGATORS",
    "MULTILABEL_FILTER_BY",
    "MULTILABEL_SCORE_METHODS",
    "aggregate_multilabel_scores",
    "check_multilabel_inputs",
    "compute_multilabel_confident_joint",
    "compute_multilabel_confident_thresholds",
    "compute_multilabel_label_quality_scores",
    "compute_multilabel_label_quality_scores_per_class",
    "compute_overall_multilabel_health_score",
    "convert_multilabel_to_onehot",
    "convert_onehot_to_multilabel",
    "count_multilabel_label_issues",
    "estimate_multilabel_joint",
    "find_common_multilabel_issues",
    "find_multilabel_issues_per_class",
    "find_multilabel_label_issues",
    "order_multilabel_issues_per_class",
    "rank_classes_by_multilabel_quality",
    "summarize_multilabel_health",
]

MULTILABEL_FILTER_BY = (
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_normalized_margin",
    "low_self_confidence",
)
MULTILABEL_SCORE_METHODS = ("self_confidence", "normalized_margin", "confidence_weighted_entropy")
MULTILABEL_AGGREGATORS = ("exponential_moving_average", "softmin")
_PRUNING = MULTILABEL_FILTER_BY[:3]
_LOW = ("low_normalized_margin", "low_self_confidence")
#: Slack of threshold comparisons and tie bonus of the given label (cleanlab's constant).
_EPS = 1e-6
_THRESHOLD_LOWER_BOUND = 2e-6
#: Threshold of a binary class no example is in: no probability reaches it.
_ABSENT_THRESHOLD = 2
_TINY = 1e-100
_DEFAULT_ALPHA = 0.8
_DEFAULT_TEMPERATURE = 0.1

Aggregator = str | Callable[..., Any]


# --------------------------------------------------------------------------------------------------
# Input validation and conversion
# --------------------------------------------------------------------------------------------------


def _describe(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"a numpy array of shape {x.shape} and dtype {x.dtype}"
    if isinstance(x, (list, tuple)):
        head = ", ".join(repr(v) for v in list(x)[:3])
        return f"a {type(x).__name__} of length {len(x)}: [{head}{', ...' if len(x) > 3 else ''}]"
    return f"{type(x).__name__} {x!r:.60}"


def _check_pred_probs(pred_probs: Any) -> np.ndarray:
    if pred_probs is None:
        raise InvalidPredProbsError(
            "pred_probs is None. Pass an (N, K) array with, for every example and class, the "
            "predicted probability that the class applies (e.g. from a one-vs-rest classifier)."
        )
    try:
        arr = pred_probs if isinstance(pred_probs, np.ndarray) else np.asarray(pred_probs)
    except ValueError:  # ragged rows
        arr = np.asarray(pred_probs, dtype=object)
    if arr.dtype == object or arr.ndim != 2:
        raise InvalidPredProbsError(
            f"pred_probs must be a numeric 2-D array of shape (N, K), but received "
            f"{_describe(pred_probs)}. Give every example one probability per class."
        )
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise InvalidPredProbsError(
            f"pred_probs must hold real numbers, but received dtype {arr.dtype}."
        )
    elif arr.dtype.itemsize < 4:
        arr = arr.astype(np.float32)
    if arr.shape[1] < 1:
        raise InvalidPredProbsError("pred_probs has no columns; it needs one column per class.")
    if arr.size and not np.isfinite(arr).all():
        row = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise InvalidPredProbsError(
            f"pred_probs contains NaN or infinite values (first in row {row}). Re-predict or drop "
            "those rows."
        )
    if arr.size and (arr.min() < -_EPS or arr.max() > 1 + _EPS):
        bad = np.argwhere((arr < -_EPS) | (arr > 1 + _EPS))[0]
        raise InvalidPredProbsError(
            f"pred_probs must be probabilities in [0, 1], but row {bad[0]}, column {bad[1]} holds "
            f"{float(arr[bad[0], bad[1]])!r}. These look like logits: apply a sigmoid "
            "(scipy.special.expit) to each column. Rows need not sum to 1 in multi-label data."
        )
    return arr


def _check_rows(labels: Any) -> Sequence[Any]:
    if labels is None or labels is list:
        raise InvalidLabelsError(
            "labels is missing. Pass one list of class indices per example, e.g. [[0, 2], [1], []]."
        )
    if isinstance(labels, np.ndarray) and labels.ndim == 2:
        raise InvalidLabelsError(
            f"labels must be a list of lists of class indices, but received {_describe(labels)}. "
            "If this is a multi-hot matrix, convert it with convert_onehot_to_multilabel(labels)."
        )
    if not isinstance(labels, (list, tuple)):
        raise InvalidLabelsError(
            f"labels must be a list of lists of class indices, e.g. [[0, 2], [1], []], but received "
            f"{_describe(labels)}. Convert it with list(...) if it is another sequence of lists."
        )
    for i, row in enumerate(labels):
        if not isinstance(row, (list, tuple)) and not (
            isinstance(row, np.ndarray) and row.ndim == 1
        ):
            hint = (
                " For single-label data (one class per example) use goldlabel.core.find_label_issues;"
                " here wrap each class in a list, e.g. [[2], [0]]."
                if isinstance(row, (int, np.integer))
                else ""
            )
            raise InvalidLabelsError(
                f"labels[{i}] must be a list (or tuple) of class indices, but it is "
                f"{_describe(row)}.{hint}"
            )
    return labels


def convert_multilabel_to_onehot(labels: Any, *, n_classes: int | None = None) -> np.ndarray:
    """Turn lists of class indices into a multi-hot matrix.

    Parameters
    ----------
    labels : list of list of int, length N
        The classes of each example; a list may be empty and repeats are ignored.
    n_classes : int, optional
        K. Default: the largest class index plus one.

    Returns
    -------
    numpy.ndarray of shape (N, K), dtype int64
        ``onehot[i, k] == 1`` when class ``k`` is in ``labels[i]``.

    Raises
    ------
    InvalidLabelsError
        If labels is not a list of lists of integers in ``[0, n_classes)``.

    Examples
    --------
    >>> convert_multilabel_to_onehot([[0, 2], [], [1]], n_classes=3).tolist()
    [[1, 0, 1], [0, 0, 0], [0, 1, 0]]
    """
    rows = _check_rows(labels)
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    flat = np.asarray(list(chain.from_iterable(rows)))
    if flat.size and flat.dtype.kind not in "iu":
        pos = int(
            next(
                j
                for j, v in enumerate(chain.from_iterable(rows))
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer))
            )
        )
        row = int(np.searchsorted(np.cumsum(lengths), pos, side="right"))
        value = list(chain.from_iterable(rows))[pos]
        raise InvalidLabelsError(
            f"labels[{row}] contains {value!r} ({type(value).__name__}); class indices must be "
            "integers. Map class names to indices first, and pass [[0, 2], ...] rather than "
            "floats or booleans."
        )
    if flat.ndim != 1:
        raise InvalidLabelsError(
            "labels must be a list of lists of class indices, one level deep, but it holds nested "
            "lists. Flatten each example's classes into one list, e.g. [[0, 2], [1]]."
        )
    flat = flat.astype(np.int64, copy=False)
    top = int(flat.max()) + 1 if flat.size else 0
    k = top if n_classes is None else int(n_classes)
    if flat.size and (flat.min() < 0 or top > k):
        pos = int(np.flatnonzero((flat < 0) | (flat >= k))[0])
        row = int(np.searchsorted(np.cumsum(lengths), pos, side="right"))
        raise InvalidLabelsError(
            f"labels[{row}] contains class {int(flat[pos])}, but class indices must be in [0, {k}) "
            f"because pred_probs has {k} columns. Give pred_probs one column per class, in class "
            "order."
        )
    onehot = np.zeros((len(rows), k), dtype=np.int64)
    onehot[np.repeat(np.arange(len(rows)), lengths), flat] = 1
    return onehot


def convert_onehot_to_multilabel(onehot: Any) -> list[list[int]]:
    """Turn a multi-hot matrix into lists of class indices.

    Parameters
    ----------
    onehot : array-like of shape (N, K)
        1 (or True) where a class applies to an example, 0 elsewhere.

    Returns
    -------
    list of list of int, length N

    Examples
    --------
    >>> convert_onehot_to_multilabel([[1, 0, 1], [0, 0, 0]])
    [[0, 2], []]
    """
    arr = np.asarray(onehot)
    if arr.ndim != 2 or arr.dtype.kind not in "biuf" or not np.isin(arr, (0, 1)).all():
        raise InvalidLabelsError(
            f"onehot must be an (N, K) matrix of 0s and 1s, but received {_describe(onehot)}."
        )
    cols = np.nonzero(arr)[1]
    splits = np.cumsum(np.count_nonzero(arr, axis=1))[:-1]
    return [part.tolist() for part in np.split(cols, splits)] if arr.shape[0] else []


def check_multilabel_inputs(labels: Any, pred_probs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate multi-label inputs; return the multi-hot labels and pred_probs as arrays.

    Unlike :func:`goldlabel.core.validation.check_pred_probs`, rows need not sum to 1.

    Parameters
    ----------
    labels : list of list of int, length N
        The given classes of each example, integers in ``[0, K)``; lists may be empty.
    pred_probs : array-like of shape (N, K)
        Per-class predicted probabilities in [0, 1].

    Returns
    -------
    onehot : numpy.ndarray of shape (N, K), int64
    pred_probs : numpy.ndarray of shape (N, K), floating

    Raises
    ------
    InvalidLabelsError, InvalidPredProbsError

    Examples
    --------
    >>> onehot, probs = check_multilabel_inputs([[0], [0, 1]], [[0.9, 0.2], [0.8, 0.7]])
    >>> onehot.tolist()
    [[1, 0], [1, 1]]
    """
    probs = _check_pred_probs(pred_probs)
    rows = _check_rows(labels)
    if len(rows) != probs.shape[0]:
        raise InvalidLabelsError(
            f"labels has {len(rows)} examples but pred_probs has {probs.shape[0]} rows. Pass one "
            "list of classes per row of pred_probs, in the same order."
        )
    if not len(rows):
        raise InvalidLabelsError("labels is empty; pass at least one example.")
    return convert_multilabel_to_onehot(rows, n_classes=probs.shape[1]), probs


# --------------------------------------------------------------------------------------------------
# Confident thresholds, confident guesses, the confident joint
# --------------------------------------------------------------------------------------------------


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
        raise ValueError(
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
            raise ValueError(
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


# --------------------------------------------------------------------------------------------------
# Label-quality scores
# --------------------------------------------------------------------------------------------------


def _check_method(method: str, adjust_pred_probs: bool) -> None:
    if method not in MULTILABEL_SCORE_METHODS:
        raise ValueError(
            f"method must be one of {', '.join(MULTILABEL_SCORE_METHODS)}, but received {method!r}."
        )
    if adjust_pred_probs and method == "confidence_weighted_entropy":
        raise ValueError(
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
        raise ValueError(f"alpha must be in [0, 1], but received {alpha!r}.")
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
        raise ValueError(
            f"class_scores must be a 2-D array of shape (N, K), but received shape {scores.shape}."
        )
    if callable(aggregator):
        out = np.asarray(aggregator(scores, axis=1))
        if out.shape != (scores.shape[0],):
            raise ValueError(
                f"The aggregator must return one score per row, shape ({scores.shape[0]},), but "
                f"returned shape {out.shape}. Reduce over axis=1."
            )
        return out
    if aggregator == "exponential_moving_average":
        return _exponential_moving_average(scores, alpha)
    if aggregator == "softmin":
        return _softmin(scores, temperature)
    raise ValueError(
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


# --------------------------------------------------------------------------------------------------
# Finding label issues
# --------------------------------------------------------------------------------------------------


def _check_filter_options(
    filter_by: str,
    frac_noise: float,
    num_to_remove_per_class: Any,
    min_examples_per_class: int,
    n_classes: int,
) -> None:
    if filter_by not in MULTILABEL_FILTER_BY:
        raise ValueError(
            f"filter_by must be one of {', '.join(MULTILABEL_FILTER_BY)}, but received "
            f"{filter_by!r}."
        )
    if not 0.0 <= float(frac_noise) <= 1.0:
        raise ValueError(f"frac_noise must be in [0, 1], but received {frac_noise!r}.")
    if int(min_examples_per_class) != min_examples_per_class or min_examples_per_class < 0:
        raise ValueError(
            "min_examples_per_class must be a non-negative integer, but received "
            f"{min_examples_per_class!r}."
        )
    if filter_by not in _PRUNING and (frac_noise != 1.0 or num_to_remove_per_class is not None):
        if num_to_remove_per_class is not None:
            raise ValueError(
                f"num_to_remove_per_class cannot be used with filter_by={filter_by!r}; use "
                "'prune_by_noise_rate', 'prune_by_class' or 'both'."
            )
        warnings.warn(
            "frac_noise applies only to filter_by='prune_by_noise_rate', 'prune_by_class' and "
            f"'both'; it is ignored with filter_by={filter_by!r}.",
            UserWarning,
            stacklevel=3,
        )
    if num_to_remove_per_class is not None and np.shape(num_to_remove_per_class) != (n_classes,):
        raise ValueError(
            f"num_to_remove_per_class must have one entry per class, shape ({n_classes},), but "
            f"received shape {np.shape(num_to_remove_per_class)}."
        )


def _check_joint(confident_joint: Any, k: int, filter_by: str) -> np.ndarray | None:
    if confident_joint is None:
        return None
    joint = np.asarray(confident_joint)
    if joint.shape == (k, k):
        warnings.warn(
            f"confident_joint has the single-label shape ({k}, {k}) and is ignored; multi-label "
            f"data needs the one-vs-rest shape ({k}, 2, 2) of compute_multilabel_confident_joint.",
            UserWarning,
            stacklevel=3,
        )
        return None
    if joint.shape != (k, 2, 2):
        raise ValueError(
            f"confident_joint must have shape ({k}, 2, 2), one 2x2 joint per class as returned by "
            f"compute_multilabel_confident_joint, but received shape {joint.shape}."
        )
    if filter_by in ("confident_learning", *_LOW):
        warnings.warn(
            f"The confident_joint you passed is ignored with filter_by={filter_by!r}: it is "
            "recomputed from labels and pred_probs. Use a pruning filter_by to use yours.",
            UserWarning,
            stacklevel=3,
        )
    return joint


def _check_ranking(rank_by: str | None, rank_by_kwargs: dict[str, Any] | None) -> bool:
    """Validate the ranking options; return adjust_pred_probs."""
    kwargs = dict(rank_by_kwargs or {})
    unknown = set(kwargs) - {"adjust_pred_probs"}
    if unknown:
        raise TypeError(
            f"rank_by_kwargs accepts only 'adjust_pred_probs', but received {sorted(unknown)}."
        )
    adjust = bool(kwargs.get("adjust_pred_probs", False))
    if rank_by is not None:
        _check_method(rank_by, adjust)
    return adjust


def _prune_each_class(
    onehot: np.ndarray,
    probs: np.ndarray,
    joint: np.ndarray | None,
    filter_by: str,
    frac_noise: float,
    num_to_remove_per_class: Any,
    min_examples_per_class: int,
    n_jobs: int | None,
) -> np.ndarray:
    n, k = probs.shape
    issues = np.zeros((n, k), dtype=bool)
    with warnings.catch_warnings():
        # The binary runs warn about their binary classes; one warning in terms of the real
        # classes is issued below instead.
        warnings.simplefilter("ignore")
        for c in range(k):
            remove = None if num_to_remove_per_class is None else [num_to_remove_per_class[c], 0]
            issues[:, c] = find_label_issues(
                onehot[:, c],
                np.column_stack((1 - probs[:, c], probs[:, c])),
                filter_by=filter_by,
                frac_noise=frac_noise,
                num_to_remove_per_class=remove,
                min_examples_per_class=min_examples_per_class,
                confident_joint=None if joint is None else joint[c],
                n_jobs=n_jobs,
            )
    n_present = onehot.sum(axis=0)
    small = np.flatnonzero(np.minimum(n_present, n - n_present) <= min_examples_per_class)
    if small.size:
        shown = ", ".join(str(int(c)) for c in small[:10]) + (", ..." if small.size > 10 else "")
        warnings.warn(
            f"{small.size} classes (class {shown}) are in, or missing from, at most "
            f"min_examples_per_class={min_examples_per_class} examples; those examples are not "
            "pruned for that class. Lower min_examples_per_class to check them.",
            UserWarning,
            stacklevel=3,
        )
    return issues


def _lowest_per_class(scores: list[np.ndarray], counts: np.ndarray) -> np.ndarray:
    """(N, K) mask of the ``counts[k]`` lowest scores of each column (ties as numpy's argsort)."""
    n, k = scores[0].shape[0], len(scores)
    order = np.argsort(np.column_stack(scores), axis=0)
    rank = np.empty((n, k), dtype=np.int64)
    rank[order, np.arange(k)] = np.arange(n)[:, None]
    return rank < counts


def find_multilabel_issues_per_class(
    labels: Any,
    pred_probs: Any,
    *,
    filter_by: str = "prune_by_noise_rate",
    frac_noise: float = 1.0,
    num_to_remove_per_class: Any = None,
    min_examples_per_class: int = 1,
    confident_joint: Any = None,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Flag, for every example and class, whether the example's label for that class looks wrong.

    Each class is a binary problem (has the class or not) solved with confident learning.

    Parameters
    ----------
    labels : list of list of int, length N
        The given classes of each example, integers in ``[0, K)``; lists may be empty.
    pred_probs : array-like of shape (N, K)
        Out-of-sample per-class probabilities; rows need not sum to 1.
    filter_by : str, default='prune_by_noise_rate'
        One of :data:`MULTILABEL_FILTER_BY`, applied to each binary problem as in
        :func:`goldlabel.core.find_label_issues`.
    frac_noise : float, default=1.0
        Fraction of the estimated issues to flag (pruning methods only).
    num_to_remove_per_class : array-like of shape (K,), optional
        For class ``k``, flag this many of the examples that do *not* have ``k`` (pruning methods
        only; this is how cleanlab applies it).
    min_examples_per_class : int, default=1
        A binary class with at most this many examples is not pruned.
    confident_joint : array-like of shape (K, 2, 2), optional
        A one-vs-rest confident joint (:func:`compute_multilabel_confident_joint`) to prune with.
    n_jobs : int, optional
        Threads for the pruning methods; results do not depend on it.

    Returns
    -------
    numpy.ndarray of shape (N, K), bool
        True where the label of class ``k`` for example ``i`` looks wrong.

    Examples
    --------
    >>> labels = [[0], [0], [0, 1], [1], [1], []]
    >>> pred_probs = [[.9, .1], [.8, .2], [.9, .8], [.1, .9], [.2, .8], [.1, .9]]
    >>> find_multilabel_issues_per_class(labels, pred_probs).astype(int).tolist()
    [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 1]]
    """
    onehot, probs = check_multilabel_inputs(labels, pred_probs)
    k = probs.shape[1]
    _check_filter_options(filter_by, frac_noise, num_to_remove_per_class, min_examples_per_class, k)
    joint = _check_joint(confident_joint, k, filter_by)
    if filter_by in _PRUNING:
        return _prune_each_class(
            onehot,
            probs,
            joint,
            filter_by,
            frac_noise,
            num_to_remove_per_class,
            int(min_examples_per_class),
            n_jobs,
        )
    binary = _analyse(onehot, probs, _class_thresholds(onehot, probs))
    if filter_by == "confident_learning":
        return _confident_learning(binary)
    if filter_by == "predicted_neq_given":
        return (binary.top != binary.present) & ~binary.given_top
    counts = np.count_nonzero(_confident_learning(binary), axis=0)
    scores = _class_scores(onehot, probs, filter_by[4:], False)
    return _lowest_per_class(scores, counts)


def order_multilabel_issues_per_class(
    issues: Any,
    labels: Any,
    pred_probs: Any,
    *,
    rank_by: str = "self_confidence",
    rank_by_kwargs: dict[str, Any] | None = None,
) -> list[np.ndarray]:
    """For each class, the indices of its flagged examples, most likely mislabeled first.

    Parameters
    ----------
    issues : array-like of shape (N, K), bool
        E.g. from :func:`find_multilabel_issues_per_class`.
    labels : list of list of int, length N
    pred_probs : array-like of shape (N, K)
    rank_by : {'self_confidence', 'normalized_margin', 'confidence_weighted_entropy'}
        The binary score each class's examples are sorted by, ascending.
    rank_by_kwargs : dict, optional
        ``{'adjust_pred_probs': bool}``.

    Returns
    -------
    list of K numpy.ndarray of int64

    Examples
    --------
    >>> issues = [[True, False], [True, True], [False, False]]
    >>> pred_probs = [[.3, .5], [.2, .9], [.8, .1]]
    >>> [o.tolist() for o in order_multilabel_issues_per_class(issues, [[0], [0], [0]], pred_probs)]
    [[1, 0], [1]]
    """
    onehot, probs = check_multilabel_inputs(labels, pred_probs)
    mask = np.asarray(issues, dtype=bool)
    if mask.shape != probs.shape:
        raise ValueError(
            f"issues must have shape {probs.shape} (examples x classes), but received shape "
            f"{mask.shape}."
        )
    adjust = _check_ranking(rank_by, rank_by_kwargs)
    scores = _class_scores(onehot, probs, rank_by, adjust)
    out = []
    for c, col in enumerate(scores):
        idx = np.flatnonzero(mask[:, c])
        out.append(idx[np.argsort(col[idx])])
    return out


def find_multilabel_label_issues(
    labels: Any,
    pred_probs: Any,
    *,
    return_indices_ranked_by: str | None = None,
    rank_by_kwargs: dict[str, Any] | None = None,
    filter_by: str = "prune_by_noise_rate",
    frac_noise: float = 1.0,
    num_to_remove_per_class: Any = None,
    min_examples_per_class: int = 1,
    confident_joint: Any = None,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Flag the examples whose label set is likely wrong for at least one class.

    An example is flagged when :func:`find_multilabel_issues_per_class` flags any of its classes.
    With ``filter_by='low_self_confidence'`` or ``'low_normalized_margin'`` the examples with the
    lowest aggregated self-confidence (:func:`compute_multilabel_label_quality_scores`) are flagged
    instead, as many as :func:`count_multilabel_label_issues` estimates.

    Parameters
    ----------
    labels : list of list of int, length N
        The given classes of each example, integers in ``[0, K)``; lists may be empty.
    pred_probs : array-like of shape (N, K)
        Out-of-sample per-class probabilities; rows need not sum to 1.
    return_indices_ranked_by : {None, 'self_confidence', 'normalized_margin', \
'confidence_weighted_entropy'}
        If set, return the flagged indices sorted by the aggregated score of this method, most likely
        mislabeled first.
    rank_by_kwargs : dict, optional
        ``{'adjust_pred_probs': bool}`` for the ranking score.
    filter_by : str, default='prune_by_noise_rate'
        One of :data:`MULTILABEL_FILTER_BY`.
    frac_noise, num_to_remove_per_class, min_examples_per_class, confident_joint, n_jobs
        As in :func:`find_multilabel_issues_per_class`.

    Returns
    -------
    numpy.ndarray
        A boolean mask of shape (N,), or the flagged indices (int64) ranked by score.

    Notes
    -----
    With a ``low_*`` filter and a ranking, cleanlab 2.9 permutes its flagged indices with an order
    computed for a differently sorted list, so its ranking is scrambled; here the flagged examples
    are sorted by their score as with every other filter (the set is the same).
    ``goldlabel.compat.multilabel_classification`` reproduces cleanlab's output.

    Examples
    --------
    >>> labels = [[0], [0], [0, 1], [1], [1], []]
    >>> pred_probs = [[.9, .1], [.8, .2], [.9, .8], [.1, .9], [.2, .8], [.1, .9]]
    >>> find_multilabel_label_issues(labels, pred_probs).tolist()
    [False, False, False, False, False, True]
    """
    adjust = _check_ranking(return_indices_ranked_by, rank_by_kwargs)
    if filter_by in _LOW:
        onehot, probs = check_multilabel_inputs(labels, pred_probs)
        k = probs.shape[1]
        _check_filter_options(
            filter_by, frac_noise, num_to_remove_per_class, min_examples_per_class, k
        )
        _check_joint(confident_joint, k, filter_by)
        binary = _analyse(onehot, probs, _class_thresholds(onehot, probs))
        n_issues = int(np.count_nonzero(_confident_learning(binary).any(axis=1)))
        cols = _class_scores(onehot, probs, "self_confidence", False)
        scores = _exponential_moving_average(np.column_stack(cols).astype(np.float64), 0.8)
        mask = np.zeros(probs.shape[0], dtype=bool)
        mask[np.argsort(scores)[:n_issues]] = True
    else:
        per_class = find_multilabel_issues_per_class(
            labels,
            pred_probs,
            filter_by=filter_by,
            frac_noise=frac_noise,
            num_to_remove_per_class=num_to_remove_per_class,
            min_examples_per_class=min_examples_per_class,
            confident_joint=confident_joint,
            n_jobs=n_jobs,
        )
        mask = np.asarray(per_class.any(axis=1))
    if return_indices_ranked_by is None:
        return mask
    idx = np.flatnonzero(mask)
    scores = compute_multilabel_label_quality_scores(
        labels, pred_probs, method=return_indices_ranked_by, adjust_pred_probs=adjust
    )
    return idx[np.argsort(scores[idx])]


# --------------------------------------------------------------------------------------------------
# Dataset-level summaries
# --------------------------------------------------------------------------------------------------


def _order_like_pandas(values: np.ndarray, *, ascending: bool) -> np.ndarray:
    """Row order of pandas ``sort_values`` (default quicksort) on NaN-free values, ties included."""
    idx = np.arange(values.shape[0])
    if ascending:
        return idx[values.argsort(kind="quicksort")]
    return idx[::-1][values[::-1].argsort(kind="quicksort")][::-1]


def _column_of_names(class_names: Any, classes: np.ndarray) -> np.ndarray:
    names = list(class_names)
    return np.array([names[int(c)] for c in classes], dtype=object)


def find_common_multilabel_issues(
    labels: Any,
    pred_probs: Any,
    *,
    class_names: Sequence[str] | None = None,
    confident_joint: Any = None,
) -> dict[str, np.ndarray]:
    """How often each class is wrongly given, and wrongly missing, across the dataset.

    Two rows per class: one for examples labeled with the class that should not be ("In Given Label"
    True, "In Suggested Label" False) and one for examples missing it that should have it. Rows are
    sorted by "Issue Probability", descending (ties in the order pandas' default sort gives).

    Parameters
    ----------
    labels : list of list of int, length N
    pred_probs : array-like of shape (N, K)
    class_names : sequence of str, optional
        Adds a "Class Name" column.
    confident_joint : array-like of shape (K, 2, 2), optional

    Returns
    -------
    dict of str to numpy.ndarray of shape (2K,)
        Columns "Class Name" (if names are given), "Class Index", "In Given Label",
        "In Suggested Label", "Num Examples" and "Issue Probability" (Num Examples / N); pass it to
        ``pandas.DataFrame`` for a table.

    Examples
    --------
    >>> labels = [[0], [0], [0, 1], [1], [1], []]
    >>> pred_probs = [[.9, .1], [.8, .2], [.9, .8], [.1, .9], [.2, .8], [.1, .9]]
    >>> table = find_common_multilabel_issues(labels, pred_probs)
    >>> table["Class Index"].tolist(), table["Num Examples"].tolist()
    ([1, 0, 0, 1], [1, 0, 0, 0])
    """
    issues = find_multilabel_issues_per_class(labels, pred_probs, confident_joint=confident_joint)
    onehot = convert_multilabel_to_onehot(labels, n_classes=issues.shape[1])
    n, k = issues.shape
    present = onehot.astype(bool)
    wrongly_given = np.count_nonzero(present & issues, axis=0)
    wrongly_missing = np.count_nonzero(~present & issues, axis=0)
    counts = np.column_stack((wrongly_given, wrongly_missing)).reshape(-1).astype(np.int64)
    classes = np.repeat(np.arange(k, dtype=np.int64), 2)
    given = np.tile([True, False], k)
    probability = counts / n
    order = _order_like_pandas(probability, ascending=False)
    table: dict[str, np.ndarray] = {}
    if class_names is not None:
        table["Class Name"] = _column_of_names(class_names, classes[order])
    table["Class Index"] = classes[order]
    table["In Given Label"] = given[order]
    table["In Suggested Label"] = ~given[order]
    table["Num Examples"] = counts[order]
    table["Issue Probability"] = probability[order]
    return table


def rank_classes_by_multilabel_quality(
    labels: Any,
    pred_probs: Any,
    *,
    class_names: Sequence[str] | None = None,
    confident_joint: Any = None,
) -> dict[str, np.ndarray]:
    """Per-class label quality, worst class first.

    Parameters
    ----------
    labels : list of list of int, length N
    pred_probs : array-like of shape (N, K)
    class_names : sequence of str, optional
        Adds a "Class Name" column.
    confident_joint : array-like of shape (K, 2, 2), optional

    Returns
    -------
    dict of str to numpy.ndarray of shape (K,)
        Columns "Class Name" (if names are given), "Class Index", "Label Issues" (examples given the
        class that should not have it), "Inverse Label Issues" (examples missing it that should have
        it), "Label Noise" and "Inverse Label Noise" (those counts over N) and "Label Quality Score"
        (1 - Label Noise), sorted by Label Quality Score ascending (ties as pandas' default sort).

    Examples
    --------
    >>> labels = [[0], [0], [0, 1], [1], [1], []]
    >>> pred_probs = [[.9, .1], [.8, .2], [.9, .8], [.1, .9], [.2, .8], [.1, .9]]
    >>> rank_classes_by_multilabel_quality(labels, pred_probs)["Inverse Label Issues"].tolist()
    [1, 0]
    """
    common = find_common_multilabel_issues(
        labels, pred_probs, class_names=class_names, confident_joint=confident_joint
    )
    n = len(labels)
    # Classes in order of first appearance in the sorted issues table, as cleanlab builds them.
    seen = common["Class Index"]
    first = np.sort(np.unique(seen, return_index=True)[1])
    classes = seen[first]
    k = classes.shape[0]
    noise = np.zeros(k)
    inverse_noise = np.zeros(k)
    position = np.empty(int(classes.max()) + 1, dtype=np.int64)
    position[classes] = np.arange(k)
    rows = position[seen]
    given = common["In Given Label"]
    noise[rows[given]] = common["Issue Probability"][given]
    inverse_noise[rows[~given]] = common["Issue Probability"][~given]
    quality = 1 - noise
    order = _order_like_pandas(quality, ascending=True)
    table: dict[str, np.ndarray] = {}
    if class_names is not None:
        table["Class Name"] = _column_of_names(class_names, classes[order])
    table["Class Index"] = classes[order]
    table["Label Issues"] = (noise * n).astype(np.int64)[order]
    table["Inverse Label Issues"] = (inverse_noise * n).astype(np.int64)[order]
    table["Label Noise"] = noise[order]
    table["Inverse Label Noise"] = inverse_noise[order]
    table["Label Quality Score"] = quality[order]
    return table


def compute_overall_multilabel_health_score(
    labels: Any, pred_probs: Any, *, confident_joint: Any = None
) -> float:
    """The fraction of examples whose label set looks right, in [0, 1].

    ``1 - (examples flagged by find_multilabel_label_issues) / N``.

    Parameters
    ----------
    labels : list of list of int, length N
    pred_probs : array-like of shape (N, K)
    confident_joint : array-like of shape (K, 2, 2), optional

    Returns
    -------
    float

    Examples
    --------
    >>> labels = [[0], [0], [0, 1], [1], [1], []]
    >>> pred_probs = [[.9, .1], [.8, .2], [.9, .8], [.1, .9], [.2, .8], [.1, .9]]
    >>> round(compute_overall_multilabel_health_score(labels, pred_probs), 4)
    0.8333
    """
    issues = find_multilabel_label_issues(labels, pred_probs, confident_joint=confident_joint)
    return float(1.0 - np.count_nonzero(issues) / issues.shape[0])


def summarize_multilabel_health(
    labels: Any,
    pred_probs: Any,
    *,
    class_names: Sequence[str] | None = None,
    confident_joint: Any = None,
) -> dict[str, Any]:
    """The dataset's label health in one dictionary; nothing is printed.

    Parameters
    ----------
    labels : list of list of int, length N
    pred_probs : array-like of shape (N, K)
    class_names : sequence of str, optional
    confident_joint : array-like of shape (K, 2, 2), optional
        Used by all three parts (cleanlab's summary ignores it for the per-class ranking).

    Returns
    -------
    dict
        ``"overall_multilabel_health_score"`` (:func:`compute_overall_multilabel_health_score`),
        ``"classes_by_multilabel_quality"`` (:func:`rank_classes_by_multilabel_quality`) and
        ``"common_multilabel_issues"`` (:func:`find_common_multilabel_issues`).

    Examples
    --------
    >>> labels = [[0], [0], [0, 1], [1], [1], []]
    >>> pred_probs = [[.9, .1], [.8, .2], [.9, .8], [.1, .9], [.2, .8], [.1, .9]]
    >>> sorted(summarize_multilabel_health(labels, pred_probs))
    ['classes_by_multilabel_quality', 'common_multilabel_issues', 'overall_multilabel_health_score']
    """
    return {
        "overall_multilabel_health_score": compute_overall_multilabel_health_score(
            labels, pred_probs, confident_joint=confident_joint
        ),
        "classes_by_multilabel_quality": rank_classes_by_multilabel_quality(
            labels, pred_probs, class_names=class_names, confident_joint=confident_joint
        ),
        "common_multilabel_issues": find_common_multilabel_issues(
            labels, pred_probs, class_names=class_names, confident_joint=confident_joint
        ),
    }
