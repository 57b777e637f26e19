from __future__ import annotations

import numpy as np
import pytest

from goldlabel.exceptions import InvalidOptionError
from goldlabel.weak import (
    LabelModel,
    MajorityVoteLabelModel,
    find_lf_label_issues,
    suggest_labels_from_lfs,
)
from tests.weak.conftest import make_label_matrix


def test_suggestions_shape_and_coverage():
    L, y = make_label_matrix(2000, np.array([0.9, 0.8, 0.7]), np.array([0.3, 0.3, 0.3]), seed=2)
    probs, covered = suggest_labels_from_lfs(L, n_classes=2)
    assert probs.shape == (2000, 2) and covered.dtype == bool
    assert covered.tolist() == (L >= 0).any(axis=1).tolist()
    assert (probs.argmax(axis=1) == y)[covered].mean() > 0.8
    fitted = MajorityVoteLabelModel(n_classes=2).fit(L)
    probs_mv, _ = suggest_labels_from_lfs(L, model=fitted)
    np.testing.assert_allclose(probs_mv, fitted.predict_proba(L))


def test_label_issues_find_flipped_labels():
    L, y = make_label_matrix(3000, np.full(6, 0.9), np.full(6, 0.5), seed=4)
    given = y.copy()
    rng = np.random.default_rng(0)
    flipped = rng.random(3000) < 0.1
    given[flipped] = 1 - given[flipped]
    given[:50] = -1  # unlabeled rows are never flagged
    mask, score = find_lf_label_issues(given, L, n_classes=2)
    assert not mask[:50].any() and (score[:50] == 0).all()
    assert score.min() >= 0 and score.max() <= 1
    precision = flipped[mask].mean()
    recall = mask[flipped & (given >= 0)].mean()
    assert precision > 0.85 and recall > 0.3
    uncovered = ~(L >= 0).any(axis=1)
    assert not mask[uncovered].any()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: suggest_labels_from_lfs([[0, 1]]), "pass n_classes=K"),
        (lambda: suggest_labels_from_lfs([[0, 1]], model="lm"), "must be a goldlabel label model"),
        (
            lambda: find_lf_label_issues([0], [[0, 1]], n_classes=2, min_confidence=2),
            "min_confidence",
        ),
    ],
    ids=["no-k", "bad-model", "confidence"],
)
def test_suggestion_errors(call, match):
    with pytest.raises(InvalidOptionError, match=match):
        call()


def test_unfitted_model_is_fitted():
    model = LabelModel(n_classes=2)
    suggest_labels_from_lfs([[0, 0], [1, -1]], model=model)
    assert model.n_lfs_ == 2
