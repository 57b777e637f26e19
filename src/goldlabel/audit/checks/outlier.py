"""The ``outlier`` check: examples unlike the rest of the dataset.

From a neighbour graph (features or a given ``knn_graph``), as Datalab: the mean distance ``d`` to
the ``k`` nearest neighbours, score ``exp(-t * d / s)`` with ``s`` the median of ``d``, flagged when
``d > Q3 + (1/threshold - 1) * IQR`` (threshold 0.37037, i.e. Q3 + 1.7 IQR). Exact duplicates
(distance 0) score 1. Without a graph, from ``pred_probs``: one minus the normalised entropy of the
probabilities adjusted by the per-class confident thresholds, flagged below ``0.13 * median``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import softmax

from goldlabel.audit.checks.options import read_options, require_fraction, require_positive_int
from goldlabel.audit.registry import AuditInputs, IssueResult, register
from goldlabel.core import compute_confident_thresholds
from goldlabel.core.scoring import adjust_pred_probs, compute_normalized_entropy
from goldlabel.exceptions import InvalidOptionError

__all__ = ["DEFAULTS", "METHODS", "check_outliers", "score_distances", "score_pred_probs"]

DEFAULTS: dict[str, Any] = {
    "k": 10,
    "t": 1.0,
    "threshold": None,
    "scaling_factor": None,
    "method": "entropy",
    "adjust_pred_probs": True,
}
#: Default thresholds: an IQR multiplier for features, a fraction of the median for pred_probs.
DEFAULT_THRESHOLDS = {"features": 0.37037, "pred_probs": 0.13}
METHODS = ("entropy", "least_confidence", "gen")
_TOLERANCE = {
    "cosine": 100 * np.finfo(np.float64).epsneg,
    "euclidean": float(np.sqrt(100 * np.finfo(np.float64).eps)),
}


def score_distances(
    mean_distances: np.ndarray, *, t: float = 1.0, scaling_factor: float | None = None
) -> tuple[np.ndarray, float]:
    """``exp(-t * d / s)`` for each mean neighbour distance ``d``, and the ``s`` used.

    ``s`` defaults to ``max(median(d), 100 * machine epsilon)``.

    Examples
    --------
    >>> scores, s = score_distances(np.array([1.0, 2.0, 3.0]))
    >>> np.round(scores, 3).tolist(), s
    ([0.607, 0.368, 0.223], 2.0)
    """
    if scaling_factor is None:
        scaling_factor = float(max(np.median(mean_distances), 100 * np.finfo(np.float64).eps))
    return np.exp(-t * mean_distances / scaling_factor), float(scaling_factor)


def score_pred_probs(
    pred_probs: np.ndarray,
    labels: np.ndarray | None = None,
    *,
    method: str = "entropy",
    adjust: bool = True,
) -> np.ndarray:
    """Out-of-distribution scores from predicted probabilities (lower is more unusual).

    With ``adjust`` and labels (-1 = unlabeled, ignored), each class's probabilities are first
    shifted by its confident threshold, as Datalab does.

    Examples
    --------
    >>> probs = np.array([[0.9, 0.1], [0.5, 0.5]])
    >>> np.round(score_pred_probs(probs, adjust=False), 3).tolist()
    [0.531, 0.0]
    """
    if method not in METHODS:
        raise InvalidOptionError(
            f"option 'method' of check 'outlier' must be one of {METHODS}; got {method!r}."
        )
    probs = np.asarray(pred_probs, dtype=np.float64)
    if adjust and labels is not None and (labels >= 0).any():
        labeled = labels >= 0
        thresholds = compute_confident_thresholds(labels[labeled], probs[labeled])
        probs = adjust_pred_probs(None, probs, confident_thresholds=thresholds)
    if method == "entropy":
        return 1.0 - compute_normalized_entropy(np.clip(probs, 0.0, 1.0))
    if method == "least_confidence":
        return probs.max(axis=1)
    top = np.sort(softmax(probs, axis=1), axis=1)[:, -100:]
    gamma = 0.1
    return 1.0 - np.sum(top**gamma * (1.0 - top) ** gamma, axis=1) / 100


@register(
    "outlier",
    needs=("knn|pred_probs",),
    description="Examples very different from the rest of the dataset (rare or out of distribution).",
)
def check_outliers(inputs: AuditInputs) -> IssueResult:
    """Flag outliers from the neighbour graph if there is one, else from ``pred_probs``.

    Options: ``k`` (10), ``t`` (1), ``threshold`` (0.37037 from neighbours, 0.13 from
    pred_probs), ``scaling_factor`` (median mean distance), ``method`` (``"entropy"``,
    pred_probs only), ``adjust_pred_probs`` (True, pred_probs only).

    Examples
    --------
    >>> from goldlabel.audit.neighbours import SharedKNN
    >>> x = np.r_[np.random.default_rng(0).normal(size=(60, 2)), [[9.0, 9.0]]]
    >>> result = check_outliers(AuditInputs(n_samples=61, features=x, knn=SharedKNN(x)))
    >>> bool(result.is_issue[60]), int(np.argmin(result.score))
    (True, 60)
    """
    opts = read_options(inputs.options, DEFAULTS, check="outlier")
    k = require_positive_int(opts["k"], name="k", check="outlier")
    t = require_fraction(opts["t"], name="t", check="outlier", upper=None)
    if inputs.knn is not None:
        threshold = (
            DEFAULT_THRESHOLDS["features"] if opts["threshold"] is None else opts["threshold"]
        )
        threshold = require_fraction(threshold, name="threshold", check="outlier")
        graph = inputs.knn(k)
        mean_d = graph.distances.mean(axis=1)
        q1, q3 = np.percentile(mean_d, [25, 75])
        cutoff = q3 + (1.0 / threshold - 1.0) * (q3 - q1) if threshold > 0 else np.inf
        scaling = opts["scaling_factor"]
        if scaling is not None:
            scaling = require_fraction(scaling, name="scaling_factor", check="outlier", upper=None)
        score, scaling = score_distances(mean_d, t=t, scaling_factor=scaling)
        score[mean_d < _TOLERANCE[graph.metric]] = 1.0
        is_issue = mean_d > cutoff
        info: dict[str, Any] = {
            "source": "knn",
            "k": graph.k,
            "t": t,
            "metric": graph.metric,
            "threshold": threshold,
            "issue_threshold": float(cutoff),
            "scaling_factor": scaling,
            "mean_distance": mean_d,
            "nearest_neighbor": graph.indices[:, 0],
            "distance_to_nearest_neighbor": graph.distances[:, 0],
        }
    else:
        threshold = (
            DEFAULT_THRESHOLDS["pred_probs"] if opts["threshold"] is None else opts["threshold"]
        )
        threshold = require_fraction(threshold, name="threshold", check="outlier", upper=None)
        adjust = bool(opts["adjust_pred_probs"])
        score = score_pred_probs(
            np.asarray(inputs.pred_probs), inputs.labels, method=opts["method"], adjust=adjust
        )
        cutoff = threshold * float(np.median(score))
        is_issue = score < cutoff
        info = {
            "source": "pred_probs",
            "method": opts["method"],
            "adjusted": adjust and inputs.labels is not None,
            "threshold": threshold,
            "issue_threshold": cutoff,
        }
    info["average_outlier_score"] = float(score.mean())
    return IssueResult(is_issue=is_issue, score=score, summary_score=float(score.mean()), info=info)
