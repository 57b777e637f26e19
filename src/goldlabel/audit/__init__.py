"""The dataset audit: every issue type in one call, one report.

>>> import numpy as np
>>> from goldlabel.audit import Audit
>>> x = np.random.default_rng(0).normal(size=(200, 2))
>>> audit = Audit({"x0": x[:, 0], "x1": x[:, 1]}, progress=False).find_issues(features=x)
>>> "near_duplicate" in list(audit.get_issue_summary()["issue_type"])
True
"""

from __future__ import annotations

from goldlabel.audit.registry import (
    AuditInputs,
    Check,
    IssueResult,
    get_check,
    list_checks,
    register,
    unregister,
)

from goldlabel.audit.audit import Audit  # isort: skip
from goldlabel.audit import checks  # isort: skip  # registers the built-in checks

__all__ = [
    "Audit",
    "AuditInputs",
    "Check",
    "IssueResult",
    "checks",
    "get_check",
    "list_checks",
    "register",
    "unregister",
]
