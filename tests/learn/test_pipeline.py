"""The end-to-end pipeline: featurize, cross-validate, audit, suggest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goldlabel.exceptions import DataValidationError, InvalidLabelsError
from goldlabel.learn import run_pipeline

TOPICS = {
    "sports": ["match", "goal", "team", "player", "coach", "league", "score", "season"],
    "business": ["market", "shares", "profit", "bank", "stock", "investor", "revenue", "deal"],
    "science": ["space", "research", "planet", "software", "computer", "study", "physics", "cell"],
}
FILLER = ["the", "a", "today", "after", "new", "said", "with", "report", "week", "on"]


def make_topics(
    n_per_class: int = 60, *, noise: float = 0.1, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Small generated topic texts with a share of labels flipped; returns the frame and the flip mask."""
    rng = np.random.default_rng(seed)
    names = list(TOPICS)
    rows, labels = [], []
    for k, name in enumerate(names):
        for _ in range(n_per_class):
            words = list(rng.choice(TOPICS[name], 5)) + list(rng.choice(FILLER, 4))
            rng.shuffle(words)
            rows.append(" ".join(words))
            labels.append(k)
    labels_arr = np.array(labels)
    flip = rng.random(labels_arr.size) < noise
    given = labels_arr.copy()
    given[flip] = (labels_arr[flip] + rng.integers(1, 3, flip.sum())) % 3
    frame = pd.DataFrame({"text": rows, "topic": np.array(names)[given]})
    return frame, flip


EXPORT_COLUMNS = [
    "given_label",
    "is_label_issue",
    "label_issue_score",
    "suggested_label",
    "suggested_label_confidence",
    "is_outlier_issue",
    "outlier_score",
    "is_near_duplicate_issue",
    "near_duplicate_set",
]


def test_pipeline_flags_flipped_labels_and_writes_export_columns() -> None:
    frame, flip = make_topics()
    stages: list[tuple[str, float]] = []
    result = run_pipeline(
        frame,
        label_column="topic",
        text_columns=["text"],
        progress=lambda s, f: stages.append((s, f)),
    )
    rows = result.rows
    assert set(EXPORT_COLUMNS) <= set(rows.columns) and len(rows) == len(frame)
    flagged = rows["is_label_issue"].to_numpy()
    precision = (flagged & flip).sum() / max(flagged.sum(), 1)
    recall = (flagged & flip).sum() / flip.sum()
    assert precision > 0.7 and recall > 0.7
    scores = rows["label_issue_score"].to_numpy()
    assert ((scores >= 0) & (scores <= 1)).all()
    assert scores[flip].mean() > scores[~flip].mean() + 0.3
    assert set(rows["suggested_label"]) <= set(TOPICS)
    assert result.pred_probs.shape == (len(frame), 3) and result.class_names == tuple(
        sorted(TOPICS)
    )
    assert [s for s, _ in stages] == ["featurize", "cross-validate", "refit", "audit", "done"]
    assert [f for _, f in stages] == sorted(f for _, f in stages) and stages[-1][1] == 1.0
    assert result.method == result.model.name


def test_pipeline_is_deterministic() -> None:
    frame, _ = make_topics(30)
    a = run_pipeline(frame, label_column="topic", issue_types={"label": {}})
    b = run_pipeline(frame, label_column="topic", issue_types={"label": {}})
    np.testing.assert_array_equal(a.pred_probs, b.pred_probs)


def test_pipeline_suggests_labels_for_unlabeled_rows() -> None:
    frame, _ = make_topics(40, noise=0.0)
    truth = frame["topic"].copy()
    frame.loc[frame.index % 3 == 0, "topic"] = None
    result = run_pipeline(frame, label_column="topic", issue_types={"label": {}})
    unlabeled = frame["topic"].isna().to_numpy()
    rows = result.rows
    assert rows.loc[unlabeled, "label_issue_score"].isna().all()
    assert not rows.loc[unlabeled, "is_label_issue"].any()
    assert (rows.loc[unlabeled, "suggested_label"] == truth[unlabeled]).mean() > 0.9


def test_pipeline_falls_back_to_zero_shot_when_almost_nothing_is_labeled() -> None:
    frame, _ = make_topics(20, noise=0.0)
    truth = frame["topic"].copy()
    frame["topic"] = None
    frame.loc[[0, 25], "topic"] = truth[[0, 25]]
    result = run_pipeline(
        frame,
        label_column="topic",
        class_names=sorted(TOPICS),
        class_descriptions={k: " ".join(v) for k, v in TOPICS.items()},
        issue_types={"label": {}},
    )
    assert result.model is None and result.method == "zero-shot"
    assert (result.rows["suggested_label"] == truth).mean() > 0.8


def test_pipeline_handles_tabular_data() -> None:
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True).frame
    iris.loc[[0, 60], "target"] = [2, 0]
    result = run_pipeline(iris, label_column="target", candidates=["logistic_regression"])
    assert result.rows.loc[[0, 60], "is_label_issue"].all()
    assert result.rows.loc[[0, 60], "suggested_label"].tolist() == [0, 1]


@pytest.mark.parametrize(
    ("frame", "options", "error", "match"),
    [
        (
            pd.DataFrame({"text": ["a b c d"] * 4, "y": ["a"] * 4}),
            {"label_column": "label"},
            DataValidationError,
            "label column 'label' is not in the data",
        ),
        (
            pd.DataFrame({"text": ["a b c d"] * 4, "y": ["a"] * 4}),
            {"label_column": "y"},
            InvalidLabelsError,
            r"names 1 class\(es\)",
        ),
        (
            pd.DataFrame({"n": [1.0, 2.0, 3.0], "y": ["a", "b", None]}),
            {"label_column": "y"},
            InvalidLabelsError,
            "no text column for zero-shot",
        ),
        (
            pd.DataFrame({"text": ["a"], "y": ["a"]}).iloc[:0],
            {"label_column": "y"},
            DataValidationError,
            "no rows",
        ),
    ],
    ids=["missing-label-column", "one-class", "too-few-labels-no-text", "empty"],
)
def test_pipeline_refuses_bad_input(
    frame: pd.DataFrame, options: dict, error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        run_pipeline(frame, **options)
