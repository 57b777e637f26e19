"""The underperforming_group check: DBSCAN on the kNN graph, cluster confidence ratios."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.cluster import DBSCAN

from goldlabel.audit import Audit
from goldlabel.audit.checks import underperforming_group as module
from goldlabel.audit.checks.underperforming_group import (
    cluster_knn_graph,
    find_underperforming_group_issues,
    score_clusters,
)
from goldlabel.audit.registry import AuditInputs
from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.knn import build_knn_graph


def _sklearn_dbscan(graph, eps: float, min_samples: int) -> np.ndarray:
    csr = graph.to_csr()
    csr.sort_indices()
    return DBSCAN(eps=eps, min_samples=min_samples, metric="precomputed").fit_predict(csr)


def _blobs(seed: int, *, bad_class: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Six well separated blobs; the model fails on ``bad_class`` (if any)."""
    rng = np.random.default_rng(seed)
    n, n_classes = 1200, 6
    centers = rng.uniform(-10.0, 10.0, (n_classes, 8))
    y = rng.integers(0, n_classes, n)
    x = centers[y] + rng.normal(size=(n, 8))
    probs = rng.dirichlet(np.full(n_classes, 0.3), n)
    probs[np.arange(n), y] += 3.0
    if bad_class is not None:
        bad = y == bad_class
        probs[bad] = rng.dirichlet(np.ones(n_classes), bad.sum())
        probs[bad, bad_class] = 0.001
    probs /= probs.sum(axis=1, keepdims=True)
    return x, y.astype(np.int64), probs


@pytest.mark.parametrize(
    ("seed", "bad_class"),
    [(0, 2), (1, None), (2, 4), (3, None)],
    ids=["bad-2", "all-good", "bad-4", "all-good-2"],
)
def test_matches_datalab(seed: int, bad_class: int | None) -> None:
    from cleanlab import Datalab

    x, y, probs = _blobs(seed, bad_class=bad_class)
    graph = build_knn_graph(x, k=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lab = Datalab({"y": y}, label_name="y", verbosity=0)
        lab.find_issues(
            pred_probs=probs, knn_graph=graph.to_csr(), issue_types={"underperforming_group": {}}
        )
    theirs = lab.get_issues("underperforming_group")
    inputs = AuditInputs(n_samples=y.size, labels=y, pred_probs=probs, knn=graph.truncate)
    result = find_underperforming_group_issues(inputs)
    np.testing.assert_array_equal(
        result.is_issue, theirs["is_underperforming_group_issue"].to_numpy()
    )
    np.testing.assert_allclose(result.score, theirs["underperforming_group_score"], atol=1e-12)
    assert result.is_issue.any() == (bad_class is not None)
    if bad_class is not None:
        assert set(np.unique(y[result.is_issue])) == {bad_class}


@pytest.mark.parametrize("seed", range(12), ids=[f"case-{s}" for s in range(12)])
def test_clustering_equals_scikit_learn_dbscan(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 300))
    x = rng.normal(size=(n, int(rng.integers(1, 5)))) * rng.uniform(0.2, 2.0)
    if seed % 3 == 0:
        x = np.round(x, 1)  # ties at exactly eps
    graph = build_knn_graph(x, k=int(rng.integers(2, 11)), metric="euclidean")
    eps, min_samples = float(rng.uniform(0.1, 1.0)), int(rng.integers(1, 8))
    np.testing.assert_array_equal(
        cluster_knn_graph(graph, eps=eps, min_samples=min_samples),
        _sklearn_dbscan(graph, eps, min_samples),
    )


def test_a_deep_one_way_chain_falls_back_to_scikit_learn(monkeypatch) -> None:
    x = np.cumsum(1.05 ** np.arange(120))[:, None]  # gaps grow: links point one way
    graph = build_knn_graph(x, k=3, metric="euclidean")
    monkeypatch.setattr(module, "_MAX_DAG_PASSES", 1)
    np.testing.assert_array_equal(
        cluster_knn_graph(graph, eps=5.0, min_samples=2), _sklearn_dbscan(graph, 5.0, 2)
    )


