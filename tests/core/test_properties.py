"""Invariants of the confident-learning core, checked on inputs hypothesis draws.

Two kinds of inputs: probabilities made of small integer weights (so rows, columns and margins are
full of exact ties, and failures shrink to tiny readable cases), and continuous Dirichlet draws (for
the properties that only hold without ties, such as permutation equivariance).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from goldlabel.core import (
    compute_confident_joint,
    compute_label_quality_scores,
    count_label_issues,
    estimate_joint,
    estimate_py_and_noise_matrices_from_probabilities,
    find_label_issues,
)
from goldlabel.core import scan as scan_module
from goldlabel.core.counting import calibrate_confident_joint
from goldlabel.core.filtering import FILTER_BY
from tests.core.datasets import SCORINGS, quietly

PRUNING = ("prune_by_noise_rate", "prune_by_class", "both")
#: Filters that never flag an example whose given label is (within 1e-6) the most likely class.
RESPECT_ARGMAX = (*PRUNING, "confident_learning", "predicted_neq_given")
FAST = settings(max_examples=60, deadline=None)


@st.composite
def tied_data(
    draw: st.DrawFn, *, min_n: int = 2, max_n: int = 40, max_k: int = 5
) -> tuple[np.ndarray, np.ndarray]:
    """labels and pred_probs whose rows are small integer weights divided by their sum."""
    k = draw(st.integers(2, max_k))
    n = draw(st.integers(min_n, max_n))
    weights = draw(hnp.arrays(np.int64, (n, k), elements=st.integers(0, 9)))
    weights[weights.sum(axis=1) == 0, 0] = 1
    pred_probs = weights / weights.sum(axis=1, keepdims=True)
    if draw(st.booleans()):
        pred_probs = pred_probs.astype(np.float32)
    labels = draw(hnp.arrays(np.int64, n, elements=st.integers(0, k - 1)))
    return labels, pred_probs


@st.composite
def continuous_data(
    draw: st.DrawFn, *, min_n: int = 10, max_n: int = 300, max_k: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Dirichlet probabilities and mostly-argmax labels (float64, no ties in practice)."""
    k = draw(st.integers(2, max_k))
    n = draw(st.integers(min_n, max_n))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pred_probs = rng.dirichlet(np.full(k, draw(st.sampled_from([0.3, 1.0, 4.0]))), n)
    accuracy = draw(st.floats(0.3, 1.0))
    labels = np.where(rng.random(n) < accuracy, pred_probs.argmax(axis=1), rng.integers(0, k, n))
    return labels, pred_probs


# --------------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------------


@FAST
@given(tied_data())
def test_calibrated_joint_rows_sum_to_label_counts_and_total_is_n(data: Any) -> None:
    labels, pred_probs = data
    joint = compute_confident_joint(labels, pred_probs)
    counts = np.bincount(labels, minlength=pred_probs.shape[1])
    np.testing.assert_array_equal(joint.sum(axis=1), counts)
    assert joint.sum() == labels.size
    assert joint.min() >= 0


@FAST
@given(
    hnp.arrays(
        np.int64,
        st.tuples(st.integers(2, 8)).map(lambda t: (t[0], t[0])),
        elements=st.integers(0, 500),
    ),
    st.data(),
)
def test_calibrating_any_joint_with_a_positive_diagonal_matches_label_counts(
    joint: np.ndarray, data: st.DataObject
) -> None:
    k = joint.shape[0]
    np.fill_diagonal(joint, joint.diagonal().clip(min=1))
    labels = data.draw(hnp.arrays(np.int64, st.integers(1, 60), elements=st.integers(0, k - 1)))
    calibrated = calibrate_confident_joint(joint, labels)
    np.testing.assert_array_equal(calibrated.sum(axis=1), np.bincount(labels, minlength=k))
    assert calibrated.sum() == labels.size


@FAST
@given(tied_data())
def test_estimated_joint_is_a_distribution(data: Any) -> None:
    labels, pred_probs = data
    joint = estimate_joint(labels, pred_probs)
    assert joint.min() >= 0
    assert joint.sum() == pytest.approx(1.0, abs=1e-12)


