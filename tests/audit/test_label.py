"""The label check: agreement with Datalab, the features-only vote, unlabeled rows, options."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldlabel.audit import Audit, AuditInputs
from goldlabel.audit.checks.label import check_labels, vote_pred_probs
from goldlabel.exceptions import AuditCheckError
from tests.audit.datasets import AGREEMENT_CASES, AGREEMENT_IDS, jaccard, make_blobs, run_both


@pytest.mark.parametrize(("seed", "n"), AGREEMENT_CASES, ids=AGREEMENT_IDS)
def test_label_with_pred_probs_equals_datalab(seed: int, n: int) -> None:
    lab, audit, _ = run_both(seed, n, "pred_probs")
    ours, theirs = audit.get_issues("label"), lab.get_issues("label")
    np.testing.assert_array_equal(ours["is_label_issue"], theirs["is_label_issue"])
    np.testing.assert_allclose(ours["label_score"], theirs["label_score"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ours["predicted_label"], theirs["predicted_label"])
    np.testing.assert_array_equal(ours["given_label"], theirs["given_label"])
    summary = lab.get_issue_summary("label")["score"].iloc[0]
    assert audit.get_issue_summary("label")["score"].iloc[0] == pytest.approx(summary)


@pytest.mark.parametrize(("seed", "n"), AGREEMENT_CASES, ids=AGREEMENT_IDS)
def test_label_from_features_agrees_with_datalab_on_the_same_metric(seed: int, n: int) -> None:
    # Datalab's fallback is a euclidean KNeighborsClassifier; on the same metric we match it
    lab, audit, _ = run_both(seed, n, "features", "euclidean")
    ours, theirs = audit.get_issues("label"), lab.get_issues("label")
    assert jaccard(ours["is_label_issue"], theirs["is_label_issue"]) >= 0.9
    # scores differ only where exact duplicates or distance ties change whose vote is dropped
    same = np.isclose(ours["label_score"], theirs["label_score"], rtol=0, atol=1e-12)
    assert same.mean() >= 0.99


def test_label_from_features_finds_the_injected_flips() -> None:
    data = make_blobs(800, seed=5)
    audit = Audit({"label": data.labels}, "label", progress=False)
    audit.find_issues(features=data.features, issue_types={"label": {}})
    flagged = audit.get_issues("label")["is_label_issue"].to_numpy()
    recall = np.count_nonzero(flagged & data.flipped) / np.count_nonzero(data.flipped)
    precision = np.count_nonzero(flagged & data.flipped) / np.count_nonzero(flagged)
    assert recall > 0.8
    assert precision > 0.8


def test_vote_removes_nothing_but_counts_only_labeled_neighbours() -> None:
    neighbours = np.array([[1, 2], [0, 2], [0, 1], [0, 1]])
    labels = np.array([0, -1, 1, 1])
    probs = vote_pred_probs(neighbours, labels, 2)
    np.testing.assert_allclose(probs, [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0], [1.0, 0.0]])


def test_vote_of_a_row_without_labeled_neighbours_is_uniform() -> None:
    probs = vote_pred_probs(np.array([[1], [0]]), np.array([-1, -1]), 4)
    np.testing.assert_allclose(probs, np.full((2, 4), 0.25))


def test_unlabeled_rows_are_never_flagged_and_score_nan() -> None:
    data = make_blobs(400, seed=1)
    labels = data.labels.astype(object)
    labels[:40] = None
    audit = Audit({"label": labels}, "label", progress=False)
    audit.find_issues(pred_probs=data.pred_probs, issue_types={"label": {}})
    issues = audit.get_issues("label")
    assert not issues["is_label_issue"][:40].any()
    assert issues["label_score"][:40].isna().all()
    assert issues["label_score"][40:].notna().all()
    assert issues["given_label"][:40].isna().all()
    assert issues["predicted_label"].notna().all()
    assert audit.get_info("label")["num_labeled"] == 360


def test_string_labels_come_back_as_class_names() -> None:
    data = make_blobs(300, seed=2, n_classes=3)
    names = np.array(["cat", "dog", "emu"])
    audit = Audit(pd.DataFrame({"y": names[data.labels]}), "y", progress=False)
    audit.find_issues(pred_probs=data.pred_probs, issue_types={"label": {}})
    issues = audit.get_issues("label")
    assert set(issues["predicted_label"]) <= {"cat", "dog", "emu"}
    np.testing.assert_array_equal(issues["given_label"], names[data.labels])


def test_label_check_records_small_class_warnings_instead_of_emitting_them() -> None:
    labels = np.array([0] * 5 + [1] * 30)
    probs = np.tile([[0.2, 0.8]], (35, 1))
    probs[:5] = [0.9, 0.1]
    result = check_labels(AuditInputs(n_samples=35, labels=labels, pred_probs=probs))
    assert any("min_examples_per_class" in w for w in result.info["warnings"])


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"kk": 3}, r"unknown options \['kk'\]"),
        ({"k": 0}, r"option 'k' of check 'label' must be an integer >= 1; got 0"),
        ({"frac_noise": 2}, r"option 'frac_noise' of check 'label' must be a number in \[0, 1\]"),
        ({"filter_by": "nope"}, r"filter_by"),
    ],
    ids=["unknown", "k", "frac_noise", "filter_by"],
)
def test_bad_label_options_fail_the_check(options: dict, match: str) -> None:
    data = make_blobs(100, seed=0, n_outliers=0, n_duplicates=0)
    audit = Audit({"label": data.labels}, "label", progress=False)
    with pytest.raises(AuditCheckError, match=match):
        audit.find_issues(pred_probs=data.pred_probs, issue_types={"label": options})
