"""Finding label issues by confident learning.

:func:`find_label_issues` flags the examples whose given label is likely wrong, from out-of-sample
predicted probabilities. Its results are identical to ``cleanlab.filter.find_label_issues`` for every
option; it is much faster because it reads pred_probs about twice, in cache-sized chunks on every core,
and replaces cleanlab's ``K^2`` full sorts by partial selections over a few candidate rows.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from goldlabel.core.calibration import calibrate_joint_dense, calibrate_joint_sparse
from goldlabel.core.counting import (
    Analysis,
    _confident_counts,
    _count_off_diagonal,
    analyse,
    default_jobs,
    prepare_inputs,
)
from goldlabel.core.pruning import select_prune_by_class, select_prune_by_noise_rate_all
from goldlabel.core.rounding import round_preserving_row_totals
from goldlabel.core.scoring import SCORE_METHODS, compute_normalized_margin, rank_indices
from goldlabel.core.sparse import SparseCounts
from goldlabel.core.validation import warn_missing_classes
from goldlabel.exceptions import InvalidOptionError

__all__ = [
    "FILTER_BY",
    "find_label_issues",
    "find_predicted_neq_given",
    "keep_at_least_n_per_class",
    "reduce_prune_counts",
]

FILTER_BY = (
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_normalized_margin",
    "low_self_confidence",
)
_PRUNING = ("prune_by_noise_rate", "prune_by_class", "both")


def reduce_prune_counts(prune_count_matrix: np.ndarray, frac_noise: float = 1.0) -> np.ndarray:
    """Keep ``frac_noise`` of each off-diagonal count; move the rest onto the diagonal (truncating)."""
    reduced = prune_count_matrix * frac_noise
    np.fill_diagonal(reduced, prune_count_matrix.diagonal())
    np.fill_diagonal(
        reduced, prune_count_matrix.diagonal() + np.sum(prune_count_matrix - reduced, axis=0)
    )
    return reduced.astype(int)


def _nothing_to_move(counts: np.ndarray | SparseCounts, n: int, frac_noise: float) -> bool:
    """Whether :func:`keep_at_least_n_per_class` would return ``counts`` unchanged: whole, non-negative
    counts, every class already keeping ``n`` examples, and all the noise kept (the general steps would
    give the same integers back, through four K x K float copies)."""
    values = counts.values if isinstance(counts, SparseCounts) else counts
    return bool(
        counts.dtype.kind in "iu"
        and frac_noise == 1.0
        and (counts.diagonal() >= n).all()
        and (values >= 0).all()
    )


def keep_at_least_n_per_class(
    prune_count_matrix: np.ndarray, n: int, *, frac_noise: float = 1.0
) -> np.ndarray:
    """Make every class keep at least ``n`` examples, taking the deficit evenly from its noise counts.

    ``prune_count_matrix`` is the transposed confident joint (``[true][given]``); column ``k`` holds the
    counts of given class ``k``. Returns an integer matrix whose rows keep their rounded totals.
    """
    if _nothing_to_move(prune_count_matrix, n, frac_noise):
        return np.array(prune_count_matrix, dtype=int, order="C")
    diagonal = np.diagonal(prune_count_matrix)
    new_diagonal = np.maximum(diagonal, n)
    deficit = new_diagonal - diagonal
    noise_rates_per_col = np.maximum(np.count_nonzero(prune_count_matrix, axis=0) - 1.0, 1.0)
    new = prune_count_matrix - deficit / noise_rates_per_col
    new[new < 0] = 0
    np.fill_diagonal(new, new_diagonal)
    new = reduce_prune_counts(new, frac_noise)
    return round_preserving_row_totals(new).astype(int)


def find_predicted_neq_given(labels: Any, pred_probs: Any) -> np.ndarray:
    """The baseline: flag every example whose most likely class is not its given label.

    Examples
    --------
    >>> find_predicted_neq_given([0, 1], [[0.9, 0.1], [0.8, 0.2]]).tolist()
    [False, True]
    """
    labs, probs = prepare_inputs(labels, pred_probs)
    return np.argmax(probs, axis=1) != labs


def _check_options(
    filter_by: str,
    return_indices_ranked_by: str | None,
    frac_noise: float,
    num_to_remove_per_class: Any,
    min_examples_per_class: int,
    confident_joint: Any,
) -> None:
    """Refuse option values find_label_issues does not support; warn about ignored ones."""
    if not isinstance(filter_by, str) or filter_by not in FILTER_BY:
        raise InvalidOptionError(
            f"filter_by must be one of {', '.join(FILTER_BY)}, but received {filter_by!r}. "
            "The default, 'prune_by_noise_rate', is usually best."
        )
    if return_indices_ranked_by is not None and (
        not isinstance(return_indices_ranked_by, str)
        or return_indices_ranked_by not in SCORE_METHODS
    ):
        raise InvalidOptionError(
            f"return_indices_ranked_by must be None or one of {', '.join(SCORE_METHODS)}, but "
            f"received {return_indices_ranked_by!r}."
        )
    if not _is_real(frac_noise) or not 0.0 <= float(frac_noise) <= 1.0:
        raise InvalidOptionError(
            f"frac_noise must be in [0, 1], but received {frac_noise!r}. Use 1.0 (the default) to "
            "flag every estimated issue, or a smaller fraction to flag only the most likely ones."
        )
    if (
        not _is_real(min_examples_per_class)
        or int(min_examples_per_class) != min_examples_per_class
        or min_examples_per_class < 0
    ):
        raise InvalidOptionError(
            "min_examples_per_class must be a non-negative integer, but received "
            f"{min_examples_per_class!r}. The default is 1."
        )
    if filter_by not in _PRUNING and (frac_noise != 1.0 or num_to_remove_per_class is not None):
        warnings.warn(
            "frac_noise and num_to_remove_per_class apply only to filter_by='prune_by_noise_rate', "
            f"'prune_by_class' and 'both'; they are ignored with filter_by={filter_by!r}.",
            UserWarning,
            stacklevel=3,
        )
    if num_to_remove_per_class is not None and filter_by not in _PRUNING:
        raise InvalidOptionError(
            f"num_to_remove_per_class cannot be used with filter_by={filter_by!r}; use "
            "'prune_by_noise_rate', 'prune_by_class' or 'both'."
        )
    if filter_by == "confident_learning" and isinstance(confident_joint, np.ndarray):
        warnings.warn(
            "The confident_joint you passed is ignored with filter_by='confident_learning': it is "
            "recomputed from labels and pred_probs. Use another filter_by to use yours.",
            UserWarning,
            stacklevel=3,
        )


def _is_real(value: Any) -> bool:
    """Whether ``value`` is a real number (not a bool, NaN, string or array)."""
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, (bool, np.bool_))
        and bool(np.isfinite(value))
    )


def _prune_matrix(
    confident_joint: np.ndarray | SparseCounts,
    label_counts: np.ndarray,
    min_examples_per_class: int,
    frac_noise: float,
    num_to_remove_per_class: Any,
) -> np.ndarray | SparseCounts:
    """Counts to prune, ``[true][given]``, after the minimum-per-class and noise-fraction rules."""
    if num_to_remove_per_class is None and _nothing_to_move(
        confident_joint, min_examples_per_class, frac_noise
    ):
        # The transposed joint itself, without the K x K copy: the counts are only read from here on.
        return confident_joint.T
    matrix = keep_at_least_n_per_class(
        np.asarray(confident_joint).T, n=min_examples_per_class, frac_noise=frac_noise
    )
    if num_to_remove_per_class is not None:
        remove = np.asarray(num_to_remove_per_class)
        if remove.shape != label_counts.shape:
            raise InvalidOptionError(
                f"num_to_remove_per_class must have one entry per class, shape {label_counts.shape}, "
                f"but received shape {remove.shape}."
            )
        if remove.dtype.kind not in "iuf" or (remove.size and not (remove >= 0).all()):
            raise InvalidOptionError(
                "num_to_remove_per_class must hold non-negative counts, one per class, but "
                f"received {remove.tolist()!r:.120}."
            )
        psy = matrix / np.sum(matrix, axis=1)
        noise_per_s = psy.sum(axis=1) - psy.diagonal()
        scaled = (psy.T * remove / noise_per_s).T
        np.fill_diagonal(scaled, label_counts - remove)
        matrix = round_preserving_row_totals(scaled)
    return matrix


def _warn_small_class(k: int, n_k: int, minimum: int) -> None:
    warnings.warn(
        f"May not flag all label issues in class {k}: it has {n_k} examples, not more than "
        f"min_examples_per_class={minimum}, so none of them is flagged. Lower "
        "min_examples_per_class to check this class.",
        UserWarning,
        stacklevel=4,
    )


def _prune(
    filter_by: str,
    analysis: Analysis,
    matrix: np.ndarray | SparseCounts,
    min_examples_per_class: int,
    n_jobs: int = 1,
) -> np.ndarray:
    order, starts = analysis.groups
    pred_probs = analysis.pred_probs
    n = pred_probs.shape[0]
    sizes = np.diff(starts)
    # Classes with at most min_examples_per_class examples are not pruned; a lone example never is.
    for k in np.flatnonzero(sizes <= min_examples_per_class):
        _warn_small_class(int(k), int(sizes[k]), min_examples_per_class)
    eligible = (sizes > min_examples_per_class) & (sizes >= 2)
    by_class = np.zeros(n, dtype=bool)
    if filter_by in ("prune_by_class", "both"):
        diagonal = matrix.diagonal()
        for k in np.flatnonzero(eligible):
            rows_k = order[starts[k] : starts[k + 1]]
            n_remove = int(sizes[k] - diagonal[k])
            by_class[select_prune_by_class(pred_probs, rows_k, int(k), n_remove)] = True
        if filter_by == "prune_by_class":
            return by_class
    scan = analysis.scan
    by_noise = select_prune_by_noise_rate_all(
        pred_probs,
        analysis.labels,
        scan.top,
        scan.top_p,
        scan.given_p,
        analysis.groups,
        matrix,
        eligible,
        n_jobs=n_jobs,
    )
    if filter_by == "both":
        return by_noise & by_class
    return by_noise


def find_label_issues(
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
    """Flag the examples whose given label is likely wrong.

    Parameters
    ----------
    labels : array-like of shape (N,)
        Given labels, integers in [0, K).
    pred_probs : array-like of shape (N, K)
        Out-of-sample predicted probabilities (e.g. from cross-validation).
    return_indices_ranked_by : {None, 'self_confidence', 'normalized_margin', \
'confidence_weighted_entropy'}
        If set, return the indices of the flagged examples, most likely mislabeled first.
    rank_by_kwargs : dict, optional
        ``{'adjust_pred_probs': bool}`` for the ranking score.
    filter_by : str
        ``'prune_by_noise_rate'`` (default), ``'prune_by_class'``, ``'both'``,
        ``'confident_learning'``, ``'predicted_neq_given'``, ``'low_normalized_margin'`` or
        ``'low_self_confidence'``.
    frac_noise : float
        Fraction of the estimated issues to flag, in [0, 1] (pruning methods only).
    num_to_remove_per_class : array-like of shape (K,), optional
        Flag exactly this many examples per given class (pruning methods only).
    min_examples_per_class : int
        Classes with at most this many examples are not pruned, and each class keeps at least this
        many examples.
    confident_joint : numpy.ndarray of shape (K, K), optional
        A precomputed (calibrated) confident joint to prune with.
    n_jobs : int, optional
        Threads; default every available CPU. Results do not depend on it.

    Returns
    -------
    numpy.ndarray
        A boolean mask of shape (N,), or the flagged indices sorted by the ranking score when
        ``return_indices_ranked_by`` is set.

    Examples
    --------
    >>> labels = [0, 0, 0, 1, 1, 1]
    >>> pred_probs = [[.9, .1], [.8, .2], [.1, .9], [.2, .8], [.3, .7], [.9, .1]]
    >>> find_label_issues(labels, pred_probs).tolist()
    [False, False, True, False, False, True]
    """
    _check_options(
        filter_by,
        return_indices_ranked_by,
        frac_noise,
        num_to_remove_per_class,
        min_examples_per_class,
        confident_joint,
    )
    analysis = analyse(labels, pred_probs, n_jobs=n_jobs)
    labs, probs = analysis.labels, analysis.pred_probs
    n, k = probs.shape
    warn_missing_classes(analysis.label_counts)

    if filter_by == "predicted_neq_given":
        mask = analysis.scan.top != labs
    elif filter_by in ("low_normalized_margin", "low_self_confidence"):
        n_issues = _count_off_diagonal(analysis)
        if filter_by == "low_self_confidence":
            scores = analysis.scan.given_p
        else:
            scores = compute_normalized_margin(labs, probs)
        mask = np.zeros(n, dtype=bool)
        mask[np.argsort(scores)[:n_issues]] = True
    elif filter_by == "confident_learning":
        _, off_diagonal = _confident_counts(analysis)
        mask = np.zeros(n, dtype=bool)
        mask[off_diagonal] = True
    else:
        joint: np.ndarray | SparseCounts
        if confident_joint is None:
            counts, _ = _confident_counts(analysis, with_indices=False)
            # The counts are ours: their memory may serve as working space.
            sparse = calibrate_joint_sparse(counts, analysis.label_counts, scratch=True)
            joint = (
                sparse
                if sparse is not None
                else calibrate_joint_dense(counts, analysis.label_counts)
            )
        else:
            joint = np.asarray(confident_joint)
            if joint.shape != (k, k):
                raise InvalidOptionError(
                    f"confident_joint must be a ({k}, {k}) matrix for {k} classes, but received "
                    f"shape {joint.shape}."
                )
        matrix = _prune_matrix(
            joint,
            analysis.label_counts,
            int(min_examples_per_class),
            frac_noise,
            num_to_remove_per_class,
        )
        mask = _prune(
            filter_by, analysis, matrix, int(min_examples_per_class), default_jobs(n_jobs)
        )
    if filter_by not in ("low_normalized_margin", "low_self_confidence"):
        mask &= ~analysis.given_is_top
    if return_indices_ranked_by is not None:
        return rank_indices(
            np.flatnonzero(mask), labs, probs, return_indices_ranked_by, rank_by_kwargs or {}
        )
    return mask
