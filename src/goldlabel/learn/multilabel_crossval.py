"""Multi-label cross-validation: label sets as one-hot, folds, one-vs-rest probabilities, calibration.

Each row carries a set of classes (possibly empty). Folds are stratified on every class at once,
rarest class first, so a class with only a handful of rows still lands in several folds (see
:func:`assign_multilabel_folds`). One binary classifier per class gives ``pred_probs[:, k]``, the
probability that class ``k`` belongs to the row; rows need not sum to 1.
:mod:`goldlabel.learn.multilabel` runs these through the whole analysis.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from goldlabel.exceptions import InvalidLabelsError, InvalidOptionError
from goldlabel.learn.crossval import (
    check_folds,
    check_train_mask,
    gather_fold_probs,
    make_fold_tasks,
    run_fold_tasks,
)

__all__ = [
    "MultilabelCrossValResult",
    "apply_multilabel_calibration",
    "assign_multilabel_folds",
    "calibrate_multilabel_probs",
    "compute_binary_log_loss",
    "compute_set_confidence",
    "cross_val_multilabel_probs",
    "encode_multilabel_labels",
    "fit_multilabel_calibration",
    "make_multilabel_model",
    "score_multilabel_sets",
]

_EPS = 1e-12


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and value != value


def encode_multilabel_labels(
    values: Any, *, class_names: Sequence[Any] | None = None, separator: str = ","
) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Label sets as a one-hot matrix, with every entry -1 on an unlabeled row.

    Parameters
    ----------
    values : sequence of length n_rows
        Each cell a list, tuple, set or array of class names (a labeled row, maybe with no class),
        a string of names joined by ``separator``, or None/NaN for an unlabeled row.
    class_names : sequence, optional
        Every class, in column order (default: the sorted names found).
    separator : str, default ","
        Splits string cells; an empty string is an unlabeled row.

    Returns
    -------
    onehot : ndarray of shape (n_rows, n_classes), int8
        1 where the row has the class, 0 where not, -1 across an unlabeled row.
    class_names : tuple

    Examples
    --------
    >>> onehot, names = encode_multilabel_labels([["b"], "a,b", None, []])
    >>> onehot.tolist(), names
    ([[0, 1], [1, 1], [-1, -1], [0, 0]], ('a', 'b'))
    """
    cells: list[list[Any] | None] = []
    for value in list(values):
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(separator) if p.strip()]
            cells.append(parts or None)
        elif isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
            cells.append(list(value))
        elif _is_missing(value):
            cells.append(None)
        else:
            raise InvalidLabelsError(
                f"a multi-label cell must be a list of class names, a string joined by "
                f"{separator!r} or None (unlabeled); got {type(value).__name__} {value!r}."
            )
    found = {name for cell in cells if cell is not None for name in cell}
    if class_names is None:
        names = tuple(sorted(found, key=str))
    else:
        names = tuple(class_names)
        unknown = sorted(found - set(names), key=str)
        if unknown:
            raise InvalidLabelsError(
                f"the labels name classes {unknown} that are not in class_names {list(names)}; "
                "add them to class_names or correct the labels."
            )
    if len(set(names)) != len(names):
        raise InvalidLabelsError(f"class_names has duplicates: {list(names)}; list each once.")
    index = {name: i for i, name in enumerate(names)}
    onehot = np.zeros((len(cells), len(names)), dtype=np.int8)
    for row, cell in enumerate(cells):
        if cell is None:
            onehot[row] = -1
        else:
            onehot[row, [index[name] for name in cell]] = 1
    return onehot, names


def _check_onehot(onehot: Any, n_rows: int | None = None) -> np.ndarray:
    array = np.asarray(onehot)
    unlabeled = array < 0
    if (
        array.ndim != 2
        or not np.isin(array, (-1, 0, 1)).all()
        or (unlabeled.any(axis=1) != unlabeled.all(axis=1)).any()
    ):
        raise InvalidLabelsError(
            "multi-label labels must be an (n_rows, n_classes) array of 0/1 with -1 across "
            f"unlabeled rows; got shape {array.shape} (see encode_multilabel_labels)."
        )
    if n_rows is not None and array.shape[0] != n_rows:
        raise InvalidLabelsError(
            f"labels has {array.shape[0]} rows but the features have {n_rows}; pass one row of "
            "labels per row of features."
        )
    return array.astype(np.int8)


