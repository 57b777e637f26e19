"""Snorkel-style label model: LF accuracies fit to the agreement statistics of the label matrix.

The model in words. LFs are conditionally independent given the class ``Y``; the parameter ``mu`` is an
(n_lfs * K) x K matrix with ``mu[j*K + l, y] = P(LF j votes l | Y = y)``. With ``A`` the one-hot vote
matrix (abstain = no entry), the second moments ``O = A.T A / n`` satisfy ``O ~ mu diag(p) mu.T`` on every
block of two *different* LFs (conditional independence), and ``diag(O) ~ mu p``. The fit minimises the
squared error of both on those entries, plus ``l2 * ||mu - mu_init||^2``, with L-BFGS-B and ``mu`` kept
in ``[eps, 1 - eps]``. Only ``O`` depends on the number of rows, so the fit costs one sparse product plus
an optimisation over ``(n_lfs * K)^2`` numbers. ``mu_init`` assumes each LF is right ``prior_accuracy``
of the time; starting there also picks the label assignment where LFs are better than chance.
The class balance is given, uniform (default, as in Snorkel), or fit jointly (``class_balance=None``).
The defaults (uniform balance, ``l2=0.01``) were picked on WRENCH's validation splits.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize

from goldlabel.exceptions import InvalidOptionError
from goldlabel.weak.base import (
    BaseLabelModel,
    check_class_balance,
    estimate_lf_accuracies,
    normalize_log_scores,
)
from goldlabel.weak.validation import check_iterations, check_number_option, to_vote_matrix

__all__ = ["MomentLabelModel"]

_EPS = 1e-4


def _balance_of(logits: np.ndarray) -> np.ndarray:
    """The class balance a vector of free logits stands for (softmax)."""
    p = np.exp(logits - logits.max())
    return p / p.sum()


class MomentLabelModel(BaseLabelModel):
    """Snorkel-style label model fit by matching vote agreement statistics (see module doc).

    Parameters
    ----------
    n_classes : int, default=2
    prior_accuracy : float, default=0.7
        Accuracy assumed for every LF at the start of the fit (Snorkel's ``prec_init``).
    l2 : float, default=0.01
        Pull of ``mu`` towards its starting point.
    class_balance : None, "uniform" or array-like of shape (n_classes,), default="uniform"
        ``None`` fits it with ``mu``; ``"uniform"`` fixes it at 1/K; an array fixes it at those values.
    max_iter : int, default=100
        L-BFGS-B iterations.
    tol : float, default=1e-10
        L-BFGS-B tolerance on the objective.

    Attributes
    ----------
    n_classes_, n_lfs_ : int
    class_balance_ : ndarray of shape (n_classes,)
    conditional_probs_ : ndarray of shape (n_lfs, n_classes, n_classes)
        ``conditional_probs_[j, l, y] = P(LF j votes l | Y = y)``.
    accuracies_ : ndarray of shape (n_lfs,)
        Estimated P(vote is right | LF votes); NaN for an LF that never voted.
    n_iter_ : int

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 2000)
    >>> votes = np.where(rng.random((2000, 4)) < 0.8, y[:, None], 1 - y[:, None])
    >>> L = np.where(rng.random((2000, 4)) < 0.5, votes, -1)
    >>> model = MomentLabelModel(n_classes=2).fit(L)
    >>> np.round(model.accuracies_, 1).tolist()
    [0.8, 0.8, 0.8, 0.8]
    """

    def __init__(
        self,
        n_classes: int = 2,
        *,
        prior_accuracy: float = 0.7,
        l2: float = 0.01,
        class_balance: Any = "uniform",
        max_iter: int = 100,
        tol: float = 1e-10,
    ) -> None:
        self.n_classes = n_classes
        self.prior_accuracy = prior_accuracy
        self.l2 = l2
        self.class_balance = class_balance
        self.max_iter = max_iter
        self.tol = tol

    def _check_params(self) -> None:
        owner = type(self).__name__
        check_number_option(self.prior_accuracy, "prior_accuracy", owner, low=0.0, high=1.0)
        check_number_option(self.l2, "l2", owner, low=0.0, high=np.inf)
        check_iterations(self.max_iter, self.tol, owner)
        if isinstance(self.class_balance, str) and self.class_balance != "uniform":
            raise InvalidOptionError(
                f"class_balance of {owner} must be None (estimate), 'uniform' or one positive number "
                f"per class, but received {self.class_balance!r}."
            )

    def _fit(self, label_matrix: np.ndarray) -> None:
        k, m = self.n_classes_, self.n_lfs_
        n = label_matrix.shape[0]
        d = m * k
        votes = to_vote_matrix(label_matrix, k)
        moments = np.asarray((votes.T @ votes).todense()) / n
        rates = np.diag(moments).copy()
        lf_of = np.repeat(np.arange(m), k)
        mask = (lf_of[:, None] != lf_of[None, :]).astype(np.float64)
        target = moments * mask

        if isinstance(self.class_balance, str):
            fixed: np.ndarray | None = np.full(k, 1.0 / k)
        else:
            fixed = check_class_balance(self.class_balance, k, owner=type(self).__name__)
        start_p = fixed if fixed is not None else np.full(k, 1.0 / k)
        col_class = np.tile(np.arange(k), m)
        a0 = float(self.prior_accuracy)
        mu0 = np.where(
            col_class[:, None] == np.arange(k)[None, :],
            rates[:, None] * a0 / start_p[None, :],
            rates[:, None] * (1.0 - a0) / np.maximum(1.0 - start_p[None, :], _EPS),
        )
        mu0 = np.clip(mu0, _EPS, 1.0 - _EPS)
        l2 = float(self.l2)

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            mu = theta[: d * k].reshape(d, k)
            p = _balance_of(theta[d * k :]) if fixed is None else fixed
            resid = (mu * p) @ mu.T * mask - target
            r = mu @ p - rates
            diff = mu - mu0
            value = float((resid**2).sum() + r @ r + l2 * (diff**2).sum())
            grad_mu = 4.0 * (resid @ mu) * p + 2.0 * np.outer(r, p) + 2.0 * l2 * diff
            if fixed is None:
                g_p = 2.0 * np.einsum("iy,ij,jy->y", mu, resid, mu) + 2.0 * (mu.T @ r)
                g_z = p * (g_p - p @ g_p)
                return value, np.concatenate([grad_mu.ravel(), g_z])
            return value, grad_mu.ravel()

        theta0 = mu0.ravel() if fixed is not None else np.concatenate([mu0.ravel(), np.zeros(k)])
        bounds = [(_EPS, 1.0 - _EPS)] * (d * k) + ([] if fixed is not None else [(-10.0, 10.0)] * k)
        result = minimize(
            objective,
            theta0,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": int(self.max_iter), "ftol": float(self.tol), "gtol": 1e-12},
        )
        mu = result.x[: d * k].reshape(d, k)
        p = _balance_of(result.x[d * k :]) if fixed is None else fixed
        self.n_iter_ = int(result.nit)
        self.class_balance_ = p
        cond = mu.reshape(m, k, k)
        voted = (label_matrix >= 0).any(axis=0)
        self.conditional_probs_ = cond
        self.accuracies_ = estimate_lf_accuracies(cond, p, voted, floor=_EPS)
        self._log_mu = np.log(mu)

    def _proba(self, label_matrix: np.ndarray) -> np.ndarray:
        votes = to_vote_matrix(label_matrix, self.n_classes_)
        scores = np.asarray(votes @ self._log_mu) + np.log(self.class_balance_)
        return normalize_log_scores(scores)
