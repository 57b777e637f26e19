"""The near_duplicate check: agreement with Datalab, sets, exact copies, options."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.audit import Audit, AuditInputs
from goldlabel.audit.checks.near_duplicate import (
    check_near_duplicates,
    find_near_duplicate_pairs,
    to_list_column,
)
from goldlabel.audit.neighbours import SharedKNN
from goldlabel.exceptions import AuditCheckError
from tests.audit.datasets import AGREEMENT_CASES, AGREEMENT_IDS, jaccard, run_both


@pytest.mark.parametrize(("seed", "n"), AGREEMENT_CASES, ids=AGREEMENT_IDS)
def test_near_duplicate_equals_datalab(seed: int, n: int) -> None:
    lab, audit, _ = run_both(seed, n, "pred_probs")
    ours, theirs = audit.get_issues("near_duplicate"), lab.get_issues("near_duplicate")
    assert jaccard(ours["is_near_duplicate_issue"], theirs["is_near_duplicate_issue"]) == 1.0
    np.testing.assert_allclose(
        ours["near_duplicate_score"], theirs["near_duplicate_score"], atol=1e-9
    )
    for mine, peer in zip(ours["near_duplicate_sets"], theirs["near_duplicate_sets"], strict=True):
        assert sorted(mine) == sorted(int(i) for i in peer)
    np.testing.assert_allclose(
        ours["distance_to_nearest_neighbor"], theirs["distance_to_nearest_neighbor"], atol=1e-9
    )


def test_injected_copies_are_flagged_and_exact_ones_score_zero(blobs) -> None:
    audit = Audit({"label": blobs.labels}, "label", progress=False)
    audit.find_issues(features=blobs.features, issue_types={"near_duplicate": {}})
    issues = audit.get_issues("near_duplicate")
    assert issues["is_near_duplicate_issue"].to_numpy()[blobs.duplicates].all()
    n = len(blobs.labels)
    exact = np.r_[blobs.duplicates[:5], np.arange(n - 10, n - 5)]
    np.testing.assert_array_equal(issues["near_duplicate_score"].to_numpy()[exact], 0.0)


def test_sets_are_symmetric_and_numbered_by_lowest_member() -> None:
    x = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 0.0], [5.0, 5.0], [10.0, 0.0], [0.0, 0.0]])
    x = np.r_[x, np.random.default_rng(1).uniform(20, 80, (20, 2))]
    result = check_near_duplicates(AuditInputs(n_samples=26, features=x, knn=SharedKNN(x)))
    sets = result.extra_columns["near_duplicate_sets"].tolist()
    assert sets[:6] == [[2, 5], [4], [0, 5], [], [1], [0, 2]]
    assert result.info["set_ids"][:6].tolist() == [0, 1, 0, -1, 1, 0]
    assert result.info["num_sets"] == 2


def test_pairs_are_made_symmetric_without_duplicates() -> None:
    idx = np.array([[1, 2], [0, 2], [3, 0], [2, 1]])
    dist = np.array([[0.1, 0.1], [0.1, 9.0], [9.0, 9.0], [0.1, 9.0]])
    rows, others = find_near_duplicate_pairs(idx, dist, 0.5)
    assert list(zip(rows.tolist(), others.tolist(), strict=True)) == [
        (0, 1),
        (0, 2),
        (1, 0),
        (2, 0),
        (2, 3),
        (3, 2),
    ]


def test_list_column_has_an_empty_list_for_rows_without_pairs() -> None:
    column = to_list_column(np.array([1, 1]), np.array([4, 7]), 3)
    assert column.tolist() == [[], [4, 7], []]


def test_bad_threshold_fails_the_check(blobs) -> None:
    audit = Audit({"label": blobs.labels}, "label", progress=False)
    with pytest.raises(AuditCheckError, match=r"option 'threshold' of check 'near_duplicate'"):
        audit.find_issues(
            features=blobs.features, issue_types={"near_duplicate": {"threshold": -1}}
        )
