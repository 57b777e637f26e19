"""Turn a whole table into features: one featurizer per kind of column, stacked side by side.

:func:`featurize` infers each column's kind (or takes the caller's), fits the matching featurizer
(text, tabular, embeddings, images, optional sentence embeddings) and returns a :class:`Features`:
the matrix models train on (sparse when there is text) and a dense, unit-length matrix for the
audit's neighbour-based checks (a truncated SVD of sparse text features).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.utils.validation import check_is_fitted

from goldlabel.exceptions import DataValidationError
from goldlabel.learn.columns import as_pandas, infer_column_types
from goldlabel.learn.featurize_embeddings import EmbeddingFeaturizer
from goldlabel.learn.featurize_images import ImageFeaturizer
from goldlabel.learn.featurize_sentences import SentenceEmbeddingFeaturizer
from goldlabel.learn.featurize_tabular import TabularFeaturizer
from goldlabel.learn.featurize_text import TextFeaturizer

__all__ = ["FEATURE_KINDS", "Features", "FrameFeaturizer", "featurize"]

#: What a feature matrix mostly holds; model candidates are chosen by it.
FEATURE_KINDS = ("text", "tabular", "embedding", "image", "mixed")
_TABULAR = ("numeric", "categorical", "boolean", "datetime")


class FrameFeaturizer(TransformerMixin, BaseEstimator):
    """Featurize a DataFrame column by column, by kind.

    Parameters
    ----------
    column_types : mapping of str to str
        Column name -> kind (as :func:`goldlabel.learn.infer_column_types` returns); "ignore"
        columns are skipped.
    sentence_embeddings : bool, default False
        Embed text columns with the optional sentence encoder (``goldlabel[embeddings]``) instead of
        TF-IDF.
    text_options : mapping, optional
        Keyword arguments for :class:`~goldlabel.learn.TextFeaturizer`.

    Attributes
    ----------
    parts_ : list of (kind, columns, fitted featurizer)
    kind_ : str
        One of :data:`FEATURE_KINDS`.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"text": ["red apple", "green apple", "red car"], "price": [1, 2, 9]})
    >>> f = FrameFeaturizer(column_types={"text": "text", "price": "numeric"})
    >>> x = f.fit_transform(frame)
    >>> f.kind_, x.shape[0], sp.issparse(x)
    ('mixed', 3, True)
    """

    def __init__(
        self,
        *,
        column_types: Mapping[str, str] | None = None,
        sentence_embeddings: bool = False,
        text_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.column_types = column_types
        self.sentence_embeddings = sentence_embeddings
        self.text_options = text_options

    def _plan(self, frame: pd.DataFrame) -> list[tuple[str, list[str], Any]]:
        types = dict(self.column_types or infer_column_types(frame))
        missing = [c for c in types if c not in frame.columns]
        if missing:
            raise DataValidationError(
                f"the data has no columns {missing}; its columns are {list(map(str, frame.columns))}."
            )
        by_kind: dict[str, list[str]] = {}
        for column, kind in types.items():
            by_kind.setdefault(kind, []).append(column)
        parts: list[tuple[str, list[str], Any]] = []
        if by_kind.get("text"):
            if self.sentence_embeddings:
                parts.append(("embedding", by_kind["text"], SentenceEmbeddingFeaturizer()))
            else:
                parts.append(
                    ("text", by_kind["text"], TextFeaturizer(**dict(self.text_options or {})))
                )
        tabular = [c for kind in _TABULAR for c in by_kind.get(kind, [])]
        if tabular:
            parts.append(
                (
                    "tabular",
                    tabular,
                    TabularFeaturizer(
                        numeric_columns=by_kind.get("numeric", []),
                        categorical_columns=by_kind.get("categorical", []),
                        boolean_columns=by_kind.get("boolean", []),
                        datetime_columns=by_kind.get("datetime", []),
                    ),
                )
            )
        parts.extend(
            ("embedding", [c], EmbeddingFeaturizer()) for c in by_kind.get("embedding", [])
        )
        parts.extend(("image", [c], ImageFeaturizer()) for c in by_kind.get("image", []))
        if not parts:
            raise DataValidationError(
                f"no feature columns: every column is ignored or excluded (column types: {types}). "
                "Name the text or feature columns to use, or override their types."
            )
        return parts

    def fit(self, X: Any, y: Any = None) -> FrameFeaturizer:
        """Fit every column featurizer on the DataFrame ``X``."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """Fit and return the features, a CSR matrix when any block is sparse, else a dense array."""
        frame = as_pandas(X)
        if len(frame) == 0:
            raise DataValidationError("the data has no rows; there is nothing to featurize.")
        self.parts_ = self._plan(frame)
        blocks = [
            featurizer.fit_transform(frame[columns]) for _, columns, featurizer in self.parts_
        ]
        kinds = {kind for kind, _, _ in self.parts_}
        self.kind_ = kinds.pop() if len(kinds) == 1 else "mixed"
        return _stack(blocks)

    def transform(self, X: Any) -> Any:
        """Features of new rows, with the fitted featurizers."""
        check_is_fitted(self, "parts_")
        frame = as_pandas(X)
        return _stack(
            [featurizer.transform(frame[columns]) for _, columns, featurizer in self.parts_]
        )


def _stack(blocks: list[Any]) -> Any:
    if len(blocks) == 1:
        return blocks[0]
    if any(sp.issparse(b) for b in blocks):
        return sp.hstack([sp.csr_matrix(b) for b in blocks], format="csr", dtype=np.float32)
    return np.hstack(blocks).astype(np.float32)


def _dense_view(matrix: Any, *, dim: int, random_state: int) -> np.ndarray:
    """A dense, unit-length view of the features for neighbour search."""
    if sp.issparse(matrix):
        n, d = matrix.shape
        k = int(min(dim, d - 1, n - 1))
        if k >= 2:
            svd = TruncatedSVD(
                n_components=k, algorithm="randomized", n_iter=4, random_state=random_state
            )
            dense = svd.fit_transform(matrix)
        else:
            dense = matrix.toarray()
    else:
        dense = np.asarray(matrix, dtype=np.float64)
    dense = np.asarray(dense, dtype=np.float32)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    return dense / np.where(norms > 0, norms, 1.0)


@dataclass
class Features:
    """Featurized rows.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix or ndarray of shape (n_rows, n_features)
        What models train on.
    dense : ndarray of shape (n_rows, n_dense), float32
        Unit-length rows for neighbour-based checks (outliers, near duplicates).
    kind : str
        One of :data:`FEATURE_KINDS`.
    column_types : dict of str to str
        The kind of every column used or ignored.
    featurizer : FrameFeaturizer
        Fitted; ``featurizer.transform(new_frame)`` featurizes new rows the same way.
    """

    matrix: Any
    dense: np.ndarray
    kind: str
    column_types: dict[str, str] = field(default_factory=dict)
    featurizer: FrameFeaturizer | None = None

    @property
    def n_rows(self) -> int:
        return int(self.matrix.shape[0])


def featurize(
    data: Any,
    *,
    columns: Iterable[str] | None = None,
    column_types: Mapping[str, str] | None = None,
    exclude: Iterable[str] = (),
    sentence_embeddings: bool = False,
    dense_dim: int = 64,
    random_state: int = 0,
) -> Features:
    """Featurize the columns of a table for models and for neighbour search.

    Parameters
    ----------
    data : pandas or polars DataFrame, or dict of columns
    columns : iterable of str, optional
        Use only these columns (default: every column not in ``exclude``).
    column_types : mapping of str to str, optional
        Kinds that override the inferred ones (see :func:`goldlabel.learn.infer_column_types`).
    exclude : iterable of str
        Columns never used as features (the label column, say).
    sentence_embeddings : bool, default False
        Use the optional sentence encoder for text (``pip install 'goldlabel[embeddings]'``).
    dense_dim : int, default 64
        Dimension of the dense view of sparse (text) features.
    random_state : int, default 0

    Returns
    -------
    Features

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "text": ["a ripe red apple", "a sour green apple", "a fast red car", "an old blue car"],
    ...     "label": ["fruit", "fruit", "car", "car"],
    ... })
    >>> features = featurize(frame, exclude=["label"])
    >>> features.kind, features.matrix.shape[0], features.dense.shape[0]
    ('text', 4, 4)
    """
    frame = as_pandas(data)
    excluded = set(exclude)
    if columns is not None:
        chosen = list(columns)
        missing = [c for c in chosen if c not in frame.columns]
        if missing:
            raise DataValidationError(
                f"the data has no columns {missing}; its columns are {list(map(str, frame.columns))}."
            )
        frame = frame[[c for c in chosen if c not in excluded]]
        excluded = set()
    overrides = {c: k for c, k in dict(column_types or {}).items() if c in frame.columns}
    types = infer_column_types(frame, overrides=overrides, exclude=excluded)
    used = {c: k for c, k in types.items() if k != "ignore"}
    featurizer = FrameFeaturizer(column_types=used, sentence_embeddings=sentence_embeddings)
    matrix = featurizer.fit_transform(frame)
    dense = _dense_view(matrix, dim=int(dense_dim), random_state=random_state)
    return Features(matrix, dense, featurizer.kind_, dict(types), featurizer)
