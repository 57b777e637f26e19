"""CleanLearning: find label issues with one model, train the final model on the rows that are left.

:class:`CleanLearning` is a scikit-learn meta-estimator (it passes ``check_estimator``). ``fit`` computes
out-of-sample probabilities by stratified cross-validation with the *detection* model, flags label
issues with confident learning (:func:`goldlabel.core.find_label_issues`, cleanlab-exact), drops them
and fits the *final* model on the rest. Precomputed ``pred_probs`` or ``label_issues`` skip the steps
they replace; the two models may differ (e.g. a fast linear model finds issues, a larger one is shipped).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _num_samples,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    indexable,
)

from goldlabel.core.filtering import find_label_issues
from goldlabel.core.scoring import compute_label_quality_scores
from goldlabel.core.validation import _describe, check_pred_probs
from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidOptionError

__all__ = ["CleanLearning"]

#: Classes with at most this many rows are not pruned, and each keeps at least this many (cleanlab's).
MIN_EXAMPLES_PER_CLASS = 10


def _default_model() -> LogisticRegression:
    return LogisticRegression(max_iter=1000)


class CleanLearning(ClassifierMixin, BaseEstimator):
    """Train a classifier on data whose label issues were found and removed first.

    Parameters
    ----------
    clf : estimator, optional
        The final classifier, any scikit-learn classifier with ``predict_proba``; it receives ``X``
        as given (a pipeline may take raw text). Default: ``LogisticRegression(max_iter=1000)``.
    detection_clf : estimator, optional
        The classifier whose cross-validated probabilities find the issues; default a clone of ``clf``.
    cv_n_folds : int, default=5
        Cross-validation folds (fewer when a class has fewer rows).
    find_label_issues_kwargs : dict, optional
        Options for :func:`goldlabel.core.find_label_issues` (default ``min_examples_per_class=10``).
    label_quality_scores_kwargs : dict, optional
        Options for :func:`goldlabel.core.compute_label_quality_scores`.
    random_state : int or None
        Seeds the fold assignment.

    Attributes
    ----------
    clf_ : estimator
        The final classifier, fitted on the rows that are not label issues (on class indices).
    classes_ : numpy.ndarray of shape (K,)
        The class labels.
    label_issues_ : pandas.DataFrame
        One row per training row: ``is_label_issue``, ``label_quality``, ``given_label``,
        ``predicted_label`` (the latter two absent when ``label_issues`` was passed to ``fit``).
    n_features_in_ : int
        Features seen by ``clf_`` (when it records them).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> noisy = y.copy()
    >>> noisy[::10] = (noisy[::10] + 1) % 10  # 10 % of labels made wrong
    >>> cl = CleanLearning(random_state=0).fit(X / 16, noisy)
    >>> issues = cl.get_label_issues()
    >>> bool(issues["is_label_issue"].sum() > 100), round(cl.score(X / 16, y), 2) > 0.9
    (True, True)
    """

    def __init__(
        self,
        clf: Any = None,
        *,
        detection_clf: Any = None,
        cv_n_folds: int = 5,
        find_label_issues_kwargs: dict[str, Any] | None = None,
        label_quality_scores_kwargs: dict[str, Any] | None = None,
        random_state: int | None = None,
    ) -> None:
        self.clf = clf
        self.detection_clf = detection_clf
        self.cv_n_folds = cv_n_folds
        self.find_label_issues_kwargs = find_label_issues_kwargs
        self.label_quality_scores_kwargs = label_quality_scores_kwargs
        self.random_state = random_state

    # -- scikit-learn plumbing ---------------------------------------------------------------------

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        inner = get_tags(self.clf if self.clf is not None else _default_model())
        tags.input_tags = inner.input_tags
        return tags

    def _check_params(self) -> None:
        folds = self.cv_n_folds
        if isinstance(folds, bool) or not isinstance(folds, (int, np.integer)) or folds < 2:
            raise InvalidOptionError(
                f"cv_n_folds must be an integer of at least 2, but received {folds!r}."
            )
        for name in ("clf", "detection_clf"):
            model = getattr(self, name)
            if model is not None and not hasattr(model, "fit"):
                raise InvalidOptionError(
                    f"{name} must be a scikit-learn estimator with fit and predict_proba, but "
                    f"received {_describe(model)}."
                )
        for name in ("find_label_issues_kwargs", "label_quality_scores_kwargs"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, dict):
                raise InvalidOptionError(
                    f"{name} must be a dict of keyword arguments or None, but received "
                    f"{_describe(value)}."
                )

    def _labels(self, X: Any, y: Any, labels: Any) -> np.ndarray:
        if y is not None and labels is not None:
            raise InvalidLabelsError(
                "Received both y and labels; they are the same argument. Pass the given labels once, "
                "as y (or labels=)."
            )
        target = y if y is not None else labels
        if target is None:
            raise InvalidLabelsError(
                f"{type(self).__name__} requires y to be passed, but the target y is None. Pass "
                "the given (possibly noisy) labels, one per row of X."
            )
        target = column_or_1d(target, warn=True)
        check_classification_targets(target)
        check_consistent_length(X, target)
        return target

    # -- label issues --------------------------------------------------------------------------------

    def _cross_val_pred_probs(self, X: Any, encoded: np.ndarray, n_classes: int) -> np.ndarray:
        counts = np.bincount(encoded, minlength=n_classes)
        n_folds = int(min(self.cv_n_folds, max(counts.min(), 2)))
        folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=self.random_state)
        base = self.detection_clf if self.detection_clf is not None else self.clf
        base = base if base is not None else _default_model()
        pred_probs = np.zeros((encoded.size, n_classes))
        for train, test in folds.split(np.zeros(encoded.size), encoded):
            model = clone(base).fit(_safe_indexing(X, train), encoded[train])
            probs = model.predict_proba(_safe_indexing(X, test))
            pred_probs[np.ix_(test, np.asarray(model.classes_, dtype=np.int64))] = probs
        return pred_probs

    def _issue_frame(
        self, encoded: np.ndarray, pred_probs: np.ndarray, classes: np.ndarray
    ) -> pd.DataFrame:
        options: dict[str, Any] = {"min_examples_per_class": MIN_EXAMPLES_PER_CLASS}
        options.update(self.find_label_issues_kwargs or {})
        if options.get("return_indices_ranked_by") is not None:
            raise InvalidOptionError(
                "find_label_issues_kwargs cannot set return_indices_ranked_by: CleanLearning needs "
                "the boolean mask. Sort the returned frame by 'label_quality' instead."
            )
        mask = np.asarray(find_label_issues(encoded, pred_probs, **options)).astype(bool)
        quality = compute_label_quality_scores(
            encoded, pred_probs, **(self.label_quality_scores_kwargs or {})
        )
        return pd.DataFrame(
            {
                "is_label_issue": mask,
                "label_quality": quality,
                "given_label": classes[encoded],
                "predicted_label": classes[pred_probs.argmax(axis=1)],
            }
        )

    def find_label_issues(
        self, X: Any = None, labels: Any = None, *, pred_probs: Any = None
    ) -> pd.DataFrame:
        """Flag the rows whose given label is likely wrong, without training the final model.

        Parameters
        ----------
        X : array-like of shape (N, ...), optional
            Features, as the detection model takes them; not needed when ``pred_probs`` is given.
        labels : array-like of shape (N,)
            Given labels (any hashable class values).
        pred_probs : array-like of shape (N, K), optional
            Out-of-sample predicted probabilities, columns in sorted class order; skips
            cross-validation.

        Returns
        -------
        pandas.DataFrame
            ``is_label_issue``, ``label_quality`` (lower = worse), ``given_label``,
            ``predicted_label``, one row per example.

        Examples
        --------
        >>> CleanLearning(find_label_issues_kwargs={"min_examples_per_class": 1}).find_label_issues(
        ...     labels=["a", "a", "b", "b"],
        ...     pred_probs=[[0.9, 0.1], [0.2, 0.8], [0.1, 0.9], [0.3, 0.7]],
        ... )["is_label_issue"].tolist()
        [False, True, False, False]
        """
        self._check_params()
        given = self._labels(X if X is not None else pred_probs, labels, None)
        classes, encoded = np.unique(given, return_inverse=True)
        if pred_probs is None:
            if X is None:
                raise DataValidationError(
                    "find_label_issues needs X (to cross-validate the detection model) or "
                    "pred_probs (out-of-sample probabilities), but received neither."
                )
            probs = self._cross_val_pred_probs(indexable(X)[0], encoded, classes.size)
        else:
            probs = np.asarray(check_pred_probs(pred_probs, n_examples=given.size))
            if X is not None:
                check_consistent_length(X, probs)
        return self._issue_frame(encoded, probs, classes)

    def get_label_issues(self) -> pd.DataFrame:
        """The label issues found during ``fit`` (see :attr:`label_issues_`)."""
        check_is_fitted(self)
        return self.label_issues_

    # -- fit / predict -------------------------------------------------------------------------------

    def _mask_from(self, label_issues: Any, n: int) -> pd.DataFrame:
        if isinstance(label_issues, pd.DataFrame):
            if "is_label_issue" not in label_issues.columns:
                raise DataValidationError(
                    "label_issues is a DataFrame without an 'is_label_issue' column; pass the frame "
                    "find_label_issues returned, a boolean mask or the indices of the issues."
                )
            frame = label_issues.reset_index(drop=True)
            mask = frame["is_label_issue"].to_numpy(dtype=bool)
        else:
            arr = np.asarray(label_issues)
            if arr.dtype == bool:
                mask = arr
            elif arr.dtype.kind in "iu" and arr.ndim == 1:
                if arr.size and (arr.min() < 0 or arr.max() >= n):
                    raise DataValidationError(
                        f"label_issues holds row indices outside [0, {n}): {_describe(label_issues)}."
                    )
                mask = np.zeros(n, dtype=bool)
                mask[arr] = True
            else:
                raise DataValidationError(
                    "label_issues must be the DataFrame from find_label_issues, a boolean mask or "
                    f"integer row indices, but received {_describe(label_issues)}."
                )
            frame = pd.DataFrame({"is_label_issue": mask})
        if mask.shape != (n,):
            raise DataValidationError(
                f"label_issues describes {mask.shape[0]} rows but X has {n}; pass one entry per row."
            )
        return frame

    def fit(
        self,
        X: Any,
        y: Any = None,
        *,
        labels: Any = None,
        pred_probs: Any = None,
        label_issues: Any = None,
    ) -> CleanLearning:
        """Find label issues (unless given), drop them, fit the final classifier on the rest.

        Parameters
        ----------
        X : array-like of shape (N, ...)
            Training features, as ``clf`` takes them.
        y : array-like of shape (N,)
            Given (possibly noisy) labels; ``labels=`` is an alias.
        labels : array-like of shape (N,), optional
            Same as ``y``.
        pred_probs : array-like of shape (N, K), optional
            Out-of-sample probabilities to find issues with, instead of cross-validating.
        label_issues : DataFrame, boolean mask or indices, optional
            Issues found earlier; skips detection.

        Returns
        -------
        CleanLearning
            ``self``, fitted.
        """
        self._check_params()
        given = self._labels(X, y, labels)
        X = indexable(X)[0]  # sparse to CSR, array-likes that cannot be indexed to arrays
        classes, encoded = np.unique(given, return_inverse=True)
        encoded = encoded.astype(np.int64)
        n = encoded.size
        if label_issues is not None:
            frame = self._mask_from(label_issues, n)
        elif classes.size < 2 or n == 0:
            # Nothing to compare a label with; the final model says what it needs.
            frame = pd.DataFrame({"is_label_issue": np.zeros(n, dtype=bool)})
        else:
            probs = (
                self._cross_val_pred_probs(X, encoded, classes.size)
                if pred_probs is None
                else np.asarray(check_pred_probs(pred_probs, n_examples=n))
            )
            if probs.shape[1] != classes.size:
                raise DataValidationError(
                    f"pred_probs has {probs.shape[1]} columns but y holds {classes.size} classes; "
                    "give one column per class, in sorted class order."
                )
            frame = self._issue_frame(encoded, probs, classes)
        keep = np.flatnonzero(~frame["is_label_issue"].to_numpy(dtype=bool))
        base = self.clf if self.clf is not None else _default_model()
        self.clf_ = clone(base).fit(_safe_indexing(X, keep), encoded[keep])
        self.classes_ = classes
        self.label_issues_ = frame
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.clf_, name):
                setattr(self, name, getattr(self.clf_, name))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of the final model, shape (N, K), columns in ``classes_`` order."""
        check_is_fitted(self)
        probs = self.clf_.predict_proba(X)
        seen = np.asarray(self.clf_.classes_, dtype=np.int64)
        if seen.size == self.classes_.size:
            return probs
        full = np.zeros((_num_samples(X), self.classes_.size))
        full[:, seen] = probs
        return full

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels of the final model, shape (N,)."""
        check_is_fitted(self)
        return self.classes_[np.asarray(self.clf_.predict(X), dtype=np.int64)]
