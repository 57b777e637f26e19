"""The deployable multi-label model: learns tag sets from raw rows, keeps classes it cannot learn as
their base rate, refuses what it cannot train on, and survives pickling."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from goldlabel.exceptions import InvalidLabelsError
from goldlabel.learn.deployable_multilabel import fit_deployable_multilabel_model
from tests.learn.test_multilabel_pipeline import TAG_WORDS, generate_tagged_texts

NAMES = list(TAG_WORDS)


def _onehot(tags: list[list[str] | None]) -> np.ndarray:
    out = np.array([[int(n in (t or [])) for n in NAMES] for t in tags])
    out[[t is None for t in tags]] = -1
    return out


def test_new_rows_get_their_tag_sets() -> None:
    texts, given, _, _ = generate_tagged_texts(600, flip=0.05, unlabeled=0.2, random_state=1)
    model = fit_deployable_multilabel_model(pd.DataFrame({"text": texts}), _onehot(given))
    new_texts, _, truth, _ = generate_tagged_texts(300, flip=0.0, random_state=2)
    probs = model.predict_proba(pd.DataFrame({"text": new_texts}))
    assert probs.shape == (300, len(NAMES)) and ((probs >= 0) & (probs <= 1)).all()
    hamming = ((probs >= 0.5) == (_onehot(truth) == 1)).mean()
    assert hamming > 0.95
    assert model.metrics["n_train"] == int((_onehot(given)[:, 0] >= 0).sum())
    assert model.metrics["cv_hamming_accuracy"] > 0.9


def test_a_class_every_labeled_row_has_is_predicted_at_its_base_rate() -> None:
    texts, given, _, _ = generate_tagged_texts(200, flip=0.0, random_state=3)
    onehot = _onehot(given)
    onehot = np.c_[onehot, np.ones(len(texts), dtype=int)]  # a tag on every row
    model = fit_deployable_multilabel_model(pd.DataFrame({"text": texts}), onehot)
    probs = model.predict_proba(pd.DataFrame({"text": ["goal and vote", "nothing here"]}))
    assert (probs[:, -1] > 0.99).all()
    assert isinstance(model.estimators[-1], float)


def test_the_model_pickles() -> None:
    texts, given, _, _ = generate_tagged_texts(150, flip=0.0, random_state=5)
    model = fit_deployable_multilabel_model(pd.DataFrame({"text": texts}), _onehot(given))
    frame = pd.DataFrame({"text": texts[:10]})
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict_proba(frame), model.predict_proba(frame))
    with pytest.raises(ValueError, match="this model predicts 5 classes, but 3 were asked for"):
        model.predict_proba(frame, 3)


def test_too_few_labels_are_refused() -> None:
    onehot = np.full((30, 2), -1)
    onehot[:4] = [[1, 0], [0, 1], [1, 0], [0, 1]]
    with pytest.raises(InvalidLabelsError, match="only 4 rows are labeled"):
        fit_deployable_multilabel_model(pd.DataFrame({"text": ["a b"] * 30}), onehot)


def test_a_onehot_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match=r"onehot must have shape \(len\(frame\), K\) = \(3, K\)"):
        fit_deployable_multilabel_model(pd.DataFrame({"text": ["a", "b", "c"]}), [1, 0, 1])
