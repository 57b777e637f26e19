"""Drop-in replacement for ``cleanlab.rank`` (cleanlab 2.9): same names, signatures and results.

Implemented on :mod:`goldlabel.core.scoring` and :mod:`goldlabel.core.ensemble`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from goldlabel.core.ensemble import compute_ensemble_label_quality_scores, compute_ensemble_weights
from goldlabel.core.scoring import (
    compute_confidence_weighted_entropy,
    compute_label_quality_scores,
    compute_normalized_margin,
    compute_self_confidence,
)
from goldlabel.core.scoring import find_top_issues as _find_top_issues
from goldlabel.core.scoring import order_label_issues as _order_label_issues

__all__ = [
    "find_top_issues",
    "get_confidence_weighted_entropy_for_each_label",
    "get_label_quality_ensemble_scores",
    "get_label_quality_scores",
    "get_normalized_margin_for_each_label",
    "get_self_confidence_for_each_label",
    "order_label_issues",
]


def get_label_quality_scores(
    labels: np.ndarray,
    pred_probs: np.ndarray,
    *,
    method: str = "self_confidence",
    adjust_pred_probs: bool = False,
) -> np.ndarray:
    """A label-quality score per example, shape (N,), lower = more likely mislabeled."""
    return compute_label_quality_scores(
        labels, pred_probs, method=method, adjust_pred_probs=adjust_pred_probs
    )


def get_label_quality_ensemble_scores(
    labels: np.ndarray,
    pred_probs_list: list[np.ndarray],
    *,
    method: str = "self_confidence",
    adjust_pred_probs: bool = False,
    weight_ensemble_members_by: str = "accuracy",
    custom_weights: np.ndarray | None = None,
    log_loss_search_T_values: list[float] = [1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 2e2],  # noqa: B006
    verbose: bool = True,
) -> np.ndarray:
    """Weighted average of several models' label-quality scores, shape (N,).

    ``verbose=True`` prints the weighting scheme and each model's weight (and accuracy), as cleanlab.
    """
    options: dict[str, Any] = {"method": method, "adjust_pred_probs": adjust_pred_probs}
    if not verbose or weight_ensemble_members_by not in ("accuracy", "log_loss_search"):
        scores = compute_ensemble_label_quality_scores(
            labels,
            pred_probs_list,
            weight_ensemble_members_by=weight_ensemble_members_by,
            custom_weights=custom_weights,
            log_loss_search_T_values=log_loss_search_T_values,
            **options,
        )
        if verbose:
            print(f"Weighting scheme for ensemble: {weight_ensemble_members_by}")
        return scores
    # Verbose: compute the weights once, print them, and score with them (same arithmetic).
    weights = compute_ensemble_weights(
        labels,
        pred_probs_list,
        weight_ensemble_members_by=weight_ensemble_members_by,
        custom_weights=custom_weights,
        log_loss_search_T_values=log_loss_search_T_values,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # already warned about a single member
        scores = compute_ensemble_label_quality_scores(
            labels,
            pred_probs_list,
            weight_ensemble_members_by="custom",
            custom_weights=weights,
            **options,
        )
    print(f"Weighting scheme for ensemble: {weight_ensemble_members_by}")
    if weight_ensemble_members_by == "accuracy":
        print("Ensemble members will be weighted by their relative accuracy")
        given = np.asarray(labels)
        for i, probs in enumerate(pred_probs_list):
            accuracy = (np.asarray(probs).argmax(axis=1) == given).mean()
            print(f"  Model {i} accuracy : {accuracy}")
            print(f"  Model {i} weight   : {weights[i]}")
    else:
        print(
            "Ensemble members will be weighted by log-loss between their predicted "
            "probabilities and given labels"
        )
        for i, weight in enumerate(weights):
            print(f"  Model {i} weight   : {weight}")
    return scores


def find_top_issues(quality_scores: np.ndarray, *, top: int = 10) -> np.ndarray:
    """Indices of the ``top`` lowest quality scores, lowest first."""
    return _find_top_issues(quality_scores, top=top)


def order_label_issues(
    label_issues_mask: np.ndarray,
    labels: np.ndarray,
    pred_probs: np.ndarray,
    *,
    rank_by: str = "self_confidence",
    rank_by_kwargs: dict[str, Any] = {},  # noqa: B006
) -> np.ndarray:
    """Indices of the flagged examples sorted by ascending label-quality score."""
    return _order_label_issues(
        label_issues_mask, labels, pred_probs, rank_by=rank_by, rank_by_kwargs=dict(rank_by_kwargs)
    )


def get_self_confidence_for_each_label(labels: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """``pred_probs[i, labels[i]]`` for every example, shape (N,)."""
    return compute_self_confidence(np.asarray(labels), np.asarray(pred_probs))


def get_normalized_margin_for_each_label(labels: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """``(p_given - max_other + 1) / 2`` for every example, shape (N,)."""
    return compute_normalized_margin(np.asarray(labels), np.asarray(pred_probs))


def get_confidence_weighted_entropy_for_each_label(
    labels: np.ndarray, pred_probs: np.ndarray
) -> np.ndarray:
    """Entropy-based label-quality score for every example, shape (N,)."""
    return compute_confidence_weighted_entropy(np.asarray(labels), np.asarray(pred_probs))
