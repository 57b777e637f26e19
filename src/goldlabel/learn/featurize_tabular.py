"""Tables as numbers: numeric, categorical, boolean and date columns, with missing values handled.

Numbers are median-imputed and standardised, with a missing-value indicator where a column has gaps;
categories are one-hot encoded (the most frequent ``max_categories`` values, the rest pooled as
"other", missing as its own category); dates become year, month, day of week, hour and a standardised
timestamp; booleans become 0/1 (missing 0.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from goldlabel.exceptions import DataValidationError

__all__ = ["TabularFeaturizer"]


def _numeric(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values
    else:
        out = pd.to_datetime(values, errors="coerce", format="mixed")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def _scale(column: np.ndarray) -> tuple[float, float]:
    finite = column[np.isfinite(column)]
    if finite.size == 0:
        return 0.0, 1.0
    center = float(np.median(finite))
    spread = float(np.std(finite))
    return center, spread if spread > 0 else 1.0


class TabularFeaturizer(TransformerMixin, BaseEstimator):
    """Dense features from numeric, categorical, boolean and date columns of a DataFrame.

    Parameters
    ----------
    numeric_columns, categorical_columns, boolean_columns, datetime_columns : sequence of str
        The columns of each kind (see :func:`goldlabel.learn.infer_column_types`).
    max_categories : int, default 30
        One-hot encode at most this many of a column's most frequent values; the rest share one
        "other" column.

    Attributes
    ----------
    feature_names_ : list of str
        The name of every output column.
    n_features_out_ : int

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"age": [30, None, 50], "city": ["Oslo", "Rome", None]})
    >>> f = TabularFeaturizer(numeric_columns=["age"], categorical_columns=["city"])
    >>> f.fit_transform(frame).shape
    (3, 5)
    >>> f.feature_names_
    ['age', 'age=missing', 'city=Oslo', 'city=Rome', 'city=other/missing']
    """

    def __init__(
        self,
        *,
        numeric_columns: Sequence[str] = (),
        categorical_columns: Sequence[str] = (),
        boolean_columns: Sequence[str] = (),
        datetime_columns: Sequence[str] = (),
        max_categories: int = 30,
    ) -> None:
        self.numeric_columns = numeric_columns
        self.categorical_columns = categorical_columns
        self.boolean_columns = boolean_columns
        self.datetime_columns = datetime_columns
        self.max_categories = max_categories

    def _check_columns(self, frame: Any) -> pd.DataFrame:
        if not isinstance(frame, pd.DataFrame):
            raise DataValidationError(
                f"TabularFeaturizer needs a pandas DataFrame, but received {type(frame).__name__}."
            )
        wanted = [
            *self.numeric_columns,
            *self.categorical_columns,
            *self.boolean_columns,
            *self.datetime_columns,
        ]
        missing = [c for c in wanted if c not in frame.columns]
        if missing:
            raise DataValidationError(
                f"the data has no columns {missing}; its columns are {list(map(str, frame.columns))}."
            )
        if not wanted:
            raise DataValidationError(
                "TabularFeaturizer was given no columns; name at least one numeric, categorical, "
                "boolean or datetime column."
            )
        return frame

    def fit(self, X: Any, y: Any = None) -> TabularFeaturizer:
        """Learn medians, scales and category lists from the DataFrame ``X``."""
        frame = self._check_columns(X)
        names: list[str] = []
        self.numeric_stats_: dict[str, tuple[float, float, bool]] = {}
        for column in self.numeric_columns:
            values = _numeric(frame[column])
            center, spread = _scale(values)
            has_missing = bool(np.isnan(values).any())
            self.numeric_stats_[column] = (center, spread, has_missing)
            names.append(str(column))
            if has_missing:
                names.append(f"{column}=missing")
        self.categories_: dict[str, list[str]] = {}
        for column in self.categorical_columns:
            counts = frame[column].dropna().astype(str).value_counts(sort=True)
            keep = sorted(counts.index[: int(self.max_categories)].tolist())
            self.categories_[column] = keep
            names.extend(f"{column}={value}" for value in keep)
            names.append(f"{column}=other/missing")
        names.extend(str(column) for column in self.boolean_columns)
        self.date_stats_: dict[str, tuple[float, float]] = {}
        for column in self.datetime_columns:
            stamps = _dates(frame[column])
            seconds = (stamps - pd.Timestamp(0)).dt.total_seconds().to_numpy(dtype=np.float64)
            self.date_stats_[column] = _scale(seconds)
            names.extend(
                f"{column}:{part}"
                for part in ("time", "year", "month", "weekday", "hour", "missing")
            )
        self.feature_names_ = names
        self.n_features_out_ = len(names)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Features of shape (n_rows, n_features_out_), float32, no missing values."""
        check_is_fitted(self, "feature_names_")
        frame = self._check_columns(X)
        blocks: list[np.ndarray] = []
        for column, (center, spread, has_missing) in self.numeric_stats_.items():
            values = _numeric(frame[column])
            missing = np.isnan(values)
            scaled = np.where(missing, 0.0, (values - center) / spread)
            blocks.append(np.clip(scaled, -10.0, 10.0)[:, None])
            if has_missing:
                blocks.append(missing[:, None].astype(np.float64))
        for column, keep in self.categories_.items():
            present = frame[column].notna().to_numpy()
            text = frame[column].astype(str).to_numpy(dtype=object)
            positions = pd.Index(keep, dtype=object).get_indexer(text)
            positions[(positions < 0) | ~present] = len(keep)
            onehot = np.zeros((len(frame), len(keep) + 1))
            onehot[np.arange(len(frame)), positions] = 1.0
            blocks.append(onehot)
        for column in self.boolean_columns:
            values = frame[column].map(
                lambda v: 0.5 if v is None or v is pd.NA or v != v else float(bool(v))
            )
            blocks.append(values.to_numpy(dtype=np.float64)[:, None])
        for column, (center, spread) in self.date_stats_.items():
            stamps = _dates(frame[column])
            missing = stamps.isna().to_numpy()
            seconds = (stamps - pd.Timestamp(0)).dt.total_seconds().to_numpy(dtype=np.float64)
            parts = np.column_stack(
                [
                    (seconds - center) / spread,
                    (stamps.dt.year.to_numpy(dtype=np.float64, na_value=np.nan) - 2000.0) / 20.0,
                    stamps.dt.month.to_numpy(dtype=np.float64, na_value=np.nan) / 12.0,
                    stamps.dt.day_of_week.to_numpy(dtype=np.float64, na_value=np.nan) / 6.0,
                    stamps.dt.hour.to_numpy(dtype=np.float64, na_value=np.nan) / 23.0,
                ]
            )
            parts[missing] = 0.0
            blocks.append(np.column_stack([np.clip(parts, -10.0, 10.0), missing.astype(float)]))
        return np.hstack(blocks).astype(np.float32)
