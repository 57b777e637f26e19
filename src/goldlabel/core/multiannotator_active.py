"""Which example to (re)label next when several people label (ActiveLab, on top of CROWDLAB).

An example's score is low when one more annotation is likely to be worth it. A labeled example's score
averages the quality of its consensus label and the chance level ``1/K``, weighted by how much evidence
the consensus rests on (its annotators' CROWDLAB weights plus the model's) against one average annotator;
an unlabeled example's averages the model's top probability and ``1/K``, weighted by the model's weight
against one average annotator. The model's probabilities are temperature-scaled as CROWDLAB fits them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from goldlabel.core.multiannotator_calibration import find_best_temperature, scale_by_temperature
from goldlabel.core.multiannotator_posterior import (
    compute_consensus_stats,
    select_best_quality_labels,
)
from goldlabel.core.multiannotator_votes import (
    check_multiannotator_labels,
    compute_majority_vote_labels,
)
from goldlabel.core.validation import check_pred_probs
from goldlabel.exceptions import InvalidOptionError, InvalidPredProbsError

__all__ = [
    "ActiveLearningScores",
    "check_score_sources",
    "compute_active_learning_scores",
    "score_labeled",
]


@dataclass(frozen=True)
class ActiveLearningScores:
    """Scores of :func:`compute_active_learning_scores` (lower = label it next)."""

    labeled: np.ndarray  #: shape (N,), one per row of ``labels_multiannotator``
    unlabeled: np.ndarray  #: shape (U,), one per row of ``pred_probs_unlabeled``
    temperature: float  #: the temperature the model's probabilities were scaled by
    model_weight: float
    annotator_weight: np.ndarray  #: shape (M,)


def check_score_sources(
    labels_multiannotator: object, pred_probs: object, pred_probs_unlabeled: object
) -> None:
    """Refuse ActiveLab inputs that name nothing to score, or probabilities without annotations."""
    if pred_probs is None and pred_probs_unlabeled is None:
        raise InvalidOptionError(
            "pred_probs and pred_probs_unlabeled cannot both be None: pass pred_probs with "
            "labels_multiannotator to score the labeled examples, pred_probs_unlabeled to score the "
            "unlabeled ones, or both."
        )
    if pred_probs is not None and labels_multiannotator is None:
        raise InvalidOptionError(
            "labels_multiannotator cannot be None when pred_probs is given: pass the annotations "
            "to score the labeled examples, or only pred_probs_unlabeled to score unlabeled ones."
        )


def score_labeled(
    quality: np.ndarray,
    annotated: np.ndarray,
    annotator_weight: np.ndarray,
    model_weight: float,
    n_classes: int,
) -> tuple[np.ndarray, float]:
    """ActiveLab scores of labeled examples, and the mean annotator weight they use.

    Each example averages its consensus ``quality`` and ``1/K``, weighted by the weights of its
    annotators (``annotated``, shape (N, M)) plus ``model_weight`` against one average annotator.
    """
    mean_annotator_weight = float(np.mean(annotator_weight))
    evidence = np.where(annotated, annotator_weight, 0.0).sum(axis=1) + model_weight
    scores = (evidence * quality + mean_annotator_weight / n_classes) / (
        evidence + mean_annotator_weight
    )
    return scores, mean_annotator_weight


def compute_active_learning_scores(
    labels_multiannotator: np.ndarray | None = None,
    pred_probs: np.ndarray | None = None,
    pred_probs_unlabeled: np.ndarray | None = None,
    *,
    temperature: float | None = None,
) -> ActiveLearningScores:
    """ActiveLab scores of labeled and unlabeled examples; the lowest deserve an annotation first.

    Parameters
    ----------
    labels_multiannotator : numpy.ndarray of shape (N, M), optional
        Annotator m's class index for example n, NaN where m did not label n. Needed with pred_probs.
    pred_probs : numpy.ndarray of shape (N, K), optional
        Out-of-sample probabilities of the labeled examples.
    pred_probs_unlabeled : numpy.ndarray of shape (U, K), optional
        Probabilities of examples nobody labeled yet.
    temperature : float, optional
        The temperature to scale pred_probs by when some example has several annotations (default: fit
        it to the annotations, :func:`~goldlabel.core.multiannotator.find_best_temperature`).

    Returns
    -------
    ActiveLearningScores

    Raises
    ------
    InvalidOptionError
        If neither pred_probs nor pred_probs_unlabeled is given, or pred_probs comes without labels.
    InvalidPredProbsError
        If the two probability arrays disagree on the number of classes.

    Examples
    --------
    >>> labels = np.array([[0, 0, np.nan], [1, np.nan, 0], [np.nan, 2, 2]])
    >>> probs = np.array([[0.8, 0.1, 0.1], [0.4, 0.5, 0.1], [0.1, 0.1, 0.8]])
    >>> scores = compute_active_learning_scores(labels, probs, np.array([[0.5, 0.3, 0.2]]))
    >>> int(scores.labeled.argmin())  # the example its two annotators disagree on
    1
    """
    check_score_sources(labels_multiannotator, pred_probs, pred_probs_unlabeled)
    unlabeled = None
    if pred_probs_unlabeled is not None:
        unlabeled = check_pred_probs(pred_probs_unlabeled)
    scale, model_weight = 1.0, 1.0
    annotator_weight = np.ones(0)
    mean_annotator_weight = 1.0
    labeled_scores = np.zeros(0)
    if pred_probs is not None:
        labels, checked = check_multiannotator_labels(labels_multiannotator, pred_probs=pred_probs)
        probs = np.asarray(checked if checked is not None else pred_probs, dtype=np.float64)
        n_classes = probs.shape[1]
        if unlabeled is not None and unlabeled.shape[1] != n_classes:
            raise InvalidPredProbsError(
                f"pred_probs has {n_classes} classes but pred_probs_unlabeled has "
                f"{unlabeled.shape[1]}; both must come from the same model."
            )
        annotated = ~np.isnan(labels)
        if (annotated.sum(axis=1) == 1).all():
            # One annotation per example: nothing to calibrate or weigh; the majority vote is the
            # only label and every annotator counts as much as the model.
            consensus = compute_majority_vote_labels(labels, pred_probs=probs)
            quality = probs[np.arange(probs.shape[0]), consensus]
            annotator_weight = np.ones(labels.shape[1])
        else:
            scale = find_best_temperature(labels, probs) if temperature is None else temperature
            probs = scale_by_temperature(probs, scale)
            vote = compute_majority_vote_labels(labels, pred_probs=probs)
            first = compute_consensus_stats(labels, probs, vote)
            best = select_best_quality_labels(first.post_pred_probs, vote)
            stats = compute_consensus_stats(labels, probs, best)
            quality = stats.consensus_quality_score
            model_weight = float(stats.model_weight or 0.0)  # always set by CROWDLAB with a model
            annotator_weight = np.asarray(stats.annotator_weight, dtype=np.float64)
        labeled_scores, mean_annotator_weight = score_labeled(
            quality, annotated, annotator_weight, model_weight, n_classes
        )
    unlabeled_scores = np.zeros(0)
    if unlabeled is not None:
        scaled = scale_by_temperature(unlabeled, scale)
        n_classes = scaled.shape[1]
        unlabeled_scores = (
            model_weight * scaled.max(axis=1) + mean_annotator_weight / n_classes
        ) / (model_weight + mean_annotator_weight)
    return ActiveLearningScores(
        labeled=labeled_scores,
        unlabeled=unlabeled_scores,
        temperature=float(scale),
        model_weight=model_weight,
        annotator_weight=annotator_weight,
    )
