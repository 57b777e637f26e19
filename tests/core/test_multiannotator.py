"""goldlabel.core.multiannotator: majority vote, CROWDLAB, and parity with cleanlab 2.9."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from goldlabel.core.multiannotator import (
    RandomTieBreakWarning,
    check_multiannotator_labels,
    compute_consensus,
    compute_majority_vote_labels,
    convert_long_to_wide_labels,
    find_best_temperature,
    scale_by_temperature,
)
from goldlabel.exceptions import InvalidLabelsError, InvalidOptionError, InvalidPredProbsError

NAN = np.nan


def make_crowd(
    seed: int,
    *,
    n: int = 150,
    m: int = 5,
    k: int = 3,
    missing: float = 0.4,
    dtype: Any = np.float64,
    ties: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Annotators of accuracy 0.3-0.95 (a few spammers), NaN for missing labels, noisy pred_probs.

    Every row and column has a label; ``ties=True`` gives pred_probs with exactly tied entries.
    """
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    accuracy = rng.uniform(0.3, 0.95, m)
    noise = rng.integers(0, k, (n, m))
    labels = np.where(rng.random((n, m)) < accuracy, truth[:, None], noise).astype(np.float64)
    labels[rng.random((n, m)) < missing] = NAN
    empty = np.isnan(labels).all(axis=1)
    labels[empty, rng.integers(0, m, empty.sum())] = truth[empty]
    for j in np.flatnonzero(np.isnan(labels).all(axis=0)):
        labels[rng.integers(0, n), j] = truth[0]
    probs = 0.6 * rng.dirichlet(np.ones(k), n) + 0.4 * np.eye(k)[truth]
    if ties:
        probs = np.round(probs * 4) + 1
        probs = probs / probs.sum(axis=1, keepdims=True)
    return labels, probs.astype(dtype)


def cleanlab_reference(labels: np.ndarray, probs: np.ndarray, **kwargs: Any) -> dict[str, Any]:
    cm = pytest.importorskip("cleanlab.multiannotator")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cm.get_label_quality_multiannotator(
            labels,
            probs,
            verbose=False,
            return_weights=kwargs.get("quality_method") != "agreement",
            **kwargs,
        )


def assert_matches_cleanlab(
    result: Any, ref: dict[str, Any], *, tol: float = 1e-12, detailed: bool = True
) -> None:
    lq = ref["label_quality"]
    np.testing.assert_array_equal(result.consensus_label, lq["consensus_label"].to_numpy())
    np.testing.assert_allclose(
        result.consensus_quality_score, lq["consensus_quality_score"], rtol=0, atol=tol
    )
    np.testing.assert_allclose(result.annotator_agreement, lq["annotator_agreement"], atol=tol)
    np.testing.assert_array_equal(result.num_annotations, lq["num_annotations"].to_numpy())
    if detailed:
        np.testing.assert_allclose(
            result.detailed_label_quality, ref["detailed_label_quality"].to_numpy(), atol=tol
        )
    stats = ref["annotator_stats"].sort_index()
    np.testing.assert_allclose(result.annotator_quality, stats["annotator_quality"], atol=tol)
    np.testing.assert_allclose(
        result.agreement_with_consensus, stats["agreement_with_consensus"], atol=tol
    )
    np.testing.assert_array_equal(result.worst_class, stats["worst_class"].to_numpy())
    np.testing.assert_array_equal(
        result.num_examples_labeled, stats["num_examples_labeled"].to_numpy()
    )
    if "model_weight" in ref:
        assert result.model_weight == pytest.approx(ref["model_weight"], rel=1e-12)
        np.testing.assert_allclose(result.annotator_weight, ref["annotator_weight"], rtol=1e-12)


