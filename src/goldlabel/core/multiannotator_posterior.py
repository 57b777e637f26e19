"""CROWDLAB's posterior: how each example's annotators and the model are weighed into class probabilities.

The weights measure each source against a baseline, the error of always answering the most common
consensus class: an annotator's from its agreement with the other annotators of the same examples, the
model's from its agreement with the consensus, times ``sqrt(mean annotations per example)``. Each
annotator contributes ``P_c`` to the class it chose and ``(1 - P_c) / (K - 1)`` to every other class,
where ``P_c`` is the mean agreement of annotators with the consensus. The arithmetic follows cleanlab
2.9 step for step. :mod:`goldlabel.core.multiannotator` builds the public consensus on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from goldlabel.core.multiannotator_votes import compute_vote_counts
from goldlabel.core.scoring import SCORE_METHODS, compute_label_quality_scores
from goldlabel.exceptions import InvalidLabelsError, InvalidOptionError

__all__ = [
    "CONSENSUS_METHODS",
    "QUALITY_METHODS",
    "ConsensusStats",
    "check_consensus_options",
    "compute_consensus_stats",
    "select_best_quality_labels",
]

CONSENSUS_METHODS = ("best_quality", "majority_vote")
QUALITY_METHODS = ("crowdlab", "agreement")
_FLOOR = 1e-6  # lower clip of the annotator and model weights and of the baseline error


@dataclass(frozen=True)
class ConsensusStats:
    """One consensus labeling and what CROWDLAB derives from it (see :func:`compute_consensus_stats`)."""

    consensus_label: np.ndarray  #: (N,) int64
    consensus_quality_score: np.ndarray  #: (N,) in [0, 1], lower = less likely correct
    annotator_agreement: (
        np.ndarray
    )  #: (N,) fraction of the example's annotators choosing the consensus
    post_pred_probs: np.ndarray  #: (N, K) the posterior the scores are computed under
    model_weight: float | None  #: None with quality_method='agreement'; 0.0 without pred_probs
    annotator_weight: np.ndarray | None  #: (M,) None with quality_method='agreement'
    non_overlapping_annotators: np.ndarray  #: annotators sharing no example with another one


def check_consensus_options(
    consensus_method: str, quality_method: str, label_quality_method: str
) -> None:
    """Raise InvalidOptionError naming the valid values if a method name is unknown."""
    for name, value, valid in (
        ("consensus_method", consensus_method, CONSENSUS_METHODS),
        ("quality_method", quality_method, QUALITY_METHODS),
        ("label_quality_method", label_quality_method, SCORE_METHODS),
    ):
        if value not in valid:
            raise InvalidOptionError(
                f"{name} must be one of {list(valid)}, but received {value!r}."
            )


def _agreement_with_annotators(labels: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(M,) each annotator's mean agreement with the other annotators of the examples it labeled."""
    observed = ~np.isnan(labels)
    n_ann = observed.sum(axis=1)
    others = (n_ann - 1).astype(np.float64)
    rows, cols = np.nonzero(observed)
    same = np.zeros(labels.shape)
    same[rows, cols] = counts[rows, labels[rows, cols].astype(np.int64)] - 1
    multi = n_ann > 1
    per_example = np.zeros(labels.shape)
    per_example[multi] = same[multi] / others[multi, None]
    out = np.full(labels.shape[1], np.nan)
    for j in range(labels.shape[1]):
        mine = observed[:, j]
        weights = others[mine]
        total = weights.sum()
        if total > 0:
            out[j] = np.multiply(per_example[mine, j], weights).sum() / total
    missing = np.isnan(out)
    if missing.any() and not missing.all():
        out[missing] = np.mean(out[~missing])
    return out


