"""Drop-in replacement for ``cleanlab.multiannotator`` (cleanlab 2.9): CROWDLAB consensus and majority vote.

Same names, signatures, defaults and return types (pandas DataFrames keyed as cleanlab's), implemented on
:mod:`goldlabel.core.multiannotator`; results agree with cleanlab's to 1e-12 or better. Differences:

- A majority-vote tie that survives every rule is broken with a fresh random generator (never numpy's
  global one) and warns with :class:`~goldlabel.core.multiannotator.RandomTieBreakWarning`.
- cleanlab 2.9 counts votes with a helper that, on float labels (any matrix with NaN, and every
  DataFrame), packs the counts of the classes present into the first columns rather than each class's
  own column. That corrupts its ``quality_method='agreement'`` posterior (hence its ``best_quality``
  consensus and detailed qualities there) and its ``calibrate_probs=True`` temperature. Votes are
  counted per class here, which is what cleanlab computes for integer matrices without NaN.
- ``verbose=True`` prints its notes in our own words; unknown ``label_quality_score_kwargs`` raise
  :class:`~goldlabel.exceptions.InvalidOptionError` rather than ``TypeError``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from goldlabel.core.multiannotator import (
    CONSENSUS_METHODS,
    QUALITY_METHODS,
    ConsensusStats,
    check_multiannotator_labels,
    compute_annotator_quality,
    compute_consensus_stats,
    compute_majority_vote_labels,
    compute_vote_counts,
    find_best_temperature,
    scale_by_temperature,
    select_best_quality_labels,
    summarize_consensus,
)
from goldlabel.core.multiannotator_active import compute_active_learning_scores
from goldlabel.core.multiannotator_ensemble import (
    check_ensemble_pred_probs,
    compute_ensemble_active_learning_scores,
    compute_ensemble_consensus_stats,
    scale_ensemble_by_temperatures,
)
from goldlabel.exceptions import InvalidLabelsError, InvalidOptionError, InvalidPredProbsError

__all__ = [
    "convert_long_to_wide_dataset",
    "get_active_learning_scores",
    "get_active_learning_scores_ensemble",
    "get_label_quality_multiannotator",
    "get_label_quality_multiannotator_ensemble",
    "get_majority_vote_label",
]

_SCORE_KWARGS = ("method", "adjust_pred_probs")


def _to_array(labels_multiannotator: Any) -> tuple[np.ndarray, pd.Index | None, pd.Index | None]:
    if isinstance(labels_multiannotator, pd.DataFrame):
        values = labels_multiannotator.replace({pd.NA: np.nan}).astype(float).to_numpy()
        return values, labels_multiannotator.columns, labels_multiannotator.index
    if isinstance(labels_multiannotator, np.ndarray):
        return labels_multiannotator, None, None
    raise InvalidLabelsError(
        "labels_multiannotator must be a numpy array or a pandas DataFrame, but received "
        f"{type(labels_multiannotator).__name__}."
    )


def _check(labels: np.ndarray, pred_probs: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """cleanlab's input rules: more than one annotator, some overlap, pred_probs a numpy array."""
    if pred_probs is not None and not isinstance(pred_probs, np.ndarray):
        raise InvalidPredProbsError(
            f"pred_probs must be a numpy array, but received {type(pred_probs).__name__}."
        )
    arr, probs = check_multiannotator_labels(labels, pred_probs=pred_probs)
    if arr.shape[1] <= 1:
        raise InvalidLabelsError(
            "labels_multiannotator needs more than one column (annotator), but received "
            f"{arr.shape[1]}; for a single annotator use rank.get_label_quality_scores."
        )
    observed = ~np.isnan(arr)
    if (observed.sum(axis=1) == 1).all():
        raise InvalidLabelsError(
            "every example has exactly one label, so there is nothing to reach consensus on; pass "
            "the labels as a 1-D array to rank.get_label_quality_scores instead."
        )
    k = int(np.nanmax(arr)) + 1
    counts = np.zeros((arr.shape[0], k), dtype=np.int64)
    rows, cols = np.nonzero(observed)
    np.add.at(counts, (rows, arr[rows, cols].astype(np.int64)), 1)
    if not (counts > 1).any():
        warnings.warn(
            "no two annotators gave the same label to any example; check labels_multiannotator.",
            UserWarning,
            stacklevel=3,
        )
    return arr, probs


