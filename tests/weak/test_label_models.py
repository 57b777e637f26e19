from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidOptionError
from goldlabel.weak import (
    DawidSkeneLabelModel,
    LabelModel,
    MajorityVoteLabelModel,
    MomentLabelModel,
)
from tests.weak.conftest import make_label_matrix

MODELS = [LabelModel, DawidSkeneLabelModel, MomentLabelModel, MajorityVoteLabelModel]
IDS = [m.__name__ for m in MODELS]
ACC = np.array([0.95, 0.9, 0.85, 0.75, 0.65, 0.6, 0.6, 0.55])
COV = np.array([0.2, 0.3, 0.4, 0.5, 0.5, 0.6, 0.5, 0.6])


@pytest.fixture(scope="module")
def binary():
    return make_label_matrix(6000, ACC, COV, seed=1)


@pytest.mark.parametrize("model_cls", MODELS, ids=IDS)
def test_sklearn_face(model_cls, binary):
    L, _ = binary
    model = model_cls(n_classes=2)
    assert model.fit(L) is model
    fitted = {k for k in vars(model) if k.endswith("_") and not k.startswith("_")}
    assert {"n_classes_", "n_lfs_", "class_balance_"} <= fitted
    proba = model.predict_proba(L)
    assert proba.shape == (len(L), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.predict(L).tolist() == proba.argmax(axis=1).tolist()
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        model_cls(n_classes=2).predict_proba(L)


@pytest.mark.parametrize(
    "model_cls", [LabelModel, DawidSkeneLabelModel, MomentLabelModel], ids=IDS[:3]
)
def test_beats_majority_vote_on_covered_rows(model_cls, binary):
    L, y = binary
    covered = (L >= 0).any(axis=1)
    mv = MajorityVoteLabelModel(n_classes=2).fit(L).predict_proba(L)
    # expected MV accuracy with ties split evenly
    top = np.isclose(mv, mv.max(axis=1, keepdims=True))
    mv_acc = (top[np.arange(len(y)), y] / top.sum(axis=1))[covered].mean()
    acc = (model_cls(n_classes=2).fit(L).predict(L) == y)[covered].mean()
    assert acc > mv_acc + 0.01


@pytest.mark.parametrize("model_cls", [LabelModel, MomentLabelModel], ids=IDS[:3:2])
def test_recovers_lf_accuracies(model_cls, binary):
    L, _ = binary
    model = model_cls(n_classes=2).fit(L)
    np.testing.assert_allclose(model.accuracies_, ACC, atol=0.05)


def test_dawid_skene_recovers_accuracies_roughly(binary):
    L, _ = binary
    model = DawidSkeneLabelModel(n_classes=2).fit(L)
    assert np.corrcoef(model.accuracies_, ACC)[0, 1] > 0.95


def test_multiclass_unipolar_lfs_beat_majority_vote():
    # each LF votes one class only (like real keyword LFs); broad LFs are noisy, narrow ones precise
    rng = np.random.default_rng(3)
    n, k = 6000, 3
    y = rng.integers(0, k, n)
    cols = []
    for c in range(k):
        for cov, acc in [(0.6, 0.5), (0.1, 0.95), (0.1, 0.9)]:
            # fires on cov of class c and rarely elsewhere, so that its precision is about acc
            p_fire = np.where(y == c, cov, cov * (1 - acc) / acc / (k - 1))
            cols.append(np.where(rng.random(n) < p_fire, c, -1))
    L = np.stack(cols, axis=1)
    covered = (L >= 0).any(axis=1)
    mv = MajorityVoteLabelModel(n_classes=k).fit(L).predict_proba(L)
    top = np.isclose(mv, mv.max(axis=1, keepdims=True))
    mv_acc = (top[np.arange(n), y] / top.sum(axis=1))[covered].mean()
    lm_acc = (LabelModel(n_classes=k).fit(L).predict(L) == y)[covered].mean()
    assert lm_acc > mv_acc


@pytest.mark.parametrize("model_cls", MODELS, ids=IDS)
def test_abstains_and_uncovered_rows(model_cls):
    L = np.array([[0, 0, -1], [1, 1, 1], [0, -1, 0], [-1, 1, 1], [-1, -1, -1], [1, -1, -1]] * 20)
    model = model_cls(n_classes=2).fit(L)
    proba = model.predict_proba(np.array([[-1, -1, -1], [0, -1, -1]]))
    assert np.isfinite(proba).all()
    if model_cls in (LabelModel, MajorityVoteLabelModel):
        np.testing.assert_allclose(proba[0], [0.5, 0.5])  # balanced: no evidence, no opinion
    elif model_cls is MomentLabelModel:
        np.testing.assert_allclose(proba[0], model.class_balance_, atol=1e-6)
    else:  # Dawid-Skene models abstains, so silence of every LF is evidence too
        np.testing.assert_allclose(proba[0].sum(), 1.0)
    assert proba[1, 0] > 0.5


def test_label_model_unbalanced_uses_class_balance():
    L = np.array([[0, -1], [0, 0], [1, -1], [-1, -1]] * 10)
    model = LabelModel(n_classes=2, balanced=False, class_balance=[0.8, 0.2]).fit(L)
    np.testing.assert_allclose(model.predict_proba([[-1, -1]])[0], [0.8, 0.2])
    assert model.precisions_.shape == (2, 2) and np.isnan(model.precisions_[1, 1])


def test_all_abstain_lf_and_unvoted_class():
    L = np.array([[0, -1], [0, -1], [1, -1], [-1, -1]])
    model = LabelModel(n_classes=3).fit(L)
    assert np.isnan(model.accuracies_[1])
    assert np.isnan(model.precisions_[0, 2])
    assert model.predict_proba(L).shape == (4, 3)


@pytest.mark.parametrize(
    ("model", "L", "error", "match"),
    [
        (
            LabelModel(n_classes=1),
            [[0]],
            InvalidOptionError,
            "n_classes of LabelModel must be an int >= 2",
        ),
        (LabelModel(n_classes="2"), [[0]], InvalidOptionError, "must be an int >= 2"),
        (LabelModel(prior_accuracy=1.5), [[0]], InvalidOptionError, "prior_accuracy of LabelModel"),
        (LabelModel(max_iter=0), [[0]], InvalidOptionError, "max_iter of LabelModel"),
        (
            LabelModel(class_balance=[1, 0]),
            [[0]],
            InvalidOptionError,
            "class_balance of LabelModel",
        ),
        (MomentLabelModel(class_balance="x"), [[0]], InvalidOptionError, "'uniform'"),
        (DawidSkeneLabelModel(prior_strength=-1), [[0]], InvalidOptionError, "prior_strength"),
        (LabelModel(), [[0, 2]], DataValidationError, "n_classes=2 allows only 0..1"),
        (LabelModel(), np.zeros((0, 3), dtype=int), InvalidOptionError, "0 rows"),
        (LabelModel(), None, DataValidationError, "is None"),
    ],
    ids=[
        "k1",
        "k-str",
        "prior",
        "max-iter",
        "balance",
        "moment-balance",
        "strength",
        "class-range",
        "empty",
        "none",
    ],
)
def test_fit_errors(model, L, error, match):
    with pytest.raises(error, match=match):
        model.fit(L)


def test_predict_checks_shape_and_score(binary):
    L, y = binary
    model = LabelModel().fit(L)
    with pytest.raises(DataValidationError, match="fitted on 8"):
        model.predict(L[:, :3])
    assert 0.8 < model.score(L, y) <= 1.0
    with pytest.raises(InvalidOptionError, match="at least one gold label"):
        model.score(L[:3], [-1, -1, -1])
    with pytest.raises(InvalidLabelsError, match="one entry per row"):
        model.score(L, y[:5])
