"""The data_valuation check: Datalab's kNN-Shapley values, in linear memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from goldlabel.audit import Audit
from goldlabel.audit.checks.data_valuation import (
    compute_knn_shapley_values,
    find_data_valuation_issues,
)
from goldlabel.audit.registry import AuditInputs
from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidOptionError
from goldlabel.knn import build_knn_graph


def _data(n: int, n_classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 2.0, (n_classes, 5))
    y = rng.integers(0, n_classes, n)
    return centers[y] + rng.normal(size=(n, 5)), y.astype(np.int64)


@pytest.mark.parametrize(
    ("n", "n_classes", "k"),
    [(60, 2, 4), (800, 5, 10), (1500, 3, 7)],
    ids=["tiny-k4", "medium-k10", "k7-of-10"],
)
def test_equals_cleanlab_values(n: int, n_classes: int, k: int) -> None:
    from cleanlab.data_valuation import data_shapley_knn

    x, y = _data(n, n_classes, seed=n)
    graph = build_knn_graph(x, k=10)
    expected = data_shapley_knn(y, knn_graph=graph.to_csr(), k=k)
    np.testing.assert_allclose(
        compute_knn_shapley_values(y, graph.indices, k=k), expected, atol=1e-12
    )


def test_audit_runs_it_only_when_asked_and_flags_like_datalab() -> None:
    from cleanlab import Datalab

    x, y = _data(500, 3, seed=1)
    y[:25] = (y[:25] + 1) % 3  # mislabel some rows
    audit = Audit({"y": y}, label_name="y", progress=False).find_issues(features=x)
    assert "data_valuation" not in set(audit.get_issue_summary()["issue_type"])
    audit.find_issues(features=x, issue_types={"data_valuation": {}})
    ours = audit.get_issues("data_valuation")
    lab = Datalab({"y": y}, label_name="y", verbosity=0)
    lab.find_issues(features=x, issue_types={"data_valuation": {}})
    theirs = lab.get_issues("data_valuation")
    a = ours["is_data_valuation_issue"].to_numpy()
    b = theirs["is_data_valuation_issue"].to_numpy()
    assert (a & b).sum() / max(1, (a | b).sum()) >= 0.9
    assert a[:25].mean() > a[25:].mean()


def test_unlabeled_rows_get_nan_and_are_never_flagged() -> None:
    x, y = _data(300, 3, seed=2)
    y[::7] = -1
    graph = build_knn_graph(x, k=10)
    result = find_data_valuation_issues(AuditInputs(n_samples=300, labels=y, knn=graph.truncate))
    assert np.isnan(result.score[::7]).all() and not result.is_issue[::7].any()
    labeled = y >= 0
    assert np.isfinite(result.score[labeled]).all()
    assert result.summary_score == pytest.approx(result.score[labeled].mean())


def test_an_unlabeled_row_is_never_an_anchor() -> None:
    # row 3 is unlabeled: it must contribute no value to its neighbours
    labels = np.array([0, 0, 1, -1])
    neighbors = np.array([[1, 2], [0, 2], [1, 0], [2, 1]])
    with_row = compute_knn_shapley_values(labels, neighbors, k=2)
    without = compute_knn_shapley_values(labels[:3], neighbors[:3], k=2)
    np.testing.assert_allclose(with_row[:3], without)


def test_memory_is_linear_not_n_squared() -> None:
    n, k = 20_000, 10
    rng = np.random.default_rng(0)
    neighbors = rng.integers(0, n, (n, k))
    labels = rng.integers(0, 10, n)
    tracemalloc.start()
    compute_knn_shapley_values(labels, neighbors, k=k)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < n * n * 8 / 100  # cleanlab's dense matrix is 3.2 GB here; we stay under 32 MB


@pytest.mark.parametrize(
    ("labels", "neighbors", "k", "error", "match"),
    [
        (np.array([0.0, 1.0]), np.array([[1], [0]]), 1, InvalidLabelsError, "1-D integer array"),
        (np.array([0, 1, 0]), np.array([[1], [0]]), 1, DataValidationError, r"shape \(3, k\)"),
        (np.array([0, 1]), np.array([[1], [0]]), 2, InvalidOptionError, "between 1 and the 1"),
        (np.array([0, 1]), np.array([[1], [2]]), 1, DataValidationError, r"in \[0, 1\]"),
    ],
    ids=["float-labels", "row-mismatch", "k-too-large", "index-out-of-range"],
)
def test_bad_inputs_are_refused(labels, neighbors, k, error, match) -> None:
    with pytest.raises(error, match=match):
        compute_knn_shapley_values(labels, neighbors, k=k)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"kk": 3}, r"unknown options \['kk'\]"),
        ({"k": -1}, "'k' of check 'data_valuation' must be an integer >= 1"),
        ({"threshold": 1.5}, "'threshold' of check 'data_valuation' must be a number in"),
    ],
    ids=["unknown", "negative-k", "threshold-above-one"],
)
def test_bad_options_are_refused(options: dict, match: str) -> None:
    x, y = _data(40, 2, seed=0)
    graph = build_knn_graph(x, k=5)
    inputs = AuditInputs(n_samples=40, labels=y, knn=graph.truncate, options=options)
    with pytest.raises(InvalidOptionError, match=match):
        find_data_valuation_issues(inputs)


def test_needs_labels_and_a_graph() -> None:
    with pytest.raises(DataValidationError, match="needs labels and a neighbour graph"):
        find_data_valuation_issues(AuditInputs(n_samples=10))
