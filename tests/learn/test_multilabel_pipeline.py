from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.metrics import roc_auc_score

from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidOptionError
from goldlabel.learn import (
    assign_multilabel_folds,
    cross_val_multilabel_probs,
    encode_multilabel_labels,
    run_multilabel_pipeline,
    run_pipeline,
)

TAG_WORDS = {
    "sports": ["goal", "match", "striker", "league", "coach", "tennis", "stadium"],
    "politics": ["vote", "senate", "minister", "election", "policy", "parliament", "law"],
    "tech": ["software", "chip", "startup", "laptop", "robot", "cloud", "server"],
    "food": ["recipe", "pasta", "chef", "bakery", "spicy", "soup", "dessert"],
    "travel": ["flight", "hotel", "beach", "passport", "museum", "island", "airport"],
}
TAG_RATES = {"sports": 0.35, "politics": 0.3, "tech": 0.3, "food": 0.2, "travel": 0.06}
FILLER = "the a of and to in on with for today new report says more about this".split()


def generate_tagged_texts(
    n_rows: int, *, flip: float = 0.1, unlabeled: float = 0.0, random_state: int = 0
) -> tuple[list[str], list[list[str] | None], list[list[str]], np.ndarray]:
    """(texts, given tag lists with None = unlabeled, true tag lists, which labeled rows were flipped).

    Every tag a row has puts one of its words in the sentence; "travel" is rare (6 %). A flipped
    row has one tag added or removed.
    """
    rng = np.random.default_rng(random_state)
    names = list(TAG_WORDS)
    texts: list[str] = []
    truth: list[list[str]] = []
    for _ in range(n_rows):
        tags = [t for t in names if rng.random() < TAG_RATES[t]]
        words = [str(rng.choice(TAG_WORDS[t])) for t in tags]
        words += [str(w) for w in rng.choice(FILLER, 5)]
        rng.shuffle(words)
        texts.append(" ".join(words))
        truth.append(tags)
    given: list[list[str] | None] = [list(t) for t in truth]
    flipped = np.zeros(n_rows, dtype=bool)
    for i in np.flatnonzero(rng.random(n_rows) < flip):
        tag = names[int(rng.integers(len(names)))]
        current = given[i] or []
        given[i] = [t for t in current if t != tag] if tag in current else [*current, tag]
        flipped[i] = True
    for i in np.flatnonzero(rng.random(n_rows) < unlabeled):
        given[i] = None
        flipped[i] = False
    return texts, given, truth, flipped


# -- labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        pytest.param([["a"], ["a", "b"], None], [[1, 0], [1, 1], [-1, -1]], id="lists"),
        pytest.param(["a", "b, a", float("nan")], [[1, 0], [1, 1], [-1, -1]], id="strings"),
        pytest.param([("b",), [], ""], [[0, 1], [0, 0], [-1, -1]], id="empty-set-vs-empty-string"),
        pytest.param([np.array(["a"]), {"b"}, pd.NA], [[1, 0], [0, 1], [-1, -1]], id="arrays"),
    ],
)
def test_encode_multilabel_labels(cells: list, expected: list) -> None:
    onehot, names = encode_multilabel_labels(cells, class_names=["a", "b"])
    assert names == ("a", "b")
    assert onehot.dtype == np.int8 and onehot.tolist() == expected


def test_encode_multilabel_labels_sorts_found_names() -> None:
    onehot, names = encode_multilabel_labels(["z|x", "y"], separator="|")
    assert names == ("x", "y", "z")
    assert onehot.tolist() == [[1, 0, 1], [0, 1, 0]]


@pytest.mark.parametrize(
    ("cells", "options", "match"),
    [
        pytest.param([["a"], ["c"]], {"class_names": ["a", "b"]}, r"classes \['c'\]", id="unknown"),
        pytest.param([["a"], 3], {}, "got int 3", id="scalar-cell"),
        pytest.param([["a"]], {"class_names": ["a", "a"]}, "duplicates", id="duplicates"),
    ],
)
def test_encode_multilabel_labels_rejects(cells: list, options: dict, match: str) -> None:
    with pytest.raises(InvalidLabelsError, match=match):
        encode_multilabel_labels(cells, **options)


# -- folds -------------------------------------------------------------------------------------


def test_folds_spread_a_rare_class_and_stay_even() -> None:
    rng = np.random.default_rng(0)
    onehot = (rng.random((503, 4)) < [0.5, 0.3, 0.1, 0.0]).astype(np.int8)
    onehot[rng.choice(503, 4, replace=False), 3] = 1  # a class on 4 rows only
    onehot[:3] = -1
    folds = assign_multilabel_folds(onehot, n_folds=5, random_state=1)
    assert (folds[:3] == -1).all() and (folds[3:] >= 0).all()
    sizes = np.bincount(folds[3:], minlength=5)
    assert sizes.max() - sizes.min() <= 2
    for k in range(4):
        per_fold = np.bincount(folds[onehot[:, k] == 1], minlength=5)
        assert per_fold.max() - per_fold.min() <= 1, (k, per_fold)
    rare = folds[onehot[:, 3] == 1]
    assert np.unique(rare).size == 4  # 4 rows in 4 different folds


