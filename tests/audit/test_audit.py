"""The Audit: inputs of every kind, check selection, results, report, errors, third-party checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
import scipy.sparse as sp
from sklearn.neighbors import NearestNeighbors

from goldlabel.audit import Audit, AuditInputs, IssueResult, list_checks, register
from goldlabel.audit.registry import unregister
from goldlabel.exceptions import (
    AuditCheckError,
    DataValidationError,
    InvalidOptionError,
    InvalidPredProbsError,
)
from goldlabel.knn import build_knn_graph
from tests.audit.datasets import make_blobs

MINE = ["label", "outlier", "near_duplicate", "class_imbalance", "null"]


@pytest.fixture(scope="module")
def small():
    return make_blobs(300, seed=7)


def _audit(small, **kwargs) -> Audit:
    return Audit({"label": small.labels}, "label", progress=False, **kwargs)


def test_defaults_run_every_check_the_inputs_allow(small) -> None:
    audit = _audit(small).find_issues(pred_probs=small.pred_probs, features=small.features)
    ran = list(audit.get_issue_summary()["issue_type"])
    assert ran == list_checks(default_only=True)  # null reads the features
    assert "data_valuation" not in ran


def test_labels_only_runs_only_class_imbalance() -> None:
    audit = Audit({"y": ["a", "b", "b"]}, "y", progress=False).find_issues()
    assert list(audit.get_issue_summary()["issue_type"]) == ["class_imbalance"]


def test_no_labels_runs_the_label_free_checks(small) -> None:
    frame = pd.DataFrame(small.features[:, :2], columns=["a", "b"])
    audit = Audit(frame, progress=False).find_issues(features=small.features)
    ran = set(audit.get_issue_summary()["issue_type"])
    assert {"outlier", "near_duplicate", "null"} <= ran
    assert not ran & {"label", "class_imbalance"}
    assert audit.labels is None


def test_get_issues_has_flags_scores_and_extras(small) -> None:
    audit = _audit(small).find_issues(
        pred_probs=small.pred_probs, features=small.features, issue_types={c: {} for c in MINE}
    )
    issues = audit.get_issues()
    assert len(issues) == 300
    for name in MINE:
        assert issues[f"is_{name}_issue"].dtype == bool
        assert issues[f"{name}_score"].between(0, 1).all()
    for extra in ("given_label", "predicted_label", "near_duplicate_sets"):
        assert extra in issues.columns
    one = audit.get_issues("outlier")
    assert list(one.columns) == ["is_outlier_issue", "outlier_score"]
    assert audit.issues.shape == issues.shape


def test_summary_info_statistics_and_health(small) -> None:
    audit = _audit(small).find_issues(features=small.features, issue_types={"outlier": {}})
    summary = audit.get_issue_summary()
    assert list(summary.columns) == ["issue_type", "num_issues", "score"]
    info = audit.get_info("outlier")
    assert info["num_issues"] == summary["num_issues"].iloc[0]
    assert audit.health_score == pytest.approx(summary["score"].mean())
    stats = audit.get_info("statistics")
    assert stats["knn_k"] == 10 and stats["knn_metric"] == "cosine"
    assert set(stats["timings"]) == {"outlier"}


def test_report_is_a_string_that_names_what_was_found(small, capsys) -> None:
    audit = _audit(small).find_issues(
        pred_probs=small.pred_probs, features=small.features, issue_types={c: {} for c in MINE}
    )
    text = audit.report(num_examples=3)
    assert capsys.readouterr().out == ""
    assert "health score" in text
    assert "label issues:" in text and "near_duplicate issues:" in text
    assert "Worst 3 (lowest label_score)" in text


def test_report_of_a_clean_dataset_says_so() -> None:
    audit = Audit({"y": [0, 1] * 10}, "y", progress=False).find_issues()
    assert "No issues found." in audit.report()


def test_one_graph_is_built_with_the_largest_k_asked_for(small) -> None:
    audit = _audit(small)
    audit.find_issues(
        features=small.features,
        issue_types={"outlier": {"k": 15}, "near_duplicate": {}, "label": {"k": 5}},
    )
    assert audit._knn is not None and audit._knn.n_builds == 1
    assert audit.get_info("statistics")["knn_k"] == 15
    assert audit.get_info("outlier")["k"] == 15 and audit.get_info("near_duplicate")["k"] == 10
    # the same features again: the graph is reused, not rebuilt
    audit.find_issues(features=small.features, issue_types={"near_duplicate": {}})
    assert audit._knn.n_builds == 1


def test_a_knn_graph_in_cleanlab_format_is_accepted(small) -> None:
    nn = NearestNeighbors(n_neighbors=10, metric="euclidean").fit(small.features)
    csr = nn.kneighbors_graph(mode="distance")
    from_csr = _audit(small).find_issues(knn_graph=csr, issue_types={"near_duplicate": {}})
    from_x = _audit(small).find_issues(
        features=small.features, metric="euclidean", issue_types={"near_duplicate": {}}
    )
    pd.testing.assert_frame_equal(from_csr.get_issues(), from_x.get_issues(), atol=1e-9)


def test_a_knn_graph_object_is_accepted_and_too_small_a_graph_fails_clearly(small) -> None:
    graph = build_knn_graph(small.features, k=5)
    audit = _audit(small).find_issues(knn_graph=graph, issue_types={"near_duplicate": {"k": 5}})
    assert audit.get_info("near_duplicate")["k"] == 5
    with pytest.raises(
        AuditCheckError, match=r"holds only 5 per row; pass a graph with at least 10"
    ):
        _audit(small).find_issues(knn_graph=graph, issue_types={"outlier": {}})


def test_later_runs_add_to_earlier_results(small) -> None:
    audit = _audit(small).find_issues(features=small.features, issue_types={"outlier": {}})
    audit.find_issues(pred_probs=small.pred_probs, issue_types={"label": {}})
    assert list(audit.get_issue_summary()["issue_type"]) == ["outlier", "label"]


def test_pred_probs_with_more_columns_than_integer_labels_extend_the_classes() -> None:
    labels = np.array([0, 1] * 20)
    probs = np.tile([0.45, 0.45, 0.1], (40, 1))
    audit = Audit({"y": labels}, "y", progress=False)
    audit.find_issues(pred_probs=probs, issue_types={"label": {}})
    assert audit.class_names == (0, 1, 2)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"pred_probs": np.ones(300)}, InvalidPredProbsError, r"pred_probs must be 2-D"),
        (
            {"pred_probs": np.ones((10, 4)) / 4},
            InvalidPredProbsError,
            r"has 10 rows but the data has 300",
        ),
        (
            {"pred_probs": np.ones((300, 2)) / 2},
            InvalidPredProbsError,
            r"has 2 columns but the labels name 4",
        ),
        (
            {"pred_probs": np.full((300, 4), 2.0)},
            InvalidPredProbsError,
            r"probabilities in \[0, 1\]; got values from 2.0",
        ),
        ({"pred_probs": np.full((300, 4), "a")}, InvalidPredProbsError, r"must hold real numbers"),
        (
            {"features": np.ones((5, 3))},
            DataValidationError,
            r"features has 5 rows but the data has 300",
        ),
        ({"features": np.ones((300, 2, 2))}, DataValidationError, r"features must be 2-D"),
        (
            {"features": np.full((300, 2), "x")},
            DataValidationError,
            r"features must be real numbers",
        ),
        (
            {"knn_graph": np.ones((300, 300))},
            DataValidationError,
            r"knn_graph must be a goldlabel.knn.KNNGraph",
        ),
        ({"knn_graph": sp.eye(300, format="csr")}, DataValidationError, r"own neighbour"),
        ({"knn_graph": sp.csr_matrix((5, 5))}, DataValidationError, r"same, non-zero number"),
        ({"issue_types": ["label"]}, InvalidOptionError, r"issue_types must be a dict"),
        ({"issue_types": {"nope": {}}}, InvalidOptionError, r"unknown issue type 'nope'"),
        (
            {"issue_types": {"outlier": 3}},
            InvalidOptionError,
            r"options of issue type 'outlier' must be a dict",
        ),
        (
            {"issue_types": {"near_duplicate": {}}},
            InvalidOptionError,
            r"check 'near_duplicate' needs a neighbour graph \(features or knn_graph\)",
        ),
        (
            {"issue_types": {"label": {}}},
            InvalidOptionError,
            r"check 'label' needs pred_probs or a neighbour graph",
        ),
        (
            {"features": np.ones((300, 2)), "metric": "manhattan"},
            AuditCheckError,
            r"metric must be 'auto', 'cosine' or 'euclidean'",
        ),
    ],
    ids=[
        "probs-1d",
        "probs-rows",
        "probs-cols",
        "probs-range",
        "probs-dtype",
        "features-rows",
        "features-3d",
        "features-dtype",
        "graph-type",
        "graph-self",
        "graph-rows",
        "types-list",
        "types-unknown",
        "types-options",
        "needs-knn",
        "needs-probs",
        "metric",
    ],
)
def test_input_errors_say_what_is_wrong(small, kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        _audit(small).find_issues(**kwargs)


def test_a_check_that_needs_labels_says_how_to_give_them(small) -> None:
    audit = Audit({"x": np.arange(300)}, progress=False)
    with pytest.raises(InvalidOptionError, match=r"needs labels.*Pass label_name="):
        audit.find_issues(pred_probs=small.pred_probs, issue_types={"label": {}})


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda a: a.get_issues(), r"no results yet: call find_issues"),
        (lambda a: a.get_issue_summary(), r"no results yet"),
        (lambda a: a.report(), r"no results yet"),
    ],
    ids=["issues", "summary", "report"],
)
def test_results_before_a_run_are_an_error(small, call, match: str) -> None:
    with pytest.raises(InvalidOptionError, match=match):
        call(_audit(small))


def test_results_of_a_check_not_run_and_bad_report_size_are_errors(small) -> None:
    audit = _audit(small).find_issues(features=small.features, issue_types={"outlier": {}})
    with pytest.raises(InvalidOptionError, match=r"issue type 'label' has not been checked"):
        audit.get_issues("label")
    with pytest.raises(InvalidOptionError, match=r"issue type 'null' has not been checked"):
        audit.get_info("null")
    with pytest.raises(InvalidOptionError, match=r"num_examples must be an integer >= 0; got -1"):
        audit.report(num_examples=-1)


def test_a_third_party_check_runs_like_a_built_in_one(small) -> None:
    @register("far_from_origin", needs=("features",), default=False, description="Far rows.")
    def far(inputs: AuditInputs) -> IssueResult:
        norm = np.linalg.norm(inputs.features, axis=1)
        score = np.exp(-norm / inputs.options.get("scale", 10.0))
        return IssueResult(norm > 15, score, float(score.mean()), {"max": float(norm.max())})

    try:
        audit = _audit(small)
        assert "far_from_origin" in audit.list_possible_issue_types()
        assert "far_from_origin" not in audit.list_default_issue_types()
        audit.find_issues(features=small.features, issue_types={"far_from_origin": {"scale": 5.0}})
        issues = audit.get_issues("far_from_origin")
        norms = np.linalg.norm(small.features, axis=1)
        np.testing.assert_array_equal(issues["is_far_from_origin_issue"], norms > 15)
        np.testing.assert_allclose(issues["far_from_origin_score"], np.exp(-norms / 5.0))
        assert audit.get_info("far_from_origin")["max"] == pytest.approx(norms.max())
        assert "far_from_origin" in audit.report()
    finally:
        unregister("far_from_origin")


@pytest.mark.parametrize(
    ("returns", "match"),
    [
        (lambda n: "oops", r"a check must return an IssueResult; got str"),
        (
            lambda n: IssueResult(np.zeros(3, bool), np.ones(n), 1.0),
            r"must both have shape \(300,\)",
        ),
        (
            lambda n: IssueResult(np.zeros(n, bool), np.ones(n), 1.0, extra_columns={"c": [1]}),
            r"extra column 'c' has 1 values; expected 300",
        ),
    ],
    ids=["type", "shape", "extra"],
)
def test_a_malformed_result_is_a_check_error(small, returns, match: str) -> None:
    register("malformed", default=False)(lambda inputs: returns(inputs.n_samples))
    try:
        with pytest.raises(AuditCheckError, match=match):
            _audit(small).find_issues(issue_types={"malformed": {}})
    finally:
        unregister("malformed")


def test_a_failing_check_raises_a_chained_audit_check_error(small, capsys) -> None:
    @register("explodes", default=False)
    def explodes(inputs: AuditInputs) -> IssueResult:
        raise ZeroDivisionError("boom")

    try:
        with pytest.raises(
            AuditCheckError, match=r"audit check 'explodes' failed: ZeroDivisionError: boom"
        ) as info:
            _audit(small).find_issues(issue_types={"explodes": {}})
        assert isinstance(info.value.__cause__, ZeroDivisionError)
        assert info.value.check == "explodes"
        assert capsys.readouterr() == ("", "")
    finally:
        unregister("explodes")


@pytest.mark.parametrize("progress", [False, True], ids=["quiet", "bar"])
def test_progress_bar_goes_to_stderr_only_when_asked(small, capsys, progress: bool) -> None:
    audit = Audit({"label": small.labels}, "label", progress=progress)
    audit.find_issues(features=small.features, issue_types={"outlier": {}})
    out, err = capsys.readouterr()
    assert out == ""
    assert ("audit" in err) is progress


def test_default_progress_is_quiet_when_stderr_is_not_a_terminal(small, capsys) -> None:
    Audit({"label": small.labels}, "label").find_issues(issue_types={"class_imbalance": {}})
    assert capsys.readouterr() == ("", "")


def test_polars_input_gives_the_same_results_as_pandas(small) -> None:
    names = np.array(["a", "b", "c", "d"])[small.labels]
    frame = pd.DataFrame({"y": names, "f0": small.features[:, 0]})
    kwargs = {"pred_probs": small.pred_probs, "features": small.features}
    from_pandas = Audit(frame, "y", progress=False).find_issues(**kwargs)
    from_polars = Audit(pl.from_pandas(frame), "y", progress=False).find_issues(**kwargs)
    pd.testing.assert_frame_equal(
        from_pandas.get_issues().drop(columns="near_duplicate_sets"),
        from_polars.get_issues().drop(columns="near_duplicate_sets"),
    )
