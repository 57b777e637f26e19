"""The non-IID check: is the dataset's row order related to what the rows hold?

If neighbours in feature space also sit near each other in the file (drift, sorted data, batches
collected one after another), the dataset is not independent and identically distributed. The test
looks at the *index distance* ``|i - j|`` between every example ``i`` and each of its ``k`` nearest
neighbours ``j``. Under a random order, the index distance between two distinct rows of an
``N``-row dataset is ``d`` with probability ``P(d) = (N - d) / (N (N - 1) / 2)``.

The statistic is the largest gap between the empirical CDF of all ``N k`` neighbour index distances
and that null CDF (evaluated as Datalab does). Its null distribution comes from re-computing it
after ``num_permutations`` random relabellings of the row positions; a Gaussian KDE of those null
statistics gives the p-value. The check is dataset-level: when ``p < significance_threshold`` only
the single lowest-scoring example is flagged, as in Datalab.

Memory stays at ``O(N + chunk * k)``: each permuted statistic is reduced to a histogram of index
distances (``N`` counts) chunk by chunk, where Datalab materialises ``num_permutations x N x k``
64-bit integers (200 MB at ``N = 1e5``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.stats import gaussian_kde

from goldlabel.audit.checks.options import read_options, require_fraction, require_positive_int
from goldlabel.audit.registry import AuditInputs, IssueResult, register
from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.knn import build_knn_graph

__all__ = ["compute_non_iid_scores", "find_non_iid_issues", "run_non_iid_test"]

_CHUNK_ROWS = 1 << 14
_DEFAULTS: dict[str, Any] = {
    "k": 10,
    "num_permutations": 25,
    "seed": 0,
    "significance_threshold": 0.05,
}


def _check_neighbors(neighbors: np.ndarray) -> np.ndarray:
    nbr = np.asarray(neighbors)
    if nbr.ndim != 2 or nbr.shape[0] < 2 or nbr.shape[1] < 1:
        raise DataValidationError(
            "neighbors must be a 2-D integer array of shape (n_samples, k) with n_samples >= 2 "
            f"and k >= 1; got shape {nbr.shape}."
        )
    if not np.issubdtype(nbr.dtype, np.integer):
        raise DataValidationError(
            f"neighbors must hold integer row indices; got dtype {nbr.dtype}. "
            "Pass KNNGraph.indices."
        )
    n = nbr.shape[0]
    if nbr.min() < 0 or nbr.max() >= n:
        raise DataValidationError(
            f"neighbors must be row indices in [0, {n - 1}]; got values between {nbr.min()} and "
            f"{nbr.max()}."
        )
    return nbr


def _distance_histogram(neighbors: np.ndarray, positions: np.ndarray | None) -> np.ndarray:
    """Counts of neighbour index distances 0..N-1, with rows placed at ``positions`` (or in order)."""
    n = neighbors.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    rows = max(_CHUNK_ROWS, n // 16)  # each pass also allocates N counts: keep passes few
    for start in range(0, n, rows):
        block = neighbors[start : start + rows]
        if positions is None:
            own = np.arange(start, start + block.shape[0], dtype=np.int64)[:, None]
            dist = np.abs(block - own)
        else:
            own = positions[start : start + block.shape[0], None]
            dist = np.abs(positions[block] - own)
        counts += np.bincount(dist.ravel(), minlength=n)
    return counts


def _ks_statistic(counts: np.ndarray, null_cdf: np.ndarray) -> float:
    """Datalab's KS-type gap between the sorted neighbour distances and the null CDF.

    With the ``M`` sorted distances ``s_0 <= ... <= s_{M-1}`` (and ``s_M = N - 1`` appended), the
    statistic is ``max_j |j / M - F(s_j)|``. For all ``j`` sharing one value ``d`` the largest gap
    is at the first or the last such ``j``, so a histogram of distances suffices.
    """
    total = int(counts.sum())
    present = np.flatnonzero(counts)
    after = np.cumsum(counts)[present]
    before = after - counts[present]
    cdf = null_cdf[present]
    gap_first = np.abs(before / total - cdf)
    gap_last = np.abs((after - 1) / total - cdf)
    closing = abs(1.0 - null_cdf[-1])  # the appended s_M = N - 1 at j = M
    return float(max(gap_first.max(), gap_last.max(), closing))


def _null_cdf(n: int) -> np.ndarray:
    """``F(d) = P(D <= d)`` for d = 0..N-1 under a random order, by the same cumulative sum as Datalab."""
    cdf = np.zeros(n)
    cdf[1:] = np.cumsum((n - np.arange(1, n)) / (n * (n - 1) / 2))
    return cdf


def _kde_p_value(observed: float, null: np.ndarray) -> float:
    if np.ptp(null) == 0.0:  # a KDE of identical values is singular: a step at that value
        return 1.0 if observed <= null[0] else 0.0
    return float(min(1.0, max(0.0, gaussian_kde(null).integrate_box_1d(observed, 100.0))))


def run_non_iid_test(
    neighbors: np.ndarray,
    *,
    num_permutations: int = 25,
    seed: int | None = 0,
) -> tuple[float, float, np.ndarray]:
    """Permutation test of whether row order and neighbourhoods are related.

    Parameters
    ----------
    neighbors : ndarray of shape (n_samples, k), int
        The ``k`` nearest other examples of each row (``KNNGraph.indices``).
    num_permutations : int, default 25
        Random re-orderings of the rows that make the null distribution.
    seed : int or None, default 0
        Seed of the permutations. With the same seed the permutations are those of Datalab
        (``numpy.random.RandomState(seed).permutation``); the global random state is never touched.

    Returns
    -------
    statistic : float
        The observed KS-type statistic.
    p_value : float
        Mass of a Gaussian KDE of the null statistics above the observed one.
    null_statistics : ndarray of shape (num_permutations,)

    Examples
    --------
    >>> import numpy as np
    >>> ordered = np.array([[1], [0], [1], [2], [3], [4], [5], [6], [7], [8]])  # i's neighbour is i-1
    >>> stat, p, null = run_non_iid_test(ordered, num_permutations=25, seed=0)
    >>> round(stat, 3), p < 0.05, null.shape
    (0.7, True, (25,))
    """
    nbr = _check_neighbors(neighbors)
    if not isinstance(num_permutations, (int, np.integer)) or num_permutations < 2:
        raise InvalidOptionError(
            f"num_permutations must be an integer >= 2 (a KDE needs two points); got "
            f"{num_permutations!r}. Datalab's default is 25."
        )
    n = nbr.shape[0]
    cdf = _null_cdf(n)
    observed = _ks_statistic(_distance_histogram(nbr, None), cdf)
    rng = np.random.RandomState(seed)
    null = np.empty(int(num_permutations))
    for t in range(int(num_permutations)):
        positions = rng.permutation(n).astype(np.int32 if n < 2**31 else np.int64)
        null[t] = _ks_statistic(_distance_histogram(nbr, positions), cdf)
    return observed, _kde_p_value(observed, null), null


def _example_stats(sorted_dist: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """Area between each example's neighbour-distance CDF and its own null CDF, per interval."""
    k = sorted_dist.shape[1]
    x = np.empty((rows.shape[0], k + 1))
    x[:, :k] = sorted_dist
    x[:, k] = n - 1
    # Under a random order, example i sees each distance 1..h twice (h = min(i, N-1-i)), each
    # distance h+1..N-1-h once, and none beyond; the null CDF G_i rises at slope 2/(N-1), then
    # 1/(N-1), then stays at 1. area(x) is the integral of G_i from 0 to x.
    h = np.minimum(rows, n - 1 - rows).astype(np.float64)[:, None]
    end = n - 1 - h
    scale = 1.0 / (n - 1)
    area_low = x * x * scale
    area_mid = (h * h + 0.5 * (x + 3 * h) * (x - h)) * scale
    area_high = (h * h + 0.5 * (end + 3 * h) * (end - h)) * scale + (x - end)
    area = np.where(x <= h, area_low, np.where(x <= end, area_mid, area_high))
    step = np.diff(area, axis=1, prepend=0.0)
    width = np.diff(x, axis=1, prepend=0.0)
    own = np.arange(k + 1) / k * width  # the empirical CDF is j/k on the j-th interval
    return np.abs(own - step).sum(axis=1)


