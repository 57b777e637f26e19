"""Turn what a user holds (a DataFrame, a dict of arrays, a file) into a DataFrame and label indices."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from goldlabel.exceptions import DataValidationError, InvalidLabelsError
from goldlabel.tables import read_table

__all__ = ["encode_labels", "load_data"]


def load_data(data: Any) -> pd.DataFrame:
    """Read ``data`` into a pandas DataFrame with a fresh 0..N-1 index.

    Parameters
    ----------
    data : pandas.DataFrame, polars.DataFrame, dict of array-like, str or os.PathLike
        A DataFrame, a mapping of column name to values of equal length, or the path of a CSV, TSV,
        JSON, JSON-lines or Parquet file, optionally compressed (read by
        :func:`goldlabel.tables.read_table`; text must be UTF-8).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> load_data({"text": ["a", "b"], "label": [0, 1]}).shape
    (2, 2)
    """
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, (str, os.PathLike)):
        frame = read_table(data, encoding="utf-8")
    elif type(data).__module__.startswith("polars") and hasattr(data, "to_pandas"):
        frame = data.to_pandas()
    elif isinstance(data, Mapping):
        lengths = {str(k): len(v) for k, v in data.items() if hasattr(v, "__len__")}
        if len(set(lengths.values())) > 1:
            raise DataValidationError(
                f"every column of a dict of arrays must have the same length; got lengths {lengths}."
            )
        frame = pd.DataFrame({k: _column(v) for k, v in data.items()})
    else:
        raise DataValidationError(
            "data must be a pandas or polars DataFrame, a dict of equal-length arrays, or the path "
            f"of a CSV/TSV/JSON/JSONL/Parquet file; got {type(data).__name__}."
        )
    if len(frame) == 0:
        raise DataValidationError("data has no rows; an audit needs at least one example.")
    return frame.reset_index(drop=True)


def _column(values: Any) -> Any:
    """One dict entry as a DataFrame column; 2-D arrays become a column of row vectors."""
    arr = values if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values, dtype=object)
    if isinstance(arr, np.ndarray) and arr.ndim > 1:
        out = np.empty(arr.shape[0], dtype=object)
        out[:] = list(np.asarray(values))
        return out
    return values


def _is_missing(values: np.ndarray) -> np.ndarray:
    return np.asarray(pd.isna(values), dtype=bool)


def encode_labels(
    values: Any, *, class_names: Sequence[Any] | None = None
) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Class indices (int64, -1 for a missing label) and the ordered class names.

    Without ``class_names``, non-negative integer labels are used as class indices (class ``i`` is
    named ``i``, and ``-1`` means unlabeled); any other labels (strings, booleans, floats) are sorted
    and numbered, as scikit-learn's ``classes_``. With ``class_names``, labels are looked up in it
    (or, when they are integers in ``[0, len(class_names))`` that are not names, used as indices).
    Missing values (None, NaN, NA) are unlabeled.

    Examples
    --------
    >>> idx, names = encode_labels(["b", "a", None, "b"])
    >>> idx.tolist(), names
    ([1, 0, -1, 1], ('a', 'b'))
    >>> encode_labels([2, 0, -1])[0].tolist(), encode_labels([2, 0, -1])[1]
    ([2, 0, -1], (0, 1, 2))
    """
    series = pd.Series(values)
    missing = _is_missing(series.to_numpy(dtype=object))
    present = series[~missing]
    labels = np.full(len(series), -1, dtype=np.int64)
    if class_names is not None:
        names = tuple(class_names)
        if len(set(names)) != len(names) or not names:
            raise InvalidLabelsError(
                f"class_names must be a non-empty list of distinct class names; got {list(names)!r}."
            )
        codes_arr = _index_of(names, present)
        if (codes_arr < 0).any():
            if _integral(present) and _as_int(present).between(0, len(names) - 1).all():
                codes_arr = _as_int(present).to_numpy(dtype=np.int64)
            else:
                unknown = sorted({repr(_plain(v)) for v in pd.unique(present[codes_arr < 0])})[:5]
                raise InvalidLabelsError(
                    f"labels hold values that are not in class_names: {', '.join(unknown)}; "
                    f"class_names is {list(names)!r}. Add them to class_names or fix the labels."
                )
        labels[~missing] = codes_arr
        return labels, names
    if _integral(present) and not pd.api.types.is_bool_dtype(present.dtype):
        ints = _as_int(present).to_numpy(dtype=np.int64)
        unlabeled = ints == -1
        if (ints < -1).any():
            raise InvalidLabelsError(
                f"integer labels must be class indices >= 0 (or -1 for unlabeled); got "
                f"{int(ints.min())}. Pass class_names=[...] listing every class to use other values."
            )
        labels[~missing] = ints
        n_classes = int(ints[~unlabeled].max()) + 1 if (~unlabeled).any() else 0
        return labels, tuple(range(n_classes))
    try:
        names = tuple(sorted(pd.unique(present)))
    except TypeError as err:
        raise InvalidLabelsError(
            "labels mix types that cannot be sorted (e.g. strings and numbers); got types "
            f"{sorted({type(v).__name__ for v in present})}. Pass class_names=[...] to fix the order."
        ) from err
    labels[~missing] = _index_of(names, present)
    return labels, tuple(_plain(n) for n in names)


def _plain(value: Any) -> Any:
    """A numpy scalar as the matching Python scalar."""
    return value.item() if isinstance(value, np.generic) else value


def _integral(values: pd.Series) -> bool:
    if pd.api.types.is_integer_dtype(values.dtype):
        return True
    if pd.api.types.is_float_dtype(values.dtype):
        arr = values.to_numpy(dtype=np.float64)
        return bool(np.isfinite(arr).all() and (arr == np.round(arr)).all())
    return bool(len(values)) and pd.api.types.infer_dtype(values, skipna=True) == "integer"


def _index_of(names: tuple[Any, ...], values: pd.Series) -> np.ndarray:
    """Position of each value in ``names``, -1 where absent (vectorised)."""
    index = pd.Index(list(names), dtype=object)
    return np.asarray(index.get_indexer(pd.Index(values.to_numpy(dtype=object))), dtype=np.int64)


def _as_int(values: pd.Series) -> pd.Series:
    return values.astype(np.int64)
