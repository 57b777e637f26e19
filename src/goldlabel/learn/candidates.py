"""The models goldlabel tries, by kind of features.

Each :class:`Candidate` builds a fresh scikit-learn classifier. :func:`list_candidates` returns the
ones worth trying for a feature matrix, cheapest and usually strongest first, so a time budget that
runs out still leaves the best bets tried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from goldlabel.exceptions import InvalidOptionError

__all__ = [
    "CANDIDATE_NAMES",
    "Candidate",
    "SmoothedKNNClassifier",
    "get_candidate",
    "list_candidates",
]


class SmoothedKNNClassifier(ClassifierMixin, BaseEstimator):
    """k-nearest-neighbour votes with additive smoothing, so no class gets probability 0.

    Parameters
    ----------
    n_neighbors : int, default 15
    metric : str, default "cosine"
    alpha : float, default 0.5
        Pseudo-votes added to every class.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [0.1, 1.0], [1.0, 0.0], [1.0, 0.1]])
    >>> clf = SmoothedKNNClassifier(n_neighbors=2).fit(X, [0, 0, 1, 1])
    >>> clf.predict_proba([[0.0, 1.0]]).round(2).tolist()
    [[0.83, 0.17]]
    """

    def __init__(
        self, n_neighbors: int = 15, *, metric: str = "cosine", alpha: float = 0.5
    ) -> None:
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.alpha = alpha

    def fit(self, X: Any, y: Any) -> SmoothedKNNClassifier:
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        self.classes_, self.y_ = np.unique(y, return_inverse=True)
        k = int(min(self.n_neighbors, X.shape[0]))
        self.index_ = NearestNeighbors(n_neighbors=k, metric=self.metric).fit(X)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "index_")
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        neighbours = self.index_.kneighbors(X, return_distance=False)
        votes = self.y_[neighbours]
        n_classes = self.classes_.size
        counts = np.zeros((X.shape[0], n_classes))
        for column in range(votes.shape[1]):
            np.add.at(counts, (np.arange(X.shape[0]), votes[:, column]), 1.0)
        counts += float(self.alpha)
        return counts / counts.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "index_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


@dataclass(frozen=True)
class Candidate:
    """A model to try.

    Attributes
    ----------
    name : str
    build : callable
        ``build(random_state)`` returns an unfitted classifier.
    kinds : tuple of str
        Feature kinds it suits (see :data:`goldlabel.learn.FEATURE_KINDS`).
    sparse : bool
        Whether it accepts sparse matrices.
    nonnegative : bool
        Whether it needs non-negative features.
    """

    name: str
    build: Callable[[int], Any]
    kinds: tuple[str, ...]
    sparse: bool = True
    nonnegative: bool = False


_CANDIDATES: tuple[Candidate, ...] = (
    Candidate(
        "logistic_regression",
        lambda seed: LogisticRegression(C=1.0, tol=1e-3, max_iter=1000, random_state=seed),
        ("text", "tabular", "image", "mixed"),
    ),
    Candidate(
        "logistic_regression_embeddings",
        lambda seed: LogisticRegression(C=10.0, tol=1e-3, max_iter=2000, random_state=seed),
        ("embedding",),
    ),
    Candidate(
        "complement_naive_bayes",
        lambda seed: ComplementNB(alpha=0.3),
        ("text",),
        nonnegative=True,
    ),
    Candidate(
        "knn",
        lambda seed: SmoothedKNNClassifier(n_neighbors=15, metric="cosine"),
        ("embedding",),
    ),
    Candidate(
        "gradient_boosting",
        lambda seed: HistGradientBoostingClassifier(
            max_iter=150, learning_rate=0.1, early_stopping=False, random_state=seed
        ),
        ("tabular", "image"),
        sparse=False,
    ),
    Candidate(
        "knn_euclidean",
        lambda seed: SmoothedKNNClassifier(n_neighbors=15, metric="euclidean"),
        ("tabular",),
    ),
)

#: Names of every built-in candidate.
CANDIDATE_NAMES: tuple[str, ...] = tuple(c.name for c in _CANDIDATES)


def get_candidate(name: str) -> Candidate:
    """The built-in candidate called ``name``.

    Examples
    --------
    >>> get_candidate("knn").kinds
    ('embedding',)
    """
    for candidate in _CANDIDATES:
        if candidate.name == name:
            return candidate
    raise InvalidOptionError(
        f"unknown model candidate {name!r}; choose from {list(CANDIDATE_NAMES)}."
    )


def list_candidates(X: Any, *, kind: str) -> list[Candidate]:
    """The candidates worth trying on the feature matrix ``X`` of the given kind, best bets first.

    Examples
    --------
    >>> import numpy as np
    >>> [c.name for c in list_candidates(np.ones((3, 2)), kind="tabular")]
    ['logistic_regression', 'gradient_boosting', 'knn_euclidean']
    """
    sparse = sp.issparse(X)
    if sparse:
        nonnegative = bool(X.nnz == 0 or X.data.min() >= 0)
    else:
        nonnegative = bool(np.asarray(X).min(initial=0.0) >= 0)
    chosen = [
        c
        for c in _CANDIDATES
        if kind in c.kinds and (c.sparse or not sparse) and (nonnegative or not c.nonnegative)
    ]
    if not chosen:
        raise InvalidOptionError(
            f"no model candidate suits features of kind {kind!r}; kinds are text, tabular, "
            "embedding, image and mixed."
        )
    return chosen
