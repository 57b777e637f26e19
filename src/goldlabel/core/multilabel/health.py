"""Dataset-level summaries of multi-label data: common issues, class ranking and a health score."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from goldlabel.core.multilabel.inputs import convert_multilabel_to_onehot
from goldlabel.core.multilabel.issues import (
    find_multilabel_issues_per_class,
    find_multilabel_label_issues,
)

__all__ = [
    "compute_overall_multilabel_health_score",
    "find_common_multilabel_issues",
    "rank_classes_by_multilabel_quality",
    "summarize_multilabel_health",
]


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
