"""The data-valuation check: kNN-Shapley values of every example, in linear memory.

Every labeled example acts once as a test point ("anchor") for a k-nearest-neighbour classifier
trained on the rest. Walking the anchor's ``k`` neighbours from the farthest to the nearest, each
neighbour's value is the previous one plus the change in "does this neighbour's label match the
anchor's". That recursion telescopes: the neighbour at rank ``r`` (0 = nearest) receives
``m_r - m_{k-1}`` from this anchor, where ``m_r`` is 1 when its label matches the anchor's. The
value of an example is the sum of what it receives, divided by ``k`` and the number of anchors,
and reported as ``(v + 1) / 2`` so it lies in [0, 1]; below 0.5 is flagged.

These are Datalab's values (``cleanlab.data_valuation.data_shapley_knn``), computed with one
weighted ``bincount`` over the ``N x k`` graph, where cleanlab fills a dense ``N x N`` float64
matrix (6.4 GB at ``N = 2e4``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from goldlabel.audit.checks.options import read_options, require_fraction, require_positive_int
from goldlabel.audit.registry import AuditInputs, IssueResult, register
from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidOptionError

__all__ = ["compute_knn_shapley_values", "find_data_valuation_issues"]

_DEFAULTS: dict[str, Any] = {"k": 10, "threshold": 0.5}


def compute_knn_shapley_values(
    labels: np.ndarray, neighbors: np.ndarray, *, k: int = 10
) -> np.ndarray:
    """kNN-Shapley value of every example, mapped to [0, 1] (higher = more valuable).

    Parameters
    ----------
    labels : ndarray of shape (n_samples,), int
        Class indices; -1 marks an unlabeled example. An unlabeled example is never an anchor,
        never matches an anchor's label, and gets a NaN value.
    neighbors : ndarray of shape (n_samples, >= k), int
        Each row's nearest other examples, nearest first (``KNNGraph.indices``).
    k : int, default 10
        How many of each row's neighbours to use.

    Returns
    -------
    values : ndarray of shape (n_samples,)
        ``(v + 1) / 2`` where ``v`` is the kNN-Shapley value; NaN for unlabeled examples.

    Examples
    --------
    >>> import numpy as np
    >>> from goldlabel.knn import build_knn_graph
    >>> graph = build_knn_graph(np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [10.0]]), k=3)
    >>> compute_knn_shapley_values(np.array([0, 0, 0, 1, 1, 1]), graph.indices, k=3).round(3).tolist()
    [0.528, 0.528, 0.556, 0.528, 0.556, 0.5]
    """
    y = np.asarray(labels)
    nbr = np.asarray(neighbors)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise InvalidLabelsError(
            "labels must be a 1-D integer array of class indices (-1 = unlabeled); got "
            f"shape {y.shape} and dtype {y.dtype}."
        )
    n = y.shape[0]
    if nbr.ndim != 2 or nbr.shape[0] != n or not np.issubdtype(nbr.dtype, np.integer):
        raise DataValidationError(
            f"neighbors must be an integer array of shape ({n}, k), one row per label; got "
            f"shape {nbr.shape} and dtype {nbr.dtype}."
        )
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= nbr.shape[1]:
        raise InvalidOptionError(
            f"k must be an integer between 1 and the {nbr.shape[1]} neighbours per row given; "
            f"got {k!r}. Build the neighbour graph with at least k neighbours."
        )
    if n and (nbr.min() < 0 or nbr.max() >= n):
        raise DataValidationError(
            f"neighbors must be row indices in [0, {n - 1}]; got values between {nbr.min()} and "
            f"{nbr.max()}."
        )
    labeled = y >= 0
    anchors = np.flatnonzero(labeled)
    total = np.zeros(n)
    chunk = max(1, (1 << 22) // max(1, k))  # about 4M neighbour entries per pass
    for start in range(0, anchors.shape[0], chunk):
        rows = anchors[start : start + chunk]
        idx = nbr[rows, :k]
        match = (y[idx] == y[rows, None]).astype(np.float64)
        match -= match[:, -1:]
        total += np.bincount(idx.ravel(), weights=match.ravel(), minlength=n)
    n_anchors = max(1, anchors.shape[0])
    values = 0.5 * (total / (k * n_anchors) + 1.0)
    values[~labeled] = np.nan
    return values


def _read_options(options: Mapping[str, Any]) -> dict[str, Any]:
    opts = read_options(options, _DEFAULTS, check="data_valuation")
    opts["k"] = require_positive_int(opts["k"], name="k", check="data_valuation")
    opts["threshold"] = require_fraction(
        opts["threshold"], name="threshold", check="data_valuation"
    )
    return opts


@register(
    "data_valuation",
    needs=("labels", "knn"),
    default=False,
    description=(
        "Examples that contribute least to a k-nearest-neighbour model of the labels "
        "(kNN-Shapley value below 0.5 on a [0, 1] scale): often mislabeled or redundant."
    ),
)
def find_data_valuation_issues(inputs: AuditInputs) -> IssueResult:
    """Run the data-valuation check on the audit's shared kNN graph.

    Options (``issue_types={"data_valuation": {...}}``): ``k`` (10), ``threshold`` (0.5). Unlabeled
    rows get a NaN score and are never flagged.

    Examples
    --------
    >>> import numpy as np
    >>> from goldlabel.audit.registry import AuditInputs
    >>> from goldlabel.knn import build_knn_graph
    >>> x = np.r_[np.zeros(20), np.ones(20)][:, None] + np.arange(40)[:, None] * 1e-3
    >>> labels = np.r_[np.zeros(20, int), np.ones(20, int)]
    >>> labels[5] = 1  # a mislabeled example among the zeros
    >>> graph = build_knn_graph(x, k=10)
    >>> result = find_data_valuation_issues(
    ...     AuditInputs(n_samples=40, labels=labels, knn=graph.truncate)
    ... )
    >>> bool(result.is_issue[5]), bool(result.score[5] < 0.5)
    (True, True)
    """
    opts = _read_options(inputs.options)
    if inputs.labels is None or inputs.knn is None:
        raise DataValidationError(
            "the data_valuation check needs labels and a neighbour graph; pass a label column and "
            "features or a knn_graph."
        )
    k = int(min(opts["k"], inputs.n_samples - 1))
    graph = inputs.knn(k)
    values = compute_knn_shapley_values(inputs.labels, graph.indices, k=k)
    labeled = ~np.isnan(values)
    is_issue = labeled & (np.where(labeled, values, 1.0) < opts["threshold"])
    summary = float(values[labeled].mean()) if labeled.any() else 1.0
    info = {
        "num_low_valuation_issues": int(is_issue.sum()),
        "average_data_valuation": summary,
        "k": k,
        "threshold": float(opts["threshold"]),
        "metric": graph.metric,
    }
    return IssueResult(is_issue=is_issue, score=values, summary_score=summary, info=info)