def test_folds_are_reproducible_and_seeded() -> None:
    onehot = (np.random.default_rng(2).random((200, 3)) < 0.4).astype(np.int8)
    a = assign_multilabel_folds(onehot, random_state=3)
    assert np.array_equal(a, assign_multilabel_folds(onehot, random_state=3))
    assert not np.array_equal(a, assign_multilabel_folds(onehot, random_state=4))


@pytest.mark.parametrize(
    ("labels", "options", "error", "match"),
    [
        pytest.param([[1, 0]], {"n_folds": 1}, InvalidOptionError, "at least 2", id="one-fold"),
        pytest.param([[2, 0]], {}, InvalidLabelsError, "0/1 with -1", id="not-binary"),
        pytest.param([1, 0], {}, InvalidLabelsError, r"got shape \(2,\)", id="1-d"),
        pytest.param([[1, -1]], {}, InvalidLabelsError, "-1 across", id="half-unlabeled"),
    ],
)
def test_folds_reject(labels: list, options: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        assign_multilabel_folds(labels, **options)


# -- cross-validation --------------------------------------------------------------------------


def test_cross_val_is_out_of_sample_and_handles_one_sided_classes() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    onehot = np.c_[X[:, 0] > 0, X[:, 1] > 0, np.zeros(200), np.zeros(200)].astype(np.int8)
    onehot[0, 3] = 1  # a class on one row: its fold's model never saw it
    onehot[-20:] = -1
    result = cross_val_multilabel_probs(sp.csr_matrix(X), onehot, random_state=0)
    probs = result.pred_probs
    assert probs.shape == (200, 4) and ((probs > 0) & (probs < 1)).all()
    assert (result.folds[-20:] == -1).all()
    labeled = onehot[:, 0] >= 0
    assert ((probs[labeled, :2] >= 0.5) == onehot[labeled, :2]).mean() > 0.9
    assert probs[:, 2].max() < 0.01  # never seen on: a smoothed small share
    assert probs[0, 3] < 0.05  # held out with the only positive
    assert 0 < result.log_loss < 0.3


def test_cross_val_train_mask_keeps_rows_out_of_training() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 2))
    onehot = np.c_[X[:, 0] > 0].astype(np.int8)
    flipped = onehot.copy()
    flipped[:40, 0] = 1 - flipped[:40, 0]
    folds = assign_multilabel_folds(flipped, n_folds=3)
    kept = cross_val_multilabel_probs(X, flipped, folds=folds, train_mask=np.arange(150) >= 40)
    used = cross_val_multilabel_probs(X, flipped, folds=folds)
    truth = onehot[:40, 0]
    assert (
        np.abs(kept.pred_probs[:40, 0] - truth).mean()
        < np.abs(used.pred_probs[:40, 0] - truth).mean()
    )


@pytest.mark.parametrize("unlabeled", ["average", "full"], ids=["average", "full"])
def test_cross_val_predicts_unlabeled_rows(unlabeled: str) -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(120, 2))
    onehot = np.c_[X[:, 0] > 0].astype(np.int8)
    onehot[100:] = -1
    result = cross_val_multilabel_probs(X, onehot, unlabeled=unlabeled)
    assert ((result.pred_probs[100:, 0] >= 0.5) == (X[100:, 0] > 0)).mean() > 0.9


