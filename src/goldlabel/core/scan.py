"""One chunked, multi-threaded pass over pred_probs that computes every per-row statistic
confident learning needs.

For each row ``x`` with given label ``s`` it yields:

- ``guess``: the confident-learning guess of the true label — the only class whose probability reaches its
  confident threshold, or the argmax over all classes when several do — and -1 when none does;
- ``given_is_top``: whether the given label is the argmax once it gets a tie bonus of 1e-6 (such rows are
  never reported as label issues);
- ``slack``: ``max_k p_k - p_s``, an upper bound of every margin ``p_j - p_s``, used to skip rows that
  cannot be among the largest margins.

The pass reads each chunk of rows once while it is in cache, so its cost is about one read of pred_probs;
chunks run on a thread pool (numpy releases the GIL).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "FLOATING_POINT_COMPARISON",
    "RowStats",
    "chunk_bounds",
    "default_n_jobs",
    "scan_chunk",
    "scan_rows",
]

#: The slack in threshold comparisons and the tie bonus of the given label (cleanlab's constant).
FLOATING_POINT_COMPARISON = 1e-6
_CHUNK_BYTES = 1 << 22


def default_n_jobs() -> int:
    """Threads to use: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def chunk_bounds(n_rows: int, n_cols: int, itemsize: int) -> list[tuple[int, int]]:
    """Row ranges of about 4 MiB of pred_probs each."""
    step = max(256, _CHUNK_BYTES // max(1, n_cols * itemsize))
    return [(a, min(a + step, n_rows)) for a in range(0, n_rows, step)]


@dataclass
class RowStats:
    """Per-row results of :func:`scan_rows`; arrays of length N."""

    guess: np.ndarray
    given_is_top: np.ndarray
    slack: np.ndarray


def scan_chunk(
    labels: np.ndarray, pred_probs: np.ndarray, threshold_floor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-row statistics of one block of rows (see the module docstring).

    ``threshold_floor`` is ``thresholds - 1e-6`` in the thresholds' dtype.
    """
    n = labels.shape[0]
    rows = np.arange(n)
    top = pred_probs.argmax(axis=1)
    top_p = pred_probs[rows, top]
    given_p = pred_probs[rows, labels]
    guess = top.astype(np.int64)
    # The argmax is the guess whenever it is itself confident; only the other rows need every class.
    unsure = np.flatnonzero(~(top_p >= threshold_floor[top]))
    if unsure.size:
        confident = pred_probs[unsure] >= threshold_floor
        n_confident = confident.sum(axis=1)
        first = confident.argmax(axis=1)
        guess[unsure] = np.where(n_confident > 1, top[unsure], np.where(n_confident == 1, first, -1))
    bumped = given_p + pred_probs.dtype.type(FLOATING_POINT_COMPARISON)
    given_is_top = (top == labels) | ((top < labels) & (bumped > top_p)) | (
        (top > labels) & (bumped >= top_p)
    )
    return guess, given_is_top, top_p - given_p


def _map_chunks(
    fn: Callable[[int, int], Any], bounds: list[tuple[int, int]], n_jobs: int
) -> Iterator[Any]:
    if n_jobs <= 1 or len(bounds) <= 1:
        return (fn(a, b) for a, b in bounds)
    pool = ThreadPoolExecutor(max_workers=n_jobs)
    try:
        return iter(list(pool.map(lambda ab: fn(*ab), bounds)))
    finally:
        pool.shutdown(wait=True)


def scan_rows(
    labels: np.ndarray,
    pred_probs: np.ndarray,
    thresholds: np.ndarray,
    *,
    n_jobs: int | None = None,
) -> RowStats:
    """Compute :class:`RowStats` for every row, in chunks, on ``n_jobs`` threads.

    Parameters
    ----------
    labels : numpy.ndarray of shape (N,), int
    pred_probs : numpy.ndarray of shape (N, K)
    thresholds : numpy.ndarray of shape (K,)
        Per-class confident thresholds.
    n_jobs : int, optional
        Threads; default: every CPU available.
    """
    n, k = pred_probs.shape
    floor = thresholds - FLOATING_POINT_COMPARISON
    guess = np.empty(n, dtype=np.int64)
    given_is_top = np.empty(n, dtype=bool)
    slack = np.empty(n, dtype=pred_probs.dtype)

    def work(a: int, b: int) -> None:
        g, t, s = scan_chunk(labels[a:b], pred_probs[a:b], floor)
        guess[a:b] = g
        given_is_top[a:b] = t
        slack[a:b] = s

    bounds = chunk_bounds(n, k, pred_probs.dtype.itemsize)
    for _ in _map_chunks(work, bounds, n_jobs or default_n_jobs()):
        pass
    return RowStats(guess=guess, given_is_top=given_is_top, slack=slack)
