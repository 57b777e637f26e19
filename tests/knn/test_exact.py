"""Exact graphs against scikit-learn's brute-force NearestNeighbors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

from goldlabel.knn import build_knn_graph


def _sklearn(x: np.ndarray, k: int, metric: str) -> tuple[np.ndarray, np.ndarray]:
    nn = NearestNeighbors(n_neighbors=k, metric=metric, algorithm="brute").fit(x)
    dist, idx = nn.kneighbors()
    return idx, dist


@pytest.mark.parametrize("metric", ["cosine", "euclidean"], ids=["cosine", "euclidean"])
@pytest.mark.parametrize(
    ("n", "d"), [(300, 5), (1000, 32), (50, 2)], ids=["300x5", "1000x32", "50x2"]
)
def test_exact_matches_sklearn(metric: str, n: int, d: int) -> None:
    x = np.random.default_rng(n + d).normal(size=(n, d))
    graph = build_knn_graph(x, k=7, metric=metric)
    idx, dist = _sklearn(x, 7, metric)
    assert graph.exact and graph.metric == metric and graph.recall == 1.0
    np.testing.assert_array_equal(graph.indices, idx)
    np.testing.assert_allclose(graph.distances, dist, rtol=1e-9, atol=1e-12)
    assert graph.indices.dtype == np.int64 and graph.distances.dtype == np.float64


@pytest.mark.parametrize(
    "dtype", [np.float32, np.float64, np.int64, np.int32], ids=["f32", "f64", "i64", "i32"]
)
def test_exact_accepts_any_real_dtype(dtype: type) -> None:
    base = np.random.default_rng(1).integers(-50, 50, size=(200, 6))
    x = base.astype(dtype)
    graph = build_knn_graph(x, k=5, metric="euclidean")
    _, dist = _sklearn(base.astype(np.float64), 5, "euclidean")
    np.testing.assert_allclose(graph.distances, dist, rtol=1e-12)
    # integer data has tied distances; check every listed neighbour is at its stated distance
    recomputed = np.linalg.norm(base[graph.indices] - base[:, None, :], axis=2)
    np.testing.assert_allclose(graph.distances, recomputed, rtol=1e-12)


def test_auto_metric_follows_dimension() -> None:
    x = np.random.default_rng(2).normal(size=(40, 3))
    assert build_knn_graph(x, k=2).metric == "euclidean"
    assert build_knn_graph(np.hstack([x, x]), k=2).metric == "cosine"


@pytest.mark.parametrize("metric", ["cosine", "euclidean"], ids=["cosine", "euclidean"])
def test_duplicates_are_at_zero_and_never_self(metric: str) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(120, 8))
    x[10:25] = x[10]  # 15 copies: more than k + 1
    x[[40, 77, 90]] = x[40]  # 3 copies
    graph = build_knn_graph(x, k=5, metric=metric)
    assert not np.any(graph.indices == np.arange(120)[:, None])
    group = np.arange(10, 25)
    for i in group:
        # ties go to the lower index
        np.testing.assert_array_equal(graph.indices[i], group[group != i][:5])
        np.testing.assert_array_equal(graph.distances[i], np.zeros(5))
    np.testing.assert_array_equal(graph.indices[40, :2], [77, 90])
    np.testing.assert_array_equal(graph.distances[[40, 77, 90], :2], np.zeros((3, 2)))
    _, dist = _sklearn(x, 5, metric)
    np.testing.assert_allclose(graph.distances, dist, atol=1e-9)


def test_ties_go_to_the_lower_index() -> None:
    graph = build_knn_graph(np.arange(6.0)[:, None], k=2)
    assert graph.indices.tolist() == [[1, 2], [0, 2], [1, 3], [2, 4], [3, 5], [4, 3]]
    assert graph.distances.tolist() == [[1, 2], [1, 1], [1, 1], [1, 1], [1, 1], [1, 2]]


@pytest.mark.parametrize("k", [4, 5, 50], ids=["n-1", "n", "more"])
def test_k_is_capped_at_n_minus_one(k: int) -> None:
    x = np.random.default_rng(4).normal(size=(5, 2))
    graph = build_knn_graph(x, k=k)
    assert graph.k == 4
    for i, row in enumerate(graph.indices):
        assert sorted(row.tolist()) == [j for j in range(5) if j != i]


def test_cosine_zero_vector_is_at_distance_one() -> None:
    x = np.random.default_rng(5).normal(size=(30, 6))
    x[[3, 8]] = 0.0
    graph = build_knn_graph(x, k=29, metric="cosine")
    _, dist = _sklearn(x, 29, "cosine")
    np.testing.assert_allclose(graph.distances, dist, atol=1e-12)
    np.testing.assert_array_equal(graph.distances[3], np.ones(29))


def test_two_rows() -> None:
    graph = build_knn_graph(np.array([[0.0, 1.0], [3.0, 5.0]]), k=3)
    assert graph.indices.tolist() == [[1], [0]]
    assert graph.distances.tolist() == [[5.0], [5.0]]


def test_progress_reports_every_row() -> None:
    calls: list[tuple[int, int]] = []
    x = np.random.default_rng(6).normal(size=(100, 4))
    build_knn_graph(x, k=3, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 100) and calls[-1] == (100, 100)
    assert all(b[0] >= a[0] for a, b in itertools.pairwise(calls))