def _water_fill(current: np.ndarray, n_new: int, sizes: np.ndarray) -> np.ndarray:
    """How many of ``n_new`` rows each fold takes so that the fold counts end up as even as can be."""
    current = current.astype(np.int64)
    low, high = int(current.min()), int(current.min()) + n_new
    while low < high:  # the highest level every fold can be filled up to
        mid = (low + high + 1) // 2
        if int(np.maximum(0, mid - current).sum()) <= n_new:
            low = mid
        else:
            high = mid - 1
    take = np.maximum(0, low - current)
    rest = n_new - int(take.sum())
    at_level = np.flatnonzero(current + take == low)
    smallest = at_level[np.argsort(sizes[at_level] + take[at_level], kind="stable")]
    take[smallest[:rest]] += 1
    return take


def assign_multilabel_folds(labels: Any, *, n_folds: int = 5, random_state: int = 0) -> np.ndarray:
    """Folds stratified on every class of multi-label data (-1 for unlabeled rows).

    Classes are taken rarest first. The rows of a class not yet in a fold are shuffled and shared
    out so that the class's count per fold is as even as possible (the emptiest folds first), so
    a class with fewer rows than folds is spread over as many folds as it has rows. Rows with no
    class come last and even out the fold sizes.

    Parameters
    ----------
    labels : array-like of shape (n_rows, n_classes)
        One-hot label sets, -1 across unlabeled rows (see :func:`encode_multilabel_labels`).
    n_folds : int, default 5
    random_state : int, default 0

    Returns
    -------
    ndarray of shape (n_rows,), int64

    Examples
    --------
    >>> onehot = [[1, 0], [1, 1], [0, 1], [0, 1], [0, 0], [-1, -1]]
    >>> folds = assign_multilabel_folds(onehot, n_folds=2)
    >>> sorted(folds[:2].tolist()), folds[5]
    ([0, 1], np.int64(-1))
    """
    onehot = _check_onehot(labels)
    if int(n_folds) < 2:
        raise InvalidOptionError(f"n_folds must be at least 2, but received {n_folds!r}.")
    rng = np.random.default_rng(random_state)
    labeled = onehot[:, 0] >= 0 if onehot.shape[1] else np.zeros(onehot.shape[0], dtype=bool)
    groups = (onehot == 1) & labeled[:, None]
    folds = np.full(onehot.shape[0], -1, dtype=np.int64)
    sizes = np.zeros(n_folds, dtype=np.int64)
    for group in np.argsort(groups.sum(axis=0), kind="stable"):
        members = np.flatnonzero(groups[:, group])
        placed = folds[members]
        current = np.bincount(placed[placed >= 0], minlength=n_folds)
        new = rng.permutation(members[placed < 0])
        take = _water_fill(current, new.size, sizes)
        folds[new] = np.repeat(np.arange(n_folds), take)
        sizes += take
    rest = rng.permutation(np.flatnonzero(labeled & (folds < 0)))  # rows with no class
    folds[rest] = np.repeat(np.arange(n_folds), _water_fill(sizes, rest.size, sizes))
    return folds


@dataclass
class MultilabelCrossValResult:
    """Cross-validated one-vs-rest probabilities.

    Attributes
    ----------
    pred_probs : ndarray of shape (n_rows, n_classes)
        ``pred_probs[i, k]`` is the probability that row ``i`` has class ``k``; out of sample for
        labeled rows.
    folds : ndarray of shape (n_rows,)
        The fold each labeled row was held out in; -1 for unlabeled rows.
    log_loss : float
        Mean binary log loss over labeled rows and classes.
    seconds : float
        Wall time of the fits and predictions.
    """

    pred_probs: np.ndarray
    folds: np.ndarray
    log_loss: float
    seconds: float


def make_multilabel_model(kind: str, *, random_state: int = 0) -> LogisticRegression:
    """The default binary classifier fit per class: logistic regression, less regularised on
    embeddings (``kind == "embedding"``) than on other features.

    Examples
    --------
    >>> make_multilabel_model("embedding").C
    10.0
    """
    strength = 10.0 if kind == "embedding" else 4.0
    return LogisticRegression(C=strength, tol=1e-3, max_iter=2000, random_state=random_state)


def _fit_predict_fold(
    model: Any, X: Any, onehot: np.ndarray, train: np.ndarray, test: np.ndarray
) -> np.ndarray:
    out = np.empty((test.size, onehot.shape[1]))
    if test.size == 0:
        return out
    X_train, X_test = X[train], X[test]
    for k in range(onehot.shape[1]):
        y = onehot[train, k]
        positives = int(y.sum())
        if positives in (0, y.size):
            # one side never seen: the smoothed share of positives, never an impossible 0 or 1
            out[:, k] = (positives + 0.5) / (y.size + 1.0)
        else:
            fitted = clone(model).fit(X_train, y)
            out[:, k] = fitted.predict_proba(X_test)[:, list(fitted.classes_).index(1)]
    return out