def compute_non_iid_scores(neighbors: np.ndarray) -> np.ndarray:
    """Per-example non-IID score in [0, 1]: how unlike a random order its neighbours' positions are.

    The score is ``1 - tanh(A_i / max(i, N - i))`` where ``A_i`` sums, over the intervals between
    the example's sorted neighbour index distances, the absolute difference between the area under
    the example's empirical CDF and the area under its position-dependent null CDF (Datalab's
    per-example score). Lower is worse.

    Parameters
    ----------
    neighbors : ndarray of shape (n_samples, k), int

    Returns
    -------
    scores : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> nbr = np.array([[(i + 1) % 200, (i + 2) % 200] for i in range(200)])
    >>> shuffled = rng.permutation(nbr)  # row i now lists another row's neighbours
    >>> bool(compute_non_iid_scores(nbr).mean() < compute_non_iid_scores(shuffled).mean())
    True
    """
    nbr = _check_neighbors(neighbors)
    n = nbr.shape[0]
    scores = np.empty(n)
    for start in range(0, n, _CHUNK_ROWS):
        block = nbr[start : start + _CHUNK_ROWS]
        rows = np.arange(start, start + block.shape[0], dtype=np.int64)
        dist = np.sort(np.abs(block - rows[:, None]), axis=1)
        stats = _example_stats(dist, rows, n)
        scores[start : start + block.shape[0]] = stats / np.maximum(rows, n - rows)
    return 1.0 - np.tanh(scores)


