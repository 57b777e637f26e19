"""The neighbour graph every audit check shares: who is near whom, and how far.

One :class:`KNNGraph` is built per audit and handed to every check that needs neighbours, so the
expensive search runs once. Rows are examples; each row lists its ``k`` nearest *other* examples
(never itself) sorted by ascending distance, ties broken by the lower index.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from goldlabel.exceptions import DataValidationError, InvalidOptionError

__all__ = ["KNNGraph", "Metric", "resolve_metric"]

Metric = Literal["cosine", "euclidean"]


def resolve_metric(metric: str, n_features: int) -> Metric:
    """Turn ``"auto"`` into a concrete metric the way Datalab does: cosine above 3 dimensions.

    Examples
    --------
    >>> resolve_metric("auto", 32), resolve_metric("auto", 2), resolve_metric("euclidean", 32)
    ('cosine', 'euclidean', 'euclidean')
    """
    if metric == "auto":
        return "cosine" if n_features > 3 else "euclidean"
    if metric in ("cosine", "euclidean"):
        return metric  # type: ignore[return-value]
    raise InvalidOptionError(
        f"metric must be 'auto', 'cosine' or 'euclidean'; got {metric!r}. "
        "Pass one of those three names."
    )


@dataclass(frozen=True)
class KNNGraph:
    """The k nearest neighbours of every example.

    Attributes
    ----------
    indices : ndarray of shape (n_samples, k), int64
        ``indices[i]`` are the neighbours of example ``i``, nearest first; ``i`` itself never appears.
    distances : ndarray of shape (n_samples, k), float64
        The matching distances, ascending along each row. Cosine distance is ``1 - cos``.
    metric : {"cosine", "euclidean"}
    exact : bool
        False when an approximate index produced the graph.
    recall_curve : tuple of float or None
        For an approximate graph, ``recall_curve[j - 1]`` is its recall@j (for j = 1..k) measured
        against exact neighbours on a random sample of examples while the graph was built; None for
        an exact graph or when not measured. See :attr:`recall`.
    info : mapping
        How the graph was built (index type, its parameters, sample size, timings); informative only.
    """

    indices: np.ndarray
    distances: np.ndarray
    metric: Metric
    exact: bool = True
    recall_curve: tuple[float, ...] | None = None
    info: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.indices.shape != self.distances.shape or self.indices.ndim != 2:
            raise DataValidationError(
                "indices and distances must be 2-D arrays of the same shape (n_samples, k); "
                f"got {self.indices.shape} and {self.distances.shape}."
            )
        if self.recall_curve is not None and len(self.recall_curve) != self.indices.shape[1]:
            raise DataValidationError(
                f"recall_curve must hold one recall per neighbour rank (k={self.indices.shape[1]}); "
                f"got {len(self.recall_curve)} values."
            )

    @property
    def recall(self) -> float:
        """Fraction of the true k nearest neighbours the graph lists: 1.0 when exact.

        For an approximate graph this is the recall@k measured on a sample while it was built
        (ties at the k-th distance count as found); NaN when it was not measured, in which case
        :func:`goldlabel.knn.measure_recall` measures it.
        """
        if self.exact:
            return 1.0
        return float(self.recall_curve[-1]) if self.recall_curve else float("nan")

    @property
    def n_samples(self) -> int:
        return int(self.indices.shape[0])

    @property
    def k(self) -> int:
        return int(self.indices.shape[1])

    def truncate(self, k: int) -> KNNGraph:
        """The same graph keeping only each example's ``k`` nearest neighbours."""
        if not 1 <= k <= self.k:
            raise InvalidOptionError(
                f"k must be between 1 and the graph's k={self.k}; got {k}. "
                "Build the graph with a larger k to ask for more neighbours."
            )
        if k == self.k:
            return self
        curve = None if self.recall_curve is None else self.recall_curve[:k]
        return KNNGraph(
            self.indices[:, :k], self.distances[:, :k], self.metric, self.exact, curve, self.info
        )

    def to_csr(self) -> sp.csr_matrix:
        """The graph as cleanlab's ``knn_graph``: a CSR matrix, row i holding its k distances."""
        n, k = self.indices.shape
        indptr = np.arange(0, n * k + 1, k, dtype=np.int64)
        # copies: sorting or editing the matrix must not touch this (frozen) graph
        data, cols = self.distances.ravel().copy(), self.indices.ravel().copy()
        return sp.csr_matrix((data, cols, indptr), shape=(n, n))

    @classmethod
    def from_csr(cls, graph: sp.spmatrix, *, metric: Metric = "euclidean") -> KNNGraph:
        """Read a precomputed graph in cleanlab's format: every row with the same number of entries."""
        csr = sp.csr_matrix(graph, copy=True)
        n = csr.shape[0]
        if csr.shape[0] != csr.shape[1]:
            raise DataValidationError(
                f"knn_graph must be a square (n_samples, n_samples) sparse matrix; got shape {csr.shape}."
            )
        counts = np.diff(csr.indptr)
        if n == 0 or counts.min() != counts.max() or counts[0] == 0:
            raise DataValidationError(
                "every row of knn_graph must hold the same, non-zero number of neighbours; got "
                f"between {counts.min() if n else 0} and {counts.max() if n else 0} per row. "
                "Build it with sklearn's NearestNeighbors.kneighbors_graph(mode='distance')."
            )
        k = int(counts[0])
        idx = csr.indices.reshape(n, k).astype(np.int64)
        dist = np.asarray(csr.data, dtype=np.float64).reshape(n, k)
        if np.any(idx == np.arange(n)[:, None]):
            raise DataValidationError(
                "knn_graph lists an example as its own neighbour; leave the diagonal out."
            )
        order = _row_order(dist, idx)
        return cls(
            np.take_along_axis(idx, order, 1), np.take_along_axis(dist, order, 1), metric, True
        )


def _row_order(dist: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Per-row order by (distance, index)."""
    order = np.argsort(idx, axis=1, kind="stable")
    d = np.take_along_axis(dist, order, 1)
    return np.take_along_axis(order, np.argsort(d, axis=1, kind="stable"), 1)
