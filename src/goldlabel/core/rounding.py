"""Rounding that preserves totals, as confident learning's calibration needs it.

The rule (shared with cleanlab, so that counts agree exactly): round every entry to the nearest integer
(half to even); if the rounded entries no longer add up to the rounded total, add 1 to the entries with the
largest rounding residual (or subtract 1 from those with the smallest) until they do. Ties between equal
residuals are broken by :func:`numpy.argsort`'s default order, exactly as cleanlab does.
"""

from __future__ import annotations

import numpy as np

from goldlabel.exceptions import DataValidationError

__all__ = ["round_preserving_row_totals", "round_preserving_sum"]

_EPS = 1e-6


def round_preserving_sum(values: np.ndarray) -> np.ndarray:
    """Round a 1-D array to integers whose sum is the rounded sum of ``values``.

    Parameters
    ----------
    values : array-like of shape (K,)

    Returns
    -------
    numpy.ndarray of shape (K,), dtype int64

    Examples
    --------
    Every entry rounds down to 0 but the total is 1: the entry with the largest residual gets it, and
    of two equal residuals the one :func:`numpy.argsort` puts last (here the second):

    >>> round_preserving_sum([0.4, 0.4, 0.2]).tolist()
    [0, 1, 0]

    Here the entries round to 3 + 1 + 2 = 6 but the total is 5: the entry rounded up the most gives 1
    back:

    >>> round_preserving_sum([2.6, 0.7, 1.7]).tolist()
    [2, 1, 2]
    """
    return round_preserving_row_totals(np.asarray(values, dtype=float)[None, :])[0]


def round_preserving_row_totals(matrix: np.ndarray) -> np.ndarray:
    """Round each row of a 2-D array to integers, preserving each row's rounded total.

    Vectorised over rows; gives the same integers as rounding each row with
    :func:`round_preserving_sum`.

    Parameters
    ----------
    matrix : array-like of shape (R, K)

    Returns
    -------
    numpy.ndarray of shape (R, K), dtype int64

    Examples
    --------
    ``0.5`` rounds half to even (to 0), so the first row misses 1 of its total 3; it goes to the later
    of the two equal residuals. The second row's entries already add up to its total:

    >>> round_preserving_row_totals([[0.5, 0.5, 2.0], [1.2, 1.2, 0.6]]).tolist()
    [[0, 1, 2], [1, 1, 1]]
    """
    # C order, as cleanlab's row-by-row rounding returns: later float sums then add in the same order.
    floats = np.ascontiguousarray(matrix, dtype=float)
    if floats.ndim != 2:
        raise DataValidationError(
            f"matrix must be a 2-D array of shape (R, K), but received shape {floats.shape}. "
            "Use round_preserving_sum for one row."
        )
    ints = floats.round()
    if floats.size == 0:
        return ints.astype(np.int64)
    n_cols = floats.shape[1]
    target = floats.sum(axis=1).round()
    rows = np.flatnonzero(np.abs(ints.sum(axis=1).round() - target) > _EPS)
    while rows.size:
        f = floats[rows]
        i = ints[rows]
        diff = np.round(target[rows] - i.sum(axis=1).round())
        up = diff >= 0
        changes = np.minimum(np.abs(diff), n_cols).astype(np.int64)
        order = np.argsort(f - i, axis=1)
        # Rows rounding up take the `changes` largest residuals in reversed argsort order;
        # rows rounding down take the `changes` smallest.
        pos = np.arange(n_cols)[None, :]
        take = np.where(up[:, None], pos >= n_cols - changes[:, None], pos < changes[:, None])
        r_idx, p_idx = np.nonzero(take)
        step = np.where(up, 1.0, -1.0)
        i[r_idx, order[r_idx, p_idx]] += step[r_idx]
        ints[rows] = i
        still = np.abs(i.sum(axis=1).round() - target[rows]) > _EPS
        rows = rows[still]
    return ints.astype(np.int64)
