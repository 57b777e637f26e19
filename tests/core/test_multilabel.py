from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from goldlabel.core import multilabel as ml
from goldlabel.exceptions import InvalidLabelsError, InvalidPredProbsError

cleanlab = pytest.importorskip("cleanlab")
from cleanlab import count as cl_count  # noqa: E402
from cleanlab.internal import multilabel_utils as cl_utils  # noqa: E402
from cleanlab.multilabel_classification import dataset as cl_dataset  # noqa: E402
from cleanlab.multilabel_classification import filter as cl_filter  # noqa: E402
from cleanlab.multilabel_classification import rank as cl_rank  # noqa: E402


def make_multilabel_data(
    n: int,
    k: int,
    *,
    seed: int,
    dtype: type = np.float64,
    noise: float = 0.15,
    max_prior: float = 0.5,
    absent_class: bool = False,
) -> tuple[list[list[int]], np.ndarray]:
    """Noisy multi-label data: label lists with 0, 1 and many classes, sigmoid per-class probabilities.

    No class is in every example (cleanlab refuses such a class); with ``absent_class`` the last class
    is in none.
    """
    rng = np.random.default_rng(seed)
    prior = rng.uniform(0.05, max_prior, k)
    truth = rng.random((n, k)) < prior
    truth[rng.random(n) < 0.15] = False
    truth[rng.random(n) < 0.1] = True
    given = truth ^ (rng.random((n, k)) < noise * prior.clip(0.2))
    given[0] = False
    if absent_class:
        given[:, -1] = False
    logits = rng.normal(0.0, 1.2, (n, k)) + np.where(truth, 1.6, -1.6)
    pred_probs = (1.0 / (1.0 + np.exp(-logits))).astype(dtype)
    if dtype == np.float64:
        pred_probs = np.round(pred_probs, 3)  # many exact ties between examples
    labels = [np.flatnonzero(row).tolist() for row in given]
    return labels, pred_probs


CASES = {
    "k2-f64": {"n": 300, "k": 2, "seed": 0},
    "k3-f32": {"n": 400, "k": 3, "seed": 1, "dtype": np.float32},
    "k8-f64-dense": {"n": 500, "k": 8, "seed": 2, "max_prior": 0.8},
    "k20-f32-absent": {"n": 500, "k": 20, "seed": 3, "dtype": np.float32, "absent_class": True},
    "k50-f64": {"n": 400, "k": 50, "seed": 4},
}
SMALL_CASES = {name: CASES[name] for name in ("k3-f32", "k8-f64-dense", "k20-f32-absent")}
FILTER_BY = ml.MULTILABEL_FILTER_BY
PRUNING = FILTER_BY[:3]
METHODS = ml.MULTILABEL_SCORE_METHODS


