"""Out-of-sample predicted probabilities for every row, by cross-validation.

Labeled rows get probabilities from a model that never saw them (stratified folds that also spread
classes with fewer rows than folds); unlabeled rows get probabilities from a model fit on every
labeled row. Confident learning, the audit and auto-labeling all start from these.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidOptionError

__all__ = [
    "CrossValResult",
    "assign_folds",
    "compute_log_loss",
    "cross_val_pred_probs",
    "validate_labels",
]

_EPS = 1e-12


def validate_labels(
    labels: Any, *, n_rows: int | None = None, n_classes: int | None = None
) -> np.ndarray:
    """Labels as an int64 array of class indices, -1 marking an unlabeled row.

    Examples
    --------
    >>> validate_labels([0, 1, -1]).tolist()
    [0, 1, -1]
    """
    array = np.asarray(labels)
    if array.ndim != 1:
        raise InvalidLabelsError(
            f"labels must be a 1-D array of class indices (-1 = unlabeled); got shape {array.shape}."
        )
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if (
            np.issubdtype(array.dtype, np.floating)
            and np.all(np.isfinite(array))
            and np.all(array == np.round(array))
        ):
            array = array.astype(np.int64)
        else:
            raise InvalidLabelsError(
                f"labels must be integer class indices (-1 = unlabeled); got dtype {array.dtype}. "
                "Encode class names as 0..K-1 first."
            )
    array = array.astype(np.int64)
    if n_rows is not None and array.size != n_rows:
        raise InvalidLabelsError(
            f"labels has {array.size} entries but the features have {n_rows} rows; pass one label "
            "per row (-1 for unlabeled rows)."
        )
    if array.size and array.min() < -1:
        raise InvalidLabelsError(
            f"labels must be >= -1 (-1 = unlabeled); got a minimum of {int(array.min())}."
        )
    if n_classes is not None and array.size and array.max() >= n_classes:
        raise InvalidLabelsError(
            f"labels must be below n_classes={n_classes}; got a maximum of {int(array.max())}."
        )
    return array


def assign_folds(labels: Any, *, n_folds: int = 5, random_state: int = 0) -> np.ndarray:
    """Stratified fold of every labeled row (-1 for unlabeled rows).

    Each class's rows are shuffled and dealt to the folds in turn, starting where the previous
    class stopped, so even a class with fewer rows than folds is spread over several folds.

    Examples
    --------
    >>> assign_folds([0, 0, 0, 1, 1, -1], n_folds=3).tolist()
    [1, 2, 0, 1, 0, -1]
    """
    labs = validate_labels(labels)
    if int(n_folds) < 2:
        raise InvalidOptionError(f"n_folds must be at least 2, but received {n_folds!r}.")
    rng = np.random.default_rng(random_state)
    folds = np.full(labs.size, -1, dtype=np.int64)
    start = 0
    for k in np.unique(labs[labs >= 0]):
        rows = rng.permutation(np.flatnonzero(labs == k))
        folds[rows] = (start + np.arange(rows.size)) % n_folds
        start = (start + rows.size) % n_folds
    return folds


def compute_log_loss(labels: Any, pred_probs: np.ndarray) -> float:
    """Mean negative log probability of the given labels over labeled rows (-1 rows skipped).

    Examples
    --------
    >>> round(compute_log_loss([0, 1, -1], np.array([[0.5, 0.5], [0.2, 0.8], [1, 0]])), 4)
    0.4581
    """
    labs = validate_labels(labels)
    rows = np.flatnonzero(labs >= 0)
    if rows.size == 0:
        return float("nan")
    p = np.asarray(pred_probs)[rows, labs[rows]]
    return float(-np.mean(np.log(np.clip(p, _EPS, 1.0))))


@dataclass
class CrossValResult:
    """Cross-validated probabilities.

    Attributes
    ----------
    pred_probs : ndarray of shape (n_rows, n_classes)
        Out of sample for labeled rows, from the model fit on all labeled rows for unlabeled ones.
    folds : ndarray of shape (n_rows,)
        The fold each labeled row was held out in; -1 for unlabeled rows.
    log_loss : float
        Mean log loss of the given labels over labeled rows.
    seconds : float
        Wall time of the fits and predictions.
    """

    pred_probs: np.ndarray
    folds: np.ndarray
    log_loss: float
    seconds: float


def default_model(random_state: int = 0) -> LogisticRegression:
    """The default model: L2-regularised logistic regression."""
    return LogisticRegression(C=1.0, max_iter=1000, random_state=random_state)


def _seeded(model: Any, random_state: int) -> Any:
    model = clone(model)
    params = model.get_params()
    if "random_state" in params and params["random_state"] is None:
        model.set_params(random_state=random_state)
    return model


def _fit_predict(
    model: Any, X: Any, labels: np.ndarray, train: np.ndarray, test: np.ndarray, n_classes: int
) -> np.ndarray:
    out = np.zeros((test.size, n_classes))
    if test.size == 0:
        return out
    seen = np.unique(labels[train])
    if seen.size == 0:
        out[:] = 1.0 / n_classes
        return out
    if seen.size == 1:
        out[:, seen[0]] = 1.0
    else:
        fitted = model.fit(X[train], labels[train])
        probs = np.asarray(fitted.predict_proba(X[test]), dtype=np.float64)
        out[:, np.asarray(fitted.classes_, dtype=np.int64)] = probs
    if seen.size < n_classes:
        # classes the model never saw get a small share instead of an impossible zero
        out = 0.99 * out + 0.01 / n_classes
    return out


def check_train_mask(train_mask: Any, n_rows: int) -> np.ndarray:
    """Rows allowed in training sets as a boolean array (every row when ``train_mask`` is None)."""
    if train_mask is None:
        return np.ones(n_rows, dtype=bool)
    allowed = np.asarray(train_mask, dtype=bool)
    if allowed.shape != (n_rows,):
        raise DataValidationError(
            f"train_mask must be a boolean array of shape ({n_rows},); got shape {allowed.shape}."
        )
    return allowed


def check_folds(folds: Any, labeled: np.ndarray) -> tuple[np.ndarray, int]:
    """Precomputed folds as int64 and their number, checked against the labeled rows."""
    n_rows = labeled.shape[0]
    fold_of = np.asarray(folds, dtype=np.int64)
    if fold_of.shape != (n_rows,) or np.any((fold_of < 0) & labeled):
        raise DataValidationError(
            f"folds must hold a fold index >= 0 for every labeled row and have shape "
            f"({n_rows},); got shape {fold_of.shape}."
        )
    return fold_of, int(fold_of.max()) + 1


def make_fold_tasks(
    labeled: np.ndarray,
    allowed: np.ndarray,
    fold_of: np.ndarray,
    n_folds: int,
    *,
    share_unlabeled: bool,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """(train rows, predicted rows) of every fit, and the rows every fold's model predicts.

    Each fold's model predicts its held-out labeled rows, then the unlabeled rows when
    ``share_unlabeled`` (these are the shared rows, returned second; their probabilities are the
    average over folds); otherwise one more model, fit on every allowed labeled row, predicts the
    unlabeled rows and no row is shared.
    """
    trainable = labeled & allowed
    others = np.flatnonzero(~labeled)
    share = share_unlabeled and others.size > 0
    tasks = []
    for f in range(n_folds):
        test = np.flatnonzero(labeled & (fold_of == f))
        tasks.append(
            (np.flatnonzero(trainable & (fold_of != f)), np.r_[test, others] if share else test)
        )
    if others.size and not share:
        tasks.append((np.flatnonzero(trainable), others))
    return tasks, others if share else others[:0]


def run_fold_tasks(
    fit: Callable[..., np.ndarray], calls: Iterable[tuple[Any, ...]], *, n_jobs: int | None
) -> list[np.ndarray]:
    """``fit(*args)`` for every argument tuple, in parallel processes when ``n_jobs`` > 1."""
    if n_jobs is None or n_jobs == 1:
        return [fit(*args) for args in calls]
    return list(Parallel(n_jobs=n_jobs)(delayed(fit)(*args) for args in calls))


def gather_fold_probs(
    tasks: Sequence[tuple[np.ndarray, np.ndarray]],
    outputs: Sequence[np.ndarray],
    shared: np.ndarray,
    *,
    shape: tuple[int, int],
    n_folds: int,
) -> np.ndarray:
    """Every fit's predictions put in place; the shared rows get the mean over the folds."""
    pred_probs = np.zeros(shape, dtype=np.float64)
    for (_, test), probs in zip(tasks, outputs, strict=True):
        held = test.size - shared.size
        pred_probs[test[:held]] = probs[:held]
        if shared.size:
            pred_probs[shared] += probs[held:] / n_folds
    return pred_probs


