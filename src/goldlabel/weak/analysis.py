"""How labeling functions behave on a label matrix: coverage, overlaps, conflicts, polarity, accuracy.

Definitions (``L`` has ``-1`` for abstain):

* coverage of an LF: share of rows where it votes; label coverage: share of rows with any vote;
* overlap of an LF: share of rows where it and at least one other LF vote; label overlap: share of
  rows with two or more votes;
* conflict of an LF: share of rows where it votes and some other LF votes a different class; label
  conflict: share of rows whose votes name two or more different classes;
* polarity: the sorted classes an LF ever votes;
* empirical accuracy: share of an LF's votes that equal the gold label, on rows that have one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from goldlabel.exceptions import InvalidOptionError
from goldlabel.weak.base import count_votes
from goldlabel.weak.validation import check_gold_labels, check_label_matrix

__all__ = [
    "compute_label_conflict",
    "compute_label_coverage",
    "compute_label_overlap",
    "compute_lf_conflicts",
    "compute_lf_coverages",
    "compute_lf_empirical_accuracies",
    "compute_lf_overlaps",
    "compute_lf_polarities",
    "summarize_lfs",
]


def _n_classes(label_matrix: np.ndarray) -> int:
    return max(int(label_matrix.max()) + 1, 1) if label_matrix.size else 1


def _row_stats(label_matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Votes per row and distinct voted classes per row."""
    counts = count_votes(label_matrix, _n_classes(label_matrix))
    return counts.sum(axis=1), (counts > 0).sum(axis=1)


def compute_label_coverage(L: Any) -> float:
    """Share of rows where at least one LF votes.

    Examples
    --------
    >>> compute_label_coverage([[0, -1], [-1, -1], [1, 1], [0, 1]])
    0.75
    """
    label_matrix = check_label_matrix(L)
    return float((label_matrix >= 0).any(axis=1).mean()) if label_matrix.shape[0] else 0.0


def compute_label_overlap(L: Any) -> float:
    """Share of rows where two or more LFs vote.

    Examples
    --------
    >>> compute_label_overlap([[0, -1], [-1, -1], [1, 1], [0, 1]])
    0.5
    """
    label_matrix = check_label_matrix(L)
    return float(((label_matrix >= 0).sum(axis=1) >= 2).mean()) if label_matrix.shape[0] else 0.0


def compute_label_conflict(L: Any) -> float:
    """Share of rows whose votes name two or more different classes.

    Examples
    --------
    >>> compute_label_conflict([[0, -1], [-1, -1], [1, 1], [0, 1]])
    0.25
    """
    label_matrix = check_label_matrix(L)
    if not label_matrix.shape[0]:
        return 0.0
    _, distinct = _row_stats(label_matrix)
    return float((distinct >= 2).mean())


def compute_lf_coverages(L: Any) -> np.ndarray:
    """Share of rows each LF votes on: shape (n_lfs,).

    Examples
    --------
    >>> compute_lf_coverages([[0, -1], [-1, -1], [1, 1], [0, 1]]).tolist()
    [0.75, 0.5]
    """
    label_matrix = check_label_matrix(L)
    return (label_matrix >= 0).mean(axis=0)


def compute_lf_overlaps(L: Any) -> np.ndarray:
    """Share of rows where each LF and at least one other LF vote: shape (n_lfs,).

    Examples
    --------
    >>> compute_lf_overlaps([[0, -1], [-1, -1], [1, 1], [0, 1]]).tolist()
    [0.5, 0.5]
    """
    label_matrix = check_label_matrix(L)
    fired = label_matrix >= 0
    many = fired.sum(axis=1) >= 2
    return (fired & many[:, None]).mean(axis=0)


def compute_lf_conflicts(L: Any) -> np.ndarray:
    """Share of rows where each LF votes and another LF votes a different class: shape (n_lfs,).

    Examples
    --------
    >>> compute_lf_conflicts([[0, -1], [-1, -1], [1, 1], [0, 1]]).tolist()
    [0.25, 0.25]
    """
    label_matrix = check_label_matrix(L)
    if not label_matrix.shape[0]:
        return np.zeros(label_matrix.shape[1])
    _, distinct = _row_stats(label_matrix)
    # an LF that votes is one of the row's classes, so a second class means a conflict with it
    return ((label_matrix >= 0) & (distinct >= 2)[:, None]).mean(axis=0)


