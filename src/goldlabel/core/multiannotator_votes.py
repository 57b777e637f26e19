"""Several annotators' labels on the same examples: validation, the wide matrix, and majority vote.

The wide matrix holds one row per example and one column per annotator, with ``NaN`` where the annotator
did not label the example (cleanlab's ``labels_multiannotator`` format). Consensus built on it lives in
:mod:`goldlabel.core.multiannotator`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from goldlabel.core.validation import check_pred_probs
from goldlabel.exceptions import InvalidLabelsError, InvalidPredProbsError

__all__ = [
    "RandomTieBreakWarning",
    "check_multiannotator_labels",
    "compute_majority_vote_labels",
    "compute_vote_counts",
    "convert_long_to_wide_labels",
]

_SHOW = 10  # how many offending rows or columns an error message lists


class RandomTieBreakWarning(UserWarning):
    """A majority-vote tie survived every rule and was broken at random (pass ``random_state``).

    ``rows`` holds the indices of the examples concerned.
    """

    def __init__(self, message: str, rows: np.ndarray | None = None) -> None:
        super().__init__(message)
        self.rows = np.zeros(0, dtype=np.int64) if rows is None else rows


def _listed(indices: np.ndarray) -> str:
    shown = ", ".join(str(int(i)) for i in indices[:_SHOW])
    return shown + (f", ... ({indices.size} in all)" if indices.size > _SHOW else "")


def check_multiannotator_labels(
    labels_multiannotator: Any,
    *,
    pred_probs: Any = None,
    n_classes: int | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Validate a wide annotation matrix (and pred_probs); return them as float arrays.

    Parameters
    ----------
    labels_multiannotator : array-like of shape (N, M)
        ``labels_multiannotator[n, m]`` is annotator m's class index for example n, ``NaN`` if m did
        not label n. Every example needs one label and every annotator one example.
    pred_probs : array-like of shape (N, K), optional
        A model's out-of-sample predicted probabilities; K must exceed the largest label.
    n_classes : int, optional
        K when there are no pred_probs; labels must be below it.

    Returns
    -------
    labels : numpy.ndarray of shape (N, M), float64
    pred_probs : numpy.ndarray of shape (N, K), or None

    Raises
    ------
    InvalidLabelsError
        If the matrix is not 2-D, holds anything but non-negative whole numbers and NaN, or has an
        example or annotator without any label.
    InvalidPredProbsError
        If pred_probs is not an (N, K) probability array with enough classes.

    Examples
    --------
    >>> labels, _ = check_multiannotator_labels([[0, 1], [1, float("nan")]])
    >>> labels.shape
    (2, 2)
    """
    try:
        arr = np.array(labels_multiannotator, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidLabelsError(
            "labels_multiannotator must hold class indices (0..K-1) and NaN for a missing label, but "
            f"received values of type {np.asarray(labels_multiannotator).dtype}. Map class names to "
            "indices first (convert_long_to_wide_labels does it for (row, annotator, label) triples)."
        ) from None
    if arr.ndim != 2:
        raise InvalidLabelsError(
            "labels_multiannotator must be a 2-D array with one row per example and one column per "
            f"annotator, but received an array of shape {arr.shape}."
        )
    observed = ~np.isnan(arr)
    values = arr[observed]
    bad = ~np.isfinite(values) | (values < 0) | (values != np.floor(values))
    if bad.any():
        raise InvalidLabelsError(
            "labels_multiannotator must hold non-negative whole class indices (or NaN for no label), "
            f"but it holds {values[bad][0]!r}. Map class names to indices 0..K-1 first."
        )
    empty_rows = np.flatnonzero(~observed.any(axis=1))
    if empty_rows.size:
        raise InvalidLabelsError(
            "every example needs at least one annotation, but rows "
            f"[{_listed(empty_rows)}] of labels_multiannotator are all NaN; drop them first."
        )
    empty_cols = np.flatnonzero(~observed.any(axis=0))
    if empty_cols.size:
        raise InvalidLabelsError(
            "every annotator needs at least one annotation, but columns "
            f"[{_listed(empty_cols)}] of labels_multiannotator are all NaN; drop them first."
        )
    top = int(values.max()) + 1 if values.size else 0
    probs = None
    if pred_probs is not None:
        probs = check_pred_probs(pred_probs, n_examples=arr.shape[0])
        if probs.shape[0] != arr.shape[0]:
            raise InvalidPredProbsError(
                f"pred_probs has {probs.shape[0]} rows but labels_multiannotator has {arr.shape[0]}; "
                "pass one row of probabilities per example."
            )
        n_classes = probs.shape[1]
    if n_classes is not None and top > n_classes:
        raise (InvalidPredProbsError if probs is not None else InvalidLabelsError)(
            f"labels_multiannotator holds class {top - 1} but there are only {n_classes} classes; "
            f"pass {top} or more classes (pred_probs with at least {top} columns)."
        )
    return arr, probs


def compute_vote_counts(labels_multiannotator: np.ndarray, n_classes: int) -> np.ndarray:
    """How many annotators gave each class to each example.

    Parameters
    ----------
    labels_multiannotator : numpy.ndarray of shape (N, M)
        A validated wide matrix (NaN = no label).
    n_classes : int
        K.

    Returns
    -------
    numpy.ndarray of shape (N, K), int64

    Examples
    --------
    >>> compute_vote_counts(np.array([[0, 1, 1], [2, np.nan, 2]]), 3).tolist()
    [[1, 2, 0], [0, 0, 2]]
    """
    n = labels_multiannotator.shape[0]
    rows, cols = np.nonzero(~np.isnan(labels_multiannotator))
    codes = rows * n_classes + labels_multiannotator[rows, cols].astype(np.int64)
    return np.bincount(codes, minlength=n * n_classes).reshape(n, n_classes)


def _narrow(candidates: np.ndarray, tied: np.ndarray, key: np.ndarray, *, largest: bool) -> None:
    """Keep, in the tied rows, only the candidates with the best key (in place)."""
    sub = candidates[tied]
    fill = -np.inf if largest else np.inf
    masked = np.where(sub, key[tied] if key.ndim == 2 else key, fill)
    best = masked.max(axis=1) if largest else masked.min(axis=1)
    candidates[tied] = sub & (masked == best[:, None])


def compute_majority_vote_labels(
    labels_multiannotator: Any,
    *,
    pred_probs: Any = None,
    n_classes: int | None = None,
    random_state: int | np.random.Generator | None = None,
) -> np.ndarray:
    """The most common label of each example, with cleanlab's tie rules.

    A tie between classes is broken by, in order, each rule deciding only among the classes still tied:
    the higher model probability (when ``pred_probs`` is given); the class given least often over the
    whole dataset; the higher mean agreement, with the majority vote of untied examples, of the
    annotators who chose the class; and last a random choice, with a :class:`RandomTieBreakWarning`.

    Parameters
    ----------
    labels_multiannotator : array-like of shape (N, M)
        Class indices, ``NaN`` where an annotator did not label an example.
    pred_probs : array-like of shape (N, K), optional
        Out-of-sample predicted probabilities, used to break ties first.
    n_classes : int, optional
        K without pred_probs; defaults to the largest label + 1.
    random_state : int, numpy.random.Generator or None
        Seeds the last, random tie break.

    Returns
    -------
    numpy.ndarray of shape (N,), int64

    Examples
    --------
    >>> labels = np.array([[0, 0, 1], [1, 2, np.nan], [2, 2, 2]])
    >>> compute_majority_vote_labels(labels, pred_probs=np.eye(3)[[0, 2, 2]]).tolist()
    [0, 2, 2]
    """
    labels, probs = check_multiannotator_labels(
        labels_multiannotator, pred_probs=pred_probs, n_classes=n_classes
    )
    if probs is not None:
        k = probs.shape[1]
    else:
        k = n_classes if n_classes is not None else int(np.nanmax(labels)) + 1
    counts = compute_vote_counts(labels, k)
    candidates = counts == counts.max(axis=1, keepdims=True)
    untied = candidates.sum(axis=1) == 1
    vote = np.argmax(candidates, axis=1)
    tied = ~untied
    if probs is not None and tied.any():
        _narrow(candidates, tied, probs, largest=True)
        tied &= candidates.sum(axis=1) > 1
    if tied.any():
        _narrow(candidates, tied, counts.sum(axis=0).astype(np.float64), largest=False)
        tied &= candidates.sum(axis=1) > 1
    if tied.any():
        scores = _tied_class_agreement(labels, vote, untied, tied, k)
        if scores is not None:
            _narrow(candidates, tied, scores, largest=True)
            tied &= candidates.sum(axis=1) > 1
    out = np.where(tied, -1, np.argmax(candidates, axis=1))
    if tied.any():
        rows = np.flatnonzero(tied)
        message = (
            f"majority-vote ties in rows [{_listed(rows)}] were broken at random; pass random_state "
            "for a reproducible result."
        )
        warnings.warn(RandomTieBreakWarning(message, rows), stacklevel=2)
        rng = np.random.default_rng(random_state)
        sub = candidates[rows]
        pick = np.floor(rng.random(rows.size) * sub.sum(axis=1)).astype(np.int64)
        rank = np.cumsum(sub, axis=1) - 1
        out[rows] = np.argmax(sub & (rank == pick[:, None]), axis=1)
    return out.astype(np.int64)


def _tied_class_agreement(
    labels: np.ndarray, vote: np.ndarray, untied: np.ndarray, tied: np.ndarray, k: int
) -> np.ndarray | None:
    """Per (tied row, class): mean agreement with the untied majority vote of the annotators choosing it.

    None when no annotator labeled an untied example (the rule cannot decide anything).
    """
    observed = ~np.isnan(labels)
    on_untied = observed & untied[:, None]
    agrees = (labels == vote[:, None]) & on_untied
    labeled = on_untied.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = np.where(labeled > 0, agrees.sum(axis=0) / labeled, np.nan)
    missing = np.isnan(agreement)
    if missing.all():
        return None
    if missing.any():
        agreement[missing] = np.mean(agreement[~missing])
    rows = np.flatnonzero(tied)
    sums = np.zeros((rows.size, k))
    counts = np.zeros((rows.size, k))
    sub = labels[rows]
    for j in range(labels.shape[1]):
        has = ~np.isnan(sub[:, j])
        cls = sub[has, j].astype(np.int64)
        sums[has, cls] += agreement[j]
        counts[has, cls] += 1
    out = np.full((labels.shape[0], k), -np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[rows] = sums / counts
    return out


def convert_long_to_wide_labels(
    row_ids: Any, annotators: Any, labels: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn (row, annotator, label) triples into the wide matrix.

    Parameters
    ----------
    row_ids : array-like of shape (P,)
        The example of each annotation.
    annotators : array-like of shape (P,)
        Who gave it (any hashable, sortable ids).
    labels : array-like of shape (P,)
        The class index given.

    Returns
    -------
    wide : numpy.ndarray of shape (N, M), float64
        NaN where an annotator did not label an example.
    rows : numpy.ndarray of shape (N,)
        The sorted distinct row ids, one per row of ``wide``.
    annotator_ids : numpy.ndarray of shape (M,)
        The sorted distinct annotators, one per column of ``wide``.

    Raises
    ------
    InvalidLabelsError
        If the three arrays differ in length or one annotator labeled one row twice.

    Examples
    --------
    >>> wide, rows, who = convert_long_to_wide_labels([7, 7, 9], ["ann", "bob", "bob"], [1, 0, 2])
    >>> wide.tolist(), rows.tolist(), who.tolist()
    ([[1.0, 0.0], [nan, 2.0]], [7, 9], ['ann', 'bob'])
    """
    r, a, y = (np.asarray(v) for v in (row_ids, annotators, labels))
    if not (r.ndim == a.ndim == y.ndim == 1 and r.size == a.size == y.size):
        raise InvalidLabelsError(
            "row_ids, annotators and labels must be 1-D and of equal length, but received shapes "
            f"{r.shape}, {a.shape} and {y.shape}."
        )
    rows, r_idx = np.unique(r, return_inverse=True)
    who, a_idx = np.unique(a, return_inverse=True)
    cell = r_idx * who.size + a_idx
    distinct, counts = np.unique(cell, return_counts=True)
    if distinct.size != cell.size:
        twice = int(np.flatnonzero(cell == distinct[np.argmax(counts > 1)])[0])
        row, who_twice = (
            v.item() if isinstance(v, np.generic) else v for v in (r[twice], a[twice])
        )
        raise InvalidLabelsError(
            "each annotator may label each row once, but some (row, annotator) pairs appear more than "
            f"once (first: row {row!r}, annotator {who_twice!r}, {int(counts.max())} times at "
            "most); keep the latest annotation of each pair."
        )
    wide = np.full((rows.size, who.size), np.nan)
    wide[r_idx, a_idx] = y
    return wide, rows, who
