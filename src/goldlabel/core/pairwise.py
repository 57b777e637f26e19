"""numpy's float summation, reproduced bit for bit on values that arrive in pieces.

:func:`numpy.sum` and :func:`numpy.mean` of a contiguous float array add pairwise: blocks of at most 128
values are summed with an 8-way unrolled loop and the blocks' sums are added in a binary tree that
depends only on the array's length. :class:`PairwiseSum` walks that tree as values arrive, so a mean over
data streamed in batches (the confident thresholds of out-of-core confident learning) equals the
in-memory mean exactly, without keeping the values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["PairwiseSum", "block_sums"]

#: numpy's pairwise summation sums blocks of at most this many values with an 8-way unrolled loop.
_PAIRWISE_BLOCK = 128
_UNROLL = 8
_COMBINE = -1


def block_sums(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """numpy's sum of each block ``values[s:s + n]`` (8 <= n <= 128), vectorised across blocks.

    Within a block numpy keeps 8 running sums over the first ``n - n % 8`` values, adds them as
    ``((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))``, then adds the last ``n % 8`` values in order.
    Blocks shorter than the longest are padded with ``-0.0``, which leaves every sum unchanged.
    """
    pad = values.dtype.type(-0.0)
    whole = lengths - lengths % _UNROLL
    width = int(whole.max())
    offsets = np.arange(width)
    inside = offsets[None, :] < whole[:, None]
    index = np.where(inside, starts[:, None] + offsets[None, :], 0)
    grid = np.where(inside, values[index], pad).reshape(starts.shape[0], width // _UNROLL, _UNROLL)
    acc = grid[:, 0, :].copy()
    for b in range(1, grid.shape[1]):
        acc += grid[:, b, :]
    total = ((acc[:, 0] + acc[:, 1]) + (acc[:, 2] + acc[:, 3])) + (
        (acc[:, 4] + acc[:, 5]) + (acc[:, 6] + acc[:, 7])
    )
    tail = lengths % _UNROLL
    for t in range(int(tail.max())):
        has = t < tail
        total += np.where(has, values[np.where(has, starts + whole + t, 0)], pad)
    return total


class PairwiseSum:
    """Sum (and mean) of ``n`` values fed in pieces, equal bit for bit to numpy's on the whole array.

    numpy sums a contiguous float array pairwise: fewer than 8 values are added in order; up to 128 as
    one unrolled block; more are split at ``n // 2`` rounded down to a multiple of 8 and the halves'
    sums added. Knowing ``n`` up front fixes that tree, so values can arrive in any pieces: only an
    unfinished block (< 128 values) and one partial sum per tree level are held.

    Parameters
    ----------
    n : int
        How many values will be added in total.
    dtype : numpy dtype
        The floating dtype the sum is computed in (that of the values).

    Examples
    --------
    >>> values = np.random.default_rng(0).random(1000, dtype=np.float32)
    >>> acc = PairwiseSum(1000, np.float32)
    >>> for a in range(0, 1000, 37):
    ...     acc.add(values[a:a + 37])
    >>> bool(acc.mean() == np.mean(values))
    True
    """

    def __init__(self, n: int, dtype: Any) -> None:
        if n < 0:
            raise ValueError(f"n must be non-negative, but received {n}.")
        self.n = int(n)
        self.dtype = np.dtype(dtype)
        self._added = 0
        self._todo: list[int] = [self.n] if self.n >= _UNROLL else []
        self._partial: list[Any] = []
        self._pending = np.zeros(0, dtype=self.dtype)
        self._small = self.dtype.type(0)

    @property
    def remaining(self) -> int:
        """How many values are still to come."""
        return self.n - self._added

    def add(self, values: np.ndarray) -> None:
        """Add the next values, in order. Shape (m,); cast to ``dtype`` only if that is exact."""
        values = np.ascontiguousarray(values)
        if values.dtype != self.dtype:
            values = values.astype(self.dtype, casting="safe")
        if values.shape[0] > self.remaining:
            raise ValueError(
                f"PairwiseSum was told to expect {self.n} values but received "
                f"{self._added + values.shape[0]}."
            )
        self._added += values.shape[0]
        if self.n < _UNROLL:
            for v in values:
                self._small = self._small + v
            return
        buf = np.concatenate([self._pending, values]) if self._pending.size else values
        # Walk the summation tree as far as the available values complete its blocks: `plan` lists
        # block indices (>= 0) and additions of two finished subtrees (_COMBINE), in evaluation order.
        plan: list[int] = []
        starts: list[int] = []
        lengths: list[int] = []
        pos = 0
        todo = self._todo
        while todo:
            size = todo[-1]
            if size == _COMBINE:
                todo.pop()
                plan.append(_COMBINE)
            elif size > _PAIRWISE_BLOCK:
                todo.pop()
                half = size // 2
                half -= half % _UNROLL
                todo.extend((_COMBINE, size - half, half))
            elif size <= buf.shape[0] - pos:
                todo.pop()
                plan.append(len(starts))
                starts.append(pos)
                lengths.append(size)
                pos += size
            else:
                break
        if starts:
            sums = block_sums(buf, np.asarray(starts), np.asarray(lengths))
            stack = self._partial
            for step in plan:
                if step == _COMBINE:
                    right = stack.pop()
                    stack.append(stack.pop() + right)
                else:
                    stack.append(sums[step])
        self._pending = buf[pos:].copy()

    def total(self) -> Any:
        """The sum, a numpy scalar of ``dtype``; all ``n`` values must have been added."""
        if self.remaining:
            raise ValueError(
                f"PairwiseSum expected {self.n} values but received only {self._added}."
            )
        if self.n < _UNROLL:
            return self._small
        # numpy's reduction starts from the identity +0.0, which only changes the sign of a zero.
        return self.dtype.type(0) + self._partial[0]

    def mean(self) -> Any:
        """The mean exactly as :func:`numpy.mean` computes it (sum, then division by ``intp(n)``)."""
        if self.n == 0:
            raise ValueError("The mean of zero values is undefined.")
        total = self.total()
        return total.dtype.type(total / np.intp(self.n))