# (seed, N, M, K, missing fraction, dtype, tied pred_probs)
SHAPES = {
    f"s{seed}-n{n}-m{m}-k{k}": (seed, n, m, k, missing, dtype, ties)
    for seed, n, m, k, missing, dtype, ties in [
        (0, 120, 3, 2, 0.0, np.float64, False),
        (1, 200, 3, 2, 0.3, np.float64, False),
        (2, 150, 4, 3, 0.5, np.float32, False),
        (3, 300, 5, 4, 0.6, np.float64, False),
        (4, 80, 6, 5, 0.2, np.float64, True),
        (5, 250, 8, 6, 0.7, np.float32, False),
        (6, 100, 10, 7, 0.8, np.float64, False),
        (7, 400, 12, 8, 0.85, np.float64, False),
        (8, 150, 15, 9, 0.9, np.float64, True),
        (9, 500, 20, 10, 0.9, np.float64, False),
        (10, 300, 30, 10, 0.93, np.float32, False),
        (11, 60, 30, 3, 0.95, np.float64, False),
        (12, 90, 3, 10, 0.1, np.float64, True),
        (13, 40, 25, 2, 0.5, np.float64, False),
        (14, 200, 7, 4, 0.75, np.float64, True),
        (15, 333, 9, 5, 0.65, np.float32, False),
    ]
}


@pytest.mark.parametrize("case", list(SHAPES))
@pytest.mark.parametrize("consensus_method", ["best_quality", "majority_vote"])
def test_crowdlab_matches_cleanlab(case: str, consensus_method: str) -> None:
    seed, n, m, k, missing, dtype, ties = SHAPES[case]
    labels, probs = make_crowd(seed, n=n, m=m, k=k, missing=missing, dtype=dtype, ties=ties)
    ref = cleanlab_reference(labels, probs, consensus_method=consensus_method)
    result = compute_consensus(labels, probs, consensus_method=consensus_method, random_state=0)
    assert_matches_cleanlab(result, ref)


# cleanlab 2.9 counts votes with value_counts, which, on float labels (any matrix with NaN), packs the
# counts of the classes present into the first columns instead of each class's own column. That breaks
# its 'agreement' posterior and its temperature calibration for matrices with missing labels; we count
# votes per class (see test_agreement_and_calibration_count_votes_per_class). On integer matrices
# without NaN cleanlab counts right, so those options are compared there.
OPTIONS = {
    "agreement": {"quality_method": "agreement"},
    "agreement-vote": {"quality_method": "agreement", "consensus_method": "majority_vote"},
    "margin": {"label_quality_score_kwargs": {"method": "normalized_margin"}},
    "cwe": {"label_quality_score_kwargs": {"method": "confidence_weighted_entropy"}},
    "adjusted": {"label_quality_score_kwargs": {"adjust_pred_probs": True}},
    "margin-adjusted": {
        "label_quality_score_kwargs": {"method": "normalized_margin", "adjust_pred_probs": True}
    },
    "calibrated": {"calibrate_probs": True},
}
COMPLETE_ONLY = {"agreement", "agreement-vote", "calibrated"}


@pytest.mark.parametrize("seed", [21, 22, 23])
@pytest.mark.parametrize("option", list(OPTIONS))
def test_crowdlab_options_match_cleanlab(option: str, seed: int) -> None:
    complete = option in COMPLETE_ONLY
    labels, probs = make_crowd(
        seed, n=160, m=4 + seed % 5, k=2 + seed % 4, missing=0.0 if complete else 0.5
    )
    given = OPTIONS[option]
    ref = cleanlab_reference(labels.astype(int) if complete else labels, probs.copy(), **given)
    score = given.get("label_quality_score_kwargs", {})
    result = compute_consensus(
        labels,
        probs,
        quality_method=given.get("quality_method", "crowdlab"),
        consensus_method=given.get("consensus_method", "best_quality"),
        calibrate_probs=given.get("calibrate_probs", False),
        label_quality_method=score.get("method", "self_confidence"),
        adjust_pred_probs=score.get("adjust_pred_probs", False),
    )
    assert_matches_cleanlab(result, ref, tol=1e-10)


