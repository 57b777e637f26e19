"""Zero-shot label suggestions: when (almost) nothing is labeled, compare rows with the classes.

Every class is described in words (its name, or a sentence); rows and descriptions are embedded in
the same space and each row's cosine similarity to each class becomes a probability through a
softmax with a temperature. With the optional sentence encoder (``goldlabel[embeddings]``) the space
is semantic; without it, a TF-IDF space over words and character n-grams fitted on the rows and the
descriptions together, which works when rows use the descriptions' words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.learn.featurize_sentences import SentenceEmbeddingFeaturizer
from goldlabel.learn.featurize_text import join_text_columns

__all__ = ["compute_similarity_probs", "compute_zero_shot_probs"]


def _unit_rows(x: Any) -> Any:
    if sp.issparse(x):
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
        return sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def compute_similarity_probs(
    row_embeddings: Any, class_embeddings: Any, *, temperature: float = 0.05
) -> np.ndarray:
    """Class probabilities from cosine similarity: ``softmax(cos(row, class) / temperature)``.

    Parameters
    ----------
    row_embeddings : array-like or sparse matrix of shape (n_rows, dim)
    class_embeddings : array-like or sparse matrix of shape (n_classes, dim)
    temperature : float, default 0.05
        Smaller is more decisive. A row similar to no class (all zeros) gets uniform probabilities.

    Returns
    -------
    ndarray of shape (n_rows, n_classes)

    Examples
    --------
    >>> compute_similarity_probs([[1.0, 0.1], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]).round(3).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    if not np.isfinite(temperature) or temperature <= 0:
        raise InvalidOptionError(
            f"temperature must be a positive number, but received {temperature!r}."
        )
    rows, classes = _unit_rows(row_embeddings), _unit_rows(class_embeddings)
    if rows.shape[1] != classes.shape[1]:
        raise DataValidationError(
            f"row and class embeddings must have the same dimension; got {rows.shape[1]} and "
            f"{classes.shape[1]}."
        )
    sims = rows @ classes.T
    sims = sims.toarray() if sp.issparse(sims) else np.asarray(sims, dtype=np.float64)
    logits = sims / float(temperature)
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    return probs / probs.sum(axis=1, keepdims=True)


def _descriptions(class_descriptions: Any) -> list[str]:
    if isinstance(class_descriptions, Mapping):
        texts = [f"{name} {text}" for name, text in class_descriptions.items()]
    elif isinstance(class_descriptions, Sequence) and not isinstance(class_descriptions, str):
        texts = [str(t) for t in class_descriptions]
    else:
        raise DataValidationError(
            "class_descriptions must be a list of class names or descriptions (one per class) or a "
            f"dict of class name -> description; got {type(class_descriptions).__name__}."
        )
    if len(texts) < 2:
        raise DataValidationError(
            f"zero-shot suggestions need at least 2 classes; got {len(texts)} description(s)."
        )
    return [t.replace("/", " ").replace("_", " ") for t in texts]


def compute_zero_shot_probs(
    texts: Any,
    class_descriptions: Sequence[str] | Mapping[str, str],
    *,
    encoder: str | Callable[[list[str]], Any] = "tfidf",
    temperature: float | None = None,
) -> np.ndarray:
    """Suggest a class for every row from its similarity to the class names or descriptions.

    Parameters
    ----------
    texts : sequence of str or DataFrame of text columns
    class_descriptions : list of str or dict of str to str
        One name or description per class, in class order (a dict's keys are the class names).
    encoder : {"tfidf", "sentence"} or callable, default "tfidf"
        "sentence" uses the optional sentence encoder; a callable maps a list of strings to an
        (n, dim) array.
    temperature : float, optional
        Softmax temperature; default 0.05 for "tfidf", 0.03 for sentence embeddings.

    Returns
    -------
    ndarray of shape (n_rows, n_classes)

    Examples
    --------
    >>> texts = ["the team won the football match", "shares fell as the market closed lower"]
    >>> probs = compute_zero_shot_probs(texts, ["sports football team", "business market shares"])
    >>> probs.argmax(axis=1).tolist()
    [0, 1]
    """
    rows = [str(t) for t in join_text_columns(texts)]
    if not rows:
        raise DataValidationError("no rows to suggest labels for; pass at least one text.")
    classes = _descriptions(class_descriptions)
    if encoder == "tfidf":
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, strip_accents="unicode"
        )
        matrix = vectorizer.fit_transform(rows + classes)
        return compute_similarity_probs(
            matrix[: len(rows)], matrix[len(rows) :], temperature=temperature or 0.05
        )
    if encoder == "sentence":
        featurizer = SentenceEmbeddingFeaturizer().fit()
        embed: Callable[[list[str]], Any] = featurizer.transform
        default_temperature = 0.03
    elif callable(encoder):
        embed = encoder
        default_temperature = 0.05
    else:
        raise InvalidOptionError(
            f"encoder must be 'tfidf', 'sentence' or a callable, but received {encoder!r}."
        )
    return compute_similarity_probs(
        embed(rows), embed(classes), temperature=temperature or default_temperature
    )
