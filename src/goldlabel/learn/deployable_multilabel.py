"""A multi-label model to deploy: the analysis's featurizer and per-class classifiers, fitted on every
labeled row, with the analysis's per-class calibration.

:func:`fit_deployable_multilabel_model` featurizes the rows as
:func:`~goldlabel.learn.multilabel.run_multilabel_pipeline` does, cross-validates one classifier per class
to fit each class's calibration and to measure the model, then fits each class's classifier on every
labeled row. The result predicts new rows' per-class probabilities from their raw columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from goldlabel.learn.deployable import featurize_for_deployment
from goldlabel.learn.featurize import FrameFeaturizer
from goldlabel.learn.multilabel import check_multilabel_trainable
from goldlabel.learn.multilabel_crossval import (
    apply_multilabel_calibration,
    compute_binary_log_loss,
    cross_val_multilabel_probs,
    fit_multilabel_calibration,
    make_multilabel_model,
    score_multilabel_sets,
)
from goldlabel.learn.selection import Progress, notify_progress

__all__ = ["DeployableMultilabelModel", "fit_deployable_multilabel_model"]


@dataclass
class DeployableMultilabelModel:
    """Raw rows in, per-class probabilities out (each in [0, 1]; a row's need not sum to 1).

    Attributes
    ----------
    featurizer : FrameFeaturizer
    estimators : list
        One binary classifier per class, or a float: the smoothed share of labeled rows having the
        class, for a class that is on (or off) in every labeled row.
    calibration : list
        Per-class Platt scaling (see :func:`~goldlabel.learn.multilabel_crossval.fit_multilabel_calibration`).
    n_classes : int
    name : str
    metrics : dict
        Cross-validated metrics on the labeled rows.
    """

    featurizer: FrameFeaturizer
    estimators: list[Any]
    calibration: list[tuple[float, float] | None]
    n_classes: int
    name: str
    metrics: dict[str, Any] = field(default_factory=dict)

    def predict_proba(self, frame: pd.DataFrame, n_classes: int | None = None) -> np.ndarray:
        """Per-class probabilities of shape (len(frame), K); ``frame`` holds the columns the model
        was trained on. ``n_classes``, if given, must be the model's own."""
        if n_classes is not None and int(n_classes) != self.n_classes:
            raise ValueError(
                f"this model predicts {self.n_classes} classes, but {n_classes} were asked for."
            )
        features = self.featurizer.transform(frame)
        raw = np.empty((len(frame), self.n_classes))
        for k, estimator in enumerate(self.estimators):
            if isinstance(estimator, float):
                raw[:, k] = estimator
            else:
                positive = list(estimator.classes_).index(1)
                raw[:, k] = estimator.predict_proba(features)[:, positive]
        return apply_multilabel_calibration(self.calibration, raw)


def fit_deployable_multilabel_model(
    frame: pd.DataFrame,
    onehot: Any,
    *,
    text_columns: Sequence[str] | None = None,
    feature_columns: Sequence[str] | None = None,
    random_state: int = 0,
    progress: Progress | None = None,
) -> DeployableMultilabelModel:
    """Fit the analysis's per-class models on every labeled row.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows (labeled and not: unlabeled rows shape the featurizer, as in the analysis).
    onehot : array-like of shape (len(frame), K)
        1 where a row has a class, 0 where not; -1 across unlabeled rows.
    text_columns, feature_columns : sequence of str, optional
        The columns to featurize (default every column).
    random_state : int
    progress : callable, optional
        ``progress(stage, fraction)``.

    Returns
    -------
    DeployableMultilabelModel

    Raises
    ------
    InvalidLabelsError
        With fewer than 10 labeled rows, or no class both on and off in at least 2 of them.

    Examples
    --------
    >>> words = ["sun", "rain", "cat", "dog"]
    >>> text = [f"{words[i % 4]} and {words[(i // 4) % 4]}" for i in range(64)]
    >>> onehot = [[int("sun" in t), int("cat" in t)] for t in text]
    >>> model = fit_deployable_multilabel_model(pd.DataFrame({"text": text}), onehot)
    >>> (model.predict_proba(pd.DataFrame({"text": ["sun and cat", "rain and dog"]})) >= 0.5).tolist()
    [[True, True], [False, False]]
    """
    labels = np.asarray(onehot, dtype=np.int64)
    if labels.ndim != 2 or labels.shape[0] != len(frame):
        raise ValueError(
            f"onehot must have shape (len(frame), K) = ({len(frame)}, K), but received shape "
            f"{labels.shape}."
        )
    check_multilabel_trainable(labels)
    labeled = np.flatnonzero(labels[:, 0] >= 0)
    notify_progress(progress, "featurize", 0.0)
    features, featurizer = featurize_for_deployment(
        frame, text_columns, feature_columns, random_state
    )
    notify_progress(progress, "cross-validate", 0.2)
    base = make_multilabel_model(features.kind, random_state=random_state)
    crossval = cross_val_multilabel_probs(
        features.matrix, labels, model=base, random_state=random_state
    )
    calibration = fit_multilabel_calibration(labels, crossval.pred_probs)
    calibrated = apply_multilabel_calibration(calibration, crossval.pred_probs)
    out_of_fold = calibrated[labeled]
    notify_progress(progress, "fit", 0.8)
    matrix, given = features.matrix[labeled], labels[labeled]
    estimators: list[Any] = []
    for k in range(labels.shape[1]):
        positives = int(given[:, k].sum())
        if positives in (0, given.shape[0]):
            estimators.append((positives + 0.5) / (given.shape[0] + 1.0))
        else:
            estimators.append(clone(base).fit(matrix, given[:, k]))
    notify_progress(progress, "done", 1.0)
    name = "one_vs_rest_logistic_regression"
    return DeployableMultilabelModel(
        featurizer=featurizer,
        estimators=estimators,
        calibration=calibration,
        n_classes=int(labels.shape[1]),
        name=name,
        metrics={
            **score_multilabel_sets(given, out_of_fold),
            "cv_log_loss": compute_binary_log_loss(labels, calibrated),
            "n_train": int(labeled.size),
            "model": name,
        },
    )
