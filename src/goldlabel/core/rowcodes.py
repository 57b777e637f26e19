"""Per-row statistics of narrow arrays (at most 16 columns) without a per-row loop.

numpy's reductions along a short last axis (``argmax(axis=1)``, ``sum(axis=1)``) pay a fixed cost
per row that dwarfs the work at ten columns. Here a block of rows is transposed once, so every
operation runs down long contiguous columns, and a boolean row mask of up to 16 columns is folded
into one 16-bit *code* (bit ``j`` set when column ``j`` is true). Two lookup tables then give each
row's number of true columns and its first true column, which is exactly what
:func:`numpy.argmax` returns on a boolean row — so the first index of a row's maximum (ties to
the lower index, as :func:`numpy.argmax` breaks them) is the first set bit of the code of
``row == row.max()``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "MAX_CODE_COLUMNS",
    "count_true",
    "encode_rows",
    "first_true",
    "only_true",
]

#: Widest mask a code holds.
MAX_CODE_COLUMNS = 16


def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes = np.arange(1 << MAX_CODE_COLUMNS, dtype=np.int32)
    counts = np.bitwise_count(codes).astype(np.uint8)
    # The lowest set bit of c is c & -c; the bits below it are its number of trailing zeros.
    first = np.bitwise_count((codes & -codes) - 1).astype(np.int8)
    first[0] = 0  # no column is true: numpy.argmax of an all-false row is 0
    only = np.where(counts == 1, first, np.where(counts == 0, -1, MAX_CODE_COLUMNS))
    return counts, first, only.astype(np.int8)


_COUNT, _FIRST, _ONLY = _tables()
_WEIGHTS = (1 << np.arange(MAX_CODE_COLUMNS)).astype(np.uint16)


def encode_rows(mask_t: np.ndarray) -> np.ndarray:
    """Fold a transposed boolean mask of shape (K, M), K <= 16, into M 16-bit codes.

    Examples
    --------
    >>> encode_rows(np.array([[True, False, False], [False, True, False]])).tolist()
    [1, 2, 0]
    """
    k = mask_t.shape[0]
    return np.einsum("j,jm->m", _WEIGHTS[:k], mask_t.view(np.uint8))


def count_true(codes: np.ndarray) -> np.ndarray:
    """Number of true columns of each encoded row (uint8).

    Examples
    --------
    >>> count_true(np.array([0, 1, 6, 7], dtype=np.uint16)).tolist()
    [0, 1, 2, 3]
    """
    return _COUNT.take(codes)


def first_true(codes: np.ndarray) -> np.ndarray:
    """First true column of each encoded row, 0 when none is (int8), as :func:`numpy.argmax`.

    Examples
    --------
    >>> first_true(np.array([0, 1, 6, 8], dtype=np.uint16)).tolist()
    [0, 0, 1, 3]
    """
    return _FIRST.take(codes)


def only_true(codes: np.ndarray) -> np.ndarray:
    """The only true column of each encoded row (int8): -1 when none is, 16 when several are.

    Examples
    --------
    >>> only_true(np.array([0, 1, 4, 6], dtype=np.uint16)).tolist()
    [-1, 0, 2, 16]
    """
    return _ONLY.take(codes)
