"""SparseCounts answers like the dense matrix it holds."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.core.sparse import SparseCounts, concat_ranges


def _random(seed: int) -> tuple[SparseCounts, np.ndarray]:
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 30)), int(rng.integers(1, 30)))
    dense = rng.integers(-3, 4, size=shape) * (rng.random(shape) < 0.3)
    flat = np.flatnonzero(dense)
    return SparseCounts(flat, dense.reshape(-1)[flat], shape), dense


@pytest.mark.parametrize("seed", range(20), ids=[f"seed{s}" for s in range(20)])
def test_sparse_counts_behave_like_the_dense_matrix(seed: int) -> None:
    counts, dense = _random(seed)
    np.testing.assert_array_equal(np.asarray(counts), dense)
    np.testing.assert_array_equal(np.asarray(counts.T), dense.T)
    np.testing.assert_array_equal(counts.diagonal(), np.diagonal(dense))
    rows, cols, values = counts.entries()
    np.testing.assert_array_equal(values, dense[rows, cols])
    assert (np.diff(rows * dense.shape[1] + cols) > 0).all()
    assert np.asarray(counts, dtype=float).dtype == np.float64
    assert counts.T.shape == dense.T.shape and counts.dtype == np.int64


def test_concat_ranges_handles_empty_ranges() -> None:
    assert concat_ranges(np.array([3, 9, 1]), np.array([2, 0, 1])).tolist() == [3, 4, 1]
    assert concat_ranges(np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0
