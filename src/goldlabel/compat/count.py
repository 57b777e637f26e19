"""Drop-in replacement for ``cleanlab.count`` (cleanlab 2.9): same names, signatures and results.

Implemented on :mod:`goldlabel.core.counting`. The model-in-the-loop functions cross-validate a
scikit-learn classifier with cleanlab's folds (``StratifiedKFold(shuffle=True, random_state=seed)``),
so with the same ``seed`` they return the same out-of-sample probabilities.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import sklearn.base
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from goldlabel.compat.filter import multilabel_function
from goldlabel.core import counting
from goldlabel.core.validation import check_labels
from goldlabel.exceptions import DataValidationError

__all__ = [
    "calibrate_confident_joint",
    "compute_confident_joint",
    "estimate_confident_joint_and_cv_pred_proba",
    "estimate_cv_predicted_probabilities",
    "estimate_joint",
    "estimate_latent",
    "estimate_noise_matrices",
    "estimate_py_and_noise_matrices_from_probabilities",
    "estimate_py_noise_matrices_and_cv_pred_proba",
    "get_confident_thresholds",
    "num_label_issues",
]

#: cleanlab's default classifier; it is cloned before every fit, never fitted itself.
_DEFAULT_CLF = LogisticRegression(solver="lbfgs")


def _c_order(matrix: np.ndarray) -> np.ndarray:
    """cleanlab returns C-ordered matrices; reductions over them then sum in the same order."""
    return np.ascontiguousarray(matrix)


def _check_multi_label_labels(labels: Any) -> None:
    if not isinstance(labels, list):
        raise TypeError(
            "labels must be a list of class lists when multi_label=True, but received "
            f"{type(labels).__name__}, e.g. [[0, 2], [1], []]."
        )


def num_label_issues(
    labels: Any,
    pred_probs: np.ndarray,
    *,
    confident_joint: np.ndarray | None = None,
    estimation_method: str = "off_diagonal",
    multi_label: bool = False,
) -> np.int64:
    """Estimated number of label issues (see :func:`goldlabel.core.counting.count_label_issues`)."""
    if multi_label:
        # cleanlab counts with filter_by='confident_learning', which ignores confident_joint.
        count = multilabel_function("count_multilabel_label_issues")
        return np.int64(count(labels, pred_probs))
    return np.int64(
        counting.count_label_issues(
            labels,
            pred_probs,
            confident_joint=confident_joint,
            estimation_method=estimation_method,
        )
    )


def calibrate_confident_joint(
    confident_joint: np.ndarray, labels: Any, *, multi_label: bool = False
) -> np.ndarray:
    """Rescale a confident joint so row i sums to the count of label i and the total is N."""
    if multi_label:
        _check_multi_label_labels(labels)
        return multilabel_function("calibrate_multilabel_confident_joint")(  # type: ignore[no-any-return]
            confident_joint, labels
        )
    return _c_order(counting.calibrate_confident_joint(confident_joint, labels))


def estimate_joint(
    labels: Any,
    pred_probs: np.ndarray,
    *,
    confident_joint: np.ndarray | None = None,
    multi_label: bool = False,
) -> np.ndarray:
    """The joint distribution ``P(given=i, true=j)`` of shape (K, K), summing to 1."""
    if multi_label:
        _check_multi_label_labels(labels)
        return multilabel_function("estimate_multilabel_joint")(  # type: ignore[no-any-return]
            labels, pred_probs, confident_joint=confident_joint
        )
    joint = counting.estimate_joint(labels, pred_probs, confident_joint=confident_joint)
    if confident_joint is None or labels is not None:
        return _c_order(joint)  # calibrated here, like cleanlab's
    return joint


def compute_confident_joint(
    labels: Any,
    pred_probs: np.ndarray,
    *,
    thresholds: np.ndarray | list[float] | None = None,
    calibrate: bool = True,
    multi_label: bool = False,
    return_indices_of_off_diagonals: bool = False,
) -> np.ndarray | tuple[np.ndarray, Any]:
    """The (K, K) confident joint ``C[given][true]`` (and optionally the off-diagonal indices)."""
    if multi_label:
        _check_multi_label_labels(labels)
        return multilabel_function("compute_multilabel_confident_joint")(  # type: ignore[no-any-return]
            labels,
            pred_probs,
            thresholds=thresholds,
            calibrate=calibrate,
            return_indices_of_off_diagonals=return_indices_of_off_diagonals,
        )
    result = counting.compute_confident_joint(
        labels,
        pred_probs,
        thresholds=thresholds,
        calibrate=calibrate,
        return_indices_of_off_diagonals=return_indices_of_off_diagonals,
    )
    # cleanlab's calibrated joint is C-ordered, its raw one (a transposed confusion matrix) is not;
    # core's raw joint already has the same layout.
    layout = _c_order if calibrate else np.asarray
    if isinstance(result, tuple):
        return layout(result[0]), result[1]
    return layout(result)


def get_confident_thresholds(
    labels: Any, pred_probs: np.ndarray, multi_label: bool = False
) -> np.ndarray:
    """Per-class mean self-confidence, shape (K,) (``(K, 2)`` for multi-label)."""
    if multi_label:
        _check_multi_label_labels(labels)
        return multilabel_function("compute_multilabel_confident_thresholds")(  # type: ignore[no-any-return]
            labels, pred_probs
        )
    return counting.compute_confident_thresholds(labels, pred_probs)


def estimate_latent(
    confident_joint: np.ndarray,
    labels: np.ndarray,
    *,
    py_method: str = "cnt",
    converge_latent_estimates: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(py, noise_matrix, inverse_noise_matrix)`` from a confident joint."""
    return counting.estimate_latent(
        confident_joint,
        labels,
        py_method=py_method,
        converge_latent_estimates=converge_latent_estimates,
    )


