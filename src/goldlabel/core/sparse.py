"""Integer matrices held as their nonzero entries, and the range arithmetic that gathers them.

A calibrated confident joint over many classes is mostly zeros: class ``k`` is confused with a few
others at most. :class:`SparseCounts` keeps such a matrix as its nonzero entries and answers what
pruning asks of it (its transpose, its diagonal, its entries) without a K x K array.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["SparseCounts", "concat_ranges"]


def concat_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + n)`` for every (s, n), vectorised.

    Examples
    --------
    >>> concat_ranges(np.array([5, 0]), np.array([2, 3])).tolist()
    [5, 6, 0, 1, 2]
    """
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.arange(total, dtype=np.int64) + offsets


@dataclass(frozen=True)
class SparseCounts:
    """An int64 matrix of shape ``shape`` whose nonzero entries are ``values`` at the row-major
    positions ``flat`` (increasing); ``numpy.asarray`` gives the dense matrix.

    Examples
    --------
    >>> counts = SparseCounts(np.array([1, 2]), np.array([4, 7]), (2, 2))
    >>> np.asarray(counts).tolist(), counts.T.flat.tolist(), counts.diagonal().tolist()
    ([[0, 4], [7, 0]], [1, 2], [0, 0])
    """

    flat: np.ndarray
    values: np.ndarray
    shape: tuple[int, int]

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.int64)

    @property
    def T(self) -> SparseCounts:
        rows, cols = np.divmod(self.flat, self.shape[1])
        flat = cols * self.shape[0] + rows
        order = np.argsort(flat)
        return SparseCounts(flat[order], self.values[order], (self.shape[1], self.shape[0]))

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row indices, column indices and values of the nonzero entries, in row-major order."""
        rows, cols = np.divmod(self.flat, self.shape[1])
        return rows, cols, self.values

    def diagonal(self) -> np.ndarray:
        """The main diagonal, as ``numpy.diagonal`` of the dense matrix gives it."""
        rows, cols, values = self.entries()
        out = np.zeros(min(self.shape), dtype=np.int64)
        on = rows == cols
        out[rows[on]] = values[on]
        return out

    def to_dense(self) -> np.ndarray:
        """The dense matrix (C order)."""
        dense = np.zeros(self.shape, dtype=np.int64)
        dense.reshape(-1)[self.flat] = self.values
        return dense

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        dense = self.to_dense()
        return dense if dtype is None else dense.astype(dtype)