def _note_missing_classes(labels: np.ndarray, consensus: np.ndarray, method: str) -> None:
    given = {int(v) for v in np.unique(labels[~np.isnan(labels)])}
    lost = sorted(given - {int(v) for v in np.unique(consensus)})
    if lost:
        print(
            f"Note: consensus method '{method}' never chose classes {lost}, which annotators did use "
            "(probably rarely). A classifier trained on these consensus labels will not learn them "
            "unless some consensus labels are corrected by hand."
        )


def _note_lonely(stats: ConsensusStats) -> None:
    if stats.non_overlapping_annotators.size:
        print(
            f"Note: annotators {stats.non_overlapping_annotators.tolist()} share no example with "
            "another annotator; they are given the mean agreement of the other annotators."
        )


def _cleanlab_vote_counts(given: Any, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """The vote counts cleanlab fits its temperature to. ``given`` is the user's
    labels_multiannotator: cleanlab stores a DataFrame, or an array that is not of integers, as
    floats, and counts float labels' votes in the order of each example's distinct labels from the
    first class on, not at the labels' own classes (its ``value_counts`` on non-integers); integer
    labels are counted per class. Reproduced here so that compat's results are cleanlab's."""
    counts = compute_vote_counts(labels, n_classes)
    if isinstance(given, np.ndarray) and np.issubdtype(given.dtype, np.integer):
        return counts
    present = counts > 0
    packed = np.zeros_like(counts)
    rows, _ = np.nonzero(present)
    packed[rows, (np.cumsum(present, axis=1) - 1)[present]] = counts[present]
    return packed


def _cleanlab_temperature(given: Any, labels: np.ndarray, probs: np.ndarray) -> float:
    """The temperature cleanlab fits to one model's probabilities (see :func:`_cleanlab_vote_counts`)."""
    counts = _cleanlab_vote_counts(given, labels, probs.shape[1])
    return find_best_temperature(labels, probs, vote_counts=counts)


def _score_options(label_quality_score_kwargs: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(label_quality_score_kwargs) - set(_SCORE_KWARGS))
    if unknown:
        raise InvalidOptionError(
            f"label_quality_score_kwargs accepts {list(_SCORE_KWARGS)}, but received {unknown}."
        )
    return {
        "label_quality_method": label_quality_score_kwargs.get("method", "self_confidence"),
        "adjust_pred_probs": bool(label_quality_score_kwargs.get("adjust_pred_probs", False)),
    }


def get_label_quality_multiannotator(
    labels_multiannotator: pd.DataFrame | np.ndarray,
    pred_probs: np.ndarray,
    *,
    consensus_method: str | list[str] = "best_quality",
    quality_method: str = "crowdlab",
    calibrate_probs: bool = False,
    return_detailed_quality: bool = True,
    return_annotator_stats: bool = True,
    return_weights: bool = False,
    verbose: bool = True,
    label_quality_score_kwargs: dict = {},  # noqa: B006 (cleanlab's signature)
) -> dict[str, Any]:
    """Consensus labels, their quality, per-annotation and per-annotator quality (CROWDLAB).

    Returns a dict with ``label_quality`` (columns ``consensus_label``, ``consensus_quality_score``,
    ``annotator_agreement``, ``num_annotations``, plus ``*_<method>`` columns for further consensus
    methods), ``detailed_label_quality`` (``quality_annotator_<id>`` columns), ``annotator_stats``
    (``annotator_quality``, ``agreement_with_consensus``, ``worst_class``, ``num_examples_labeled``,
    worst annotator first) and, with ``return_weights``, ``model_weight`` and ``annotator_weight``.

    Examples
    --------
    >>> labels = np.array([[0, 0, 1], [1, 1, np.nan], [2, 1, 2], [0, np.nan, 0]])
    >>> probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.8, 0.1, 0.1]])
    >>> out = get_label_quality_multiannotator(labels, probs, verbose=False)
    >>> out["label_quality"]["consensus_label"].tolist()
    [0, 1, 2, 0]
    """
    labels, annotator_ids, index = _to_array(labels_multiannotator)
    if return_weights and quality_method != "crowdlab":
        raise InvalidOptionError(
            "model and annotator weights exist only for quality_method='crowdlab'; set "
            f"return_weights=False or quality_method='crowdlab' (received {quality_method!r})."
        )
    methods = consensus_method if isinstance(consensus_method, list) else [consensus_method]
    for method in methods:
        if method not in CONSENSUS_METHODS:
            raise InvalidOptionError(
                f"consensus_method must be one of {list(CONSENSUS_METHODS)} (or a list of them), but "
                f"received {method!r}."
            )
    if quality_method not in QUALITY_METHODS:
        raise InvalidOptionError(
            f"quality_method must be one of {list(QUALITY_METHODS)}, but received {quality_method!r}."
        )
    options = {"quality_method": quality_method, **_score_options(label_quality_score_kwargs)}
    labels, probs = _check(labels, pred_probs)
    if calibrate_probs and probs is not None:
        probs = scale_by_temperature(
            probs, _cleanlab_temperature(labels_multiannotator, labels, probs)
        )
    vote = compute_majority_vote_labels(labels, pred_probs=probs)
    vote_stats = compute_consensus_stats(labels, probs, vote, **options)
    if verbose:
        _note_lonely(vote_stats)
    frame = pd.DataFrame({"num_annotations": (~np.isnan(labels)).sum(axis=1)}, index=index)
    out: dict[str, Any] = {}
    last = vote_stats
    for position, method in enumerate(methods):
        stats = vote_stats
        if method == "best_quality":
            best = select_best_quality_labels(vote_stats.post_pred_probs, vote)
            stats = compute_consensus_stats(labels, probs, best, **options)
            if verbose:
                _note_lonely(stats)
        if verbose:
            _note_missing_classes(labels, stats.consensus_label, method)
        last = stats
        suffix = "" if position == 0 else f"_{method}"
        frame[f"consensus_label{suffix}"] = stats.consensus_label
        frame[f"consensus_quality_score{suffix}"] = stats.consensus_quality_score
        frame[f"annotator_agreement{suffix}"] = stats.annotator_agreement
        if position == 0:
            main = [
                "consensus_label",
                "consensus_quality_score",
                "annotator_agreement",
                "num_annotations",
            ]
            frame = frame[main]
            out = _describe(
                labels,
                stats,
                vote,
                options,
                annotator_ids=annotator_ids,
                index=index,
                detailed=return_detailed_quality,
                annotators=return_annotator_stats,
            )
    result: dict[str, Any] = {"label_quality": frame, **out}
    if return_weights:  # as cleanlab, the weights of the last consensus method listed
        result["model_weight"] = np.float64(last.model_weight)
        result["annotator_weight"] = last.annotator_weight
    return result


def _describe(
    labels: np.ndarray,
    stats: ConsensusStats,
    vote: np.ndarray,
    options: dict[str, Any],
    *,
    annotator_ids: pd.Index | None,
    index: pd.Index | None,
    detailed: bool,
    annotators: bool,
) -> dict[str, Any]:
    summary = summarize_consensus(labels, stats, majority_vote_label=vote, **options)
    out: dict[str, Any] = {}
    if detailed:
        out["detailed_label_quality"] = pd.DataFrame(
            summary.detailed_label_quality, index=index, columns=annotator_ids
        ).add_prefix("quality_annotator_")
    if annotators:
        quality = summary.annotator_quality
        if not detailed:  # cleanlab then scores annotators by self-confidence, whatever the kwargs
            quality = compute_annotator_quality(
                labels, stats, quality_method=options["quality_method"]
            )
        table = pd.DataFrame(
            {
                "annotator_quality": quality,
                "agreement_with_consensus": summary.agreement_with_consensus,
                "worst_class": summary.worst_class,
                "num_examples_labeled": summary.num_examples_labeled,
            },
            index=annotator_ids,
        )
        out["annotator_stats"] = table.sort_values(
            by=["annotator_quality", "agreement_with_consensus"]
        )
    return out


def get_active_learning_scores(
    labels_multiannotator: pd.DataFrame | np.ndarray | None = None,
    pred_probs: np.ndarray | None = None,
    pred_probs_unlabeled: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """ActiveLab scores: which labeled example deserves another annotation, and which unlabeled one a
    first (lower = sooner). See :func:`goldlabel.core.multiannotator_active.compute_active_learning_scores`.

    Returns ``(scores_labeled, scores_unlabeled)``; an empty array for the part not asked for.

    Examples
    --------
    >>> labels = np.array([[0, 0, np.nan], [1, np.nan, 0], [np.nan, 2, 2]])
    >>> probs = np.array([[0.8, 0.1, 0.1], [0.4, 0.5, 0.1], [0.1, 0.1, 0.8]])
    >>> labeled, unlabeled = get_active_learning_scores(labels, probs)
    >>> int(labeled.argmin()), unlabeled.size
    (1, 0)
    """
    labels = None if labels_multiannotator is None else _to_array(labels_multiannotator)[0]
    temperature = None
    if labels is not None and pred_probs is not None:
        checked, probs = check_multiannotator_labels(labels, pred_probs=pred_probs)
        if probs is not None and (~np.isnan(checked)).sum(axis=1).max() > 1:
            temperature = _cleanlab_temperature(labels, checked, probs)
    scores = compute_active_learning_scores(
        labels, pred_probs, pred_probs_unlabeled, temperature=temperature
    )
    return scores.labeled, scores.unlabeled


def _ensemble_array(pred_probs: Any, name: str) -> np.ndarray:
    """cleanlab's rules for an ensemble's probabilities: a numpy array of shape (P, N, K)."""
    if not isinstance(pred_probs, np.ndarray):
        raise InvalidPredProbsError(
            f"{name} must be a numpy array of shape (num_models, num_examples, num_classes), but "
            f"received {type(pred_probs).__name__}; stack the models' arrays with np.stack."
        )
    return check_ensemble_pred_probs(pred_probs, name=name)


def _cleanlab_temperatures(given: Any, labels: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """The temperature cleanlab fits to each model of an ensemble (the votes counted once)."""
    counts = _cleanlab_vote_counts(given, labels, probs.shape[2])
    return np.array([find_best_temperature(labels, model, vote_counts=counts) for model in probs])


def get_label_quality_multiannotator_ensemble(
    labels_multiannotator: pd.DataFrame | np.ndarray,
    pred_probs: np.ndarray,
    *,
    calibrate_probs: bool = False,
    return_detailed_quality: bool = True,
    return_annotator_stats: bool = True,
    return_weights: bool = False,
    verbose: bool = True,
    label_quality_score_kwargs: dict = {},  # noqa: B006 (cleanlab's signature)
) -> dict[str, Any]:
    """CROWDLAB with an ensemble: ``pred_probs`` of shape (P, N, K), one weight per model.

    Returns what :func:`get_label_quality_multiannotator` returns for ``consensus_method='best_quality'``
    and ``quality_method='crowdlab'``, except that with ``return_weights`` ``model_weight`` is an array of
    shape (P,); annotator quality uses the mean model weight. See
    :func:`goldlabel.core.multiannotator_ensemble.compute_ensemble_consensus_stats`.

    Differences from cleanlab 2.9: ``pred_probs`` is never modified (cleanlab temperature-scales it in
    place with ``calibrate_probs=True``), and ``label_quality_score_kwargs`` (``method``,
    ``adjust_pred_probs``) score the consensus and each annotation as in
    :func:`get_label_quality_multiannotator`, where cleanlab 2.9 raises ``TypeError`` on any of them.

    Examples
    --------
    >>> labels = np.array([[0, 0, 1], [1, 1, np.nan], [2, 1, 2], [0, np.nan, 0]])
    >>> probs = np.array([np.eye(3)[[0, 1, 2, 0]] * 0.7 + 0.1, np.eye(3)[[0, 1, 1, 0]] * 0.7 + 0.1])
    >>> out = get_label_quality_multiannotator_ensemble(labels, probs, return_weights=True)
    >>> out["label_quality"]["consensus_label"].tolist(), out["model_weight"].round(3).tolist()
    ([0, 1, 2, 0], [1.581, 0.791])
    """
    labels, annotator_ids, index = _to_array(labels_multiannotator)
    options = {"quality_method": "crowdlab", **_score_options(label_quality_score_kwargs)}
    scoring = {key: options[key] for key in ("label_quality_method", "adjust_pred_probs")}
    probs = _ensemble_array(pred_probs, "pred_probs")
    labels, _ = _check(labels, probs[0])  # every model has model 0's shape
    if calibrate_probs:
        probs = scale_ensemble_by_temperatures(
            probs, _cleanlab_temperatures(labels_multiannotator, labels, probs)
        )
    vote = compute_majority_vote_labels(labels, pred_probs=np.mean(probs, axis=0))
    vote_stats = compute_ensemble_consensus_stats(labels, probs, vote, **scoring)
    best = select_best_quality_labels(vote_stats.post_pred_probs, vote)
    stats = compute_ensemble_consensus_stats(labels, probs, best, **scoring)
    if verbose:
        _note_lonely(vote_stats)
        _note_lonely(stats)
        _note_missing_classes(labels, stats.consensus_label, "best_quality")
    frame = pd.DataFrame(
        {
            "consensus_label": stats.consensus_label,
            "consensus_quality_score": stats.consensus_quality_score,
            "annotator_agreement": stats.annotator_agreement,
            "num_annotations": (~np.isnan(labels)).sum(axis=1),
        },
        index=index,
    )
    out = _describe(
        labels,
        stats,
        vote,
        options,
        annotator_ids=annotator_ids,
        index=index,
        detailed=return_detailed_quality,
        annotators=return_annotator_stats,
    )
    result: dict[str, Any] = {"label_quality": frame, **out}
    if return_weights:
        result["model_weight"] = stats.model_weights
        result["annotator_weight"] = stats.annotator_weight
    return result


def get_active_learning_scores_ensemble(
    labels_multiannotator: pd.DataFrame | np.ndarray | None = None,
    pred_probs: np.ndarray | None = None,
    pred_probs_unlabeled: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """ActiveLab with an ensemble: ``pred_probs`` (P, N, K) and ``pred_probs_unlabeled`` (P, U, K).

    Returns ``(scores_labeled, scores_unlabeled)`` (lower = annotate sooner); an empty array for the
    part not asked for. See
    :func:`goldlabel.core.multiannotator_ensemble.compute_ensemble_active_learning_scores`.

    Differences from cleanlab 2.9: neither probability array is modified (cleanlab temperature-scales
    both in place), nothing is printed, and one model with ``pred_probs_unlabeled`` works (cleanlab
    2.9 raises ``ValueError`` there).

    Examples
    --------
    >>> labels = np.array([[0, 0, np.nan], [1, np.nan, 0], [np.nan, 2, 2]])
    >>> probs = np.array([[[0.8, 0.1, 0.1], [0.4, 0.5, 0.1], [0.1, 0.1, 0.8]],
    ...                   [[0.7, 0.2, 0.1], [0.5, 0.4, 0.1], [0.2, 0.1, 0.7]]])
    >>> labeled, unlabeled = get_active_learning_scores_ensemble(labels, probs, probs[:, :1])
    >>> int(labeled.argmin()), unlabeled.size
    (1, 1)
    """
    unlabeled = None
    if pred_probs_unlabeled is not None:
        unlabeled = _ensemble_array(pred_probs_unlabeled, "pred_probs_unlabeled")
    probs = None if pred_probs is None else _ensemble_array(pred_probs, "pred_probs")
    labels = None  # as cleanlab, the annotations are not looked at without pred_probs
    if labels_multiannotator is not None and probs is not None:
        labels = _to_array(labels_multiannotator)[0]
    temperatures = None
    if labels is not None and probs is not None:
        checked, _ = check_multiannotator_labels(labels, pred_probs=probs[0])
        if (~np.isnan(checked)).sum(axis=1).max() > 1:
            temperatures = _cleanlab_temperatures(labels, checked, probs)
    scores = compute_ensemble_active_learning_scores(
        labels, probs, unlabeled, temperatures=temperatures
    )
    return scores.labeled, scores.unlabeled


def get_majority_vote_label(
    labels_multiannotator: pd.DataFrame | np.ndarray,
    pred_probs: np.ndarray | None = None,
    verbose: bool = True,
) -> np.ndarray:
    """The majority vote of each example, shape (N,), ties broken as cleanlab does.

    Ties go to the class with the higher ``pred_probs``, then the rarer class, then the class chosen
    by annotators who agree more with the untied majority, then a random class.

    Examples
    --------
    >>> get_majority_vote_label(np.array([[0, 0, 1], [2, 2, np.nan]]), verbose=False).tolist()
    [0, 2]
    """
    labels, _, _ = _to_array(labels_multiannotator)
    probs = pred_probs
    if verbose:
        labels, probs = _check(labels, pred_probs)
    vote = compute_majority_vote_labels(labels, pred_probs=probs)
    if verbose:
        _note_missing_classes(labels, vote, "majority_vote")
    return vote


def convert_long_to_wide_dataset(labels_multiannotator_long: pd.DataFrame) -> pd.DataFrame:
    """Pivot a long table (columns ``task``, ``annotator``, ``label``) to one row per task.

    The result has one column per annotator, NaN where an annotator did not label a task, ready for
    :func:`get_label_quality_multiannotator`.

    Examples
    --------
    >>> long = pd.DataFrame({"task": [0, 0, 1], "annotator": ["a", "b", "b"], "label": [1, 0, 1]})
    >>> convert_long_to_wide_dataset(long).to_dict()
    {'a': {0: 1.0, 1: nan}, 'b': {0: 0.0, 1: 1.0}}
    """
    missing = [c for c in ("task", "annotator", "label") if c not in labels_multiannotator_long]
    if missing:
        raise InvalidLabelsError(
            "the long table needs columns 'task', 'annotator' and 'label', but it lacks "
            f"{missing}; rename your columns first."
        )
    wide = labels_multiannotator_long.pivot(index="task", columns="annotator", values="label")
    wide.index.name = None
    wide.columns.name = None
    return wide
