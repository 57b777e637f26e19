"""CROWDLAB and ActiveLab with an ensemble of models: each model gets its own weight in the posterior.

The probabilities of P models, shape (P, N, K), enter CROWDLAB's weighted average side by side: model p
is weighted by its own agreement with the consensus on the examples with two or more annotations,
``max(1 - error_p / baseline, 1e-6) * sqrt(mean annotations per example)``, next to the annotators'
weights (which do not depend on the models). The majority vote breaks ties with the models' mean
probabilities; each annotator's quality uses the mean model weight. ActiveLab then weighs every model
against one average annotator. The arithmetic follows cleanlab 2.9's ``*_ensemble`` functions, on the
single-model helpers of :mod:`goldlabel.core.multiannotator`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from goldlabel.core.multiannotator import (
    ConsensusResult,
    ConsensusStats,
    check_consensus_options,
    check_multiannotator_labels,
    compute_consensus_stats,
    compute_majority_vote_labels,
    find_best_temperature,
    scale_by_temperature,
    select_best_quality_labels,
    summarize_consensus,
)
from goldlabel.core.multiannotator_active import check_score_sources, score_labeled
from goldlabel.core.scoring import compute_label_quality_scores
from goldlabel.core.validation import check_pred_probs
from goldlabel.exceptions import InvalidLabelsError, InvalidOptionError, InvalidPredProbsError

__all__ = [
    "EnsembleActiveLearningScores",
    "EnsembleConsensusResult",
    "EnsembleConsensusStats",
    "check_ensemble_pred_probs",
    "compute_ensemble_active_learning_scores",
    "compute_ensemble_consensus",
    "compute_ensemble_consensus_stats",
    "scale_ensemble_by_temperatures",
]

_FLOOR = 1e-6  # lower clip of a model's weight and of the baseline error, as for one model


@dataclass(frozen=True)
class EnsembleConsensusStats(ConsensusStats):
    """:class:`ConsensusStats` of an ensemble; ``model_weight`` is the mean of ``model_weights``."""

    model_weights: np.ndarray  #: (P,) each model's weight in the posterior


@dataclass(frozen=True)
class EnsembleConsensusResult(ConsensusResult):
    """:class:`ConsensusResult` of an ensemble; ``model_weight`` is the mean of ``model_weights``."""

    model_weights: np.ndarray  #: (P,)
    temperatures: (
        np.ndarray | None
    )  #: (P,) each model's calibration temperature, None if not calibrated


@dataclass(frozen=True)
class EnsembleActiveLearningScores:
    """Scores of :func:`compute_ensemble_active_learning_scores` (lower = label it next)."""

    labeled: np.ndarray  #: shape (N,), one per row of ``labels_multiannotator``
    unlabeled: np.ndarray  #: shape (U,), one per row of each model's ``pred_probs_unlabeled``
    temperatures: (
        np.ndarray
    )  #: shape (P,), the temperature each model's probabilities were scaled by
    model_weights: np.ndarray  #: shape (P,)
    annotator_weight: np.ndarray  #: shape (M,); empty without labeled examples


def check_ensemble_pred_probs(
    pred_probs: Any, *, n_examples: int | None = None, name: str = "pred_probs"
) -> np.ndarray:
    """Validate the probabilities of an ensemble, one (N, K) array per model; return them stacked.

    Each model's array is checked as :func:`~goldlabel.core.validation.check_pred_probs` checks one
    model's. A floating dtype is kept (float16 becomes float32); integers become float64.

    Parameters
    ----------
    pred_probs : array-like of shape (P, N, K)
        ``pred_probs[p]`` holds model p's predicted probabilities.
    n_examples : int, optional
        N, if known from the labels.
    name : str
        The argument's name, used in error messages.

    Returns
    -------
    numpy.ndarray of shape (P, N, K)

    Raises
    ------
    InvalidPredProbsError
        If the array is not 3-D, holds no model, or a model's array is not probabilities.

    Examples
    --------
    >>> probs = check_ensemble_pred_probs([[[0.9, 0.1], [0.2, 0.8]], [[0.6, 0.4], [0.5, 0.5]]])
    >>> probs.shape
    (2, 2, 2)
    """
    try:
        arr = pred_probs if isinstance(pred_probs, np.ndarray) else np.asarray(pred_probs)
    except ValueError:
        arr = np.asarray(pred_probs, dtype=object)
    if arr.ndim != 3:
        hint = (
            " For a single model, use the single-model function or pass pred_probs[np.newaxis]."
            if arr.ndim == 2
            else ""
        )
        raise InvalidPredProbsError(
            f"{name} must be a 3-D array of shape (num_models, num_examples, num_classes), one "
            f"(N, K) array per model stacked with np.stack, but received an array of shape "
            f"{arr.shape}.{hint}"
        )
    if arr.shape[0] == 0:
        raise InvalidPredProbsError(
            f"{name} holds no model (its shape is {arr.shape}); pass at least one (N, K) array."
        )
    models = [
        check_pred_probs(arr[p], n_examples=n_examples, name=f"{name}[{p}]")
        for p in range(arr.shape[0])
    ]
    return np.stack(models)


def scale_ensemble_by_temperatures(
    pred_probs: np.ndarray, temperatures: Sequence[float] | np.ndarray
) -> np.ndarray:
    """Scale each model's probabilities by its own temperature, keeping the array's floating dtype.

    Parameters
    ----------
    pred_probs : numpy.ndarray of shape (P, N, K)
    temperatures : sequence of P positive floats

    Returns
    -------
    numpy.ndarray of shape (P, N, K)
        Same dtype as ``pred_probs`` when it is floating (float64 otherwise).

    Examples
    --------
    >>> probs = np.array([[[0.8, 0.2]], [[0.6, 0.4]]])
    >>> scale_ensemble_by_temperatures(probs, [1.0, 0.5]).round(3).tolist()
    [[[0.8, 0.2]], [[0.692, 0.308]]]
    """
    temps = np.asarray(temperatures, dtype=np.float64).reshape(-1)
    if temps.size != pred_probs.shape[0]:
        raise InvalidOptionError(
            f"temperatures needs one value per model ({pred_probs.shape[0]}), but received "
            f"{temps.size}."
        )
    dtype = pred_probs.dtype if np.issubdtype(pred_probs.dtype, np.floating) else np.float64
    scaled = np.empty(pred_probs.shape, dtype=dtype)
    for p, temperature in enumerate(temps):
        # a numpy float64 temperature divides float32 logits in float64, as cleanlab's does
        scaled[p] = scale_by_temperature(pred_probs[p], temperature)
    return scaled


def _most_common_class_error(consensus: np.ndarray, k: int) -> float:
    """Error of always answering the most common consensus class (the baseline of every weight)."""
    guess = np.argmax(np.bincount(consensus, minlength=k))
    return float(np.clip(np.mean(consensus != guess), a_min=_FLOOR, a_max=None))


def compute_ensemble_consensus_stats(
    labels_multiannotator: np.ndarray,
    pred_probs: np.ndarray,
    consensus_label: np.ndarray,
    *,
    label_quality_method: str = "self_confidence",
    adjust_pred_probs: bool = False,
) -> EnsembleConsensusStats:
    """CROWDLAB's posterior, weights and consensus quality with one weight per model.

    The annotators' weights and likelihoods are those of
    :func:`~goldlabel.core.multiannotator.compute_consensus_stats`; each model p adds
    ``w_p * pred_probs[p]`` to the weighted average, with
    ``w_p = max(1 - error_p / baseline, 1e-6) * sqrt(mean annotations per example)``, where
    ``error_p`` is model p's top-class error against ``consensus_label`` on the examples with two or
    more annotations and ``baseline`` the error of always answering their most common consensus class.

    Parameters
    ----------
    labels_multiannotator : numpy.ndarray of shape (N, M)
        A validated wide matrix (see :func:`check_multiannotator_labels`); some example needs two or
        more annotations.
    pred_probs : numpy.ndarray of shape (P, N, K)
        Each model's probabilities (see :func:`check_ensemble_pred_probs`).
    consensus_label : numpy.ndarray of shape (N,)
        The consensus to score (e.g. the majority vote).
    label_quality_method : {'self_confidence', 'normalized_margin', 'confidence_weighted_entropy'}
        How the consensus is scored under the posterior.
    adjust_pred_probs : bool
        Adjust the posterior by per-class confident thresholds before scoring.

    Returns
    -------
    EnsembleConsensusStats
        ``model_weight`` holds the mean model weight (what annotator quality is computed with),
        ``model_weights`` each model's.

    Raises
    ------
    InvalidLabelsError
        If no example has two or more annotations, or there are fewer than 2 classes.

    Examples
    --------
    >>> labels = np.array([[0, 0, 1], [1, 1, np.nan], [2, 1, 2], [0, np.nan, 0]])
    >>> probs = np.array([np.eye(3)[[0, 1, 2, 0]] * 0.7 + 0.1, np.eye(3)[[0, 1, 1, 0]] * 0.7 + 0.1])
    >>> stats = compute_ensemble_consensus_stats(labels, probs, np.array([0, 1, 2, 0]))
    >>> stats.model_weights.round(3).tolist()
    [1.581, 0.791]
    """
    check_consensus_options("best_quality", "crowdlab", label_quality_method)
    k = pred_probs.shape[2]
    annotators = compute_consensus_stats(labels_multiannotator, None, consensus_label, n_classes=k)
    annotator_weight = np.asarray(annotators.annotator_weight, dtype=np.float64)
    observed = ~np.isnan(labels_multiannotator)
    n_ann = observed.sum(axis=1)
    multi = n_ann != 1
    sub = consensus_label[multi]
    baseline = _most_common_class_error(sub, max(k, int(consensus_label.max()) + 1))
    errors = np.mean(np.argmax(pred_probs[:, multi], axis=2) != sub, axis=1)
    model_weights = np.maximum(1 - errors / baseline, _FLOOR) * np.sqrt(np.mean(n_ann))
    # The annotators-only posterior is their weighted sum over their total weight: undo the division.
    annotator_total = np.where(observed, annotator_weight, 0.0).sum(axis=1)
    post = annotators.post_pred_probs * annotator_total[:, None]
    for p in range(pred_probs.shape[0]):
        post = post + pred_probs[p].astype(np.float64) * model_weights[p]
    post /= (annotator_total + model_weights.sum())[:, None]
    quality = compute_label_quality_scores(
        consensus_label, post, method=label_quality_method, adjust_pred_probs=adjust_pred_probs
    )
    return EnsembleConsensusStats(
        consensus_label=consensus_label,
        consensus_quality_score=quality,
        annotator_agreement=annotators.annotator_agreement,
        post_pred_probs=post,
        model_weight=float(np.mean(model_weights)),
        annotator_weight=annotator_weight,
        non_overlapping_annotators=annotators.non_overlapping_annotators,
        model_weights=model_weights,
    )


def _check_inputs(labels_multiannotator: Any, pred_probs: Any) -> tuple[np.ndarray, np.ndarray]:
    if labels_multiannotator is None:
        raise InvalidLabelsError(
            "labels_multiannotator is None; pass the (N, M) matrix of annotations (NaN where an "
            "annotator did not label an example) that pred_probs belongs to."
        )
    n = np.shape(labels_multiannotator)[0] if np.ndim(labels_multiannotator) else None
    probs = check_ensemble_pred_probs(pred_probs, n_examples=n)
    labels, _ = check_multiannotator_labels(labels_multiannotator, pred_probs=probs[0])
    return labels, probs


def compute_ensemble_consensus(
    labels_multiannotator: Any,
    pred_probs: Any,
    *,
    label_quality_method: str = "self_confidence",
    adjust_pred_probs: bool = False,
    calibrate_probs: bool = False,
    random_state: int | np.random.Generator | None = None,
) -> EnsembleConsensusResult:
    """Consensus labels, their quality and each annotator's quality by CROWDLAB over P models.

    The majority vote (ties broken by the models' mean probabilities) seeds the posterior of
    :func:`compute_ensemble_consensus_stats`; the consensus is the posterior's top class (the majority
    vote where tied), scored under the posterior recomputed for it.

    Parameters
    ----------
    labels_multiannotator : array-like of shape (N, M)
        Class indices, ``NaN`` where an annotator did not label an example; every example and
        annotator has a label, and some example has two or more.
    pred_probs : array-like of shape (P, N, K)
        The out-of-sample probabilities of each of P models.
    label_quality_method : {'self_confidence', 'normalized_margin', 'confidence_weighted_entropy'}
    adjust_pred_probs : bool
        Adjust the posterior by confident thresholds before scoring labels.
    calibrate_probs : bool
        Temperature-scale each model's probabilities to the annotators' label frequencies first.
    random_state : int, numpy.random.Generator or None
        For the majority vote's last-resort random tie break.

    Returns
    -------
    EnsembleConsensusResult

    Raises
    ------
    InvalidLabelsError, InvalidPredProbsError
        If the inputs are malformed.
    InvalidOptionError
        If ``label_quality_method`` is unknown.

    Examples
    --------
    >>> labels = np.array([[0, 0, 1], [1, 1, np.nan], [2, 1, 2], [0, np.nan, 0]])
    >>> probs = np.array([np.eye(3)[[0, 1, 2, 0]] * 0.7 + 0.1, np.eye(3)[[0, 1, 1, 0]] * 0.7 + 0.1])
    >>> result = compute_ensemble_consensus(labels, probs)
    >>> result.consensus_label.tolist()
    [0, 1, 2, 0]
    >>> result.model_weights.round(3).tolist()
    [1.581, 0.791]
    """
    check_consensus_options("best_quality", "crowdlab", label_quality_method)
    labels, probs = _check_inputs(labels_multiannotator, pred_probs)
    if labels.shape[1] < 2:
        raise InvalidLabelsError(
            "consensus needs two or more annotators (columns), but labels_multiannotator has "
            f"{labels.shape[1]}; with one annotator, score its labels with "
            "compute_label_quality_scores instead."
        )
    temperatures = None
    if calibrate_probs:
        temperatures = np.array([find_best_temperature(labels, model) for model in probs])
        probs = scale_ensemble_by_temperatures(probs, temperatures)
    vote = compute_majority_vote_labels(
        labels, pred_probs=np.mean(probs, axis=0), random_state=random_state
    )
    options: dict[str, Any] = {
        "label_quality_method": label_quality_method,
        "adjust_pred_probs": adjust_pred_probs,
    }
    first = compute_ensemble_consensus_stats(labels, probs, vote, **options)
    best = select_best_quality_labels(first.post_pred_probs, vote)
    stats = compute_ensemble_consensus_stats(labels, probs, best, **options)
    summary = summarize_consensus(labels, stats, majority_vote_label=vote, **options)
    values = {f.name: getattr(summary, f.name) for f in fields(summary)}
    return EnsembleConsensusResult(
        **values, model_weights=stats.model_weights, temperatures=temperatures
    )


def compute_ensemble_active_learning_scores(
    labels_multiannotator: np.ndarray | None = None,
    pred_probs: np.ndarray | None = None,
    pred_probs_unlabeled: np.ndarray | None = None,
    *,
    temperatures: Sequence[float] | np.ndarray | None = None,
    random_state: int | np.random.Generator | None = None,
) -> EnsembleActiveLearningScores:
    """ActiveLab scores over an ensemble of P models; the lowest deserve an annotation first.

    A labeled example's score averages its consensus quality (under the ensemble posterior) and
    ``1/K``, weighted by the weights of its annotators plus every model's against one average
    annotator. An unlabeled example's consensus is the majority vote of the models' top classes (ties
    broken by their mean probabilities); its score is that class's probability under the weighted
    average of the models' probabilities and the uniform ``1/K`` (weighted by one average annotator).
    When some labeled example has several annotations, each model's probabilities are first scaled by
    its own fitted temperature (unlabeled ones too); otherwise every weight and temperature is 1.

    Parameters
    ----------
    labels_multiannotator : numpy.ndarray of shape (N, M), optional
        Annotator m's class index for example n, NaN where m did not label n. Needed with pred_probs.
    pred_probs : numpy.ndarray of shape (P, N, K), optional
        Each model's out-of-sample probabilities of the labeled examples.
    pred_probs_unlabeled : numpy.ndarray of shape (P, U, K), optional
        Each model's probabilities of examples nobody labeled yet (same models, same order).
    temperatures : sequence of P floats, optional
        The temperatures to scale the models by when some example has several annotations (default:
        fit each model's, :func:`~goldlabel.core.multiannotator.find_best_temperature`).
    random_state : int, numpy.random.Generator or None
        For the majority votes' last-resort random tie break.

    Returns
    -------
    EnsembleActiveLearningScores

    Raises
    ------
    InvalidOptionError
        If neither pred_probs nor pred_probs_unlabeled is given, or pred_probs comes without labels.
    InvalidPredProbsError
        If the probabilities are not (P, N, K) arrays, or the two disagree on P or K.

    Examples
    --------
    >>> labels = np.array([[0, 0, np.nan], [1, np.nan, 0], [np.nan, 2, 2]])
    >>> probs = np.array([[[0.8, 0.1, 0.1], [0.4, 0.5, 0.1], [0.1, 0.1, 0.8]],
    ...                   [[0.7, 0.2, 0.1], [0.5, 0.4, 0.1], [0.2, 0.1, 0.7]]])
    >>> scores = compute_ensemble_active_learning_scores(labels, probs, probs[:, :1])
    >>> int(scores.labeled.argmin())  # the example its two annotators disagree on
    1
    >>> scores.unlabeled.shape
    (1,)
    """
    check_score_sources(labels_multiannotator, pred_probs, pred_probs_unlabeled)
    unlabeled = None
    if pred_probs_unlabeled is not None:
        unlabeled = check_ensemble_pred_probs(pred_probs_unlabeled, name="pred_probs_unlabeled")
    n_models = unlabeled.shape[0] if unlabeled is not None else 0
    temps = np.ones(n_models)
    model_weights = np.ones(n_models)
    annotator_weight = np.ones(0)
    mean_annotator_weight = 1.0
    labeled_scores = np.zeros(0)
    if pred_probs is not None:
        labels, probs = _check_inputs(labels_multiannotator, pred_probs)
        n_models, n_classes = probs.shape[0], probs.shape[2]
        if unlabeled is not None and unlabeled.shape[::2] != probs.shape[::2]:
            raise InvalidPredProbsError(
                f"pred_probs has {n_models} models and {n_classes} classes but pred_probs_unlabeled "
                f"has {unlabeled.shape[0]} and {unlabeled.shape[2]}; both must come from the same "
                "models, in the same order."
            )
        temps = np.ones(n_models)
        model_weights = np.ones(n_models)
        annotated = ~np.isnan(labels)
        if (annotated.sum(axis=1) == 1).all():
            # One annotation per example: nothing to calibrate or weigh; every source counts as one.
            mean_probs = np.mean(probs, axis=0)
            consensus = compute_majority_vote_labels(
                labels, pred_probs=mean_probs, random_state=random_state
            )
            quality = mean_probs[np.arange(labels.shape[0]), consensus].astype(np.float64)
            annotator_weight = np.ones(labels.shape[1])
        else:
            if temperatures is None:
                temps = np.array([find_best_temperature(labels, model) for model in probs])
            else:
                temps = np.asarray(temperatures, dtype=np.float64).reshape(-1)
            probs = scale_ensemble_by_temperatures(probs, temps)
            vote = compute_majority_vote_labels(
                labels, pred_probs=np.mean(probs, axis=0), random_state=random_state
            )
            first = compute_ensemble_consensus_stats(labels, probs, vote)
            best = select_best_quality_labels(first.post_pred_probs, vote)
            stats = compute_ensemble_consensus_stats(labels, probs, best)
            quality = stats.consensus_quality_score
            model_weights = stats.model_weights
            annotator_weight = np.asarray(stats.annotator_weight, dtype=np.float64)
        labeled_scores, mean_annotator_weight = score_labeled(
            quality, annotated, annotator_weight, float(model_weights.sum()), n_classes
        )
    unlabeled_scores = np.zeros(0)
    if unlabeled is not None and unlabeled.shape[1] > 0:
        unlabeled_scores = _score_unlabeled(
            scale_ensemble_by_temperatures(unlabeled, temps),
            model_weights,
            mean_annotator_weight,
            random_state,
        )
    return EnsembleActiveLearningScores(
        labeled=labeled_scores,
        unlabeled=unlabeled_scores,
        temperatures=temps,
        model_weights=model_weights,
        annotator_weight=annotator_weight,
    )


def _score_unlabeled(
    scaled: np.ndarray,
    model_weights: np.ndarray,
    mean_annotator_weight: float,
    random_state: int | np.random.Generator | None,
) -> np.ndarray:
    """The models' majority class's probability under their weighted average with ``1/K``."""
    n_models, n_rows, n_classes = scaled.shape
    votes = np.argmax(scaled, axis=2).T.astype(np.float64)
    vote = compute_majority_vote_labels(
        votes, pred_probs=np.mean(scaled, axis=0), random_state=random_state
    )
    rows = np.arange(n_rows)
    total = np.full(n_rows, mean_annotator_weight / n_classes)
    for p in range(n_models):
        total = total + scaled[p, rows, vote].astype(np.float64) * model_weights[p]
    return np.asarray(total / (model_weights.sum() + mean_annotator_weight))
