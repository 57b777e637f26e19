"""Drop-in replacement for ``cleanlab.filter`` (cleanlab 2.9): same names, signatures and results.

Implemented on :mod:`goldlabel.core.filtering`. ``n_jobs`` sets the number of threads (results never
depend on it); ``verbose=True`` prints the number of issues found, as cleanlab does.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from goldlabel.core.counting import calibrate_confident_joint, prepare_inputs
from goldlabel.core.filtering import find_label_issues as _find_label_issues
from goldlabel.core.filtering import find_predicted_neq_given as _find_predicted_neq_given
from goldlabel.core.filtering import keep_at_least_n_per_class, reduce_prune_counts

__all__ = [
    "find_label_issues",
    "find_label_issues_using_argmax_confusion_matrix",
    "find_predicted_neq_given",
]


def _keep_at_least_n_per_class(
    prune_count_matrix: np.ndarray, n: int, *, frac_noise: float = 1.0
) -> np.ndarray:
    """cleanlab's private helper (its tests call it): see ``core.filtering.keep_at_least_n_per_class``."""
    # C order, as cleanlab's row-by-row rounding returns it.
    return np.ascontiguousarray(
        keep_at_least_n_per_class(prune_count_matrix, n, frac_noise=frac_noise)
    )


def _reduce_prune_counts(prune_count_matrix: np.ndarray, frac_noise: float = 1.0) -> np.ndarray:
    """cleanlab's private helper (its tests call it): see ``core.filtering.reduce_prune_counts``."""
    return reduce_prune_counts(prune_count_matrix, frac_noise)


def multilabel_function(name: str) -> Callable[..., Any]:
    """``goldlabel.core.multilabel.<name>``, imported on first use (multi-label is optional here)."""
    try:
        module = importlib.import_module("goldlabel.core.multilabel")
    except ImportError as exc:
        raise NotImplementedError(
            f"multi_label=True needs goldlabel.core.multilabel.{name}, but goldlabel.core.multilabel "
            f"cannot be imported ({exc}). Use goldlabel.compat.multilabel_classification."
        ) from exc
    function = getattr(module, name, None)
    if function is None:
        raise NotImplementedError(
            f"multi_label=True needs goldlabel.core.multilabel.{name}, which does not exist yet. "
            "Use goldlabel.compat.multilabel_classification."
        )
    return function  # type: ignore[no-any-return]


def find_label_issues(
    labels: Any,
    pred_probs: np.ndarray,
    *,
    return_indices_ranked_by: str | None = None,
    rank_by_kwargs: dict[str, Any] | None = None,
    filter_by: str = "prune_by_noise_rate",
    frac_noise: float = 1.0,
    num_to_remove_per_class: list[int] | None = None,
    min_examples_per_class: int = 1,
    confident_joint: np.ndarray | None = None,
    n_jobs: int | None = None,
    verbose: bool = False,
    multi_label: bool = False,
) -> np.ndarray:
    """Flag likely label issues: a boolean mask of shape (N,), or ranked indices.

    See :func:`goldlabel.core.filtering.find_label_issues`. With ``multi_label=True`` ``labels`` is a
    list of class lists and the work is done by
    ``goldlabel.core.multilabel.find_multilabel_label_issues``.
    """
    if multi_label:
        if not isinstance(labels, list):
            raise TypeError(
                "labels must be a list of class lists when multi_label=True, but received "
                f"{type(labels).__name__}, e.g. [[0, 2], [1], []]."
            )
        warnings.warn(
            "multi_label=True in filter.find_label_issues is deprecated (as in cleanlab); use "
            "goldlabel.compat.multilabel_classification.filter.find_label_issues instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        find = multilabel_function("find_multilabel_label_issues")
        return find(  # type: ignore[no-any-return]
            labels,
            pred_probs,
            return_indices_ranked_by=return_indices_ranked_by,
            rank_by_kwargs=rank_by_kwargs or {},
            filter_by=filter_by,
            frac_noise=frac_noise,
            num_to_remove_per_class=num_to_remove_per_class,
            min_examples_per_class=min_examples_per_class,
            confident_joint=confident_joint,
            n_jobs=n_jobs,
        )
    result = _find_label_issues(
        labels,
        pred_probs,
        return_indices_ranked_by=return_indices_ranked_by,
        rank_by_kwargs=rank_by_kwargs,
        filter_by=filter_by,
        frac_noise=frac_noise,
        num_to_remove_per_class=num_to_remove_per_class,
        min_examples_per_class=min_examples_per_class,
        confident_joint=confident_joint,
        n_jobs=n_jobs,
    )
    if verbose:
        count = result.shape[0] if return_indices_ranked_by is not None else int(result.sum())
        print(f"Number of label issues found: {count}")
    return result


def find_predicted_neq_given(
    labels: Any, pred_probs: np.ndarray, *, multi_label: bool = False
) -> np.ndarray:
    """Flag the examples whose most likely class is not the given label (boolean mask, shape (N,))."""
    if multi_label:
        return multilabel_function("find_multilabel_predicted_neq_given")(labels, pred_probs)
    return _find_predicted_neq_given(labels, pred_probs)


def find_label_issues_using_argmax_confusion_matrix(
    labels: np.ndarray,
    pred_probs: np.ndarray,
    *,
    calibrate: bool = True,
    filter_by: str = "prune_by_noise_rate",
) -> np.ndarray:
    """Like :func:`find_label_issues`, with the confusion matrix of argmax predictions (rows: given
    label, columns: predicted class) in place of the confident joint. Returns a boolean mask (N,).
    """
    labs, probs = prepare_inputs(labels, pred_probs)
    k = probs.shape[1]
    # Counted as [predicted][given] and transposed: the same memory layout as cleanlab's matrix, so
    # calibration sums the entries in the same order and rounds identically.
    confusion = np.bincount(probs.argmax(axis=1) * k + labs, minlength=k * k).reshape(k, k).T
    if calibrate:
        confusion = calibrate_confident_joint(confusion, labs)
    return _find_label_issues(labs, probs, confident_joint=confusion, filter_by=filter_by)
