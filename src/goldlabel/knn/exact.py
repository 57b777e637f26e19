"""Exact k-nearest-neighbour search by blocked matrix products (BLAS) and partial selection."""

from __future__ import annotations

import numpy as np

from goldlabel.knn.graph import KNNGraph, Metric

__all__ = ["exact_knn"]

_BLOCK_BYTES = 64 * 2**20  # size of one block of the distance matrix


def _prepare(features: np.ndarray, metric: Metric) -> np.ndarray:
    x = np.asarray(features, dtype=np.float32)
    if metric == "cosine":
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        x = x / np.where(norms > 0, norms, 1.0)
    return np.ascontiguousarray(x)


def exact_knn(features: np.ndarray, k: int, metric: Metric) -> KNNGraph:
    """The exact k nearest other examples of every row of ``features`` (n_samples, n_features).

    Distances are computed in float32 blocks and the k chosen neighbours' distances are then
    recomputed in float64, so the result is exact up to float64 rounding; ties go to the lower index.
    """
    x = _prepare(features, metric)
    n = x.shape[0]
    sq = np.einsum("ij,ij->i", x, x)
    rows = max(1, min(n, _BLOCK_BYTES // max(1, 4 * n)))
    # a few spare candidates so float32 rounding cannot push a true neighbour out
    kc = min(n - 1, k + 8)
    cand = np.empty((n, kc), dtype=np.int64)
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        block = x[start:stop] @ x.T
        block *= -2.0
        block += sq[start:stop, None]
        block += sq[None, :]
        block[np.arange(stop - start), np.arange(start, stop)] = np.inf
        part = np.argpartition(block, kc - 1, axis=1)[:, :kc] if kc < n else np.argsort(block, 1)
        cand[start:stop] = part[:, :kc]
    xd = np.asarray(features, dtype=np.float64)
    if metric == "cosine":
        norms = np.linalg.norm(xd, axis=1, keepdims=True)
        xd = xd / np.where(norms > 0, norms, 1.0)
        dist = 1.0 - np.einsum("ij,ikj->ik", xd, xd[cand])
    else:
        diff = xd[cand] - xd[:, None, :]
        dist = np.sqrt(np.einsum("ikj,ikj->ik", diff, diff))
    np.maximum(dist, 0.0, out=dist)
    order = np.lexsort((cand, dist), axis=1)[:, :k]
    return KNNGraph(
        np.take_along_axis(cand, order, 1), np.take_along_axis(dist, order, 1), metric, True
    )
