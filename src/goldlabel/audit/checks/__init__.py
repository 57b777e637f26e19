"""The built-in checks. Importing this package registers every one of them through
:func:`goldlabel.audit.register`, exactly as a third-party check registers itself.

Registration order is the order checks run and appear in results (Datalab's order).
"""

from __future__ import annotations

from goldlabel.audit.checks import label, outlier, near_duplicate  # isort: skip
from goldlabel.audit.checks import non_iid, class_imbalance, underperforming_group  # isort: skip
from goldlabel.audit.checks import null, data_valuation  # isort: skip

__all__ = [
    "class_imbalance",
    "data_valuation",
    "label",
    "near_duplicate",
    "non_iid",
    "null",
    "outlier",
    "underperforming_group",
]
