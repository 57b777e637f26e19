"""The model a project deploys: the analysis's featurizer and model choice, fitted on the labeled rows."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from goldlabel.exceptions import InvalidLabelsError
from goldlabel.learn.deployable import fit_deployable_model
from tests.learn.test_pipeline import TOPICS, make_topics


def _labels(frame: pd.DataFrame) -> np.ndarray:
    return frame["topic"].map({name: k for k, name in enumerate(TOPICS)}).to_numpy().copy()


def test_the_deployed_model_predicts_new_rows_from_their_raw_text() -> None:
    train, _ = make_topics(60, noise=0.0, seed=0)
    test, _ = make_topics(30, noise=0.0, seed=1)
    labels = _labels(train)
    labels[::3] = -1  # unlabeled rows shape the featurizer but are not trained on
    model = fit_deployable_model(train[["text"]], labels, n_classes=3, time_budget=20)
    probs = model.predict_proba(test[["text"]])
    assert probs.shape == (len(test), 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert (probs.argmax(axis=1) == _labels(test)).mean() >= 0.95
    assert model.metrics["n_train"] == int((labels >= 0).sum())
    assert model.metrics["cv_accuracy"] >= 0.9
    assert model.name == model.metrics["model"]


def test_a_class_without_labeled_rows_gets_almost_no_probability() -> None:
    train, _ = make_topics(40, noise=0.0, seed=2)
    labels = _labels(train)
    labels[labels == 2] = -1
    model = fit_deployable_model(train[["text"]], labels, n_classes=4, time_budget=20)
    probs = model.predict_proba(train[["text"]])
    assert probs.shape == (len(train), 4)
    assert probs[:, 2:].max() < 0.01


def test_a_pickled_model_predicts_the_same() -> None:
    train, _ = make_topics(30, noise=0.0, seed=3)
    model = fit_deployable_model(train[["text"]], _labels(train), n_classes=3, time_budget=20)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(
        again.predict_proba(train[["text"]]), model.predict_proba(train[["text"]])
    )


def test_tabular_rows_are_predicted_too() -> None:
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True).frame
    labels = iris.pop("target").to_numpy()
    model = fit_deployable_model(iris, labels, n_classes=3, time_budget=20)
    assert (model.predict_proba(iris).argmax(axis=1) == labels).mean() >= 0.9


@pytest.mark.parametrize(
    "labels", [[-1, -1, -1, -1], [0, 0, -1, -1]], ids=["none-labeled", "one-class"]
)
def test_fewer_than_two_labeled_classes_are_refused(labels: list[int]) -> None:
    frame = pd.DataFrame({"text": ["a b", "c d", "e f", "g h"]})
    with pytest.raises(InvalidLabelsError, match=r"labeled rows of at least 2 classes"):
        fit_deployable_model(frame, labels, n_classes=2)
