"""The ``near_duplicate`` check: examples (nearly) identical to another one.

As Datalab: with ``d1`` the distance to the nearest neighbour and ``m = max(median(d1), 1e-6)``,
two examples are near duplicates when one lists the other among its ``k`` neighbours closer than
``threshold * m`` (0.13); the relation is made symmetric, and its connected components are the
near-duplicate sets. The score is ``1 - exp(-d1 / m)``, 0 for an exact duplicate.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from goldlabel.audit.checks.options import read_options, require_fraction, require_positive_int
from goldlabel.audit.registry import AuditInputs, IssueResult, register

__all__ = ["DEFAULTS", "check_near_duplicates", "find_near_duplicate_pairs", "to_list_column"]

DEFAULTS: dict[str, Any] = {"k": 10, "threshold": 0.13}
_EPSILON = 1e-6


def find_near_duplicate_pairs(
    indices: np.ndarray, distances: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """The symmetric near-duplicate relation as sorted, distinct ``(row, other)`` pairs.

    Parameters
    ----------
    indices, distances : ndarray of shape (n_samples, k)
        A neighbour graph.
    radius : float
        Pairs strictly closer than this are near duplicates.

    Examples
    --------
    >>> idx = np.array([[1], [0], [1]]); dist = np.array([[0.0], [0.0], [5.0]])
    >>> [a.tolist() for a in find_near_duplicate_pairs(idx, dist, 1.0)]
    [[0, 1], [1, 0]]
    """
    n = indices.shape[0]
    rows, cols = np.nonzero(distances < radius)
    others = indices[rows, cols].astype(np.int64)
    rows = rows.astype(np.int64)
    codes = np.unique(np.concatenate([rows * n + others, others * n + rows]))
    return codes // n, codes % n


def to_list_column(rows: np.ndarray, values: np.ndarray, n: int) -> pd.Series:
    """A column of ``n`` lists, list ``i`` holding ``values[rows == i]`` (``rows`` sorted).

    Stored as an Arrow list column: no Python object per row.

    Examples
    --------
    >>> to_list_column(np.array([0, 0, 2]), np.array([5, 6, 7]), 3).tolist()
    [[5, 6], [], [7]]
    """
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=offsets[1:])
    arrow = pa.LargeListArray.from_arrays(pa.array(offsets), pa.array(values, type=pa.int64()))
    return pd.Series(pd.arrays.ArrowExtensionArray(arrow))


@register(
    "near_duplicate",
    needs=("knn",),
    description="Examples that are exact or near copies of another example.",
)
def check_near_duplicates(inputs: AuditInputs) -> IssueResult:
    """Flag near duplicates; score ``1 - exp(-d1 / m)`` (lower is worse, 0 = exact copy).

    Options: ``k`` (10), ``threshold`` (0.13, a fraction of the median nearest distance).

    Examples
    --------
    >>> from goldlabel.audit.neighbours import SharedKNN
    >>> x = np.array([[0.0, 0.0], [0.0, 0.0], [3.0, 1.0], [7.0, 2.0], [1.0, 5.0]])
    >>> result = check_near_duplicates(AuditInputs(n_samples=5, features=x, knn=SharedKNN(x)))
    >>> result.is_issue.tolist(), result.extra_columns["near_duplicate_sets"].tolist()[:2]
    ([True, True, False, False, False], [[1], [0]])
    """
    opts = read_options(inputs.options, DEFAULTS, check="near_duplicate")
    k = require_positive_int(opts["k"], name="k", check="near_duplicate")
    threshold = require_fraction(
        opts["threshold"], name="threshold", check="near_duplicate", upper=None
    )
    if inputs.knn is None:
        raise ValueError("the near_duplicate check needs features or a knn_graph.")
    graph = inputs.knn(k)
    n = graph.n_samples
    d1 = graph.distances[:, 0]
    median = float(max(np.median(d1), _EPSILON))
    rows, others = find_near_duplicate_pairs(graph.indices, graph.distances, threshold * median)
    is_issue = np.zeros(n, dtype=bool)
    is_issue[rows] = True
    adjacency = sp.csr_matrix((np.ones(rows.size, dtype=np.int8), (rows, others)), shape=(n, n))
    _, component = connected_components(adjacency, directed=False)
    # number the sets 0, 1, ... in order of their lowest member; -1 for everyone else
    set_ids = np.full(n, -1, dtype=np.int64)
    if rows.size:
        _, first = np.unique(component[is_issue], return_inverse=True)
        set_ids[is_issue] = first.ravel()
    score = 1.0 - np.exp(-d1 / median)
    score[np.isclose(d1, 0.0)] = 0.0
    info = {
        "k": graph.k,
        "metric": graph.metric,
        "threshold": threshold,
        "radius": threshold * median,
        "median_distance_to_nearest_neighbor": median,
        "num_sets": int(set_ids.max() + 1),
        "set_ids": set_ids,
        "nearest_neighbor": graph.indices[:, 0],
        "distance_to_nearest_neighbor": d1,
        "average_near_duplicate_score": float(score.mean()),
    }
    return IssueResult(
        is_issue=is_issue,
        score=score,
        summary_score=float(score.mean()),
        info=info,
        extra_columns={
            "near_duplicate_sets": to_list_column(rows, others, n),
            "distance_to_nearest_neighbor": d1,
        },
    )
