"""The approximate graph: measured recall, determinism, duplicates, fallback, progress."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from goldlabel.knn import build_knn_graph, measure_recall
from tests.knn.data import make_blobs

N = 6000


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    return make_blobs(N, 16, seed=1)


@pytest.mark.parametrize("metric", ["cosine", "euclidean"], ids=["cosine", "euclidean"])
def test_recall_is_measured_and_high(blobs: np.ndarray, metric: str) -> None:
    graph = build_knn_graph(blobs, k=10, metric=metric, exact_max_n=1000)
    assert not graph.exact and graph.info["method"] == "ivf_flat"
    assert graph.recall >= 0.95 and len(graph.recall_curve) == 10
    # an independent sample agrees with the recorded recall
    independent = measure_recall(blobs, graph, sample=600, random_state=7)
    assert independent >= 0.93
    assert abs(independent - graph.recall) < 0.03
    assert not np.any(graph.indices == np.arange(N)[:, None])
    assert np.all(np.diff(graph.distances, axis=1) >= 0)


def test_listed_distances_are_exact(blobs: np.ndarray) -> None:
    graph = build_knn_graph(blobs, k=5, metric="euclidean", exact_max_n=1000)
    recomputed = np.linalg.norm(blobs[graph.indices] - blobs[:, None, :], axis=2)
    np.testing.assert_allclose(graph.distances, recomputed, rtol=1e-12)


def test_same_seed_same_graph(blobs: np.ndarray) -> None:
    first = build_knn_graph(blobs, k=5, exact_max_n=1000, random_state=3)
    again = build_knn_graph(blobs, k=5, exact_max_n=1000, random_state=3)
    np.testing.assert_array_equal(first.indices, again.indices)
    np.testing.assert_array_equal(first.distances, again.distances)
    assert first.recall_curve == again.recall_curve


def test_higher_target_recall_scans_more(blobs: np.ndarray) -> None:
    low = build_knn_graph(blobs, k=10, exact_max_n=1000, min_recall=0.8)
    high = build_knn_graph(blobs, k=10, exact_max_n=1000, min_recall=0.99)
    assert low.info["n_probe"] < high.info["n_probe"]
    assert low.recall >= 0.8 and high.recall >= 0.99


def test_duplicates_colliding(blobs: np.ndarray) -> None:
    x = blobs.copy()
    x[100:130] = x[100]  # 30 copies, far more than k + 1
    x[[500, 4000]] = x[500]
    graph = build_knn_graph(x, k=5, exact_max_n=1000)
    assert not np.any(graph.indices == np.arange(N)[:, None])
    group = np.arange(100, 130)
    for i in group:
        assert set(graph.indices[i]) <= set(group) - {i}
        np.testing.assert_array_equal(graph.distances[i], np.zeros(5))
    assert graph.indices[500, 0] == 4000 and graph.indices[4000, 0] == 500
    assert graph.distances[500, 0] == 0.0


def test_hard_data_falls_back_to_exact() -> None:
    # isotropic noise in 64 dimensions: no cell structure to exploit
    x = np.random.default_rng(2).normal(size=(3000, 64))
    graph = build_knn_graph(x, k=5, exact_max_n=500)
    assert graph.exact and graph.info["method"] == "exact_fallback" and graph.recall == 1.0
    assert measure_recall(x, graph, sample=200) == 1.0


def test_progress_reaches_the_total(blobs: np.ndarray) -> None:
    calls: list[tuple[int, int]] = []
    build_knn_graph(blobs, k=3, exact_max_n=1000, progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, N) and calls[-1] == (N, N)
    assert all(b[0] >= a[0] for a, b in itertools.pairwise(calls))


@pytest.mark.parametrize("n", [2, 10, 80], ids=["2", "10", "80"])
def test_tiny_inputs_on_the_approximate_path_are_exact(n: int) -> None:
    x = np.random.default_rng(n).normal(size=(n, 5))
    graph = build_knn_graph(x, k=10, exact_max_n=0)
    exact = build_knn_graph(x, k=10)
    np.testing.assert_array_equal(graph.indices, exact.indices)
    np.testing.assert_array_equal(graph.distances, exact.distances)
    assert graph.recall == 1.0
