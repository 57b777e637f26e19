"""cleanlab 2.9's ``multilabel_classification.filter``: which examples (and classes) look mislabeled."""

from __future__ import annotations

from typing import Any

import numpy as np

from goldlabel.core import multilabel as core

__all__ = ["find_label_issues", "find_multilabel_issues_per_class"]

_LOW = ("low_normalized_margin", "low_self_confidence")


def _refuse_low_memory(low_memory: bool) -> None:
    if low_memory:
        raise NotImplementedError(
            "low_memory=True (cleanlab's batched two-pass search) is not available in goldlabel's "
            "multi-label facade; call with low_memory=False."
        )


def find_label_issues(
    labels: list,
    pred_probs: np.ndarray,
    return_indices_ranked_by: str | None = None,
    rank_by_kwargs: dict[str, Any] = {},  # noqa: B006 - cleanlab's default, never mutated
    filter_by: str = "prune_by_noise_rate",
    frac_noise: float = 1.0,
    num_to_remove_per_class: list[int] | None = None,
    min_examples_per_class: int = 1,
    confident_joint: np.ndarray | None = None,
    n_jobs: int | None = None,
    verbose: bool = False,
    low_memory: bool = False,
) -> np.ndarray:
    """Flag the examples whose labels are wrong for at least one class.

    Parameters and return value as cleanlab's ``multilabel_classification.filter.find_label_issues``:
    a boolean mask of shape (N,), or with ``return_indices_ranked_by`` the flagged indices, most
    likely mislabeled first. ``verbose`` is accepted and ignored; ``low_memory=True`` is refused.
    See :func:`goldlabel.core.multilabel.find_multilabel_label_issues`.

    Examples
    --------
    >>> find_label_issues([[0], [1], [0, 1], []], np.array([[.9, .1], [.2, .8], [.8, .9], [.9, .1]]))
    array([False, False, False,  True])
    """
    _refuse_low_memory(low_memory)
    if filter_by not in _LOW:
        return core.find_multilabel_label_issues(
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
    # cleanlab's low_* filters ignore the pruning options without a word.
    mask = core.find_multilabel_label_issues(
        labels, pred_probs, filter_by=filter_by, confident_joint=confident_joint
    )
    if return_indices_ranked_by is None:
        return mask
    adjust = bool((rank_by_kwargs or {}).get("adjust_pred_probs", False))
    flagged = np.argsort(core.compute_multilabel_label_quality_scores(labels, pred_probs))
    flagged = flagged[: int(np.count_nonzero(mask))]
    if flagged.size == 0:
        return flagged
    # cleanlab sorts the flagged examples (taken in index order, on their own thresholds) and
    # applies that order to the flagged list in score order; reproduced as is.
    rows = np.flatnonzero(mask)
    sub_scores = core.compute_multilabel_label_quality_scores(
        [labels[i] for i in rows],
        np.asarray(pred_probs)[rows],
        method=return_indices_ranked_by,
        adjust_pred_probs=adjust,
    )
    return flagged[np.argsort(sub_scores)]


def find_multilabel_issues_per_class(
    labels: list,
    pred_probs: np.ndarray,
    return_indices_ranked_by: str | None = None,
    rank_by_kwargs: dict[str, Any] = {},  # noqa: B006 - cleanlab's default, never mutated
    filter_by: str = "prune_by_noise_rate",
    frac_noise: float = 1.0,
    num_to_remove_per_class: list[int] | None = None,
    min_examples_per_class: int = 1,
    confident_joint: np.ndarray | None = None,
    n_jobs: int | None = None,
    verbose: bool = False,
    low_memory: bool = False,
) -> np.ndarray | tuple[list[np.ndarray], list[Any], list[np.ndarray]]:
    """Flag, for every example and class, whether the class's label looks wrong.

    As cleanlab: an (N, K) boolean mask, or with ``return_indices_ranked_by`` a tuple
    ``(label_issues_list, labels_list, pred_probs_list)`` of K ranked index arrays, K binary label
    columns and K ``(N, 2)`` one-vs-rest probability arrays ``[1 - p, p]``.
    See :func:`goldlabel.core.multilabel.find_multilabel_issues_per_class`.

    Examples
    --------
    >>> labels, pred_probs = [[0], [1], [0, 1], []], np.array([[.9, .1], [.2, .8], [.8, .9], [.9, .1]])
    >>> find_multilabel_issues_per_class(labels, pred_probs).astype(int).tolist()
    [[0, 0], [0, 0], [0, 0], [1, 0]]
    """
    _refuse_low_memory(low_memory)
    issues = core.find_multilabel_issues_per_class(
        labels,
        pred_probs,
        filter_by=filter_by,
        frac_noise=frac_noise,
        num_to_remove_per_class=num_to_remove_per_class,
        min_examples_per_class=min_examples_per_class,
        confident_joint=confident_joint,
        n_jobs=n_jobs,
    )
    if return_indices_ranked_by is None:
        return issues
    ranked = core.order_multilabel_issues_per_class(
        issues,
        labels,
        pred_probs,
        rank_by=return_indices_ranked_by,
        rank_by_kwargs=rank_by_kwargs,
    )
    probs = np.asarray(pred_probs)
    onehot = core.convert_multilabel_to_onehot(labels, n_classes=probs.shape[1])
    labels_list = [onehot[:, k] for k in range(probs.shape[1])]
    pred_probs_list = [
        np.column_stack((1 - probs[:, k], probs[:, k])) for k in range(probs.shape[1])
    ]
    return ranked, labels_list, pred_probs_list