def compute_lf_polarities(L: Any) -> list[list[int]]:
    """The sorted classes each LF ever votes.

    Examples
    --------
    >>> compute_lf_polarities([[0, -1], [-1, -1], [1, 1], [0, 1]])
    [[0, 1], [1]]
    """
    label_matrix = check_label_matrix(L)
    return [np.unique(col[col >= 0]).tolist() for col in label_matrix.T]


def compute_lf_empirical_accuracies(L: Any, labels: Any) -> np.ndarray:
    """Share of each LF's votes that match the gold label, on rows with a gold label (not -1).

    Returns NaN for an LF that never votes on a labeled row.

    Examples
    --------
    >>> compute_lf_empirical_accuracies([[0, -1], [-1, -1], [1, 1], [0, 1]], [0, 1, 1, -1]).tolist()
    [1.0, 1.0]
    """
    label_matrix = check_label_matrix(L)
    gold = check_gold_labels(labels, n_rows=label_matrix.shape[0])
    correct, incorrect = _correct_incorrect(label_matrix, gold)
    total = correct + incorrect
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, correct / np.maximum(total, 1), np.nan)


def _correct_incorrect(label_matrix: np.ndarray, gold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    labeled = gold >= 0
    sub = label_matrix[labeled]
    fired = sub >= 0
    right = fired & (sub == gold[labeled][:, None])
    return right.sum(axis=0), (fired & ~right).sum(axis=0)


def summarize_lfs(
    L: Any,
    *,
    labels: Any = None,
    names: Sequence[str] | None = None,
    model: Any = None,
) -> pd.DataFrame:
    """One row per LF: polarity, coverage, overlaps, conflicts; with gold labels, correct, incorrect
    and empirical accuracy; with a fitted label model that has ``accuracies_``, its estimate.

    Parameters
    ----------
    L : array-like of shape (n_rows, n_lfs)
    labels : array-like of shape (n_rows,), optional
        Gold labels, ``-1`` where a row has none.
    names : sequence of str, optional
        LF names (e.g. ``[lf.name for lf in lfs]``); default ``lf_0, lf_1, ...``.
    model : fitted label model, optional

    Returns
    -------
    pandas.DataFrame indexed by LF name

    Examples
    --------
    >>> summarize_lfs([[0, -1], [-1, -1], [1, 1], [0, 1]], labels=[0, 1, 1, -1])[
    ...     ["coverage", "conflicts", "empirical_accuracy"]
    ... ].to_dict("list")
    {'coverage': [0.75, 0.5], 'conflicts': [0.25, 0.25], 'empirical_accuracy': [1.0, 1.0]}
    """
    label_matrix = check_label_matrix(L)
    m = label_matrix.shape[1]
    if names is None:
        names = [f"lf_{j}" for j in range(m)]
    if len(names) != m:
        raise InvalidOptionError(
            f"names has {len(names)} entries but L has {m} columns; pass one name per LF."
        )
    table = pd.DataFrame(
        {
            "polarity": compute_lf_polarities(label_matrix),
            "coverage": compute_lf_coverages(label_matrix),
            "overlaps": compute_lf_overlaps(label_matrix),
            "conflicts": compute_lf_conflicts(label_matrix),
        },
        index=pd.Index(list(names), name="lf"),
    )
    if labels is not None:
        gold = check_gold_labels(labels, n_rows=label_matrix.shape[0])
        correct, incorrect = _correct_incorrect(label_matrix, gold)
        table["correct"] = correct
        table["incorrect"] = incorrect
        table["empirical_accuracy"] = compute_lf_empirical_accuracies(label_matrix, gold)
    if model is not None:
        estimated = getattr(model, "accuracies_", None)
        if estimated is None or len(estimated) != m:
            raise InvalidOptionError(
                f"model must be a label model fitted on these {m} LFs with an accuracies_ attribute "
                f"(LabelModel, DawidSkeneLabelModel, MomentLabelModel); received {type(model).__name__}."
            )
        table["estimated_accuracy"] = np.asarray(estimated)
    return table