@pytest.mark.parametrize(
    ("labels", "options", "error", "match"),
    [
        pytest.param(
            np.full((10, 2), -1), {}, InvalidLabelsError, "0 labeled rows", id="none-labeled"
        ),
        pytest.param(np.zeros((9, 2)), {}, InvalidLabelsError, "has 9 rows", id="row-count"),
        pytest.param(
            np.zeros((10, 2)), {"unlabeled": "some"}, InvalidOptionError, "'some'", id="unlabeled"
        ),
        pytest.param(
            np.zeros((10, 2)), {"train_mask": [True]}, DataValidationError, "train_mask", id="mask"
        ),
        pytest.param(
            np.zeros((10, 2)), {"folds": [0] * 9}, DataValidationError, "folds", id="folds"
        ),
    ],
)
def test_cross_val_rejects(labels: np.ndarray, options: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        cross_val_multilabel_probs(np.zeros((10, 2)), labels, **options)


# -- the pipeline ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tagged() -> tuple[pd.DataFrame, list[list[str]], np.ndarray]:
    texts, given, truth, flipped = generate_tagged_texts(600, flip=0.1, unlabeled=0.15)
    return pd.DataFrame({"text": texts, "tags": given}), truth, flipped


def test_pipeline_finds_flipped_tags_and_suggests_sets(tagged: tuple) -> None:
    frame, truth, flipped = tagged
    stages: list[str] = []
    result = run_pipeline(
        frame,
        label_column="tags",
        task="multilabel",
        class_names=list(TAG_WORDS),
        progress=lambda stage, _: stages.append(stage),
    )
    rows = result.rows
    assert stages == ["featurize", "cross-validate", "audit", "done"]
    assert result.class_names == tuple(TAG_WORDS) and result.pred_probs.shape == (600, 5)
    assert result.labels.shape == (600, 5) and result.method == "one_vs_rest_logistic_regression"
    assert list(rows.columns[:5]) == [
        "given_label",
        "is_label_issue",
        "label_issue_score",
        "suggested_label",
        "suggested_label_confidence",
    ]
    assert {"is_outlier_issue", "outlier_score", "is_near_duplicate_issue"} <= set(rows.columns)
    labeled = rows["given_label"].notna().to_numpy()
    issues = rows["is_label_issue"].to_numpy(dtype=bool)
    assert not issues[~labeled].any() and rows["label_issue_score"][~labeled].isna().all()
    recall = issues[flipped].mean()
    precision = flipped[issues].mean()
    assert recall > 0.7 and precision > 0.7, (recall, precision)  # chance is about 0.1
    scores = rows["label_issue_score"].to_numpy()
    assert roc_auc_score(flipped[labeled], scores[labeled]) > 0.95
    exact = np.mean(
        [sorted(s) == sorted(t) for s, t in zip(rows["suggested_label"], truth, strict=True)]
    )
    assert exact > 0.85
    conf = rows["suggested_label_confidence"].to_numpy()
    probs = result.pred_probs
    np.testing.assert_allclose(conf, np.maximum(probs, 1 - probs).prod(axis=1))
    assert ((conf > 0) & (conf <= 1)).all()


def test_pipeline_with_only_the_label_check_uncalibrated(tagged: tuple) -> None:
    frame, _, flipped = tagged
    result = run_multilabel_pipeline(
        frame, label_column="tags", issue_types={"label": {"filter_by": "both"}}, calibrate=False
    )
    assert not any(c.startswith("is_outlier") for c in result.rows.columns)
    assert result.rows["is_label_issue"].to_numpy(dtype=bool)[flipped].mean() > 0.6


def test_calibration_lets_a_rare_class_be_suggested(tagged: tuple) -> None:
    frame, truth, _ = tagged
    rare = np.array(["travel" in t for t in truth])  # 6 % of rows
    found = {}
    for calibrate in (False, True):
        rows = run_multilabel_pipeline(
            frame, label_column="tags", issue_types={"label": {}}, calibrate=calibrate
        ).rows
        found[calibrate] = np.array(["travel" in s for s in rows["suggested_label"]])[rare].mean()
    assert found[True] > 0.6 and found[True] > found[False] + 0.3, found


def test_pipeline_feature_checks_only() -> None:
    texts, given, _, _ = generate_tagged_texts(80, flip=0.0)
    result = run_multilabel_pipeline(
        {"text": texts, "tags": given}, label_column="tags", issue_types={"near_duplicate": {}}
    )
    assert "is_label_issue" not in result.rows
    assert "is_near_duplicate_issue" in result.rows


@pytest.mark.parametrize(
    ("frame", "options", "error", "match"),
    [
        pytest.param(
            {"text": ["a b"] * 20, "tags": [["x"]] * 20},
            {"label_column": "nope"},
            DataValidationError,
            "label column 'nope'",
            id="no-column",
        ),
        pytest.param(
            {"text": ["a b"] * 20, "tags": [["x"]] * 20},
            {"label_column": "tags"},
            InvalidLabelsError,
            "0 classes on at least 2 and off",
            id="one-sided",
        ),
        pytest.param(
            {"text": ["a b"] * 5, "tags": [["x"], ["y"]] * 2 + [None]},
            {"label_column": "tags"},
            InvalidLabelsError,
            "only 4 rows are labeled",
            id="too-few",
        ),
        pytest.param(
            {"text": ["a"] * 3, "tags": [None] * 3},
            {"label_column": "tags"},
            InvalidLabelsError,
            "names no class",
            id="no-class",
        ),
        pytest.param(
            {"text": [], "tags": []},
            {"label_column": "tags"},
            DataValidationError,
            "no rows",
            id="empty",
        ),
    ],
)
def test_pipeline_rejects(frame: dict, options: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        run_multilabel_pipeline(frame, **options)


def test_run_pipeline_rejects_unknown_task() -> None:
    with pytest.raises(InvalidOptionError, match="task must be 'multiclass' or 'multilabel'"):
        run_pipeline({"x": [1, 2], "y": [0, 1]}, label_column="y", task="regression")