@FAST
@given(tied_data(), st.sampled_from(["cnt", "marginal", "marginal_ps"]), st.booleans())
def test_noise_matrices_are_column_stochastic_and_py_is_a_distribution(
    data: Any, py_method: str, converge: bool
) -> None:
    """Columns sum to 1, except (as in cleanlab) the column of a class without any mass in the
    calibrated joint, e.g. one absent from the labels: that column is all zeros, never NaN."""
    labels, pred_probs = data
    py, noise, inverse, joint = estimate_py_and_noise_matrices_from_probabilities(
        labels, pred_probs, py_method=py_method, converge_latent_estimates=converge
    )
    for matrix, mass in ((noise, joint.sum(axis=0)), (inverse, joint.sum(axis=1))):
        sums = matrix.sum(axis=0)
        np.testing.assert_allclose(sums[mass > 0], 1.0, atol=1e-12)
        np.testing.assert_array_equal(matrix[:, mass == 0], 0.0)
        assert np.all(np.isclose(sums, 1.0, atol=1e-12) | (sums == 0))
    np.testing.assert_allclose(
        inverse.sum(axis=0)[np.bincount(labels, minlength=joint.shape[0]) > 0], 1.0, atol=1e-12
    )
    assert py.sum() == pytest.approx(1.0, abs=1e-12)
    for array in (py, noise, inverse):
        assert array.min() >= 0
        assert array.max() <= 1 + 1e-12


@FAST
@given(tied_data())
def test_counted_issues_are_between_zero_and_n(data: Any) -> None:
    labels, pred_probs = data
    for method in ("off_diagonal", "off_diagonal_calibrated"):
        count = count_label_issues(labels, pred_probs, estimation_method=method)
        assert 0 <= count <= labels.size


# --------------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------------


@FAST
@given(st.one_of(tied_data(), continuous_data()))
def test_scores_are_in_the_unit_interval(data: Any) -> None:
    labels, pred_probs = data
    for method, adjust in SCORINGS:
        scores = compute_label_quality_scores(
            labels, pred_probs, method=method, adjust_pred_probs=adjust
        )
        assert scores.shape == labels.shape
        assert np.all((scores >= 0) & (scores <= 1)), (method, adjust, scores)


# --------------------------------------------------------------------------------------------------
# find_label_issues
# --------------------------------------------------------------------------------------------------


@FAST
@given(tied_data(), st.sampled_from(RESPECT_ARGMAX))
def test_never_flags_an_example_whose_given_label_is_most_likely(data: Any, filter_by: str) -> None:
    labels, pred_probs = data
    mask = quietly(find_label_issues, labels, pred_probs, filter_by=filter_by)
    given_is_max = pred_probs[np.arange(labels.size), labels] >= pred_probs.max(axis=1)
    assert not np.any(mask & given_is_max)


@FAST
@given(tied_data(), st.sampled_from(FILTER_BY), st.sampled_from(SCORINGS))
def test_mask_and_ranking_are_consistent(data: Any, filter_by: str, scoring: Any) -> None:
    labels, pred_probs = data
    rank_by, adjust = scoring
    mask = quietly(find_label_issues, labels, pred_probs, filter_by=filter_by)
    assert mask.shape == labels.shape and mask.dtype == bool
    assert mask.sum() <= labels.size
    ranked = quietly(
        find_label_issues,
        labels,
        pred_probs,
        filter_by=filter_by,
        return_indices_ranked_by=rank_by,
        rank_by_kwargs={"adjust_pred_probs": adjust},
    )
    assert np.unique(ranked).size == ranked.size
    assert set(ranked.tolist()) == set(np.flatnonzero(mask).tolist())
    scores = compute_label_quality_scores(
        labels, pred_probs, method=rank_by, adjust_pred_probs=adjust
    )
    assert np.all(np.diff(scores[ranked]) >= 0)


