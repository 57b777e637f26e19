"""The null check: from features (as Datalab), from the data's own columns, without labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cleanlab import Datalab

from goldlabel.audit import Audit
from goldlabel.audit.checks.null import find_null_cells
from goldlabel.exceptions import AuditCheckError


def test_null_from_features_equals_datalab() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[7] = np.nan
    frame = pd.DataFrame({"y": rng.integers(0, 2, 200)})
    lab = Datalab(frame, label_name="y", verbosity=0)
    lab.find_issues(features=x, issue_types={"null": {}})
    audit = Audit(frame, "y", progress=False).find_issues(features=x, issue_types={"null": {}})
    ours, theirs = audit.get_issues("null"), lab.get_issues("null")
    np.testing.assert_array_equal(ours["is_null_issue"], theirs["is_null_issue"])
    np.testing.assert_allclose(ours["null_score"], theirs["null_score"])
    assert ours["is_null_issue"].sum() >= 1


def test_null_from_data_skips_the_label_column_and_needs_no_labels() -> None:
    frame = pd.DataFrame(
        {"text": ["a", None, None, "d"], "n": [1.0, np.nan, np.nan, 4.0], "y": [None, 0, 1, 1]}
    )
    audit = Audit(frame.drop(columns="y"), progress=False).find_issues()
    assert audit.get_issues("null")["is_null_issue"].tolist() == [False, True, True, False]
    labeled = Audit(frame, "y", progress=False).find_issues(issue_types={"null": {}})
    np.testing.assert_allclose(labeled.get_issues("null")["null_score"], [1.0, 0.0, 0.0, 1.0])
    assert labeled.get_info("null")["columns"] == ["text", "n"]


def test_null_cells_of_strings_and_integers() -> None:
    cells = find_null_cells(np.array([["a", None], ["b", "c"]], dtype=object))
    assert cells.tolist() == [[False, True], [False, False]]
    assert not find_null_cells(np.array([[1, 2]])).any()


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"source": "disk"}, r"option 'source' of check 'null' must be one of"),
        ({"source": "features"}, r"source='features' but no features were given"),
    ],
    ids=["unknown-source", "no-features"],
)
def test_bad_null_options_fail_the_check(options: dict, match: str) -> None:
    audit = Audit({"a": [1.0, None], "y": [0, 1]}, "y", progress=False)
    with pytest.raises(AuditCheckError, match=match):
        audit.find_issues(issue_types={"null": options})
