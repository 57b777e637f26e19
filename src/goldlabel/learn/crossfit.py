"""Cross-fitting for auto-labeling: calibration and unlabeled-row probabilities from the same fold models.

:func:`cross_fit_pred_probs` produces the two inputs of :func:`goldlabel.learn.autolabel.find_auto_labels`
from a model and the labelled rows: out-of-fold probabilities for the labelled rows and the same fold
models' probabilities for the unlabeled ones, so that both are scored alike (a model refitted on every
labelled row would be more confident on the unlabeled rows than the calibration rows say, and the
threshold too lenient).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import _safe_indexing

from goldlabel.core.validation import check_labels
from goldlabel.exceptions import DataValidationError, InvalidOptionError

__all__ = ["cross_fit_pred_probs"]


def cross_fit_pred_probs(
    X_labeled: Any,
    labels: Any,
    X_unlabeled: Any,
    *,
    model: Any = None,
    n_folds: int = 5,
    unlabeled: Literal["average", "one_fold"] = "average",
    random_state: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities for :func:`find_auto_labels`: out-of-fold for labelled rows, fold models for the rest.

    The promise of :func:`find_auto_labels` needs the calibration scores to behave like the scores of
    the rows it labels. A model fitted on all labelled rows is more confident on new rows than the
    fold models were on the held-out ones, which would make a threshold too lenient; so the unlabeled
    rows are scored by the same fold models instead: by their average (``'average'``, usually a little
    more accurate at equal confidence, hence on the safe side) or each by one fold model drawn at
    random (``'one_fold'``, exchangeable by construction).

    Parameters
    ----------
    X_labeled : array-like or sparse matrix of shape (M, ...)
        Features of the labelled rows.
    labels : array-like of shape (M,)
        Their labels, integers in [0, K); every class needs at least 2 rows.
    X_unlabeled : array-like or sparse matrix of shape (N, ...)
        Features of the unlabeled rows.
    model : scikit-learn classifier, optional
        Cloned for every fold; default ``LogisticRegression(max_iter=1000)``.
    n_folds : int
        Folds (fewer if a class has fewer rows).
    unlabeled : {'average', 'one_fold'}
        How the unlabeled rows are scored.
    random_state : int or None
        Seeds the folds and the ``'one_fold'`` draw.

    Returns
    -------
    tuple of numpy.ndarray
        ``(pred_probs, calibration_pred_probs)`` of shapes (N, K) and (M, K).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> probs, cal_probs = cross_fit_pred_probs(X[::3], y[::3], X[1::3])
    >>> probs.shape, cal_probs.shape
    ((50, 3), (50, 3))
    """
    if unlabeled not in ("average", "one_fold"):
        raise InvalidOptionError(
            f"unlabeled must be 'average' or 'one_fold', but received {unlabeled!r}."
        )
    if isinstance(n_folds, bool) or not isinstance(n_folds, (int, np.integer)) or n_folds < 2:
        raise InvalidOptionError(
            f"n_folds must be an integer of at least 2, but received {n_folds!r}."
        )
    labs = check_labels(labels)
    counts = np.bincount(labs)
    present = counts[counts > 0]
    if present.size < 2 or present.min() < 2:
        raise DataValidationError(
            "cross-fitting needs at least 2 labelled rows in each of at least 2 classes, but the "
            f"label counts per class are {counts.tolist()}. Label more rows."
        )
    n_classes = counts.size
    n_new = _num_rows(X_unlabeled)
    splitter = StratifiedKFold(
        n_splits=int(min(n_folds, present.min())), shuffle=True, random_state=random_state
    )
    base = model if model is not None else LogisticRegression(max_iter=1000)
    cal = np.zeros((labs.size, n_classes))
    per_fold = []
    for train, test in splitter.split(np.zeros(labs.size), labs):
        fitted = clone(base).fit(_safe_indexing(X_labeled, train), labs[train])
        columns = np.asarray(fitted.classes_, dtype=np.int64)
        cal[np.ix_(test, columns)] = fitted.predict_proba(_safe_indexing(X_labeled, test))
        new = np.zeros((n_new, n_classes))
        new[:, columns] = fitted.predict_proba(X_unlabeled)
        per_fold.append(new)
    if unlabeled == "average":
        return np.mean(per_fold, axis=0), cal
    which = np.random.default_rng(random_state).integers(0, len(per_fold), n_new)
    return np.stack(per_fold)[which, np.arange(n_new)], cal


def _num_rows(X: Any) -> int:
    return int(X.shape[0]) if hasattr(X, "shape") else len(X)
