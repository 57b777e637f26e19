"""The outlier check: agreement with Datalab from neighbours and from pred_probs, truth, options."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.audit import Audit, AuditInputs
from goldlabel.audit.checks.outlier import check_outliers, score_distances, score_pred_probs
from goldlabel.audit.neighbours import SharedKNN
from goldlabel.exceptions import AuditCheckError, InvalidOptionError
from tests.audit.datasets import AGREEMENT_CASES, AGREEMENT_IDS, jaccard, make_blobs, run_both


@pytest.mark.parametrize(("seed", "n"), AGREEMENT_CASES, ids=AGREEMENT_IDS)
@pytest.mark.parametrize("inputs", ["pred_probs", "probs_only"], ids=["knn", "pred_probs"])
def test_outlier_equals_datalab(seed: int, n: int, inputs: str) -> None:
    lab, audit, _ = run_both(seed, n, inputs)
    ours, theirs = audit.get_issues("outlier"), lab.get_issues("outlier")
    assert jaccard(ours["is_outlier_issue"], theirs["is_outlier_issue"]) == 1.0
    np.testing.assert_allclose(ours["outlier_score"], theirs["outlier_score"], atol=1e-9)
    info = audit.get_info("outlier")
    assert info["source"] == ("knn" if inputs == "pred_probs" else "pred_probs")
    assert info["issue_threshold"] == pytest.approx(lab.get_info("outlier")["issue_threshold"])


def test_outlier_flags_the_injected_outliers(blobs) -> None:
    audit = Audit({"label": blobs.labels}, "label", progress=False)
    audit.find_issues(features=blobs.features, issue_types={"outlier": {}})
    flagged = audit.get_issues("outlier")["is_outlier_issue"].to_numpy()
    assert flagged[blobs.outliers].all()
    worst = np.argsort(audit.get_issues("outlier")["outlier_score"].to_numpy())[:10]
    assert len(set(worst) & set(blobs.outliers)) >= 8


def test_exact_duplicates_score_one() -> None:
    x = np.r_[np.zeros((12, 2)), np.random.default_rng(0).normal(size=(30, 2))]
    result = check_outliers(
        AuditInputs(n_samples=42, features=x, knn=SharedKNN(x, k=10), options={"k": 10})
    )
    np.testing.assert_array_equal(result.score[:12], 1.0)


def test_score_distances_uses_the_given_scaling_factor() -> None:
    scores, s = score_distances(np.array([0.0, 2.0]), t=2.0, scaling_factor=4.0)
    np.testing.assert_allclose(scores, [1.0, np.exp(-1.0)])
    assert s == 4.0


@pytest.mark.parametrize("method", ["entropy", "least_confidence", "gen"])
def test_score_pred_probs_methods_rank_a_flat_row_lowest(method: str) -> None:
    probs = np.array([[0.97, 0.01, 0.02], [0.1, 0.85, 0.05], [0.34, 0.33, 0.33]])
    scores = score_pred_probs(probs, np.array([0, 1, -1]), method=method)
    assert int(np.argmin(scores)) == 2


def test_score_pred_probs_rejects_an_unknown_method() -> None:
    with pytest.raises(
        InvalidOptionError, match=r"option 'method' of check 'outlier' must be one of"
    ):
        score_pred_probs(np.array([[0.5, 0.5]]), method="magic")


def test_outlier_from_pred_probs_without_labels_is_unadjusted() -> None:
    data = make_blobs(300, seed=4)
    audit = Audit({"x": np.arange(300)}, progress=False)
    audit.find_issues(pred_probs=data.pred_probs, issue_types={"outlier": {}})
    assert audit.get_info("outlier")["adjusted"] is False
    expected = score_pred_probs(data.pred_probs, adjust=False)
    np.testing.assert_allclose(audit.get_issues("outlier")["outlier_score"], expected)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"threshold": 1.5}, r"option 'threshold' of check 'outlier' must be a number in \[0, 1\]"),
        ({"t": -1}, r"option 't' of check 'outlier' must be a number in >= 0"),
        ({"k": "ten"}, r"option 'k' of check 'outlier' must be an integer >= 1; got 'ten'"),
        ({"scaling_factor": -2.0}, r"option 'scaling_factor' of check 'outlier'"),
    ],
    ids=["threshold", "t", "k", "scaling_factor"],
)
def test_bad_outlier_options_fail_the_check(blobs, options: dict, match: str) -> None:
    audit = Audit({"label": blobs.labels}, "label", progress=False)
    with pytest.raises(AuditCheckError, match=match):
        audit.find_issues(features=blobs.features, issue_types={"outlier": options})


def test_threshold_zero_flags_nothing(blobs) -> None:
    audit = Audit({"label": blobs.labels}, "label", progress=False)
    audit.find_issues(features=blobs.features, issue_types={"outlier": {"threshold": 0}})
    assert audit.get_info("outlier")["num_issues"] == 0
