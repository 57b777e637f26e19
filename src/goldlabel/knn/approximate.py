"""Approximate k-nearest-neighbour search: k-means cells searched by blocked BLAS, recall measured.

The examples are split into ``nlist`` cells by k-means (faiss). The queries of one cell are searched
together, by one brute-force BLAS search (faiss's, with a bounded heap), against the members of the
``n_probe`` cells whose centroids are nearest to their own cell's centroid. Searching a whole cell at
once keeps the distance computations in large matrix products, several times faster per distance
than scanning cells query by query (faiss's IVF-Flat index) at the same recall (``benchmarks/knn.py``).

``n_probe`` is not guessed. A random sample of examples is searched exactly first; the cell of each of
their true neighbours and its rank among the cells nearest to the example's own cell tell, for every
``n_probe`` at once, which true neighbours a search would find. The smallest ``n_probe`` whose recall
on the sample, less two standard errors, reaches ``min_recall`` is used. After the search the recall is
measured on that sample again, on the graph itself, and recorded; if it falls short, ``n_probe`` grows
and the search is repeated. When the data are so hard that over half of the cells would have to be
scanned, brute force is cheaper and is used instead.

Everything is deterministic given ``random_state``: k-means and the samples are seeded, and each cell's
search does not depend on how faiss threads it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import faiss
import numpy as np

from goldlabel.knn.exact import exact_knn, faiss_metric, prepare_float32
from goldlabel.knn.graph import KNNGraph, Metric
from goldlabel.knn.recall import exact_rows, recall_by_rank
from goldlabel.knn.rerank import iter_row_blocks, rerank_candidates

__all__ = ["approximate_knn", "choose_nlist"]

Progress = Callable[[int, int], None]

#: Cells per square root of the number of examples.
NLIST_PER_SQRT_N = 2.0
#: k-means trains on at most this many examples per cell, for this many iterations.
_TRAIN_PER_CELL = 64
_KMEANS_ITERATIONS = 10
#: Above this share of cells scanned per query, brute force is cheaper.
_MAX_PROBE_SHARE = 0.5
#: Rows per block when assigning examples to cells; progress is reported about this often.
_BLOCK_ROWS = 16384


def choose_nlist(n_samples: int) -> int:
    """Number of k-means cells for ``n_samples`` examples: about 2 sqrt(n), at least 39 examples each.

    Examples
    --------
    >>> choose_nlist(100_000), choose_nlist(1_000_000), choose_nlist(1_000)
    (632, 2000, 25)
    """
    by_sqrt = int(round(NLIST_PER_SQRT_N * math.sqrt(n_samples)))
    return max(1, min(by_sqrt, n_samples // 39))


def _train_centroids(
    x32: np.ndarray, metric: Metric, nlist: int, rng: np.random.Generator
) -> np.ndarray:
    n, d = x32.shape
    n_train = min(n, _TRAIN_PER_CELL * nlist)
    train = np.ascontiguousarray(x32[np.sort(rng.choice(n, size=n_train, replace=False))])
    kmeans = faiss.Kmeans(
        d,
        nlist,
        niter=_KMEANS_ITERATIONS,
        seed=int(rng.integers(2**31 - 1)),
        spherical=metric == "cosine",
        # we subsample ourselves, so faiss neither subsamples nor warns on stderr
        min_points_per_centroid=1,
        max_points_per_centroid=n_train,
    )
    kmeans.train(train)
    return np.ascontiguousarray(kmeans.centroids, dtype=np.float32)


def _assign(x32: np.ndarray, centroids: np.ndarray, metric: Metric) -> np.ndarray:
    """The nearest centroid of every row."""
    cells = np.empty(x32.shape[0], dtype=np.int64)
    for start, stop in iter_row_blocks(x32.shape[0], _BLOCK_ROWS):
        _, nearest = faiss.knn(x32[start:stop], centroids, 1, metric=faiss_metric(metric))
        cells[start:stop] = nearest[:, 0]
    return cells


def _cell_ranks(centroids: np.ndarray, metric: Metric) -> tuple[np.ndarray, np.ndarray]:
    """``near[h]`` lists the cells by distance from centroid ``h``; ``rank[h, c]`` is c's place in it."""
    nlist = centroids.shape[0]
    _, near = faiss.knn(centroids, centroids, nlist, metric=faiss_metric(metric))
    # a centroid is its own nearest; put it first even if rounding says otherwise
    own = near == np.arange(nlist)[:, None]
    near = np.concatenate([np.arange(nlist)[:, None], near[~own].reshape(nlist, nlist - 1)], 1)
    rank = np.empty_like(near)
    np.put_along_axis(rank, near, np.arange(nlist)[None, :].repeat(nlist, 0), 1)
    return near, rank


