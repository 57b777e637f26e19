from __future__ import annotations

import numpy as np
import pytest

from goldlabel.core import filtering
from tests.conftest import make_noisy_data
from tests.core.datasets import assert_same, quietly

cleanlab_filter = pytest.importorskip("cleanlab.filter")

FILTER_BY = filtering.FILTER_BY


def _assert_matches_cleanlab(labels: np.ndarray, pred_probs: np.ndarray, filter_by: str) -> None:
    expected = quietly(
        cleanlab_filter.find_label_issues, labels, pred_probs, filter_by=filter_by, n_jobs=1
    )
    assert_same(
        quietly(filtering.find_label_issues, labels, pred_probs, filter_by=filter_by), expected
    )


@pytest.mark.parametrize("filter_by", FILTER_BY, ids=FILTER_BY)
@pytest.mark.parametrize(
    ("n", "k", "seed"),
    [(500, 2, 0), (2000, 5, 1), (3000, 17, 2), (1000, 60, 3), (4000, 200, 4)],
    ids=["k2", "k5", "k17", "k60", "k200"],
)
def test_mask_matches_cleanlab(filter_by: str, n: int, k: int, seed: int) -> None:
    labels, pred_probs, _ = make_noisy_data(n, k, seed=seed, noise=0.15)
    _assert_matches_cleanlab(labels, pred_probs, filter_by)


def test_finds_injected_flips(noisy_data) -> None:
    labels, pred_probs, flipped = noisy_data
    mask = filtering.find_label_issues(labels, pred_probs)
    precision = flipped[mask].mean()
    recall = mask[flipped].mean()
    assert precision > 0.8 and recall > 0.8


def test_unknown_filter_by_is_refused() -> None:
    with pytest.raises(ValueError, match="filter_by must be one of"):
        filtering.find_label_issues([0, 1], [[0.9, 0.1], [0.2, 0.8]], filter_by="nope")


@pytest.mark.parametrize(
    ("n", "k", "seed", "rounded"),
    [(3000, 300, 5, False), (4000, 400, 6, True), (2500, 260, 7, False)],
    ids=["k300", "k400-ties", "k260"],
)
@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "both"], ids=["pbnr", "both"])
def test_many_classes_path_matches_cleanlab(
    n: int, k: int, seed: int, rounded: bool, filter_by: str
) -> None:
    labels, pred_probs, _ = make_noisy_data(n, k, seed=seed, noise=0.3)
    if rounded:
        pred_probs = np.round(pred_probs, 2).astype(np.float64)
        pred_probs /= pred_probs.sum(axis=1, keepdims=True)
    _assert_matches_cleanlab(labels, pred_probs, filter_by)
