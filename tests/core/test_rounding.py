"""Rounding that preserves row totals: properties, and equality with cleanlab's own implementation.

Confident-learning counts are rounded with this rule, so any difference from cleanlab here (the
tie-breaking among equal residuals in particular) changes which examples are flagged.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

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


@SETTINGS
@given(MATRICES)
def test_matches_cleanlab_round_preserving_row_totals(matrix: np.ndarray) -> None:
    util = _cleanlab_util()
    expected = util.round_preserving_row_totals(matrix)
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
