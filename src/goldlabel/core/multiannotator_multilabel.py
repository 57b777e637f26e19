"""Consensus of several annotators' class sets (multi-label data), by CROWDLAB one class at a time.

Each class ``k`` is a binary question — does ``k`` apply to this example? — that every annotator of the
example answered (yes if ``k`` is in the set they gave). :func:`~goldlabel.core.multiannotator.compute_consensus`
answers it from the annotators and, optionally, the model's ``pred_probs[:, k]`` against ``1 - pred_probs[:, k]``,
learning how much to trust each annotator and the model *for that class*. The consensus set of an
example holds the classes whose consensus is yes.

Set-level figures combine the classes as independent questions:

- ``consensus_quality_score``: the product over classes of the per-class quality of the consensus
  answer — with the default ``self_confidence`` scores, the posterior probability that the whole set is
  right;
- ``detailed_label_quality``: the same product for each annotator's own set;
- ``annotator_agreement``: the share of an example's annotators whose set equals the consensus set;
- ``annotator_quality``: the mean ``detailed_label_quality`` of an annotator over the examples it shares
  with another annotator (NaN when it shares none), ``agreement_with_consensus``: the share of its sets
  equal to the consensus set, ``worst_class``: the class whose answers of this annotator score lowest on
  average;
- ``model_weight`` and ``annotator_weight``: the per-class CROWDLAB weights averaged over classes.

cleanlab has no multi-label multi-annotator method; this one reduces to CROWDLAB's own arithmetic per
class, so each per-class result equals cleanlab's binary one on the same column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from goldlabel.core.multiannotator import (
    ConsensusResult,
    compute_consensus,
    compute_vote_consensus,
    convert_long_to_wide_labels,
)
from goldlabel.core.multiannotator_posterior import check_consensus_options
from goldlabel.core.multilabel import check_multilabel_pred_probs
from goldlabel.exceptions import InvalidLabelsError, InvalidPredProbsError

__all__ = [
    "MultilabelConsensusResult",
    "compute_annotation_consensus",
    "compute_multilabel_consensus",
    "convert_long_to_wide_multilabel",
]


@dataclass(frozen=True)
class MultilabelConsensusResult:
    """What :func:`compute_multilabel_consensus` estimates; per-annotator arrays are in column order."""

    consensus_labels: np.ndarray  #: (N, K) int64 multi-hot consensus sets
    consensus_quality_score: np.ndarray  #: (N,)
    annotator_agreement: np.ndarray  #: (N,)
    num_annotations: np.ndarray  #: (N,) int64
    detailed_label_quality: np.ndarray  #: (N, M) quality of each annotator's set, NaN where none
    annotator_quality: np.ndarray  #: (M,) NaN for an annotator without a shared example
    agreement_with_consensus: np.ndarray  #: (M,)
    worst_class: np.ndarray  #: (M,) int64
    num_examples_labeled: np.ndarray  #: (M,) int64
    model_weight: float | None  #: mean over classes; None without pred_probs
    annotator_weight: np.ndarray | None  #: (M,) mean over classes; None for 'agreement'
    per_class: tuple[ConsensusResult, ...]  #: the binary CROWDLAB result of each class


def _describe(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return type(x).__name__


def _check_labels(labels_multiannotator: Any) -> np.ndarray:
    try:
        arr = np.asarray(labels_multiannotator, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.ndim != 3:
        raise InvalidLabelsError(
            "labels_multiannotator must be a numeric array of shape (N, M, K): for every example n "
            "and annotator m, 1 for each class in the set m gave and 0 for the others, NaN across "
            f"all K where m did not label n; received {_describe(labels_multiannotator)}."
        )
    n, m, k = arr.shape
    if n == 0 or m == 0 or k == 0:
        raise InvalidLabelsError(
            f"labels_multiannotator has shape {arr.shape}; it needs at least one example, one "
            "annotator and one class."
        )
    missing = np.isnan(arr)
    partial = missing.any(axis=2) & ~missing.all(axis=2)
    if partial.any():
        i, j = np.argwhere(partial)[0]
        raise InvalidLabelsError(
            f"example {i}, annotator {j} has NaN for some classes and values for others; write an "
            "annotation as 0/1 for every class, or NaN for every class when there is none."
        )
    bad = ~missing & (arr != 0) & (arr != 1)
    if bad.any():
        i, j, c = np.argwhere(bad)[0]
        raise InvalidLabelsError(
            f"labels_multiannotator must hold 0, 1 or NaN, but example {i}, annotator {j}, class {c} "
            f"holds {float(arr[i, j, c])!r}."
        )
    given = ~missing[:, :, 0]
    if not given.any(axis=1).all():
        rows = np.flatnonzero(~given.any(axis=1))
        raise InvalidLabelsError(
            f"examples {rows[:10].tolist()} have no annotation; drop them or annotate them."
        )
    if not given.any(axis=0).all():
        cols = np.flatnonzero(~given.any(axis=0))
        raise InvalidLabelsError(
            f"annotators (columns) {cols[:10].tolist()} labeled no example; drop those columns."
        )
    return arr


def compute_multilabel_consensus(
    labels_multiannotator: Any,
    pred_probs: Any = None,
    *,
    quality_method: str = "crowdlab",
    random_state: int | np.random.Generator | None = None,
) -> MultilabelConsensusResult:
    """Consensus class sets, their quality and each annotator's quality, by CROWDLAB per class.

    Parameters
    ----------
    labels_multiannotator : array-like of shape (N, M, K)
        For example ``n`` and annotator ``m``: 1 for each class in the set ``m`` gave, 0 for the
        others, NaN across all K where ``m`` did not label ``n``. Every example and every annotator
        has at least one annotation; CROWDLAB needs two annotators or more.
    pred_probs : array-like of shape (N, K), optional
        A model's out-of-sample per-class probabilities in [0, 1] (rows need not sum to 1).
    quality_method : {'crowdlab', 'agreement'}
        As in :func:`~goldlabel.core.multiannotator.compute_consensus`, for every class; 'agreement'
        (the majority vote scored by vote fractions) also takes a single annotator.
    random_state : int, numpy.random.Generator or None
        For the majority vote's last-resort random tie break (an even split on a class with no model
        to break it).

    Returns
    -------
    MultilabelConsensusResult

    Raises
    ------
    InvalidLabelsError, InvalidPredProbsError
        If the inputs are malformed; the message says where.
    InvalidOptionError
        If ``quality_method`` is unknown.

    Examples
    --------
    >>> labels = np.full((3, 3, 2), np.nan)
    >>> labels[0, :2] = [[1, 0], [1, 1]]
    >>> labels[1, 1:] = [[0, 1], [0, 1]]
    >>> labels[2] = [[1, 1], [1, 1], [1, 0]]
    >>> result = compute_multilabel_consensus(labels, random_state=0)
    >>> result.consensus_labels.tolist()
    [[1, 0], [0, 1], [1, 1]]
    >>> result.annotator_agreement.round(2).tolist()
    [0.5, 1.0, 0.67]
    """
    labels = _check_labels(labels_multiannotator)
    n, _, k = labels.shape
    probs = None
    if pred_probs is not None:
        probs = check_multilabel_pred_probs(pred_probs).astype(np.float64)
        if probs.shape != (n, k):
            raise InvalidPredProbsError(
                f"pred_probs has shape {probs.shape} but labels_multiannotator has {n} examples and "
                f"{k} classes; pass one probability per example and class, shape ({n}, {k})."
            )
        probs = np.clip(probs, 0.0, 1.0)
    rng = None if random_state is None else np.random.default_rng(random_state)
    check_consensus_options("best_quality", quality_method, "self_confidence")
    consensus_of = compute_vote_consensus if quality_method == "agreement" else compute_consensus
    per_class = tuple(
        consensus_of(
            labels[:, :, c],
            None if probs is None else np.column_stack([1.0 - probs[:, c], probs[:, c]]),
            n_classes=2,
            random_state=rng,
        )
        for c in range(k)
    )
    consensus = np.column_stack([r.consensus_label for r in per_class]).astype(np.int64)
    given = ~np.isnan(labels[:, :, 0])
    # (N, M, K) quality of each annotator's answer per class; NaN where it gave none
    detailed_per_class = np.stack([r.detailed_label_quality for r in per_class], axis=2)
    detailed = np.where(given, np.prod(np.nan_to_num(detailed_per_class, nan=1.0), axis=2), np.nan)
    quality = np.prod(np.column_stack([r.consensus_quality_score for r in per_class]), axis=1)
    same = given & (labels == consensus[:, None, :]).all(axis=2)
    num_annotations = given.sum(axis=1)
    shared = given & (num_annotations >= 2)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        annotator_quality = np.where(shared, detailed, 0.0).sum(axis=0) / shared.sum(axis=0)
        per_class_mean = np.nansum(detailed_per_class, axis=0) / given.sum(axis=0)[:, None]
    weights = [r.annotator_weight for r in per_class]
    model_weights = [r.model_weight for r in per_class]
    return MultilabelConsensusResult(
        consensus_labels=consensus,
        consensus_quality_score=quality,
        annotator_agreement=same.sum(axis=1) / num_annotations,
        num_annotations=num_annotations.astype(np.int64),
        detailed_label_quality=detailed,
        annotator_quality=annotator_quality,
        agreement_with_consensus=same.sum(axis=0) / given.sum(axis=0),
        worst_class=np.argmin(per_class_mean, axis=1).astype(np.int64),
        num_examples_labeled=given.sum(axis=0).astype(np.int64),
        model_weight=(
            None
            if probs is None or any(w is None for w in model_weights)
            else float(np.mean([float(w) for w in model_weights if w is not None]))
        ),
        annotator_weight=(
            None
            if any(w is None for w in weights)
            else np.mean(np.stack([w for w in weights if w is not None]), axis=0)
        ),
        per_class=per_class,
    )


def compute_annotation_consensus(
    labels_multiannotator: Any,
    pred_probs: Any = None,
    *,
    n_classes: int,
    random_state: int | np.random.Generator | None = 0,
) -> tuple[str, ConsensusResult | MultilabelConsensusResult]:
    """Consensus of stored annotations, CROWDLAB when it can learn weights, else the majority vote.

    CROWDLAB needs two annotators or more, an example labeled by two of them, and two classes; until
    then the result is the vote scored by vote fractions.

    Parameters
    ----------
    labels_multiannotator : array-like of shape (N, M), or (N, M, K) for multi-label sets
        As for :func:`~goldlabel.core.multiannotator.compute_consensus` or
        :func:`compute_multilabel_consensus`.
    pred_probs : array-like, optional
        The model's probabilities (per class for sets).
    n_classes : int
        K.
    random_state : int, numpy.random.Generator or None
        For the vote's last-resort tie break.

    Returns
    -------
    method : {'crowdlab', 'majority_vote'}
    result : ConsensusResult or MultilabelConsensusResult

    Examples
    --------
    >>> compute_annotation_consensus(np.array([[0.0], [1.0]]), n_classes=2)[0]
    'majority_vote'
    """
    labels = np.asarray(labels_multiannotator, dtype=np.float64)
    given = ~np.isnan(labels if labels.ndim == 2 else labels[..., 0])
    crowdlab = labels.shape[1] >= 2 and bool((given.sum(axis=1) > 1).any()) and n_classes >= 2
    if labels.ndim == 3:
        quality_method = "crowdlab" if crowdlab else "agreement"
        sets = compute_multilabel_consensus(
            labels, pred_probs, quality_method=quality_method, random_state=random_state
        )
        return ("crowdlab" if crowdlab else "majority_vote"), sets
    if crowdlab:
        return "crowdlab", compute_consensus(
            labels, pred_probs, n_classes=n_classes, random_state=random_state
        )
    return "majority_vote", compute_vote_consensus(
        labels, pred_probs, n_classes=n_classes, random_state=random_state
    )


def convert_long_to_wide_multilabel(
    row_ids: Any, annotators: Any, label_sets: Any, *, n_classes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn (row, annotator, class set) triples into the (N, M, K) array of
    :func:`compute_multilabel_consensus`.

    Parameters
    ----------
    row_ids, annotators : array-like of shape (P,)
        The example of each annotation and who gave it (sortable ids).
    label_sets : sequence of P sequences of int
        The classes each annotation names, indices in ``[0, n_classes)``.
    n_classes : int

    Returns
    -------
    wide : numpy.ndarray of shape (N, M, K), float64
        1 for a class in the set, 0 for one not in it, NaN across K where none was given.
    rows, annotator_ids : numpy.ndarray
        The sorted distinct rows and annotators.

    Raises
    ------
    InvalidLabelsError
        If the triples differ in length, an annotator labeled a row twice, or a class is out of range.

    Examples
    --------
    >>> wide, rows, who = convert_long_to_wide_multilabel([7, 7], ["a", "b"], [[0, 2], [1]], n_classes=3)
    >>> wide.tolist(), rows.tolist(), who.tolist()
    ([[[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]], [7], ['a', 'b'])
    """
    sets = [list(np.atleast_1d(np.asarray(s, dtype=np.int64))) for s in label_sets]
    where, rows, who = convert_long_to_wide_labels(row_ids, annotators, np.arange(len(sets)))
    lengths = np.array([len(s) for s in sets], dtype=np.int64)
    flat = np.array([c for s in sets for c in s], dtype=np.int64)
    if flat.size and (flat.min() < 0 or flat.max() >= n_classes):
        bad = int(flat[(flat < 0) | (flat >= n_classes)][0])
        raise InvalidLabelsError(
            f"label_sets name class {bad}, outside [0, {n_classes}); use class indices below n_classes."
        )
    onehot = np.zeros((len(sets), n_classes))
    onehot[np.repeat(np.arange(len(sets)), lengths), flat] = 1.0
    wide = np.full((*where.shape, n_classes), np.nan)
    given = ~np.isnan(where)
    wide[given] = onehot[where[given].astype(np.int64)]
    return wide, rows, who
