"""Text as numbers: TF-IDF over word and character n-grams, fitted on the rows at hand.

Word uni- and bigrams with sublinear term frequency carry most of the signal for topic-like labels;
character n-grams (within word boundaries) add robustness to typos, inflections and rare words. Both
blocks are L2-normalised and weighted so that a row's full vector has unit length.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from goldlabel.exceptions import DataValidationError

__all__ = ["TextFeaturizer", "join_text_columns"]


def join_text_columns(data: Any) -> np.ndarray:
    """One string per row: a 1-D sequence as is, or a DataFrame's columns joined with newlines.

    Missing values become empty strings.

    Examples
    --------
    >>> import pandas as pd
    >>> join_text_columns(pd.DataFrame({"a": ["x", None], "b": ["y", "z"]})).tolist()
    ['x\\ny', 'z']
    """
    if isinstance(data, pd.DataFrame):
        if data.shape[1] == 0:
            raise DataValidationError("no text columns were given; name at least one text column.")
        parts = data.astype("object").where(data.notna(), "").astype(str)
        joined = parts.iloc[:, 0]
        for column in parts.columns[1:]:
            joined = joined.str.cat(parts[column], sep="\n")
        return joined.str.strip().to_numpy(dtype=object)
    values = pd.Series(
        np.asarray(data, dtype=object).ravel() if not isinstance(data, pd.Series) else data
    )
    if isinstance(data, np.ndarray) and data.ndim != 1:
        raise DataValidationError(
            f"text must be a 1-D sequence of strings or a DataFrame of text columns; got an array of "
            f"shape {data.shape}."
        )
    return values.where(values.notna(), "").astype(str).to_numpy(dtype=object)


class TextFeaturizer(TransformerMixin, BaseEstimator):
    """TF-IDF features of word and character n-grams.

    Parameters
    ----------
    word_ngram_range : tuple of int, default (1, 2)
        Word n-gram sizes.
    char_ngram_range : tuple of int, None or "auto", default "auto"
        Character n-gram sizes (within word boundaries); None leaves character n-grams out; "auto"
        uses (2, 4) on corpora under ``auto_char_limit`` characters, where they are cheap and help
        most (little data, typos), and leaves them out on bigger ones, where they multiply the cost
        of every model for a small gain.
    auto_char_limit : int, default 1_000_000
        Corpus size, in characters, up to which "auto" adds character n-grams.
    min_df : int, default 2
        Ignore n-grams found in fewer rows (1 on fewer than 50 rows).
    max_word_features, max_char_features : int or None, default 200_000 and 50_000
        Keep at most this many of the most frequent n-grams of each kind.
    char_weight : float, default 0.5
        Share of each row's squared norm given to the character block, in [0, 1).

    Attributes
    ----------
    word_vectorizer_ : TfidfVectorizer
    char_vectorizer_ : TfidfVectorizer or None
    n_features_out_ : int

    Examples
    --------
    >>> texts = ["the cat sat", "the dog ran", "a cat ran", "dogs sat"]
    >>> x = TextFeaturizer(min_df=1).fit_transform(texts)
    >>> x.shape[0], round(float(x[0].multiply(x[0]).sum()), 6)
    (4, 1.0)
    """

    def __init__(
        self,
        *,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] | str | None = "auto",
        auto_char_limit: int = 1_000_000,
        min_df: int = 2,
        max_word_features: int | None = 200_000,
        max_char_features: int | None = 50_000,
        char_weight: float = 0.5,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.auto_char_limit = auto_char_limit
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.char_weight = char_weight

    def _min_df(self, n_rows: int) -> int:
        return 1 if n_rows < 50 else int(self.min_df)

    def fit(self, X: Any, y: Any = None) -> TextFeaturizer:
        """Learn the vocabularies and IDF weights from the texts ``X`` (one string per row)."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> sp.csr_matrix:
        """Learn the vocabularies and return the TF-IDF matrix of shape (n_rows, n_features_out_)."""
        if not 0.0 <= float(self.char_weight) < 1.0:
            raise DataValidationError(
                f"char_weight must be in [0, 1), but received {self.char_weight!r}."
            )
        texts = join_text_columns(X)
        if len(texts) == 0:
            raise DataValidationError("cannot fit a text featurizer on zero rows; pass some text.")
        min_df = self._min_df(len(texts))
        self.word_vectorizer_ = TfidfVectorizer(
            ngram_range=tuple(self.word_ngram_range),
            sublinear_tf=True,
            min_df=min_df,
            max_features=self.max_word_features,
            strip_accents="unicode",
            dtype=np.float32,
            token_pattern=r"(?u)\b\w+\b",
        )
        try:
            blocks = [self.word_vectorizer_.fit_transform(texts)]
        except ValueError as error:  # an empty vocabulary: no words at all
            raise DataValidationError(
                "the text columns hold no words (every row is empty or punctuation); choose other "
                "columns or pass their types explicitly."
            ) from error
        self.char_vectorizer_ = None
        char_range = self.char_ngram_range
        if isinstance(char_range, str):
            if char_range != "auto":
                raise DataValidationError(
                    f"char_ngram_range must be a (min, max) pair, None or 'auto', but received "
                    f"{char_range!r}."
                )
            n_chars = int(sum(len(t) for t in texts))
            char_range = (2, 4) if n_chars <= self.auto_char_limit else None
        if char_range is not None and self.char_weight > 0:
            self.char_vectorizer_ = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(char_range),
                sublinear_tf=True,
                min_df=min_df,
                max_features=self.max_char_features,
                dtype=np.float32,
            )
            blocks.append(self.char_vectorizer_.fit_transform(texts))
        out = self._combine(blocks)
        self.n_features_out_ = int(out.shape[1])
        return out

    def _combine(self, blocks: list[sp.csr_matrix]) -> sp.csr_matrix:
        if len(blocks) == 1:
            return blocks[0].tocsr()
        w = float(self.char_weight)
        return sp.hstack(
            [blocks[0] * np.float32(np.sqrt(1.0 - w)), blocks[1] * np.float32(np.sqrt(w))],
            format="csr",
        )

    def transform(self, X: Any) -> sp.csr_matrix:
        """TF-IDF matrix of new texts, shape (n_rows, n_features_out_)."""
        check_is_fitted(self, "word_vectorizer_")
        texts = join_text_columns(X)
        blocks = [self.word_vectorizer_.transform(texts)]
        if self.char_vectorizer_ is not None:
            blocks.append(self.char_vectorizer_.transform(texts))
        return self._combine(blocks)
