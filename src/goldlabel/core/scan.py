"""One chunked, multi-threaded pass over pred_probs that gathers every per-row statistic confident
learning needs, and checks the values on the way.

The pass reads each chunk of rows once, while it is in cache, and records per row the most likely class,
its probability and the probability of the given label, plus the chunk's smallest value and largest
row-sum error (so validation costs no extra pass over memory). Everything else — the confident
thresholds, the confident guess of the true label, the tie-bonus check of the given label — follows from
these O(N) arrays, touching pred_probs again only for the few rows whose most likely class is not itself
confident. Chunks run on a thread pool (numpy releases the GIL).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from goldlabel.core.validation import block_value_stats

__all__ = [
    "FLOATING_POINT_COMPARISON",
    "RowScan",
    "chunk_bounds",
    "default_n_jobs",
    "gather_given",
    "given_label_is_top",
    "map_chunks",
    "scan_chunk",
    "scan_rows",
    "threshold_floor",
]

#: The slack in threshold comparisons and the tie bonus of the given label (cleanlab's constant).
FLOATING_POINT_COMPARISON = 1e-6
_CHUNK_BYTES = 1 << 21
#: Up to this many classes the scan also counts (guess, label) pairs, chunk by chunk on its threads.
_PAIR_COUNT_CLASSES = 128


def default_n_jobs() -> int:
    """Threads to use: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def chunk_bounds(n_rows: int, n_cols: int, itemsize: int) -> list[tuple[int, int]]:
    """Row ranges of about 2 MiB of pred_probs each."""
    step = max(128, _CHUNK_BYTES // max(1, n_cols * itemsize))
    return [(a, min(a + step, n_rows)) for a in range(0, n_rows, step)]


def map_chunks(fn: Callable[[int, int], None], bounds: list[tuple[int, int]], n_jobs: int) -> None:
    """Call ``fn(a, b)`` for every row range, on up to ``n_jobs`` threads."""
    if n_jobs <= 1 or len(bounds) <= 1:
        for a, b in bounds:
            fn(a, b)
        return
    with ThreadPoolExecutor(max_workers=min(n_jobs, len(bounds))) as pool:
        for _ in pool.map(lambda ab: fn(*ab), bounds):
            pass


@dataclass
class RowScan:
    """Per-row results of :func:`scan_rows` (arrays of length N) and value checks."""

    top: np.ndarray  #: most likely class (first on ties), int64
    top_p: np.ndarray  #: its probability
    given_p: np.ndarray  #: probability of the given label
    guess: np.ndarray  #: confident guess of the true label, -1 when no class is confident
    min_value: float  #: smallest entry of pred_probs
    max_row_error: float  #: largest |row sum - 1|
    finite: bool  #: no NaN or infinite entry
    #: ``pair_counts[true * K + given]``: rows whose confident guess is ``true`` and label ``given``
    #: (counted during the scan when K is small, else None)
    pair_counts: np.ndarray | None = None

    @property
    def slack(self) -> np.ndarray:
        """``max_k p_k - p_s``: an upper bound of every margin ``p_j - p_s`` of the row."""
        return self.top_p - self.given_p


def gather_given(labels: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """``pred_probs[i, labels[i]]`` for every row: one value per row, read in row order."""
    n, k = pred_probs.shape
    if pred_probs.flags.c_contiguous:
        return pred_probs.reshape(-1).take(np.arange(n, dtype=np.int64) * k + labels)
    return pred_probs[np.arange(n), labels]


def threshold_floor(thresholds: np.ndarray) -> np.ndarray:
    """``thresholds - 1e-6`` in the thresholds' dtype: a class is confident at or above it."""
    return thresholds - FLOATING_POINT_COMPARISON


def _guess_block(
    block: np.ndarray, top: np.ndarray, top_p: np.ndarray, floor: np.ndarray
) -> np.ndarray:
    """Confident guess for one block of rows (see :class:`RowScan`)."""
    guess = top.copy()
    # The argmax is the guess whenever it is itself confident. Otherwise no class reaches its floor
    # when even the best other class cannot: every other probability is at most the argmax's and at
    # most what the row leaves (rows sum to 1 within validation's tolerance; the bound is generous).
    # Only the remaining rows are compared class by class.
    unsure = ~(top_p >= floor[top])
    room = 1.0 + 2e-4 + 2e-6 * block.shape[1] - top_p
    none = unsure & (np.minimum(top_p, room) < floor.min())
    guess[none] = -1
    unsure = np.flatnonzero(unsure & ~none)
    if unsure.size:
        confident = block[unsure] >= floor
        n_confident = confident.sum(axis=1)
        first = confident.argmax(axis=1)
        guess[unsure] = np.where(
            n_confident > 1, top[unsure], np.where(n_confident == 1, first, -1)
        )
    return guess


def scan_rows(
    labels: np.ndarray,
    pred_probs: np.ndarray,
    floor: np.ndarray,
    *,
    given_p: np.ndarray | None = None,
    n_jobs: int = 1,
) -> RowScan:
    """Read pred_probs once, in chunks on ``n_jobs`` threads, and return a :class:`RowScan`.

    A class is confident for a row when its probability reaches ``floor`` (see :func:`threshold_floor`);
    the guess is the only confident class, or the most likely class when several are confident.

    Parameters
    ----------
    labels : numpy.ndarray of shape (N,), int
    pred_probs : numpy.ndarray of shape (N, K), floating
    floor : numpy.ndarray of shape (K,)
        Per-class threshold floors.
    given_p : numpy.ndarray of shape (N,), optional
        :func:`gather_given`'s result, if already computed.
    n_jobs : int
        Threads.
    """
    n, k = pred_probs.shape
    top = np.empty(n, dtype=np.int64)
    top_p = np.empty(n, dtype=pred_probs.dtype)
    guess = np.empty(n, dtype=np.int64)
    if given_p is None:
        given_p = gather_given(labels, pred_probs)
    bounds = chunk_bounds(n, k, pred_probs.dtype.itemsize)
    mins = np.zeros(len(bounds))
    errors = np.zeros(len(bounds))
    index = {a: i for i, (a, _) in enumerate(bounds)}
    pairs = np.zeros((len(bounds), k * k), dtype=np.int64) if k <= _PAIR_COUNT_CLASSES else None

    def work(a: int, b: int) -> None:
        block = pred_probs[a:b]
        t = block.argmax(axis=1)
        tp = gather_given(t, block)
        top[a:b] = t
        top_p[a:b] = tp
        g = _guess_block(block, t, tp, floor)
        guess[a:b] = g
        i = index[a]
        mins[i], errors[i] = block_value_stats(block)
        if pairs is not None:
            counted = g >= 0
            pairs[i] = np.bincount(g[counted] * k + labels[a:b][counted], minlength=k * k)

    map_chunks(work, bounds, n_jobs)
    pair_counts = None
    if pairs is not None:
        pair_counts = pairs.sum(axis=0) if len(bounds) else np.zeros(k * k, dtype=np.int64)
    finite = bool(np.isfinite(errors).all() and np.isfinite(mins).all())
    return RowScan(
        top=top,
        top_p=top_p,
        given_p=given_p,
        guess=guess,
        min_value=float(mins.min()) if n else 0.0,
        max_row_error=float(errors.max()) if n else 0.0,
        finite=finite,
        pair_counts=pair_counts,
    )


def given_label_is_top(labels: np.ndarray, scan: RowScan) -> np.ndarray:
    """Whether each row's given label is its argmax once the given label gets a 1e-6 bonus.

    Such rows are never reported as label issues. The bonus is added in pred_probs' dtype, and ties
    go to the lower class index, as :func:`numpy.argmax` breaks them.
    """
    bumped = scan.given_p + scan.given_p.dtype.type(FLOATING_POINT_COMPARISON)
    top, top_p = scan.top, scan.top_p
    return (
        (top == labels) | ((top < labels) & (bumped > top_p)) | ((top > labels) & (bumped >= top_p))
    )


def scan_chunk(
    labels: np.ndarray, pred_probs: np.ndarray, floor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Guess, given-label-is-top flag and slack of one block of rows, for callers that stream
    batches and already know the threshold floor (:func:`threshold_floor`)."""
    scan = scan_rows(labels, pred_probs, floor)
    return scan.guess, given_label_is_top(labels, scan), scan.slack
