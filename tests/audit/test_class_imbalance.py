"""The class_imbalance check: Datalab's rule, unlabeled rows, options."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cleanlab import Datalab

from goldlabel.audit import Audit
from goldlabel.exceptions import AuditCheckError


@pytest.mark.parametrize(
    "counts",
    [(50, 49, 2), (40, 30, 30), (100, 1), (10, 10, 10, 10)],
    ids=["rare", "none", "two", "flat"],
)
def test_class_imbalance_equals_datalab(counts: tuple[int, ...]) -> None:
    labels = np.repeat(np.arange(len(counts)), counts)
    frame = pd.DataFrame({"y": np.array(["a", "b", "c", "d"])[labels]})
    lab = Datalab(frame, label_name="y", verbosity=0)
    lab.find_issues(issue_types={"class_imbalance": {}})
    audit = Audit(frame, "y", progress=False).find_issues(issue_types={"class_imbalance": {}})
    ours, theirs = audit.get_issues("class_imbalance"), lab.get_issues("class_imbalance")
    np.testing.assert_array_equal(
        ours["is_class_imbalance_issue"], theirs["is_class_imbalance_issue"]
    )
    np.testing.assert_allclose(ours["class_imbalance_score"], theirs["class_imbalance_score"])
    expected = lab.get_issue_summary("class_imbalance")["score"].iloc[0]
    assert audit.get_issue_summary("class_imbalance")["score"].iloc[0] == pytest.approx(expected)


def test_rarest_class_is_named_and_unlabeled_rows_are_ignored() -> None:
    labels = ["a"] * 60 + ["b"] * 60 + ["c"] * 2 + [None] * 30
    audit = Audit({"y": labels}, "y", progress=False).find_issues(
        issue_types={"class_imbalance": {}}
    )
    info = audit.get_info("class_imbalance")
    assert info["rarest_class"] == "c"
    assert info["rarest_class_frequency"] == pytest.approx(2 / 122)
    flagged = audit.get_issues("class_imbalance")["is_class_imbalance_issue"].to_numpy()
    assert np.flatnonzero(flagged).tolist() == [120, 121]


def test_bad_threshold_fails_the_check() -> None:
    audit = Audit({"y": [0, 1, 1]}, "y", progress=False)
    with pytest.raises(AuditCheckError, match=r"option 'threshold' of check 'class_imbalance'"):
        audit.find_issues(issue_types={"class_imbalance": {"threshold": "low"}})
