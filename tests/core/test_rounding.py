"""Rounding that preserves row totals: properties, and equality with cleanlab's own implementation.

Confident-learning counts are rounded with this rule, so any difference from cleanlab here (the
tie-breaking among equal residuals in particular) changes which examples are flagged.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from goldlabel.core import rounding
from goldlabel.core.rounding import round_preserving_row_totals, round_preserving_sum
from goldlabel.exceptions import DataValidationError

#: Entries: arbitrary reals, exact halves (ties for round-half-to-even), thirds (equal residuals),
#: and big counts, as calibration produces them.
ENTRIES = st.one_of(
    st.floats(min_value=0, max_value=50, allow_nan=False, allow_infinity=False),
    st.integers(0, 40).map(lambda i: i / 2),
    st.integers(0, 60).map(lambda i: i / 3),
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
)
MATRICES = hnp.arrays(
    np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=9), elements=ENTRIES
)
VECTORS = hnp.arrays(np.float64, st.integers(1, 12), elements=ENTRIES)
SETTINGS = settings(max_examples=300, deadline=None)


def _cleanlab_util():  # type: ignore[no-untyped-def]
    return pytest.importorskip("cleanlab.internal.util")


@SETTINGS
@given(MATRICES)
def test_each_row_keeps_its_rounded_total(matrix: np.ndarray) -> None:
    rounded = round_preserving_row_totals(matrix)
    assert rounded.shape == matrix.shape
    assert rounded.dtype == np.int64
    np.testing.assert_array_equal(rounded.sum(axis=1), np.round(matrix.sum(axis=1)))


@SETTINGS
@given(MATRICES)
def test_every_entry_moves_by_at_most_one(matrix: np.ndarray) -> None:
    rounded = round_preserving_row_totals(matrix)
    assert np.all(np.abs(rounded - matrix) <= 1 + 1e-9)


#: Rounding takes a dense path or (mostly-zero matrices) a sparse one; each test can force either.
PATHS = ["auto", "sparse", "dense"]


@contextlib.contextmanager
def _path(name: str) -> Iterator[None]:
    saved = rounding._SPARSE_MIN_SIZE, rounding._SPARSE_MAX_FILL
    if name == "sparse":
        rounding._SPARSE_MIN_SIZE, rounding._SPARSE_MAX_FILL = 0, 1.0
    elif name == "dense":
        rounding._SPARSE_MIN_SIZE = 1 << 62
    try:
        yield
    finally:
        rounding._SPARSE_MIN_SIZE, rounding._SPARSE_MAX_FILL = saved


@pytest.mark.parametrize("path", PATHS)
@SETTINGS
@given(matrix=MATRICES)
def test_matches_cleanlab_round_preserving_row_totals(path: str, matrix: np.ndarray) -> None:
    util = _cleanlab_util()
    expected = util.round_preserving_row_totals(matrix)
    with _path(path):
        got = round_preserving_row_totals(matrix)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("path", PATHS)
@SETTINGS
@given(
    matrix=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=9),
        elements=st.one_of(
            ENTRIES,
            ENTRIES.map(lambda x: -x),
            st.just(0.0),
            st.integers(-30, 30).map(float),
        ),
    )
)
def test_signed_sparse_matrices_match_cleanlab(path: str, matrix: np.ndarray) -> None:
    """Negative entries, many zeros and whole numbers (residual 0 without being 0)."""
    util = _cleanlab_util()
    expected = util.round_preserving_row_totals(matrix)
    with _path(path):
        got = round_preserving_row_totals(matrix)
    np.testing.assert_array_equal(got, expected)


@SETTINGS
@given(MATRICES)
def test_fortran_order_input_rounds_like_cleanlab(matrix: np.ndarray) -> None:
    """The calibrated joint arrives transposed (Fortran order); rounding must not depend on it."""
    util = _cleanlab_util()
    fortran = np.asfortranarray(matrix)
    expected = util.round_preserving_row_totals(fortran)
    got = round_preserving_row_totals(fortran)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got, round_preserving_row_totals(np.ascontiguousarray(matrix)))


@SETTINGS
@given(VECTORS)
def test_round_preserving_sum_matches_cleanlab(values: np.ndarray) -> None:
    util = _cleanlab_util()
    expected = util.round_preserving_sum(values)
    got = round_preserving_sum(values)
    np.testing.assert_array_equal(got, expected)
    assert got.sum() == np.round(values.sum())


@SETTINGS
@given(
    hnp.arrays(
        np.int64,
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=8),
        elements=st.integers(0, 10**6),
    )
)
def test_integers_are_returned_unchanged(matrix: np.ndarray) -> None:
    np.testing.assert_array_equal(round_preserving_row_totals(matrix), matrix)


@pytest.mark.parametrize(
    ("matrix", "expected"),
    [
        ([[0.5, 0.5, 2.0]], [[0, 1, 2]]),
        ([[1.2, 1.2, 0.6]], [[1, 1, 1]]),
        ([[0.5, 0.5, 0.5, 0.5]], [[0, 0, 1, 1]]),
        ([[1 / 3, 1 / 3, 1 / 3]], [[0, 0, 1]]),
        ([[2.5, 2.5], [3.5, 3.5]], [[2, 3], [3, 4]]),
    ],
    ids=["equal-halves-last-wins", "one-up", "all-halves", "thirds", "half-to-even"],
)
def test_known_roundings(matrix: list[list[float]], expected: list[list[int]]) -> None:
    util = _cleanlab_util()
    assert round_preserving_row_totals(np.array(matrix)).tolist() == expected
    assert util.round_preserving_row_totals(np.array(matrix)).tolist() == expected


def test_empty_matrix_keeps_its_shape() -> None:
    assert round_preserving_row_totals(np.zeros((0, 3))).shape == (0, 3)


@pytest.mark.parametrize("shape", [(3,), (2, 2, 2)], ids=["1d", "3d"])
def test_non_2d_input_is_refused(shape: tuple[int, ...]) -> None:
    with pytest.raises(
        DataValidationError,
        match=rf"matrix must be a 2-D array of shape \(R, K\), but received shape {re.escape(str(shape))}",
    ):
        round_preserving_row_totals(np.zeros(shape))


def _calibrated_sparse_joint(rng: np.random.Generator, k: int) -> np.ndarray:
    """A calibrated confident joint as wide ones look: a large diagonal and a few small off-diagonal
    counts per row, so equal residuals (equal counts, and the zeros) straddle the cut in most rows."""
    joint = np.zeros((k, k))
    rows = np.repeat(np.arange(k), 6)
    joint[rows, rng.integers(0, k, rows.size)] += rng.integers(1, 4, rows.size)
    joint[np.diag_indices(k)] = rng.integers(20, 200, k)
    label_counts = joint.sum(axis=1) + rng.integers(-5, 6, k)
    calibrated = (joint.T / joint.sum(axis=1) * label_counts).T
    return calibrated / calibrated.sum() * label_counts.sum()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("k", [257, 600, 1000], ids=["k257", "k600", "k1000"])
@pytest.mark.parametrize("seed", range(3), ids=lambda s: f"seed{s}")
def test_wide_sparse_rows_round_like_cleanlab(k: int, seed: int, path: str) -> None:
    """Rows wider than a sorting network, with many equal residuals: the cut is decided by a
    selection where it can be and by the sort where equal values straddle it."""
    util = _cleanlab_util()
    rng = np.random.default_rng(seed)
    calibrated = _calibrated_sparse_joint(rng, k)
    with _path(path):
        got = round_preserving_row_totals(calibrated)
    np.testing.assert_array_equal(got, util.round_preserving_row_totals(calibrated))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("seed", range(3), ids=lambda s: f"seed{s}")
def test_wide_dense_rows_with_repeated_values_round_like_cleanlab(seed: int, path: str) -> None:
    util = _cleanlab_util()
    rng = np.random.default_rng(seed)
    matrix = rng.integers(0, 30, (300, 400)) / rng.choice([1.0, 3.0, 7.0], (300, 1))
    matrix[rng.random(matrix.shape) < 0.8] = 0  # sparse enough for the sparse path
    with _path(path):
        got = round_preserving_row_totals(matrix)
    np.testing.assert_array_equal(got, util.round_preserving_row_totals(matrix))


@pytest.mark.parametrize("path", PATHS)
def test_rows_of_equal_halves_round_like_cleanlab(path: str) -> None:
    """Rows of equal halves: half of the entries change, all chosen by the sort among equals."""
    util = _cleanlab_util()
    matrix = np.zeros((70, 70))
    matrix[::2] = 0.5  # every entry rounds to 0, the total 35 to 35
    matrix[1::4] = 1.5  # every entry rounds to 2, the total 105 to 105
    matrix[3::8, ::3] = 0.25
    with _path(path):
        got = round_preserving_row_totals(matrix)
    np.testing.assert_array_equal(got, util.round_preserving_row_totals(matrix))
