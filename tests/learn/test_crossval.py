"""Cross-validated probabilities and folds."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidOptionError
from goldlabel.learn import assign_folds, compute_log_loss, cross_val_pred_probs
from goldlabel.learn.crossval import validate_labels


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    data = load_digits()
    return data.data[:300] / 16.0, data.target[:300]


def test_labeled_rows_are_predicted_out_of_sample(digits: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = digits
    result = cross_val_pred_probs(x, y, random_state=0)
    assert result.pred_probs.shape == (300, 10)
    np.testing.assert_allclose(result.pred_probs.sum(axis=1), 1.0)
    assert (result.pred_probs.argmax(axis=1) == y).mean() > 0.9
    # each row's probabilities come from the model of its own fold, which never saw it
    fold = 0
    train = result.folds != fold
    model = LogisticRegression(C=1.0, max_iter=1000, random_state=0).fit(x[train], y[train])
    np.testing.assert_allclose(
        result.pred_probs[~train], model.predict_proba(x[~train]), rtol=1e-6, atol=1e-9
    )


def test_unlabeled_rows_come_from_a_model_fit_on_every_labeled_row(
    digits: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = digits
    labels = y.copy()
    labels[::7] = -1
    result = cross_val_pred_probs(x, labels)
    keep = labels >= 0
    model = LogisticRegression(C=1.0, max_iter=1000, random_state=0).fit(x[keep], labels[keep])
    np.testing.assert_allclose(result.pred_probs[~keep], model.predict_proba(x[~keep]), rtol=1e-6)
    assert (result.folds[~keep] == -1).all()


def test_results_are_deterministic_given_random_state(
    digits: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = digits
    a = cross_val_pred_probs(x, y, random_state=3)
    b = cross_val_pred_probs(x, y, random_state=3)
    c = cross_val_pred_probs(x, y, random_state=4)
    np.testing.assert_array_equal(a.pred_probs, b.pred_probs)
    assert not np.array_equal(a.folds, c.folds)


@pytest.mark.slow
def test_parallel_folds_give_the_same_probabilities(digits: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = digits
    serial = cross_val_pred_probs(x[:100], y[:100])
    parallel = cross_val_pred_probs(x[:100], y[:100], n_jobs=2)
    np.testing.assert_allclose(serial.pred_probs, parallel.pred_probs)


@pytest.mark.parametrize("count", [1, 2, 3], ids=["one-row", "two-rows", "three-rows"])
def test_classes_with_very_few_rows_are_handled(count: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60 + count, 3))
    labels = np.r_[np.zeros(30, int), np.ones(30, int), np.full(count, 2)]
    x[labels == 2] += 5
    result = cross_val_pred_probs(x, labels, n_folds=5)
    assert np.isfinite(result.pred_probs).all() and (result.pred_probs > 0).all()
    assert result.pred_probs.shape == (60 + count, 3)
    assert np.isfinite(result.log_loss)


def test_train_mask_keeps_rows_out_of_training_but_predicts_them() -> None:
    x = np.r_[np.zeros((20, 1)), np.ones((20, 1))]
    labels = np.r_[np.zeros(20, int), np.ones(20, int)]
    labels[0] = 1  # a wrong label
    mask = np.ones(40, bool)
    mask[0] = False
    result = cross_val_pred_probs(x, labels, train_mask=mask)
    assert result.pred_probs[0].argmax() == 0


def test_assign_folds_is_stratified_and_spreads_small_classes() -> None:
    labels = np.r_[np.zeros(50, int), np.ones(3, int), -np.ones(4, int)]
    folds = assign_folds(labels, n_folds=5)
    assert (folds[labels < 0] == -1).all()
    assert np.bincount(folds[labels == 0]).tolist() == [10] * 5
    assert np.unique(folds[labels == 1]).size == 3


def test_compute_log_loss_skips_unlabeled_rows() -> None:
    probs = np.array([[0.5, 0.5], [0.25, 0.75], [1.0, 0.0]])
    assert compute_log_loss([0, 1, -1], probs) == pytest.approx(-(np.log(0.5) + np.log(0.75)) / 2)
    assert np.isnan(compute_log_loss([-1, -1, -1], probs))


@pytest.mark.parametrize(
    ("labels", "options", "error", "match"),
    [
        ([0] * 10, {}, InvalidLabelsError, "at least 2 classes; got 10 labeled rows of 1 class"),
        ([0, -1, -1, -1, -1, -1, -1, -1, -1, 1], {}, InvalidLabelsError, "got 2 labeled rows"),
        ([[0, 1]] * 5, {}, InvalidLabelsError, "1-D array"),
        ([0, 1] * 4, {}, InvalidLabelsError, "8 entries but the features have 10 rows"),
        ([0.5] * 10, {}, InvalidLabelsError, "integer class indices"),
        ([0, -2] * 5, {}, InvalidLabelsError, "minimum of -2"),
        ([0, 3] * 5, {"n_classes": 2}, InvalidLabelsError, "below n_classes=2"),
        (
            [0, 1] * 5,
            {"train_mask": [True]},
            DataValidationError,
            r"train_mask must be .* shape \(10,\)",
        ),
        ([0, 1] * 5, {"folds": [-1] * 10}, DataValidationError, "fold index >= 0"),
        ([0, 1] * 5, {"n_folds": 1}, InvalidOptionError, "n_folds must be at least 2"),
    ],
    ids=[
        "one-class",
        "too-few-labeled-ok-but-2",
        "2d-labels",
        "wrong-length",
        "fractional",
        "below-minus-one",
        "too-large",
        "bad-mask",
        "bad-folds",
        "one-fold",
    ],
)
def test_cross_val_pred_probs_refuses_bad_input(
    labels: list, options: dict, error: type, match: str
) -> None:
    x = np.random.default_rng(0).normal(size=(10, 2))
    if options.get("n_folds") == 1:
        with pytest.raises(error, match=match):
            assign_folds(labels, n_folds=1)
        return
    if "labeled rows" in match and "got 2" in match:
        result = cross_val_pred_probs(x, labels)  # two rows of two classes is enough
        assert result.pred_probs.shape == (10, 2)
        return
    with pytest.raises(error, match=match):
        cross_val_pred_probs(x, labels, **options)


def test_validate_labels_accepts_integral_floats() -> None:
    assert validate_labels(np.array([0.0, 1.0, -1.0])).tolist() == [0, 1, -1]


def test_unlabeled_rows_can_be_averaged_over_the_fold_models(
    digits: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = digits
    labels = y.copy()
    labels[::7] = -1
    full = cross_val_pred_probs(x, labels)
    average = cross_val_pred_probs(x, labels, unlabeled="average")
    keep = labels >= 0
    np.testing.assert_allclose(average.pred_probs[keep], full.pred_probs[keep])
    expected = np.zeros((int((~keep).sum()), 10))
    for fold in range(5):
        train = keep & (full.folds != fold)
        model = LogisticRegression(C=1.0, max_iter=1000, random_state=0).fit(
            x[train], labels[train]
        )
        expected += model.predict_proba(x[~keep]) / 5
    np.testing.assert_allclose(average.pred_probs[~keep], expected, rtol=1e-6, atol=1e-12)
    with pytest.raises(InvalidOptionError, match="unlabeled must be 'full' or 'average'"):
        cross_val_pred_probs(x, labels, unlabeled="fold")
