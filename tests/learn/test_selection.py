"""Model candidates, selection by log loss, ensembles and temperature scaling."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_iris
from sklearn.utils.estimator_checks import check_estimator

from goldlabel.exceptions import InvalidLabelsError, InvalidOptionError, InvalidPredProbsError
from goldlabel.learn import (
    Candidate,
    SmoothedKNNClassifier,
    apply_temperature,
    compute_log_loss,
    fit_temperature,
    get_candidate,
    list_candidates,
    refit_choice,
    select_model,
)
from goldlabel.learn.selection import build_ensemble


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_iris(return_X_y=True)
    return x, y


# -- candidates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "kind", "names"),
    [
        (sp.csr_matrix(np.ones((3, 2))), "text", ["logistic_regression", "complement_naive_bayes"]),
        (sp.csr_matrix(-np.ones((3, 2))), "mixed", ["logistic_regression"]),
        (np.ones((3, 2)), "tabular", ["logistic_regression", "gradient_boosting", "knn_euclidean"]),
        (np.ones((3, 2)), "embedding", ["logistic_regression_embeddings", "knn"]),
        (np.ones((3, 2)), "image", ["logistic_regression", "gradient_boosting"]),
    ],
    ids=["text", "mixed-negative", "tabular", "embedding", "image"],
)
def test_list_candidates_by_kind(x: object, kind: str, names: list[str]) -> None:
    assert [c.name for c in list_candidates(x, kind=kind)] == names


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: get_candidate("svm"), "unknown model candidate 'svm'"),
        (
            lambda: list_candidates(np.ones((2, 2)), kind="audio"),
            "no model candidate suits features of kind 'audio'",
        ),
    ],
    ids=["unknown-name", "unknown-kind"],
)
def test_candidate_lookups_refuse_unknown_names(call: object, match: str) -> None:
    with pytest.raises(InvalidOptionError, match=match):
        call()  # type: ignore[operator]


def test_smoothed_knn_passes_the_estimator_checks() -> None:
    check_estimator(SmoothedKNNClassifier(n_neighbors=3, metric="euclidean"))


def test_smoothed_knn_never_gives_zero_probability(iris: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = iris
    probs = SmoothedKNNClassifier(n_neighbors=5, metric="euclidean").fit(x, y).predict_proba(x)
    assert (probs > 0).all() and ((probs.argmax(axis=1) == y).mean() > 0.9)


# -- calibration --------------------------------------------------------------------------------


def test_temperature_scaling_lowers_log_loss_of_an_overconfident_model() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 3000)
    right = rng.random(3000) < 0.75
    predicted = np.where(right, labels, (labels + rng.integers(1, 3, 3000)) % 3)
    probs = np.full((3000, 3), 0.01)
    probs[np.arange(3000), predicted] = 0.98
    temperature = fit_temperature(probs, labels)
    calibrated = apply_temperature(probs, temperature)
    assert temperature > 1
    assert compute_log_loss(labels, calibrated) < compute_log_loss(labels, probs)
    np.testing.assert_array_equal(calibrated.argmax(axis=1), probs.argmax(axis=1))


def test_fit_temperature_keeps_one_when_it_cannot_help() -> None:
    probs = np.array([[0.5, 0.5], [0.5, 0.5]])
    assert fit_temperature(probs, [0, 1]) == 1.0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: apply_temperature([[0.5, 0.5]], 0.0),
            InvalidOptionError,
            "temperature must be a positive",
        ),
        (lambda: apply_temperature([0.5, 0.5], 1.0), InvalidPredProbsError, r"got shape \(2,\)"),
        (
            lambda: apply_temperature([[np.nan, 1.0]], 1.0),
            InvalidPredProbsError,
            "finite and non-negative",
        ),
        (lambda: fit_temperature([[0.5, 0.5]], [-1]), InvalidLabelsError, "needs labeled rows"),
        (
            lambda: fit_temperature([[0.5, 0.5]], [0], bounds=(2, 1)),
            InvalidOptionError,
            "0 < low < high",
        ),
    ],
    ids=["zero-temperature", "1d-probs", "nan-probs", "no-labels", "bad-bounds"],
)
def test_calibration_refuses_bad_input(call: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]


# -- selection ----------------------------------------------------------------------------------


def test_select_model_compares_candidates_and_calibrates(
    iris: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = iris
    selection = select_model(
        x, y, kind="tabular", candidates=["logistic_regression", "knn_euclidean"], random_state=0
    )
    choice = selection.choice
    assert set(choice.log_losses) >= {"logistic_regression", "knn_euclidean"}
    assert selection.pred_probs.shape == (150, 3)
    best_single = min(v for k, v in choice.log_losses.items() if k != "ensemble")
    assert compute_log_loss(y, selection.pred_probs) <= best_single + 1e-9
    assert sum(choice.weights) == pytest.approx(1.0)
    assert choice.name.startswith("ensemble(") == (len(choice.members) > 1)


def test_select_model_respects_the_time_budget(iris: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = iris
    selection = select_model(x, y, kind="tabular", time_budget=1e-9)
    assert list(selection.choice.log_losses) == ["logistic_regression"]
    assert selection.choice.skipped == ["gradient_boosting", "knn_euclidean"]


def test_select_model_accepts_custom_candidates(iris: tuple[np.ndarray, np.ndarray]) -> None:
    from sklearn.naive_bayes import GaussianNB

    x, y = iris
    custom = Candidate("gaussian_nb", lambda seed: GaussianNB(), ("tabular",))
    selection = select_model(x, y, kind="tabular", candidates=[custom, "logistic_regression"])
    assert set(selection.member_probs) == {"gaussian_nb", "logistic_regression"}


def test_refit_choice_keeps_members_and_uses_the_mask(iris: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = iris
    first = select_model(x, y, kind="tabular", candidates=["logistic_regression"], calibrate=False)
    mask = np.ones(150, bool)
    mask[:10] = False
    again = refit_choice(x, y, first.choice, folds=first.folds, train_mask=mask, calibrate=False)
    assert again.choice.members == ["logistic_regression"]
    assert not np.allclose(again.pred_probs, first.pred_probs)


def test_build_ensemble_prefers_the_average_of_complementary_models() -> None:
    labels = np.array([0, 1, 0, 1])
    a = np.array([[0.9, 0.1], [0.1, 0.9], [0.2, 0.8], [0.3, 0.7]])
    b = np.array([[0.2, 0.8], [0.3, 0.7], [0.9, 0.1], [0.1, 0.9]])
    names, weights, loss = build_ensemble({"a": a, "b": b}, labels)
    assert names == ["a", "b"] and weights == [0.5, 0.5]
    assert loss < min(compute_log_loss(labels, a), compute_log_loss(labels, b))


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"time_budget": 0}, "time_budget must be a positive"),
        ({"candidates": []}, "candidates is empty"),
        ({"candidates": ["svm"]}, "unknown model candidate"),
    ],
    ids=["no-time", "no-candidates", "unknown-candidate"],
)
def test_select_model_refuses_bad_options(
    iris: tuple[np.ndarray, np.ndarray], options: dict, match: str
) -> None:
    x, y = iris
    with pytest.raises(InvalidOptionError, match=match):
        select_model(x, y, kind="tabular", **options)
