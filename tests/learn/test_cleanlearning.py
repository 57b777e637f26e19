"""The CleanLearning meta-estimator (goldlabel.learn.cleanlearning)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from goldlabel.core import find_label_issues
from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidOptionError
from goldlabel.learn.cleanlearning import CleanLearning


@parametrize_with_checks([CleanLearning(), CleanLearning(detection_clf=KNeighborsClassifier())])
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # tiny classes are not pruned; we say so
        check(estimator)


@pytest.fixture(scope="module")
def noisy_digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16, y, test_size=0.3, stratify=y, random_state=0
    )
    rng = np.random.default_rng(0)
    flip = rng.random(y_train.size) < 0.2
    noisy = y_train.copy()
    noisy[flip] = (y_train[flip] + rng.integers(1, 10, flip.sum())) % 10
    return X_train, noisy, flip, X_test, y_test


def test_finds_flipped_labels_and_trains_on_the_rest(noisy_digits):
    X, noisy, flip, X_test, _ = noisy_digits
    cl = CleanLearning(random_state=0).fit(X, noisy)
    issues = cl.get_label_issues()
    assert list(issues.columns) == [
        "is_label_issue",
        "label_quality",
        "given_label",
        "predicted_label",
    ]
    flagged = issues["is_label_issue"].to_numpy()
    precision = flip[flagged].mean()
    recall = flagged[flip].mean()
    assert precision > 0.8 and recall > 0.7
    # Flipped rows score lower than the rest.
    quality = issues["label_quality"].to_numpy()
    assert quality[flip].mean() < quality[~flip].mean() - 0.3
    assert cl.predict_proba(X_test).shape == (X_test.shape[0], 10)
    assert cl.n_features_in_ == 64


def test_cleaning_rescues_a_noise_sensitive_final_model(noisy_digits):
    X, noisy, _, X_test, y_test = noisy_digits
    one_nn = KNeighborsClassifier(n_neighbors=1)
    detector = LogisticRegression(max_iter=1000)
    cl = CleanLearning(one_nn, detection_clf=detector, random_state=0).fit(X, noisy)
    plain = KNeighborsClassifier(n_neighbors=1).fit(X, noisy).score(X_test, y_test)
    # Measured over 4 splits: 0.96-0.98 cleaned against 0.78-0.82 on the noisy labels.
    assert cl.score(X_test, y_test) > plain + 0.1


def test_precomputed_pred_probs_give_core_issues(noisy_digits):
    X, noisy, _, _, _ = noisy_digits
    pred_probs = cross_val_predict(
        LogisticRegression(max_iter=1000), X, noisy, cv=3, method="predict_proba"
    )
    cl = CleanLearning().fit(X, noisy, pred_probs=pred_probs)
    expected = find_label_issues(noisy, pred_probs, min_examples_per_class=10)
    assert np.array_equal(cl.label_issues_["is_label_issue"].to_numpy(), expected)
    frame = CleanLearning().find_label_issues(labels=noisy, pred_probs=pred_probs)
    assert np.array_equal(frame["is_label_issue"].to_numpy(), expected)


@pytest.mark.parametrize("form", ["mask", "indices", "frame"], ids=["mask", "indices", "frame"])
def test_precomputed_label_issues_are_dropped(form):
    X = np.arange(20, dtype=float).reshape(-1, 1)
    y = np.array([0] * 10 + [1] * 10)
    issues = np.zeros(20, dtype=bool)
    issues[[0, 1, 2, 3, 4, 5]] = True  # drop six rows of class 0
    given = {
        "mask": issues,
        "indices": np.flatnonzero(issues),
        "frame": pd.DataFrame({"is_label_issue": issues}),
    }[form]
    cl = CleanLearning(DummyClassifier(strategy="prior")).fit(X, y, label_issues=given)
    assert np.allclose(cl.clf_.class_prior_, [4 / 14, 10 / 14])
    assert cl.get_label_issues()["is_label_issue"].sum() == 6


def test_detection_and_final_models_differ(noisy_digits):
    X, noisy, _, _, _ = noisy_digits
    knn = KNeighborsClassifier(n_neighbors=10)
    cl = CleanLearning(DummyClassifier(), detection_clf=knn, random_state=0).fit(X, noisy)
    assert isinstance(cl.clf_, DummyClassifier)
    frame = CleanLearning(knn, random_state=0).find_label_issues(X, noisy)
    assert frame.equals(cl.label_issues_)
    with_lr = CleanLearning(random_state=0).fit(X, noisy).label_issues_
    assert not with_lr["is_label_issue"].equals(frame["is_label_issue"])


def test_string_labels_and_raw_text():
    topics = {
        "sport": ["match goal team", "team won the cup", "goal in the final", "coach and team"],
        "money": ["stock market fell", "bank raised rates", "market and shares", "rates and bank"],
    }
    texts = [t for words in topics.values() for t in words] * 5
    labels = np.array([name for name, words in topics.items() for _ in words] * 5)
    model = make_pipeline(TfidfVectorizer(), LogisticRegression())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cl = CleanLearning(model, random_state=0).fit(texts, labels)
    assert list(cl.classes_) == ["money", "sport"]
    assert cl.predict(["the team scored a goal", "the bank and the market"]).tolist() == [
        "sport",
        "money",
    ]
    assert set(cl.label_issues_["given_label"]) == {"money", "sport"}


@pytest.mark.filterwarnings("ignore:May not flag all label issues:UserWarning")
def test_labels_alias_and_unfitted_errors():
    X = np.random.default_rng(0).random((30, 2))
    y = np.array([0, 1, 2] * 10)
    a = CleanLearning(random_state=0).fit(X, labels=y)
    b = CleanLearning(random_state=0).fit(X, y)
    assert a.label_issues_.equals(b.label_issues_)
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        CleanLearning().get_label_issues()
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        CleanLearning().predict(X)


X4 = np.arange(8, dtype=float).reshape(-1, 2)
Y4 = np.array([0, 0, 1, 1])


@pytest.mark.parametrize(
    ("estimator", "kwargs", "error", "match"),
    [
        (CleanLearning(), {"y": None}, InvalidLabelsError, "requires y to be passed"),
        (
            CleanLearning(),
            {"y": Y4, "labels": Y4},
            InvalidLabelsError,
            "Received both y and labels",
        ),
        (
            CleanLearning(cv_n_folds=1),
            {"y": Y4},
            InvalidOptionError,
            "cv_n_folds must be an integer",
        ),
        (CleanLearning(clf="lr"), {"y": Y4}, InvalidOptionError, "clf must be a scikit-learn"),
        (
            CleanLearning(find_label_issues_kwargs=[1]),
            {"y": Y4},
            InvalidOptionError,
            "find_label_issues_kwargs must be a dict",
        ),
        (
            CleanLearning(find_label_issues_kwargs={"return_indices_ranked_by": "self_confidence"}),
            {"y": Y4, "pred_probs": np.full((4, 2), 0.5)},
            InvalidOptionError,
            "cannot set return_indices_ranked_by",
        ),
        (
            CleanLearning(),
            {"y": Y4, "pred_probs": np.full((4, 3), 1 / 3)},
            DataValidationError,
            "pred_probs has 3 columns but y holds 2 classes",
        ),
        (
            CleanLearning(),
            {"y": Y4, "label_issues": np.array([0, 7])},
            DataValidationError,
            r"row indices outside \[0, 4\)",
        ),
        (
            CleanLearning(),
            {"y": Y4, "label_issues": np.array([True, False])},
            DataValidationError,
            "label_issues describes 2 rows but X has 4",
        ),
        (
            CleanLearning(),
            {"y": Y4, "label_issues": pd.DataFrame({"flag": [True] * 4})},
            DataValidationError,
            "without an 'is_label_issue' column",
        ),
        (
            CleanLearning(),
            {"y": Y4, "label_issues": np.array([0.5, 1.5])},
            DataValidationError,
            "label_issues must be the DataFrame from find_label_issues",
        ),
    ],
    ids=[
        "no-y",
        "y-and-labels",
        "one-fold",
        "clf-not-estimator",
        "kwargs-not-dict",
        "ranked-indices",
        "pred-probs-columns",
        "issue-indices-range",
        "issue-mask-length",
        "issue-frame-column",
        "issue-floats",
    ],
)
def test_fit_errors(estimator, kwargs, error, match):
    with pytest.raises(error, match=match):
        estimator.fit(X4, **kwargs)


def test_find_label_issues_needs_x_or_pred_probs():
    with pytest.raises(DataValidationError, match=r"needs X .* or pred_probs"):
        CleanLearning().find_label_issues(labels=Y4)
