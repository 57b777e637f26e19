"""Bit codes of boolean rows give the same count, first index and only index as plain numpy on the
rows themselves, for every width up to 16 and for all-false and all-true rows."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.core.rowcodes import (
    MAX_CODE_COLUMNS,
    count_true,
    encode_rows,
    first_true,
    only_true,
)

WIDTHS = [1, 2, 3, 8, 9, 10, 15, 16]


def _masks(k: int) -> np.ndarray:
    """Random (M, k) boolean rows of every density, plus an all-false and an all-true row."""
    rng = np.random.default_rng(k)
    density = rng.random((2000, 1))
    rows = rng.random((2000, k)) < density
    return np.vstack([rows, np.zeros((1, k), dtype=bool), np.ones((1, k), dtype=bool)])


@pytest.mark.parametrize("k", WIDTHS, ids=[f"k{k}" for k in WIDTHS])
def test_codes_match_numpy_on_rows(k: int) -> None:
    rows = _masks(k)
    codes = encode_rows(np.ascontiguousarray(rows.T))
    n_true = rows.sum(axis=1)
    np.testing.assert_array_equal(count_true(codes), n_true)
    np.testing.assert_array_equal(first_true(codes), rows.argmax(axis=1))
    expected_only = np.where(n_true == 1, rows.argmax(axis=1), np.where(n_true == 0, -1, 16))
    np.testing.assert_array_equal(only_true(codes), expected_only)


def test_codes_of_a_strided_mask_match_a_contiguous_one() -> None:
    rows = _masks(10)
    wide = np.zeros((10, 2 * rows.shape[0]), dtype=bool)
    wide[:, ::2] = rows.T
    np.testing.assert_array_equal(
        encode_rows(wide[:, ::2]), encode_rows(np.ascontiguousarray(rows.T))
    )


def test_first_index_of_the_row_maximum_breaks_ties_like_argmax() -> None:
    values = np.array([[0.2, 0.4, 0.4], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.0, 1.0]])
    cols = np.ascontiguousarray(values.T)
    top = first_true(encode_rows(cols == cols.max(axis=0)))
    assert top.tolist() == values.argmax(axis=1).tolist() == [1, 0, 0, 2]


def test_the_widest_code_uses_every_bit() -> None:
    rows = np.eye(MAX_CODE_COLUMNS, dtype=bool)
    codes = encode_rows(rows)
    assert codes.dtype == np.uint16
    assert codes.tolist() == [1 << j for j in range(MAX_CODE_COLUMNS)]
    assert first_true(codes).tolist() == list(range(MAX_CODE_COLUMNS))
