"""Multi-annotator consensus: CROWDLAB, with or without a model's predicted probabilities.

CROWDLAB (Goh, Tkachenko & Mueller, 2022) averages, for each example, the model's probabilities and one
likelihood vector per annotator: ``P_c`` for the class the annotator chose and ``(1 - P_c) / (K - 1)``
for every other class, where ``P_c`` is how often annotators agree with the majority vote. The weights
measure each source against a baseline: the error of always answering the most common consensus class.
An annotator's weight comes from its agreement with the other annotators of the same examples; the
model's from its agreement with the majority vote, times ``sqrt(mean annotations per example)``. The
consensus is the posterior's top class; its quality is a label-quality score under the posterior.

Without pred_probs the model's weight is zero and the posterior is the annotators' weighted vote. With
``quality_method='agreement'`` the posterior is the plain vote fractions.

The arithmetic follows cleanlab 2.9's ``cleanlab.multiannotator`` step for step, so results agree with it
to the last bit in all but pathological cases; only the final random tie break of the majority vote
differs (it draws from ``random_state``, never from numpy's global generator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from goldlabel.core.multiannotator_calibration import find_best_temperature, scale_by_temperature
from goldlabel.core.multiannotator_posterior import (
    CONSENSUS_METHODS,
    QUALITY_METHODS,
    ConsensusStats,
    check_consensus_options,
    compute_consensus_stats,
    select_best_quality_labels,
)
from goldlabel.core.multiannotator_votes import (
    RandomTieBreakWarning,
    check_multiannotator_labels,
    compute_majority_vote_labels,
    compute_vote_counts,
    convert_long_to_wide_labels,
)
from goldlabel.core.scoring import compute_label_quality_scores
from goldlabel.exceptions import InvalidLabelsError, InvalidOptionError

__all__ = [
    "CONSENSUS_METHODS",
    "QUALITY_METHODS",
    "ConsensusResult",
    "ConsensusStats",
    "RandomTieBreakWarning",
    "check_multiannotator_labels",
    "compute_annotator_quality",
    "compute_consensus",
    "compute_consensus_stats",
    "compute_majority_vote_labels",
    "compute_vote_consensus",
    "compute_vote_counts",
    "convert_long_to_wide_labels",
    "find_best_temperature",
    "find_worst_classes",
    "scale_by_temperature",
    "select_best_quality_labels",
    "summarize_consensus",
]


@dataclass(frozen=True)
class ConsensusResult:
    """Everything :func:`compute_consensus` estimates; per-annotator arrays are in column order."""

    consensus_label: np.ndarray  #: (N,) int64
    consensus_quality_score: np.ndarray  #: (N,)
    annotator_agreement: np.ndarray  #: (N,)
    num_annotations: np.ndarray  #: (N,) int64
    detailed_label_quality: np.ndarray  #: (N, M) quality of each annotation, NaN where none
    annotator_quality: np.ndarray  #: (M,) NaN for an annotator without a multiply-annotated example
    agreement_with_consensus: np.ndarray  #: (M,) over every example the annotator labeled
    worst_class: np.ndarray  #: (M,) int64, the class the annotator gets wrong most often
    num_examples_labeled: np.ndarray  #: (M,) int64
    majority_vote_label: np.ndarray  #: (N,) int64
    post_pred_probs: np.ndarray  #: (N, K)
    model_weight: float | None
    annotator_weight: np.ndarray | None  #: (M,)
    non_overlapping_annotators: np.ndarray  #: column indices
    temperature: float | None  #: the calibration temperature, None if not calibrated


def _detailed_quality(
    labels: np.ndarray, post: np.ndarray, method: str, adjust: bool
) -> np.ndarray:
    out = np.full(labels.shape, np.nan)
    observed = ~np.isnan(labels)
    if adjust:  # thresholds are per annotator, as each annotator's labels are scored on their own
        for j in range(labels.shape[1]):
            mine = observed[:, j]
            out[mine, j] = compute_label_quality_scores(
                labels[mine, j].astype(np.int64), post[mine], method=method, adjust_pred_probs=True
            )
        return out
    rows, cols = np.nonzero(observed)
    out[rows, cols] = compute_label_quality_scores(
        labels[rows, cols].astype(np.int64), post[rows], method=method
    )
    return out


def compute_annotator_quality(
    labels_multiannotator: np.ndarray,
    stats: ConsensusStats,
    *,
    quality_method: str = "crowdlab",
    label_quality: np.ndarray | None = None,
) -> np.ndarray:
    """(M,) each annotator's quality, in [0, 1] (NaN without a multiply-annotated example).

    ``agreement``: agreement with the consensus over the annotator's examples with two or more
    annotations. ``crowdlab``: ``w * mean label quality + (1 - w) * that agreement``, where
    ``w = w_model / (w_model + sum(w_annotators) * mean(annotations per example) / M)``.

    Parameters
    ----------
    labels_multiannotator : numpy.ndarray of shape (N, M)
    stats : ConsensusStats
        From :func:`compute_consensus_stats`.
    quality_method : {'crowdlab', 'agreement'}
    label_quality : numpy.ndarray of shape (M,), optional
        Each annotator's mean label quality; by default the mean self-confidence of its labels.

    Examples
    --------
    >>> labels = np.array([[0, 0, 1], [1, 1, 1], [0, np.nan, 0]])
    >>> stats = compute_consensus_stats(labels, None, np.array([0, 1, 0]))
    >>> compute_annotator_quality(labels, stats).round(2).tolist()
    [1.0, 1.0, 0.67]
    """
    observed = ~np.isnan(labels_multiannotator)
    n_ann = observed.sum(axis=1)
    on_multi = observed & (n_ann != 1)[:, None]
    agrees = (labels_multiannotator == stats.consensus_label[:, None]) & on_multi
    labeled = on_multi.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = np.where(labeled > 0, agrees.sum(axis=0) / labeled, np.nan)
    if quality_method == "agreement" or stats.model_weight is None:
        return agreement
    weights = stats.annotator_weight if stats.annotator_weight is not None else np.zeros(0)
    if label_quality is None:
        label_quality = np.array(
            [
                np.mean(
                    stats.post_pred_probs[
                        observed[:, j], labels_multiannotator[observed[:, j], j].astype(np.int64)
                    ]
                )
                for j in range(labels_multiannotator.shape[1])
            ]
        )
    fraction = np.mean(n_ann) / labels_multiannotator.shape[1]
    w = stats.model_weight / (stats.model_weight + np.sum(weights) * fraction)
    return np.asarray(w * label_quality + (1 - w) * agreement)


def find_worst_classes(
    labels_multiannotator: np.ndarray,
    consensus_label: np.ndarray,
    consensus_quality_score: np.ndarray,
) -> np.ndarray:
    """(M,) for each annotator, the class of its own labels that most often disagrees with consensus.

    Ties go to the class the annotator used most, then to the one with the higher mean consensus
    quality over its examples, then to the lower class index.

    Examples
    --------
    >>> labels = np.array([[0, 1], [1, 1], [1, 0]])
    >>> find_worst_classes(labels, np.array([0, 1, 1]), np.ones(3)).tolist()
    [1, 0]
    """
    observed = ~np.isnan(labels_multiannotator)
    rows, cols = np.nonzero(observed)
    given = labels_multiannotator[rows, cols].astype(np.int64)
    k = int(given.max()) + 1
    m = labels_multiannotator.shape[1]
    cell = cols * k + given
    used = np.bincount(cell, minlength=m * k).reshape(m, k).astype(np.float64)
    right = np.bincount(cell, weights=given == consensus_label[rows], minlength=m * k)
    quality = np.bincount(cell, weights=consensus_quality_score[rows], minlength=m * k)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.where(used > 0, right.reshape(m, k) / used, np.inf)
        mean_quality = np.where(used > 0, quality.reshape(m, k) / used, -np.inf)
    worst = accuracy == accuracy.min(axis=1, keepdims=True)
    busiest = np.where(worst, used, -1.0)
    worst &= busiest == busiest.max(axis=1, keepdims=True)
    best_quality = np.where(worst, mean_quality, -np.inf)
    worst &= best_quality == best_quality.max(axis=1, keepdims=True)
    return np.argmax(worst, axis=1).astype(np.int64)


def compute_consensus(
    labels_multiannotator: Any,
    pred_probs: Any = None,
    *,
    consensus_method: str = "best_quality",
    quality_method: str = "crowdlab",
    label_quality_method: str = "self_confidence",
    adjust_pred_probs: bool = False,
    calibrate_probs: bool = False,
    n_classes: int | None = None,
    random_state: int | np.random.Generator | None = None,
) -> ConsensusResult:
    """Consensus labels, their quality, and each annotator's quality, by CROWDLAB.

    Parameters
    ----------
    labels_multiannotator : array-like of shape (N, M)
        Class indices, ``NaN`` where an annotator did not label an example; every example and every
        annotator has at least one label, and (for CROWDLAB) some example has two or more.
    pred_probs : array-like of shape (N, K), optional
        A model's out-of-sample predicted probabilities. Without them, consensus rests on the
        annotators alone (the model weight is 0).
    consensus_method : {'best_quality', 'majority_vote'}
        ``best_quality``: the posterior's top class (the majority vote where tied).
    quality_method : {'crowdlab', 'agreement'}
        ``agreement`` scores by vote fractions and ignores pred_probs (except to break vote ties).
    label_quality_method : {'self_confidence', 'normalized_margin', 'confidence_weighted_entropy'}
    adjust_pred_probs : bool
        Adjust the posterior by confident thresholds before scoring labels.
    calibrate_probs : bool
        Temperature-scale pred_probs to the annotators' label frequencies first.
    n_classes : int, optional
        K without pred_probs; defaults to the largest label + 1.
    random_state : int, numpy.random.Generator or None
        For the majority vote's last-resort random tie break.

    Returns
    -------
    ConsensusResult

    Raises
    ------
    InvalidLabelsError, InvalidPredProbsError
        If the inputs are malformed (see :func:`check_multiannotator_labels`).
    InvalidOptionError
        If a method is unknown, or ``calibrate_probs`` is set without pred_probs.

    Examples
    --------
    >>> labels = np.array([[0, 0, 1], [1, 1, np.nan], [2, 1, 2], [0, np.nan, 0]])
    >>> probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.8, 0.1, 0.1]])
    >>> result = compute_consensus(labels, probs)
    >>> result.consensus_label.tolist()
    [0, 1, 2, 0]
    >>> result.consensus_quality_score.round(2).tolist()
    [0.72, 0.81, 0.48, 0.81]
    >>> result.annotator_quality.round(2).tolist()
    [0.75, 0.61, 0.51]
    """
    check_consensus_options(consensus_method, quality_method, label_quality_method)
    labels, probs = check_multiannotator_labels(
        labels_multiannotator, pred_probs=pred_probs, n_classes=n_classes
    )
    if labels.shape[1] < 2:
        raise InvalidLabelsError(
            "consensus needs two or more annotators (columns), but labels_multiannotator has "
            f"{labels.shape[1]}; with one annotator, score its labels with "
            "compute_label_quality_scores instead."
        )
    temperature = None
    if calibrate_probs:
        if probs is None:
            raise InvalidOptionError(
                "calibrate_probs=True needs pred_probs to calibrate; pass pred_probs or set "
                "calibrate_probs=False."
            )
        temperature = find_best_temperature(labels, probs)
        probs = scale_by_temperature(probs, temperature)
    k = probs.shape[1] if probs is not None else n_classes
    vote = compute_majority_vote_labels(
        labels, pred_probs=probs, n_classes=k, random_state=random_state
    )
    options: dict[str, Any] = {
        "quality_method": quality_method,
        "label_quality_method": label_quality_method,
        "adjust_pred_probs": adjust_pred_probs,
        "n_classes": k,
    }
    stats = compute_consensus_stats(labels, probs, vote, **options)
    if consensus_method == "best_quality":
        best = select_best_quality_labels(stats.post_pred_probs, vote)
        stats = compute_consensus_stats(labels, probs, best, **options)
    return summarize_consensus(
        labels,
        stats,
        majority_vote_label=vote,
        quality_method=quality_method,
        label_quality_method=label_quality_method,
        adjust_pred_probs=adjust_pred_probs,
        temperature=temperature,
    )


def compute_vote_consensus(
    labels_multiannotator: Any,
    pred_probs: Any = None,
    *,
    n_classes: int | None = None,
    random_state: int | np.random.Generator | None = None,
) -> ConsensusResult:
    """The majority vote scored by vote fractions: consensus for any number of annotators.

    What :func:`compute_consensus` gives with ``quality_method='agreement'``, but it also takes a single
    annotator (whose labels are then the consensus, with quality 1) and rows that nobody else labeled;
    pred_probs only break vote ties.

    Examples
    --------
    >>> compute_vote_consensus(np.array([[0.0], [2.0]]), n_classes=3).consensus_label.tolist()
    [0, 2]
    """
    labels, probs = check_multiannotator_labels(
        labels_multiannotator, pred_probs=pred_probs, n_classes=n_classes
    )
    k = probs.shape[1] if probs is not None else n_classes
    vote = compute_majority_vote_labels(
        labels, pred_probs=probs, n_classes=k, random_state=random_state
    )
    stats = compute_consensus_stats(labels, probs, vote, quality_method="agreement", n_classes=k)
    return summarize_consensus(labels, stats, majority_vote_label=vote, quality_method="agreement")


def summarize_consensus(
    labels_multiannotator: np.ndarray,
    stats: ConsensusStats,
    *,
    majority_vote_label: np.ndarray,
    quality_method: str = "crowdlab",
    label_quality_method: str = "self_confidence",
    adjust_pred_probs: bool = False,
    temperature: float | None = None,
) -> ConsensusResult:
    """Score every annotation and every annotator against one consensus labeling.

    Parameters
    ----------
    labels_multiannotator : numpy.ndarray of shape (N, M)
        A validated wide matrix.
    stats : ConsensusStats
        From :func:`compute_consensus_stats` on the final consensus.
    majority_vote_label : numpy.ndarray of shape (N,)
        Kept in the result.
    quality_method, label_quality_method, adjust_pred_probs
        As given to :func:`compute_consensus_stats`.
    temperature : float, optional
        Kept in the result.

    Returns
    -------
    ConsensusResult

    Examples
    --------
    >>> labels = np.array([[0, 0, 1], [1, 1, 1], [0, np.nan, 0]])
    >>> vote = np.array([0, 1, 0])
    >>> stats = compute_consensus_stats(labels, None, vote)
    >>> summarize_consensus(labels, stats, majority_vote_label=vote).num_examples_labeled.tolist()
    [3, 2, 3]
    """
    labels = labels_multiannotator
    check_consensus_options("best_quality", quality_method, label_quality_method)
    detailed = _detailed_quality(
        labels, stats.post_pred_probs, label_quality_method, adjust_pred_probs
    )
    observed = ~np.isnan(labels)
    agrees = (labels == stats.consensus_label[:, None]) & observed
    n_labeled = observed.sum(axis=0)
    return ConsensusResult(
        consensus_label=stats.consensus_label,
        consensus_quality_score=stats.consensus_quality_score,
        annotator_agreement=stats.annotator_agreement,
        num_annotations=observed.sum(axis=1),
        detailed_label_quality=detailed,
        annotator_quality=compute_annotator_quality(
            labels,
            stats,
            quality_method=quality_method,
            label_quality=np.nanmean(detailed, axis=0),
        ),
        agreement_with_consensus=agrees.sum(axis=0) / n_labeled,
        worst_class=find_worst_classes(
            labels, stats.consensus_label, stats.consensus_quality_score
        ),
        num_examples_labeled=n_labeled,
        majority_vote_label=majority_vote_label,
        post_pred_probs=stats.post_pred_probs,
        model_weight=stats.model_weight,
        annotator_weight=stats.annotator_weight,
        non_overlapping_annotators=stats.non_overlapping_annotators,
        temperature=temperature,
    )
