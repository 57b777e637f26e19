"""The whole analysis in one call: featurize, choose and cross-validate a model, audit, suggest.

:func:`run_pipeline` is what ``goldlabel audit`` and the studio's analysis job run. Its result holds
one row per input row with the export columns users know from Cleanlab Studio (``is_label_issue``,
``label_issue_score`` with 1 = surely mislabeled, ``suggested_label``, ``suggested_label_confidence``,
``is_outlier_issue``, ``outlier_score``, ``is_near_duplicate_issue``, ``near_duplicate_set``, ...) and
the predicted probabilities behind them.

Label issues are found in two rounds: the first round's cross-validated model flags likely errors;
the same model is then cross-validated again with the flagged rows kept out of every training set
(each row is still predicted by a model that never saw it), which sharpens the probabilities that
the audit finally judges every row by.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from goldlabel.audit import Audit
from goldlabel.audit.loading import encode_labels
from goldlabel.core import find_label_issues
from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidOptionError
from goldlabel.learn.columns import as_pandas
from goldlabel.learn.featurize import Features, featurize
from goldlabel.learn.selection import (
    ModelChoice,
    Progress,
    notify_progress,
    refit_choice,
    select_model,
)
from goldlabel.learn.zeroshot import compute_zero_shot_probs

__all__ = ["LABEL_CHECK_OPTIONS", "PipelineResult", "run_pipeline"]


#: Options of the audit's label check when the caller sets none: a row is flagged only when both
#: pruning rules of confident learning (by noise rate and by class) flag it. On AG News with 20 %
#: injected flips this raised F1 by 0.2-0.6 points over the Datalab default (precision +3 points).
LABEL_CHECK_OPTIONS: dict[str, Any] = {"filter_by": "both"}

#: Stages reported to ``progress`` and the share of the run done when each one starts.
_STAGES = {"featurize": 0.0, "cross-validate": 0.15, "refit": 0.55, "audit": 0.8, "done": 1.0}


@dataclass
class PipelineResult:
    """What :func:`run_pipeline` found.

    Attributes
    ----------
    rows : pandas.DataFrame
        One row per input row, in input order: ``given_label``, ``is_label_issue``,
        ``label_issue_score`` (in [0, 1], higher = more likely mislabeled; NaN when unlabeled),
        ``suggested_label``, ``suggested_label_confidence``, then ``is_<check>_issue`` and
        ``<check>_score`` (higher = worse) for every other audit check, and ``near_duplicate_set``.
    pred_probs : ndarray of shape (n_rows, n_classes)
        Out of sample for labeled rows; columns follow ``class_names``.
    class_names : tuple
    labels : ndarray of shape (n_rows,)
        Given labels as class indices, -1 when unlabeled.
    features : Features
    model : ModelChoice or None
        The model chosen (None when the suggestions are zero-shot).
    audit : goldlabel.audit.Audit
    timings : dict of str to float
        Seconds per stage.
    """

    rows: pd.DataFrame
    pred_probs: np.ndarray
    class_names: tuple[Any, ...]
    labels: np.ndarray
    features: Features
    model: ModelChoice | None
    audit: Audit
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def method(self) -> str:
        """How the probabilities were made: the model's name, or "zero-shot"."""
        return "zero-shot" if self.model is None else self.model.name


def _export_rows(
    audit: Audit, labels: np.ndarray, pred_probs: np.ndarray, class_names: tuple[Any, ...]
) -> pd.DataFrame:
    names = np.asarray(class_names, dtype=object)
    top = pred_probs.argmax(axis=1)
    given = np.where(labels >= 0, names[np.clip(labels, 0, None)], None)
    out = pd.DataFrame(
        {
            "given_label": pd.Series(given, dtype=object),
            "suggested_label": pd.Series(names[top], dtype=object),
            "suggested_label_confidence": pred_probs[np.arange(len(top)), top],
        }
    )
    issues = audit.get_issues()
    for column in issues.columns:
        if column in ("given_label", "predicted_label"):
            continue
        values = issues[column].to_numpy()
        if column == "label_score":
            out["label_issue_score"] = 1.0 - values.astype(np.float64)
        elif column.endswith("_score"):
            out[column] = 1.0 - values.astype(np.float64)
        elif column == "near_duplicate_sets":
            out["near_duplicate_set"] = issues[column].to_numpy()
        else:
            out[column] = values
    if "is_label_issue" in out:
        out["is_label_issue"] = out["is_label_issue"].astype(bool) & (labels >= 0)
    leading = ["given_label", "is_label_issue", "label_issue_score", "suggested_label"]
    order = [c for c in leading if c in out] + [c for c in out if c not in leading]
    return out[order]


