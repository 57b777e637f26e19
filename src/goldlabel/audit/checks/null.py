"""The ``null`` check: examples with missing values.

The score is the fraction of non-null values in the row; a row is flagged when every value is null.
It reads ``features`` when given (as Datalab does), else the data's columns other than the label
column (``source`` option: ``"auto"``, ``"features"`` or ``"data"``). It needs no labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from goldlabel.audit.checks.options import read_options
from goldlabel.audit.registry import AuditInputs, IssueResult, register
from goldlabel.exceptions import InvalidOptionError

__all__ = ["DEFAULTS", "SOURCES", "check_nulls", "find_null_cells"]

DEFAULTS: dict[str, Any] = {"source": "auto"}
SOURCES = ("auto", "features", "data")


def find_null_cells(values: np.ndarray | pd.DataFrame) -> np.ndarray:
    """A boolean (n_samples, n_columns) mask of the null cells (None, NaN, NaT, NA).

    Examples
    --------
    >>> find_null_cells(np.array([[1.0, np.nan], [np.nan, np.nan]])).tolist()
    [[False, True], [True, True]]
    """
    if isinstance(values, pd.DataFrame):
        return np.asarray(values.isna().to_numpy(), dtype=bool)
    arr = np.asarray(values)
    if arr.ndim == 1:
        arr = arr[:, None]
    if np.issubdtype(arr.dtype, np.floating):
        return np.isnan(arr)
    if np.issubdtype(arr.dtype, np.number) or arr.dtype == bool:
        return np.zeros(arr.shape, dtype=bool)
    return np.asarray(pd.isna(arr), dtype=bool)


@register(
    "null",
    needs=("data|features",),
    description="Examples with missing values; flagged when every value is missing.",
)
def check_nulls(inputs: AuditInputs) -> IssueResult:
    """Flag all-null rows; score = fraction of non-null values in the row.

    Options: ``source`` (``"auto"``: features if given, else data).

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [np.nan, 3.0], [np.nan, np.nan]])
    >>> result = check_nulls(AuditInputs(n_samples=3, features=x))
    >>> result.is_issue.tolist(), result.score.tolist()
    ([False, False, True], [1.0, 0.5, 0.0])
    """
    opts = read_options(inputs.options, DEFAULTS, check="null")
    source = opts["source"]
    if source not in SOURCES:
        raise InvalidOptionError(
            f"option 'source' of check 'null' must be one of {SOURCES}; got {source!r}."
        )
    if source == "auto":
        source = "features" if inputs.features is not None else "data"
    if source == "features":
        if inputs.features is None:
            raise InvalidOptionError(
                "source='features' but no features were given; pass features=..."
            )
        values: Any = inputs.features
        columns = [str(i) for i in range(np.asarray(values).reshape(inputs.n_samples, -1).shape[1])]
    else:
        if inputs.data is None:
            raise InvalidOptionError("source='data' but the data has no columns besides the label.")
        values = inputs.data.drop(columns=[inputs.label_name], errors="ignore")
        columns = [str(c) for c in values.columns]
    null = find_null_cells(values)
    n_cols = null.shape[1]
    non_null = n_cols - null.sum(axis=1)
    score = non_null / n_cols if n_cols else np.ones(inputs.n_samples)
    return IssueResult(
        is_issue=(non_null == 0) & (n_cols > 0),
        score=score.astype(np.float64),
        summary_score=float(score.mean()),
        info={
            "source": source,
            "columns": columns,
            "column_impact": dict(zip(columns, null.mean(axis=0).tolist(), strict=True)),
            "num_rows_with_nulls": int(np.count_nonzero(non_null < n_cols)),
            "average_null_score": float(score.mean()),
        },
    )