def quietly(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def data(request: pytest.FixtureRequest) -> tuple[list[list[int]], np.ndarray]:
    return make_multilabel_data(**CASES[request.param])


def skip_where_cleanlab_fails(
    labels: list[list[int]], pred_probs: np.ndarray, filter_by: str, *, per_class: bool = False
) -> None:
    """cleanlab's binary runs refuse a class nobody has with these filters (ours handle it)."""
    failing = ("predicted_neq_given", "low_self_confidence", "low_normalized_margin")
    if filter_by in failing[: 3 if per_class else 1]:
        if len({c for row in labels for c in row}) < pred_probs.shape[1]:
            pytest.skip(f"cleanlab raises on {filter_by} when a class is never given")


@pytest.fixture(scope="module", params=list(SMALL_CASES), ids=list(SMALL_CASES))
def small_data(request: pytest.FixtureRequest) -> tuple[list[list[int]], np.ndarray]:
    return make_multilabel_data(**SMALL_CASES[request.param])


def test_generated_data_has_empty_single_and_many_label_rows(data) -> None:
    sizes = {min(len(row), 2) for row in data[0]}
    assert sizes == {0, 1, 2}


# --- finding issues ---------------------------------------------------------------------------


@pytest.mark.parametrize("filter_by", FILTER_BY, ids=FILTER_BY)
def test_mask_matches_cleanlab(data, filter_by: str) -> None:
    labels, pred_probs = data
    skip_where_cleanlab_fails(labels, pred_probs, filter_by)
    got = quietly(ml.find_multilabel_label_issues, labels, pred_probs, filter_by=filter_by)
    expected = quietly(
        cl_filter.find_label_issues, labels, pred_probs, filter_by=filter_by, n_jobs=1
    )
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == bool


@pytest.mark.parametrize("filter_by", FILTER_BY, ids=FILTER_BY)
def test_per_class_mask_matches_cleanlab(data, filter_by: str) -> None:
    labels, pred_probs = data
    skip_where_cleanlab_fails(labels, pred_probs, filter_by, per_class=True)
    got = quietly(ml.find_multilabel_issues_per_class, labels, pred_probs, filter_by=filter_by)
    expected = quietly(
        cl_filter.find_multilabel_issues_per_class,
        labels,
        pred_probs,
        filter_by=filter_by,
        n_jobs=1,
    )
    np.testing.assert_array_equal(got, expected)


def test_predicted_neq_given_handles_a_class_nobody_has() -> None:
    labels, pred_probs = make_multilabel_data(300, 5, seed=9, absent_class=True)
    with pytest.raises(ValueError, match="at least 2 classes"):
        quietly(cl_filter.find_label_issues, labels, pred_probs, filter_by="predicted_neq_given")
    got = ml.find_multilabel_issues_per_class(labels, pred_probs, filter_by="predicted_neq_given")
    expected = quietly(
        cl_filter.find_multilabel_issues_per_class,
        labels,
        pred_probs[:, :-1],
        filter_by="predicted_neq_given",
        n_jobs=1,
    )
    np.testing.assert_array_equal(got[:, :-1], expected)
    p = pred_probs[:, -1]
    np.testing.assert_array_equal(got[:, -1], p > (1 - p) + 1e-6)


@pytest.mark.parametrize(
    "rank_by_kwargs", [{}, {"adjust_pred_probs": True}], ids=["plain", "adjusted"]
)
@pytest.mark.parametrize("rank_by", METHODS, ids=METHODS)
@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "both", "predicted_neq_given"])
def test_ranked_indices_match_cleanlab(small_data, filter_by, rank_by, rank_by_kwargs) -> None:
    if rank_by == "confidence_weighted_entropy" and rank_by_kwargs:
        pytest.skip("adjust_pred_probs is not supported with confidence_weighted_entropy")
    labels, pred_probs = small_data
    skip_where_cleanlab_fails(labels, pred_probs, filter_by)
    kwargs = {
        "filter_by": filter_by,
        "return_indices_ranked_by": rank_by,
        "rank_by_kwargs": rank_by_kwargs,
    }
    got = quietly(ml.find_multilabel_label_issues, labels, pred_probs, **kwargs)
    expected = quietly(cl_filter.find_label_issues, labels, pred_probs, n_jobs=1, **kwargs)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("filter_by", ["low_self_confidence", "low_normalized_margin"])
def test_low_filters_rank_their_issues_by_score(small_data, filter_by: str) -> None:
    # cleanlab scrambles this ranking (see the Notes of find_multilabel_label_issues); the set is
    # the same and here it is sorted by the ranking score.
    labels, pred_probs = small_data
    got = quietly(
        ml.find_multilabel_label_issues,
        labels,
        pred_probs,
        filter_by=filter_by,
        return_indices_ranked_by="normalized_margin",
    )
    expected = quietly(
        cl_filter.find_label_issues,
        labels,
        pred_probs,
        filter_by=filter_by,
        return_indices_ranked_by="normalized_margin",
    )
    np.testing.assert_array_equal(np.sort(got), np.sort(expected))
    scores = ml.compute_multilabel_label_quality_scores(
        labels, pred_probs, method="normalized_margin"
    )
    assert np.all(np.diff(scores[got]) >= 0)