def load_frame(data: Any, label_column: str) -> pd.DataFrame:
    """The data as a pandas frame with a fresh index, checked to hold rows and the label column."""
    frame = as_pandas(data).reset_index(drop=True)
    if label_column not in frame.columns:
        raise DataValidationError(
            f"label column {label_column!r} is not in the data; its columns are "
            f"{list(map(str, frame.columns))}."
        )
    if len(frame) == 0:
        raise DataValidationError("the data has no rows; there is nothing to analyse.")
    return frame


def featurize_timed(
    frame: pd.DataFrame,
    *,
    label_column: str,
    text_columns: Sequence[str] | None,
    feature_columns: Sequence[str] | None,
    column_types: Mapping[str, str] | None,
    sentence_embeddings: bool,
    random_state: int,
    timings: dict[str, float],
) -> Features:
    """Featurize the chosen columns (every one but the label by default); seconds go to timings."""
    chosen: list[str] | None = None
    types = dict(column_types or {})
    if text_columns or feature_columns:
        chosen = [*(text_columns or []), *(feature_columns or [])]
        types.update(dict.fromkeys(text_columns or [], "text"))
    start = time.perf_counter()
    features = featurize(
        frame,
        columns=chosen,
        column_types=types,
        exclude=[label_column],
        sentence_embeddings=sentence_embeddings,
        random_state=random_state,
    )
    timings["featurize"] = time.perf_counter() - start
    return features


def _needs_zero_shot(labels: np.ndarray, n_classes: int) -> bool:
    labeled = labels[labels >= 0]
    counts = np.bincount(labeled, minlength=max(n_classes, 1))
    return int((counts >= 2).sum()) < 2 or labeled.size < max(10, 2 * n_classes)


