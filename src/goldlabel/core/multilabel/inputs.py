"""Multi-label inputs: validating them and converting between lists of classes and multi-hot matrices.

Labels are a list of lists of class indices, e.g. ``[[0, 2], [1], []]``; pred_probs is an (N, K) array
of per-class probabilities whose rows need not sum to 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

from goldlabel.exceptions import InvalidLabelsError, InvalidPredProbsError

__all__ = [
    "check_multilabel_inputs",
    "check_multilabel_pred_probs",
    "convert_multilabel_to_onehot",
    "convert_onehot_to_multilabel",
]

#: Values this far outside [0, 1] are tolerated as rounding noise.
_EPS = 1e-6


def _describe(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"a numpy array of shape {x.shape} and dtype {x.dtype}"
    if isinstance(x, (list, tuple)):
        head = ", ".join(repr(v) for v in list(x)[:3])
        return f"a {type(x).__name__} of length {len(x)}: [{head}{', ...' if len(x) > 3 else ''}]"
    return f"{type(x).__name__} {x!r:.60}"


def check_multilabel_pred_probs(pred_probs: Any) -> np.ndarray:
    """Validate multi-label pred_probs: a finite (N, K) array of probabilities in [0, 1] (rows need
    not sum to 1); integers become float64 and half floats float32.

    Raises
    ------
    InvalidPredProbsError

    Examples
    --------
    >>> check_multilabel_pred_probs([[0.9, 0.7]]).dtype
    dtype('float64')
    """
    if pred_probs is None:
        raise InvalidPredProbsError(
            "pred_probs is None. Pass an (N, K) array with, for every example and class, the "
            "predicted probability that the class applies (e.g. from a one-vs-rest classifier)."
        )
    try:
        arr = pred_probs if isinstance(pred_probs, np.ndarray) else np.asarray(pred_probs)
    except ValueError:  # ragged rows
        arr = np.asarray(pred_probs, dtype=object)
    if arr.dtype == object or arr.ndim != 2:
        raise InvalidPredProbsError(
            f"pred_probs must be a numeric 2-D array of shape (N, K), but received "
            f"{_describe(pred_probs)}. Give every example one probability per class."
        )
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise InvalidPredProbsError(
            f"pred_probs must hold real numbers, but received dtype {arr.dtype}."
        )
    elif arr.dtype.itemsize < 4:
        arr = arr.astype(np.float32)
    if arr.shape[1] < 1:
        raise InvalidPredProbsError("pred_probs has no columns; it needs one column per class.")
    if arr.size and not np.isfinite(arr).all():
        row = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise InvalidPredProbsError(
            f"pred_probs contains NaN or infinite values (first in row {row}). Re-predict or drop "
            "those rows."
        )
    if arr.size and (arr.min() < -_EPS or arr.max() > 1 + _EPS):
        bad = np.argwhere((arr < -_EPS) | (arr > 1 + _EPS))[0]
        raise InvalidPredProbsError(
            f"pred_probs must be probabilities in [0, 1], but row {bad[0]}, column {bad[1]} holds "
            f"{float(arr[bad[0], bad[1]])!r}. These look like logits: apply a sigmoid "
            "(scipy.special.expit) to each column. Rows need not sum to 1 in multi-label data."
        )
    return arr


def _check_rows(labels: Any) -> Sequence[Any]:
    if labels is None or labels is list:
        raise InvalidLabelsError(
            "labels is missing. Pass one list of class indices per example, e.g. [[0, 2], [1], []]."
        )
    if isinstance(labels, np.ndarray) and labels.ndim == 2:
        raise InvalidLabelsError(
            f"labels must be a list of lists of class indices, but received {_describe(labels)}. "
            "If this is a multi-hot matrix, convert it with convert_onehot_to_multilabel(labels)."
        )
    if not isinstance(labels, (list, tuple)):
        raise InvalidLabelsError(
            f"labels must be a list of lists of class indices, e.g. [[0, 2], [1], []], but received "
            f"{_describe(labels)}. Convert it with list(...) if it is another sequence of lists."
        )
    for i, row in enumerate(labels):
        if not isinstance(row, (list, tuple)) and not (
            isinstance(row, np.ndarray) and row.ndim == 1
        ):
            hint = (
                " For single-label data (one class per example) use goldlabel.core.find_label_issues;"
                " here wrap each class in a list, e.g. [[2], [0]]."
                if isinstance(row, (int, np.integer))
                else ""
            )
            raise InvalidLabelsError(
                f"labels[{i}] must be a list (or tuple) of class indices, but it is "
                f"{_describe(row)}.{hint}"
            )
    return labels


def convert_multilabel_to_onehot(labels: Any, *, n_classes: int | None = None) -> np.ndarray:
    """Turn lists of class indices into a multi-hot matrix.

    Parameters
    ----------
    labels : list of list of int, length N
        The classes of each example; a list may be empty and repeats are ignored.
    n_classes : int, optional
        K. Default: the largest class index plus one.

    Returns
    -------
    numpy.ndarray of shape (N, K), dtype int64
        ``onehot[i, k] == 1`` when class ``k`` is in ``labels[i]``.

    Raises
    ------
    InvalidLabelsError
        If labels is not a list of lists of integers in ``[0, n_classes)``.

    Examples
    --------
    >>> convert_multilabel_to_onehot([[0, 2], [], [1]], n_classes=3).tolist()
    [[1, 0, 1], [0, 0, 0], [0, 1, 0]]
    """
    rows = _check_rows(labels)
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    flat = np.asarray(list(chain.from_iterable(rows)))
    if flat.size and flat.dtype.kind not in "iu":
        pos = int(
            next(
                j
                for j, v in enumerate(chain.from_iterable(rows))
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer))
            )
        )
        row = int(np.searchsorted(np.cumsum(lengths), pos, side="right"))
        value = list(chain.from_iterable(rows))[pos]
        raise InvalidLabelsError(
            f"labels[{row}] contains {value!r} ({type(value).__name__}); class indices must be "
            "integers. Map class names to indices first, and pass [[0, 2], ...] rather than "
            "floats or booleans."
        )
    if flat.ndim != 1:
        raise InvalidLabelsError(
            "labels must be a list of lists of class indices, one level deep, but it holds nested "
            "lists. Flatten each example's classes into one list, e.g. [[0, 2], [1]]."
        )
    flat = flat.astype(np.int64, copy=False)
    top = int(flat.max()) + 1 if flat.size else 0
    k = top if n_classes is None else int(n_classes)
    if flat.size and (flat.min() < 0 or top > k):
        pos = int(np.flatnonzero((flat < 0) | (flat >= k))[0])
        row = int(np.searchsorted(np.cumsum(lengths), pos, side="right"))
        raise InvalidLabelsError(
            f"labels[{row}] contains class {int(flat[pos])}, but class indices must be in [0, {k}) "
            f"because pred_probs has {k} columns. Give pred_probs one column per class, in class "
            "order."
        )
    onehot = np.zeros((len(rows), k), dtype=np.int64)
    onehot[np.repeat(np.arange(len(rows)), lengths), flat] = 1
    return onehot


def convert_onehot_to_multilabel(onehot: Any) -> list[list[int]]:
    """Turn a multi-hot matrix into lists of class indices.

    Parameters
    ----------
    onehot : array-like of shape (N, K)
        1 (or True) where a class applies to an example, 0 elsewhere.

    Returns
    -------
    list of list of int, length N

    Examples
    --------
    >>> convert_onehot_to_multilabel([[1, 0, 1], [0, 0, 0]])
    [[0, 2], []]
    """
    arr = np.asarray(onehot)
    if arr.ndim != 2 or arr.dtype.kind not in "biuf" or not np.isin(arr, (0, 1)).all():
        raise InvalidLabelsError(
            f"onehot must be an (N, K) matrix of 0s and 1s, but received {_describe(onehot)}."
        )
    cols = np.nonzero(arr)[1]
    splits = np.cumsum(np.count_nonzero(arr, axis=1))[:-1]
    return [part.tolist() for part in np.split(cols, splits)] if arr.shape[0] else []


def check_multilabel_inputs(labels: Any, pred_probs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate multi-label inputs; return the multi-hot labels and pred_probs as arrays.

    Unlike :func:`goldlabel.core.validation.check_pred_probs`, rows need not sum to 1.

    Parameters
    ----------
    labels : list of list of int, length N
        The given classes of each example, integers in ``[0, K)``; lists may be empty.
    pred_probs : array-like of shape (N, K)
        Per-class predicted probabilities in [0, 1].

    Returns
    -------
    onehot : numpy.ndarray of shape (N, K), int64
    pred_probs : numpy.ndarray of shape (N, K), floating

    Raises
    ------
    InvalidLabelsError, InvalidPredProbsError

    Examples
    --------
    >>> onehot, probs = check_multilabel_inputs([[0], [0, 1]], [[0.9, 0.2], [0.8, 0.7]])
    >>> onehot.tolist()
    [[1, 0], [1, 1]]
    """
    probs = check_multilabel_pred_probs(pred_probs)
    rows = _check_rows(labels)
    if len(rows) != probs.shape[0]:
        raise InvalidLabelsError(
            f"labels has {len(rows)} examples but pred_probs has {probs.shape[0]} rows. Pass one "
            "list of classes per row of pred_probs, in the same order."
        )
    if not len(rows):
        raise InvalidLabelsError("labels is empty; pass at least one example.")
    return convert_multilabel_to_onehot(rows, n_classes=probs.shape[1]), probs