PRUNING_OPTIONS = {
    "frac-half": {"frac_noise": 0.5},
    "frac-zero": {"frac_noise": 0.0},
    "min-examples-40": {"min_examples_per_class": 40},
    "min-examples-0": {"min_examples_per_class": 0},
}


@pytest.mark.parametrize("options", list(PRUNING_OPTIONS.values()), ids=list(PRUNING_OPTIONS))
@pytest.mark.parametrize("filter_by", PRUNING, ids=PRUNING)
def test_pruning_options_match_cleanlab(small_data, filter_by, options) -> None:
    labels, pred_probs = small_data
    got = quietly(
        ml.find_multilabel_label_issues, labels, pred_probs, filter_by=filter_by, **options
    )
    expected = quietly(
        cl_filter.find_label_issues, labels, pred_probs, filter_by=filter_by, n_jobs=1, **options
    )
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("filter_by", PRUNING, ids=PRUNING)
def test_num_to_remove_per_class_matches_cleanlab(small_data, filter_by: str) -> None:
    labels, pred_probs = small_data
    remove = [3 + (i % 4) for i in range(pred_probs.shape[1])]
    got = quietly(
        ml.find_multilabel_issues_per_class,
        labels,
        pred_probs,
        filter_by=filter_by,
        num_to_remove_per_class=remove,
    )
    expected = quietly(
        cl_filter.find_multilabel_issues_per_class,
        labels,
        pred_probs,
        filter_by=filter_by,
        num_to_remove_per_class=remove,
        n_jobs=1,
    )
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("perturb", [False, True], ids=["computed", "perturbed"])
@pytest.mark.parametrize("filter_by", [*PRUNING, "low_self_confidence"])
def test_confident_joint_argument_matches_cleanlab(small_data, filter_by, perturb) -> None:
    labels, pred_probs = small_data
    joint = quietly(cl_count.compute_confident_joint, labels, pred_probs, multi_label=True)
    if perturb:
        joint = joint.copy()
        joint[:, 0, 1] += 3
        joint[:, 1, 0] += 2
    got = quietly(
        ml.find_multilabel_label_issues,
        labels,
        pred_probs,
        filter_by=filter_by,
        confident_joint=joint,
    )
    expected = quietly(
        cl_filter.find_label_issues,
        labels,
        pred_probs,
        filter_by=filter_by,
        confident_joint=joint,
        n_jobs=1,
    )
    np.testing.assert_array_equal(got, expected)


def test_single_label_shaped_joint_is_ignored_with_a_warning() -> None:
    labels, pred_probs = make_multilabel_data(200, 3, seed=7)
    with pytest.warns(UserWarning, match=r"single-label shape \(3, 3\) and is ignored"):
        got = ml.find_multilabel_label_issues(labels, pred_probs, confident_joint=np.eye(3))
    np.testing.assert_array_equal(got, ml.find_multilabel_label_issues(labels, pred_probs))


def test_small_classes_are_reported_once() -> None:
    labels, pred_probs = make_multilabel_data(200, 4, seed=8, absent_class=True)
    with pytest.warns(UserWarning, match=r"class 3\) are in, or missing from, at most") as record:
        ml.find_multilabel_label_issues(labels, pred_probs)
    assert len(record) == 1


def test_empty_label_lists_and_unnormalised_rows_are_accepted() -> None:
    labels = [[], [0, 1, 2], [], [1], [2], [0, 2], [], [1, 2]]
    pred_probs = np.full((8, 3), 0.9)
    pred_probs[0] = 0.05
    mask = ml.find_multilabel_label_issues(labels, pred_probs, filter_by="confident_learning")
    assert mask.shape == (8,)


# --- counting --------------------------------------------------------------------------------


