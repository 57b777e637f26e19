"""Grouping rows by their given label: the order of one stable sort of the labels, and where each
class's run starts. Confident learning needs it for the per-class thresholds and for pruning."""

from __future__ import annotations

import numpy as np

__all__ = ["BLOCK_SORT_CLASSES", "group_by_label"]

#: Up to this many classes, :func:`group_by_label` sorts blocks of rows separately and appends
#: each block's run of every class to that class's run.
BLOCK_SORT_CLASSES = 32
_SORT_BLOCK_ROWS = 1 << 16


def group_by_label(labels: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices sorted by label (stable) and the start of each class's run.

    Returns ``order`` of shape (N,) and ``starts`` of shape (K + 1,): the rows labeled ``k`` are
    ``order[starts[k]:starts[k + 1]]``, in increasing order.

    Examples
    --------
    >>> order, starts = group_by_label(np.array([1, 0, 1, 2, 0]), 3)
    >>> order.tolist(), starts.tolist()
    ([1, 4, 0, 2, 3], [0, 2, 4, 5])
    """
    counts = np.bincount(labels, minlength=n_classes)
    starts = np.zeros(n_classes + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    if n_classes > BLOCK_SORT_CLASSES or labels.shape[0] <= _SORT_BLOCK_ROWS:
        return np.argsort(labels.astype(_sort_key_dtype(n_classes)), kind="stable"), starts
    # Few classes: sort cache-sized blocks of rows and append each block's runs to its classes'
    # runs. The same order as one stable sort, without that sort's N-long scratch array, whose
    # fresh pages cost more than the sort itself.
    order = np.empty(labels.shape[0], dtype=np.intp)
    end = starts[:-1].copy()
    for a in range(0, labels.shape[0], _SORT_BLOCK_ROWS):
        keys = labels[a : a + _SORT_BLOCK_ROWS].astype(np.uint8)
        block = np.argsort(keys, kind="stable")
        block += a
        taken = 0
        for k, count in enumerate(np.bincount(keys, minlength=n_classes).tolist()):
            if count:
                order[end[k] : end[k] + count] = block[taken : taken + count]
                end[k] += count
                taken += count
    return order, starts


def _sort_key_dtype(n_classes: int) -> type[np.integer]:
    """The smallest integer type holding class indices below ``n_classes``: numpy's stable sort of
    it is a radix sort with the fewest passes."""
    if n_classes <= 1 << 8:
        return np.uint8
    return np.int16 if n_classes < 1 << 15 else np.int32
