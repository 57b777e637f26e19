"""Finding label issues in multi-label data, one binary (one-vs-rest) problem per class.

The pruning methods need a different selection per class and go through
:func:`goldlabel.core.find_label_issues` class by class; the other filters work on all classes at once.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from goldlabel.core.filtering import find_label_issues
from goldlabel.core.multilabel.inputs import check_multilabel_inputs
from goldlabel.core.multilabel.joint import _analyse, _class_thresholds, _confident_learning
from goldlabel.core.multilabel.scores import (
    _check_method,
    _class_scores,
    _exponential_moving_average,
    compute_multilabel_label_quality_scores,
)
from goldlabel.exceptions import DataValidationError, InvalidOptionError

__all__ = [
    "MULTILABEL_FILTER_BY",
    "find_multilabel_issues_per_class",
    "find_multilabel_label_issues",
    "order_multilabel_issues_per_class",
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
_PRUNING = MULTILABEL_FILTER_BY[:3]
_LOW = ("low_normalized_margin", "low_self_confidence")


def _check_filter_options(
    filter_by: str,
    frac_noise: float,
    num_to_remove_per_class: Any,
    min_examples_per_class: int,
    n_classes: int,
) -> None:
    if filter_by not in MULTILABEL_FILTER_BY:
        raise InvalidOptionError(
            f"filter_by must be one of {', '.join(MULTILABEL_FILTER_BY)}, but received "
            f"{filter_by!r}."
        )
    if not 0.0 <= float(frac_noise) <= 1.0:
        raise InvalidOptionError(f"frac_noise must be in [0, 1], but received {frac_noise!r}.")
    if int(min_examples_per_class) != min_examples_per_class or min_examples_per_class < 0:
        raise InvalidOptionError(
            "min_examples_per_class must be a non-negative integer, but received "
            f"{min_examples_per_class!r}."
        )
    if filter_by not in _PRUNING and (frac_noise != 1.0 or num_to_remove_per_class is not None):
        if num_to_remove_per_class is not None:
            raise InvalidOptionError(
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
        raise InvalidOptionError(
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
        raise InvalidOptionError(
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
        raise DataValidationError(
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
