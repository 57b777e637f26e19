"""cleanlab 2.9's ``multilabel_classification.rank``: label-quality scores for multi-label data."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from goldlabel.core import multilabel as core

__all__ = ["get_label_quality_scores", "get_label_quality_scores_per_class"]


def _aggregator_options(aggregator_kwargs: dict[str, Any] | None) -> dict[str, Any]:
    """Translate cleanlab's ``aggregator_kwargs`` into the core's keyword arguments."""
    if not aggregator_kwargs:
        return {"aggregator": "exponential_moving_average", "alpha": 0.8}
    options = dict(aggregator_kwargs)
    if "method" not in options:
        raise TypeError(
            "aggregator_kwargs needs a 'method' ('exponential_moving_average', 'softmin' or a "
            f"callable), but received keys {sorted(options)}."
        )
    method = options.pop("method")
    if callable(method):
        return {"aggregator": partial(method, **options) if options else method}
    if method not in core.MULTILABEL_AGGREGATORS:
        raise ValueError(
            f"Invalid aggregation method {method!r}; use one of "
            f"{list(core.MULTILABEL_AGGREGATORS)} or a callable."
        )
    return {
        "aggregator": method,
        # Naming the method without alpha means cleanlab's 2 / (K + 1), not the default 0.8.
        "alpha": options.get("alpha"),
        "temperature": options.get("temperature", 0.1),
    }


def get_label_quality_scores(
    labels: list[list[int]],
    pred_probs: np.ndarray,
    *,
    method: str = "self_confidence",
    adjust_pred_probs: bool = False,
    aggregator_kwargs: dict[str, Any] = {  # noqa: B006 - cleanlab's default, never mutated
        "method": "exponential_moving_average",
        "alpha": 0.8,
    },
) -> np.ndarray:
    """One label-quality score per example, in [0, 1]; lower means a class is more likely wrong.

    As cleanlab's ``multilabel_classification.rank.get_label_quality_scores``; see
    :func:`goldlabel.core.multilabel.compute_multilabel_label_quality_scores`.

    Examples
    --------
    >>> get_label_quality_scores([[1], [0, 2]], np.array([[.1, .9, .1], [.4, .1, .9]])).tolist()
    [0.9, 0.5]
    """
    return core.compute_multilabel_label_quality_scores(
        labels,
        pred_probs,
        method=method,
        adjust_pred_probs=adjust_pred_probs,
        **_aggregator_options(aggregator_kwargs),
    )


def get_label_quality_scores_per_class(
    labels: list[list[int]],
    pred_probs: np.ndarray,
    *,
    method: str = "self_confidence",
    adjust_pred_probs: bool = False,
) -> np.ndarray:
    """An (N, K) array of per-class label-quality scores, as cleanlab returns it.

    See :func:`goldlabel.core.multilabel.compute_multilabel_label_quality_scores_per_class`.

    Examples
    --------
    >>> get_label_quality_scores_per_class([[1]], np.array([[.1, .9, .2]])).tolist()
    [[0.9, 0.9, 0.8]]
    """
    return core.compute_multilabel_label_quality_scores_per_class(
        labels, pred_probs, method=method, adjust_pred_probs=adjust_pred_probs
    )
