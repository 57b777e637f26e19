"""Exact k-nearest-neighbour search: blocked float32 BLAS with a heap (faiss), then float64 re-ranking.

faiss's brute-force search (matrix products by BLAS, a bounded heap per query) took 1.9-4.5x less CPU
time than matrix products followed by ``numpy.argpartition`` (this module's earlier version) at
5e3-4e4 rows x 32 dims, measured side by side on 2 cores. A few spare candidates per row absorb float32
rounding, and the float64 re-ranking makes the result exact up to float64 rounding.
"""

from __future__ import annotations

from collections.abc import Callable

import faiss
import numpy as np

from goldlabel.knn.graph import KNNGraph, Metric
from goldlabel.knn.rerank import iter_row_blocks, rerank_candidates

__all__ = ["exact_candidates", "exact_knn", "prepare_float32"]

#: Spare candidates per row, so that float32 rounding cannot push a true neighbour out.
SPARE_CANDIDATES = 8
#: Queries per block of the brute-force search (one progress call per block).
_QUERY_BLOCK = 8192

Progress = Callable[[int, int], None]


def prepare_float32(features: np.ndarray, metric: Metric) -> np.ndarray:
    """``features`` as a C-contiguous float32 array, rows unit-normalised for cosine.

    Examples
    --------
    >>> prepare_float32(np.array([[3, 4], [0, 0]]), "cosine").tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    x = np.array(features, dtype=np.float32, order="C", copy=True)
    if metric == "cosine":
        norms = np.sqrt(np.einsum("ij,ij->i", x, x))
        x /= np.where(norms > 0, norms, 1.0)[:, None]
    return x


def faiss_metric(metric: Metric) -> int:
    """faiss's metric constant for a search on :func:`prepare_float32`'s output."""
    return faiss.METRIC_INNER_PRODUCT if metric == "cosine" else faiss.METRIC_L2


def exact_candidates(
    x32: np.ndarray, queries: np.ndarray, n_candidates: int, metric: Metric
) -> np.ndarray:
    """Indices of the ``n_candidates`` nearest rows of ``x32`` to ``x32[queries]`` (float32 search)."""
    _, idx = faiss.knn(
        np.ascontiguousarray(x32[queries]), x32, int(n_candidates), metric=faiss_metric(metric)
    )
    return idx


def exact_knn(
    features: np.ndarray,
    k: int,
    metric: Metric,
    *,
    progress: Progress | None = None,
    x32: np.ndarray | None = None,
) -> KNNGraph:
    """The exact k nearest other examples of every row of ``features`` (n_samples, n_features).

    ``k`` must be at most ``n_samples - 1``. Ties go to the lower index. ``progress(done, total)`` is
    called after every block of queries; ``x32`` is :func:`prepare_float32`'s output when the caller
    already has it.

    Examples
    --------
    >>> graph = exact_knn(np.array([[0.0], [1.0], [3.0], [7.0]]), 2, "euclidean")
    >>> graph.indices.tolist()
    [[1, 2], [0, 2], [1, 0], [2, 1]]
    """
    if x32 is None:
        x32 = prepare_float32(features, metric)
    n = x32.shape[0]
    n_cand = min(n, k + 1 + SPARE_CANDIDATES)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float64)
    if progress is not None:
        progress(0, n)
    for start, stop in iter_row_blocks(n, _QUERY_BLOCK):
        rows = np.arange(start, stop)
        cand = exact_candidates(x32, rows, n_cand, metric)
        indices[start:stop], distances[start:stop], _ = rerank_candidates(
            features, rows, cand, k, metric
        )
        if progress is not None:
            progress(stop, n)
    return KNNGraph(indices, distances, metric, True)
