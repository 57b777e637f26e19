"""The KNNGraph container: CSR round trips, truncation, validation."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.neighbors import NearestNeighbors

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.knn import KNNGraph, build_knn_graph, resolve_metric


def _graph(n: int = 50, k: int = 4) -> KNNGraph:
    return build_knn_graph(np.random.default_rng(0).normal(size=(n, 3)), k=k)


def test_csr_round_trip() -> None:
    graph = _graph()
    csr = graph.to_csr()
    assert csr.shape == (50, 50) and csr.nnz == 200
    back = KNNGraph.from_csr(csr, metric=graph.metric)
    np.testing.assert_array_equal(back.indices, graph.indices)
    np.testing.assert_array_equal(back.distances, graph.distances)


def test_from_sklearn_kneighbors_graph() -> None:
    x = np.random.default_rng(1).normal(size=(80, 5))
    csr = NearestNeighbors(n_neighbors=6).fit(x).kneighbors_graph(mode="distance")
    graph = KNNGraph.from_csr(csr)
    ours = build_knn_graph(x, k=6, metric="euclidean")
    np.testing.assert_array_equal(graph.indices, ours.indices)
    np.testing.assert_allclose(graph.distances, ours.distances, rtol=1e-9)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (sp.csr_matrix(np.ones((3, 4))), "square"),
        (sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 1, 0]])), "same, non-zero number"),
        (sp.csr_matrix(np.array([[1, 1], [1, 1]])), "its own neighbour"),
    ],
    ids=["not-square", "uneven-rows", "self"],
)
def test_from_csr_rejects_bad_graphs(matrix: sp.csr_matrix, message: str) -> None:
    with pytest.raises(DataValidationError, match=message):
        KNNGraph.from_csr(matrix)


def test_truncate_keeps_the_nearest_and_the_recall_curve() -> None:
    graph = KNNGraph(
        np.array([[1, 2, 3], [0, 2, 3], [3, 1, 0], [2, 1, 0]]),
        np.array([[1.0, 2.0, 3.0]] * 4),
        "euclidean",
        False,
        (0.9, 0.95, 0.97),
    )
    small = graph.truncate(2)
    assert small.k == 2 and small.indices.tolist()[0] == [1, 2]
    assert small.recall_curve == (0.9, 0.95) and small.recall == 0.95
    assert graph.truncate(3) is graph
    with pytest.raises(InvalidOptionError, match="between 1 and the graph's k=3; got 4"):
        graph.truncate(4)


def test_recall_of_unmeasured_approximate_graph_is_nan() -> None:
    graph = KNNGraph(np.array([[1], [0]]), np.array([[1.0], [1.0]]), "euclidean", False)
    assert np.isnan(graph.recall)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"indices": np.zeros((3, 2), int), "distances": np.zeros((3, 3))}, "same shape"),
        (
            {
                "indices": np.zeros((3, 2), int),
                "distances": np.zeros((3, 2)),
                "recall_curve": (1.0,),
            },
            "one recall per neighbour rank",
        ),
    ],
    ids=["shape-mismatch", "curve-length"],
)
def test_graph_validates_its_fields(kwargs: dict, message: str) -> None:
    with pytest.raises(DataValidationError, match=message):
        KNNGraph(metric="euclidean", **kwargs)


def test_resolve_metric_rejects_unknown_names() -> None:
    with pytest.raises(InvalidOptionError, match="got 'manhattan'"):
        resolve_metric("manhattan", 4)
