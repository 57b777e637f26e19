"""The face every label model shares: ``fit(L)``, ``predict_proba(L)``, ``predict(L)``, ``score(L, y)``."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from goldlabel.exceptions import InvalidOptionError
from goldlabel.weak.validation import (
    check_gold_labels,
    check_label_matrix,
    check_n_classes,
    to_vote_matrix,
)

__all__ = [
    "BaseLabelModel",
    "check_class_balance",
    "compute_vote_shares",
    "count_votes",
    "estimate_lf_accuracies",
]


def count_votes(label_matrix: np.ndarray, n_classes: int, *, votes: Any = None) -> np.ndarray:
    """Votes per class for each row: an (n_rows, n_classes) float array.

    ``votes`` reuses a matrix from :func:`~goldlabel.weak.validation.to_vote_matrix`.

    Examples
    --------
    >>> count_votes(np.array([[0, 1, 1], [-1, -1, -1]]), 2)
    array([[1., 2.],
           [0., 0.]])
    """
    if votes is None:
        votes = to_vote_matrix(label_matrix, n_classes)
    fold = np.tile(np.eye(n_classes), (label_matrix.shape[1], 1))
    return np.asarray(votes @ fold)


def compute_vote_shares(
    label_matrix: np.ndarray, n_classes: int, *, votes: Any = None
) -> np.ndarray:
    """Each class's share of a row's votes (majority vote); uniform for a row no LF covers.

    ``votes`` reuses a matrix from :func:`~goldlabel.weak.validation.to_vote_matrix`.

    Examples
    --------
    >>> compute_vote_shares(np.array([[0, 1, 1], [-1, -1, -1]]), 2).round(3).tolist()
    [[0.333, 0.667], [0.5, 0.5]]
    """
    counts = count_votes(label_matrix, n_classes, votes=votes)
    counts[counts.sum(axis=1) == 0] = 1.0
    return counts / counts.sum(axis=1, keepdims=True)


def estimate_lf_accuracies(
    conditionals: np.ndarray, class_balance: np.ndarray, voted: npt.ArrayLike, *, floor: float
) -> np.ndarray:
    """P(vote is right | LF votes) of each LF, from its vote distribution given the true class.

    Parameters
    ----------
    conditionals : ndarray of shape (n_lfs, n_classes, n_classes)
        ``conditionals[j, l, y] = P(LF j votes l | Y = y)``.
    class_balance : ndarray of shape (n_classes,)
    voted : ndarray of bool, shape (n_lfs,)
        Whether each LF voted at all; the accuracy of one that never did is NaN.
    floor : float
        Lower bound of an LF's firing probability in the denominator.

    Returns
    -------
    ndarray of shape (n_lfs,)

    Examples
    --------
    >>> cond = np.array([[[0.4, 0.1], [0.1, 0.4]]])  # fires half the time, right 80 % of it
    >>> estimate_lf_accuracies(cond, np.array([0.5, 0.5]), np.array([True]), floor=1e-9).round(3)
    array([0.8])
    """
    hit = np.einsum("jll,l->j", conditionals, class_balance)
    fire = (conditionals * class_balance[None, None, :]).sum(axis=(1, 2))
    return np.where(voted, hit / np.maximum(fire, floor), np.nan)


def check_class_balance(class_balance: Any, n_classes: int, *, owner: str) -> np.ndarray | None:
    """Validate a user-given class balance (``None`` passes through) and return it normalised."""
    if class_balance is None:
        return None
    arr = np.asarray(class_balance, dtype=np.float64)
    if arr.shape != (n_classes,) or not np.isfinite(arr).all() or (arr <= 0).any():
        raise InvalidOptionError(
            f"class_balance of {owner} must be {n_classes} positive numbers (one per class), but "
            f"received {class_balance!r}. Pass e.g. class_balance=[0.7, 0.3], or None to estimate it."
        )
    return arr / arr.sum()


class BaseLabelModel(BaseEstimator):  # type: ignore[misc]
    """Shared validation and prediction for label models; subclasses implement ``_fit`` and ``_proba``.

    ``__init__`` of a subclass only stores its parameters (scikit-learn's contract); ``fit`` validates
    them and the label matrix, sets the fitted attributes ``n_classes_``, ``n_lfs_`` and
    ``class_balance_``, and returns ``self``.
    """

    n_classes: int

    def _check_params(self) -> None:
        """Validate hyper-parameters; subclasses extend this."""

    def _fit(self, label_matrix: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _proba(self, label_matrix: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def fit(self, L: Any, y: Any = None) -> BaseLabelModel:
        """Fit the model on a label matrix; no gold labels are used.

        Parameters
        ----------
        L : array-like of shape (n_rows, n_lfs)
            Votes of each labeling function; ``-1`` = abstain.
        y : None
            Ignored; present so the model fits in scikit-learn pipelines.

        Returns
        -------
        self
        """
        name = type(self).__name__
        k = check_n_classes(self.n_classes, owner=name)
        self._check_params()
        label_matrix = check_label_matrix(L, n_classes=k)
        if label_matrix.shape[0] == 0:
            raise InvalidOptionError(
                f"{name}.fit received a label matrix with 0 rows. Apply the labeling functions to "
                "the unlabeled data first."
            )
        self.n_classes_ = k
        self.n_lfs_ = label_matrix.shape[1]
        self._fit(label_matrix)
        return self

    def predict_proba(self, L: Any) -> np.ndarray:
        """Probability of each class for each row.

        Parameters
        ----------
        L : array-like of shape (n_rows, n_lfs)
            Votes of the same LFs, in the same order, as for ``fit``.

        Returns
        -------
        numpy.ndarray of shape (n_rows, n_classes)
            Rows sum to 1. Rows no LF covers get the model's answer without evidence (see the class
            docstring).
        """
        check_is_fitted(self, "n_lfs_")
        label_matrix = check_label_matrix(L, n_classes=self.n_classes_, n_lfs=self.n_lfs_)
        return self._proba(label_matrix)

    def predict(self, L: Any) -> np.ndarray:
        """The most probable class of each row (the lowest class index wins an exact tie).

        Returns
        -------
        numpy.ndarray of shape (n_rows,), dtype int64
        """
        return np.argmax(self.predict_proba(L), axis=1).astype(np.int64)

    def score(self, L: Any, y: Any) -> float:
        """Accuracy of :meth:`predict` against gold labels ``y`` (rows with ``y == -1`` are skipped)."""
        pred = self.predict(L)
        gold = check_gold_labels(y, n_rows=pred.shape[0], n_classes=self.n_classes_, name="y")
        keep = gold >= 0
        if not keep.any():
            raise InvalidOptionError(
                "score needs at least one gold label, but every entry of y is -1 (unlabeled)."
            )
        return float(np.mean(pred[keep] == gold[keep]))


def _row_reduce(values: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """``ufunc.reduce(values, axis=1, keepdims=True)``, column by column when there are few columns.

    numpy reduces a short contiguous axis slowly; a loop over a handful of columns is several times
    faster for the (n_rows, K) arrays of a label model.
    """
    if values.shape[1] > 16:
        return ufunc.reduce(values, axis=1, keepdims=True)
    out = values[:, 0].copy()
    for c in range(1, values.shape[1]):
        ufunc(out, values[:, c], out=out)
    return out[:, None]


def normalize_log_scores(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax of log scores (overwrites ``scores``)."""
    scores -= _row_reduce(scores, np.maximum)
    np.exp(scores, out=scores)
    scores /= _row_reduce(scores, np.add)
    return scores