def test_confident_joint_matches_cleanlab(data) -> None:
    labels, pred_probs = data
    for calibrate in (True, False):
        got, off = ml.compute_multilabel_confident_joint(
            labels, pred_probs, calibrate=calibrate, return_indices_of_off_diagonals=True
        )
        expected, expected_off = quietly(
            cl_count.compute_confident_joint,
            labels,
            pred_probs,
            calibrate=calibrate,
            multi_label=True,
            return_indices_of_off_diagonals=True,
        )
        np.testing.assert_array_equal(got, expected)
        for a, b in zip(off, expected_off, strict=True):
            np.testing.assert_array_equal(a, b)


def test_thresholds_joint_and_count_match_cleanlab(data) -> None:
    labels, pred_probs = data
    np.testing.assert_allclose(
        ml.compute_multilabel_confident_thresholds(labels, pred_probs),
        cl_count.get_confident_thresholds(labels, pred_probs, multi_label=True),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        ml.estimate_multilabel_joint(labels, pred_probs),
        quietly(cl_count.estimate_joint, labels, pred_probs, multi_label=True),
        rtol=1e-6,
    )
    assert ml.count_multilabel_label_issues(labels, pred_probs) == quietly(
        cl_count.num_label_issues, labels, pred_probs, multi_label=True
    )


def test_estimate_joint_from_a_given_confident_joint_matches_cleanlab(small_data) -> None:
    labels, pred_probs = small_data
    joint = ml.compute_multilabel_confident_joint(labels, pred_probs, calibrate=False)
    np.testing.assert_allclose(
        ml.estimate_multilabel_joint(labels, pred_probs, confident_joint=joint),
        quietly(
            cl_count.estimate_joint, labels, pred_probs, confident_joint=joint, multi_label=True
        ),
        rtol=1e-6,
    )


def test_explicit_thresholds_are_used_per_class(small_data) -> None:
    labels, pred_probs = small_data
    thresholds = ml.compute_multilabel_confident_thresholds(labels, pred_probs)
    np.testing.assert_array_equal(
        ml.compute_multilabel_confident_joint(labels, pred_probs, thresholds=thresholds),
        ml.compute_multilabel_confident_joint(labels, pred_probs),
    )


# --- scores ----------------------------------------------------------------------------------

SCORE_OPTIONS = [
    ("self_confidence", False),
    ("self_confidence", True),
    ("normalized_margin", False),
    ("normalized_margin", True),
    ("confidence_weighted_entropy", False),
]
SCORE_IDS = [f"{m}-{'adjusted' if a else 'plain'}" for m, a in SCORE_OPTIONS]


@pytest.mark.parametrize(("method", "adjust"), SCORE_OPTIONS, ids=SCORE_IDS)
def test_per_class_scores_match_cleanlab(data, method: str, adjust: bool) -> None:
    labels, pred_probs = data
    got = ml.compute_multilabel_label_quality_scores_per_class(
        labels, pred_probs, method=method, adjust_pred_probs=adjust
    )
    expected = cl_rank.get_label_quality_scores_per_class(
        labels, pred_probs, method=method, adjust_pred_probs=adjust
    )
    assert got.shape == pred_probs.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-6)


AGGREGATORS = {
    "ema-default": ({}, {"method": "exponential_moving_average", "alpha": 0.8}),
    "ema-alpha-0.3": (
        {"alpha": 0.3},
        {"method": "exponential_moving_average", "alpha": 0.3},
    ),
    "ema-alpha-none": ({"alpha": None}, {"method": "exponential_moving_average"}),
    "softmin-default": ({"aggregator": "softmin"}, {"method": "softmin"}),
    "softmin-t0.5": (
        {"aggregator": "softmin", "temperature": 0.5},
        {"method": "softmin", "temperature": 0.5},
    ),
    "callable-min": ({"aggregator": np.min}, {"method": np.min}),
}


