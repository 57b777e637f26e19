"""The audit's shared neighbour graph and its exact-duplicate correction."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.audit.neighbours import SharedKNN, correct_exact_duplicates
from goldlabel.exceptions import DataValidationError
from goldlabel.knn import KNNGraph, build_knn_graph


def test_shared_knn_builds_once_then_truncates() -> None:
    x = np.random.default_rng(0).normal(size=(50, 3))
    knn = SharedKNN(x, k=8)
    assert knn(3).k == 3 and knn(8).k == 8 and knn.n_builds == 1
    assert knn(12).k == 12 and knn.n_builds == 2  # asking for more rebuilds once
    np.testing.assert_array_equal(knn(8).indices, build_knn_graph(x, k=8).indices)


def test_shared_knn_needs_something_to_build_from() -> None:
    with pytest.raises(DataValidationError, match=r"needs features or a precomputed graph"):
        SharedKNN()


def test_a_user_graph_holding_everyone_serves_any_k() -> None:
    graph = build_knn_graph(np.arange(4.0)[:, None], k=3)
    assert SharedKNN(graph=graph)(10).k == 3


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_exact_duplicates_come_first_at_distance_zero(metric: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 5))
    x[[3, 17, 29, 35]] = x[3]  # a set of four copies
    x[[8, 9]] = x[8]
    graph = correct_exact_duplicates(build_knn_graph(x, k=5, metric=metric), x)
    for row, mates in [(3, [17, 29, 35]), (17, [3, 29, 35]), (29, [3, 17, 35]), (8, [9])]:
        assert graph.indices[row, : len(mates)].tolist() == mates
        np.testing.assert_array_equal(graph.distances[row, : len(mates)], 0.0)
        assert row not in graph.indices[row]
    assert (np.diff(graph.distances, axis=1) >= 0).all()


def test_duplicate_sets_larger_than_k_list_only_copies() -> None:
    x = np.r_[np.zeros((8, 2)), np.random.default_rng(2).normal(5, 1, (10, 2))]
    graph = correct_exact_duplicates(build_knn_graph(x, k=3), x)
    assert (graph.indices[:8] < 8).all()
    np.testing.assert_array_equal(graph.distances[:8], 0.0)
    assert all(r not in graph.indices[r] for r in range(8))


def test_a_tiny_but_nonzero_distance_is_not_a_duplicate() -> None:
    x = np.array([[0.0, 0.0], [0.0, 1e-12], [3.0, 3.0], [9.0, 1.0]])
    graph = build_knn_graph(x, k=2)
    assert correct_exact_duplicates(graph, x) is graph or np.array_equal(
        correct_exact_duplicates(graph, x).distances, graph.distances
    )


def test_a_graph_without_duplicates_is_returned_unchanged() -> None:
    graph = KNNGraph(np.array([[1], [0]]), np.array([[1.0], [1.0]]), "euclidean")
    assert correct_exact_duplicates(graph, np.array([[0.0], [1.0]])) is graph
