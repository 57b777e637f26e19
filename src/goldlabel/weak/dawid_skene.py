"""Dawid-Skene EM for labeling functions, with abstain as an outcome and Dirichlet priors.

Plain Dawid-Skene treats an abstain as a missing answer. A typical LF is unipolar (it only ever votes
one class), so with abstains ignored its confusion matrix says "always votes c, whatever the class":
no information at all, and EM collapses (53 % on WRENCH youtube). Here the outcome space of LF ``j`` is
``{abstain, 0, ..., K-1}``, so *how often* an LF fires for each class carries the signal, and every
column of each confusion matrix gets a Dirichlet prior worth ``prior_strength`` rows, centred on "fires as
often as observed, and is right ``prior_accuracy`` of the time when it fires". The prior keeps rarely
firing LFs near that belief instead of letting EM fit them to noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from goldlabel.weak.base import (
    BaseLabelModel,
    check_class_balance,
    compute_vote_shares,
    estimate_lf_accuracies,
    normalize_log_scores,
)
from goldlabel.weak.validation import check_iterations, check_number_option, to_vote_matrix

__all__ = ["DawidSkeneLabelModel"]

_FLOOR = 1e-9


class DawidSkeneLabelModel(BaseLabelModel):
    """Dawid-Skene EM with abstain as an outcome and Dirichlet priors (see module doc).

    Parameters
    ----------
    n_classes : int, default=2
    prior_accuracy : float, default=0.7
        Prior probability that a vote is for the true class.
    prior_strength : float, default=10.0
        Weight of the Dirichlet prior on each confusion-matrix column, in rows.
    class_balance : array-like of shape (n_classes,), optional
        Known class balance; ``None`` estimates it by EM.
    max_iter : int, default=100
    tol : float, default=1e-4
        EM stops when no probability in the confusion matrices moves by more than this.

    Attributes
    ----------
    n_classes_, n_lfs_ : int
    class_balance_ : ndarray of shape (n_classes,)
    confusions_ : ndarray of shape (n_lfs, n_classes + 1, n_classes)
        ``confusions_[j, s + 1, y] = P(LF j outputs s | Y = y)``; row 0 is abstain (``s = -1``).
    accuracies_ : ndarray of shape (n_lfs,)
        Estimated P(vote is right | LF votes); NaN for an LF that never voted.
    n_iter_ : int

    Examples
    --------
    >>> import numpy as np
    >>> L = np.array([[0, -1, -1], [0, 0, -1], [1, -1, 1], [-1, 1, 1], [1, 1, -1]])
    >>> DawidSkeneLabelModel(n_classes=2).fit(L).predict(L).tolist()
    [0, 0, 1, 1, 1]
    """

    def __init__(
        self,
        n_classes: int = 2,
        *,
        prior_accuracy: float = 0.7,
        prior_strength: float = 10.0,
        class_balance: Any = None,
        max_iter: int = 100,
        tol: float = 1e-4,
    ) -> None:
        self.n_classes = n_classes
        self.prior_accuracy = prior_accuracy
        self.prior_strength = prior_strength
        self.class_balance = class_balance
        self.max_iter = max_iter
        self.tol = tol

    def _check_params(self) -> None:
        owner = type(self).__name__
        check_number_option(self.prior_accuracy, "prior_accuracy", owner, low=0.0, high=1.0)
        check_number_option(self.prior_strength, "prior_strength", owner, low=0.0, high=np.inf)
        check_iterations(self.max_iter, self.tol, owner)

    def _prior(self, label_matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pseudo-counts of votes (m, K, K) [j, l, y] and of abstains (m, K)."""
        k, m = self.n_classes_, self.n_lfs_
        fired = label_matrix >= 0
        coverage = fired.mean(axis=0)
        polarity = np.zeros((m, k), dtype=bool)
        lf_idx = np.broadcast_to(np.arange(m), label_matrix.shape)[fired]
        polarity[lf_idx, label_matrix[fired]] = True
        n_pol = polarity.sum(axis=1)
        # firing distribution over voted classes l, for each true class y
        spread = polarity / np.maximum(n_pol, 1)[:, None]  # [j, l]: uniform over the polarity
        share = np.repeat(spread[:, :, None], k, axis=2)  # [j, l, y]
        eye = np.eye(k, dtype=bool)[None]
        multi = (n_pol > 1)[:, None, None] & polarity[:, None, :]  # y in polarity, several classes
        others = (1.0 - self.prior_accuracy) / np.maximum(n_pol - 1, 1)[:, None, None]
        target = np.where(eye, self.prior_accuracy, others * polarity[:, :, None])
        share = np.where(multi, target, share)
        s = float(self.prior_strength)
        vote_prior = s * coverage[:, None, None] * share
        abstain_prior = np.repeat((s * (1.0 - coverage))[:, None], k, axis=1)
        return vote_prior, abstain_prior

    def _fit(self, label_matrix: np.ndarray) -> None:
        k, m = self.n_classes_, self.n_lfs_
        n = label_matrix.shape[0]
        given = check_class_balance(self.class_balance, k, owner=type(self).__name__)
        votes = to_vote_matrix(label_matrix, k)
        post = compute_vote_shares(label_matrix, k, votes=votes)
        vote_prior, abstain_prior = self._prior(label_matrix)
        s = float(self.prior_strength)
        conf = np.zeros((m, k + 1, k))
        n_iter = 0
        for n_iter in range(1, int(self.max_iter) + 1):  # noqa: B007 - n_iter is reported
            class_mass = post.sum(axis=0)
            balance = given if given is not None else (class_mass + 1.0) / (n + k)
            joint = np.asarray(votes.T @ post).reshape(m, k, k)  # [j, l, y]
            abstain = class_mass[None, :] - joint.sum(axis=1)
            total = np.maximum(class_mass[None, :] + s, _FLOOR)
            new = np.empty_like(conf)
            new[:, 0, :] = (abstain + abstain_prior) / total
            new[:, 1:, :] = (joint + vote_prior) / total[:, None, :]
            np.clip(new, _FLOOR, 1.0, out=new)
            post = self._posterior(votes, new, balance)
            moved = float(np.abs(new - conf).max())
            conf = new
            if moved < self.tol:
                break
        self.n_iter_ = n_iter
        self.class_balance_ = balance
        self.confusions_ = conf
        voted = (label_matrix >= 0).any(axis=0)
        self.accuracies_ = estimate_lf_accuracies(conf[:, 1:, :], balance, voted, floor=_FLOOR)

    def _posterior(self, votes: Any, conf: np.ndarray, balance: np.ndarray) -> np.ndarray:
        log_conf = np.log(conf)
        silent = log_conf[:, 0, :]  # every LF abstains: the baseline
        delta = (log_conf[:, 1:, :] - silent[:, None, :]).reshape(-1, conf.shape[2])
        scores = np.asarray(votes @ delta) + silent.sum(axis=0) + np.log(balance)
        return normalize_log_scores(scores)

    def _proba(self, label_matrix: np.ndarray) -> np.ndarray:
        votes = to_vote_matrix(label_matrix, self.n_classes_)
        return self._posterior(votes, self.confusions_, self.class_balance_)
