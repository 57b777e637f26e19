"""Rounding that preserves totals, as confident learning's calibration needs it.

The rule (shared with cleanlab, so that counts agree exactly): round every entry to the nearest integer
(half to even); if the rounded entries no longer add up to the rounded total, add 1 to the entries with the
largest rounding residual (or subtract 1 from those with the smallest) until they do. Ties between equal
residuals are broken by :func:`numpy.argsort`'s default order, exactly as cleanlab does.

That order is the sort's own (the default kind is not stable, and the order it gives equal values depends
on the CPU's sorting kernel), so rows are sorted only where equal residuals straddle the cut; elsewhere the
entries to change are found by selection. Sparse matrices (a calibrated confident joint over many classes
is mostly zeros) are rounded from their nonzero entries, without K x K temporaries.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from goldlabel.core.scan import default_n_jobs
from goldlabel.core.sparse import SparseCounts, concat_ranges
from goldlabel.exceptions import DataValidationError

__all__ = [
    "round_preserving_row_totals",
    "round_preserving_sum",
    "round_sparse_preserving_row_totals",
    "sparse_rows",
]

_EPS = 1e-6
#: Rows are sorted on several threads from this many entries on (numpy sorts without the GIL).
_THREADED_SORT_SIZE = 1 << 16
#: Rows are argsorted in blocks of about this many entries.
_SORT_BLOCK_ENTRIES = 1 << 15
#: Matrices of at least this many entries, at most this fraction of them nonzero, are rounded from
#: their nonzero entries.
_SPARSE_MIN_SIZE = 1 << 12
_SPARSE_MAX_FILL = 0.25
#: Whole-number row sums below this are exact in float64, in any summation order.
_EXACT_SUMS = float(2**52)


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
    if floats.size == 0:
        return floats.round().astype(np.int64)
    target = floats.sum(axis=1).round()
    if (
        floats.size >= _SPARSE_MIN_SIZE
        and np.count_nonzero(floats) <= floats.size * _SPARSE_MAX_FILL
    ):
        flat = np.flatnonzero(floats)
        rounded = round_sparse_preserving_row_totals(
            flat, floats.reshape(-1)[flat], floats.shape, target
        )
        return rounded.to_dense()
    return _round_dense(floats, target)


def round_sparse_preserving_row_totals(
    flat: np.ndarray, values: np.ndarray, shape: tuple[int, int], target: np.ndarray
) -> SparseCounts:
    """:func:`round_preserving_row_totals` of the matrix whose nonzero entries are ``values``,
    returned as its nonzero entries too.

    Parameters
    ----------
    flat : numpy.ndarray of shape (E,), int
        Flat (row-major) positions of the nonzero entries, increasing.
    values : numpy.ndarray of shape (E,), float64
        The entries; every other entry is 0 (and rounds to itself, with residual 0).
    shape : tuple of int
        ``(R, K)``.
    target : numpy.ndarray of shape (R,)
        Each row's total, rounded (``matrix.sum(axis=1).round()``, summed as numpy sums rows).

    Returns
    -------
    SparseCounts
        The rounded matrix (``numpy.asarray`` makes it dense).

    Examples
    --------
    >>> rounded = round_sparse_preserving_row_totals(
    ...     np.array([0, 1, 5]), np.array([0.5, 0.5, 1.4]), (2, 3), np.array([1.0, 1.0])
    ... )
    >>> np.asarray(rounded).tolist()
    [[0, 1, 0], [0, 0, 1]]
    """
    # Whole-number sums stay exact in float64, so any summation order gives cleanlab's sums.
    if not (np.isfinite(target).all() and np.abs(values).max(initial=0.0) * shape[1] < _EXACT_SUMS):
        dense = np.zeros(shape)
        dense.reshape(-1)[flat] = values
        ints = _round_dense(dense, target).reshape(-1)
        nonzero = np.flatnonzero(ints)
        return SparseCounts(nonzero, ints[nonzero], shape)
    return _round_sparse(flat, values, shape, target)


def sparse_rows(flat: np.ndarray, values: np.ndarray, k: int, rows: np.ndarray) -> np.ndarray:
    """Rows ``rows`` (float64, dense, C order) of the matrix with ``k`` columns whose nonzero entries
    are ``values`` at the increasing flat positions ``flat``.

    Examples
    --------
    >>> sparse_rows(np.array([1, 5]), np.array([2.0, 3.0]), 3, np.array([1])).tolist()
    [[0.0, 0.0, 3.0]]
    """
    start = np.searchsorted(flat, rows * k)
    count = np.searchsorted(flat, (rows + 1) * k) - start
    at = concat_ranges(start, count)
    out = np.zeros((rows.size, k))
    out.reshape(-1)[np.repeat(np.arange(rows.size) * k, count) + flat[at] % k] = values[at]
    return out


def _round_dense(floats: np.ndarray, target: np.ndarray) -> np.ndarray:
    """:func:`round_preserving_row_totals` of a C-ordered float64 matrix, given its row targets."""
    ints = floats.round()
    _round_rows(floats, ints, target, np.flatnonzero(_off(ints.sum(axis=1), target)))
    return ints.astype(np.int64)


def _off(sums: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Rows whose rounded sum misses the target (cleanlab's comparison)."""
    return np.abs(sums.round() - target) > _EPS