@pytest.mark.parametrize(("method", "adjust"), SCORE_OPTIONS, ids=SCORE_IDS)
@pytest.mark.parametrize(("ours", "theirs"), list(AGGREGATORS.values()), ids=list(AGGREGATORS))
def test_scores_match_cleanlab(small_data, ours, theirs, method, adjust) -> None:
    labels, pred_probs = small_data
    got = ml.compute_multilabel_label_quality_scores(
        labels, pred_probs, method=method, adjust_pred_probs=adjust, **ours
    )
    expected = cl_rank.get_label_quality_scores(
        labels, pred_probs, method=method, adjust_pred_probs=adjust, aggregator_kwargs=theirs
    )
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    np.testing.assert_array_equal(np.argsort(got), np.argsort(expected))


def test_moving_average_by_hand() -> None:
    scores = np.array([[0.9, 0.3, 0.6]])
    # sorted descending: 0.9, 0.6, 0.3 -> 0.5*0.6 + 0.5*0.9 = 0.75 -> 0.5*0.3 + 0.5*0.75 = 0.525
    np.testing.assert_allclose(ml.aggregate_multilabel_scores(scores, alpha=0.5), [0.525])


# --- dataset summaries -----------------------------------------------------------------------


DATASET_CASES = {name: CASES[name] for name in ("k2-f64", "k8-f64-dense", "k20-f32-absent")}


@pytest.fixture(scope="module", params=list(DATASET_CASES), ids=list(DATASET_CASES))
def summary_case(request: pytest.FixtureRequest) -> tuple[list, np.ndarray, list, dict]:
    """Data, class names and cleanlab's (slow) health summary, computed once per case."""
    labels, pred_probs = make_multilabel_data(**DATASET_CASES[request.param])
    names = [f"class-{i}" for i in range(pred_probs.shape[1])]
    expected = quietly(
        cl_dataset.multilabel_health_summary, labels, pred_probs, class_names=names, verbose=False
    )
    return labels, pred_probs, names, expected


@pytest.mark.parametrize("named", [False, True], ids=["indices", "names"])
def test_dataset_tables_match_cleanlab(summary_case, named: bool) -> None:
    labels, pred_probs, names, expected = summary_case
    drop = [] if named else ["Class Name"]
    kwargs = {"class_names": names if named else None}
    pd.testing.assert_frame_equal(
        pd.DataFrame(quietly(ml.find_common_multilabel_issues, labels, pred_probs, **kwargs)),
        expected["common_multilabel_issues"].drop(columns=drop),
    )
    pd.testing.assert_frame_equal(
        pd.DataFrame(quietly(ml.rank_classes_by_multilabel_quality, labels, pred_probs, **kwargs)),
        expected["classes_by_multilabel_quality"].drop(columns=drop),
    )


def test_health_score_and_summary_match_cleanlab(summary_case) -> None:
    labels, pred_probs, names, expected = summary_case
    got = quietly(ml.summarize_multilabel_health, labels, pred_probs, class_names=names)
    assert got["overall_multilabel_health_score"] == expected["overall_multilabel_health_score"]
    assert isinstance(got["overall_multilabel_health_score"], float)
    for key in ("classes_by_multilabel_quality", "common_multilabel_issues"):
        pd.testing.assert_frame_equal(pd.DataFrame(got[key]), expected[key])


def test_dataset_tables_with_a_confident_joint_match_cleanlab() -> None:
    labels, pred_probs = make_multilabel_data(**CASES["k3-f32"])
    joint = ml.compute_multilabel_confident_joint(labels, pred_probs)
    joint[:, 1, 0] += 4
    pd.testing.assert_frame_equal(
        pd.DataFrame(ml.find_common_multilabel_issues(labels, pred_probs, confident_joint=joint)),
        quietly(cl_dataset.common_multilabel_issues, labels, pred_probs, confident_joint=joint),
    )
    assert quietly(
        ml.compute_overall_multilabel_health_score, labels, pred_probs, confident_joint=joint
    ) == quietly(
        cl_dataset.overall_multilabel_health_score, labels, pred_probs, confident_joint=joint
    )


