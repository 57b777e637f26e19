"""build_knn_graph's input validation."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.knn import build_knn_graph

GOOD = np.random.default_rng(0).normal(size=(20, 3))


@pytest.mark.parametrize(
    ("features", "message"),
    [
        (np.zeros(5), r"2-D numeric array .* got shape \(5,\)"),
        (np.zeros((1, 3)), r"at least 2 rows .* got shape \(1, 3\)"),
        (np.zeros((4, 0)), r"got shape \(4, 0\)"),
        (np.array([["a", "b"], ["c", "d"]]), "real numbers; got dtype <U1"),
        (np.ones((3, 2), dtype=bool), "real numbers; got dtype bool"),
        (np.ones((3, 2), dtype=complex), "real numbers; got dtype complex128"),
        (np.array([[0.0, np.nan], [1.0, 2.0], [np.inf, 0.0]]), "NaN or infinite values in 2 rows"),
    ],
    ids=["1d", "one-row", "no-columns", "strings", "bool", "complex", "nan-inf"],
)
def test_bad_features(features: np.ndarray, message: str) -> None:
    with pytest.raises(DataValidationError, match=message):
        build_knn_graph(features)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"k": 0}, "k must be an integer >= 1; got 0"),
        ({"k": 2.5}, "k must be an integer >= 1; got 2.5"),
        ({"k": True}, "k must be an integer >= 1; got True"),
        (
            {"metric": "manhattan"},
            "metric must be 'auto', 'cosine' or 'euclidean'; got 'manhattan'",
        ),
        ({"exact_max_n": -1}, "exact_max_n must be an integer >= 0; got -1"),
        ({"min_recall": 0.0}, r"min_recall must be in \(0, 1\]; got 0.0"),
        ({"min_recall": 1.5}, r"min_recall must be in \(0, 1\]; got 1.5"),
        ({"min_recall": "high"}, "min_recall must be a number"),
        ({"progress": 5}, "progress must be a callable progress.done, total. or None; got int"),
    ],
    ids=[
        "k-zero",
        "k-float",
        "k-bool",
        "metric",
        "exact-max-n",
        "recall-zero",
        "recall-big",
        "recall-str",
        "progress",
    ],
)
def test_bad_options(options: dict, message: str) -> None:
    with pytest.raises(InvalidOptionError, match=message):
        build_knn_graph(GOOD, **options)


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match=r"k must be an integer >= 1; got -3"):
        build_knn_graph(GOOD, k=-3)


def test_lists_are_accepted() -> None:
    graph = build_knn_graph([[0.0], [1.0], [3.0]], k=1)
    assert graph.indices.tolist() == [[1], [0], [1]]
