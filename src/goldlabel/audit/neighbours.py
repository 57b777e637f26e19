"""The audit's one neighbour graph: built lazily, once, with the largest k any check asks for."""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
from tqdm.auto import tqdm

from goldlabel.exceptions import DataValidationError
from goldlabel.knn import KNNGraph, build_knn_graph

__all__ = ["SharedKNN", "correct_exact_duplicates"]


class SharedKNN:
    """A callable ``knn(k) -> KNNGraph`` that builds the graph on first use and truncates after.

    Parameters
    ----------
    features : ndarray of shape (n_samples, n_features) or None
        What to build the graph from; None when the user gave only a graph.
    graph : KNNGraph or None
        A graph the user gave; used as is (never rebuilt).
    k : int
        Neighbours to build with on first use; a later call asking for more rebuilds once.
    metric : str
        Passed to :func:`goldlabel.knn.build_knn_graph`.
    random_state : int
        Seeds the approximate index (large N), so the graph is the same on every run.
    progress : bool
        Show a progress bar on stderr while the graph is built.

    Examples
    --------
    >>> knn = SharedKNN(np.array([[0.0], [1.0], [3.0], [7.0]]), k=2)
    >>> knn(1).indices.ravel().tolist(), knn.n_builds
    ([1, 0, 1, 2], 1)
    """

    def __init__(
        self,
        features: np.ndarray | None = None,
        *,
        graph: KNNGraph | None = None,
        k: int = 10,
        metric: str = "auto",
        random_state: int = 0,
        progress: bool = False,
    ) -> None:
        if features is None and graph is None:
            raise DataValidationError("a neighbour graph needs features or a precomputed graph.")
        self.features = features
        self.graph = graph
        self.k = int(k)
        self.metric = metric
        self.random_state = random_state
        self.progress = progress
        self.user_graph = graph is not None
        self.n_builds = 0

    def __call__(self, k: int) -> KNNGraph:
        k = int(k)
        if self.graph is not None and (k <= self.graph.k or self._capped(k)):
            return self.graph.truncate(min(k, self.graph.k))
        if self.features is None:
            graph_k = self.graph.k if self.graph is not None else 0
            raise DataValidationError(
                f"a check asks for k={k} neighbours but the knn_graph you passed holds only "
                f"{graph_k} per row; pass a graph with at least {k} neighbours per row, pass "
                f"features instead, or ask for fewer with issue_types={{'<check>': {{'k': {graph_k}}}}}."
            )
        n = len(self.features)
        with tqdm(
            total=n, desc="neighbours", unit="row", disable=not self.progress, file=sys.stderr
        ) as bar:

            def advance(done: int, total: int) -> None:
                bar.update(done - bar.n)

            graph = build_knn_graph(
                self.features,
                k=max(k, self.k),
                metric=self.metric,
                random_state=self.random_state,
                progress=advance,
            )
        self.graph = correct_exact_duplicates(graph, self.features)
        self.n_builds += 1
        return self.graph.truncate(min(k, self.graph.k))

    def _capped(self, k: int) -> bool:
        """True when the graph already holds every other example (k cannot grow)."""
        return self.graph is not None and self.graph.k >= self.graph.n_samples - 1


def correct_exact_duplicates(graph: KNNGraph, features: np.ndarray) -> KNNGraph:
    """Put exact duplicates first, at distance 0, in each other's neighbour lists.

    A search in floating point may place an identical row at a tiny positive distance, or (when
    approximate) miss it. Rows whose nearest distance is tiny are grouped by their exact bytes; every
    member then lists the other members first (lowest index first, at distance 0), followed by its
    remaining neighbours. Vectorised over rows; costs nothing when there are no duplicates.

    Examples
    --------
    >>> x = np.array([[0.0, 1.0], [0.0, 1.0], [5.0, 5.0]])
    >>> g = correct_exact_duplicates(build_knn_graph(x, k=2), x)
    >>> g.indices.tolist(), g.distances[:2, 0].tolist()
    ([[1, 2], [0, 2], [0, 1]], [0.0, 0.0])
    """
    dist, idx = graph.distances, graph.indices
    n, k = idx.shape
    scale = float(np.median(dist[:, 0])) if n else 0.0
    tol = max(1e-4 * scale, 1e-9)
    cand = np.flatnonzero(dist[:, 0] <= tol)
    if cand.size == 0:
        return graph
    rows = np.ascontiguousarray(np.asarray(features)[cand])
    keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, group, counts = np.unique(keys, return_inverse=True, return_counts=True)
    group = group.ravel()
    in_dup = counts[group] > 1
    cand, group = cand[in_dup], group[in_dup]
    if cand.size == 0:
        return graph
    gid = np.full(n, -1, dtype=np.int64)
    gid[cand] = group
    # members of each group in index order, and where each group starts
    order = np.lexsort((cand, group))
    members = cand[order]
    sizes = np.bincount(group, minlength=int(group.max()) + 1)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    g = group
    take = min(k + 1, int(sizes.max()))
    pos = starts[g][:, None] + np.arange(take)[None, :]
    valid = np.arange(take)[None, :] < sizes[g][:, None]
    mates = members[np.minimum(pos, members.size - 1)]
    valid &= mates != cand[:, None]
    # the original neighbours that are not members of the same group keep their order
    orig_idx, orig_dist = idx[cand], dist[cand]
    keep = gid[orig_idx] != g[:, None]
    all_idx = np.concatenate([mates, orig_idx], axis=1)
    all_dist = np.concatenate([np.zeros(mates.shape), orig_dist], axis=1)
    all_ok = np.concatenate([valid, keep], axis=1)
    pick = np.argsort(~all_ok, axis=1, kind="stable")[:, :k]
    new_idx, new_dist = idx.copy(), dist.copy()
    new_idx[cand] = np.take_along_axis(all_idx, pick, 1)
    new_dist[cand] = np.take_along_axis(all_dist, pick, 1)
    short = np.take_along_axis(all_ok, pick, 1)
    if not short.all():
        # fewer than k distinct neighbours left (tiny data): fall back to the original lists
        bad = ~short.all(axis=1)
        new_idx[cand[bad]], new_dist[cand[bad]] = idx[cand[bad]], dist[cand[bad]]
    # keep the graph's measured recall and how it was built
    return dataclasses.replace(graph, indices=new_idx, distances=new_dist)
