"""Majority vote: the baseline every label model is measured against."""

from __future__ import annotations

import numpy as np

from goldlabel.weak.base import BaseLabelModel, compute_vote_shares, count_votes

__all__ = ["MajorityVoteLabelModel"]


class MajorityVoteLabelModel(BaseLabelModel):
    """Each class's share of the non-abstain votes of a row.

    A row no LF covers gets uniform probabilities, and so does every class tied for the most votes
    (``predict`` then returns the lowest tied index). ``fit`` learns nothing but the shape.

    Parameters
    ----------
    n_classes : int, default=2
        K, the number of classes.

    Attributes
    ----------
    n_classes_ : int
    n_lfs_ : int
    class_balance_ : ndarray of shape (n_classes,)
        Share of all votes cast for each class in the fitted matrix (reported, not used).

    Examples
    --------
    >>> import numpy as np
    >>> L = np.array([[0, 0, 1], [1, -1, 1], [-1, -1, -1]])
    >>> MajorityVoteLabelModel(n_classes=2).fit(L).predict_proba(L).round(3).tolist()
    [[0.667, 0.333], [0.0, 1.0], [0.5, 0.5]]
    """

    def __init__(self, n_classes: int = 2) -> None:
        self.n_classes = n_classes

    def _fit(self, label_matrix: np.ndarray) -> None:
        totals = count_votes(label_matrix, self.n_classes_).sum(axis=0)
        k = self.n_classes_
        self.class_balance_ = (totals + 1.0) / (totals.sum() + k)

    def _proba(self, label_matrix: np.ndarray) -> np.ndarray:
        return compute_vote_shares(label_matrix, self.n_classes_)
