"""The ``label`` check: examples whose given label is likely wrong (confident learning).

With ``pred_probs`` it is Datalab's label check: ``find_label_issues`` with ``prune_by_noise_rate``
on the calibrated confident joint and ``min_examples_per_class=10``; the score is the
self-confidence ``p[given label]``. With features only, the predicted probabilities come from a
k-nearest-neighbour vote on the audit's shared graph, each example's own vote left out (the graph
never lists an example as its own neighbour). Unlabeled rows are never flagged and score NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from goldlabel.audit.checks.options import (
    collect_warnings,
    read_options,
    require_fraction,
    require_positive_int,
)
from goldlabel.audit.registry import AuditInputs, IssueResult, register
from goldlabel.core import (
    compute_confident_joint,
    compute_confident_thresholds,
    count_label_issues,
    find_label_issues,
)
from goldlabel.exceptions import InvalidOptionError

__all__ = ["DEFAULTS", "check_labels", "vote_pred_probs"]

DEFAULTS: dict[str, Any] = {
    "k": 10,
    "filter_by": "prune_by_noise_rate",
    "min_examples_per_class": 10,
    "frac_noise": 1.0,
}


def vote_pred_probs(neighbours: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Each row's class distribution among its neighbours' labels (unlabeled neighbours skipped).

    Parameters
    ----------
    neighbours : ndarray of shape (n_samples, k), int
        Neighbour indices, never the row itself.
    labels : ndarray of shape (n_samples,), int
        Class indices, -1 for unlabeled.
    n_classes : int

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        Rows sum to 1; a row with no labeled neighbour is uniform.

    Examples
    --------
    >>> vote_pred_probs(np.array([[1, 2], [0, 2], [0, 1]]), np.array([0, 0, 1]), 2).tolist()
    [[0.5, 0.5], [0.5, 0.5], [1.0, 0.0]]
    """
    n = neighbours.shape[0]
    votes = labels[neighbours]
    known = votes >= 0
    cells = (np.arange(n, dtype=np.int64)[:, None] * n_classes + votes)[known]
    counts = np.bincount(cells, minlength=n * n_classes).reshape(n, n_classes).astype(np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    empty = totals[:, 0] == 0
    counts[empty] = 1.0
    totals[empty] = n_classes
    return counts / totals


@register(
    "label",
    needs=("labels", "pred_probs|knn"),
    description=(
        "Examples whose given label looks wrong: the model (or the example's neighbours) "
        "confidently prefers another class."
    ),
)
def check_labels(inputs: AuditInputs) -> IssueResult:
    """Flag likely mislabeled examples; score = self-confidence (lower is worse).

    Options: ``k`` (neighbours for the features-only vote, 10), ``filter_by``
    (``"prune_by_noise_rate"``), ``min_examples_per_class`` (10), ``frac_noise`` (1.0).

    Examples
    --------
    >>> labels = np.array([0] * 12 + [1] * 12)
    >>> probs = np.tile([[0.9, 0.1]], (24, 1)); probs[12:] = [0.1, 0.9]; probs[0] = [0.05, 0.95]
    >>> result = check_labels(AuditInputs(n_samples=24, labels=labels, pred_probs=probs))
    >>> np.flatnonzero(result.is_issue).tolist(), result.extra_columns["predicted_label"][0]
    ([0], 1)
    """
    opts = read_options(inputs.options, DEFAULTS, check="label")
    k = require_positive_int(opts["k"], name="k", check="label")
    min_per_class = int(opts["min_examples_per_class"])
    frac_noise = require_fraction(opts["frac_noise"], name="frac_noise", check="label")
    labels = np.asarray(inputs.labels, dtype=np.int64)
    n = inputs.n_samples
    names = inputs.class_names or ()
    if inputs.pred_probs is not None:
        probs = np.asarray(inputs.pred_probs)
        source = "pred_probs"
    elif inputs.knn is not None:
        n_classes = max(len(names), int(labels.max()) + 1)
        probs = vote_pred_probs(inputs.knn(k).indices, labels, n_classes)
        source = "features"
    else:
        raise InvalidOptionError("the label check needs pred_probs, features or a knn_graph.")
    labeled = labels >= 0
    lab, lab_probs = labels[labeled], probs[labeled]
    caught: list[str] = []
    with collect_warnings(caught):
        mask = find_label_issues(
            lab,
            lab_probs,
            filter_by=opts["filter_by"],
            min_examples_per_class=min_per_class,
            frac_noise=frac_noise,
        )
        estimated = count_label_issues(lab, lab_probs)
        joint = compute_confident_joint(lab, lab_probs)
        thresholds = compute_confident_thresholds(lab, lab_probs)
    is_issue = np.zeros(n, dtype=bool)
    is_issue[labeled] = mask
    score = np.full(n, np.nan)
    score[labeled] = lab_probs[np.arange(lab.size), lab]
    predicted = probs.argmax(axis=1)
    class_array = np.empty(probs.shape[1], dtype=object)
    class_array[:] = [names[i] if i < len(names) else i for i in range(probs.shape[1])]
    given = np.full(n, None, dtype=object)
    given[labeled] = class_array[lab]
    info = {
        "source": source,
        "k": k if source == "features" else None,
        "num_labeled": int(lab.size),
        "num_label_issues": int(mask.sum()),
        "estimated_num_label_issues": int(estimated),
        "average_label_quality": float(np.nanmean(score)),
        "confident_joint": joint,
        "confident_thresholds": thresholds,
        "filter_by": opts["filter_by"],
        "min_examples_per_class": min_per_class,
        "warnings": caught,
    }
    if source == "features":
        info["pred_probs"] = probs
    return IssueResult(
        is_issue=is_issue,
        score=score,
        summary_score=1.0 - estimated / max(lab.size, 1),
        info=info,
        extra_columns={"given_label": given, "predicted_label": class_array[predicted]},
    )