def test_flags_the_worst_cluster_where_datalab_picks_another() -> None:
    from cleanlab import Datalab

    # cluster 0 is worst (ratio 0.08); Datalab then compares cluster 1's *confidence* (0.07)
    # with that ratio and moves its pick to cluster 1 (ratio 0.14), which is above 0.1
    ids = np.repeat([0, 1, 2, 3], 10)
    conf = np.repeat([0.04, 0.07, 0.945, 0.945], 10)
    probs = np.c_[conf, 1.0 - conf]
    labels = np.zeros(40, dtype=np.int64)
    inputs = AuditInputs(
        n_samples=40, labels=labels, pred_probs=probs, options={"cluster_ids": ids}
    )
    result = find_underperforming_group_issues(inputs)
    assert np.flatnonzero(result.is_issue).tolist() == list(range(10))
    assert result.summary_score == pytest.approx(0.08)
    lab = Datalab({"y": labels}, label_name="y", verbosity=0)
    lab.find_issues(pred_probs=probs, issue_types={"underperforming_group": {"cluster_ids": ids}})
    assert not lab.get_issues("underperforming_group")["is_underperforming_group_issue"].any()


def test_cluster_ids_stand_in_for_the_neighbour_graph_in_the_audit() -> None:
    from cleanlab import Datalab

    ids = np.repeat([0, 1, 2, 3], 10)
    conf = np.repeat([0.02, 0.945, 0.945, 0.945], 10)
    probs = np.c_[conf, 1.0 - conf]
    labels = np.zeros(40, dtype=np.int64)
    data = {"y": labels}
    issue_types = {"underperforming_group": {"cluster_ids": ids}}
    audit = Audit(data, "y", progress=False).find_issues(pred_probs=probs, issue_types=issue_types)
    flags = audit.get_issues("underperforming_group")["is_underperforming_group_issue"]
    assert np.flatnonzero(flags).tolist() == list(range(10))
    lab = Datalab(data, label_name="y", verbosity=0)
    lab.find_issues(pred_probs=probs, issue_types=issue_types)  # Datalab accepts it too
    assert lab.get_issues("underperforming_group")["is_underperforming_group_issue"].tolist() == (
        flags.tolist()
    )
    for options in ({}, {"cluster_ids": None}):
        with pytest.raises(
            InvalidOptionError,
            match=r"check 'underperforming_group' needs a neighbour graph \(features or knn_graph\)"
            r".* Or pass issue_types=\{'underperforming_group': \{'cluster_ids': \.\.\.\}\}\.",
        ):
            Audit(data, "y", progress=False).find_issues(
                pred_probs=probs, issue_types={"underperforming_group": options}
            )


def test_unlabeled_rows_share_their_clusters_score_but_not_its_mean() -> None:
    ids = np.repeat([0, 1], 6)
    labels = np.zeros(12, dtype=np.int64)
    probs = np.tile([0.9, 0.1], (12, 1))
    probs[6:] = [0.02, 0.98]
    labels[[0, 7]] = -1
    probs[7] = [1.0, 0.0]  # would lift cluster 1 if it were counted
    inputs = AuditInputs(
        n_samples=12, labels=labels, pred_probs=probs, options={"cluster_ids": ids}
    )
    result = find_underperforming_group_issues(inputs)
    expected_ratio = 0.02 / ((0.9 * 5 + 0.02 * 5) / 10)
    assert result.score[7] == pytest.approx(expected_ratio)
    assert result.is_issue[6:].all() and not result.is_issue[:6].any()


