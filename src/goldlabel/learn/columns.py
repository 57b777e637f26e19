"""Which kind of data each column of a table holds: text, numbers, categories, dates, embeddings, images.

:func:`infer_column_types` looks at a DataFrame's dtypes and a sample of its values and names a kind for
every column; users override any of them. The featurizers in ``goldlabel.learn.featurize*`` turn each kind
into numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from goldlabel.exceptions import DataValidationError, InvalidOptionError

__all__ = ["COLUMN_KINDS", "ColumnKind", "as_pandas", "infer_column_types", "parse_vector"]

ColumnKind = Literal[
    "text", "numeric", "categorical", "datetime", "boolean", "embedding", "image", "ignore"
]

#: Every kind a column can have; ``"ignore"`` columns are not used as features.
COLUMN_KINDS: tuple[str, ...] = (
    "text",
    "numeric",
    "categorical",
    "datetime",
    "boolean",
    "embedding",
    "image",
    "ignore",
)

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".npy")
_VECTOR_TEXT = re.compile(r"^\s*\[\s*[-+0-9.eE, \t\n]*\]\s*$")
_SAMPLE = 200


def as_pandas(data: Any) -> pd.DataFrame:
    """Return ``data`` as a pandas DataFrame (pandas as is, polars converted, a dict of columns wrapped).

    Examples
    --------
    >>> as_pandas({"a": [1, 2]}).shape
    (2, 1)
    """
    if isinstance(data, pd.DataFrame):
        return data
    to_pandas = getattr(data, "to_pandas", None)
    if callable(to_pandas) and type(data).__module__.startswith("polars"):
        return to_pandas()
    if isinstance(data, Mapping):
        return pd.DataFrame(dict(data))
    raise DataValidationError(
        f"expected a pandas or polars DataFrame or a dict of columns, but received "
        f"{type(data).__name__}. Load the file first (e.g. pandas.read_csv) and pass the frame."
    )


def parse_vector(value: Any) -> np.ndarray | None:
    """One embedding cell as a 1-D float array: a list, tuple, array or text like ``"[0.1, 2]"``.

    Returns None for a missing value.

    Examples
    --------
    >>> parse_vector("[1, 2.5]").tolist(), parse_vector((3, 4)).tolist(), parse_vector(None)
    ([1.0, 2.5], [3.0, 4.0], None)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        body = value.strip().strip("[]").replace(",", " ")
        return np.array(body.split(), dtype=np.float64)
    return np.asarray(value, dtype=np.float64).ravel()


def _is_vector(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(isinstance(v, (int, float, np.number)) for v in value[:8])
    if isinstance(value, np.ndarray):
        return value.ndim == 1 and value.size > 0 and np.issubdtype(value.dtype, np.number)
    if isinstance(value, str):
        return bool(_VECTOR_TEXT.match(value)) and "," in value
    return False


def _is_image(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.ndim in (2, 3) and np.issubdtype(value.dtype, np.number)
    if isinstance(value, str):
        return value.lower().endswith(_IMAGE_SUFFIXES)
    return False


def _infer_object(values: pd.Series) -> ColumnKind:
    present = values.dropna()
    if present.empty:
        return "ignore"
    sample = present.iloc[:_SAMPLE].tolist()
    if all(_is_vector(v) for v in sample):
        return "embedding"
    if all(_is_image(v) for v in sample):
        return "image"
    if not all(isinstance(v, str) for v in sample):
        return "categorical"
    texts = present.astype(str).iloc[:_SAMPLE]
    mean_words = float(texts.str.split().str.len().mean())
    if mean_words > 3 or texts.str.len().mean() > 40:
        return "text"
    if texts.str.contains(r"\d").all():
        parsed = pd.to_datetime(texts, errors="coerce", format="mixed")
        if parsed.notna().mean() >= 0.9:
            return "datetime"
    if len(present) >= 20 and present.nunique() == len(present) and mean_words <= 1:
        return "ignore"  # an identifier: one token, unique per row
    return "categorical"


def _infer_one(values: pd.Series) -> ColumnKind:
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_numeric_dtype(dtype):
        if values.notna().sum() == 0:
            return "ignore"
        return "numeric"
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    return _infer_object(values)


def infer_column_types(
    data: Any,
    *,
    overrides: Mapping[str, str] | None = None,
    exclude: Iterable[str] = (),
) -> dict[str, ColumnKind]:
    """Name the kind of data in every column of ``data``.

    Parameters
    ----------
    data : pandas or polars DataFrame, or dict of columns
    overrides : mapping of column name to kind, optional
        Kinds to use instead of the inferred ones; each one of :data:`COLUMN_KINDS`.
    exclude : iterable of str
        Columns to leave out (the label column, say).

    Returns
    -------
    dict of str to str
        Column name -> one of ``"text"``, ``"numeric"``, ``"categorical"``, ``"datetime"``,
        ``"boolean"``, ``"embedding"``, ``"image"``, ``"ignore"``, in the frame's column order.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "review": ["a fine film with a great cast", "dull and far too long for me"],
    ...     "stars": [4.5, 2.0],
    ...     "genre": ["drama", "comedy"],
    ... })
    >>> infer_column_types(frame)
    {'review': 'text', 'stars': 'numeric', 'genre': 'categorical'}
    >>> infer_column_types(frame, overrides={"genre": "text"})["genre"]
    'text'
    """
    frame = as_pandas(data)
    excluded = set(exclude)
    overrides = dict(overrides or {})
    unknown = [c for c in overrides if c not in frame.columns]
    if unknown:
        raise DataValidationError(
            f"column types were given for columns the data does not have: {unknown}. "
            f"The data's columns are {list(map(str, frame.columns))}."
        )
    bad = {c: k for c, k in overrides.items() if k not in COLUMN_KINDS}
    if bad:
        raise InvalidOptionError(
            f"unknown column kinds {bad}; each kind must be one of {list(COLUMN_KINDS)}."
        )
    kinds: dict[str, ColumnKind] = {}
    for column in frame.columns:
        if column in excluded:
            continue
        if column in overrides:
            kinds[column] = overrides[column]  # type: ignore[assignment]
        else:
            kinds[column] = _infer_one(frame[column])
    return kinds