def compute_consensus_stats(
    labels_multiannotator: np.ndarray,
    pred_probs: np.ndarray | None,
    consensus_label: np.ndarray,
    *,
    quality_method: str = "crowdlab",
    label_quality_method: str = "self_confidence",
    adjust_pred_probs: bool = False,
    n_classes: int | None = None,
) -> ConsensusStats:
    """Posterior, weights, per-example agreement and quality score of one consensus labeling.

    Parameters
    ----------
    labels_multiannotator : numpy.ndarray of shape (N, M)
        A validated wide matrix (see :func:`check_multiannotator_labels`); with
        ``quality_method='crowdlab'`` at least one example needs two or more annotations.
    pred_probs : numpy.ndarray of shape (N, K), or None
        The model's probabilities; None gives the model no weight. Without them K is the largest label
        + 1 (the class count of ``consensus_label`` must not exceed it).
    consensus_label : numpy.ndarray of shape (N,)
        The consensus to score (e.g. the majority vote).
    quality_method : {'crowdlab', 'agreement'}
    label_quality_method : {'self_confidence', 'normalized_margin', 'confidence_weighted_entropy'}
        How a label is scored under the posterior.
    adjust_pred_probs : bool
        Adjust the posterior by per-class confident thresholds before scoring.
    n_classes : int, optional
        K without pred_probs (it sets CROWDLAB's non-consensus likelihood ``(1 - P_c) / (K - 1)``);
        defaults to the largest label + 1.

    Returns
    -------
    ConsensusStats

    Examples
    --------
    >>> labels = np.array([[0, 0, 1], [1, 1, 1], [0, np.nan, 0]])
    >>> stats = compute_consensus_stats(labels, None, np.array([0, 1, 0]))
    >>> stats.annotator_agreement.round(2).tolist()
    [0.67, 1.0, 1.0]
    """
    check_consensus_options("best_quality", quality_method, label_quality_method)
    observed = ~np.isnan(labels_multiannotator)
    n_ann = observed.sum(axis=1)
    if pred_probs is not None:
        k = pred_probs.shape[1]
    elif n_classes is not None:
        k = n_classes
    else:
        k = int(np.nanmax(labels_multiannotator)) + 1
    k = max(k, int(consensus_label.max()) + 1 if consensus_label.size else 0)
    matches = np.zeros(labels_multiannotator.shape[0])
    for j in range(labels_multiannotator.shape[1]):
        matches += labels_multiannotator[:, j] == consensus_label
    agreement = matches / n_ann
    model_weight: float | None = None
    weights: np.ndarray | None = None
    lonely = np.zeros(0, dtype=np.int64)
    counts = compute_vote_counts(labels_multiannotator, k)
    if quality_method == "agreement":
        post = counts / n_ann.reshape(-1, 1)
    else:
        post, model_weight, weights, lonely = _crowdlab_posterior(
            labels_multiannotator, pred_probs, consensus_label, counts, agreement, k
        )
    if quality_method == "agreement":
        quality = agreement
    else:
        quality = compute_label_quality_scores(
            consensus_label, post, method=label_quality_method, adjust_pred_probs=adjust_pred_probs
        )
    return ConsensusStats(
        consensus_label=consensus_label,
        consensus_quality_score=quality,
        annotator_agreement=agreement,
        post_pred_probs=post,
        model_weight=model_weight,
        annotator_weight=weights,
        non_overlapping_annotators=lonely,
    )


def _crowdlab_posterior(
    labels: np.ndarray,
    pred_probs: np.ndarray | None,
    consensus: np.ndarray,
    counts: np.ndarray,
    agreement: np.ndarray,
    k: int,
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    n_ann = (~np.isnan(labels)).sum(axis=1)
    multi = n_ann != 1
    if not multi.any():
        raise InvalidLabelsError(
            "CROWDLAB needs at least one example labeled by two or more annotators, but every example "
            "has one annotation; use quality_method='agreement' or collect overlapping labels."
        )
    if k < 2:
        raise InvalidLabelsError(
            f"CROWDLAB needs at least 2 classes, but received {k}; pass pred_probs with one column "
            "per class."
        )
    p_consensus = np.mean(agreement[multi])
    p_other = (1 - p_consensus) / (k - 1)
    sub = consensus[multi]
    baseline = np.clip(
        np.mean(sub != np.argmax(np.bincount(sub, minlength=k))), a_min=_FLOOR, a_max=None
    )
    with_others = _agreement_with_annotators(labels, counts)
    lonely = np.flatnonzero(~((~np.isnan(labels)) & multi[:, None]).any(axis=0))
    weights = np.clip(1 - ((1 - with_others) / baseline), a_min=_FLOOR, a_max=None)
    if pred_probs is None:
        model_weight = 0.0
        post = np.zeros((labels.shape[0], k))
    else:
        model_error = np.mean(np.argmax(pred_probs[multi], axis=1) != sub)
        model_weight = float(
            np.max([(1 - (model_error / baseline)), _FLOOR]) * np.sqrt(np.mean(n_ann))
        )
        post = pred_probs * np.float64(model_weight)
    total = np.zeros(labels.shape[0])
    classes = np.arange(k)
    for j in range(labels.shape[1]):
        mine = ~np.isnan(labels[:, j])
        total[mine] += weights[j]
        chose = labels[mine, j][:, None] == classes
        post[mine] += np.where(chose, weights[j] * p_consensus, weights[j] * p_other)
    post /= (total + model_weight)[:, None]
    return post, model_weight, weights, lonely


def select_best_quality_labels(post_pred_probs: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """The posterior's top class, or ``fallback`` (the majority vote) where the top is tied.

    Examples
    --------
    >>> select_best_quality_labels(np.array([[0.2, 0.8], [0.5, 0.5]]), np.array([0, 0])).tolist()
    [1, 0]
    """
    top = post_pred_probs == post_pred_probs.max(axis=1, keepdims=True)
    unique = top.sum(axis=1) == 1
    return np.where(unique, np.argmax(post_pred_probs, axis=1), fallback).astype(np.int64)
