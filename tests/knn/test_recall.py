"""measure_recall against known graphs."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.knn import KNNGraph, build_knn_graph, measure_recall
from goldlabel.knn.recall import recall_by_rank


def test_exact_graph_has_full_recall() -> None:
    x = np.random.default_rng(0).normal(size=(400, 6))
    assert measure_recall(x, build_knn_graph(x, k=5)) == 1.0


def test_half_wrong_graph_has_half_recall() -> None:
    x = np.arange(20.0)[:, None] ** 2  # distinct gaps: no ties
    exact = build_knn_graph(x, k=2)
    # keep the nearest neighbour, replace the second by the farthest point
    far = np.where(np.arange(20) < 10, 19, 0)
    wrong = KNNGraph(
        np.column_stack([exact.indices[:, 0], far]), exact.distances, "euclidean", False
    )
    assert measure_recall(x, wrong, sample=20) == 0.5


def test_ties_count_as_found() -> None:
    x = np.array([[0.0], [1.0], [-1.0], [5.0]])
    # 0's neighbours 1 and 2 are tied; listing 2 first is as good as listing 1
    graph = KNNGraph(
        np.array([[2], [0], [0], [1]]), np.array([[1.0], [1.0], [1.0], [4.0]]), "euclidean"
    )
    assert measure_recall(x, graph) == 1.0


def test_recall_by_rank() -> None:
    found = np.array([[1.0, 2.0, 9.0]])
    true = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(recall_by_rank(found, true), [[1.0, 1.0, 2 / 3]])


@pytest.mark.parametrize(
    ("features", "options", "error", "message"),
    [
        (np.zeros((5, 2)), {}, DataValidationError, "with 4 rows; got shape \\(5, 2\\)"),
        (np.zeros(4), {}, DataValidationError, "with 4 rows; got shape \\(4,\\)"),
        (np.zeros((4, 2)), {"sample": 0}, InvalidOptionError, "sample must be a positive integer"),
    ],
    ids=["rows", "1d", "sample"],
)
def test_measure_recall_errors(
    features: np.ndarray, options: dict, error: type, message: str
) -> None:
    graph = build_knn_graph(np.arange(8.0).reshape(4, 2), k=1)
    with pytest.raises(error, match=message):
        measure_recall(features, graph, **options)
