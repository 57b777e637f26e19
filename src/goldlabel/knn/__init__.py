"""Nearest-neighbour graphs shared by every audit check that needs one.

Exact search (faiss brute force, float64 re-ranking) up to ``exact_max_n`` examples; beyond it a faiss
inverted-file index whose recall is measured against exact search while it is built.

>>> import numpy as np
>>> from goldlabel.knn import build_knn_graph
>>> graph = build_knn_graph(np.array([[0.0], [1.0], [3.0], [7.0]]), k=2)
>>> graph.indices.tolist(), graph.distances.tolist()
([[1, 2], [0, 2], [1, 0], [2, 1]], [[1.0, 3.0], [1.0, 2.0], [2.0, 3.0], [4.0, 6.0]])
"""

from __future__ import annotations

from goldlabel.knn.build import DEFAULT_EXACT_MAX_N, build_knn_graph
from goldlabel.knn.graph import KNNGraph, Metric, resolve_metric
from goldlabel.knn.recall import measure_recall

__all__ = [
    "DEFAULT_EXACT_MAX_N",
    "KNNGraph",
    "Metric",
    "build_knn_graph",
    "measure_recall",
    "resolve_metric",
]
