"""Approximate k-nearest-neighbour search with a faiss inverted-file index whose recall is measured.

The examples are split into ``nlist`` cells by k-means (faiss); every example is then searched
against the members of the ``n_probe`` cells whose centroids are nearest to it (faiss's IVF-Flat).

``n_probe`` is not guessed. A random sample of examples is searched exactly first; the cell of each of
their true neighbours and that cell's rank among the cells nearest to the example tell, for every
``n_probe`` at once, which true neighbours the search would find. The smallest ``n_probe`` whose recall
on the sample, less two standard errors, reaches ``min_recall`` is used. After the search the recall is
measured again on that sample, on the graph itself, and recorded; if it falls short, ``n_probe`` grows
and the search is repeated. When the data are so hard that the search would have to scan a large share
of the cells, brute force is cheaper and is used instead.

A variant that searched whole cells at once with blocked BLAS (against the cells nearest to the cell's
centroid) was measured slower: at 1e5 x 32 blobs it needed more cells for the same recall and took
19.2 s against 12.0 s for IVF-Flat (``benchmarks/knn.py``, same run).

Everything is deterministic given ``random_state``: k-means and the samples are seeded, and faiss
answers each query independently of how the queries are batched or threaded.
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
#: Above this share of cells scanned per query, brute force is cheaper (scanning cells costs about
#: 1.5x more per distance than brute force's matrix products).
_MAX_PROBE_SHARE = 0.4
#: Queries per block of the search; progress is reported after every block.
_BLOCK_ROWS = 16384


def choose_nlist(n_samples: int) -> int:
    """Number of k-means cells for ``n_samples`` examples: about 2 sqrt(n), at least 39 examples each.

    Examples
    --------
    >>> choose_nlist(100_000), choose_nlist(1_000_000), choose_nlist(1_000)
    (632, 2000, 25)
    """
    by_sqrt = round(NLIST_PER_SQRT_N * math.sqrt(n_samples))
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


def _nearest_cells(
    x32: np.ndarray, centroids: np.ndarray, n_cells: int, metric: Metric
) -> np.ndarray:
    """The ``n_cells`` nearest centroids of every row, nearest first."""
    _, cells = faiss.knn(x32, centroids, n_cells, metric=faiss_metric(metric))
    return cells


def _build_index(x32: np.ndarray, centroids: np.ndarray, metric: Metric) -> faiss.IndexIVFFlat:
    d = x32.shape[1]
    quantizer = faiss.IndexFlatIP(d) if metric == "cosine" else faiss.IndexFlatL2(d)
    quantizer.add(centroids)
    index = faiss.IndexIVFFlat(quantizer, d, centroids.shape[0], faiss_metric(metric))
    index.is_trained = True  # the quantizer holds our centroids (faiss keeps a reference to it)
    index.add(x32)
    return index


def _choose_n_probe(need: np.ndarray, min_recall: float, limit: int) -> tuple[int, float]:
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


def _search(
    features: np.ndarray,
    x32: np.ndarray,
    index: faiss.IndexIVFFlat,
    k: int,
    metric: Metric,
    progress: Progress | None,
) -> tuple[np.ndarray, np.ndarray]:
    n = x32.shape[0]
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float64)
    if progress is not None:
        progress(0, n)
    # Queries that share a home cell scan nearly the same cells: searched together, those cells stay
    # in cache (1.7x less CPU at 2e5 x 32 than in row order). The answers do not depend on the order.
    _, home = index.quantizer.search(x32, 1)
    by_cell = np.argsort(home[:, 0], kind="stable")
    for start, stop in iter_row_blocks(n, _BLOCK_ROWS):
        rows = by_cell[start:stop]
        _, cand = index.search(x32[rows], min(n, k + 1))
        idx, dist, short = rerank_candidates(features, rows, cand, k, metric)
        if short.any():  # too few examples in the scanned cells
            idx[short], dist[short] = exact_rows(features, x32, rows[short], k, metric)
        indices[rows], distances[rows] = idx, dist
        if progress is not None:
            progress(stop, n)
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
    """The k nearest other examples of every row of ``features``, found by a faiss IVF-Flat index.

    ``k`` must be at most ``n_samples - 1``. The graph's ``recall_curve`` holds recall@1..k measured
    on ``sample`` random examples; ``info`` says how it was built. ``progress(done, total)`` is called
    after every block of 16384 examples searched.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(3000, 8))
    >>> graph = approximate_knn(x, 5, "euclidean", sample=200)
    >>> graph.exact, graph.recall >= 0.95, graph.info["method"]
    (False, True, 'ivf_flat')
    """
    started = time.perf_counter()
    rng = np.random.default_rng(random_state)
    x32 = prepare_float32(features, metric)
    n = x32.shape[0]
    nlist = choose_nlist(n)
    centroids = _train_centroids(x32, metric, nlist, rng)
    rows = np.sort(rng.choice(n, size=min(sample, n), replace=False))
    true_idx, true_dist = exact_rows(features, x32, rows, k, metric)
    # need[q, j]: how many cells, nearest first, row q must scan to meet its true neighbour j
    order = _nearest_cells(x32[rows], centroids, nlist, metric)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(nlist)[None, :].repeat(rows.size, 0), 1)
    home = _nearest_cells(x32[true_idx.ravel()], centroids, 1, metric).reshape(true_idx.shape)
    need = np.take_along_axis(rank, home, 1) + 1
    limit = max(1, int(_MAX_PROBE_SHARE * nlist))
    n_probe, predicted = _choose_n_probe(need, min_recall, limit)
    info: dict[str, Any] = {
        "method": "ivf_flat",
        "nlist": nlist,
        "n_probe": n_probe,
        "predicted_recall": predicted,
        "min_recall": min_recall,
        "recall_sample": int(rows.size),
    }
    index = _build_index(x32, centroids, metric) if n_probe else None
    info["index_seconds"] = time.perf_counter() - started
    searched = time.perf_counter()
    while index is not None and n_probe:
        index.nprobe = n_probe
        indices, distances = _search(features, x32, index, k, metric, progress)
        recall = recall_by_rank(distances[rows], true_dist)
        at_k = recall[:, -1]
        if at_k.mean() - 2.0 * at_k.std() / math.sqrt(at_k.size) >= min_recall:
            info.update(n_probe=n_probe, search_seconds=time.perf_counter() - searched)
            curve = tuple(float(r) for r in recall.mean(axis=0))
            return KNNGraph(indices, distances, metric, False, curve, info)
        n_probe = 0 if n_probe >= limit else min(limit, math.ceil(1.5 * n_probe))
    # the cells would not pay off: brute force
    del index
    graph = exact_knn(features, k, metric, progress=progress, x32=x32)
    info.update(
        method="exact_fallback", n_probe=None, search_seconds=time.perf_counter() - searched
    )
    return KNNGraph(graph.indices, graph.distances, metric, True, None, info)