def estimate_py_and_noise_matrices_from_probabilities(
    labels: np.ndarray,
    pred_probs: np.ndarray,
    *,
    thresholds: np.ndarray | list[float] | None = None,
    converge_latent_estimates: bool = True,
    py_method: str = "cnt",
    calibrate: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(py, noise_matrix, inverse_noise_matrix, confident_joint)`` from labels and pred_probs."""
    # Not counting.estimate_py_and_noise_matrices_from_probabilities: its calibrated joint is
    # Fortran-ordered, so the column sums in estimate_latent differ from cleanlab's in the last bit.
    joint = compute_confident_joint(labels, pred_probs, thresholds=thresholds, calibrate=calibrate)
    py, nm, inm = counting.estimate_latent(
        joint,  # type: ignore[arg-type]
        labels,
        py_method=py_method,
        converge_latent_estimates=converge_latent_estimates,
    )
    return py, nm, inm, joint  # type: ignore[return-value]


# --- model in the loop -------------------------------------------------------------------------


def _labels_array(labels: Any) -> np.ndarray:
    if isinstance(labels, pd.DataFrame):
        if labels.shape[1] != 1:
            raise DataValidationError(
                f"labels must be one-dimensional, but received a DataFrame with "
                f"{labels.shape[1]} columns. Pass the label column, e.g. df['label']."
            )
        labels = labels.iloc[:, 0]
    return check_labels(labels)


def _num_rows(X: Any) -> int:
    if X is None:
        raise DataValidationError(
            "X is None. Pass the features of every example (an array, sparse matrix or DataFrame)."
        )
    try:
        return len(X)
    except TypeError:
        shape = getattr(X, "shape", None)
        if shape is None:
            raise DataValidationError(
                f"X must support len(X) or X.shape[0], but received {type(X).__name__}."
            ) from None
        return int(shape[0])


def _take(X: Any, idx: np.ndarray) -> Any:
    if isinstance(X, (pd.DataFrame, pd.Series)):
        return X.iloc[idx]
    try:
        return X[idx]
    except (TypeError, IndexError, KeyError) as exc:
        raise DataValidationError(
            f"X must support indexing by a list of row positions (X[[0, 3, 7]]) for "
            f"cross-validation, but {type(X).__name__} does not ({exc}). Compute out-of-sample "
            "pred_probs yourself and pass them instead."
        ) from exc


def _append_row(X_train: Any, X_holdout: Any, position: int) -> Any:
    """``X_train`` with row ``position`` of ``X_holdout`` appended."""
    if isinstance(X_train, np.ndarray):
        return np.vstack([X_train, X_holdout[position]])
    if isinstance(X_train, (pd.DataFrame, pd.Series)):
        return pd.concat([X_train, X_holdout.iloc[[position]]]).reset_index(drop=True)
    if hasattr(X_train, "tocsr"):
        import scipy.sparse

        return scipy.sparse.vstack([X_train, X_holdout[position]], format=X_train.format)
    raise DataValidationError(
        f"Cannot append a row to X of type {type(X_train).__name__} to cover a class missing from "
        "a training fold. Pass a numpy array, scipy sparse matrix or pandas DataFrame."
    )


def _cross_validate(
    X: Any,
    labels: np.ndarray,
    clf: Any,
    cv_n_folds: int,
    seed: Any,
    clf_kwargs: dict[str, Any],
    validation_func: Callable[[Any, Any], dict[str, Any]] | None,
) -> np.ndarray:
    """Out-of-sample predicted probabilities, shape (N, number of distinct labels)."""
    n = _num_rows(X)
    if n != labels.shape[0]:
        raise DataValidationError(
            f"X has {n} rows but labels has {labels.shape[0]} entries. Pass one label per row."
        )
    if validation_func is not None and not callable(validation_func):
        raise TypeError(
            "validation_func must be a callable (X_val, y_val) -> dict of fit keyword arguments, "
            f"but received {type(validation_func).__name__}."
        )
    n_classes = np.unique(labels).shape[0]
    folds = StratifiedKFold(n_splits=cv_n_folds, shuffle=True, random_state=seed)
    pred_probs = np.zeros((labels.shape[0], n_classes))
    for train_idx, holdout_idx in folds.split(X=labels, y=labels):
        try:
            model = sklearn.base.clone(clf)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise ValueError(
                "clf must be clonable with sklearn.base.clone(clf) (implement get_params), or "
                "compute out-of-sample pred_probs yourself and pass them instead."
            ) from exc
        X_train, X_holdout = _take(X, train_idx), _take(X, holdout_idx)
        y_train, y_holdout = labels[train_idx], labels[holdout_idx]
        missing = sorted(set(range(n_classes)) - set(y_train.tolist()))
        duplicated: dict[int, int] = {}
        if missing:
            warnings.warn(
                "Duplicated some data across multiple folds to ensure training does not fail "
                f"because these classes do not have enough data for proper cross-validation: "
                f"{set(missing)}.",
                UserWarning,
                stacklevel=4,
            )
            for k in missing:
                position = int(np.flatnonzero(y_holdout == k)[0])
                y_train = np.append(y_train, y_holdout[position])
                X_train = _append_row(X_train, X_holdout, position)
                duplicated[k] = position
        fit_kwargs = {} if validation_func is None else validation_func(X_holdout, y_holdout)
        model.fit(X_train, y_train, **clf_kwargs, **fit_kwargs)
        fold_probs = model.predict_proba(X_holdout)
        for k, position in duplicated.items():
            fold_probs[position] = np.eye(fold_probs.shape[1])[k]
        pred_probs[holdout_idx] = fold_probs
    return pred_probs


def estimate_confident_joint_and_cv_pred_proba(
    X: Any,
    labels: Any,
    clf: Any = _DEFAULT_CLF,
    *,
    cv_n_folds: int = 5,
    thresholds: np.ndarray | list[float] | None = None,
    seed: int | None = None,
    calibrate: bool = True,
    clf_kwargs: dict[str, Any] = {},  # noqa: B006
    validation_func: Callable[[Any, Any], dict[str, Any]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(confident_joint, pred_probs)`` with pred_probs from ``cv_n_folds``-fold cross-validation."""
    labs = _labels_array(labels)
    pred_probs = _cross_validate(X, labs, clf, cv_n_folds, seed, clf_kwargs, validation_func)
    joint = compute_confident_joint(labs, pred_probs, thresholds=thresholds, calibrate=calibrate)
    return joint, pred_probs  # type: ignore[return-value]


def estimate_py_noise_matrices_and_cv_pred_proba(
    X: Any,
    labels: Any,
    clf: Any = _DEFAULT_CLF,
    *,
    cv_n_folds: int = 5,
    thresholds: np.ndarray | list[float] | None = None,
    converge_latent_estimates: bool = False,
    py_method: str = "cnt",
    seed: int | None = None,
    clf_kwargs: dict[str, Any] = {},  # noqa: B006
    validation_func: Callable[[Any, Any], dict[str, Any]] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(py, noise_matrix, inverse_noise_matrix, confident_joint, pred_probs)``."""
    joint, pred_probs = estimate_confident_joint_and_cv_pred_proba(
        X,
        labels,
        clf,
        cv_n_folds=cv_n_folds,
        thresholds=thresholds,
        seed=seed,
        clf_kwargs=clf_kwargs,
        validation_func=validation_func,
    )
    py, nm, inm = estimate_latent(
        joint,
        _labels_array(labels),
        py_method=py_method,
        converge_latent_estimates=converge_latent_estimates,
    )
    return py, nm, inm, joint, pred_probs


def estimate_cv_predicted_probabilities(
    X: Any,
    labels: Any,
    clf: Any = _DEFAULT_CLF,
    *,
    cv_n_folds: int = 5,
    seed: int | None = None,
    clf_kwargs: dict[str, Any] = {},  # noqa: B006
    validation_func: Callable[[Any, Any], dict[str, Any]] | None = None,
) -> np.ndarray:
    """Out-of-sample predicted probabilities from cross-validation, shape (N, K)."""
    labs = _labels_array(labels)
    return _cross_validate(X, labs, clf, cv_n_folds, seed, clf_kwargs, validation_func)


def estimate_noise_matrices(
    X: Any,
    labels: Any,
    clf: Any = _DEFAULT_CLF,
    *,
    cv_n_folds: int = 5,
    thresholds: np.ndarray | list[float] | None = None,
    converge_latent_estimates: bool = True,
    seed: int | None = None,
    clf_kwargs: dict[str, Any] = {},  # noqa: B006
    validation_func: Callable[[Any, Any], dict[str, Any]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(noise_matrix, inverse_noise_matrix)`` estimated with cross-validated pred_probs."""
    _, nm, inm, _, _ = estimate_py_noise_matrices_and_cv_pred_proba(
        X,
        labels,
        clf,
        cv_n_folds=cv_n_folds,
        thresholds=thresholds,
        converge_latent_estimates=converge_latent_estimates,
        seed=seed,
        clf_kwargs=clf_kwargs,
        validation_func=validation_func,
    )
    return nm, inm