def cross_val_pred_probs(
    X: Any,
    labels: Any,
    *,
    model: Any = None,
    n_classes: int | None = None,
    n_folds: int = 5,
    train_mask: Any = None,
    folds: Any = None,
    unlabeled: str = "full",
    random_state: int = 0,
    n_jobs: int | None = None,
) -> CrossValResult:
    """Out-of-sample predicted probabilities for labeled rows, in-sample-free ones for the rest.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_rows, n_features)
    labels : array-like of shape (n_rows,)
        Class indices in [0, n_classes); -1 marks an unlabeled row.
    model : scikit-learn classifier, optional
        Cloned for every fit; default :func:`default_model` (logistic regression).
    n_classes : int, optional
        Number of classes (default: largest label + 1).
    n_folds : int, default 5
        Capped at the number of labeled rows.
    train_mask : array-like of bool of shape (n_rows,), optional
        Rows allowed in training sets (e.g. rows not flagged as label issues); every labeled row is
        still predicted out of sample.
    folds : array-like of shape (n_rows,), optional
        Precomputed folds (see :func:`assign_folds`), so several models share the same split.
    unlabeled : {"full", "average"}, default "full"
        How unlabeled rows are predicted: by a model fit on every labeled row ("full"), or by the
        average of the fold models ("average"), whose confidence behaves like that of the labeled
        rows' out-of-sample probabilities (what auto-labeling thresholds are calibrated on).
    random_state : int, default 0
        Seeds the folds and any model with a ``random_state`` parameter left at None.
    n_jobs : int, optional
        Fit the folds in parallel processes (joblib convention; None = one at a time).

    Returns
    -------
    CrossValResult

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> y = y.copy(); y[::10] = -1  # some rows unlabeled
    >>> result = cross_val_pred_probs(X, y)
    >>> result.pred_probs.shape, bool(result.log_loss < 0.3)
    ((150, 3), True)
    """
    n_rows = int(X.shape[0]) if hasattr(X, "shape") else len(X)
    labs = validate_labels(labels, n_rows=n_rows, n_classes=n_classes)
    labeled = labs >= 0
    present = np.unique(labs[labeled])
    if labeled.sum() < 2 or present.size < 2:
        raise InvalidLabelsError(
            f"cross-validation needs labeled rows of at least 2 classes; got {int(labeled.sum())} "
            f"labeled rows of {present.size} class(es). Label more rows (or use zero-shot "
            "suggestions)."
        )
    k = int(n_classes) if n_classes is not None else int(labs.max()) + 1
    allowed = check_train_mask(train_mask, n_rows)
    if folds is None:
        n_folds = int(min(n_folds, labeled.sum()))
        fold_of = assign_folds(labs, n_folds=n_folds, random_state=random_state)
    else:
        fold_of, n_folds = check_folds(folds, labeled)
    if unlabeled not in ("full", "average"):
        raise InvalidOptionError(
            f"unlabeled must be 'full' or 'average', but received {unlabeled!r}."
        )
    base = _seeded(model if model is not None else default_model(random_state), random_state)
    tasks, shared = make_fold_tasks(
        labeled, allowed, fold_of, n_folds, share_unlabeled=unlabeled == "average"
    )
    start = time.perf_counter()
    outputs = run_fold_tasks(
        _fit_predict, ((clone(base), X, labs, tr, te, k) for tr, te in tasks), n_jobs=n_jobs
    )
    pred_probs = gather_fold_probs(tasks, outputs, shared, shape=(n_rows, k), n_folds=n_folds)
    seconds = time.perf_counter() - start
    return CrossValResult(pred_probs, fold_of, compute_log_loss(labs, pred_probs), seconds)
