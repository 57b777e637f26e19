"""Selecting, from data streamed in batches, the rows with the largest keys: exactly, ties included.

A :class:`CandidatePool` keeps, for each of several targets, the entries with the ``counts[t]`` largest
keys offered so far plus every entry tied with the ``counts[t]``-th, and raises a per-target *cut* below
which nothing needs to be offered any more. At the end each target's selection is either decided (no tie
straddles the cut: the set is the same whatever the sort's tie order) or reduced to a few tied entries
that the caller settles the way the in-memory code does.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CandidatePool"]

#: Spare room of a pool before it is compacted.
_POOL_SLACK = 1024


class CandidatePool:
    """For each target ``t``: the rows with the ``counts[t]`` largest keys offered so far.

    Rows tied with the ``counts[t]``-th largest key are all kept, so at the end the chosen set is either
    decided (no tie straddles the cut) or its tied part is left for :func:`numpy.argsort` to settle.
    ``cut[t]`` is the current ``counts[t]``-th largest key: -inf until that many were offered, +inf for a
    target with nothing to choose. A key below the cut can never be chosen. Each entry holds a target,
    a key, a row index and a flag carried along for the caller: about 13 bytes. The pool holds at most
    about 1.5 times ``sum(counts)`` entries plus the ties at the cuts.

    Parameters
    ----------
    counts : numpy.ndarray of shape (T,), int
        How many entries to select per target.
    cut : numpy.ndarray of shape (T,), floating
        Storage for the cuts, in the keys' dtype; the pool updates it in place, so the owner can filter
        what it offers against a view shared by several pools.
    n_rows : int
        Upper bound of the row indices (they are stored as int32 below 2**31).

    Examples
    --------
    >>> pool = CandidatePool(np.array([2, 2]), np.empty(2), n_rows=5)
    >>> rows, flags = np.arange(5), np.zeros(5, bool)
    >>> _ = pool.offer(np.zeros(5, int), np.array([0.1, 0.9, 0.5, 0.7, 0.5]), rows, flags)
    >>> _ = pool.offer(np.ones(5, int), np.array([0.5, 0.9, 0.5, 0.2, 0.5]), rows, flags)
    >>> target, row, flag, bounds, decided = pool.finish()
    >>> row[bounds[0] : bounds[1]].tolist(), row[bounds[1] :].tolist(), decided.tolist()
    ([1, 3], [0, 1, 2, 4], [True, False])
    """

    def __init__(self, counts: np.ndarray, cut: np.ndarray, n_rows: int) -> None:
        self.counts = np.asarray(counts, dtype=np.int64)
        self.cut = cut  # a view the owner reads: updated in place
        self.cut[:] = np.where(self.counts > 0, -np.inf, np.inf)
        self._row_dtype = np.dtype(np.int32 if n_rows < 2**31 else np.int64)
        self._parts: list[tuple[np.ndarray, ...]] = []
        self._size = 0
        total = int(self.counts.sum())
        self._limit = total + max(total // 2, _POOL_SLACK)

    def offer(self, target: np.ndarray, key: np.ndarray, row: np.ndarray, flag: np.ndarray) -> bool:
        """Add entries (keys at least their target's cut); return whether the cuts were raised."""
        if target.size == 0:
            return False
        self._parts.append(
            (target.astype(np.int32), key.copy(), row.astype(self._row_dtype), flag.astype(bool))
        )
        self._size += target.size
        if self._size <= self._limit:
            return False
        self._compact()
        self._limit = max(self._limit, self._size + max(self._size // 2, _POOL_SLACK))
        return True

    def _merged(self) -> tuple[np.ndarray, ...]:
        if len(self._parts) > 1:
            self._parts = [tuple(np.concatenate(col) for col in zip(*self._parts, strict=True))]
        if not self._parts:
            return (
                np.zeros(0, dtype=np.int32),
                self.cut[:0],
                np.zeros(0, dtype=self._row_dtype),
                np.zeros(0, dtype=bool),
            )
        return self._parts[0]

    def _compact(self) -> None:
        merged = self._merged()
        target, key = merged[0], merged[1]
        sizes = np.bincount(target, minlength=self.counts.shape[0])
        full = (sizes >= self.counts) & (self.counts > 0)
        if full.any():
            order = np.lexsort((-key, target))
            first = np.cumsum(sizes) - sizes
            self.cut[full] = key[order[first[full] + self.counts[full] - 1]]
            del order
            keep = key >= self.cut[target]
            if not keep.all():
                self._parts = [tuple(col[keep] for col in merged)]
        self._size = int(self._merged()[0].size)

    def finish(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The entries at or above the final cuts, sorted by (target, row).

        Returns ``target``, ``row`` (int64) and ``flag`` per entry, ``bounds`` (target ``t``'s entries are
        ``bounds[t]:bounds[t + 1]``) and ``decided`` per target: False when more entries than
        ``counts[t]`` are left, all of them tied at the cut.
        """
        self._compact()
        target, _, row, flag = self._merged()
        self._parts = []
        order = np.lexsort((row, target))
        target, row, flag = target[order], row[order].astype(np.int64), flag[order]
        bounds = np.searchsorted(target, np.arange(self.counts.shape[0] + 1))
        decided = np.diff(bounds) <= self.counts
        return target, row, flag, bounds, decided
