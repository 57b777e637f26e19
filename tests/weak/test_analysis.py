from __future__ import annotations

import numpy as np
import pytest

from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidOptionError
from goldlabel.weak import (
    LabelModel,
    compute_label_conflict,
    compute_label_coverage,
    compute_label_overlap,
    compute_lf_conflicts,
    compute_lf_coverages,
    compute_lf_empirical_accuracies,
    compute_lf_overlaps,
    compute_lf_polarities,
    summarize_lfs,
)

# 6 rows x 4 LFs, worked out by hand
L = np.array(
    [
        [0, 0, -1, -1],  # overlap, no conflict
        [0, 1, -1, -1],  # conflict
        [-1, -1, -1, -1],  # uncovered
        [2, -1, 2, 1],  # overlap, conflict (LF 3 disagrees)
        [-1, -1, 2, -1],  # single vote
        [1, -1, -1, -1],  # single vote
    ]
)
GOLD = np.array([0, 0, 1, 2, -1, 0])


def test_dataset_level_numbers():
    assert compute_label_coverage(L) == pytest.approx(5 / 6)
    assert compute_label_overlap(L) == pytest.approx(3 / 6)
    assert compute_label_conflict(L) == pytest.approx(2 / 6)


def test_per_lf_numbers():
    assert compute_lf_coverages(L) == pytest.approx([4 / 6, 2 / 6, 2 / 6, 1 / 6])
    assert compute_lf_overlaps(L) == pytest.approx([3 / 6, 2 / 6, 1 / 6, 1 / 6])
    assert compute_lf_conflicts(L) == pytest.approx([2 / 6, 1 / 6, 1 / 6, 1 / 6])
    assert compute_lf_polarities(L) == [[0, 1, 2], [0, 1], [2], [1]]
    # LF0 votes on labeled rows 0,1,3,5: right on 0,1,3 -> 3/4; LF1: rows 0 (right), 1 (wrong)
    assert compute_lf_empirical_accuracies(L, GOLD) == pytest.approx([0.75, 0.5, 1.0, 0.0])


def test_empirical_accuracy_nan_without_labeled_votes():
    acc = compute_lf_empirical_accuracies(L, [-1, -1, -1, -1, 2, -1])
    assert np.isnan(acc[[0, 1, 3]]).all() and acc[2] == 1.0


def test_summary_table():
    model = LabelModel(n_classes=3).fit(L)
    table = summarize_lfs(L, labels=GOLD, names=["a", "b", "c", "d"], model=model)
    assert list(table.index) == ["a", "b", "c", "d"]
    assert table["correct"].tolist() == [3, 1, 1, 0]
    assert table["incorrect"].tolist() == [1, 1, 0, 1]
    assert list(table.columns) == [
        "polarity",
        "coverage",
        "overlaps",
        "conflicts",
        "correct",
        "incorrect",
        "empirical_accuracy",
        "estimated_accuracy",
    ]
    assert summarize_lfs(L).index[0] == "lf_0"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: summarize_lfs(L, names=["a"]), InvalidOptionError, "one name per LF"),
        (lambda: summarize_lfs(L, model=object()), InvalidOptionError, "accuracies_"),
        (
            lambda: compute_lf_empirical_accuracies(L, [0, 1]),
            InvalidLabelsError,
            "one entry per row",
        ),
        (lambda: compute_label_coverage([0, 1]), DataValidationError, "must be a 2-D array"),
        (lambda: compute_lf_coverages([[0, -2]]), DataValidationError, "only class indices >= 0"),
        (lambda: compute_lf_coverages([[0.5, 1]]), DataValidationError, "whole numbers"),
        (lambda: compute_lf_coverages([[np.nan, 1]]), DataValidationError, "missing or infinite"),
        (lambda: compute_lf_coverages([["a", "b"]]), DataValidationError, "integer class indices"),
    ],
    ids=["names", "model", "labels-length", "1d", "minus-two", "fraction", "nan", "strings"],
)
def test_analysis_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