def run_pipeline(
    data: Any,
    *,
    label_column: str,
    task: str = "multiclass",
    text_columns: Sequence[str] | None = None,
    feature_columns: Sequence[str] | None = None,
    column_types: Mapping[str, str] | None = None,
    class_names: Sequence[Any] | None = None,
    class_descriptions: Mapping[str, str] | None = None,
    issue_types: Mapping[str, Mapping[str, Any] | None] | None = None,
    candidates: Iterable[str] | None = None,
    time_budget: float = 60.0,
    n_folds: int = 5,
    refit_without_issues: bool = True,
    unlabeled: str = "average",
    sentence_embeddings: bool = False,
    random_state: int = 0,
    n_jobs: int | None = None,
    progress: Progress | None = None,
) -> PipelineResult:
    """Featurize, cross-validate the best model, audit every row and suggest labels.

    Parameters
    ----------
    data : pandas or polars DataFrame, or dict of columns
    label_column : str
        The given labels; empty cells are unlabeled rows.
    task : {"multiclass", "multilabel"}, default "multiclass"
        "multilabel" runs :func:`goldlabel.learn.multilabel.run_multilabel_pipeline` (label cells
        are lists of class names; the result's ``labels`` is then the one-hot matrix of shape
        (n_rows, n_classes)); ``class_descriptions``, ``candidates``, ``time_budget`` and
        ``refit_without_issues`` are multi-class options it does not take.
    text_columns : sequence of str, optional
        Columns to treat as text.
    feature_columns : sequence of str, optional
        Other columns to use (types inferred). With neither, every column but the label is used.
    column_types : mapping of str to str, optional
        Kinds that override the inferred ones (see :func:`goldlabel.learn.infer_column_types`).
    class_names : sequence, optional
        Every class, in order (needed when some class has no labeled row yet).
    class_descriptions : mapping of class name to str, optional
        Words describing each class, for zero-shot suggestions when (almost) nothing is labeled.
    issue_types : mapping, optional
        Audit checks and their options (default: every default check). The label check runs with
        :data:`LABEL_CHECK_OPTIONS` unless options are given for it.
    candidates : iterable of str, optional
        Model candidates to try (default: by kind of features).
    time_budget : float, default 60
        Seconds for model choice.
    n_folds : int, default 5
    refit_without_issues : bool, default True
        Cross-validate again with the first round's flagged rows out of training.
    unlabeled : {"average", "full"}, default "average"
        Predict unlabeled rows with the average of the fold models ("average": scored like the
        labeled rows' out-of-fold probabilities, which auto-labeling thresholds are calibrated on,
        see :func:`~goldlabel.learn.cross_val_pred_probs`; it also saves one fit per model), or with
        a model fit on every labeled row ("full").
    sentence_embeddings : bool, default False
        Embed text with the optional sentence encoder (``goldlabel[embeddings]``).
    random_state : int, default 0
    n_jobs : int, optional
        Processes for the fold fits, and threads for linear algebra (default 1).
    progress : callable, optional
        ``progress(stage, fraction_of_run_done)`` as each stage starts: "featurize",
        "cross-validate", "refit" (skipped when not needed), "audit", then "done".

    Returns
    -------
    PipelineResult

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.datasets import load_iris
    >>> iris = load_iris(as_frame=True).frame
    >>> iris.loc[0, "target"] = 2  # a setosa labelled virginica
    >>> result = run_pipeline(iris, label_column="target", time_budget=20)
    >>> bool(result.rows.loc[0, "is_label_issue"]), result.rows.loc[0, "suggested_label"]
    (True, 0)
    """
    if task not in ("multiclass", "multilabel"):
        raise InvalidOptionError(
            f"task must be 'multiclass' or 'multilabel', but received {task!r}."
        )
    if task == "multilabel":
        from goldlabel.learn.multilabel import run_multilabel_pipeline  # it imports this module

        return run_multilabel_pipeline(
            data,
            label_column=label_column,
            text_columns=text_columns,
            feature_columns=feature_columns,
            column_types=column_types,
            class_names=class_names,
            issue_types=issue_types,
            n_folds=n_folds,
            unlabeled=unlabeled,
            sentence_embeddings=sentence_embeddings,
            random_state=random_state,
            n_jobs=n_jobs,
            progress=progress,
        )
    frame = load_frame(data, label_column)
    labels, names = encode_labels(frame[label_column], class_names=class_names)
    n_classes = len(names)
    if n_classes < 2:
        raise InvalidLabelsError(
            f"the label column {label_column!r} names {n_classes} class(es) {list(names)}; a "
            "classifier needs at least 2. Label some rows of another class or pass class_names."
        )
    timings: dict[str, float] = {}
    with threadpool_limits(limits=max(1, int(n_jobs or 1))):
        notify_progress(progress, "featurize", _STAGES["featurize"])
        features = featurize_timed(
            frame,
            label_column=label_column,
            text_columns=text_columns,
            feature_columns=feature_columns,
            column_types=column_types,
            sentence_embeddings=sentence_embeddings,
            random_state=random_state,
            timings=timings,
        )
        notify_progress(progress, "cross-validate", _STAGES["cross-validate"])

        start = time.perf_counter()
        model: ModelChoice | None = None
        if _needs_zero_shot(labels, n_classes):
            text_cols = [c for c, k in features.column_types.items() if k == "text"]
            if not text_cols:
                raise InvalidLabelsError(
                    f"only {int((labels >= 0).sum())} rows are labeled, too few to train a model, "
                    "and there is no text column for zero-shot suggestions. Label at least 2 rows "
                    "of each of 2 classes (10 rows in all)."
                )
            descriptions = [
                str(n) if class_descriptions is None else f"{n} {class_descriptions.get(n, '')}"
                for n in names
            ]
            pred_probs = compute_zero_shot_probs(
                frame[text_cols],
                descriptions,
                encoder="sentence" if sentence_embeddings else "tfidf",
            )
        else:
            selection = select_model(
                features.matrix,
                labels,
                kind=features.kind,
                n_classes=n_classes,
                candidates=list(candidates) if candidates is not None else None,
                time_budget=time_budget,
                n_folds=n_folds,
                unlabeled=unlabeled,
                random_state=random_state,
                n_jobs=n_jobs if n_jobs and n_jobs > 1 else None,
            )
            model, pred_probs = selection.choice, selection.pred_probs
            timings["cross-validate"] = time.perf_counter() - start
            labeled = np.flatnonzero(labels >= 0)
            if refit_without_issues and labeled.size >= 50:
                notify_progress(progress, "refit", _STAGES["refit"])
                start = time.perf_counter()
                flagged = np.zeros(len(labels), dtype=bool)
                flagged[labeled] = find_label_issues(
                    labels[labeled], pred_probs[labeled], min_examples_per_class=10
                )
                if 0 < flagged.sum() < 0.5 * labeled.size:
                    refit = refit_choice(
                        features.matrix,
                        labels,
                        model,
                        n_classes=n_classes,
                        folds=selection.folds,
                        train_mask=~flagged,
                        unlabeled=unlabeled,
                        random_state=random_state,
                        n_jobs=n_jobs if n_jobs and n_jobs > 1 else None,
                    )
                    pred_probs = refit.pred_probs
                    model.temperature = refit.choice.temperature
                timings["refit"] = time.perf_counter() - start

        notify_progress(progress, "audit", _STAGES["audit"])
        start = time.perf_counter()
        audit = Audit(
            frame, label_column, class_names=names, progress=False, random_state=random_state
        )
        audit.find_issues(pred_probs=pred_probs, features=features.dense, issue_types=issue_types)
        own_label_options = issue_types is None or (
            "label" in issue_types and not issue_types["label"]
        )
        ran = set(audit.get_issue_summary()["issue_type"])
        if own_label_options and "label" in ran:
            audit.find_issues(pred_probs=pred_probs, issue_types={"label": LABEL_CHECK_OPTIONS})
        timings["audit"] = time.perf_counter() - start
        notify_progress(progress, "done", _STAGES["done"])
    rows = _export_rows(audit, labels, pred_probs, tuple(names))
    return PipelineResult(rows, pred_probs, tuple(names), labels, features, model, audit, timings)
