"""The analysis engine backed by goldlabel's learning pipeline (:func:`goldlabel.learn.pipeline.run_pipeline`).

It featurizes, chooses and cross-validates a model, runs every default audit check and suggests labels.
Training a deployable model version still uses :class:`~goldlabel.service.engines.BaselineEngine`,
whose fitted pipeline can predict new rows on its own.
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
    BaselineEngine,
    Progress,
    TrainedModel,
)

__all__ = ["PipelineEngine"]

_LABEL = "__goldlabel_label__"


def _picklable(obj: Any) -> Any:
    try:
        pickle.dumps(obj)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return obj


class PipelineEngine:
    """featurize -> model choice and cross-validation -> audit -> suggestions (multi-class)."""

    name = "goldlabel-pipeline"

    def __init__(self, *, time_budget: float = 60.0) -> None:
        self.time_budget = time_budget

    def analyze(self, data: AnalysisInput, *, progress: Progress) -> AnalysisOutput:
        """Every row's export columns and out-of-sample probabilities."""
        from goldlabel.learn.pipeline import run_pipeline

        if data.task != "multiclass":
            raise DataValidationError(
                "the analysis pipeline handles multi-class projects; this project is "
                f"{data.task}. Create a multi-class project to analyse it."
            )
        classes = list(data.classes)
        frame = data.frame.reset_index(drop=True).copy()
        names = np.asarray(classes, dtype=object)
        frame[_LABEL] = pd.Series(
            np.where(data.labels >= 0, names[np.clip(data.labels, 0, None)], None), dtype=object
        )
        result = run_pipeline(
            frame,
            label_column=_LABEL,
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
            "suggested_label": np.array([index[c] for c in rows["suggested_label"]], dtype=np.int64)
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
        accuracy = (
            float((result.pred_probs[labeled].argmax(1) == data.labels[labeled]).mean())
            if labeled.any()
            else None
        )
        return AnalysisOutput(
            pred_probs=np.asarray(result.pred_probs, dtype=np.float64),
            columns=columns,
            metrics={
                "cv_accuracy": accuracy,
                "n_labeled": int(labeled.sum()),
                "n_rows": len(frame),
                "method": result.method,
                **{f"seconds_{k}": float(v) for k, v in result.timings.items()},
            },
            model=_picklable(result.model),
            engine=f"{self.name}:{result.method}",
        )

    def train(self, data: AnalysisInput, *, progress: Progress) -> TrainedModel:
        """A deployable model fitted on the labeled rows (see the module docstring)."""
        return BaselineEngine().train(data, progress=progress)
