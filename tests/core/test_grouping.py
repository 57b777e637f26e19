"""Grouping rows by label gives exactly one stable sort's order, whichever way it is computed, and the
confident thresholds computed from the ungrouped values with that order are the grouped ones."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.core.counting import _thresholds_from_groups
from goldlabel.core.grouping import group_by_label

CASES = {
    "k10-blocks": (300_007, 10, 0.0),  # several row blocks, sorted block by block
    "k32-blocks-imbalanced": (200_000, 32, 2.0),
    "k3-one-block": (5_000, 3, 0.0),
    "k33-one-sort": (150_000, 33, 0.5),  # too many classes for block sorting
    "k300-one-sort": (150_000, 300, 0.0),  # int16 sort keys
    "k12-absent-classes": (140_000, 12, 0.0),
}


def _labels(n: int, k: int, skew: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    weights = np.exp(-skew * np.arange(k) / k)
    labels = rng.choice(k, size=n, p=weights / weights.sum())
    if k == 12:
        labels[np.isin(labels, [0, 5, 11])] = 3  # classes 0, 5 and 11 never appear
    return labels.astype(np.int64)


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_group_by_label_is_one_stable_sort(name: str) -> None:
    n, k, skew = CASES[name]
    labels = _labels(n, k, skew)
    order, starts = group_by_label(labels, k)
    np.testing.assert_array_equal(order, np.argsort(labels, kind="stable"))
    np.testing.assert_array_equal(np.diff(starts), np.bincount(labels, minlength=k))
    assert starts[0] == 0 and starts[-1] == n


def test_group_by_label_of_no_rows() -> None:
    order, starts = group_by_label(np.zeros(0, dtype=np.int64), 4)
    assert order.shape == (0,) and starts.tolist() == [0, 0, 0, 0, 0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_thresholds_from_row_order_equal_those_from_grouped_values(dtype: type) -> None:
    labels = _labels(140_000, 12, 1.0)
    values = np.random.default_rng(1).random(labels.size).astype(dtype)
    order, starts = group_by_label(labels, 12)
    grouped = _thresholds_from_groups(values[order], starts, np.dtype(dtype))
    in_rows = _thresholds_from_groups(values, starts, np.dtype(dtype), order=order)
    np.testing.assert_array_equal(in_rows, grouped)
    assert in_rows.dtype == grouped.dtype
    assert in_rows[[0, 5, 11]].tolist() == [2, 2, 2]  # absent classes
