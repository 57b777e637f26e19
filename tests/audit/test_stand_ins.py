"""A check may declare an option that stands in for an input it needs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldlabel.audit import Audit, AuditInputs, IssueResult, register, unregister
from goldlabel.exceptions import InvalidOptionError


@pytest.fixture
def groups_check():
    @register(
        "given_groups",
        needs=("labels", "knn"),
        stand_ins={"knn": "groups"},
        default=False,
        description="flags the rows of the group named 'bad'",
    )
    def run(inputs: AuditInputs) -> IssueResult:
        groups = np.asarray(inputs.options["groups"])
        bad = groups == "bad"
        return IssueResult(
            is_issue=bad, score=np.where(bad, 0.0, 1.0), summary_score=1 - bad.mean()
        )

    yield "given_groups"
    unregister("given_groups")


def test_an_option_stands_in_for_a_missing_input(groups_check: str) -> None:
    audit = Audit(pd.DataFrame({"label": [0, 1, 0, 1]}), "label", progress=False)
    audit.find_issues(issue_types={groups_check: {"groups": ["ok", "bad", "ok", "bad"]}})
    assert audit.get_issues(groups_check)["is_given_groups_issue"].tolist() == [
        False,
        True,
        False,
        True,
    ]


def test_without_the_option_the_missing_input_is_refused_and_the_option_named(
    groups_check: str,
) -> None:
    audit = Audit(pd.DataFrame({"label": [0, 1, 0, 1]}), "label", progress=False)
    with pytest.raises(
        InvalidOptionError, match=r"Or pass issue_types=\{'given_groups': \{'groups'"
    ):
        audit.find_issues(issue_types={groups_check: {}})
