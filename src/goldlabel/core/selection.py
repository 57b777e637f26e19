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
    a key, a row index and a flag (the row's given label is its most likely class): about 13 bytes.
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
            (target.astype(np.int32), key, row.astype(self._row_dtype), flag.astype(bool))
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