def fit_multilabel_calibration(
    onehot: np.ndarray, pred_probs: np.ndarray
) -> list[tuple[float, float] | None]:
    """Per-class Platt scaling ``(slope, intercept)`` of out-of-fold probabilities, fit on the
    labeled rows; None for a class on (or off) in fewer than 2 labeled rows (left as it is).

    Examples
    --------
    >>> onehot = np.array([[1, 1], [1, 1], [0, 1], [0, 1], [-1, -1]])
    >>> params = fit_multilabel_calibration(onehot, np.full((5, 2), 0.3))
    >>> params[0] is not None, params[1]
    (True, None)
    """
    rows = onehot[:, 0] >= 0 if onehot.shape[1] else np.zeros(onehot.shape[0], dtype=bool)
    logits = _logits(pred_probs)
    params: list[tuple[float, float] | None] = []
    for k in range(onehot.shape[1]):
        y = onehot[rows, k]
        if min(int(y.sum()), int(y.size - y.sum())) < 2:
            params.append(None)
            continue
        platt = LogisticRegression(C=100.0).fit(logits[rows, k, None], y)
        params.append((float(platt.coef_[0, 0]), float(platt.intercept_[0])))
    return params


def apply_multilabel_calibration(
    params: Sequence[tuple[float, float] | None], pred_probs: np.ndarray
) -> np.ndarray:
    """Apply :func:`fit_multilabel_calibration`'s per-class scaling to probabilities."""
    logits = _logits(pred_probs)
    out = np.array(pred_probs, dtype=np.float64, copy=True)
    for k, param in enumerate(params):
        if param is not None:
            slope, intercept = param
            out[:, k] = 1.0 / (1.0 + np.exp(-(slope * logits[:, k] + intercept)))
    return out


def _logits(pred_probs: np.ndarray) -> np.ndarray:
    return np.log(np.clip(pred_probs, 1e-6, 1 - 1e-6) / np.clip(1 - pred_probs, 1e-6, 1))


