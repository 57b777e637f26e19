"""A model to deploy: the analysis pipeline's featurizer and chosen model, fitted on every labeled row.

:func:`fit_deployable_model` featurizes the rows as :func:`~goldlabel.learn.pipeline.run_pipeline` does,
chooses the model the same way (cross-validated candidates, an ensemble when it helps, a calibration
temperature), then fits each chosen member on every labeled row. The result predicts new rows from their
raw columns, so the model a team deploys is the one whose suggestions they reviewed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from goldlabel.exceptions import InvalidLabelsError
from goldlabel.learn.calibration import apply_temperature
from goldlabel.learn.candidates import get_candidate
from goldlabel.learn.featurize import FrameFeaturizer
from goldlabel.learn.pipeline import featurize_timed
from goldlabel.learn.selection import Progress, notify_progress, select_model

__all__ = ["DeployableModel", "featurize_for_deployment", "fit_deployable_model"]


@dataclass
class DeployableModel:
    """Raw rows in, class probabilities out.

    Attributes
    ----------
    featurizer : FrameFeaturizer
        Fitted on the rows the model was chosen on.
    estimators : list
        The chosen members, each fitted on every labeled row.
    weights : list of float
        Each member's weight in the averaged probabilities.
    temperature : float
        Calibration temperature applied to the average.
    n_classes : int
    name : str
        The model's readable name, e.g. ``logistic_regression`` or ``ensemble(a 0.6, b 0.4)``.
    metrics : dict
        Cross-validated metrics of the choice on the labeled rows.
    """

    featurizer: FrameFeaturizer
    estimators: list[Any]
    weights: list[float]
    temperature: float
    n_classes: int
    name: str
    metrics: dict[str, Any] = field(default_factory=dict)

    def predict_proba(self, frame: pd.DataFrame, n_classes: int | None = None) -> np.ndarray:
        """Probabilities of shape (len(frame), K); a class no labeled row had gets 0 before
        calibration. ``frame`` holds the columns the model was trained on."""
        features = self.featurizer.transform(frame)
        k = self.n_classes if n_classes is None else int(n_classes)
        total = np.zeros((len(frame), k))
        for estimator, weight in zip(self.estimators, self.weights, strict=True):
            total[:, np.asarray(estimator.classes_, dtype=np.int64)] += weight * np.asarray(
                estimator.predict_proba(features)
            )
        return apply_temperature(total, self.temperature)


def featurize_for_deployment(
    frame: pd.DataFrame,
    text_columns: Sequence[str] | None,
    feature_columns: Sequence[str] | None,
    random_state: int,
) -> tuple[Any, FrameFeaturizer]:
    """The rows featurized as the analysis featurizes them, and the fitted featurizer that turns
    new rows into the same features."""
    features = featurize_timed(
        frame,
        label_column="",
        text_columns=text_columns,
        feature_columns=feature_columns,
        column_types=None,
        sentence_embeddings=False,
        random_state=random_state,
        timings={},
    )
    if features.featurizer is None:  # pragma: no cover - featurize returns its fitted featurizer
        raise RuntimeError("featurize returned no fitted featurizer")
    return features, features.featurizer


def fit_deployable_model(
    frame: pd.DataFrame,
    labels: Any,
    *,
    n_classes: int,
    text_columns: Sequence[str] | None = None,
    feature_columns: Sequence[str] | None = None,
    time_budget: float = 60.0,
    random_state: int = 0,
    progress: Progress | None = None,
) -> DeployableModel:
    """Choose a model as the analysis does and fit it on every labeled row.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows (labeled and not: unlabeled rows shape the featurizer, as in the analysis).
    labels : array-like of shape (len(frame),)
        Class indices in [0, n_classes), -1 for unlabeled rows.
    n_classes : int
    text_columns, feature_columns : sequence of str, optional
        The columns to featurize (default every column).
    time_budget : float
        Seconds for choosing the model.
    random_state : int
    progress : callable, optional
        ``progress(stage, fraction)``.

    Returns
    -------
    DeployableModel

    Raises
    ------
    InvalidLabelsError
        If fewer than two classes have labeled rows.

    Examples
    --------
    >>> frame = pd.DataFrame({"text": ["good film", "great film", "bad film", "awful film"] * 5})
    >>> model = fit_deployable_model(frame, [1, 1, 0, 0] * 5, n_classes=2, time_budget=5)
    >>> model.predict_proba(pd.DataFrame({"text": ["great film", "awful film"]})).argmax(axis=1).tolist()
    [1, 0]
    """
    labs = np.asarray(labels, dtype=np.int64)
    labeled = np.flatnonzero(labs >= 0)
    present = np.unique(labs[labeled])
    if present.size < 2:
        raise InvalidLabelsError(
            f"a model needs labeled rows of at least 2 classes; the labeled rows ({labeled.size}) "
            f"have {present.size}. Label rows of another class first."
        )
    notify_progress(progress, "featurize", 0.0)
    features, featurizer = featurize_for_deployment(
        frame, text_columns, feature_columns, random_state
    )
    notify_progress(progress, "cross-validate", 0.2)
    selection = select_model(
        features.matrix,
        labs,
        kind=features.kind,
        n_classes=n_classes,
        time_budget=time_budget,
        random_state=random_state,
    )
    choice = selection.choice
    notify_progress(progress, "fit", 0.8)
    matrix = features.matrix[labeled]
    estimators = [
        get_candidate(name).build(random_state).fit(matrix, labs[labeled])
        for name in choice.members
    ]
    guess = selection.pred_probs[labeled].argmax(axis=1)
    notify_progress(progress, "done", 1.0)
    return DeployableModel(
        featurizer=featurizer,
        estimators=estimators,
        weights=list(choice.weights),
        temperature=float(choice.temperature),
        n_classes=int(n_classes),
        name=choice.name,
        metrics={
            "cv_accuracy": float((guess == labs[labeled]).mean()),
            "n_train": int(labeled.size),
            "model": choice.name,
        },
    )
