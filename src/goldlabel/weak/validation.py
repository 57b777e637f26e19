"""Input checks shared by the weak-supervision modules.

A label matrix ``L`` has one row per data point and one column per labeling function (LF); each entry is
a class index in ``[0, K)`` or ``-1`` (:data:`ABSTAIN`) where the LF did not vote.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidOptionError

__all__ = [
    "ABSTAIN",
    "check_gold_labels",
    "check_iterations",
    "check_label_matrix",
    "check_n_classes",
    "check_number_option",
    "find_votes",
    "to_vote_matrix",
]

#: The value an LF returns (and a label matrix holds) where the LF does not vote.
ABSTAIN = -1


def _describe(x: Any) -> str:
    """A short description of a received object for error messages."""
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return f"{type(x).__name__} of shape {tuple(x.shape)} and dtype {x.dtype}"
    if isinstance(x, (list, tuple)):
        return f"{type(x).__name__} of length {len(x)}"
    return f"{type(x).__name__}: {x!r:.60}"


def check_n_classes(n_classes: Any, *, owner: str = "the label model") -> int:
    """Validate a number of classes K (an int >= 2) and return it as an ``int``.

    Examples
    --------
    >>> check_n_classes(3)
    3
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
        raise InvalidOptionError(
            f"n_classes of {owner} must be an int >= 2, but received {_describe(n_classes)}. "
            "Pass the number of classes, e.g. n_classes=2 for spam / ham."
        )
    if n_classes < 2:
        raise InvalidOptionError(
            f"n_classes of {owner} must be an int >= 2, but received {int(n_classes)}. "
            "A label model needs at least two classes."
        )
    return int(n_classes)