def calibrate_multilabel_probs(onehot: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """Per-class Platt scaling of out-of-fold probabilities, fit on the labeled rows.

    A regularised model shrinks a rare class's probabilities towards its prior, so it is seldom
    suggested at 0.5; two parameters per class, fit on out-of-fold probabilities, undo that. A class
    on (or off) in fewer than 2 labeled rows is left as it is.

    Parameters
    ----------
    onehot : ndarray of shape (n_rows, n_classes)
        One-hot label sets, -1 across unlabeled rows.
    pred_probs : ndarray of shape (n_rows, n_classes)
        Out-of-fold per-class probabilities.

    Returns
    -------
    ndarray of shape (n_rows, n_classes)

    Examples
    --------
    >>> onehot = np.array([[1], [1], [0], [0], [-1]])
    >>> probs = np.array([[0.4], [0.3], [0.2], [0.1], [0.35]])
    >>> calibrated = calibrate_multilabel_probs(onehot, probs)[:, 0]
    >>> bool((calibrated[:2] > 0.5).all() and (calibrated[2:4] < 0.5).all())
    True
    """
    return apply_multilabel_calibration(fit_multilabel_calibration(onehot, pred_probs), pred_probs)


def compute_set_confidence(pred_probs: Any) -> np.ndarray:
    """The probability that each row's predicted set (its classes at 0.5 or more) is exactly right,
    the classes taken as independent: ``prod_k max(p_k, 1 - p_k)``.

    Examples
    --------
    >>> compute_set_confidence(np.array([[0.9, 0.2], [0.5, 0.5]])).round(2).tolist()
    [0.72, 0.25]
    """
    probs = np.asarray(pred_probs, dtype=np.float64)
    return np.asarray(np.maximum(probs, 1.0 - probs).prod(axis=-1))


def score_multilabel_sets(onehot: np.ndarray, pred_probs: np.ndarray) -> dict[str, float | None]:
    """How well per-class probabilities (a class is predicted at 0.5 or more) match the label sets
    of labeled rows: exact-set accuracy, per-class (Hamming) accuracy and micro F1, named as the
    studio reports cross-validated metrics; None without a labeled row.

    Examples
    --------
    >>> score_multilabel_sets(np.array([[1, 0], [0, 1], [-1, -1]]), np.array([[.9, .2], [.6, .7], [.5, .5]]))
    {'cv_accuracy': 0.5, 'cv_hamming_accuracy': 0.75, 'cv_micro_f1': 0.8}
    """
    labeled = onehot[:, 0] >= 0 if onehot.shape[1] else np.zeros(onehot.shape[0], dtype=bool)
    if not labeled.any():
        return {"cv_accuracy": None, "cv_hamming_accuracy": None, "cv_micro_f1": None}
    given, guess = onehot[labeled] == 1, pred_probs[labeled] >= 0.5
    hits, wrong = int((given & guess).sum()), int((given != guess).sum())
    return {
        "cv_accuracy": float((given == guess).all(axis=1).mean()),
        "cv_hamming_accuracy": float((given == guess).mean()),
        "cv_micro_f1": float(2 * hits / (2 * hits + wrong)) if hits + wrong else 1.0,
    }


def compute_binary_log_loss(onehot: np.ndarray, pred_probs: np.ndarray) -> float:
    """Mean binary log loss over the labeled rows and every class; NaN without a labeled row.

    Examples
    --------
    >>> round(compute_binary_log_loss(np.array([[1, 0], [-1, -1]]), np.full((2, 2), 0.5)), 4)
    0.6931
    """
    rows = onehot[:, 0] >= 0 if onehot.shape[1] else np.zeros(0, dtype=bool)
    if not rows.any():
        return float("nan")
    y, p = onehot[rows], np.clip(pred_probs[rows], _EPS, 1 - _EPS)
    return float(-np.mean(np.where(y == 1, np.log(p), np.log(1 - p))))


def cross_val_multilabel_probs(
    X: Any,
    labels: Any,
    *,
    model: Any = None,
    n_folds: int = 5,
    train_mask: Any = None,
    folds: Any = None,
    unlabeled: str = "average",
    random_state: int = 0,
    n_jobs: int | None = None,
) -> MultilabelCrossValResult:
    """Out-of-sample per-class probabilities from one binary classifier per class.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_rows, n_features)
    labels : array-like of shape (n_rows, n_classes)
        One-hot label sets, -1 across unlabeled rows (see :func:`encode_multilabel_labels`).
    model : scikit-learn binary classifier, optional
        Cloned for every class and fold (default: logistic regression).
    n_folds : int, default 5
        Capped at the number of labeled rows.
    train_mask : array-like of bool of shape (n_rows,), optional
        Rows allowed in training sets; every labeled row is still predicted out of sample.
    folds : array-like of shape (n_rows,), optional
        Precomputed folds (see :func:`assign_multilabel_folds`).
    unlabeled : {"average", "full"}, default "average"
        Predict unlabeled rows by the average of the fold models, or by models fit on every
        labeled row.
    random_state : int, default 0
    n_jobs : int, optional
        Fit the folds in parallel processes (None = one at a time).

    Returns
    -------
    MultilabelCrossValResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2))
    >>> onehot = np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int)
    >>> result = cross_val_multilabel_probs(X, onehot)
    >>> result.pred_probs.shape, bool(result.log_loss < 0.4)
    ((60, 2), True)
    """
    n_rows = int(X.shape[0]) if hasattr(X, "shape") else len(X)
    onehot = _check_onehot(labels, n_rows)
    labeled = onehot[:, 0] >= 0 if onehot.shape[1] else np.zeros(n_rows, dtype=bool)
    if onehot.shape[1] == 0 or labeled.sum() < 2:
        raise InvalidLabelsError(
            f"cross-validation needs at least 2 labeled rows and 1 class; got {int(labeled.sum())} "
            f"labeled rows and {onehot.shape[1]} classes. Label more rows."
        )
    if unlabeled not in ("full", "average"):
        raise InvalidOptionError(
            f"unlabeled must be 'full' or 'average', but received {unlabeled!r}."
        )
    allowed = check_train_mask(train_mask, n_rows)
    if folds is None:
        k_folds = int(min(n_folds, labeled.sum()))
        fold_of = assign_multilabel_folds(onehot, n_folds=k_folds, random_state=random_state)
    else:
        fold_of, k_folds = check_folds(folds, labeled)
    base = model if model is not None else make_multilabel_model("text", random_state=random_state)
    tasks, shared = make_fold_tasks(
        labeled, allowed, fold_of, k_folds, share_unlabeled=unlabeled == "average"
    )
    start = time.perf_counter()
    outputs = run_fold_tasks(
        _fit_predict_fold, ((base, X, onehot, tr, te) for tr, te in tasks), n_jobs=n_jobs
    )
    pred_probs = gather_fold_probs(
        tasks, outputs, shared, shape=(n_rows, onehot.shape[1]), n_folds=k_folds
    )
    seconds = time.perf_counter() - start
    return MultilabelCrossValResult(
        pred_probs, fold_of, compute_binary_log_loss(onehot, pred_probs), seconds
    )