# --- conversion ------------------------------------------------------------------------------


def test_onehot_round_trip_matches_cleanlab(data) -> None:
    labels, pred_probs = data
    onehot = ml.convert_multilabel_to_onehot(labels, n_classes=pred_probs.shape[1])
    np.testing.assert_array_equal(onehot, cl_utils.int2onehot(labels, K=pred_probs.shape[1]))
    assert ml.convert_onehot_to_multilabel(onehot) == labels
    assert ml.convert_onehot_to_multilabel(onehot.astype(bool)) == cl_utils.onehot2int(onehot)


def test_onehot_accepts_tuples_arrays_and_repeats() -> None:
    onehot = ml.convert_multilabel_to_onehot([(1, 1), np.array([0, 2]), []])
    assert onehot.tolist() == [[0, 1, 0], [1, 0, 1], [0, 0, 0]]


# --- bad input -------------------------------------------------------------------------------

GOOD_PROBS = np.array([[0.9, 0.2, 0.1], [0.1, 0.8, 0.7]])

BAD_LABELS = {
    "none": (None, "labels is missing"),
    "multi-hot-matrix": (np.array([[1, 0, 0], [0, 1, 1]]), "convert_onehot_to_multilabel"),
    "flat-ints": ([0, 1], r"labels\[0\] must be a list .* single-label data"),
    "string-row": (["0", [1]], r"labels\[0\] must be a list"),
    "float-class": ([[0], [1.5]], r"labels\[1\] contains 1.5 \(float\)"),
    "bool-class": ([[True], [False]], r"labels\[0\] contains True \(bool\)"),
    "too-large": ([[0], [1, 3]], r"labels\[1\] contains class 3, .* in \[0, 3\)"),
    "negative": ([[-1], [1]], r"labels\[0\] contains class -1"),
    "wrong-length": ([[0], [1], [2]], "labels has 3 examples but pred_probs has 2 rows"),
    "nested": ([[[0]], [[1]]], "one level deep"),
    "not-a-list": ("0,1", "must be a list of lists"),
}


@pytest.mark.parametrize(("labels", "message"), list(BAD_LABELS.values()), ids=list(BAD_LABELS))
def test_bad_labels_are_refused(labels: Any, message: str) -> None:
    with pytest.raises(InvalidLabelsError, match=message):
        ml.find_multilabel_label_issues(labels, GOOD_PROBS)


def test_empty_dataset_is_refused() -> None:
    with pytest.raises(InvalidLabelsError, match="labels is empty"):
        ml.compute_multilabel_label_quality_scores([], np.zeros((0, 3)))


BAD_PROBS = {
    "none": (None, "pred_probs is None"),
    "one-dimensional": (np.array([0.2, 0.3]), "must be a numeric 2-D array"),
    "ragged": ([[0.1, 0.2], [0.3]], "must be a numeric 2-D array"),
    "text": (np.array([["a", "b"], ["c", "d"]]), "must hold real numbers"),
    "nan": (np.array([[0.1, np.nan], [0.2, 0.3]]), r"NaN or infinite values \(first in row 0\)"),
    "logits": (np.array([[0.1, 2.5], [0.2, 0.3]]), r"row 0, column 1 holds 2.5. .* sigmoid"),
    "negative": (np.array([[0.1, 0.5], [-0.2, 0.3]]), r"row 1, column 0 holds -0.2"),
    "no-columns": (np.zeros((2, 0)), "no columns"),
}


@pytest.mark.parametrize(("pred_probs", "message"), list(BAD_PROBS.values()), ids=list(BAD_PROBS))
def test_bad_pred_probs_are_refused(pred_probs: Any, message: str) -> None:
    with pytest.raises(InvalidPredProbsError, match=message):
        ml.compute_multilabel_label_quality_scores([[0], [1]], pred_probs)


def test_errors_are_value_errors() -> None:
    assert issubclass(InvalidLabelsError, ValueError)
    assert issubclass(InvalidPredProbsError, ValueError)


