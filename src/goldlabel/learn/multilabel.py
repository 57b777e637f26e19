"""Multi-label data through the whole analysis: cross-validated probabilities, audit, suggestions.

Each row carries a set of classes (possibly empty). The out-of-sample per-class probabilities come from
:mod:`goldlabel.learn.multilabel_crossval`. Label issues come from
``goldlabel.core``'s multi-label confident learning on these probabilities, and the feature-only audit
checks (outliers, near duplicates, ...) run as they do for multi-class data.

:func:`run_multilabel_pipeline` is what ``run_pipeline(..., task="multilabel")`` runs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from goldlabel.audit import Audit
from goldlabel.core import compute_multilabel_label_quality_scores, find_multilabel_label_issues
from goldlabel.exceptions import InvalidLabelsError
from goldlabel.learn.multilabel_crossval import (
    calibrate_multilabel_probs,
    compute_binary_log_loss,
    compute_set_confidence,
    cross_val_multilabel_probs,
    encode_multilabel_labels,
    make_multilabel_model,
)
from goldlabel.learn.pipeline import (
    PipelineResult,
    Progress,
    featurize_timed,
    load_frame,
)
from goldlabel.learn.selection import ModelChoice, notify_progress

__all__ = ["check_multilabel_trainable", "run_multilabel_pipeline"]

_MODEL_NAME = "one_vs_rest_logistic_regression"
_STAGES = {"featurize": 0.0, "cross-validate": 0.15, "audit": 0.8, "done": 1.0}


def _as_lists(onehot: np.ndarray) -> list[list[int]]:
    return [np.flatnonzero(row == 1).tolist() for row in onehot]


def _find_issues(
    onehot: np.ndarray, pred_probs: np.ndarray, options: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """(is_label_issue, label_issue_score) of every row; False and NaN on unlabeled rows."""
    n = onehot.shape[0]
    rows = np.flatnonzero(onehot[:, 0] >= 0)
    is_issue = np.zeros(n, dtype=bool)
    score = np.full(n, np.nan)
    if rows.size == 0:
        return is_issue, score
    lists = _as_lists(onehot[rows])
    is_issue[rows] = find_multilabel_label_issues(lists, pred_probs[rows], **dict(options))
    score[rows] = 1.0 - compute_multilabel_label_quality_scores(lists, pred_probs[rows])
    return is_issue, score


def check_multilabel_trainable(onehot: np.ndarray) -> None:
    """Refuse label sets no model can learn from: fewer than 10 labeled rows, or no class both on
    and off in at least 2 of them."""
    labeled = onehot[onehot[:, 0] >= 0]
    positives = labeled.sum(axis=0)
    learnable = (positives >= 2) & (labeled.shape[0] - positives >= 2)
    if labeled.shape[0] < 10 or not learnable.any():
        raise InvalidLabelsError(
            f"only {labeled.shape[0]} rows are labeled, with "
            f"{int(learnable.sum())} classes on at least 2 and off at least 2 of them; a model "
            "needs 10 labeled rows and such a class. Label more rows."
        )


def _export_rows(
    audit: Audit | None,
    onehot: np.ndarray,
    pred_probs: np.ndarray,
    names: tuple[Any, ...],
    label_issues: tuple[np.ndarray, np.ndarray] | None,
) -> pd.DataFrame:
    labeled = onehot[:, 0] >= 0
    suggested = pred_probs >= 0.5
    given = [
        [names[k] for k in np.flatnonzero(row == 1)] if ok else None
        for row, ok in zip(onehot, labeled, strict=True)
    ]
    out = pd.DataFrame(
        {
            "given_label": pd.Series(given, dtype=object),
            "suggested_label": pd.Series(
                [[names[k] for k in np.flatnonzero(row)] for row in suggested], dtype=object
            ),
            "suggested_label_confidence": compute_set_confidence(pred_probs),
        }
    )
    if label_issues is not None:
        out.insert(1, "is_label_issue", label_issues[0])
        out.insert(2, "label_issue_score", label_issues[1])
    issues = audit.get_issues() if audit is not None else pd.DataFrame()
    for column in issues.columns:
        values = issues[column].to_numpy()
        if column.endswith("_score"):
            out[column] = 1.0 - values.astype(np.float64)
        elif column == "near_duplicate_sets":
            out["near_duplicate_set"] = values
        else:
            out[column] = values
    return out


def run_multilabel_pipeline(
    data: Any,
    *,
    label_column: str,
    text_columns: Sequence[str] | None = None,
    feature_columns: Sequence[str] | None = None,
    column_types: Mapping[str, str] | None = None,
    class_names: Sequence[Any] | None = None,
    issue_types: Mapping[str, Mapping[str, Any] | None] | None = None,
    model: Any = None,
    n_folds: int = 5,
    calibrate: bool = True,
    unlabeled: str = "average",
    separator: str = ",",
    sentence_embeddings: bool = False,
    random_state: int = 0,
    n_jobs: int | None = None,
    progress: Progress | None = None,
) -> PipelineResult:
    """Featurize, cross-validate one classifier per class, audit every row and suggest label sets.

    Parameters
    ----------
    data : pandas or polars DataFrame, or dict of columns
    label_column : str
        Label sets (see :func:`encode_multilabel_labels`); None/NaN cells are unlabeled rows.
    text_columns, feature_columns, column_types, sentence_embeddings
        As in :func:`goldlabel.learn.run_pipeline`.
    class_names : sequence, optional
        Every class, in order (default: the sorted names found).
    issue_types : mapping, optional
        Checks and their options (default: the label check and every default feature check).
        The ``"label"`` options go to :func:`goldlabel.core.find_multilabel_label_issues`.
    model : scikit-learn binary classifier, optional
        Fit per class and fold (default: logistic regression).
    n_folds : int, default 5
    calibrate : bool, default True
        Rescale each class's out-of-fold probabilities by Platt scaling fit on the labeled rows.
    unlabeled : {"average", "full"}, default "average"
    separator : str, default ","
        Splits label cells that are strings.
    random_state : int, default 0
    n_jobs : int, optional
    progress : callable, optional
        ``progress(stage, fraction_of_run_done)``: "featurize", "cross-validate", "audit", "done".

    Notes
    -----
    Unlike :func:`~goldlabel.learn.run_pipeline` there is no second round with the flagged rows
    out of training: on generated tag data (500-3000 rows, 10-20 % flipped) it lowered the recall
    of flipped rows in all 4 settings tried.

    Returns
    -------
    PipelineResult
        ``rows`` holds ``given_label`` and ``suggested_label`` as lists of class names (the
        suggestion: every class with probability >= 0.5), ``suggested_label_confidence`` (the
        probability of exactly that set, classes taken as independent: ``prod_k max(p_k, 1 - p_k)``), ``is_label_issue``
        and ``label_issue_score`` (1 - the label quality score; NaN when unlabeled), then the
        feature checks. ``labels`` is the one-hot matrix of shape (n_rows, n_classes), -1 across
        unlabeled rows; ``pred_probs`` rows need not sum to 1.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> words = np.array(["sun", "rain", "cat", "dog", "the", "a", "of"])
    >>> tags = [[t for t, w in (("weather", "sun"), ("pets", "cat")) if rng.random() < 0.5]
    ...         for _ in range(120)]
    >>> text = [" ".join([*(("sun",) if "weather" in t else ()), *(("cat",) if "pets" in t else ()),
    ...                   *rng.choice(words[4:], 3)]) for t in tags]
    >>> result = run_multilabel_pipeline({"text": text, "tags": tags}, label_column="tags")
    >>> result.pred_probs.shape, result.rows.loc[0, "suggested_label"] == tags[0]
    ((120, 2), True)
    """
    frame = load_frame(data, label_column)
    onehot, names = encode_multilabel_labels(
        frame[label_column], class_names=class_names, separator=separator
    )
    if not names:
        raise InvalidLabelsError(
            f"the label column {label_column!r} names no class; label some rows or pass class_names."
        )
    check_multilabel_trainable(onehot)
    checks = dict(issue_types) if issue_types is not None else None
    label_options = dict((checks or {}).pop("label", None) or {}) if checks is not None else {}
    want_labels = issue_types is None or "label" in issue_types
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
        base = (
            model
            if model is not None
            else make_multilabel_model(features.kind, random_state=random_state)
        )
        result = cross_val_multilabel_probs(
            features.matrix,
            onehot,
            model=base,
            n_folds=n_folds,
            unlabeled=unlabeled,
            random_state=random_state,
            n_jobs=n_jobs if n_jobs and n_jobs > 1 else None,
        )
        pred_probs = (
            calibrate_multilabel_probs(onehot, result.pred_probs)
            if calibrate
            else result.pred_probs
        )
        timings["cross-validate"] = time.perf_counter() - start
        notify_progress(progress, "audit", _STAGES["audit"])
        start = time.perf_counter()
        label_issues = _find_issues(onehot, pred_probs, label_options) if want_labels else None
        audit = Audit(frame.drop(columns=[label_column]), progress=False, random_state=random_state)
        audited = checks is None or bool(checks)
        if audited:
            audit.find_issues(features=features.dense, issue_types=checks)
        timings["audit"] = time.perf_counter() - start
        notify_progress(progress, "done", _STAGES["done"])
    name = _MODEL_NAME if model is None else type(model).__name__
    choice = ModelChoice(
        members=[name],
        weights=[1.0],
        log_losses={name: compute_binary_log_loss(onehot, pred_probs)},
        seconds={name: timings["cross-validate"]},
    )
    rows = _export_rows(audit if audited else None, onehot, pred_probs, names, label_issues)
    return PipelineResult(rows, pred_probs, names, onehot, features, choice, audit, timings)
