"""goldlabel's label-quality scores and rankings equal cleanlab 2.9's ``cleanlab.rank``: the same
floats in the same dtype, and the same order of indices, also when many scores are tied."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from goldlabel.core import counting, scoring
from tests.core.datasets import (
    F64,
    SCORING_IDS,
    SCORINGS,
    Data,
    assert_same,
    class_absent,
    duplicated,
    noisy,
    onehot_rows,
    registry,
    rounded,
)

cleanlab_rank = pytest.importorskip("cleanlab.rank")
cleanlab_filter = pytest.importorskip("cleanlab.filter")

METHODS = ["self_confidence", "normalized_margin", "confidence_weighted_entropy"]
_BUILDERS: dict[str, Callable[[], Data]] = {
    "k2": lambda: noisy(400, 2, 0),
    "k3-imbalanced-f64": lambda: noisy(600, 3, 1, imbalance=1.0, **F64),
    "k5-noiseless": lambda: noisy(1000, 5, 2, noise=0.0),
    "k17-f64": lambda: noisy(1500, 17, 3, noise=0.2, **F64),
    "k200": lambda: noisy(3000, 200, 4),
    "k4-round2": lambda: rounded(noisy(800, 4, 5, noise=0.2), 2),
    "k7-round1-f64": lambda: rounded(noisy(700, 7, 6, noise=0.2, **F64), 1),
    "k6-duplicated": lambda: duplicated(noisy(400, 6, 7, noise=0.2), seed=1, copies=2),
    "k5-onehot-rows": lambda: onehot_rows(noisy(600, 5, 8, noise=0.2), every=11),
    "k4-class-absent": lambda: class_absent(noisy(500, 4, 9, noise=0.2), 1),
}
ALL = list(_BUILDERS)
dataset = registry(_BUILDERS)


@pytest.mark.parametrize(("method", "adjust"), SCORINGS, ids=SCORING_IDS)
@pytest.mark.parametrize("name", ALL, ids=ALL)
def test_label_quality_scores_match_cleanlab(name: str, method: str, adjust: bool) -> None:
    labels, pred_probs = dataset(name)
    expected = cleanlab_rank.get_label_quality_scores(
        labels, pred_probs, method=method, adjust_pred_probs=adjust
    )
    got = scoring.compute_label_quality_scores(
        labels, pred_probs, method=method, adjust_pred_probs=adjust
    )
    assert_same(got, expected)


@pytest.mark.parametrize("method", ["self_confidence", "normalized_margin"])
@pytest.mark.parametrize("name", ["k3-imbalanced-f64", "k4-round2", "k4-class-absent"])
def test_scores_with_given_thresholds_match_cleanlab(name: str, method: str) -> None:
    labels, pred_probs = dataset(name)
    thresholds = np.linspace(0.2, 0.8, pred_probs.shape[1])
    expected = cleanlab_rank._compute_label_quality_scores(
        labels, pred_probs, method=method, adjust_pred_probs=True, confident_thresholds=thresholds
    )
    got = scoring.compute_label_quality_scores(
        labels, pred_probs, method=method, adjust_pred_probs=True, confident_thresholds=thresholds
    )
    assert_same(got, expected)


def test_adjusted_confidence_weighted_entropy_is_refused_like_cleanlab() -> None:
    labels, pred_probs = dataset("k2")
    kwargs: dict[str, Any] = {"method": "confidence_weighted_entropy", "adjust_pred_probs": True}
    with pytest.raises(ValueError, match="not currently supported"):
        cleanlab_rank.get_label_quality_scores(labels, pred_probs, **kwargs)
    with pytest.raises(ValueError, match="not supported with method='confidence_weighted_entropy'"):
        scoring.compute_label_quality_scores(labels, pred_probs, **kwargs)


def test_unknown_method_is_refused() -> None:
    labels, pred_probs = dataset("k2")
    with pytest.raises(ValueError, match="method must be one of"):
        scoring.compute_label_quality_scores(labels, pred_probs, method="entropy")


# --------------------------------------------------------------------------------------------------
# order_label_issues
# --------------------------------------------------------------------------------------------------


def _mask(kind: str, labels: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    n = labels.size
    if kind == "found":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cleanlab_filter.find_label_issues(labels, pred_probs, n_jobs=1)
    if kind == "random":
        return np.random.default_rng(n).random(n) < 0.3
    if kind == "all":
        return np.ones(n, dtype=bool)
    if kind == "none":
        return np.zeros(n, dtype=bool)
    mask = np.zeros(n, dtype=bool)  # "one"
    mask[n // 2] = True
    return mask


MASKS = ["found", "random", "all", "none", "one"]


@pytest.mark.parametrize("mask_kind", MASKS)
@pytest.mark.parametrize(("rank_by", "adjust"), SCORINGS, ids=SCORING_IDS)
@pytest.mark.parametrize("name", ALL, ids=ALL)
def test_order_label_issues_matches_cleanlab(
    name: str, rank_by: str, adjust: bool, mask_kind: str
) -> None:
    labels, pred_probs = dataset(name)
    mask = _mask(mask_kind, labels, pred_probs)
    kwargs: dict[str, Any] = {"rank_by": rank_by, "rank_by_kwargs": {"adjust_pred_probs": adjust}}
    expected = cleanlab_rank.order_label_issues(mask, labels, pred_probs, **kwargs)
    got = scoring.order_label_issues(mask, labels, pred_probs, **kwargs)
    assert_same(got, expected)


def test_order_label_issues_default_ranking_matches_cleanlab() -> None:
    labels, pred_probs = dataset("k4-round2")
    mask = _mask("random", labels, pred_probs)
    expected = cleanlab_rank.order_label_issues(mask, labels, pred_probs)
    assert_same(scoring.order_label_issues(mask, labels, pred_probs), expected)


def test_order_label_issues_accepts_a_list_mask() -> None:
    labels, pred_probs = dataset("k6-duplicated")
    mask = _mask("random", labels, pred_probs)
    expected = cleanlab_rank.order_label_issues(mask, labels, pred_probs)
    assert_same(scoring.order_label_issues(mask.tolist(), labels, pred_probs), expected)


def test_order_label_issues_refuses_a_mask_of_the_wrong_length() -> None:
    labels, pred_probs = dataset("k2")
    with pytest.raises(ValueError, match="label_issues_mask must have one entry per example"):
        scoring.order_label_issues(np.ones(labels.size - 1, dtype=bool), labels, pred_probs)


def test_unknown_rank_by_kwargs_are_refused_like_cleanlab() -> None:
    labels, pred_probs = dataset("k2")
    mask = _mask("random", labels, pred_probs)
    kwargs: dict[str, Any] = {"rank_by_kwargs": {"temperature": 2.0}}
    with pytest.raises(TypeError, match="temperature"):
        cleanlab_rank.order_label_issues(mask, labels, pred_probs, **kwargs)
    with pytest.raises(TypeError, match="rank_by_kwargs accepts only 'adjust_pred_probs'"):
        scoring.order_label_issues(mask, labels, pred_probs, **kwargs)


# --------------------------------------------------------------------------------------------------
# find_top_issues
# --------------------------------------------------------------------------------------------------


def _scores(kind: str) -> np.ndarray:
    rng = np.random.default_rng(len(kind))
    if kind == "continuous":
        return rng.random(500)
    if kind == "rounded":
        return np.round(rng.random(500), 1)
    if kind == "constant":
        return np.full(300, 0.5)
    if kind == "float32-ties":
        return np.round(rng.random(2000), 2).astype(np.float32)
    labels, pred_probs = dataset("k4-round2")  # "cleanlab-scores"
    return cleanlab_rank.get_label_quality_scores(labels, pred_probs)


@pytest.mark.parametrize("top", [None, 0, 1, 10, 299, 300, 10**6], ids=lambda t: f"top{t}")
@pytest.mark.parametrize("kind", ["continuous", "rounded", "constant", "float32-ties", "cleanlab"])
def test_find_top_issues_matches_cleanlab(kind: str, top: int | None) -> None:
    scores = _scores(kind)
    expected = cleanlab_rank.find_top_issues(scores, top=top)
    assert_same(scoring.find_top_issues(scores, top=top), expected)


def test_find_top_issues_default_top_matches_cleanlab() -> None:
    scores = _scores("rounded")
    assert_same(scoring.find_top_issues(scores), cleanlab_rank.find_top_issues(scores))


def test_find_top_issues_refuses_2d_scores() -> None:
    with pytest.raises(ValueError, match="quality_scores must be 1-D"):
        scoring.find_top_issues(np.zeros((3, 2)))


def test_thresholds_used_for_adjusting_are_the_confident_thresholds() -> None:
    """Adjusting with the thresholds passed explicitly equals adjusting with the default ones."""
    labels, pred_probs = dataset("k17-f64")
    thresholds = counting.compute_confident_thresholds(labels, pred_probs)
    for method in ["self_confidence", "normalized_margin"]:
        default = scoring.compute_label_quality_scores(
            labels, pred_probs, method=method, adjust_pred_probs=True
        )
        given = scoring.compute_label_quality_scores(
            labels,
            pred_probs,
            method=method,
            adjust_pred_probs=True,
            confident_thresholds=thresholds,
        )
        assert_same(given, default)