def test_agreement_and_calibration_count_votes_per_class() -> None:
    labels = np.array([[2, 2, NAN], [1, 2, 2], [0, 1, 1], [1, 1, 0]])
    probs = np.full((4, 3), 1 / 3)
    result = compute_consensus(labels, probs, quality_method="agreement")
    assert result.consensus_label.tolist() == [2, 2, 1, 1]
    np.testing.assert_allclose(result.post_pred_probs[0], [0, 0, 1])
    np.testing.assert_allclose(result.detailed_label_quality[1], [1 / 3, 2 / 3, 2 / 3])
    # With NaN, the temperature is the one cleanlab picks for the same labels without NaN.
    utils = pytest.importorskip("cleanlab.internal.multiannotator_utils")
    full, probs = make_crowd(4, n=200, m=4, k=4, missing=0.0)
    holed = np.column_stack([full, np.full(200, NAN)])
    holed[0, -1] = full[0, 0]
    expected = utils.find_best_temp_scaler(full.astype(int), probs)
    assert find_best_temperature(holed, probs) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", range(12), ids=[f"seed{s}" for s in range(12)])
def test_majority_vote_matches_cleanlab_without_pred_probs(seed: int) -> None:
    cm = pytest.importorskip("cleanlab.multiannotator")
    labels, probs = make_crowd(seed, n=300, m=2 + seed % 6, k=2 + seed % 3, missing=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = cm.get_majority_vote_label(labels, verbose=False)
        expected_pp = cm.get_majority_vote_label(labels, pred_probs=probs, verbose=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = compute_majority_vote_labels(labels, random_state=seed)
    random_rows = np.concatenate(
        [w.message.rows for w in caught if isinstance(w.message, RandomTieBreakWarning)] or [[]]
    ).astype(int)
    keep = np.setdiff1d(np.arange(labels.shape[0]), random_rows)
    np.testing.assert_array_equal(got[keep], expected[keep])
    np.testing.assert_array_equal(
        compute_majority_vote_labels(labels, pred_probs=probs), expected_pp
    )


TIE_CASES = {
    # labels, pred_probs, expected vote
    "no-tie": ([[0, 0, 1], [2, NAN, 2]], None, [0, 2]),
    "model-breaks-tie": ([[0, 1], [0, 0]], [[0.3, 0.7], [0.9, 0.1]], [1, 0]),
    # class 1 is rarer over the dataset (1 vote against 5)
    "rarer-class": ([[0, 1], [0, 0], [0, 0]], None, [1, 0, 0]),
    # equal frequencies; the annotator choosing 0 agrees with the untied vote, the other never does
    "agreeing-annotator-0": ([[0, 1, NAN], [0, 1, 0], [1, 0, 1]], None, [0, 0, 1]),
    "agreeing-annotator-1": ([[1, 0, NAN], [0, 1, 0], [1, 0, 1]], None, [1, 0, 1]),
    # equal model probabilities do not decide; the rarer class does
    "model-tie-then-rarer": ([[0, 1], [0, 0]], [[0.5, 0.5], [0.9, 0.1]], [1, 0]),
}


@pytest.mark.parametrize("case", list(TIE_CASES))
def test_majority_vote_tie_rules(case: str) -> None:
    labels, probs, expected = TIE_CASES[case]
    got = compute_majority_vote_labels(
        np.array(labels, dtype=float), pred_probs=None if probs is None else np.array(probs)
    )
    assert got.tolist() == expected


def test_random_tie_break_is_seeded_and_warns() -> None:
    labels = np.array([[0, 1]] * 40, dtype=float)
    with pytest.warns(RandomTieBreakWarning, match="broken at random; pass random_state"):
        first = compute_majority_vote_labels(labels, random_state=7)
    with pytest.warns(RandomTieBreakWarning, match="rows"):
        again = compute_majority_vote_labels(labels, random_state=7)
    assert first.tolist() == again.tolist()
    assert set(first.tolist()) == {0, 1}


def test_consensus_without_pred_probs_is_the_annotators_weighted_vote() -> None:
    labels, _ = make_crowd(3, n=300, m=6, k=4, missing=0.5)
    result = compute_consensus(labels, None, random_state=0)
    assert result.model_weight == 0.0
    np.testing.assert_allclose(result.post_pred_probs.sum(axis=1), 1.0, atol=1e-12)
    # A model that always contradicts the consensus gets cleanlab's floor weight (1e-6): the same answer.
    wrong = np.eye(4)[(result.consensus_label + 1) % 4] * 0.97 + 0.01
    ref = cleanlab_reference(labels, wrong)
    np.testing.assert_allclose(
        result.consensus_quality_score,
        ref["label_quality"]["consensus_quality_score"],
        atol=1e-5,
    )
    np.testing.assert_allclose(result.annotator_weight, ref["annotator_weight"], rtol=1e-12)
    stats = ref["annotator_stats"].sort_index()
    np.testing.assert_allclose(result.annotator_quality, stats["annotator_quality"], atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_consensus_invariants(seed: int) -> None:
    labels, probs = make_crowd(seed, n=200, m=8, k=5, missing=0.6)
    result = compute_consensus(labels, probs)
    observed = ~np.isnan(labels)
    assert ((result.consensus_quality_score >= 0) & (result.consensus_quality_score <= 1)).all()
    assert np.isnan(result.detailed_label_quality[~observed]).all()
    assert not np.isnan(result.detailed_label_quality[observed]).any()
    agree = (labels == result.consensus_label[:, None]).sum(axis=1) / observed.sum(axis=1)
    np.testing.assert_allclose(result.annotator_agreement, agree)
    assert result.num_examples_labeled.tolist() == observed.sum(axis=0).tolist()


def test_calibration_matches_cleanlab() -> None:
    utils = pytest.importorskip("cleanlab.internal.multiannotator_utils")
    labels, probs = make_crowd(5, n=200, m=5, k=4, missing=0.0)
    labels = labels.astype(int)  # cleanlab counts votes per class only on integer labels
    sharp = scale_by_temperature(probs, 0.2)
    for p in (probs, sharp):
        t = find_best_temperature(labels, p)
        assert t == pytest.approx(utils.find_best_temp_scaler(labels, p), rel=1e-12)
        np.testing.assert_allclose(
            scale_by_temperature(p, t), utils.temp_scale_pred_probs(p, t), atol=1e-15
        )


def test_long_to_wide_round_trip() -> None:
    wide, rows, who = convert_long_to_wide_labels(
        [5, 3, 5, 9], ["bo", "al", "al", "bo"], [2, 0, 1, 1]
    )
    assert rows.tolist() == [3, 5, 9]
    assert who.tolist() == ["al", "bo"]
    np.testing.assert_array_equal(wide, [[0, NAN], [1, 2], [NAN, 1]])


BAD_LABELS = {
    "one-dim": ([0, 1, 2], InvalidLabelsError, "must be a 2-D array"),
    "strings": ([["a", "b"]], InvalidLabelsError, "must hold class indices"),
    "negative": ([[0, -1]], InvalidLabelsError, "non-negative whole class indices"),
    "fraction": ([[0, 0.5]], InvalidLabelsError, "non-negative whole class indices"),
    "inf": ([[0, np.inf]], InvalidLabelsError, "non-negative whole class indices"),
    "empty-row": ([[0, 1], [NAN, NAN]], InvalidLabelsError, r"rows \[1\] .* are all NaN"),
    "empty-column": ([[0, NAN], [1, NAN]], InvalidLabelsError, r"columns \[1\] .* are all NaN"),
}


@pytest.mark.parametrize("case", list(BAD_LABELS))
def test_bad_labels_are_refused(case: str) -> None:
    labels, error, message = BAD_LABELS[case]
    with pytest.raises(error, match=message):
        check_multiannotator_labels(labels)


def test_bad_pred_probs_are_refused() -> None:
    labels = np.array([[0, 2], [1, 1]], dtype=float)
    with pytest.raises(InvalidPredProbsError, match="holds class 2 but there are only 2 classes"):
        check_multiannotator_labels(labels, pred_probs=[[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(InvalidPredProbsError, match="rows"):
        check_multiannotator_labels(labels, pred_probs=np.full((3, 3), 1 / 3))
    with pytest.raises(InvalidLabelsError, match="only 2 classes"):
        compute_majority_vote_labels(labels, n_classes=2)


CONSENSUS_ERRORS = {
    "one-annotator": (
        {"labels_multiannotator": [[0], [1]]},
        InvalidLabelsError,
        "two or more annotators",
    ),
    "no-overlap": (
        {"labels_multiannotator": [[0, NAN], [NAN, 1]]},
        InvalidLabelsError,
        "at least one example labeled by two or more annotators",
    ),
    "consensus-method": (
        {"labels_multiannotator": [[0, 1]], "consensus_method": "vote"},
        InvalidOptionError,
        r"consensus_method must be one of \['best_quality', 'majority_vote'\]",
    ),
    "quality-method": (
        {"labels_multiannotator": [[0, 1]], "quality_method": "dawid_skene"},
        InvalidOptionError,
        "quality_method must be one of",
    ),
    "label-quality-method": (
        {"labels_multiannotator": [[0, 1]], "label_quality_method": "entropy"},
        InvalidOptionError,
        "label_quality_method must be one of",
    ),
    "calibrate-without-model": (
        {"labels_multiannotator": [[0, 1], [1, 1]], "calibrate_probs": True},
        InvalidOptionError,
        "calibrate_probs=True needs pred_probs",
    ),
    "one-class": (
        {"labels_multiannotator": [[0, 0], [0, 0]]},
        InvalidLabelsError,
        "at least 2 classes",
    ),
}


@pytest.mark.parametrize("case", list(CONSENSUS_ERRORS))
def test_consensus_errors(case: str) -> None:
    kwargs, error, message = CONSENSUS_ERRORS[case]
    kwargs = dict(kwargs)
    labels = np.array(kwargs.pop("labels_multiannotator"), dtype=float)
    with pytest.raises(error, match=message):
        compute_consensus(labels, **kwargs)


def test_long_to_wide_refuses_duplicates_and_ragged_input() -> None:
    with pytest.raises(InvalidLabelsError, match="label each row once"):
        convert_long_to_wide_labels([1, 1], ["a", "a"], [0, 1])
    with pytest.raises(InvalidLabelsError, match="equal length"):
        convert_long_to_wide_labels([1, 2], ["a"], [0, 1])


def test_temperature_errors() -> None:
    with pytest.raises(InvalidOptionError, match="temperature must be positive"):
        scale_by_temperature(np.array([[0.5, 0.5]]), 0.0)
    with pytest.raises(InvalidOptionError, match="at least 2 classes"):
        find_best_temperature(np.array([[0.0, 0.0]]), np.ones((1, 1)))


def test_active_learning_scores_favour_disputed_and_uncertain_examples() -> None:
    """ActiveLab: a disputed example scores below unanimous ones, an uncertain unlabeled example below a
    confident one; every score lies between 1/K and 1; a given temperature is used as is."""
    from goldlabel.core.multiannotator_active import compute_active_learning_scores

    labels = np.array([[0, 0, 0], [1, 1, 1], [0, 1, 2], [2, 2, NAN]])
    probs = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.4, 0.3, 0.3], [0.1, 0.1, 0.8]])
    unlabeled = np.array([[0.9, 0.05, 0.05], [0.34, 0.33, 0.33]])
    scores = compute_active_learning_scores(labels, probs, unlabeled)
    assert scores.labeled.argmin() == 2
    assert scores.unlabeled[1] < scores.unlabeled[0]
    both = np.concatenate([scores.labeled, scores.unlabeled])
    assert ((both >= 1 / 3 - 1e-12) & (both <= 1)).all()
    assert scores.annotator_weight.shape == (3,) and scores.model_weight > 0
    fixed = compute_active_learning_scores(labels, probs, unlabeled, temperature=1.0)
    assert fixed.temperature == 1.0
