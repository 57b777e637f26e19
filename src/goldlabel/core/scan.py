"""One chunked, multi-threaded pass over pred_probs that gathers every per-row statistic confident
learning needs, and checks the values on the way.

The pass reads each chunk of rows once, while it is in cache, and records per row the most likely class,
its probability, the confident guess of the true label and whether the given label is (with its tie
bonus) the most likely one, plus the chunk's smallest value and largest row-sum error (so validation
costs no extra pass over memory). Chunks run on a thread pool (numpy releases the GIL).

Narrow arrays (at most 16 classes) are scanned in small transposed blocks with the bit codes of
:mod:`goldlabel.core.rowcodes`, which avoids numpy's per-row cost on short rows; wider ones row by row
with :func:`numpy.argmax`, touching pred_probs again only for the few rows whose most likely class is
not itself confident.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from goldlabel.core.rowcodes import MAX_CODE_COLUMNS, encode_rows, first_true, only_true
from goldlabel.core.validation import block_value_stats
from goldlabel.exceptions import InvalidOptionError

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
#: Rows per chunk: about 4 MiB of pred_probs. Fewer, larger chunks keep the threads' per-chunk Python
#: work (which holds the GIL) small against the memory-bound numpy work (which does not); with 2 MiB
#: chunks a second thread slowed the scan of 1e5 x 1000 float32 down, with 4 MiB it speeds it up.
_CHUNK_BYTES = 1 << 22
#: Narrow arrays are transposed in blocks of about this many bytes (they stay in the L2 cache).
_NARROW_BLOCK_BYTES = 1 << 19
#: Rows per block when gathering one value per row.
_GATHER_ROWS = 1 << 14
#: Up to this many classes the scan also counts (guess, label) pairs, chunk by chunk on its threads.
_PAIR_COUNT_CLASSES = 128


def default_n_jobs() -> int:
    """Threads to use: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def chunk_bounds(n_rows: int, n_cols: int, itemsize: int) -> list[tuple[int, int]]:
    """Row ranges of about 4 MiB of pred_probs each (at least 128 rows)."""
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

    #: most likely class (first on ties); int8 when K <= 16 (the narrow scan), else int64, so
    #: cast it before arithmetic that can leave int8's range (``top * K`` for instance)
    top: np.ndarray
    top_p: np.ndarray  #: its probability
    given_p: np.ndarray  #: probability of the given label
    #: confident guess of the true label, -1 when no class is confident; the dtype of ``top``
    guess: np.ndarray
    min_value: float  #: smallest entry of pred_probs
    max_row_error: float  #: largest |row sum - 1|
    finite: bool  #: no NaN or infinite entry
    #: ``pair_counts[true * K + given]``: rows whose confident guess is ``true`` and label ``given``
    #: (counted during the scan when K is small, else None)
    pair_counts: np.ndarray | None = None
    #: whether the given label is the most likely class with its tie bonus
    #: (see :func:`given_label_is_top`; computed during the scan of narrow arrays, else None)
    given_is_top: np.ndarray | None = None

    @property
    def slack(self) -> np.ndarray:
        """``max_k p_k - p_s``: an upper bound of every margin ``p_j - p_s`` of the row."""
        return self.top_p - self.given_p


