"""The recommended label model: per-LF precision, learned by EM with a shrinkage prior.

The model in words. Labeling functions are conditionally independent given the true class ``Y`` and an
abstain carries no information. An LF ``j`` voting class ``l`` is right with precision
``a[j, l] = P(Y = l | LF j votes l)``. A vote therefore multiplies the odds of ``l`` by ``a / p_l`` and
the odds of every other class by ``(1 - a) / (1 - p_l)``, where ``p`` is the class balance: an LF is
informative exactly as far as its precision beats the base rate of the class it votes for. The posterior
of a row is the product of these factors over its votes (Bayes' rule, one factor per vote).

EM fits ``a`` and ``p`` from the label matrix alone, starting from majority vote. Three rules keep it
stable on the sparse, unipolar label matrices real LFs produce (where plain Dawid-Skene collapses):

* every precision is shrunk towards ``prior_accuracy`` by ``prior_strength`` pseudo-votes, so an LF
  with a handful of votes keeps the prior and one with thousands is measured;
* a precision never drops below ``p_l + min_lift`` ("LFs are better than chance"), so EM cannot flip
  an LF's vote into evidence against its own class;
* with ``balanced=True`` (default) the posterior leaves the class balance out of the product: the
  balance estimated from LF votes leans towards classes whose LFs fire broadly, and letting it vote
  again would drown narrow, precise LFs. A row no LF covers then gets uniform probabilities, as in
  majority vote. ``balanced=False`` multiplies by ``p`` (uncovered rows get ``p``).

The hyper-parameters were chosen once, on the validation splits of WRENCH's youtube, trec and semeval
label matrices (``benchmarks/weak.py --select``), and are not tuned per dataset.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from goldlabel.weak.base import (
    BaseLabelModel,
    check_class_balance,
    compute_vote_shares,
    normalize_log_scores,
)
from goldlabel.weak.validation import (
    check_iterations,
    check_number_option,
    find_votes,
    to_vote_matrix,
)

__all__ = ["LabelModel"]

_EPS = 1e-3


class LabelModel(BaseLabelModel):
    """Recommended label model: LF precisions learned by EM, shrunk towards a prior (see module doc).

    Parameters
    ----------
    n_classes : int, default=2
        K, the number of classes.
    prior_accuracy : float, default=0.7
        Precision an LF is assumed to have before its votes are seen.
    prior_strength : float, default=10.0
        How many votes the prior is worth; an LF with fewer votes than this stays near the prior.
    min_lift : float, default=0.05
        Floor of ``precision - class base rate``; keeps every vote evidence for its class.
    balanced : bool, default=True
        Leave the class balance out of the posterior (uncovered rows: uniform); see module doc.
    class_balance : array-like of shape (n_classes,), optional
        Known class balance. ``None`` estimates it by EM.
    max_iter : int, default=100
        Maximum EM iterations.
    tol : float, default=1e-3
        EM stops when no precision moves by more than this.

    Attributes
    ----------
    n_classes_ : int
    n_lfs_ : int
    class_balance_ : ndarray of shape (n_classes,)
        Given or estimated class balance ``p``.
    precisions_ : ndarray of shape (n_lfs, n_classes)
        Estimated ``P(Y = l | LF j votes l)``; NaN where LF ``j`` never voted ``l`` in ``fit``.
    accuracies_ : ndarray of shape (n_lfs,)
        Estimated accuracy of each LF (its precisions averaged over its votes); NaN if it never voted.
    n_iter_ : int
        EM iterations run.

    Examples
    --------
    >>> import numpy as np
    >>> L = np.array([[0, 0, -1], [1, 1, 1], [0, -1, 1], [-1, 1, 1], [-1, -1, -1]])
    >>> model = LabelModel(n_classes=2).fit(L)
    >>> model.predict(L).tolist()
    [0, 1, 0, 1, 0]
    >>> model.predict_proba(L)[-1].tolist()  # no LF covers the last row
    [0.5, 0.5]
    """

    def __init__(
        self,
        n_classes: int = 2,
        *,
        prior_accuracy: float = 0.7,
        prior_strength: float = 10.0,
        min_lift: float = 0.05,
        balanced: bool = True,
        class_balance: Any = None,
        max_iter: int = 100,
        tol: float = 1e-3,
    ) -> None:
        self.n_classes = n_classes
        self.prior_accuracy = prior_accuracy
        self.prior_strength = prior_strength
        self.min_lift = min_lift
        self.balanced = balanced
        self.class_balance = class_balance
        self.max_iter = max_iter
        self.tol = tol

    def _check_params(self) -> None:
        owner = type(self).__name__
        check_number_option(self.prior_accuracy, "prior_accuracy", owner, low=0.0, high=1.0)
        check_number_option(self.prior_strength, "prior_strength", owner, low=0.0, high=np.inf)
        check_number_option(self.min_lift, "min_lift", owner, low=0.0, high=0.5)
        check_iterations(self.max_iter, self.tol, owner)

    def _factors(self, precision: np.ndarray, balance: np.ndarray, voted: np.ndarray) -> np.ndarray:
        """Log factor of each (LF, voted class) column for each class: shape (n_lfs * K, K)."""
        k = self.n_classes_
        col_class = np.tile(np.arange(k), self.n_lfs_)
        base = balance[col_class]
        factors = np.repeat(np.log((1.0 - precision) / (1.0 - base))[:, None], k, axis=1)
        factors[np.arange(col_class.size), col_class] = np.log(precision / base)
        factors[~voted] = 0.0
        return factors

    def _posterior(self, votes: Any, factors: np.ndarray, balance: np.ndarray) -> np.ndarray:
        scores = np.asarray(votes @ factors)
        if not self.balanced:
            scores += np.log(balance)
        return normalize_log_scores(scores)

    def _fit(self, label_matrix: np.ndarray) -> None:
        k, m = self.n_classes_, self.n_lfs_
        given = check_class_balance(self.class_balance, k, owner=type(self).__name__)
        entries = find_votes(label_matrix, k)
        votes = to_vote_matrix(label_matrix, k, entries=entries)
        n = label_matrix.shape[0]
        rows, cols = entries
        flat_vote = rows * k + cols % k  # where each vote's own class sits in the flat posterior
        n_votes = np.bincount(cols, minlength=m * k).astype(np.float64)
        voted = n_votes > 0
        col_class = np.tile(np.arange(k), m)

        post = compute_vote_shares(label_matrix, k, votes=votes)  # majority vote starts EM
        balance = given if given is not None else (post.sum(axis=0) + 1.0) / (n + k)
        a0, alpha = float(self.prior_accuracy), float(self.prior_strength)
        precision = np.full(m * k, a0)
        n_iter = 0
        for n_iter in range(1, int(self.max_iter) + 1):  # noqa: B007 - n_iter is reported
            hits = np.bincount(cols, weights=post.ravel()[flat_vote], minlength=m * k)
            new = (hits + alpha * a0) / np.maximum(n_votes + alpha, 1e-12)
            floor = np.minimum(balance[col_class] + self.min_lift, 1.0 - _EPS)
            new = np.clip(new, floor, 1.0 - _EPS)
            post = self._posterior(votes, self._factors(new, balance, voted), balance)
            if given is None:
                balance = (post.sum(axis=0) + 1.0) / (n + k)
            moved = float(np.abs(new - precision).max())
            precision = new
            if moved < self.tol:
                break
        self.n_iter_ = n_iter
        self.class_balance_ = balance
        self._log_factors = self._factors(precision, balance, voted)
        table = precision.reshape(m, k).copy()
        table[~voted.reshape(m, k)] = np.nan
        self.precisions_ = table
        weights = n_votes.reshape(m, k)
        total = weights.sum(axis=1)
        with np.errstate(invalid="ignore"):
            self.accuracies_ = np.where(
                total > 0,
                (np.nan_to_num(table) * weights).sum(axis=1) / np.maximum(total, 1),
                np.nan,
            )

    def _proba(self, label_matrix: np.ndarray) -> np.ndarray:
        votes = to_vote_matrix(label_matrix, self.n_classes_)
        return self._posterior(votes, self._log_factors, self.class_balance_)
