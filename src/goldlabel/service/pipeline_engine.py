"""The analysis engine backed by goldlabel's learning pipeline (:func:`goldlabel.learn.pipeline.run_pipeline`).

It featurizes, chooses and cross-validates a model, runs every default audit check and suggests labels.
A multi-label project (labels stored as bit masks) runs the pipeline's multi-label branch: one-vs-rest
cross-validated probabilities, multi-label confident learning, and a suggested label set (every class
with probability >= 0.5) stored as a bit mask. A deployable model version is the same featurizer and
model choice fitted on every labeled row (:func:`goldlabel.learn.deployable.fit_deployable_model`), so the
deployed model is the one whose suggestions were reviewed; it is multi-class only.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd

from goldlabel.exceptions import DataValidationError
from goldlabel.service.engines import (
    AnalysisInput,
    AnalysisOutput,
    Progress,
    TrainedModel,
)
from goldlabel.service.projects import expand_label_masks

__all__ = ["PipelineEngine"]

_LABEL = "__goldlabel_label__"


def _picklable(obj: Any) -> Any:
    try:
        pickle.dumps(obj)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return obj


def _label_cells(labels: np.ndarray, classes: list[str], multilabel: bool) -> list[Any]:
    """Stored labels (class index, or bit mask when multi-label; -1 = unlabeled) as label cells."""
    if not multilabel:
        names = np.asarray(classes, dtype=object)
        return list(np.where(labels >= 0, names[np.clip(labels, 0, None)], None))
    return [
        None if v < 0 else [c for i, c in enumerate(classes) if (int(v) >> i) & 1] for v in labels
    ]


def _onehot(masks: np.ndarray, n_classes: int) -> np.ndarray:
    """Stored multi-label labels (bit masks, -1 = unlabeled) as a one-hot matrix, -1 across
    unlabeled rows."""
    masks = np.asarray(masks, dtype=np.int64)
    onehot = expand_label_masks(masks, n_classes)
    onehot[masks < 0] = -1
    return onehot


class PipelineEngine:
    """featurize -> cross-validation -> audit -> suggestions, for multi-class or multi-label data."""

    name = "goldlabel-pipeline"

    def __init__(self, *, time_budget: float = 60.0) -> None:
        self.time_budget = time_budget

    def analyze(self, data: AnalysisInput, *, progress: Progress) -> AnalysisOutput:
        """Every row's export columns and out-of-sample probabilities."""
        from goldlabel.learn.multilabel_crossval import score_multilabel_sets
        from goldlabel.learn.pipeline import run_pipeline

        if data.task not in ("multiclass", "multilabel"):
            raise DataValidationError(
                "the analysis pipeline handles multi-class and multi-label projects; this project "
                f"is {data.task!r}."
            )
        classes = list(data.classes)
        multilabel = data.task == "multilabel"
        frame = data.frame.reset_index(drop=True).copy()
        frame[_LABEL] = pd.Series(_label_cells(data.labels, classes, multilabel), dtype=object)
        result = run_pipeline(
            frame,
            label_column=_LABEL,
            task=data.task,
            text_columns=list(data.text_columns) or None,
            feature_columns=list(data.feature_columns) or None,
            class_names=classes,
            time_budget=self.time_budget,
            random_state=data.random_state,
            progress=lambda stage, fraction: progress(0.05 + 0.85 * fraction, stage),
        )
        if list(result.class_names) != classes:
            raise DataValidationError(
                f"the pipeline returned classes {list(result.class_names)}, expected {classes}."
            )
        rows = result.rows
        index = {c: i for i, c in enumerate(classes)}
        columns: dict[str, np.ndarray] = {
            "suggested_label": np.array(
                [
                    sum(1 << index[c] for c in s) if multilabel else index[s]
                    for s in rows["suggested_label"]
                ],
                dtype=np.int64,
            )
        }
        for name in rows.columns:
            if name in ("given_label", "suggested_label"):
                continue
            values = rows[name]
            if name == "near_duplicate_set":
                columns[name] = np.array(
                    [
                        [int(v) for v in s] if isinstance(s, list | tuple | np.ndarray) else []
                        for s in values
                    ],
                    dtype=object,
                )
            else:
                columns[name] = values.to_numpy()
        labeled = data.labels >= 0
        if multilabel:
            scores = score_multilabel_sets(_onehot(data.labels, len(classes)), result.pred_probs)
        else:
            scores = {
                "cv_accuracy": float(
                    (result.pred_probs[labeled].argmax(1) == data.labels[labeled]).mean()
                )
                if labeled.any()
                else None
            }
        return AnalysisOutput(
            pred_probs=np.asarray(result.pred_probs, dtype=np.float64),
            columns=columns,
            metrics={
                **scores,
                "n_labeled": int(labeled.sum()),
                "n_rows": len(frame),
                "method": result.method,
                **{f"seconds_{k}": float(v) for k, v in result.timings.items()},
            },
            model=_picklable(result.model),
            engine=f"{self.name}:{result.method}",
        )

    def train(self, data: AnalysisInput, *, progress: Progress) -> TrainedModel:
        """The analysis's featurizer and model choice, fitted on every labeled row."""
        from goldlabel.learn.deployable import fit_deployable_model
        from goldlabel.learn.deployable_multilabel import fit_deployable_multilabel_model

        def report(stage: str, fraction: float) -> None:
            progress(0.05 + 0.9 * fraction, stage)

        if data.task == "multilabel":
            multi = fit_deployable_multilabel_model(
                data.frame.reset_index(drop=True),
                _onehot(data.labels, len(data.classes)),
                text_columns=list(data.text_columns) or None,
                feature_columns=list(data.feature_columns) or None,
                random_state=data.random_state,
                progress=report,
            )
            return TrainedModel(
                model=multi, metrics={**multi.metrics, "engine": self.name, "task": "multilabel"}
            )
        model = fit_deployable_model(
            data.frame.reset_index(drop=True),
            data.labels,
            n_classes=len(data.classes),
            text_columns=list(data.text_columns) or None,
            feature_columns=list(data.feature_columns) or None,
            time_budget=self.time_budget,
            random_state=data.random_state,
            progress=report,
        )
        return TrainedModel(model=model, metrics={**model.metrics, "engine": self.name})