def gather_given(labels: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """``pred_probs[i, labels[i]]`` for every row: one value per row, read in row order.

    Examples
    --------
    >>> gather_given(np.array([1, 0]), np.array([[0.2, 0.8], [0.6, 0.4]])).tolist()
    [0.8, 0.6]
    """
    n, k = pred_probs.shape
    if not pred_probs.flags.c_contiguous:
        return pred_probs[np.arange(n), labels]
    out = np.empty(n, dtype=pred_probs.dtype)
    flat = pred_probs.reshape(-1)
    # Block by block, so the flat indices stay in cache instead of filling N-long temporaries.
    step = max(1, min(_GATHER_ROWS, n))
    base = np.arange(step, dtype=np.int64) * k
    index = np.empty(step, dtype=np.int64)
    for a in range(0, n, step):
        b = min(a + step, n)
        idx = index[: b - a]
        np.add(base[: b - a], labels[a:b], out=idx)
        idx += a * k
        flat.take(idx, out=out[a:b])
    return out


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
        confident = block.take(unsure, axis=0) >= floor
        n_confident = _count_true(confident)
        first = confident.argmax(axis=1)
        guess[unsure] = np.where(
            n_confident > 1, top[unsure], np.where(n_confident == 1, first, -1)
        )
    return guess


def _count_true(mask: np.ndarray) -> np.ndarray:
    """True entries per row of a 2-D boolean array (a byte sum in 16 bits: several times faster
    than ``mask.sum(axis=1)``, which widens every entry to 64 bits)."""
    if mask.shape[1] < 1 << 16:
        return mask.view(np.uint8).sum(axis=1, dtype=np.uint16)
    return np.count_nonzero(mask, axis=1)


def _top_is_given(
    labels: np.ndarray, top: np.ndarray, top_p: np.ndarray, given_p: np.ndarray
) -> np.ndarray:
    """:func:`given_label_is_top` on plain arrays."""
    bumped = given_p + given_p.dtype.type(FLOATING_POINT_COMPARISON)
    # When top == labels, given_p is top_p and bumped >= top_p holds (unless NaN, which validation
    # refuses); a lower top needs bumped > top_p, a higher one bumped >= top_p.
    return (bumped >= top_p) & ((top >= labels) | (bumped > top_p))


class _Outputs:
    """The per-row arrays :func:`scan_rows` fills, and per-chunk partial results."""

    def __init__(self, n: int, k: int, dtype: np.dtype, n_chunks: int, *, narrow: bool) -> None:
        self.k = k
        # Narrow arrays keep class indices in int8: N-long int64 arrays cost their memory traffic
        # and, freshly allocated, their page faults (a third of the time at N=1e6, K=10).
        index_dtype = np.int8 if narrow else np.int64
        self.top = np.empty(n, dtype=index_dtype)
        self.top_p = np.empty(n, dtype=dtype)
        self.guess = np.empty(n, dtype=index_dtype)
        self.given_is_top = np.empty(n if narrow else 0, dtype=bool)
        self.mins = np.zeros(n_chunks)
        self.errors = np.zeros(n_chunks)
        self.pairs = (
            np.zeros((n_chunks, k * k), dtype=np.int64) if k <= _PAIR_COUNT_CLASSES else None
        )

    def count_pairs(self, i: int, guess: np.ndarray, labels: np.ndarray) -> None:
        """Add chunk ``i``'s (guess, label) pairs; rows without a guess go to a spare bin."""
        if self.pairs is None:
            return
        k = self.k
        # Rows without a guess (-1) land in the first k bins, which are dropped.
        code = np.add(guess, 1, dtype=np.int64)
        code *= k
        code += labels
        self.pairs[i] += np.bincount(code, minlength=k * k + k)[k:]


def _scan_wide(
    out: _Outputs,
    i: int,
    block: np.ndarray,
    labels: np.ndarray,
    floor: np.ndarray,
    a: int,
    b: int,
) -> None:
    """Scan rows ``a:b`` row by row (any number of classes)."""
    t = block.argmax(axis=1)
    tp = gather_given(t, block)
    out.top[a:b] = t
    out.top_p[a:b] = tp
    g = _guess_block(block, t, tp, floor)
    out.guess[a:b] = g
    out.mins[i], out.errors[i] = block_value_stats(block)
    out.count_pairs(i, g, labels)


def _scan_narrow(
    out: _Outputs,
    i: int,
    block: np.ndarray,
    labels: np.ndarray,
    given_p: np.ndarray,
    floor: np.ndarray,
    a: int,
) -> None:
    """Scan a chunk of at most 16 columns in transposed blocks (see :mod:`goldlabel.core.rowcodes`)."""
    m_rows, k = block.shape
    step = max(128, _NARROW_BLOCK_BYTES // (k * block.dtype.itemsize))
    buffer = np.empty((k, min(step, m_rows)), dtype=block.dtype)
    floor_t = floor[:, None]
    low, error = np.inf, 0.0
    for s in range(0, m_rows, step):
        e = min(s + step, m_rows)
        rows = slice(a + s, a + e)
        cols = buffer[:, : e - s]
        np.copyto(cols, block[s:e].T)
        top_p = cols.max(axis=0)
        top = first_true(encode_rows(cols == top_p))
        # Exactly one confident class: that one; none: -1; several: the most likely class.
        guess = only_true(encode_rows(cols >= floor_t))
        np.copyto(guess, top, where=guess == MAX_CODE_COLUMNS)
        lab = labels[s:e]
        out.top[rows] = top
        out.top_p[rows] = top_p
        out.guess[rows] = guess
        out.given_is_top[rows] = _top_is_given(lab, top, top_p, given_p[rows])
        out.count_pairs(i, guess, lab)
        sums = cols.sum(axis=0)
        # numpy's minimum and maximum keep a NaN, so the value check sees it.
        low = np.minimum(low, cols.min())
        error = np.maximum(error, np.maximum(sums.max() - 1.0, 1.0 - sums.min()))
    out.mins[i], out.errors[i] = low, error


def scan_rows(
    labels: np.ndarray,
    pred_probs: np.ndarray,
    floor: np.ndarray,
    *,
    given_p: np.ndarray | None = None,
    n_jobs: int = 1,
    narrow: bool | None = None,
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
    narrow : bool, optional
        Scan in transposed blocks with bit codes (at most 16 classes) rather than row by row with
        :func:`numpy.argmax`; the results are the same. Default: whenever K <= 16.

    Examples
    --------
    >>> scan = scan_rows(np.array([0, 1]), np.array([[0.7, 0.3], [0.9, 0.1]]), np.array([0.5, 0.5]))
    >>> scan.top.tolist(), scan.guess.tolist()
    ([0, 0], [0, 0])
    """
    n, k = pred_probs.shape
    if given_p is None:
        given_p = gather_given(labels, pred_probs)
    if narrow is None:
        narrow = k <= MAX_CODE_COLUMNS
    elif narrow and k > MAX_CODE_COLUMNS:
        raise InvalidOptionError(
            f"narrow=True scans at most {MAX_CODE_COLUMNS} classes, but pred_probs has {k} columns. "
            "Leave narrow=None to choose the scan by the number of classes."
        )
    bounds = chunk_bounds(n, k, pred_probs.dtype.itemsize)
    out = _Outputs(n, k, pred_probs.dtype, len(bounds), narrow=narrow)
    index = {a: i for i, (a, _) in enumerate(bounds)}
    floor = np.asarray(floor)

    def work(a: int, b: int) -> None:
        block = pred_probs[a:b]
        if narrow:
            _scan_narrow(out, index[a], block, labels[a:b], given_p, floor, a)
        else:
            _scan_wide(out, index[a], block, labels[a:b], floor, a, b)

    map_chunks(work, bounds, n_jobs)
    pair_counts = None
    if out.pairs is not None:
        pair_counts = out.pairs.sum(axis=0) if len(bounds) else np.zeros(k * k, dtype=np.int64)
    finite = bool(np.isfinite(out.errors).all() and np.isfinite(out.mins).all())
    return RowScan(
        top=out.top,
        top_p=out.top_p,
        given_p=given_p,
        guess=out.guess,
        min_value=float(out.mins.min()) if n else 0.0,
        max_row_error=float(out.errors.max()) if n else 0.0,
        finite=finite,
        pair_counts=pair_counts,
        given_is_top=out.given_is_top if narrow else None,
    )


def given_label_is_top(labels: np.ndarray, scan: RowScan) -> np.ndarray:
    """Whether each row's given label is its argmax once the given label gets a 1e-6 bonus.

    Such rows are never reported as label issues. The bonus is added in pred_probs' dtype, and ties
    go to the lower class index, as :func:`numpy.argmax` breaks them.
    """
    if scan.given_is_top is not None:
        return scan.given_is_top
    return _top_is_given(labels, scan.top, scan.top_p, scan.given_p)


def scan_chunk(
    labels: np.ndarray, pred_probs: np.ndarray, floor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Guess, given-label-is-top flag and slack of one block of rows, for callers that stream
    batches and already know the threshold floor (:func:`threshold_floor`)."""
    scan = scan_rows(labels, pred_probs, floor)
    return scan.guess, given_label_is_top(labels, scan), scan.slack
