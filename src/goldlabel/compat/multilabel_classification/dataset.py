"""cleanlab 2.9's ``multilabel_classification.dataset``: dataset-level label health, as DataFrames."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from goldlabel.core import multilabel as core

__all__ = [
    "common_multilabel_issues",
    "multilabel_health_summary",
    "overall_multilabel_health_score",
    "rank_classes_by_multilabel_quality",
]


def common_multilabel_issues(
    labels: Any = list,
    pred_probs: np.ndarray | None = None,
    *,
    class_names: Any = None,
    confident_joint: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per class, how many examples wrongly have it and wrongly miss it, most frequent first.

    As cleanlab; see :func:`goldlabel.core.multilabel.find_common_multilabel_issues`.

    Examples
    --------
    >>> labels, pred_probs = [[0], [1], [0, 1], []], np.array([[.9, .1], [.2, .8], [.8, .9], [.9, .1]])
    >>> common_multilabel_issues(labels, pred_probs)["Num Examples"].tolist()
    [1, 0, 0, 0]
    """
    return pd.DataFrame(
        core.find_common_multilabel_issues(
            labels, pred_probs, class_names=class_names, confident_joint=confident_joint
        )
    )


def rank_classes_by_multilabel_quality(
    labels: Any = None,
    pred_probs: np.ndarray | None = None,
    *,
    class_names: Any = None,
    joint: np.ndarray | None = None,
    confident_joint: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per-class label quality, worst first.

    As cleanlab, which prunes with ``joint`` (a (K, 2, 2) confident joint) and uses
    ``confident_joint`` only to count examples when ``labels`` is missing. See
    :func:`goldlabel.core.multilabel.rank_classes_by_multilabel_quality`.

    Examples
    --------
    >>> labels, pred_probs = [[0], [1], [0, 1], []], np.array([[.9, .1], [.2, .8], [.8, .9], [.9, .1]])
    >>> rank_classes_by_multilabel_quality(labels, pred_probs)["Class Index"].tolist()
    [0, 1]
    """
    return pd.DataFrame(
        core.rank_classes_by_multilabel_quality(
            labels, pred_probs, class_names=class_names, confident_joint=joint
        )
    )


def overall_multilabel_health_score(
    labels: Any = None,
    pred_probs: np.ndarray | None = None,
    *,
    confident_joint: np.ndarray | None = None,
) -> float:
    """The fraction of examples whose labels look right for every class.

    As cleanlab; see :func:`goldlabel.core.multilabel.compute_overall_multilabel_health_score`.

    Examples
    --------
    >>> labels, pred_probs = [[0], [1], [0, 1], []], np.array([[.9, .1], [.2, .8], [.8, .9], [.9, .1]])
    >>> float(overall_multilabel_health_score(labels, pred_probs))
    0.75
    """
    return np.float64(
        core.compute_overall_multilabel_health_score(
            labels, pred_probs, confident_joint=confident_joint
        )
    )


def multilabel_health_summary(
    labels: Any = None,
    pred_probs: np.ndarray | None = None,
    *,
    class_names: Any = None,
    num_examples: int | None = None,
    confident_joint: np.ndarray | None = None,
    verbose: bool = True,
) -> dict[str, Any]:
    """The three health reports in one dictionary, printed when ``verbose``.

    As cleanlab: keys ``"overall_multilabel_health_score"``, ``"classes_by_multilabel_quality"`` and
    ``"common_multilabel_issues"``. Like cleanlab, the class ranking is computed without
    ``confident_joint``. For the data without printing, use
    :func:`goldlabel.core.multilabel.summarize_multilabel_health`.

    Examples
    --------
    >>> labels, pred_probs = [[0], [1], [0, 1], []], np.array([[.9, .1], [.2, .8], [.8, .9], [.9, .1]])
    >>> sorted(multilabel_health_summary(labels, pred_probs, verbose=False))
    ['classes_by_multilabel_quality', 'common_multilabel_issues', 'overall_multilabel_health_score']
    """
    if num_examples is None:
        num_examples = len(labels)
    classes = rank_classes_by_multilabel_quality(
        labels, pred_probs, class_names=class_names, confident_joint=confident_joint
    )
    common = common_multilabel_issues(
        labels, pred_probs, class_names=class_names, confident_joint=confident_joint
    )
    health = overall_multilabel_health_score(labels, pred_probs, confident_joint=confident_joint)
    if verbose:
        rule = "=" * 72
        print(f"{rule}\nMulti-label dataset health ({num_examples:,} examples)\n{rule}\n")
        print("Label quality of each class, worst first:")
        print(classes.to_string(), "\n")
        print("Most frequent kinds of label issue (class wrongly given or wrongly missing):")
        print(common.to_string(), "\n")
        print(f"Overall multi-label health score: {health:.4f}\n")
    return {
        "overall_multilabel_health_score": health,
        "classes_by_multilabel_quality": classes,
        "common_multilabel_issues": common,
    }
