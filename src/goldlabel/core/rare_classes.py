"""Merging rare classes into one "other" class, and mapping results back to the original classes.

Confident learning estimates a threshold and a row of the confident joint per class; a class with a
handful of examples gives noisy estimates and can swamp the results. :func:`merge_rare_classes` folds
every class with fewer than ``min_examples`` examples into a single "other" class (its pred_probs column
is the sum of theirs), so the algorithms run on well-populated classes; :func:`restore_original_classes`
translates what they return back to the original class indices.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from goldlabel.core.counting import prepare_inputs
from goldlabel.core.validation import _describe
from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidPredProbsError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CLASS_INDEX_COLUMNS",
    "OTHER",
    "RareClassMapping",
    "merge_rare_classes",
    "restore_original_classes",
]

#: The original-class value given to the "other" class when nothing better is known.
OTHER = -1
#: DataFrame columns holding class indices, translated by :func:`restore_original_classes`.
CLASS_INDEX_COLUMNS = ("Class Index", "Class Index A", "Class Index B")


@dataclass(frozen=True)
class RareClassMapping:
    """How original classes map to merged ones.

    Attributes
    ----------
    original_to_merged : numpy.ndarray of shape (K,)
        The merged index of every original class.
    merged_to_original : numpy.ndarray of shape (K',)
        The original index of every merged class; :data:`OTHER` (-1) for the "other" class.
    rare_classes : numpy.ndarray of shape (R,)
        The original classes folded into "other", ascending.
    other_class : int or None
        The merged index of the "other" class (always the last one), or None if nothing was merged.
    """

    original_to_merged: np.ndarray
    merged_to_original: np.ndarray
    rare_classes: np.ndarray
    other_class: int | None

    def __post_init__(self) -> None:
        for array in (self.original_to_merged, self.merged_to_original, self.rare_classes):
            array.setflags(write=False)

    @property
    def num_original_classes(self) -> int:
        """K, the number of original classes."""
        return int(self.original_to_merged.shape[0])

    @property
    def num_merged_classes(self) -> int:
        """K', the number of classes after merging."""
        return int(self.merged_to_original.shape[0])


def _check_min_examples(min_examples: Any) -> int:
    if isinstance(min_examples, (bool, np.bool_)) or not isinstance(
        min_examples, (int, np.integer)
    ):
        raise DataValidationError(
            f"min_examples must be a positive integer, but received {_describe(min_examples)}. "
            "Pass e.g. min_examples=5."
        )
    if min_examples < 1:
        raise DataValidationError(
            f"min_examples must be a positive integer, but received {min_examples}. With "
            "min_examples=1 no class is merged; pass a larger value to merge rare classes."
        )
    return int(min_examples)


def merge_rare_classes(
    labels: Any, pred_probs: Any, *, min_examples: int = 5
) -> tuple[np.ndarray, np.ndarray, RareClassMapping]:
    """Fold every class with fewer than ``min_examples`` examples into one "other" class.

    The kept classes keep their relative order and are renumbered ``0 .. K'-2``; "other" is the last
    class ``K'-1``. Its pred_probs column is the sum of the merged classes' columns, so rows still sum
    to 1. Classes that never occur in ``labels`` count as rare. If no class is rare, labels and
    pred_probs are returned unchanged (as arrays) with an identity mapping.

    Parameters
    ----------
    labels : array-like of shape (N,)
        Given labels, integers in [0, K).
    pred_probs : array-like of shape (N, K)
        Predicted probabilities.
    min_examples : int
        Classes with fewer examples than this are merged.

    Returns
    -------
    labels : numpy.ndarray of shape (N,)
        Labels in merged class indices.
    pred_probs : numpy.ndarray of shape (N, K')
        Probabilities of the merged classes.
    mapping : RareClassMapping
        Pass it to :func:`restore_original_classes` to map results back.

    Raises
    ------
    DataValidationError
        If fewer than two classes would remain after merging.

    Examples
    --------
    >>> labels = [0, 0, 0, 1, 2, 0, 3, 3, 3]
    >>> probs = np.full((9, 4), 0.25)
    >>> new_labels, new_probs, mapping = merge_rare_classes(labels, probs, min_examples=2)
    >>> new_labels.tolist(), new_probs[0].tolist(), mapping.rare_classes.tolist()
    ([0, 0, 0, 2, 2, 0, 1, 1, 1], [0.25, 0.25, 0.5], [1, 2])
    """
    minimum = _check_min_examples(min_examples)
    labs, probs = prepare_inputs(labels, pred_probs)
    k = probs.shape[1]
    counts = np.bincount(labs, minlength=k)
    rare = np.flatnonzero(counts < minimum)
    kept = np.flatnonzero(counts >= minimum)
    if rare.size == 0:
        identity = np.arange(k)
        return labs, probs, RareClassMapping(identity, identity.copy(), rare, None)
    if kept.size == 0 or (kept.size == 1 and counts[rare].sum() == 0):
        raise DataValidationError(
            f"Merging the classes with fewer than {minimum} examples would leave fewer than two "
            f"classes (class counts: {np.array2string(counts, threshold=20)}). Lower min_examples "
            "or collect more labeled examples."
        )
    other = int(kept.size)
    original_to_merged = np.full(k, other, dtype=np.int64)
    original_to_merged[kept] = np.arange(other)
    merged_to_original = np.append(kept, OTHER).astype(np.int64)
    new_probs = np.empty((probs.shape[0], other + 1), dtype=probs.dtype)
    new_probs[:, :other] = probs[:, kept]
    new_probs[:, other] = probs[:, rare].sum(axis=1)
    mapping = RareClassMapping(original_to_merged, merged_to_original, rare, other)
    return original_to_merged[labs], new_probs, mapping


def _restore_indices(
    indices: np.ndarray, mapping: RareClassMapping, pred_probs: Any, name: str
) -> np.ndarray:
    k_merged = mapping.num_merged_classes
    if indices.size and (indices.min() < 0 or indices.max() >= k_merged):
        raise InvalidLabelsError(
            f"{name} must hold merged class indices in [0, {k_merged}), but it holds values from "
            f"{indices.min()} to {indices.max()}. Pass results computed on the merged labels."
        )
    restored = mapping.merged_to_original[indices]
    if mapping.other_class is None or pred_probs is None:
        return restored
    probs = np.asarray(pred_probs)
    if probs.ndim != 2 or probs.shape != (indices.shape[0], mapping.num_original_classes):
        raise InvalidPredProbsError(
            "pred_probs must be the original (N, K) probabilities, shape "
            f"({indices.shape[0]}, {mapping.num_original_classes}), but received "
            f"{_describe(pred_probs)}."
        )
    is_other = np.flatnonzero(indices == mapping.other_class)
    rare = mapping.rare_classes
    restored[is_other] = rare[probs[np.ix_(is_other, rare)].argmax(axis=1)]
    return restored


def _restore_table(table: pd.DataFrame, mapping: RareClassMapping) -> pd.DataFrame:
    columns = [c for c in CLASS_INDEX_COLUMNS if c in table.columns]
    if not columns:
        raise DataValidationError(
            "The DataFrame has none of the class-index columns "
            f"{', '.join(repr(c) for c in CLASS_INDEX_COLUMNS)} (its columns are "
            f"{list(table.columns)[:8]}). Pass a per-class table such as the output of "
            "rank_classes_by_label_quality or find_overlapping_classes."
        )
    out = table.copy()
    for column in columns:
        values = out[column].to_numpy()
        if values.dtype.kind not in "iu":
            raise DataValidationError(
                f"Column {column!r} must hold integer class indices, but has dtype {values.dtype}."
            )
        out[column] = _restore_indices(values.astype(np.int64), mapping, None, f"column {column!r}")
    return out


def restore_original_classes(
    result: Any, mapping: RareClassMapping, *, pred_probs: Any = None
) -> Any:
    """Translate a result computed on merged classes back to the original classes.

    - A boolean mask of shape (N,) (e.g. from ``find_label_issues``) is about examples, not classes:
      it is returned unchanged (as a numpy array).
    - An integer array of merged class indices (e.g. suggested labels) becomes original class
      indices. The "other" class becomes, when the original ``pred_probs`` are given, the most likely
      of the merged rare classes for that row, and :data:`OTHER` (-1) otherwise.
    - A per-class DataFrame (from ``rank_classes_by_label_quality`` or ``find_overlapping_classes``)
      gets its "Class Index" columns translated; the "other" class's row gets :data:`OTHER`.

    Parameters
    ----------
    result : numpy.ndarray of shape (N,) or pandas.DataFrame
        What an algorithm returned for the merged data.
    mapping : RareClassMapping
        The mapping returned by :func:`merge_rare_classes`.
    pred_probs : array-like of shape (N, K), optional
        The original predicted probabilities, to resolve "other" for class-index arrays.

    Returns
    -------
    numpy.ndarray or pandas.DataFrame
        The same kind of object as ``result``.

    Examples
    --------
    >>> labels = [0, 0, 0, 1, 2, 0, 3, 3, 3]
    >>> probs = np.full((9, 4), 0.25)
    >>> _, _, mapping = merge_rare_classes(labels, probs, min_examples=2)
    >>> restore_original_classes(np.array([0, 1, 2]), mapping).tolist()
    [0, 3, -1]
    """
    if not isinstance(mapping, RareClassMapping):
        raise TypeError(
            f"mapping must be the RareClassMapping returned by merge_rare_classes, but received "
            f"{type(mapping).__name__}."
        )
    # Only a DataFrame when pandas is loaded: core itself never imports it.
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(result, pandas.DataFrame):
        return _restore_table(result, mapping)
    arr = np.asarray(result)
    if arr.dtype.kind == "b":
        return arr
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise DataValidationError(
            "result must be a boolean mask, a 1-D array of merged class indices or a per-class "
            f"DataFrame, but received {_describe(result)}. Scores and probabilities are per "
            "example and need no translation."
        )
    return _restore_indices(arr.astype(np.int64), mapping, pred_probs, "result")
