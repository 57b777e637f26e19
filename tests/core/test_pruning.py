"""Pruning's selections against the plain rule they implement: for a (given k, target j) pair, the
``c`` rows of class k with the largest margin ``p_j - p_k``, ties broken by ``numpy.argsort``."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.core.grouping import group_by_label
from goldlabel.core.pruning import _select_over_classes


def _reference(pred_probs: np.ndarray, rows_k: np.ndarray, k: int, j: int, c: int) -> np.ndarray:
    margin = pred_probs[rows_k, j] - pred_probs[rows_k, k]
    return np.sort(rows_k[np.argsort(-margin)[:c]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("seed", range(12), ids=[f"seed{s}" for s in range(12)])
def test_pairs_settled_together_select_as_argsort_does(seed: int, dtype: str) -> None:
    """Coarse values make many equal margins; float64 values 1e-12 apart are equal in float32."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(50, 400)), int(rng.integers(3, 12))
    pred_probs = rng.dirichlet(np.ones(k), size=n)
    if seed % 3 == 0:
        pred_probs = np.round(pred_probs, 1)
    elif seed % 3 == 1 and dtype == "float64":
        half = n // 2
        pred_probs[:half] = pred_probs[half : 2 * half] + 1e-12
    pred_probs = pred_probs.astype(dtype)
    labels = rng.integers(0, k, n)
    labels[:k] = np.arange(k)
    groups = group_by_label(labels, k)
    order, starts = groups
    pair_k = np.repeat(np.arange(k), k)
    pair_j = np.tile(np.arange(k), k)
    keep = pair_k != pair_j
    pair_k, pair_j = pair_k[keep], pair_j[keep]
    sizes = np.diff(starts)[pair_k]
    pair_c = rng.integers(1, sizes + 3)  # sometimes more than the class holds
    which = rng.random(pair_k.size) < 0.7
    got = np.sort(_select_over_classes(pred_probs, groups, pair_k, pair_j, pair_c, which))
    expected = [
        _reference(pred_probs, order[starts[kk] : starts[kk + 1]], int(kk), int(jj), int(cc))
        for kk, jj, cc in zip(pair_k[which], pair_j[which], pair_c[which], strict=True)
    ]
    want = np.sort(np.concatenate(expected)) if expected else np.zeros(0, dtype=np.int64)
    np.testing.assert_array_equal(got, want)


def test_no_pair_selects_nothing() -> None:
    groups = group_by_label(np.array([0, 1, 1]), 2)
    none = np.zeros(0, dtype=np.int64)
    got = _select_over_classes(np.eye(2)[[0, 1, 1]], groups, none, none, none, none.astype(bool))
    assert got.size == 0
