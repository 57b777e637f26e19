"""Exact float64 distances for candidate neighbours, and the final per-row order.

Both searches (exact and approximate) find *candidates* in float32; this module recomputes the
candidates' distances in float64 from the caller's own features, drops the example itself and any
padding, and keeps the ``k`` nearest, ties going to the lower index. Cosine distance is computed as
``0.5 * |a/|a| - b/|b||^2`` (equal to ``1 - cos``), so exact duplicates get a distance of exactly 0; a
zero vector is at distance 1 from everything, as in scikit-learn.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from goldlabel.knn.graph import Metric

__all__ = ["iter_row_blocks", "rerank_candidates"]

#: Bytes of float64 temporaries one re-ranking block may hold.
_RERANK_BYTES = 32 * 2**20


def iter_row_blocks(n_rows: int, block_rows: int) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of consecutive blocks of at most ``block_rows`` rows covering ``n_rows``.

    Examples
    --------
    >>> list(iter_row_blocks(5, 2))
    [(0, 2), (2, 4), (4, 5)]
    """
    step = max(1, int(block_rows))
    for start in range(0, n_rows, step):
        yield start, min(n_rows, start + step)


def _float64_rows(features: np.ndarray, index: np.ndarray, metric: Metric) -> np.ndarray:
    """Rows ``index`` (any shape) of ``features`` in float64, unit-normalised for cosine."""
    rows = np.asarray(features[index], dtype=np.float64)
    if metric == "cosine":
        norms = np.sqrt(np.einsum("...j,...j->...", rows, rows))[..., None]
        rows /= np.where(norms > 0, norms, 1.0)
    return rows


def _pair_distances(queries: np.ndarray, candidates: np.ndarray, metric: Metric) -> np.ndarray:
    """Distances between ``queries`` (b, d) and their ``candidates`` (b, c, d), float64."""
    diff = candidates - queries[:, None, :]
    sq = np.einsum("ikj,ikj->ik", diff, diff)
    if metric == "euclidean":
        return np.sqrt(sq)
    dist = 0.5 * sq
    zero_q = ~np.any(queries, axis=1)
    zero_c = ~np.any(candidates, axis=2)
    dist[zero_q[:, None] | zero_c] = 1.0  # cosine similarity with a zero vector is 0
    return np.minimum(dist, 2.0, out=dist)


def rerank_candidates(
    features: np.ndarray,
    rows: np.ndarray,
    candidates: np.ndarray,
    k: int,
    metric: Metric,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``k`` nearest of each row's candidates, by float64 distance then lower index.

    Parameters
    ----------
    features : ndarray of shape (n_samples, n_features)
        The caller's features (any real dtype).
    rows : ndarray of shape (n_rows,), int
        The examples whose candidates these are.
    candidates : ndarray of shape (n_rows, n_candidates), int
        Candidate neighbours; the row itself, repeats and ``-1`` padding are ignored.
    k : int
        Neighbours to keep per row.
    metric : {"cosine", "euclidean"}

    Returns
    -------
    indices : ndarray of shape (n_rows, k), int64
    distances : ndarray of shape (n_rows, k), float64
        ``inf`` (with index -1) where a row had fewer than ``k`` valid candidates.
    short : ndarray of shape (n_rows,), bool
        Rows that had fewer than ``k`` valid candidates.

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [3.0]])
    >>> idx, dist, short = rerank_candidates(
    ...     x, np.array([0, 2]), np.array([[0, 2, 1], [1, -1, 2]]), 1, "euclidean"
    ... )
    >>> idx.tolist(), dist.tolist(), short.tolist()
    ([[1], [1]], [[1.0], [2.0]], [False, False])
    """
    rows = np.asarray(rows, dtype=np.int64)
    cand = np.array(candidates, dtype=np.int64)
    n_rows, n_cand = cand.shape
    out_idx = np.full((n_rows, k), -1, dtype=np.int64)
    out_dist = np.full((n_rows, k), np.inf, dtype=np.float64)
    if n_rows == 0:
        return out_idx, out_dist, np.zeros(0, dtype=bool)
    # repeats count once: sort each row's candidates and blank the later copies
    cand.sort(axis=1)
    invalid = (cand < 0) | (cand == rows[:, None])
    invalid[:, 1:] |= cand[:, 1:] == cand[:, :-1]
    d = features.shape[1]
    block = max(1, _RERANK_BYTES // (8 * d * (2 * n_cand + 1)))
    for start, stop in iter_row_blocks(n_rows, block):
        c = np.where(invalid[start:stop], 0, cand[start:stop])
        dist = _pair_distances(
            _float64_rows(features, rows[start:stop], metric),
            _float64_rows(features, c, metric),
            metric,
        )
        dist[invalid[start:stop]] = np.inf
        keep = min(k, n_cand)
        # cand is sorted, so a stable sort by distance breaks ties by the lower index
        order = np.argsort(dist, axis=1, kind="stable")[:, :keep]
        out_idx[start:stop, :keep] = np.take_along_axis(c, order, 1)
        out_dist[start:stop, :keep] = np.take_along_axis(dist, order, 1)
    short = ~np.isfinite(out_dist[:, -1])
    out_idx[~np.isfinite(out_dist)] = -1
    return out_idx, out_dist, short
