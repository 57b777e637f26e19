"""The underperforming-group check: a region of the data where the model does much worse.

Examples are grouped into clusters, by default with DBSCAN on the audit's shared kNN distance graph
(``eps=0.5``, ``min_samples=5``, as Datalab), or by ``cluster_ids`` the user gives. The noise
cluster (-1) and clusters with fewer than ``min_cluster_samples`` members are set aside. Each
remaining cluster's mean self-confidence (the predicted probability of the given label) is divided
by the mean over every example in those clusters; the cluster with the lowest ratio is flagged when
the ratio is below ``threshold`` (0.1). Members of every cluster that does worse than average score
its ratio, everyone else scores 1.

Two differences from Datalab, both deliberate:

* The flagged cluster is the one with the lowest ratio. Datalab compares each cluster's mean
  self-confidence with the running lowest *ratio*, so it can flag a cluster that is not the worst.
* When clustering finds no cluster of ``min_cluster_samples`` examples, the check reports no issue
  and says why in ``info["message"]``; Datalab raises (and its audit prints the error).

Unlabeled rows (-1) count toward a cluster's size and share its score, but not toward any mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import DBSCAN

from goldlabel.audit.checks.options import read_options, require_fraction, require_positive_int
from goldlabel.audit.registry import AuditInputs, IssueResult, register
from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.knn import KNNGraph

__all__ = ["cluster_knn_graph", "find_underperforming_group_issues", "score_clusters"]

_DEFAULTS: dict[str, Any] = {
    "k": 10,
    "threshold": 0.1,
    "min_cluster_samples": 5,
    "clustering_kwargs": None,
    "cluster_ids": None,
}
_CLUSTERING_KEYS = ("eps", "min_samples")
_MAX_DAG_PASSES = 200


def cluster_knn_graph(graph: KNNGraph, *, eps: float = 0.5, min_samples: int = 5) -> np.ndarray:
    """DBSCAN cluster id of every example, on a kNN distance graph.

    Two examples are neighbours for DBSCAN when the first lists the second among its ``k`` nearest
    at a distance of at most ``eps``; an example counts itself toward ``min_samples``. The result
    is exactly that of scikit-learn's ``DBSCAN(metric="precomputed")`` on ``graph.to_csr()`` (cluster
    numbers included), computed without its per-row Python arrays: a core example belongs to the
    cluster seeded by the lowest-index core example that reaches it through core examples, which
    is found from the strongly connected components of the core graph.

    Parameters
    ----------
    graph : KNNGraph
    eps : float, default 0.5
    min_samples : int, default 5

    Returns
    -------
    cluster_ids : ndarray of shape (n_samples,), int64
        -1 for noise; clusters are numbered in the order of their lowest-index core example.

    Examples
    --------
    >>> import numpy as np
    >>> from goldlabel.knn import build_knn_graph
    >>> x = np.r_[np.arange(6) * 0.1, 50 + np.arange(6) * 0.1, 100.0][:, None]
    >>> cluster_knn_graph(build_knn_graph(x, k=5), eps=0.5, min_samples=5).tolist()
    [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, -1]
    """
    if not isinstance(eps, (int, float)) or not eps > 0:
        raise InvalidOptionError(f"eps must be a positive number; got {eps!r}.")
    if not isinstance(min_samples, (int, np.integer)) or min_samples < 1:
        raise InvalidOptionError(f"min_samples must be a positive integer; got {min_samples!r}.")
    n = graph.n_samples
    close = graph.distances <= eps
    per_row = close.sum(axis=1)
    core = per_row + 1 >= min_samples
    src = np.repeat(np.arange(n, dtype=np.int64), per_row)
    dst = graph.indices[close]
    del close
    from_core = core[src]
    both = from_core & core[dst]
    anchors = _min_core_ancestor(n, np.flatnonzero(core), src[both], dst[both])
    if anchors is None:  # a very deep chain of one-way links: let scikit-learn walk it
        csr = graph.to_csr()
        csr.sort_indices()
        model = DBSCAN(eps=float(eps), min_samples=int(min_samples), metric="precomputed")
        return np.asarray(model.fit_predict(csr), dtype=np.int64)
    # a border example joins the cluster of the earliest seed among the cores that list it
    border = from_core & ~core[dst]
    seed_of = anchors.copy()
    np.minimum.at(seed_of, dst[border], anchors[src[border]])
    seeds = np.unique(anchors[core])
    ids = np.full(n, -1, dtype=np.int64)
    found = seed_of < n
    ids[found] = np.searchsorted(seeds, seed_of[found])
    return ids


def _min_core_ancestor(
    n: int, cores: np.ndarray, src: np.ndarray, dst: np.ndarray
) -> np.ndarray | None:
    """Lowest core index that reaches each core through core->core links (n elsewhere)."""
    links = sp.csr_matrix((np.ones(src.shape[0], dtype=np.int8), (src, dst)), shape=(n, n))
    _, comp = connected_components(links, directed=True, connection="strong")
    n_comp = int(comp.max()) + 1 if n else 0
    lowest = np.full(n_comp, n, dtype=np.int64)
    np.minimum.at(lowest, comp[cores], cores)
    a, b = comp[src], comp[dst]
    across = a != b
    a, b = a[across], b[across]
    if a.size:  # push minima down the DAG of components until nothing changes
        order = np.argsort(b, kind="stable")
        a, b = a[order], b[order]
        starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
        targets = b[starts]
        for _ in range(_MAX_DAG_PASSES):
            incoming = np.minimum(lowest[targets], np.minimum.reduceat(lowest[a], starts))
            if np.array_equal(incoming, lowest[targets]):
                break
            lowest[targets] = incoming
        else:
            return None
    anchors = np.full(n, n, dtype=np.int64)
    anchors[cores] = lowest[comp[cores]]
    return anchors


def score_clusters(
    cluster_ids: np.ndarray,
    self_confidence: np.ndarray,
    *,
    min_cluster_samples: int = 5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each kept cluster's mean self-confidence relative to the mean over all kept clusters.

    Parameters
    ----------
    cluster_ids : ndarray of shape (n_samples,), int
        -1 is noise.
    self_confidence : ndarray of shape (n_samples,)
        Predicted probability of the given label; NaN for unlabeled examples (ignored in means).
    min_cluster_samples : int, default 5
        Smaller clusters are set aside.

    Returns
    -------
    clusters : ndarray of shape (n_clusters,)
        The kept cluster ids, ascending.
    ratios : ndarray of shape (n_clusters,)
        Mean self-confidence of the cluster over the overall mean; NaN for a cluster without a
        labeled member.
    sizes : ndarray of shape (n_clusters,), int64

    Examples
    --------
    >>> import numpy as np
    >>> ids = np.array([0, 0, 0, 1, 1, 1, -1])
    >>> conf = np.array([0.9, 0.9, 0.9, 0.3, 0.3, 0.3, 0.0])
    >>> clusters, ratios, sizes = score_clusters(ids, conf, min_cluster_samples=3)
    >>> clusters.tolist(), ratios.round(2).tolist(), sizes.tolist()
    ([0, 1], [1.5, 0.5], [3, 3])
    """
    uniq, inverse, sizes = np.unique(cluster_ids, return_inverse=True, return_counts=True)
    keep = (uniq != -1) & (sizes >= min_cluster_samples)
    labeled = ~np.isnan(self_confidence)
    conf = np.where(labeled, self_confidence, 0.0)
    sums = np.bincount(inverse, weights=conf, minlength=uniq.shape[0])
    counts = np.bincount(inverse, weights=labeled.astype(np.float64), minlength=uniq.shape[0])
    total = counts[keep].sum()
    overall = sums[keep].sum() / total if total > 0 else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = (sums[keep] / counts[keep]) / overall
    return uniq[keep], ratios, sizes[keep].astype(np.int64)