def test_no_cluster_found_reports_no_issue_and_says_why() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 8)) * 100.0
    labels = rng.integers(0, 2, 100)
    probs = rng.dirichlet(np.ones(2), 100)
    graph = build_knn_graph(x, k=10, metric="euclidean")
    inputs = AuditInputs(n_samples=100, labels=labels, pred_probs=probs, knn=graph.truncate)
    result = find_underperforming_group_issues(inputs)
    assert not result.is_issue.any() and result.summary_score == 1.0
    assert "no cluster of at least 5 examples" in result.info["message"]


def test_score_clusters_drops_noise_and_small_clusters() -> None:
    clusters, ratios, sizes = score_clusters(
        np.array([-1, -1, 0, 0, 0, 1]),
        np.array([0.1, 0.1, 0.5, 0.5, 0.5, 0.9]),
        min_cluster_samples=2,
    )
    assert clusters.tolist() == [0] and sizes.tolist() == [3] and ratios.tolist() == [1.0]


def test_runs_in_the_audit_by_default() -> None:
    x, y, probs = _blobs(0, bad_class=2)
    audit = Audit({"y": y}, label_name="y", progress=False).find_issues(
        pred_probs=probs, features=x
    )
    flagged = audit.get_issues("underperforming_group")["is_underperforming_group_issue"].to_numpy()
    assert set(np.unique(y[flagged])) == {2}  # a few class-2 rows are DBSCAN noise
    assert flagged.sum() >= 0.95 * (y == 2).sum()


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"kk": 3}, InvalidOptionError, r"unknown options \['kk'\]"),
        ({"threshold": -0.1}, InvalidOptionError, "'threshold' of check 'underperforming_group'"),
        ({"min_cluster_samples": 0}, InvalidOptionError, "'min_cluster_samples'.*integer >= 1"),
        ({"clustering_kwargs": [0.5]}, InvalidOptionError, "must be a dict such as"),
        ({"clustering_kwargs": {"algorithm": "ball_tree"}}, InvalidOptionError, "unsupported keys"),
        ({"clustering_kwargs": {"eps": -1.0}}, InvalidOptionError, "eps must be a positive"),
        ({"clustering_kwargs": {"min_samples": 0}}, InvalidOptionError, "min_samples must be"),
        ({"cluster_ids": np.zeros(5, dtype=int)}, DataValidationError, r"shape \(30,\)"),
        ({"cluster_ids": np.zeros(30)}, DataValidationError, "integer array"),
    ],
    ids=[
        "unknown",
        "negative-threshold",
        "zero-min-cluster",
        "kwargs-not-dict",
        "kwargs-unknown",
        "negative-eps",
        "zero-min-samples",
        "ids-wrong-length",
        "ids-float",
    ],
)
def test_bad_options_are_refused(options: dict, error: type, match: str) -> None:
    rng = np.random.default_rng(0)
    graph = build_knn_graph(rng.normal(size=(30, 3)), k=10)
    inputs = AuditInputs(
        n_samples=30,
        labels=np.zeros(30, dtype=np.int64),
        pred_probs=np.full((30, 2), 0.5),
        knn=graph.truncate,
        options=options,
    )
    with pytest.raises(error, match=match):
        find_underperforming_group_issues(inputs)


@pytest.mark.parametrize(
    ("inputs", "match"),
    [
        (AuditInputs(n_samples=4), "needs labels and pred_probs"),
        (
            AuditInputs(n_samples=4, labels=np.zeros(4, int), pred_probs=np.ones((3, 1))),
            r"pred_probs must have shape \(4, n_classes\)",
        ),
        (
            AuditInputs(n_samples=4, labels=np.zeros(4, int), pred_probs=np.ones((4, 1))),
            "needs a neighbour graph to cluster on, or cluster_ids",
        ),
    ],
    ids=["no-labels", "pred-probs-rows", "no-graph-no-ids"],
)
def test_missing_inputs_are_refused(inputs: AuditInputs, match: str) -> None:
    with pytest.raises(DataValidationError, match=match):
        find_underperforming_group_issues(inputs)