def _round_rows(floats: np.ndarray, ints: np.ndarray, target: np.ndarray, rows: np.ndarray) -> None:
    """Adjust ``ints`` (whole floats, in place) in ``rows`` until each row adds up to its target."""
    k = floats.shape[1]
    while rows.size:
        i = ints[rows]
        diff = np.round(target[rows] - i.sum(axis=1).round())
        up = diff >= 0
        changes = np.minimum(np.abs(diff), k).astype(np.int64)
        rr, cc = _entries_to_change(floats[rows] - i, up, changes)
        i[rr, cc] += np.where(up, 1.0, -1.0)[rr]
        ints[rows] = i
        rows = rows[_off(i.sum(axis=1), target[rows])]


def _round_sparse(
    flat: np.ndarray, values: np.ndarray, shape: tuple[int, int], target: np.ndarray
) -> SparseCounts:
    """:func:`round_sparse_preserving_row_totals` with exact whole-number sums."""
    m, k = shape
    whole = np.rint(values)
    residual = values - whole
    row = flat // k
    int_sums = np.bincount(row, weights=whole, minlength=m)
    rows = np.flatnonzero(_off(int_sums, target))
    # Changes to the rounded entries: flat positions and +1 / -1.
    moved: list[np.ndarray] = []
    steps: list[np.ndarray] = []
    if rows.size:
        diff = np.round(target[rows] - int_sums[rows].round())
        up = diff >= 0
        changes = np.minimum(np.abs(diff), k).astype(np.int64)
        step = np.where(up, 1, -1)
        # Entries with a nonzero residual in the rows to adjust, and their keys: the residual when
        # the row rounds up (it takes the largest residuals), its negative when it rounds down.
        slot = np.full(m, -1)
        slot[rows] = np.arange(rows.size)
        keep = (slot[row] >= 0) & (residual != 0)
        e_slot, e_flat = slot[row[keep]], flat[keep]
        e_key = np.where(up[e_slot], residual[keep], -residual[keep])
        order = np.lexsort((-e_key, e_slot))
        e_slot, e_flat, e_key = e_slot[order], e_flat[order], e_key[order]
        count = np.bincount(e_slot, minlength=rows.size)
        start = np.concatenate(([0], np.cumsum(count)[:-1]))
        positive = np.bincount(e_slot, weights=e_key > 0, minlength=rows.size).astype(np.int64)
        zeros = k - count
        every = changes >= k
        c = np.minimum(changes, k - 1)
        cut = _key_at(e_key, start, positive, zeros, c - 1)
        tied = (cut == _key_at(e_key, start, positive, zeros, c)) & ~every
        # Cut above 0: the c largest keys are the row's first c entries in key order.
        top = ~tied & ~every & (cut > 0)
        moved.append(e_flat[concat_ranges(start[top], changes[top])])
        steps.append(np.repeat(step[top], changes[top]))
        # Every entry, or the cut among the zeros or below (the row's zeros are all taken): dense
        # rows of residuals (these rows are not changed elsewhere, so their integers are `whole`).
        wide = np.flatnonzero(every | (~tied & ~top))
        if wide.size:
            keys = sparse_rows(flat, residual, k, rows[wide])
            np.negative(keys, out=keys, where=~up[wide, None])
            wr, wc = np.nonzero((keys >= cut[wide, None]) | every[wide, None])
            moved.append(rows[wide][wr] * k + wc)
            steps.append(step[wide][wr])
        if tied.any():
            t = np.flatnonzero(tied)
            tied_rows = rows[t]
            rr, cc = _sorted_choice(
                lambda a, b: sparse_rows(flat, residual, k, tied_rows[a:b]),
                up[t],
                changes[t],
                k,
            )
            moved.append(tied_rows[rr] * k + cc)
            steps.append(step[t][rr])
    # One round of changes reaches every target: a row's residuals add up to at most k/2 in size,
    # so it needs at most k/2 + 1 <= k changes (k >= 2; a single column rounds to its own total).
    return _add_entries(flat, whole.astype(np.int64), moved, steps, shape)