def _choose_n_probe(
    need: np.ndarray, min_recall: float, limit: int
) -> tuple[int, float]:
    """Smallest ``n_probe <= limit`` whose predicted recall less two standard errors meets the target.

    ``need[q, j]`` is how many cells (nearest first) query ``q`` must scan to find its true neighbour
    ``j``. Returns ``(0, best predicted recall)`` when ``limit`` cells are not enough.
    """
    m, k = need.shape
    counts = np.zeros((m, limit + 2), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(m), k), np.minimum(need.ravel(), limit + 1)), 1)
    recall = np.cumsum(counts, axis=1)[:, 1 : limit + 1] / k  # column p-1: n_probe = p
    mean = recall.mean(axis=0)
    lower = mean - 2.0 * recall.std(axis=0) / math.sqrt(m)
    ok = np.flatnonzero(lower >= min_recall)
    if ok.size == 0:
        return 0, float(mean[-1])
    return int(ok[0]) + 1, float(mean[ok[0]])


def _search_cells(
    features: np.ndarray,
    x32: np.ndarray,
    cells: np.ndarray,
    near: np.ndarray,
    n_probe: int,
    k: int,
    metric: Metric,
    progress: Progress | None,
) -> tuple[np.ndarray, np.ndarray]:
    n = x32.shape[0]
    nlist = near.shape[0]
    order = np.argsort(cells, kind="stable")
    bounds = np.searchsorted(cells[order], np.arange(nlist + 1))
    members = [order[bounds[c] : bounds[c + 1]] for c in range(nlist)]
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float64)
    done = reported = 0
    if progress is not None:
        progress(0, n)
    for home in range(nlist):
        queries = members[home]
        if queries.size == 0:
            continue
        pool = np.concatenate([members[c] for c in near[home, :n_probe]])
        _, local = faiss.knn(
            np.ascontiguousarray(x32[queries]),
            np.ascontiguousarray(x32[pool]),
            min(pool.size, k + 1),
            metric=faiss_metric(metric),
        )
        cand = np.where(local >= 0, pool[np.maximum(local, 0)], -1)
        idx, dist, short = rerank_candidates(features, queries, cand, k, metric)
        if short.any():  # too few examples in the scanned cells
            idx[short], dist[short] = exact_rows(features, x32, queries[short], k, metric)
        indices[queries], distances[queries] = idx, dist
        done += queries.size
        if progress is not None and (done - reported >= _BLOCK_ROWS or done == n):
            progress(done, n)
            reported = done
    return indices, distances


def approximate_knn(
    features: np.ndarray,
    k: int,
    metric: Metric,
    *,
    min_recall: float = 0.95,
    sample: int = 1000,
    random_state: int | None = 0,
    progress: Progress | None = None,
) -> KNNGraph:
    """The k nearest other examples of every row of ``features``, searched cell by cell.

    ``k`` must be at most ``n_samples - 1``. The graph's ``recall_curve`` holds recall@1..k measured
    on ``sample`` random examples; ``info`` says how it was built. ``progress(done, total)`` is called
    after about every 16384 examples searched.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(3000, 8))
    >>> graph = approximate_knn(x, 5, "euclidean", sample=200)
    >>> graph.exact, graph.recall >= 0.95, graph.info["method"]
    (False, True, 'kmeans_cells')
    """
    started = time.perf_counter()
    rng = np.random.default_rng(random_state)
    x32 = prepare_float32(features, metric)
    n = x32.shape[0]
    nlist = choose_nlist(n)
    centroids = _train_centroids(x32, metric, nlist, rng)
    cells = _assign(x32, centroids, metric)
    near, rank = _cell_ranks(centroids, metric)
    rows = np.sort(rng.choice(n, size=min(sample, n), replace=False))
    true_idx, true_dist = exact_rows(features, x32, rows, k, metric)
    need = rank[cells[rows][:, None], cells[true_idx]] + 1
    limit = max(1, int(_MAX_PROBE_SHARE * nlist))
    n_probe, predicted = _choose_n_probe(need, min_recall, limit)
    info: dict[str, Any] = {
        "method": "kmeans_cells",
        "nlist": nlist,
        "n_probe": n_probe,
        "predicted_recall": predicted,
        "min_recall": min_recall,
        "recall_sample": int(rows.size),
        "index_seconds": time.perf_counter() - started,
    }
    searched = time.perf_counter()
    while n_probe:
        indices, distances = _search_cells(
            features, x32, cells, near, n_probe, k, metric, progress
        )
        recall = recall_by_rank(distances[rows], true_dist)
        at_k = recall[:, -1]
        if at_k.mean() - 2.0 * at_k.std() / math.sqrt(at_k.size) >= min_recall:
            info.update(n_probe=n_probe, search_seconds=time.perf_counter() - searched)
            curve = tuple(float(r) for r in recall.mean(axis=0))
            return KNNGraph(indices, distances, metric, False, curve, info)
        n_probe = 0 if n_probe >= limit else min(limit, math.ceil(1.5 * n_probe))
    # the cells would not pay off: brute force
    graph = exact_knn(features, k, metric, progress=progress, x32=x32)
    info.update(method="exact_fallback", n_probe=None, search_seconds=time.perf_counter() - searched)
    return KNNGraph(graph.indices, graph.distances, metric, True, None, info)