LABELS2 = [[0], [1], [0, 1], [], [0], [1]]
PROBS2 = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.6], [0.1, 0.2], [0.8, 0.3], [0.3, 0.9]])

BAD_OPTIONS = {
    "filter-by": (ValueError, {"filter_by": "nope"}, "filter_by must be one of"),
    "frac-noise": (ValueError, {"frac_noise": 1.5}, r"frac_noise must be in \[0, 1\]"),
    "min-examples": (ValueError, {"min_examples_per_class": -1}, "non-negative integer"),
    "remove-with-cl": (
        ValueError,
        {"filter_by": "confident_learning", "num_to_remove_per_class": [1, 1]},
        "num_to_remove_per_class cannot be used",
    ),
    "remove-length": (
        ValueError,
        {"num_to_remove_per_class": [1, 1, 1]},
        r"one entry per class, shape \(2,\)",
    ),
    "joint-shape": (
        ValueError,
        {"confident_joint": np.ones((2, 3, 3))},
        r"confident_joint must have shape \(2, 2, 2\)",
    ),
    "rank-method": (
        ValueError,
        {"return_indices_ranked_by": "entropy"},
        "method must be one of self_confidence",
    ),
    "rank-kwargs": (
        TypeError,
        {"return_indices_ranked_by": "self_confidence", "rank_by_kwargs": {"foo": 1}},
        r"accepts only 'adjust_pred_probs', but received \['foo'\]",
    ),
    "entropy-adjusted": (
        ValueError,
        {
            "return_indices_ranked_by": "confidence_weighted_entropy",
            "rank_by_kwargs": {"adjust_pred_probs": True},
        },
        "not supported with method='confidence_weighted_entropy'",
    ),
}


@pytest.mark.parametrize(
    ("error", "options", "message"), list(BAD_OPTIONS.values()), ids=list(BAD_OPTIONS)
)
def test_bad_filter_options_are_refused(error: type, options: dict, message: str) -> None:
    with pytest.raises(error, match=message):
        ml.find_multilabel_label_issues(LABELS2, PROBS2, **options)


def test_frac_noise_with_confident_learning_warns() -> None:
    with pytest.warns(UserWarning, match="frac_noise applies only to"):
        ml.find_multilabel_label_issues(
            LABELS2, PROBS2, filter_by="confident_learning", frac_noise=0.5
        )


BAD_AGGREGATION = {
    "alpha": ({"alpha": 1.5}, r"alpha must be in \[0, 1\]"),
    "name": ({"aggregator": "median"}, "aggregator must be one of exponential_moving_average"),
    "callable-shape": ({"aggregator": lambda s, axis: s}, r"one score per row, shape \(6,\)"),
}


@pytest.mark.parametrize(
    ("options", "message"), list(BAD_AGGREGATION.values()), ids=list(BAD_AGGREGATION)
)
def test_bad_aggregation_options_are_refused(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ml.compute_multilabel_label_quality_scores(LABELS2, PROBS2, **options)


def test_other_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match=r"class_scores must be a 2-D array"):
        ml.aggregate_multilabel_scores(np.ones(3))
    with pytest.raises(ValueError, match=r"thresholds must have shape \(2, 2\)"):
        ml.compute_multilabel_confident_joint(LABELS2, PROBS2, thresholds=[0.5, 0.5])
    with pytest.raises(ValueError, match=r"issues must have shape \(6, 2\)"):
        ml.order_multilabel_issues_per_class(np.ones((6, 3), bool), LABELS2, PROBS2)
    with pytest.raises(InvalidLabelsError, match="matrix of 0s and 1s"):
        ml.convert_onehot_to_multilabel([[0, 2]])
    with pytest.raises(InvalidPredProbsError, match="confidence_weighted_entropy needs pred_probs"):
        ml.compute_multilabel_label_quality_scores(
            [[0]], np.array([[1.0000005, 0.5]]), method="confidence_weighted_entropy"
        )