def _add_entries(
    flat: np.ndarray,
    values: np.ndarray,
    moved: list[np.ndarray],
    steps: list[np.ndarray],
    shape: tuple[int, int],
) -> SparseCounts:
    """The matrix with ``values`` at ``flat`` plus every ``steps`` at ``moved``, as nonzero entries."""
    if moved:
        flat = np.concatenate([flat, *moved])
        values = np.concatenate([values, *[s.astype(np.int64) for s in steps]])
        order = np.argsort(flat, kind="stable")
        flat, values = flat[order], values[order]
        first = np.flatnonzero(np.diff(flat, prepend=-1))
        flat, values = flat[first], np.add.reduceat(values, first) if flat.size else values
    nonzero = values != 0
    return SparseCounts(flat[nonzero], values[nonzero], shape)


def _key_at(
    keys: np.ndarray, start: np.ndarray, positive: np.ndarray, zeros: np.ndarray, rank: np.ndarray
) -> np.ndarray:
    """The ``rank``-th largest key of each row (0 = largest), the row's zero residuals included:
    its keys in decreasing order are its positive entries, ``zeros`` zeros, then its negative ones."""
    in_zeros = (rank >= positive) & (rank < positive + zeros)
    at = start + np.where(rank < positive, rank, rank - zeros)
    value = keys[np.clip(at, 0, max(keys.size - 1, 0))] if keys.size else np.zeros(rank.shape)
    return np.where(in_zeros, 0.0, value)


def _entries_to_change(
    residuals: np.ndarray, up: np.ndarray, changes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of the entries each row changes: the ``changes`` largest residuals of a row
    rounding up, the smallest of one rounding down, as ``numpy.argsort(residuals)`` orders them.

    Where the cut falls between distinct values the set does not depend on the sort, and the c-th
    largest key (a sort of values, fast whatever the ties) decides it; only the rows whose cut falls
    among equal residuals are argsorted.
    """
    m, k = residuals.shape
    keys = residuals.copy()
    np.negative(keys, out=keys, where=~up[:, None])
    chosen = np.zeros((m, k), dtype=bool)
    every = changes >= k
    chosen[every] = True
    rows = np.flatnonzero(~every)
    tied = np.zeros(0, dtype=np.int64)
    if rows.size:
        c = changes[rows]
        part = keys[rows]
        ordered = np.sort(part, axis=1)
        at = np.arange(rows.size)
        cut = ordered[at, k - c]
        is_tied = cut == ordered[at, k - c - 1]
        clear = np.flatnonzero(~is_tied)
        chosen[rows[clear]] = part[clear] >= cut[clear, None]
        tied = rows[is_tied]
    r_idx, c_idx = np.nonzero(chosen)
    if tied.size:
        tr, tc = _sorted_choice(
            lambda a, b: residuals[tied[a:b]], up[tied], changes[tied], residuals.shape[1]
        )
        r_idx, c_idx = np.concatenate((r_idx, tied[tr])), np.concatenate((c_idx, tc))
    return r_idx, c_idx


def _sorted_choice(
    residual_rows: Callable[[int, int], np.ndarray],
    up: np.ndarray,
    changes: np.ndarray,
    n_cols: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of the entries cleanlab changes, from ``numpy.argsort`` of every row: the last
    ``changes`` positions of a row rounding up, the first of one rounding down.

    ``residual_rows(a, b)`` gives the residuals of rows ``a:b``; they are made and sorted a block of
    rows at a time (small temporaries that stay in cache), the blocks on several threads when there
    are many rows (numpy sorts without the GIL). Each row's sort is the same either way.
    """
    m, k = up.shape[0], n_cols
    step = max(1, _SORT_BLOCK_ENTRIES // max(k, 1))
    blocks = [(a, min(a + step, m)) for a in range(0, m, step)]
    position = np.arange(k)

    def choose(bounds: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        a, b = bounds
        order = np.argsort(residual_rows(a, b), axis=1)
        c = changes[a:b, None]
        low = np.where(up[a:b, None], k - c, 0)
        high = np.where(up[a:b, None], k, c)
        rr, pp = np.nonzero((position >= low) & (position < high))
        return rr + a, order[rr, pp]

    jobs = min(default_n_jobs(), len(blocks))
    if jobs <= 1 or m * k < _THREADED_SORT_SIZE:
        parts = [choose(block) for block in blocks]
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            parts = list(pool.map(choose, blocks))
    if not parts:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
