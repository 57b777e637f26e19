"""Input validation for the array algorithms.

Every public function in :mod:`goldlabel.core` runs its inputs through these helpers, which are vectorised
(no Python loop over rows) and return arrays the algorithms can trust. Problems raise an error that says
what is wrong, what was received and how to fix it; recoverable oddities (rows that sum to 1 only
approximately, classes absent from the labels) are repaired or reported with :func:`warnings.warn`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from goldlabel.exceptions import InvalidLabelsError, InvalidPredProbsError

__all__ = [
    "ROW_SUM_REFUSE",
    "ROW_SUM_TOLERANCE",
    "MissingClassesWarning",
    "block_value_stats",
    "check_labels",
    "check_pred_probs",
    "summarize_values",
    "values_need_check",
    "warn_missing_classes",
]

#: Rows of pred_probs whose sum is within this distance of 1 are used as they are (float rounding).
ROW_SUM_TOLERANCE = 1e-4
#: Rows whose sum is further than this from 1 are refused: they are not probabilities.
ROW_SUM_REFUSE = 1e-2
#: Values this far below 0 or above 1 are tolerated as rounding noise (cleanlab's tolerance).
VALUE_TOLERANCE = 1e-6


class MissingClassesWarning(UserWarning):
    """Some classes (columns of pred_probs) never appear among the given labels.

    Nothing can be found mislabeled *into* such a class by the pruning filters, since the confident
    joint has no examples given that class. Silence it with
    ``warnings.filterwarnings("ignore", category=MissingClassesWarning)`` when the columns are
    deliberate.
    """


def _describe(x: Any) -> str:
    """A short description of a received object for error messages."""
    if isinstance(x, np.ndarray):
        return f"numpy array of shape {x.shape} and dtype {x.dtype}"
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return f"{type(x).__name__} of shape {tuple(x.shape)} and dtype {x.dtype}"
    if isinstance(x, (list, tuple)):
        head = ", ".join(repr(v) for v in list(x)[:3])
        more = ", ..." if len(x) > 3 else ""
        return f"{type(x).__name__} of length {len(x)}: [{head}{more}]"
    return f"{type(x).__name__}: {x!r:.80}"


def check_labels(
    labels: Any,
    *,
    n_classes: int | None = None,
    n_examples: int | None = None,
    name: str = "labels",
) -> np.ndarray:
    """Validate class labels and return them as a 1-D ``int64`` array.

    Parameters
    ----------
    labels : array-like of shape (N,)
        Zero-indexed integer class labels (a list, numpy array or pandas Series). Floats holding whole
        numbers are accepted; booleans become 0/1.
    n_classes : int, optional
        K. Every label must be in ``[0, K)``.
    n_examples : int, optional
        N. The number of labels must match.
    name : str
        The argument's name, used in error messages.

    Returns
    -------
    numpy.ndarray of shape (N,), dtype int64

    Examples
    --------
    >>> check_labels([0, 2, 1], n_classes=3)
    array([0, 2, 1])
    """
    if labels is None:
        raise InvalidLabelsError(
            f"{name} is None. Pass one integer class index per example, e.g. np.array([0, 2, 1])."
        )
    if hasattr(labels, "to_numpy") and not isinstance(labels, np.ndarray):
        frame_cols = getattr(labels, "columns", None)
        if frame_cols is not None:
            if len(frame_cols) != 1:
                raise InvalidLabelsError(
                    f"{name} must be one-dimensional, but received a DataFrame with "
                    f"{len(frame_cols)} columns. Pass the label column, e.g. df['label']."
                )
            labels = labels.iloc[:, 0]
        labels = labels.to_numpy()
    arr = np.asarray(labels)
    if arr.dtype == object:
        try:
            arr = np.asarray(arr.tolist())
        except (TypeError, ValueError):
            pass
    if arr.ndim != 1:
        hint = ""
        if arr.ndim == 2 and arr.shape[1] > 1:
            hint = (
                " If these are one-hot rows, pass labels.argmax(axis=1); for multi-label data use "
                "goldlabel.core.multilabel with a list of class lists."
            )
        raise InvalidLabelsError(
            f"{name} must be a 1-D array of class indices, but received {_describe(labels)}.{hint}"
        )
    kind = arr.dtype.kind
    if kind in "USO":
        raise InvalidLabelsError(
            f"{name} must be integer class indices 0..K-1, but received {_describe(labels)} "
            f"(dtype {arr.dtype}). Map class names to indices first, e.g. "
            "codes, classes = pandas.factorize(names, sort=True)."
        )
    if kind == "b":
        arr = arr.astype(np.int64)
    elif kind == "f":
        if arr.size and not np.isfinite(arr).all():
            bad = int(np.flatnonzero(~np.isfinite(arr))[0])
            raise InvalidLabelsError(
                f"{name} contains a missing or infinite value at index {bad} ({arr[bad]!r}). "
                "Drop unlabeled rows, or use goldlabel's unlabeled-row handling, before calling this."
            )
        if arr.size and not np.array_equal(arr, np.floor(arr)):
            bad = int(np.flatnonzero(arr != np.floor(arr))[0])
            raise InvalidLabelsError(
                f"{name} must be whole-number class indices, but index {bad} holds {arr[bad]!r}. "
                "Pass integer class indices, not probabilities or scores."
            )
        arr = arr.astype(np.int64)
    elif kind == "c":
        raise InvalidLabelsError(f"{name} must be integer class indices, got complex values.")
    elif kind in "iu":
        arr = arr.astype(np.int64, copy=False)
    else:
        raise InvalidLabelsError(
            f"{name} must be integer class indices, but received {_describe(labels)}."
        )
    if n_examples is not None and arr.shape[0] != n_examples:
        raise InvalidLabelsError(
            f"{name} has {arr.shape[0]} entries but pred_probs has {n_examples} rows. "
            "Pass exactly one label per row of pred_probs, in the same order."
        )
    if arr.size:
        lo = int(arr.min())
        if lo < 0:
            bad = int(np.flatnonzero(arr < 0)[0])
            raise InvalidLabelsError(
                f"{name} must be non-negative class indices, but index {bad} holds {lo}. "
                "Unlabeled rows (e.g. -1) must be removed before finding label issues."
            )
        if n_classes is not None:
            hi = int(arr.max())
            if hi >= n_classes:
                bad = int(np.flatnonzero(arr >= n_classes)[0])
                raise InvalidLabelsError(
                    f"{name} must be in [0, {n_classes}) because pred_probs has {n_classes} "
                    f"columns, but index {bad} holds {hi}. Give pred_probs one column per class."
                )
    return arr


def check_pred_probs(
    pred_probs: Any,
    *,
    n_examples: int | None = None,
    name: str = "pred_probs",
    renormalize: bool = True,
    check_values: bool = True,
) -> np.ndarray:
    """Validate predicted probabilities and return them as a 2-D floating array.

    The array is returned without a copy when it is already a float array whose rows sum to 1 within
    :data:`ROW_SUM_TOLERANCE`. Rows further from 1 than that but within :data:`ROW_SUM_REFUSE` are clipped
    to [0, 1] and renormalised in a copy, with a warning. Anything else is refused.

    Parameters
    ----------
    pred_probs : array-like of shape (N, K)
        Out-of-sample predicted probabilities, one row per example, one column per class.
    n_examples : int, optional
        N, if known from the labels.
    name : str
        The argument's name, used in error messages.
    renormalize : bool
        If False, row sums are not checked (for callers that pass scores other than probabilities).
    check_values : bool
        If False, only the shape and dtype are checked; the caller checks the values itself (the
        confident-learning scan does, without an extra pass over memory) and calls this function
        again with ``check_values=True`` when they are off.

    Returns
    -------
    numpy.ndarray of shape (N, K)

    Examples
    --------
    >>> check_pred_probs([[0.9, 0.1], [0.2, 0.8]]).shape
    (2, 2)
    """
    if pred_probs is None:
        raise InvalidPredProbsError(
            f"{name} is None. Pass an (N, K) array of out-of-sample predicted probabilities, "
            "e.g. from sklearn.model_selection.cross_val_predict(..., method='predict_proba')."
        )
    try:
        arr = pred_probs if isinstance(pred_probs, np.ndarray) else np.asarray(pred_probs)
    except ValueError:
        raise InvalidPredProbsError(
            f"{name} must be a numeric (N, K) array, but received {_describe(pred_probs)} whose "
            "rows cannot form one array. Ragged rows? Every row needs one probability per class."
        ) from None
    if arr.dtype == object:
        raise InvalidPredProbsError(
            f"{name} must be a numeric (N, K) array, but received {_describe(pred_probs)}. "
            "Ragged rows? Every row needs one probability per class."
        )
    if arr.ndim != 2:
        raise InvalidPredProbsError(
            f"{name} must be a 2-D array of shape (num_examples, num_classes), but received "
            f"{_describe(pred_probs)}. For a binary task with one probability per row, pass "
            "np.column_stack([1 - p, p])."
        )
    if arr.shape[1] < 1:
        raise InvalidPredProbsError(f"{name} has no columns; it needs one column per class.")
    kind = arr.dtype.kind
    if kind in "biu":
        arr = arr.astype(np.float64)
    elif kind == "f":
        if arr.dtype.itemsize < 4:
            arr = arr.astype(np.float32)
    else:
        raise InvalidPredProbsError(
            f"{name} must hold real numbers, but received dtype {arr.dtype}."
        )
    if n_examples is not None and arr.shape[0] != n_examples:
        raise InvalidPredProbsError(
            f"{name} has {arr.shape[0]} rows but there are {n_examples} labels. "
            "Pass one row of probabilities per labeled example, in the same order."
        )
    if arr.shape[0] == 0 or not check_values:
        return arr
    low, worst_error, finite = summarize_values(arr)
    # The fast float32 check is conservative (half the tolerance) so the exact float64 rule below
    # alone decides borderline rows, whatever the other rows hold.
    if (
        finite
        and low >= -VALUE_TOLERANCE
        and (worst_error <= ROW_SUM_TOLERANCE / 2 or not renormalize)
    ):
        return arr
    row_sums = arr.sum(axis=1, dtype=np.float64)
    if not np.isfinite(row_sums).all():
        bad_row = int(np.flatnonzero(~np.isfinite(row_sums))[0])
        raise InvalidPredProbsError(
            f"{name} contains NaN or infinite values (first in row {bad_row}: "
            f"{np.array2string(arr[bad_row], threshold=8)}). Check the model that produced them; "
            "drop or re-predict those rows."
        )
    if low < -VALUE_TOLERANCE:
        bad_row, bad_col = (int(v[0]) for v in np.nonzero(arr < -VALUE_TOLERANCE))
        raise InvalidPredProbsError(
            f"{name} must be probabilities in [0, 1], but row {bad_row}, column {bad_col} holds "
            f"{float(arr[bad_row, bad_col])!r}. Looks like logits or scores: apply a softmax first."
        )
    if not renormalize:
        return arr
    deviation = np.abs(row_sums - 1.0)
    worst = float(deviation.max())
    if worst > ROW_SUM_REFUSE:
        bad_row = int(deviation.argmax())
        raise InvalidPredProbsError(
            f"Each row of {name} must sum to 1, but row {bad_row} sums to {row_sums[bad_row]:.6g}. "
            "These look like scores or logits rather than probabilities: apply a softmax, or divide "
            "each row by its sum if they are unnormalised probabilities."
        )
    if worst > ROW_SUM_TOLERANCE:
        off = deviation > ROW_SUM_TOLERANCE
        warnings.warn(
            f"{int(off.sum())} rows of {name} sum to 1 only within {worst:.2g}; they were clipped to "
            "[0, 1] and renormalised. Pass exact probabilities to silence this warning.",
            UserWarning,
            stacklevel=3,
        )
        arr = np.array(arr, copy=True)
        fixed = np.clip(arr[off], 0.0, 1.0)
        fixed /= fixed.sum(axis=1, keepdims=True)
        arr[off] = fixed
    return arr


def block_value_stats(block: np.ndarray) -> tuple[float, float]:
    """Smallest entry and largest ``|row sum - 1|`` of a block of rows."""
    # einsum sums short rows several times faster than ndarray.sum(axis=1).
    return block.min(), np.abs(np.einsum("ij->i", block) - 1.0).max()


def summarize_values(arr: np.ndarray) -> tuple[float, float, bool]:
    """Smallest entry, largest ``|row sum - 1|`` and finiteness of a 2-D array, in one chunked pass."""
    from goldlabel.core.scan import chunk_bounds, default_n_jobs, map_chunks

    n, k = arr.shape
    bounds = chunk_bounds(n, k, arr.dtype.itemsize)
    mins = np.zeros(len(bounds))
    errors = np.zeros(len(bounds))
    index = {a: i for i, (a, _) in enumerate(bounds)}

    def work(a: int, b: int) -> None:
        mins[index[a]], errors[index[a]] = block_value_stats(arr[a:b])

    map_chunks(work, bounds, default_n_jobs())
    finite = bool(np.isfinite(mins).all() and np.isfinite(errors).all())
    return float(mins.min()), float(errors.max()), finite


def values_need_check(min_value: float, max_row_error: float, finite: bool) -> bool:
    """Whether values summarised by a scan fall outside what :func:`check_pred_probs` accepts as is."""
    return not finite or min_value < -VALUE_TOLERANCE or max_row_error > ROW_SUM_TOLERANCE / 2


def warn_missing_classes(label_counts: np.ndarray, *, stacklevel: int = 3) -> None:
    """Warn (:class:`MissingClassesWarning`) when some classes never appear among the labels.

    Nothing is said for empty data (no labels at all). ``stacklevel`` is passed to
    :func:`warnings.warn`; the default points at the caller of the function calling this one.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as record:
    ...     warnings.simplefilter("always")
    ...     warn_missing_classes(np.array([4, 0, 2]))
    >>> str(record[0].message)[:48]
    '1 of 3 classes never appear in labels (class 1).'
    """
    counts = np.asarray(label_counts)
    missing = np.flatnonzero(counts == 0)
    if missing.size and counts.sum() > 0:
        shown = ", ".join(str(int(k)) for k in missing[:10]) + (
            ", ..." if missing.size > 10 else ""
        )
        warnings.warn(
            f"{missing.size} of {counts.size} classes never appear in labels (class {shown}). "
            "No example can be found mislabeled into them. If these columns are unused, drop them "
            "from pred_probs.",
            MissingClassesWarning,
            stacklevel=stacklevel,
        )
