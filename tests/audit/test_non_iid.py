"""The non_iid check: Datalab's statistic, p-value and scores, in bounded memory."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest

from goldlabel.audit import Audit
from goldlabel.audit.checks.non_iid import (
    compute_non_iid_scores,
    find_non_iid_issues,
    run_non_iid_test,
)
from goldlabel.audit.registry import AuditInputs
from goldlabel.exceptions import AuditCheckError, DataValidationError, InvalidOptionError
from goldlabel.knn import build_knn_graph


def _features(n: int, *, drift: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8))
    x[:, 0] += np.linspace(0.0, drift, n)
    return x


def _datalab_non_iid(graph) -> tuple[float, np.ndarray, np.ndarray]:
    from cleanlab import Datalab

    n = graph.n_samples
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lab = Datalab({"y": np.zeros(n, dtype=int)}, label_name="y", verbosity=0)
        lab.find_issues(knn_graph=graph.to_csr(), issue_types={"non_iid": {}})
    issues = lab.get_issues("non_iid")
    return (
        lab.get_info("non_iid")["p-value"],
        issues["non_iid_score"].to_numpy(),
        issues["is_non_iid_issue"].to_numpy(),
    )


@pytest.mark.parametrize(
    ("n", "drift", "seed"),
    [(400, 0.0, 0), (400, 3.0, 1), (1500, 0.0, 2), (1500, 0.5, 3)],
    ids=["iid-400", "drift-400", "iid-1500", "mild-drift-1500"],
)
def test_matches_datalab_exactly(n: int, drift: float, seed: int) -> None:
    graph = build_knn_graph(_features(n, drift=drift, seed=seed), k=10)
    p_ref, scores_ref, flags_ref = _datalab_non_iid(graph)
    result = find_non_iid_issues(AuditInputs(n_samples=n, knn=graph.truncate))
    assert result.summary_score == pytest.approx(p_ref, abs=1e-12)
    np.testing.assert_allclose(result.score, scores_ref, atol=1e-12)
    np.testing.assert_array_equal(result.is_issue, flags_ref)


@pytest.mark.parametrize(
    ("drift", "expected"), [(0.0, 0), (4.0, 1)], ids=["iid-none-flagged", "drift-one-flagged"]
)
def test_flags_at_most_the_single_worst_example(drift: float, expected: int) -> None:
    x = _features(600, drift=drift, seed=7)
    audit = Audit({"x0": x[:, 0]}, progress=False)
    audit.find_issues(features=x, issue_types={"non_iid": {}})
    issues = audit.get_issues("non_iid")
    assert int(issues["is_non_iid_issue"].sum()) == expected
    assert (audit.get_info("non_iid")["p-value"] < 0.05) == bool(expected)
    if expected:
        flagged = int(np.flatnonzero(issues["is_non_iid_issue"])[0])
        assert flagged == int(np.argmin(issues["non_iid_score"]))


def test_runs_on_pred_probs_when_no_features_are_given() -> None:
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4), 300)
    labels = rng.integers(0, 4, 300)
    audit = Audit({"y": labels}, label_name="y", progress=False)
    audit.find_issues(pred_probs=probs, issue_types={"non_iid": {}})
    info = audit.get_info("non_iid")
    assert 0.0 <= info["p-value"] <= 1.0 and info["k"] == 10


def test_scores_lie_in_unit_interval_and_rank_ordered_rows_lower() -> None:
    n = 500
    ordered = np.array([[(i + j) % n for j in range(1, 6)] for i in range(n)])
    shuffled = np.random.default_rng(0).permutation(ordered)
    a, b = compute_non_iid_scores(ordered), compute_non_iid_scores(shuffled)
    assert a.min() >= 0.0 and b.max() <= 1.0
    assert a.mean() < b.mean()


def test_seed_reproduces_and_global_random_state_is_untouched() -> None:
    nbr = build_knn_graph(_features(300, drift=0.0, seed=4), k=5).indices
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (the global state itself)
    first = run_non_iid_test(nbr, num_permutations=10, seed=3)
    second = run_non_iid_test(nbr, num_permutations=10, seed=3)
    np.testing.assert_array_equal(first[2], second[2])
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    assert run_non_iid_test(nbr, num_permutations=10, seed=None)[2].shape == (10,)


def test_identical_null_statistics_give_a_step_p_value() -> None:
    # two rows: every permutation gives the same statistic; the KDE would be singular
    stat, p, null = run_non_iid_test(np.array([[1], [0]]), num_permutations=5)
    assert np.ptp(null) == 0.0 and p == 1.0 and stat == pytest.approx(null[0])


def test_memory_stays_far_below_datalabs_permutation_arrays() -> None:
    n, k = 50_000, 10
    nbr = np.random.default_rng(0).integers(0, n, (n, k))
    tracemalloc.start()
    run_non_iid_test(nbr, num_permutations=25)
    compute_non_iid_scores(nbr)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    datalab_bytes = 25 * n * k * 8  # its permutation arrays alone: 100 MB here
    assert peak < datalab_bytes / 4


@pytest.mark.parametrize(
    ("neighbors", "match"),
    [
        (np.array([1, 0]), "2-D integer array"),
        (np.array([[1.0], [0.0]]), "integer row indices"),
        (np.array([[1], [5]]), r"row indices in \[0, 1\]"),
    ],
    ids=["1-d", "float", "out-of-range"],
)
def test_bad_neighbors_are_refused(neighbors: np.ndarray, match: str) -> None:
    with pytest.raises(DataValidationError, match=match):
        compute_non_iid_scores(neighbors)
    with pytest.raises(DataValidationError, match=match):
        run_non_iid_test(neighbors)


def test_too_few_permutations_are_refused() -> None:
    with pytest.raises(InvalidOptionError, match="num_permutations must be an integer >= 2"):
        run_non_iid_test(np.array([[1], [0], [1]]), num_permutations=1)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"kk": 3}, r"unknown options \['kk'\]"),
        ({"k": 0}, "'k' of check 'non_iid' must be an integer >= 1"),
        ({"significance_threshold": 2.0}, r"significance_threshold.*must be a number in \[0, 1"),
    ],
    ids=["unknown", "k-zero", "alpha-above-one"],
)
def test_bad_options_are_refused(options: dict, match: str) -> None:
    graph = build_knn_graph(_features(50, drift=0.0, seed=0), k=5)
    with pytest.raises(InvalidOptionError, match=match):
        find_non_iid_issues(AuditInputs(n_samples=50, knn=graph.truncate, options=options))


def test_needs_a_graph_or_pred_probs() -> None:
    with pytest.raises(DataValidationError, match="needs a neighbour graph"):
        find_non_iid_issues(AuditInputs(n_samples=50))


def test_audit_wraps_a_bad_option_in_audit_check_error() -> None:
    x = _features(60, drift=0.0, seed=0)
    audit = Audit({"x0": x[:, 0]}, progress=False)
    with pytest.raises(AuditCheckError, match="non_iid"):
        audit.find_issues(features=x, issue_types={"non_iid": {"num_permutations": 1}})
