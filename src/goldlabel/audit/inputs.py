"""Check the arrays a user hands to ``Audit.find_issues`` against the data, with errors that say how to fix them."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from goldlabel.exceptions import DataValidationError, InvalidPredProbsError
from goldlabel.knn import KNNGraph, resolve_metric

__all__ = ["validate_features", "validate_knn_graph", "validate_pred_probs"]


def validate_pred_probs(pred_probs: Any, *, n_samples: int, n_classes: int) -> np.ndarray:
    """``pred_probs`` as a float array of shape (n_samples, K) with K >= n_classes.

    Examples
    --------
    >>> validate_pred_probs([[0.2, 0.8], [1.0, 0.0]], n_samples=2, n_classes=2).shape
    (2, 2)
    """
    try:
        probs = np.asarray(pred_probs)
    except (TypeError, ValueError) as err:
        raise InvalidPredProbsError(
            f"pred_probs must be an array of shape (n_samples, n_classes); could not read a "
            f"{type(pred_probs).__name__} as one ({err})."
        ) from err
    if probs.ndim != 2:
        raise InvalidPredProbsError(
            f"pred_probs must be 2-D, of shape (n_samples={n_samples}, n_classes); got shape "
            f"{probs.shape}."
        )
    if probs.shape[0] != n_samples:
        raise InvalidPredProbsError(
            f"pred_probs has {probs.shape[0]} rows but the data has {n_samples}; pass one row of "
            "probabilities per example, in the data's order."
        )
    if probs.shape[1] < max(n_classes, 1):
        raise InvalidPredProbsError(
            f"pred_probs has {probs.shape[1]} columns but the labels name {n_classes} classes; pass "
            "one column per class, in the order of class_names."
        )
    if not np.issubdtype(probs.dtype, np.floating):
        if not np.issubdtype(probs.dtype, np.number) or np.issubdtype(
            probs.dtype, np.complexfloating
        ):
            raise InvalidPredProbsError(
                f"pred_probs must hold real numbers; got dtype {probs.dtype}."
            )
        probs = probs.astype(np.float64)
    lo, hi = float(np.min(probs)), float(np.max(probs))
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo < 0.0 or hi > 1.0 + 1e-6:
        raise InvalidPredProbsError(
            f"pred_probs must be probabilities in [0, 1]; got values from {lo} to {hi}. Apply a "
            "softmax to logits first, and replace NaN."
        )
    return probs


def validate_features(features: Any, *, n_samples: int) -> np.ndarray:
    """``features`` as a numeric array of shape (n_samples, n_features); 1-D becomes one column.

    Examples
    --------
    >>> validate_features([1.0, 2.0, 3.0], n_samples=3).shape
    (3, 1)
    """
    try:
        x = np.asarray(features)
    except (TypeError, ValueError) as err:
        raise DataValidationError(
            f"features must be an array of shape (n_samples, n_features); could not read a "
            f"{type(features).__name__} as one ({err})."
        ) from err
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise DataValidationError(
            f"features must be 2-D, of shape (n_samples={n_samples}, n_features); got shape {x.shape}."
        )
    if x.shape[0] != n_samples:
        raise DataValidationError(
            f"features has {x.shape[0]} rows but the data has {n_samples}; pass one row per example, "
            "in the data's order."
        )
    if x.shape[1] == 0:
        raise DataValidationError("features has no columns; pass at least one feature per example.")
    if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
        raise DataValidationError(
            f"features must be real numbers; got dtype {x.dtype}. Encode text or categories as "
            "numbers (embeddings, one-hot) first."
        )
    return x


def validate_knn_graph(
    knn_graph: Any, *, n_samples: int, n_features: int | None, metric: str
) -> KNNGraph:
    """A user's graph (a :class:`KNNGraph` or cleanlab's CSR format) checked against the data.

    The metric of a CSR graph is taken as ``metric`` resolved against ``n_features`` (euclidean when
    there are no features).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> csr = sp.csr_matrix(([1.0, 1.0, 2.0], [1, 0, 1], [0, 1, 2, 3]), shape=(3, 3))
    >>> validate_knn_graph(csr, n_samples=3, n_features=None, metric="auto").indices.ravel().tolist()
    [1, 0, 1]
    """
    if isinstance(knn_graph, KNNGraph):
        graph = knn_graph
    elif sp.issparse(knn_graph):
        resolved = resolve_metric(metric, n_features) if n_features else "euclidean"
        graph = KNNGraph.from_csr(knn_graph, metric=resolved)
    else:
        raise DataValidationError(
            "knn_graph must be a goldlabel.knn.KNNGraph or a scipy sparse (n_samples, n_samples) "
            f"matrix of neighbour distances, as cleanlab's Datalab takes; got {type(knn_graph).__name__}."
        )
    if graph.n_samples != n_samples:
        raise DataValidationError(
            f"knn_graph covers {graph.n_samples} examples but the data has {n_samples}; build it "
            "from the same rows, in the same order."
        )
    if graph.k and (graph.indices.min() < 0 or graph.indices.max() >= n_samples):
        raise DataValidationError(
            f"knn_graph lists neighbour indices outside [0, {n_samples}); got "
            f"{int(graph.indices.min())} to {int(graph.indices.max())}."
        )
    return graph
