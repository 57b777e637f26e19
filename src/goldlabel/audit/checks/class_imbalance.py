"""The ``class_imbalance`` check: examples of a class far rarer than the others.

As Datalab: with ``q`` the frequency of the rarest class among the labeled rows and ``K`` the number
of classes, every example of that class is flagged when ``q < threshold / K`` (threshold 0.1).
Members of the rarest class score ``q``, everyone else 1; unlabeled rows score 1 and are never flagged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from goldlabel.audit.checks.options import read_options, require_fraction
from goldlabel.audit.registry import AuditInputs, IssueResult, register

__all__ = ["DEFAULTS", "check_class_imbalance"]

DEFAULTS: dict[str, Any] = {"threshold": 0.1}


@register(
    "class_imbalance",
    needs=("labels",),
    description="Examples of a class that is much rarer than the others.",
)
def check_class_imbalance(inputs: AuditInputs) -> IssueResult:
    """Flag the rarest class when it holds fewer than ``threshold / K`` of the labeled examples.

    Options: ``threshold`` (0.1).

    Examples
    --------
    >>> labels = np.array([0] * 50 + [1] * 49 + [2])
    >>> result = check_class_imbalance(AuditInputs(n_samples=100, labels=labels, class_names=("a", "b", "c")))
    >>> np.flatnonzero(result.is_issue).tolist(), result.info["rarest_class"]
    ([99], 'c')
    """
    opts = read_options(inputs.options, DEFAULTS, check="class_imbalance")
    threshold = require_fraction(opts["threshold"], name="threshold", check="class_imbalance")
    labels = np.asarray(inputs.labels, dtype=np.int64)
    labeled = labels >= 0
    names = inputs.class_names or ()
    n_classes = max(len(names), int(labels.max()) + 1 if labeled.any() else 0, 1)
    counts = np.bincount(labels[labeled], minlength=n_classes)
    freq = counts / max(int(labeled.sum()), 1)
    rarest = int(np.argmin(freq))
    imbalanced = bool(freq[rarest] < threshold / n_classes)
    in_rarest = labels == rarest
    score = np.where(in_rarest, freq[rarest], 1.0)
    rarest_name = names[rarest] if rarest < len(names) else rarest
    return IssueResult(
        is_issue=in_rarest & imbalanced,
        score=score,
        summary_score=float(freq[rarest]),
        info={
            "threshold": threshold,
            "rarest_class": rarest_name,
            "rarest_class_index": rarest,
            "rarest_class_frequency": float(freq[rarest]),
            "class_counts": dict(zip(names or range(n_classes), counts.tolist(), strict=False)),
            "imbalanced": imbalanced,
        },
    )
