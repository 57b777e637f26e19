"""Active-learning query strategies (goldlabel.learn.active)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.learn.active import STRATEGIES, compute_uncertainty_scores, suggest_rows_to_label

PROBS = np.array(
    [
        [0.98, 0.01, 0.01],  # sure
        [0.50, 0.49, 0.01],  # a tie between two classes: smallest margin
        [0.40, 0.30, 0.30],  # least confident, highest entropy
        [0.70, 0.20, 0.10],
    ]
)


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("margin", [0.03, 0.99, 0.9, 0.5]),
        ("least_confidence", [0.02, 0.5, 0.6, 0.3]),
        ("entropy", [0.1, 0.68, 0.99, 0.73]),
    ],
    ids=["margin", "least-confidence", "entropy"],
)
def test_uncertainty_scores(strategy, expected):
    scores = compute_uncertainty_scores(PROBS, strategy=strategy)
    assert np.allclose(scores, expected, atol=0.01)


@pytest.mark.parametrize(
    ("strategy", "first"),
    [("margin", [1, 2]), ("least_confidence", [2, 1]), ("entropy", [2, 3])],
    ids=["margin", "least-confidence", "entropy"],
)
def test_ranking_by_uncertainty(strategy, first):
    assert suggest_rows_to_label(PROBS, strategy=strategy, batch_size=2).tolist() == first


def test_committee_picks_the_rows_members_disagree_on():
    a = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.5, 0.5]])
    b = np.array([[0.9, 0.1], [0.1, 0.9], [0.6, 0.4], [0.5, 0.5]])
    picked = suggest_rows_to_label(a, strategy="committee", committee_probs=[a, b], batch_size=1)
    assert picked.tolist() == [1]
    # Rows on which the members agree have no disagreement, however uncertain they are.
    assert suggest_rows_to_label(a, strategy="margin", batch_size=1).tolist() == [3]


def test_diverse_batch_spreads_over_feature_space():
    rng = np.random.default_rng(0)
    # 30 very uncertain rows in one tight cluster, 10 slightly less uncertain in another, 60 sure rows.
    features = np.vstack(
        [rng.normal(0, 0.01, (30, 2)), rng.normal(10, 0.01, (10, 2)), rng.normal(5, 1, (60, 2))]
    )
    margin = np.r_[rng.uniform(0.0, 0.05, 30), rng.uniform(0.05, 0.1, 10), np.full(60, 0.9)]
    probs = np.c_[(1 + margin) / 2, (1 - margin) / 2]
    by_margin = suggest_rows_to_label(probs, batch_size=4)
    diverse = suggest_rows_to_label(probs, strategy="diverse", batch_size=4, features=features)
    assert (by_margin < 30).all()  # margin alone stays in one cluster
    assert (diverse < 30).any() and ((diverse >= 30) & (diverse < 40)).any()
    assert (diverse < 40).all()  # but never trades uncertainty away for sure rows
    assert diverse[0] == by_margin[0]  # the most uncertain row comes first
    assert np.unique(diverse).size == 4


def test_diverse_accepts_sparse_features():
    sparse = pytest.importorskip("scipy.sparse")
    features = sparse.csr_matrix(np.eye(6))
    probs = np.tile([0.6, 0.4], (6, 1))
    picked = suggest_rows_to_label(probs, strategy="diverse", batch_size=3, features=features)
    assert np.unique(picked).size == 3


def test_random_is_seeded_and_uniform():
    probs = np.tile([0.5, 0.5], (100, 1))
    first = suggest_rows_to_label(probs, strategy="random", batch_size=10, random_state=1)
    again = suggest_rows_to_label(probs, strategy="random", batch_size=10, random_state=1)
    other = suggest_rows_to_label(probs, strategy="random", batch_size=10, random_state=2)
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert np.unique(first).size == 10


def test_ties_are_broken_at_random_not_in_row_order():
    probs = np.tile([0.5, 0.5], (100, 1))
    picked = suggest_rows_to_label(probs, batch_size=10, random_state=0)
    assert sorted(picked.tolist()) != list(range(10))


@pytest.mark.parametrize("strategy", STRATEGIES, ids=STRATEGIES)
def test_batch_larger_than_pool_returns_every_row(strategy):
    probs = np.array([[0.6, 0.4], [0.8, 0.2], [0.5, 0.5]])
    picked = suggest_rows_to_label(
        probs,
        strategy=strategy,
        batch_size=10,
        features=np.eye(3),
        committee_probs=[probs, probs[::-1]],
    )
    assert sorted(picked.tolist()) == [0, 1, 2]
    assert picked.dtype == np.int64


def _learning_curve(strategy: str, seed: int) -> float:
    """Digits accuracy after 20 random + 8 rounds of 10 queried labels (100 labels)."""
    X, y = load_digits(return_X_y=True)
    X_pool, X_test, y_pool, y_test = train_test_split(
        X / 16, y, test_size=0.3, stratify=y, random_state=seed
    )
    rng = np.random.default_rng(seed)
    labeled = list(rng.choice(y_pool.size, 20, replace=False))
    model = LogisticRegression(max_iter=500)
    for _ in range(8):
        model.fit(X_pool[labeled], y_pool[labeled])
        unlabeled = np.setdiff1d(np.arange(y_pool.size), labeled)
        probs = np.zeros((unlabeled.size, 10))
        probs[:, model.classes_] = model.predict_proba(X_pool[unlabeled])
        picked = suggest_rows_to_label(
            probs, strategy=strategy, batch_size=10, features=X_pool[unlabeled], random_state=seed
        )
        labeled.extend(unlabeled[picked].tolist())
    model.fit(X_pool[labeled], y_pool[labeled])
    return float(model.score(X_test, y_test))


def test_margin_beats_random_on_digits():
    margin = np.mean([_learning_curve("margin", seed) for seed in (0, 1)])
    random = np.mean([_learning_curve("random", seed) for seed in (0, 1)])
    assert margin > random + 0.02


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"strategy": "bald"}, InvalidOptionError, "strategy must be one of 'margin'"),
        ({"batch_size": 0}, InvalidOptionError, "batch_size must be a positive integer"),
        ({"batch_size": True}, InvalidOptionError, "batch_size must be a positive integer"),
        ({"strategy": "committee"}, DataValidationError, "needs committee_probs"),
        (
            {"strategy": "committee", "committee_probs": [PROBS]},
            DataValidationError,
            "at least 2 members",
        ),
        (
            {"strategy": "committee", "committee_probs": [PROBS, PROBS[:2]]},
            DataValidationError,
            r"committee_probs\[1\] has shape \(2, 3\)",
        ),
        ({"strategy": "diverse"}, DataValidationError, "needs features"),
        (
            {"strategy": "diverse", "features": np.eye(3)},
            DataValidationError,
            r"features must have one row per row of pred_probs \(4\)",
        ),
    ],
    ids=[
        "strategy",
        "batch-0",
        "batch-bool",
        "no-committee",
        "one-member",
        "member-shape",
        "no-features",
        "features-rows",
    ],
)
def test_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        suggest_rows_to_label(PROBS, **kwargs)


def test_scores_reject_strategies_that_need_more_than_pred_probs():
    with pytest.raises(InvalidOptionError, match="strategy must be one of 'margin'"):
        compute_uncertainty_scores(PROBS, strategy="committee")
