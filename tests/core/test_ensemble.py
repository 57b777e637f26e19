from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from goldlabel.core import ensemble
from goldlabel.core.scoring import compute_label_quality_scores
from goldlabel.exceptions import DataValidationError, InvalidPredProbsError
from tests.conftest import make_noisy_data

cl_rank = pytest.importorskip("cleanlab.rank")
# cleanlab's log loss of a float64 average of float32 members: rows sum to 1 only within 1e-7.
pytestmark = pytest.mark.filterwarnings("ignore:The y_prob values do not sum to one")
sk_metrics = pytest.importorskip("sklearn.metrics")

# (N, K, seed, dtype, imbalance)
CASES = {
    "k2-f32": (500, 2, 0, np.float32, 0.0),
    "k3-f64-imb": (800, 3, 1, np.float64, 0.5),
    "k10-f32-imb": (1500, 10, 2, np.float32, 0.1),
    "k50-f64": (2000, 50, 3, np.float64, 0.0),
    "k200-f32": (3000, 200, 4, np.float32, 0.0),
}
IDS = list(CASES)
METHODS = ("self_confidence", "normalized_margin", "confidence_weighted_entropy")
WEIGHTINGS = ("accuracy", "uniform", "custom", "log_loss_search")


def members(case: str, n_models: int = 3) -> tuple[np.ndarray, list[np.ndarray]]:
    """Labels and several models' pred_probs of the same examples, of varied sharpness."""
    n, k, seed, dtype, imbalance = CASES[case]
    labels, base, _ = make_noisy_data(n, k, seed=seed, dtype=dtype, imbalance=imbalance)
    rng = np.random.default_rng(seed + 100)
    out = [base]
    for m in range(1, n_models):
        logits = np.log(base.astype(np.float64) + 1e-12) * (0.4 + m) + rng.normal(0, 1, base.shape)
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        out.append((probs / probs.sum(axis=1, keepdims=True)).astype(dtype))
    return labels, out


@pytest.mark.parametrize("case", IDS, ids=IDS)
def test_log_loss_is_sklearns(case: str) -> None:
    labels, probs = members(case)
    for p in probs:
        assert ensemble.compute_log_loss(labels, p) == sk_metrics.log_loss(labels, p)


@pytest.mark.parametrize("weighting", WEIGHTINGS, ids=WEIGHTINGS)
@pytest.mark.parametrize("method", METHODS, ids=METHODS)
@pytest.mark.parametrize("case", IDS, ids=IDS)
def test_scores_match_cleanlab(case: str, method: str, weighting: str) -> None:
    labels, probs = members(case)
    custom = np.array([0.2, 1.5, 0.3]) if weighting == "custom" else None
    kwargs: dict[str, Any] = {
        "method": method,
        "weight_ensemble_members_by": weighting,
        "custom_weights": custom,
    }
    expected = cl_rank.get_label_quality_ensemble_scores(labels, probs, verbose=False, **kwargs)
    got = ensemble.compute_ensemble_label_quality_scores(labels, probs, **kwargs)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("seed", [0, 1, 2, 3], ids=lambda s: f"seed{s}")
@pytest.mark.parametrize("adjust", [False, True], ids=["raw", "adjusted"])
def test_log_loss_search_matches_cleanlab_over_seeds(seed: int, adjust: bool) -> None:
    labels, base, _ = make_noisy_data(700, 6, seed=seed, imbalance=0.2)
    rng = np.random.default_rng(seed)
    probs = [base]
    for temperature in rng.uniform(0.2, 4.0, size=3):
        logits = np.log(base + 1e-12) * temperature
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs.append(e / e.sum(axis=1, keepdims=True))
    t_values = [0.01, 0.3, 1.0, 3.0, 30.0]
    expected = cl_rank.get_label_quality_ensemble_scores(
        labels,
        probs,
        adjust_pred_probs=adjust,
        weight_ensemble_members_by="log_loss_search",
        log_loss_search_T_values=t_values,
        verbose=False,
    )
    got = ensemble.compute_ensemble_label_quality_scores(
        labels,
        probs,
        adjust_pred_probs=adjust,
        weight_ensemble_members_by="log_loss_search",
        log_loss_search_T_values=t_values,
    )
    np.testing.assert_array_equal(got, expected)