@FAST
@given(tied_data(), st.sampled_from(PRUNING), st.integers(0, 6))
def test_classes_at_or_below_the_minimum_are_never_pruned(
    data: Any, filter_by: str, minimum: int
) -> None:
    labels, pred_probs = data
    mask = quietly(
        find_label_issues, labels, pred_probs, filter_by=filter_by, min_examples_per_class=minimum
    )
    counts = np.bincount(labels, minlength=pred_probs.shape[1])
    assert not np.any(mask & (counts[labels] <= minimum))


@FAST
@given(tied_data(), st.sampled_from(PRUNING), st.floats(0.0, 1.0))
def test_a_smaller_frac_noise_flags_no_more(data: Any, filter_by: str, frac_noise: float) -> None:
    labels, pred_probs = data
    full = quietly(find_label_issues, labels, pred_probs, filter_by=filter_by)
    part = quietly(
        find_label_issues, labels, pred_probs, filter_by=filter_by, frac_noise=frac_noise
    )
    assert part.sum() <= full.sum()


@settings(max_examples=25, deadline=None)
@given(tied_data(min_n=130, max_n=700, max_k=6))
def test_results_do_not_depend_on_n_jobs(data: Any) -> None:
    """With 128-row chunks the scan runs on several threads; results must not change."""
    labels, pred_probs = data
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scan_module, "_CHUNK_BYTES", 1)
        for filter_by in FILTER_BY:
            one = quietly(find_label_issues, labels, pred_probs, filter_by=filter_by, n_jobs=1)
            for jobs in (2, 3):
                many = quietly(
                    find_label_issues, labels, pred_probs, filter_by=filter_by, n_jobs=jobs
                )
                np.testing.assert_array_equal(many, one)
        joint_one = compute_confident_joint(labels, pred_probs, n_jobs=1)
        joint_many = compute_confident_joint(labels, pred_probs, n_jobs=4)
        np.testing.assert_array_equal(joint_many, joint_one)


@FAST
@given(continuous_data(), st.integers(0, 2**32 - 1))
def test_permuting_rows_permutes_the_mask(data: Any, seed: int) -> None:
    labels, pred_probs = data
    assume(np.unique(pred_probs).size == pred_probs.size)  # no ties anywhere
    perm = np.random.default_rng(seed).permutation(labels.size)
    for filter_by in FILTER_BY:
        mask = quietly(find_label_issues, labels, pred_probs, filter_by=filter_by)
        permuted = quietly(find_label_issues, labels[perm], pred_probs[perm], filter_by=filter_by)
        np.testing.assert_array_equal(permuted, mask[perm])
        ranked = quietly(
            find_label_issues,
            labels,
            pred_probs,
            filter_by=filter_by,
            return_indices_ranked_by="normalized_margin",
        )
        ranked_permuted = quietly(
            find_label_issues,
            labels[perm],
            pred_probs[perm],
            filter_by=filter_by,
            return_indices_ranked_by="normalized_margin",
        )
        np.testing.assert_array_equal(perm[ranked_permuted], ranked)


# --------------------------------------------------------------------------------------------------
# Parity with cleanlab on arbitrary small inputs
# --------------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(tied_data(), st.sampled_from(FILTER_BY), st.sampled_from([None, *SCORINGS]))
def test_matches_cleanlab_on_arbitrary_tied_inputs(data: Any, filter_by: str, scoring: Any) -> None:
    cleanlab_filter = pytest.importorskip("cleanlab.filter")
    labels, pred_probs = data
    assume(np.unique(labels).size >= 2)  # cleanlab refuses a single class
    kwargs: dict[str, Any] = {"filter_by": filter_by}
    if scoring is not None:
        kwargs["return_indices_ranked_by"] = scoring[0]
        kwargs["rank_by_kwargs"] = {"adjust_pred_probs": scoring[1]}
    expected = quietly(cleanlab_filter.find_label_issues, labels, pred_probs, n_jobs=1, **kwargs)
    got = quietly(find_label_issues, labels, pred_probs, **kwargs)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