def check_number_option(value: Any, name: str, owner: str, *, low: float, high: float) -> float:
    """Validate a numeric option in ``[low, high]`` and return it as a float.

    Examples
    --------
    >>> check_number_option(0.7, "prior_accuracy", "LabelModel", low=0.0, high=1.0)
    0.7
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise InvalidOptionError(
            f"{name} of {owner} must be a number in [{low}, {high}], but received {value!r}."
        )
    if not (low <= float(value) <= high):
        raise InvalidOptionError(
            f"{name} of {owner} must be in [{low}, {high}], but received {value!r}."
        )
    return float(value)


def check_iterations(max_iter: Any, tol: Any, owner: str) -> None:
    """Validate ``max_iter`` (an int >= 1) and ``tol`` (a number in [0, 1])."""
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise InvalidOptionError(
            f"max_iter of {owner} must be an int >= 1, but received {max_iter!r}."
        )
    check_number_option(tol, "tol", owner, low=0.0, high=1.0)


def check_label_matrix(
    label_matrix: Any,
    *,
    n_classes: int | None = None,
    n_lfs: int | None = None,
    name: str = "L",
) -> np.ndarray:
    """Validate a label matrix and return it as a 2-D ``int64`` array.

    Parameters
    ----------
    label_matrix : array-like of shape (n_rows, n_lfs)
        Votes of each labeling function on each row: a class index in ``[0, n_classes)`` or ``-1`` for
        abstain. A numpy array, nested list or pandas DataFrame.
    n_classes : int, optional
        K; every vote must be below it.
    n_lfs : int, optional
        The number of columns the caller expects (the number of LFs the model was fitted on).
    name : str
        The argument's name, used in error messages.

    Returns
    -------
    numpy.ndarray of shape (n_rows, n_lfs), dtype int64

    Examples
    --------
    >>> check_label_matrix([[0, -1], [1, 1]], n_classes=2)
    array([[ 0, -1],
           [ 1,  1]])
    """
    if label_matrix is None:
        raise DataValidationError(
            f"{name} is None. Pass the label matrix returned by apply_lfs: one row per data point, "
            "one column per labeling function, -1 where the LF abstained."
        )
    if sp.issparse(label_matrix):
        raise DataValidationError(
            f"{name} must be a dense array, but received a scipy sparse matrix. Sparse matrices store "
            "0 for missing entries, which is a class here; pass L.toarray() with -1 for abstain."
        )
    if hasattr(label_matrix, "to_numpy") and not isinstance(label_matrix, np.ndarray):
        label_matrix = label_matrix.to_numpy()
    arr = np.asarray(label_matrix)
    if arr.ndim != 2:
        raise DataValidationError(
            f"{name} must be a 2-D array of shape (n_rows, n_lfs), but received {_describe(arr)}. "
            "For a single labeling function pass L.reshape(-1, 1)."
        )
    kind = arr.dtype.kind
    if kind == "b" or kind not in "iuf":
        raise DataValidationError(
            f"{name} must hold integer class indices and -1 for abstain, but received dtype "
            f"{arr.dtype}. Map class names to indices first (the LF built-ins do this when given "
            "classes=...)."
        )
    if kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            r, c = (int(v[0]) for v in np.nonzero(~finite))
            raise DataValidationError(
                f"{name} holds a missing or infinite value at row {r}, LF {c}. Use -1 for abstain, "
                "e.g. L = np.nan_to_num(L, nan=-1).astype(int)."
            )
        if not np.array_equal(arr, np.floor(arr)):
            r, c = (int(v[0]) for v in np.nonzero(arr != np.floor(arr)))
            raise DataValidationError(
                f"{name} must hold whole numbers, but row {r}, LF {c} is {arr[r, c]!r}. Pass class "
                "indices, not probabilities."
            )
    arr = arr.astype(np.int64, copy=False)
    if arr.size:
        lo = int(arr.min())
        if lo < ABSTAIN:
            r, c = (int(v[0]) for v in np.nonzero(arr < ABSTAIN))
            raise DataValidationError(
                f"{name} holds {lo} at row {r}, LF {c}; only class indices >= 0 and -1 (abstain) "
                "are allowed. Recode other 'no vote' markers as -1."
            )
        if n_classes is not None:
            hi = int(arr.max())
            if hi >= n_classes:
                r, c = (int(v[0]) for v in np.nonzero(arr >= n_classes))
                raise DataValidationError(
                    f"{name} holds class {hi} at row {r}, LF {c}, but n_classes={n_classes} allows "
                    f"only 0..{n_classes - 1}. Raise n_classes or fix the labeling function."
                )
    if n_lfs is not None and arr.shape[1] != n_lfs:
        raise DataValidationError(
            f"{name} has {arr.shape[1]} columns (labeling functions), but the model was fitted on "
            f"{n_lfs}. Apply the same LFs, in the same order, as for fit."
        )
    return arr


def check_gold_labels(
    labels: Any, *, n_rows: int, n_classes: int | None = None, name: str = "labels"
) -> np.ndarray:
    """Validate gold labels aligned with a label matrix; ``-1`` marks a row without a gold label.

    Examples
    --------
    >>> check_gold_labels([1, -1, 0], n_rows=3)
    array([ 1, -1,  0])
    """
    if labels is None:
        raise InvalidLabelsError(f"{name} is None. Pass one class index per row, -1 if unlabeled.")
    if hasattr(labels, "to_numpy") and not isinstance(labels, np.ndarray):
        labels = labels.to_numpy()
    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.shape[0] != n_rows:
        raise InvalidLabelsError(
            f"{name} must be a 1-D array with one entry per row of L ({n_rows}), but received "
            f"{_describe(arr)}. Pass -1 for rows without a gold label."
        )
    if arr.dtype.kind == "f":
        nan = np.isnan(arr)
        if (arr[~nan] != np.floor(arr[~nan])).any():
            raise InvalidLabelsError(f"{name} must hold whole-number class indices or -1.")
        arr = np.where(nan, -1, arr)
    elif arr.dtype.kind not in "iub":
        raise InvalidLabelsError(
            f"{name} must hold integer class indices (-1 for unlabeled), but received dtype "
            f"{arr.dtype}. Map class names to indices first."
        )
    arr = arr.astype(np.int64)
    if arr.size and int(arr.min()) < -1:
        raise InvalidLabelsError(
            f"{name} holds {int(arr.min())}; use -1 (not other negatives) for unlabeled rows."
        )
    if n_classes is not None and arr.size and int(arr.max()) >= n_classes:
        raise InvalidLabelsError(
            f"{name} holds class {int(arr.max())}, but n_classes={n_classes}. Labels must be in "
            f"0..{n_classes - 1} or -1."
        )
    return arr


def find_votes(label_matrix: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Row index and vote column (``lf * n_classes + class``) of every non-abstain entry, row-major.

    Examples
    --------
    >>> rows, cols = find_votes(np.array([[0, -1], [1, 1]]), 2)
    >>> rows.tolist(), cols.tolist()
    ([0, 1, 1], [0, 1, 3])
    """
    m = label_matrix.shape[1]
    flat = np.flatnonzero(label_matrix >= 0)  # one pass; cheaper than a 2-D nonzero
    rows = flat // m
    cols = (flat - rows * m) * n_classes
    cols += label_matrix.ravel()[flat]
    return rows, cols


def to_vote_matrix(
    label_matrix: np.ndarray,
    n_classes: int,
    *,
    entries: tuple[np.ndarray, np.ndarray] | None = None,
) -> sp.csr_matrix:
    """One-hot votes: a sparse (n_rows, n_lfs * n_classes) matrix, column ``j * K + l`` = LF j voted l.

    Abstains are not stored, so the cost of every product with it is proportional to the number of
    votes, not to ``n_rows * n_lfs``. ``entries`` reuses the output of :func:`find_votes`.

    Examples
    --------
    >>> to_vote_matrix(np.array([[0, -1], [1, 1]]), 2).toarray()
    array([[1., 0., 0., 0.],
           [0., 1., 0., 1.]])
    """
    n, m = label_matrix.shape
    rows, cols = entries if entries is not None else find_votes(label_matrix, n_classes)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    data = np.ones(cols.shape[0], dtype=np.float64)
    return sp.csr_matrix((data, cols, indptr), shape=(n, m * n_classes))
