"""How many of the true nearest neighbours an (approximate) graph lists: recall against exact search.

Recall@j of one example is the share of its j listed neighbours that lie within its true j-th nearest
distance; a tie at that distance counts as found, so a graph that lists another of several exact
duplicates is not penalised. It equals the usual set overlap when there are no ties.
"""

from __future__ import annotations

import numpy as np

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.knn.exact import SPARE_CANDIDATES, exact_candidates, prepare_float32
from goldlabel.knn.graph import KNNGraph, Metric
from goldlabel.knn.rerank import rerank_candidates

__all__ = ["exact_rows", "measure_recall", "recall_by_rank"]

#: Relative slack when comparing float64 distances computed for the same pair in different blocks.
_REL_TOL = 1e-9


def exact_rows(
    features: np.ndarray, x32: np.ndarray, rows: np.ndarray, k: int, metric: Metric
) -> tuple[np.ndarray, np.ndarray]:
    """Exact neighbours (indices, float64 distances), each (len(rows), k), of the examples ``rows``."""
    n_cand = min(x32.shape[0], k + 1 + SPARE_CANDIDATES)
    cand = exact_candidates(x32, rows, n_cand, metric)
    idx, dist, _ = rerank_candidates(features, rows, cand, k, metric)
    return idx, dist


def recall_by_rank(found: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Per-example recall@j, shape (n_rows, k), from listed and true distances (both (n_rows, k)).

    Examples
    --------
    >>> recall_by_rank(np.array([[1.0, 3.0]]), np.array([[1.0, 2.0]])).tolist()
    [[1.0, 0.5]]
    """
    found = np.asarray(found, dtype=np.float64)
    true = np.asarray(true, dtype=np.float64)
    k = true.shape[1]
    limit = true * (1.0 + _REL_TOL) + _REL_TOL
    out = np.empty(true.shape, dtype=np.float64)
    for j in range(1, k + 1):
        out[:, j - 1] = np.count_nonzero(found[:, :j] <= limit[:, j - 1 : j], axis=1) / j
    return out


def measure_recall(
    features: np.ndarray,
    graph: KNNGraph,
    *,
    sample: int = 1000,
    random_state: int | None = 0,
) -> float:
    """Recall@k of ``graph`` against exact neighbours, on a random sample of its examples.

    Parameters
    ----------
    features : array-like of shape (n_samples, n_features)
        The features the graph was built from.
    graph : KNNGraph
    sample : int, default 1000
        Examples to check (all of them when there are fewer). The cost is one exact search of
        ``sample`` queries against every example.
    random_state : int or None, default 0
        Seed of the sample.

    Returns
    -------
    float
        Mean over the sampled examples of the share of their true k nearest neighbours the graph
        lists (a tie at the k-th distance counts as found); 1.0 for an exact graph.

    Examples
    --------
    >>> import numpy as np
    >>> from goldlabel.knn import build_knn_graph, measure_recall
    >>> x = np.random.default_rng(0).normal(size=(300, 8))
    >>> measure_recall(x, build_knn_graph(x, k=5))
    1.0
    """
    x = np.asarray(features)
    if x.ndim != 2 or x.shape[0] != graph.n_samples:
        raise DataValidationError(
            f"features must be the (n_samples, n_features) array the graph was built from, with "
            f"{graph.n_samples} rows; got shape {x.shape}."
        )
    if not isinstance(sample, (int, np.integer)) or sample < 1:
        raise InvalidOptionError(f"sample must be a positive integer; got {sample!r}.")
    rng = np.random.default_rng(random_state)
    n = graph.n_samples
    rows = np.sort(rng.choice(n, size=min(int(sample), n), replace=False))
    x32 = prepare_float32(x, graph.metric)
    _, true = exact_rows(x, x32, rows, graph.k, graph.metric)
    # the listed neighbours' distances, recomputed the same way as the true ones
    _, found, _ = rerank_candidates(x, rows, graph.indices[rows], graph.k, graph.metric)
    return float(recall_by_rank(found, true)[:, -1].mean())