def _read_options(options: Mapping[str, Any]) -> dict[str, Any]:
    name = "underperforming_group"
    opts = read_options(options, _DEFAULTS, check=name)
    opts["k"] = require_positive_int(opts["k"], name="k", check=name)
    opts["threshold"] = require_fraction(opts["threshold"], name="threshold", check=name)
    opts["min_cluster_samples"] = require_positive_int(
        opts["min_cluster_samples"], name="min_cluster_samples", check=name
    )
    kwargs = opts["clustering_kwargs"] or {}
    if not isinstance(kwargs, Mapping):
        raise InvalidOptionError(
            f"option 'clustering_kwargs' of check {name!r} must be a dict such as "
            f"{{'eps': 0.5, 'min_samples': 5}}; got {type(kwargs).__name__}."
        )
    bad = sorted(set(kwargs) - set(_CLUSTERING_KEYS))
    if bad:
        raise InvalidOptionError(
            f"option 'clustering_kwargs' of check {name!r} got unsupported keys {bad}; the "
            f"clustering runs on the shared kNN graph and takes only {list(_CLUSTERING_KEYS)}."
        )
    opts["clustering_kwargs"] = dict(kwargs)
    return opts


def _read_cluster_ids(cluster_ids: Any, n: int) -> np.ndarray:
    ids = np.asarray(cluster_ids)
    if ids.shape != (n,) or not np.issubdtype(ids.dtype, np.integer):
        raise DataValidationError(
            f"cluster_ids must be an integer array of shape ({n},), one id per example (-1 = no "
            f"cluster); got shape {ids.shape} and dtype {ids.dtype}."
        )
    return ids.astype(np.int64)


