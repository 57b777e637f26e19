"""Build the neighbour graph: exact up to a configurable size, approximate beyond it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.knn.approximate import approximate_knn
from goldlabel.knn.exact import exact_knn
from goldlabel.knn.graph import KNNGraph, resolve_metric

__all__ = ["DEFAULT_EXACT_MAX_N", "build_knn_graph"]

#: Up to this many examples the search is exact. Exact search costs O(n^2 d): at 1e5 x 32 it took
#: 131 s against 13.6-19.6 s for the approximate search at recall 0.958 (2 heavily shared cores,
#: ``benchmarks/knn.py``); at 2e4 it does 4 % of that work, a fraction of a second on a quiet machine.
DEFAULT_EXACT_MAX_N = 20_000


def _check_features(features: object) -> np.ndarray:
    x = np.asarray(features)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 1:
        raise DataValidationError(
            "features must be a 2-D numeric array with at least 2 rows and 1 column; "
            f"got shape {x.shape}."
        )
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise DataValidationError(
            f"features must be real numbers; got dtype {x.dtype}. Encode categories or text as "
            "numeric features (embeddings) first."
        )
    if not np.isfinite(x).all():
        bad = int((~np.isfinite(x)).any(axis=1).sum())
        raise DataValidationError(
            f"features hold NaN or infinite values in {bad} rows; impute or drop them first."
        )
    return x


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidOptionError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def build_knn_graph(
    features: np.ndarray,
    *,
    k: int = 10,
    metric: str = "auto",
    exact_max_n: int = DEFAULT_EXACT_MAX_N,
    min_recall: float = 0.95,
    random_state: int | None = 0,
    progress: Callable[[int, int], None] | None = None,
) -> KNNGraph:
    """The k nearest other examples of every row of ``features``.

    Parameters
    ----------
    features : array-like of shape (n_samples, n_features)
        Numeric features or embeddings, finite (any real dtype; the search runs in float32, the
        returned distances are recomputed in float64).
    k : int, default 10
        Neighbours per example; capped at ``n_samples - 1``.
    metric : {"auto", "cosine", "euclidean"}, default "auto"
        "auto" is cosine above 3 dimensions, euclidean otherwise (Datalab's rule). Cosine distance is
        ``1 - cos``; a zero vector is at distance 1 from everything.
    exact_max_n : int, default 20_000
        Up to this many examples the search is exact; beyond it a faiss inverted-file index is used,
        tuned on a sample until its recall reaches ``min_recall`` (or replaced by exact search when
        the data are too hard for it to pay off).
    min_recall : float, default 0.95
        Recall@k the approximate graph must reach on the calibration sample, less two standard errors.
    random_state : int or None, default 0
        Seed of the approximate index (k-means and samples); the same seed gives the same graph.
    progress : callable or None
        ``progress(done, total)`` is called after every block of queries, ``total`` being
        ``n_samples``.

    Returns
    -------
    KNNGraph
        ``exact`` says which search ran; an approximate graph's ``recall`` was measured while building.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(5000, 16)) + 4 * rng.normal(size=(20, 16))[rng.integers(0, 20, 5000)]
    >>> exact = build_knn_graph(x, k=5)
    >>> approx = build_knn_graph(x, k=5, exact_max_n=1000)
    >>> exact.exact, exact.recall, approx.exact, approx.recall >= 0.95
    (True, 1.0, False, True)
    """
    x = _check_features(features)
    k = _check_int("k", k, 1)
    exact_max_n = _check_int("exact_max_n", exact_max_n, 0)
    if isinstance(min_recall, bool) or not isinstance(min_recall, (int, float, np.floating)):
        raise InvalidOptionError(f"min_recall must be a number in (0, 1]; got {min_recall!r}.")
    if not 0.0 < float(min_recall) <= 1.0:
        raise InvalidOptionError(
            f"min_recall must be in (0, 1]; got {min_recall!r}. 0.95 is a good default."
        )
    if progress is not None and not callable(progress):
        raise InvalidOptionError(
            f"progress must be a callable progress(done, total) or None; got {type(progress).__name__}."
        )
    k = min(k, x.shape[0] - 1)
    resolved = resolve_metric(metric, x.shape[1])
    if x.shape[0] <= exact_max_n:
        return exact_knn(x, k, resolved, progress=progress)
    return approximate_knn(
        x,
        k,
        resolved,
        min_recall=float(min_recall),
        random_state=random_state,
        progress=progress,
    )
