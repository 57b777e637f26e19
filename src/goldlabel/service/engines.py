"""The model behind an analysis, behind one small interface.

An :class:`AnalysisEngine` turns a project's rows and current labels into per-row results (out-of-sample
predicted probabilities, suggested label and confidence, label-issue flag and score, other audit checks)
and trains a final model. :func:`default_engine` is goldlabel's learning pipeline
(``goldlabel.learn.pipeline``); :class:`BaselineEngine` (TF-IDF and tabular features, a cross-validated
logistic regression and ``goldlabel.core``'s confident learning) trains the deployable model versions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from goldlabel.exceptions import DataValidationError

__all__ = [
    "AnalysisEngine",
    "AnalysisInput",
    "AnalysisOutput",
    "BaselineEngine",
    "Progress",
    "TrainedModel",
    "default_engine",
]

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class AnalysisInput:
    """What an engine sees: the rows (index = row id), labels as class indices (-1 = unlabeled)."""

    frame: pd.DataFrame
    labels: np.ndarray
    task: str
    classes: Sequence[str]
    text_columns: Sequence[str]
    feature_columns: Sequence[str]
    image_column: str | None = None
    random_state: int = 0


@dataclass
class AnalysisOutput:
    """An engine's per-row results, aligned with the input rows.

    ``columns`` holds at least ``suggested_label`` (class index), ``suggested_label_confidence``,
    ``is_label_issue`` and ``label_issue_score`` (in [0, 1], higher = worse); other audit checks add
    ``is_<check>_issue`` / ``<check>_score`` pairs (``outlier``, ``near_duplicate``, ...).
    """

    pred_probs: np.ndarray
    columns: dict[str, np.ndarray]
    metrics: dict[str, Any] = field(default_factory=dict)
    model: Any = None
    engine: str = ""


@dataclass
class TrainedModel:
    """A fitted model (with ``predict_proba(frame)``) and its cross-validated metrics."""

    model: Any
    metrics: dict[str, Any]


class AnalysisEngine(Protocol):
    """What the studio needs from a model: analyse a project, train a final model."""

    name: str

    def analyze(self, data: AnalysisInput, *, progress: Progress) -> AnalysisOutput:
        """Per-row results for every row."""
        ...

    def train(self, data: AnalysisInput, *, progress: Progress) -> TrainedModel:
        """A model fitted on the labeled rows, with cross-validated metrics."""
        ...


class _FramePipeline:
    """A picklable text + tabular featurizer with a logistic regression."""

    def __init__(self, text_columns: Sequence[str], feature_columns: Sequence[str]) -> None:
        self.text_columns = list(text_columns)
        self.feature_columns = list(feature_columns)

    def _estimator(self) -> Any:
        from sklearn.compose import ColumnTransformer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        parts: list[Any] = []
        if self.text_columns:
            parts.append(
                ("text", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1), "_text")
            )
        if self._numeric:
            parts.append(
                (
                    "num",
                    make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                    self._numeric,
                )
            )
        if self._categorical:
            parts.append(
                (
                    "cat",
                    make_pipeline(
                        SimpleImputer(strategy="constant", fill_value="(missing)"),
                        OneHotEncoder(handle_unknown="ignore", min_frequency=2),
                    ),
                    self._categorical,
                )
            )
        if not parts:
            raise DataValidationError(
                "the project has no text or feature columns to learn from; "
                "set text_columns or feature_columns when creating it."
            )
        return make_pipeline(
            ColumnTransformer(parts), LogisticRegression(C=4.0, max_iter=2000, random_state=0)
        )

    def prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame(index=frame.index)
        if self.text_columns:
            out["_text"] = (
                frame[self.text_columns].astype(object).fillna("").astype(str).agg(" ".join, axis=1)
            )
        for c in self._numeric:
            out[c] = pd.to_numeric(frame[c], errors="coerce")
        for c in self._categorical:
            out[c] = frame[c].astype(object).where(frame[c].notna(), None).astype(str)
        return out

    def fit_types(self, frame: pd.DataFrame) -> None:
        numeric = [
            c
            for c in self.feature_columns
            if pd.to_numeric(frame[c], errors="coerce").notna().mean() > 0.95
        ]
        self._numeric = numeric
        self._categorical = [c for c in self.feature_columns if c not in numeric]

    def fit(self, frame: pd.DataFrame, labels: np.ndarray) -> _FramePipeline:
        self.fit_types(frame)
        self.classes_ = np.unique(labels)
        self.estimator_ = self._estimator().fit(self.prepare(frame), labels)
        return self

    def predict_proba(self, frame: pd.DataFrame, n_classes: int | None = None) -> np.ndarray:
        raw = self.estimator_.predict_proba(self.prepare(frame))
        k = n_classes if n_classes is not None else int(self.classes_.max()) + 1
        out = np.zeros((len(frame), k))
        out[:, self.classes_] = raw
        return out


class BaselineEngine:
    """TF-IDF / tabular features, cross-validated logistic regression, confident learning.

    Multi-class only; a multi-label project needs goldlabel's full pipeline.
    """

    name = "baseline-logreg"

    def _check(self, data: AnalysisInput) -> np.ndarray:
        if data.task != "multiclass":
            raise DataValidationError(
                "the baseline engine analyses multi-class projects only; install goldlabel's learning "
                "pipeline (goldlabel.learn) for a multi-label project."
            )
        labeled = np.flatnonzero(data.labels >= 0)
        counts = np.bincount(data.labels[labeled], minlength=len(data.classes))
        if (counts > 0).sum() < 2:
            raise DataValidationError(
                f"an analysis needs labeled rows of at least 2 classes; got label counts "
                f"{dict(zip(data.classes, counts.tolist(), strict=True))}. Label a few rows of each class."
            )
        return labeled

    def _cross_val(
        self, data: AnalysisInput, labeled: np.ndarray, progress: Progress
    ) -> np.ndarray:
        from sklearn.model_selection import StratifiedKFold

        k = len(data.classes)
        y = data.labels[labeled]
        present = np.bincount(y, minlength=k)
        n_splits = int(min(5, max(2, present[present > 0].min())))
        oos = np.zeros((labeled.size, k))
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=data.random_state)
        frame = data.frame.iloc[labeled]
        for i, (train, test) in enumerate(folds.split(np.zeros(y.size), y)):
            if np.unique(y[train]).size < 2:
                oos[test] = np.bincount(y[train], minlength=k) / train.size
            else:
                model = _FramePipeline(data.text_columns, data.feature_columns).fit(
                    frame.iloc[train], y[train]
                )
                oos[test] = model.predict_proba(frame.iloc[test], k)
            progress(0.1 + 0.6 * (i + 1) / n_splits, f"cross-validation fold {i + 1}/{n_splits}")
        return oos

    def analyze(self, data: AnalysisInput, *, progress: Progress) -> AnalysisOutput:
        """Out-of-sample probabilities for labeled rows, a model on all labeled rows for the rest."""
        from goldlabel.core import compute_label_quality_scores, find_label_issues

        labeled = self._check(data)
        k = len(data.classes)
        progress(0.05, "featurizing")
        oos = self._cross_val(data, labeled, progress)
        final = _FramePipeline(data.text_columns, data.feature_columns).fit(
            data.frame.iloc[labeled], data.labels[labeled]
        )
        probs = final.predict_proba(data.frame, k)
        probs[labeled] = oos
        progress(0.85, "finding label issues")
        n = len(data.frame)
        is_issue = np.zeros(n, dtype=bool)
        score = np.full(n, np.nan)
        y = data.labels[labeled]
        if np.unique(y).size >= 2 and labeled.size >= 2 * k:
            quality = compute_label_quality_scores(y, oos)
            score[labeled] = 1.0 - quality
            is_issue[labeled] = find_label_issues(y, oos)
        accuracy = float((oos.argmax(1) == y).mean()) if y.size else None
        return AnalysisOutput(
            pred_probs=probs,
            columns={
                "suggested_label": probs.argmax(1),
                "suggested_label_confidence": probs.max(1),
                "is_label_issue": is_issue,
                "label_issue_score": score,
            },
            metrics={"cv_accuracy": accuracy, "n_labeled": int(labeled.size), "n_rows": n},
            model=final,
            engine=self.name,
        )

    def train(self, data: AnalysisInput, *, progress: Progress) -> TrainedModel:
        """Fit on every labeled row; metrics from cross-validation on them."""
        labeled = self._check(data)
        oos = self._cross_val(data, labeled, progress)
        y = data.labels[labeled]
        model = _FramePipeline(data.text_columns, data.feature_columns).fit(
            data.frame.iloc[labeled], y
        )
        progress(1.0, "trained")
        return TrainedModel(
            model=model,
            metrics={
                "cv_accuracy": float((oos.argmax(1) == y).mean()),
                "n_train": int(labeled.size),
                "engine": self.name,
            },
        )


def default_engine() -> AnalysisEngine:
    """goldlabel's learning pipeline (:mod:`goldlabel.learn.pipeline`) as an analysis engine."""
    from goldlabel.service.pipeline_engine import PipelineEngine  # it builds on this module

    return PipelineEngine()