def test_weights() -> None:
    labels, probs = members("k10-f32-imb")
    acc = np.array([(p.argmax(axis=1) == labels).mean() for p in probs])
    np.testing.assert_allclose(
        ensemble.compute_ensemble_weights(labels, probs), acc / acc.sum(), rtol=1e-15
    )
    np.testing.assert_array_equal(
        ensemble.compute_ensemble_weights(labels, probs, weight_ensemble_members_by="uniform"),
        np.full(3, 1 / 3),
    )
    custom = ensemble.compute_ensemble_weights(
        labels, probs, weight_ensemble_members_by="custom", custom_weights=[1, 2, 3]
    )
    assert custom.tolist() == [1, 2, 3]
    searched = ensemble.compute_ensemble_weights(
        labels, probs, weight_ensemble_members_by="log_loss_search"
    )
    assert searched.sum() == pytest.approx(1.0)
    # The lowest-loss member gets the largest weight.
    losses = [ensemble.compute_log_loss(labels, p) for p in probs]
    assert int(np.argmax(searched)) == int(np.argmin(losses))


def test_uniform_is_the_mean_of_member_scores() -> None:
    labels, probs = members("k3-f64-imb")
    each = [compute_label_quality_scores(labels, p, method="normalized_margin") for p in probs]
    got = ensemble.compute_ensemble_label_quality_scores(
        labels, probs, method="normalized_margin", weight_ensemble_members_by="uniform"
    )
    np.testing.assert_allclose(got, np.mean(each, axis=0), rtol=1e-14)


def test_single_member_warns_and_equals_its_scores() -> None:
    labels, probs = members("k2-f32")
    with pytest.warns(UserWarning, match="pred_probs_list holds a single model"):
        got = ensemble.compute_ensemble_label_quality_scores(labels, probs[:1])
    np.testing.assert_allclose(got, compute_label_quality_scores(labels, probs[0]))


LABELS = np.array([0, 1, 1, 0])
P = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])
ERRORS = [
    ("array", {"pred_probs_list": np.stack([P, P])}, InvalidPredProbsError, "must be a list"),
    ("empty", {"pred_probs_list": []}, InvalidPredProbsError, "pred_probs_list is empty"),
    (
        "shapes",
        {"pred_probs_list": [P, np.full((4, 3), 1 / 3)]},
        InvalidPredProbsError,
        "model 1 has shape \\(4, 3\\) and model 0 has shape \\(4, 2\\)",
    ),
    (
        "weighting",
        {"weight_ensemble_members_by": "votes"},
        ValueError,
        "weight_ensemble_members_by must be one of",
    ),
    (
        "custom-unused",
        {"custom_weights": [1, 1]},
        ValueError,
        "custom_weights were given but weight_ensemble_members_by='accuracy'",
    ),
    (
        "custom-missing",
        {"weight_ensemble_members_by": "custom"},
        ValueError,
        "needs custom_weights",
    ),
    (
        "custom-length",
        {"weight_ensemble_members_by": "custom", "custom_weights": [1, 2, 3]},
        DataValidationError,
        "custom_weights must be 2 numbers",
    ),
    (
        "custom-text",
        {"weight_ensemble_members_by": "custom", "custom_weights": ["a", "b"]},
        DataValidationError,
        "custom_weights must be 2 numbers",
    ),
    (
        "no-temperature",
        {"weight_ensemble_members_by": "log_loss_search", "log_loss_search_T_values": []},
        ValueError,
        "log_loss_search found no temperature",
    ),
    (
        "nan-temperature",
        {"weight_ensemble_members_by": "log_loss_search", "log_loss_search_T_values": [np.nan]},
        ValueError,
        "non-empty list of finite numbers",
    ),
]


@pytest.mark.parametrize("fn", ["scores", "weights"])
@pytest.mark.parametrize(
    ("kwargs", "error", "match"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_errors(fn: str, kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    call = (
        ensemble.compute_ensemble_label_quality_scores
        if fn == "scores"
        else ensemble.compute_ensemble_weights
    )
    kwargs = {"pred_probs_list": [P, P[::-1]], **kwargs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=match):
            call(LABELS, **kwargs)


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="method must be one of"):
        ensemble.compute_ensemble_label_quality_scores(LABELS, [P, P], method="entropy")
