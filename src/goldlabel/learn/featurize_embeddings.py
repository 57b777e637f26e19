"""A column of precomputed embeddings (one vector per row) as a dense feature matrix."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from goldlabel.exceptions import DataValidationError
from goldlabel.learn.columns import parse_vector

__all__ = ["EmbeddingFeaturizer", "stack_vectors"]


def stack_vectors(values: Any, *, name: str = "embedding") -> np.ndarray:
    """Stack one vector per row into an (n_rows, dim) float32 array.

    ``values`` is a 2-D array, or a sequence whose items are lists, arrays or text such as
    ``"[0.1, 0.2]"`` (as embeddings read back from a CSV file look).

    Examples
    --------
    >>> stack_vectors([[1, 2], "[3, 4]"]).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    if isinstance(values, np.ndarray) and values.ndim == 2:
        out = values.astype(np.float32)
    else:
        items = values.tolist() if isinstance(values, (pd.Series, np.ndarray)) else list(values)
        try:
            vectors = [parse_vector(v) for v in items]
        except (TypeError, ValueError) as error:
            raise DataValidationError(
                f"column {name!r} holds values that are not numeric vectors ({error}); pass one "
                "list or array of numbers per row."
            ) from error
        missing = [i for i, v in enumerate(vectors) if v is None]
        if missing:
            raise DataValidationError(
                f"column {name!r} has no embedding in {len(missing)} rows (first rows: "
                f"{missing[:5]}); compute the missing embeddings or drop those rows."
            )
        present = [v for v in vectors if v is not None]
        sizes = {v.size for v in present}
        if len(sizes) > 1:
            raise DataValidationError(
                f"the embeddings in column {name!r} have different lengths {sorted(sizes)[:5]}; "
                "every row needs a vector of the same length."
            )
        out = np.vstack(present).astype(np.float32) if present else np.zeros((0, 0), np.float32)
    if not np.isfinite(out).all():
        raise DataValidationError(
            f"the embeddings in column {name!r} hold NaN or infinite values; fix or drop those rows."
        )
    return out


class EmbeddingFeaturizer(TransformerMixin, BaseEstimator):
    """Precomputed embeddings, optionally scaled to unit length.

    Parameters
    ----------
    normalize : bool, default True
        Scale every vector to unit L2 norm (what cosine-similarity models expect).

    Attributes
    ----------
    n_features_out_ : int
        The embedding dimension.

    Examples
    --------
    >>> EmbeddingFeaturizer().fit_transform([[3.0, 4.0], [0.0, 2.0]]).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 1.0]]
    """

    def __init__(self, *, normalize: bool = True) -> None:
        self.normalize = normalize

    def fit(self, X: Any, y: Any = None) -> EmbeddingFeaturizer:
        """Record the embedding dimension of ``X`` (one vector per row)."""
        self.n_features_out_ = int(self._vectors(X).shape[1])
        return self

    def _vectors(self, X: Any) -> np.ndarray:
        if isinstance(X, pd.DataFrame):
            if X.shape[1] != 1:
                raise DataValidationError(
                    f"EmbeddingFeaturizer takes one column of vectors; got {X.shape[1]} columns. "
                    "Use one featurizer per embedding column."
                )
            return stack_vectors(X.iloc[:, 0], name=str(X.columns[0]))
        return stack_vectors(X)

    def transform(self, X: Any) -> np.ndarray:
        """The vectors as an (n_rows, n_features_out_) float32 array."""
        check_is_fitted(self, "n_features_out_")
        out = self._vectors(X)
        if out.shape[1] != self.n_features_out_:
            raise DataValidationError(
                f"expected embeddings of length {self.n_features_out_} (as in fit), but received "
                f"length {out.shape[1]}."
            )
        if self.normalize:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            out = out / np.where(norms > 0, norms, 1.0)
        return out
