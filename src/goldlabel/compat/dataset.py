"""Drop-in replacement for ``cleanlab.dataset`` (cleanlab 2.9): same names, signatures and results.

Implemented on :mod:`goldlabel.core.summary`; ``verbose=True`` prints the same report as cleanlab.
Where cleanlab fails on input its documentation allows (a ``confident_joint`` alone in
``rank_classes_by_label_quality`` or ``health_summary``, or ``joint`` with ``num_examples`` in
``health_summary``), these functions return the documented result instead.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from goldlabel.core import summary

__all__ = [
    "find_overlapping_classes",
    "health_summary",
    "overall_label_health_score",
    "rank_classes_by_label_quality",
]

_MULTI_LABEL_HINT = {
    "rank": "multilabel_classification.dataset.rank_classes_by_multilabel_quality()",
    "overlap": "multilabel_classification.dataset.common_multilabel_issues()",
    "score": "multilabel_classification.dataset.overall_multilabel_health_score()",
    "summary": "multilabel_classification.dataset.multilabel_health_summary()",
}


def _refuse_multi_label(multi_label: bool, which: str) -> None:
    if multi_label:
        raise ValueError(
            "multi_label=True is not supported here; for multi-label data call "
            f"goldlabel.compat.{_MULTI_LABEL_HINT[which]} instead."
        )


def rank_classes_by_label_quality(
    labels: Any = None,
    pred_probs: np.ndarray | None = None,
    *,
    class_names: Iterable[str] | None = None,
    num_examples: int | None = None,
    joint: np.ndarray | None = None,
    confident_joint: np.ndarray | None = None,
    multi_label: bool = False,
) -> pd.DataFrame:
    """Per-class label noise, most problematic class first (one row per class)."""
    _refuse_multi_label(multi_label, "rank")
    return summary.rank_classes_by_label_quality(
        labels,
        pred_probs,
        class_names=None if class_names is None else list(class_names),
        num_examples=num_examples,
        joint=joint,
        confident_joint=confident_joint,
    )


def find_overlapping_classes(
    labels: Any = None,
    pred_probs: np.ndarray | None = None,
    *,
    asymmetric: bool = False,
    class_names: Iterable[str] | None = None,
    num_examples: int | None = None,
    joint: np.ndarray | None = None,
    confident_joint: np.ndarray | None = None,
    multi_label: bool = False,
) -> pd.DataFrame:
    """Pairs of classes often confused with each other, most confused first."""
    _refuse_multi_label(multi_label, "overlap")
    return summary.find_overlapping_classes(
        labels,
        pred_probs,
        asymmetric=asymmetric,
        class_names=None if class_names is None else list(class_names),
        num_examples=num_examples,
        joint=joint,
        confident_joint=confident_joint,
    )


def _print_health(score: float, n_issues: int, n: int) -> None:
    print(
        f" * Overall, about {(1 - score):.0%} ({n_issues:,} of the {n:,}) "
        f"labels in your dataset have potential issues.\n"
        f" ** The overall label health score for this dataset is: {score:.2f}."
    )


def overall_label_health_score(
    labels: Any = None,
    pred_probs: np.ndarray | None = None,
    *,
    num_examples: int | None = None,
    confident_joint: np.ndarray | None = None,
    joint: np.ndarray | None = None,
    multi_label: bool = False,
    verbose: bool = True,
) -> np.float64:
    """The estimated fraction of correct labels, in [0, 1]; ``verbose`` prints a one-line summary."""
    _refuse_multi_label(multi_label, "score")
    if confident_joint is not None and labels is not None and pred_probs is not None:
        warnings.warn(
            "The confident_joint you passed is ignored: with labels and pred_probs the health "
            "score counts label issues from them directly.",
            UserWarning,
            stacklevel=2,
        )
        confident_joint = None
    score = summary.compute_overall_label_health_score(
        labels, pred_probs, num_examples=num_examples, confident_joint=confident_joint, joint=joint
    )
    if verbose:
        if num_examples is not None:
            n = int(num_examples)
        elif labels is not None:
            n = len(labels)
        else:
            n = int(np.sum(np.asarray(confident_joint)))
        _print_health(score, int(np.round(n * (1 - score))), n)
    return np.float64(score)


def _display(df: pd.DataFrame) -> None:
    print(df)


def health_summary(
    labels: Any = None,
    pred_probs: np.ndarray | None = None,
    *,
    asymmetric: bool = False,
    class_names: Iterable[str] | None = None,
    num_examples: int | None = None,
    joint: np.ndarray | None = None,
    confident_joint: np.ndarray | None = None,
    multi_label: bool = False,
    verbose: bool = True,
) -> dict[str, Any]:
    """Class quality, class overlap and the overall health score; printed when ``verbose``.

    Returns a dict with keys ``"overall_label_health_score"``, ``"joint"``,
    ``"classes_by_label_quality"`` and ``"overlapping_classes"``.
    """
    _refuse_multi_label(multi_label, "summary")
    result = summary.summarize_label_health(
        labels,
        pred_probs,
        asymmetric=asymmetric,
        class_names=None if class_names is None else list(class_names),
        num_examples=num_examples,
        joint=joint,
        confident_joint=confident_joint,
    )
    if verbose:
        n, k = result["num_examples"], result["joint"].shape[0]
        longest = f"|   for your dataset with {n:,} examples and {k:,} classes.  |\n"
        rule = "-" * (len(longest) - 1)
        print(
            rule
            + "\n"
            + f"|  Generating a Cleanlab Dataset Health Summary{' ' * (len(longest) - 49)}|\n"
            + longest
            + f"|  Note, Cleanlab is not a medical doctor... yet.{' ' * (len(longest) - 51)}|\n"
            + rule
            + "\n",
        )
        print("Overall Class Quality and Noise across your dataset (below)")
        print("-" * 60, "\n", flush=True)
        _display(result["classes_by_label_quality"])
        print(
            "\nClass Overlap. In some cases, you may want to merge classes in the top rows (below)"
            + "\n"
            + "-" * 83
            + "\n",
            flush=True,
        )
        _display(result["overlapping_classes"])
        print()
        _print_health(
            result["overall_label_health_score"], result["num_label_issues"], result["num_examples"]
        )
        print("\nGenerated with <3 from Cleanlab.\n")
    return {
        "overall_label_health_score": np.float64(result["overall_label_health_score"]),
        "joint": result["joint"],
        "classes_by_label_quality": result["classes_by_label_quality"],
        "overlapping_classes": result["overlapping_classes"],
    }