def _self_confidence(labels: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    n = labels.shape[0]
    if pred_probs.ndim != 2 or pred_probs.shape[0] != n:
        raise DataValidationError(
            f"pred_probs must have shape ({n}, n_classes), one row per label; got "
            f"{pred_probs.shape}."
        )
    labeled = labels >= 0
    conf = np.full(n, np.nan)
    conf[labeled] = pred_probs[np.flatnonzero(labeled), labels[labeled]]
    return conf


@register(
    "underperforming_group",
    needs=("labels", "pred_probs", "knn"),
    stand_ins={
        "knn": "cluster_ids"
    },  # clusters the user gives need no neighbour graph (as in Datalab)
    default=True,
    description=(
        "A cluster of similar examples where the model's confidence in the given labels is far "
        "below its average (ratio < 0.1): a slice of the data the model has not learned."
    ),
)
def find_underperforming_group_issues(inputs: AuditInputs) -> IssueResult:
    """Run the underperforming-group check.

    Options (``issue_types={"underperforming_group": {...}}``): ``k`` (10), ``threshold`` (0.1),
    ``min_cluster_samples`` (5), ``clustering_kwargs`` (``{"eps": 0.5, "min_samples": 5}``),
    ``cluster_ids`` (an integer array of shape (n_samples,); replaces the clustering).

    Examples
    --------
    >>> import numpy as np
    >>> from goldlabel.audit.registry import AuditInputs
    >>> labels = np.zeros(30, dtype=np.int64)
    >>> pred_probs = np.tile([0.95, 0.05], (30, 1))
    >>> pred_probs[20:] = [0.02, 0.98]  # the model is wrong on the third group
    >>> ids = np.repeat([0, 1, 2], 10)
    >>> result = find_underperforming_group_issues(AuditInputs(
    ...     n_samples=30, labels=labels, pred_probs=pred_probs, options={"cluster_ids": ids}))
    >>> np.flatnonzero(result.is_issue).tolist() == list(range(20, 30)), round(result.summary_score, 3)
    (True, 0.031)
    """
    opts = _read_options(inputs.options)
    n = inputs.n_samples
    if inputs.labels is None or inputs.pred_probs is None:
        raise DataValidationError(
            "the underperforming_group check needs labels and pred_probs; pass both to the audit."
        )
    conf = _self_confidence(np.asarray(inputs.labels), np.asarray(inputs.pred_probs))
    info: dict[str, Any] = {
        "threshold": float(opts["threshold"]),
        "min_cluster_samples": int(opts["min_cluster_samples"]),
    }
    if opts["cluster_ids"] is not None:
        ids = _read_cluster_ids(opts["cluster_ids"], n)
        info["clustering"] = {"algorithm": None, "params": {}}
    else:
        if inputs.knn is None:
            raise DataValidationError(
                "the underperforming_group check needs a neighbour graph to cluster on, or "
                "cluster_ids; pass features or a knn_graph, or issue_types="
                "{'underperforming_group': {'cluster_ids': ...}}."
            )
        k = int(min(opts["k"], n - 1))
        params = {"eps": 0.5, "min_samples": 5, **opts["clustering_kwargs"]}
        graph = inputs.knn(k)
        ids = cluster_knn_graph(graph, **params)
        info.update(k=k, metric=graph.metric)
        info["clustering"] = {"algorithm": "DBSCAN", "params": params}
    clusters, ratios, sizes = score_clusters(
        ids, conf, min_cluster_samples=opts["min_cluster_samples"]
    )
    info["clustering"]["stats"] = {"n_clusters": int(clusters.shape[0]), "cluster_ids": ids}
    scores = np.ones(n)
    is_issue = np.zeros(n, dtype=bool)
    worst_id, worst_ratio = -2, 1.0
    below = np.flatnonzero(ratios < 1.0)
    if below.size:
        low = clusters[below]  # ascending, as np.unique returns them
        pos = np.minimum(np.searchsorted(low, ids), low.shape[0] - 1)
        scores = np.where(low[pos] == ids, ratios[below][pos], 1.0)
        j = below[np.argmin(ratios[below])]
        worst_ratio = float(ratios[j])
        if worst_ratio < opts["threshold"]:
            worst_id = int(clusters[j])
            is_issue = ids == worst_id
    if clusters.size == 0:
        info["message"] = (
            f"no cluster of at least {opts['min_cluster_samples']} examples was found; nothing to "
            "compare. Pass cluster_ids, a larger clustering_kwargs eps, or a smaller "
            "min_cluster_samples."
        )
    info["clustering"]["stats"]["underperforming_cluster_id"] = worst_id
    info["cluster_sizes"] = dict(zip(clusters.tolist(), sizes.tolist(), strict=True))
    return IssueResult(is_issue=is_issue, score=scores, summary_score=worst_ratio, info=info)