def _read_options(options: Mapping[str, Any]) -> dict[str, Any]:
    opts = read_options(options, _DEFAULTS, check="non_iid")
    opts["k"] = require_positive_int(opts["k"], name="k", check="non_iid")
    opts["num_permutations"] = require_positive_int(
        opts["num_permutations"], name="num_permutations", check="non_iid"
    )
    opts["significance_threshold"] = require_fraction(
        opts["significance_threshold"], name="significance_threshold", check="non_iid"
    )
    return opts


@register(
    "non_iid",
    needs=("knn|pred_probs",),
    default=True,
    description=(
        "Whether the row order is related to the rows' content (drift, sorting, batches): a "
        "permutation test on the index distances between neighbours. Dataset-level: at most one "
        "example, the least IID-looking, is flagged."
    ),
)
def find_non_iid_issues(inputs: AuditInputs) -> IssueResult:
    """Run the non-IID check on the audit's shared kNN graph (else on a graph of ``pred_probs``).

    Options (``issue_types={"non_iid": {...}}``): ``k`` (10), ``num_permutations`` (25), ``seed``
    (0; None draws fresh randomness), ``significance_threshold`` (0.05).

    Examples
    --------
    >>> import numpy as np
    >>> from goldlabel.audit.registry import AuditInputs
    >>> from goldlabel.knn import build_knn_graph
    >>> x = np.linspace(0, 1, 300)[:, None]  # sorted rows: strongly non-IID
    >>> graph = build_knn_graph(x, k=10)
    >>> result = find_non_iid_issues(AuditInputs(n_samples=300, knn=graph.truncate))
    >>> int(result.is_issue.sum()), result.summary_score < 0.05
    (1, True)
    """
    opts = _read_options(inputs.options)
    k = int(min(opts["k"], inputs.n_samples - 1))
    if inputs.knn is not None:
        graph = inputs.knn(k)
    elif inputs.pred_probs is not None:  # Datalab's fallback: pred_probs as features
        graph = build_knn_graph(inputs.pred_probs, k=k)
    else:
        raise DataValidationError(
            "the non_iid check needs a neighbour graph; pass features, a knn_graph or pred_probs."
        )
    neighbors = graph.indices[:, :k]
    statistic, p_value, null = run_non_iid_test(
        neighbors, num_permutations=opts["num_permutations"], seed=opts["seed"]
    )
    scores = compute_non_iid_scores(neighbors)
    is_issue = np.zeros(inputs.n_samples, dtype=bool)
    if p_value < opts["significance_threshold"]:
        is_issue[int(np.argmin(scores))] = True
    info = {
        "p-value": p_value,
        "statistic": statistic,
        "null_statistics": null,
        "k": k,
        "metric": graph.metric,
        "num_permutations": int(opts["num_permutations"]),
        "seed": opts["seed"],
        "significance_threshold": float(opts["significance_threshold"]),
    }
    return IssueResult(is_issue=is_issue, score=scores, summary_score=p_value, info=info)
