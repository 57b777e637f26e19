"""Bad input gets a clear error (a goldlabel error that is also a ValueError, whose message says what
was received and how to fix it); recoverable oddities get a UserWarning.

Every public entry point of the confident-learning core runs the same validation, so each error case
is checked against all of them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from goldlabel import exceptions
from goldlabel.core import (
    compute_confident_joint,
    compute_confident_thresholds,
    compute_label_quality_scores,
    count_label_issues,
    estimate_joint,
    estimate_py_and_noise_matrices_from_probabilities,
    find_label_issues,
    find_predicted_neq_given,
    order_label_issues,
)
from goldlabel.core.filtering import FILTER_BY
from goldlabel.core.streaming import find_label_issues_streaming
from goldlabel.core.validation import MissingClassesWarning, check_labels, check_pred_probs
from goldlabel.exceptions import (
    DataValidationError,
    InvalidLabelsError,
    InvalidOptionError,
    InvalidPredProbsError,
)

PRUNING = ("prune_by_noise_rate", "prune_by_class", "both")

PRED_PROBS = np.array(
    [
        [0.90, 0.05, 0.05],
        [0.10, 0.80, 0.10],
        [0.20, 0.20, 0.60],
        [0.70, 0.20, 0.10],
        [0.10, 0.10, 0.80],
        [0.30, 0.60, 0.10],
    ]
)
LABELS = np.array([0, 1, 2, 0, 2, 1])

ENTRY_POINTS: dict[str, Callable[[Any, Any], Any]] = {
    "find_label_issues": find_label_issues,
    "find_predicted_neq_given": find_predicted_neq_given,
    "compute_confident_thresholds": compute_confident_thresholds,
    "compute_confident_joint": compute_confident_joint,
    "estimate_joint": estimate_joint,
    "count_label_issues": count_label_issues,
    "estimate_py_and_noise_matrices": estimate_py_and_noise_matrices_from_probabilities,
    "compute_label_quality_scores": compute_label_quality_scores,
    "order_label_issues": lambda labels, pred_probs: order_label_issues(
        np.ones(6, dtype=bool), labels, pred_probs
    ),
}
ENTRY_IDS = list(ENTRY_POINTS)


def _with(row: int, values: list[float]) -> np.ndarray:
    pred_probs = PRED_PROBS.copy()
    pred_probs[row] = values
    return pred_probs


def _object_rows() -> np.ndarray:
    rows = np.empty(6, dtype=object)
    for i in range(6):
        rows[i] = PRED_PROBS[i].tolist()
    rows[1] = [0.5, 0.5]
    return rows


def _dataframe_labels() -> Any:
    pd = pytest.importorskip("pandas")
    return pd.DataFrame({"a": LABELS, "b": LABELS})


# (id, labels, pred_probs, error, message pattern)
BAD_LABELS: list[tuple[str, Any, Any, type[Exception], str]] = [
    ("none", None, PRED_PROBS, InvalidLabelsError, r"labels is None"),
    (
        "strings",
        np.array(["a", "b", "c", "a", "c", "b"]),
        PRED_PROBS,
        InvalidLabelsError,
        r"must be integer class indices 0\.\.K-1.*dtype <U1.*Map class names to indices",
    ),
    (
        "string-list",
        ["cat", "dog", "cat", "cat", "dog", "dog"],
        PRED_PROBS,
        InvalidLabelsError,
        r"must be integer class indices 0\.\.K-1, but received list of length 6: \['cat'",
    ),
    (
        "mixed-list",
        [0, 1, "2", 0, 2, 1],
        PRED_PROBS,
        InvalidLabelsError,
        r"must be integer class indices 0\.\.K-1",
    ),
    (
        "fractional-floats",
        np.array([0, 1.5, 2, 0, 2, 1]),
        PRED_PROBS,
        InvalidLabelsError,
        r"whole-number class indices, but index 1 holds .*1\.5.*not probabilities or scores",
    ),
    (
        "nan",
        np.array([0, np.nan, 2, 0, 2, 1]),
        PRED_PROBS,
        InvalidLabelsError,
        r"missing or infinite value at index 1 .*nan.*Drop unlabeled rows",
    ),
    (
        "inf",
        np.array([0, 1, 2, np.inf, 2, 1]),
        PRED_PROBS,
        InvalidLabelsError,
        r"missing or infinite value at index 3",
    ),
    (
        "negative",
        np.array([0, -1, 2, 0, 2, 1]),
        PRED_PROBS,
        InvalidLabelsError,
        r"non-negative class indices, but index 1 holds -1\. Unlabeled rows",
    ),
    (
        "at-least-k",
        np.array([0, 1, 2, 0, 3, 1]),
        PRED_PROBS,
        InvalidLabelsError,
        r"must be in \[0, 3\) because pred_probs has 3 columns, but index 4 holds 3",
    ),
    (
        "2d-one-hot",
        np.eye(3, dtype=int)[LABELS],
        PRED_PROBS,
        InvalidLabelsError,
        r"1-D array of class indices, but received numpy array of shape \(6, 3\).*argmax",
    ),
    (
        "2d-column",
        LABELS[:, None],
        PRED_PROBS,
        InvalidLabelsError,
        r"1-D array of class indices, but received numpy array of shape \(6, 1\)",
    ),
    ("scalar", 2, PRED_PROBS, InvalidLabelsError, r"1-D array of class indices, but received int"),
    (
        "too-short",
        LABELS[:5],
        PRED_PROBS,
        InvalidLabelsError,
        r"labels has 5 entries but pred_probs has 6 rows\. Pass exactly one label per row",
    ),
    (
        "too-long",
        np.append(LABELS, 0),
        PRED_PROBS,
        InvalidLabelsError,
        r"labels has 7 entries but pred_probs has 6 rows",
    ),
    ("complex", LABELS.astype(complex), PRED_PROBS, InvalidLabelsError, r"got complex values"),
]

BAD_PRED_PROBS: list[tuple[str, Any, Any, type[Exception], str]] = [
    ("none", LABELS, None, InvalidPredProbsError, r"pred_probs is None.*cross_val_predict"),
    (
        "nan",
        LABELS,
        _with(1, [0.1, np.nan, 0.1]),
        InvalidPredProbsError,
        r"NaN or infinite values \(first in row 1: \[0\.1 +nan 0\.1\]\)",
    ),
    (
        "inf",
        LABELS,
        _with(2, [np.inf, 0.0, 0.0]),
        InvalidPredProbsError,
        r"NaN or infinite values \(first in row 2",
    ),
    (
        "minus-inf",
        LABELS,
        _with(3, [1.0, -np.inf, 0.0]),
        InvalidPredProbsError,
        r"NaN or infinite values \(first in row 3",
    ),
    (
        "negative",
        LABELS,
        _with(1, [1.1, -0.1, 0.0]),
        InvalidPredProbsError,
        r"probabilities in \[0, 1\], but row 1, column 1 holds -0\.1.*softmax",
    ),
    (
        "logits",
        LABELS,
        np.log(PRED_PROBS),
        InvalidPredProbsError,
        r"probabilities in \[0, 1\], but row 0, column 0 holds -0\.105.*apply a softmax",
    ),
    (
        "rows-sum-to-1.5",
        LABELS,
        PRED_PROBS * 1.5,
        InvalidPredProbsError,
        r"Each row of pred_probs must sum to 1, but row \d sums to 1\.5",
    ),
    (
        "row-sums-0.98",
        LABELS,
        _with(5, [0.3, 0.58, 0.1]),
        InvalidPredProbsError,
        r"must sum to 1, but row 5 sums to 0\.98",
    ),
    (
        "row-sums-1.011",
        LABELS,
        _with(0, [0.911, 0.05, 0.05]),
        InvalidPredProbsError,
        r"must sum to 1, but row 0 sums to 1\.011",
    ),
    (
        "1d",
        LABELS,
        PRED_PROBS[:, 0],
        InvalidPredProbsError,
        r"2-D array of shape \(num_examples, num_classes\), but received numpy array of shape "
        r"\(6,\).*np\.column_stack",
    ),
    (
        "3d",
        LABELS,
        PRED_PROBS[:, :, None],
        InvalidPredProbsError,
        r"2-D array .* shape \(6, 3, 1\)",
    ),
    (
        "ragged-object-array",
        LABELS,
        _object_rows(),
        InvalidPredProbsError,
        r"numeric \(N, K\) array, but received numpy array of shape \(6,\) and dtype object\. "
        r"Ragged rows\?",
    ),
    (
        "strings",
        LABELS,
        PRED_PROBS.astype(str),
        InvalidPredProbsError,
        r"must hold real numbers, but received dtype <U",
    ),
    ("no-columns", LABELS, np.zeros((6, 0)), InvalidPredProbsError, r"has no columns"),
    (
        "too-few-rows",
        LABELS,
        PRED_PROBS[:5],
        DataValidationError,
        r"6 entries but pred_probs has 5 rows|pred_probs has 5 rows but there are 6 labels",
    ),
]


def _check_error(error: BaseException, expected: type[Exception]) -> None:
    assert isinstance(error, expected)
    assert isinstance(error, exceptions.GoldlabelError)
    assert isinstance(error, exceptions.DataValidationError)
    assert isinstance(error, ValueError)


BAD_INPUTS = [("labels-" + c[0], *c[1:]) for c in BAD_LABELS] + [
    ("pred_probs-" + c[0], *c[1:]) for c in BAD_PRED_PROBS
]


@pytest.mark.parametrize("entry", ENTRY_IDS)
@pytest.mark.parametrize(
    ("labels", "pred_probs", "error", "match"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_inputs_are_refused(
    entry: str, labels: Any, pred_probs: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match) as info:
        ENTRY_POINTS[entry](labels, pred_probs)
    _check_error(info.value, error)


@pytest.mark.parametrize("entry", ENTRY_IDS)
def test_labels_dataframe_with_two_columns_is_refused(entry: str) -> None:
    with pytest.raises(
        InvalidLabelsError, match=r"DataFrame with 2 columns.*df\['label'\]"
    ) as info:
        ENTRY_POINTS[entry](_dataframe_labels(), PRED_PROBS)
    _check_error(info.value, InvalidLabelsError)


RAGGED_LIST = [[0.5, 0.5, 0.0], [1.0], [0.2, 0.8, 0.0], [0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [1, 0, 0]]


@pytest.mark.parametrize("entry", ENTRY_IDS)
def test_ragged_list_of_rows_is_refused_clearly(entry: str) -> None:
    with pytest.raises(InvalidPredProbsError, match=r"Ragged rows\?") as info:
        ENTRY_POINTS[entry](LABELS, RAGGED_LIST)
    _check_error(info.value, InvalidPredProbsError)


# --------------------------------------------------------------------------------------------------
# Row sums: used as is, renormalised with a warning, or refused
# --------------------------------------------------------------------------------------------------


def _scaled(row_scale: float, row: int = 1) -> np.ndarray:
    pred_probs = PRED_PROBS.copy()
    pred_probs[row] *= row_scale
    return pred_probs


@pytest.mark.parametrize("scale", [1 + 5e-5, 1 - 9e-5, 1 + 1e-7], ids=["+5e-5", "-9e-5", "+1e-7"])
def test_rows_within_1e_4_of_one_are_used_as_is(scale: float) -> None:
    pred_probs = _scaled(scale)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = compute_label_quality_scores(LABELS, pred_probs)
        find_label_issues(LABELS, pred_probs, filter_by="confident_learning")
    np.testing.assert_array_equal(scores, pred_probs[np.arange(6), LABELS])


@pytest.mark.parametrize("scale", [1 + 2e-4, 1 - 3e-3, 1 + 9e-3], ids=["+2e-4", "-3e-3", "+9e-3"])
def test_rows_within_1e_2_of_one_are_renormalised_with_a_warning(scale: float) -> None:
    pred_probs = _scaled(scale)
    renormalised = pred_probs / pred_probs.sum(axis=1, keepdims=True)
    with pytest.warns(
        UserWarning, match=r"1 rows of pred_probs sum to 1 only within .*renormalised"
    ):
        scores = compute_label_quality_scores(LABELS, pred_probs)
    np.testing.assert_allclose(scores, renormalised[np.arange(6), LABELS], rtol=1e-15)
    with pytest.warns(UserWarning, match=r"sum to 1 only within"):
        mask = find_label_issues(LABELS, pred_probs)
    np.testing.assert_array_equal(mask, find_label_issues(LABELS, renormalised))


def test_renormalising_does_not_modify_the_callers_array() -> None:
    pred_probs = _scaled(1 + 5e-3)
    before = pred_probs.copy()
    with pytest.warns(UserWarning, match=r"sum to 1 only within"):
        find_label_issues(LABELS, pred_probs)
    np.testing.assert_array_equal(pred_probs, before)


@pytest.mark.parametrize("scale", [1 + 1.1e-2, 1 - 2e-2, 2.0], ids=["+1.1e-2", "-2e-2", "x2"])
def test_rows_further_than_1e_2_from_one_are_refused(scale: float) -> None:
    with pytest.raises(InvalidPredProbsError, match=r"must sum to 1, but row 1 sums to") as info:
        find_label_issues(LABELS, _scaled(scale))
    _check_error(info.value, InvalidPredProbsError)


def test_tiny_negative_values_are_tolerated_as_rounding_noise() -> None:
    pred_probs = _with(1, [-5e-7, 0.9000005, 0.1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        find_label_issues(LABELS, pred_probs)


# --------------------------------------------------------------------------------------------------
# Warnings about classes
# --------------------------------------------------------------------------------------------------

ABSENT_LABELS = np.array([0, 1, 0, 0, 1, 1])  # class 2 never appears


@pytest.mark.filterwarnings("ignore::goldlabel.core.validation.MissingClassesWarning")
@pytest.mark.parametrize("minimum", [0, 1, 2], ids=lambda m: f"min{m}")
@pytest.mark.parametrize("filter_by", PRUNING)
def test_pruning_warns_about_a_class_that_never_appears(filter_by: str, minimum: int) -> None:
    with pytest.warns(UserWarning, match=r"class 2\b.*(0 examples|never appear)"):
        find_label_issues(
            ABSENT_LABELS, PRED_PROBS, filter_by=filter_by, min_examples_per_class=minimum
        )


@pytest.mark.filterwarnings("ignore:May not flag all label issues")
@pytest.mark.parametrize("filter_by", FILTER_BY)
def test_every_filter_warns_that_a_class_never_appears(filter_by: str) -> None:
    with pytest.warns(
        MissingClassesWarning, match=r"1 of 3 classes never appear in labels \(class 2\)"
    ):
        find_label_issues(ABSENT_LABELS, PRED_PROBS, filter_by=filter_by)


@pytest.mark.filterwarnings("ignore:May not flag all label issues")
@pytest.mark.parametrize("filter_by", FILTER_BY)
def test_streaming_warns_that_a_class_never_appears(filter_by: str) -> None:
    with pytest.warns(MissingClassesWarning, match=r"never appear in labels \(class 2\)") as record:
        find_label_issues_streaming(PRED_PROBS, ABSENT_LABELS, filter_by=filter_by)
    assert {w.filename for w in record if w.category is MissingClassesWarning} == {__file__}


@pytest.mark.parametrize("filter_by", FILTER_BY)
def test_no_class_warning_when_every_class_appears(filter_by: str) -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        find_label_issues(LABELS, PRED_PROBS, filter_by=filter_by)
    assert not [w for w in record if w.category is MissingClassesWarning]


def test_the_missing_class_warning_lists_at_most_ten_classes() -> None:
    labels = np.array([0, 1, 0, 1])
    pred_probs = np.full((4, 14), 0.01)
    pred_probs[:, :2] = [[0.83, 0.05], [0.05, 0.83], [0.8, 0.08], [0.08, 0.8]]
    with pytest.warns(
        MissingClassesWarning,
        match=r"12 of 14 classes never appear in labels \(class 2, 3, 4, "
        r"5, 6, 7, 8, 9, 10, 11, \.\.\.\)",
    ):
        find_label_issues(labels, pred_probs, filter_by="confident_learning")


def _labels_with_sizes(sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Labels with ``sizes[k]`` examples of class k and matching confident pred_probs."""
    labels = np.repeat(np.arange(len(sizes)), sizes)
    rng = np.random.default_rng(0)
    pred_probs = rng.dirichlet(np.ones(len(sizes)), labels.size)
    pred_probs[np.arange(labels.size), labels] += 2
    pred_probs /= pred_probs.sum(axis=1, keepdims=True)
    return labels, pred_probs


@pytest.mark.parametrize("filter_by", PRUNING)
@pytest.mark.parametrize(
    ("size", "warned"), [(3, True), (5, True), (6, False)], ids=["3", "5", "6"]
)
def test_a_class_with_at_most_min_examples_is_reported(
    filter_by: str, size: int, warned: bool
) -> None:
    labels, pred_probs = _labels_with_sizes([40, 30, size])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        find_label_issues(labels, pred_probs, filter_by=filter_by, min_examples_per_class=5)
    messages = [str(w.message) for w in record if issubclass(w.category, UserWarning)]
    about_class_2 = [m for m in messages if "May not flag all label issues in class 2" in m]
    assert bool(about_class_2) == warned, messages
    assert not any("class 0" in m or "class 1" in m for m in messages)


@pytest.mark.parametrize("filter_by", PRUNING)
def test_a_single_example_class_is_reported_with_the_default_minimum(filter_by: str) -> None:
    labels, pred_probs = _labels_with_sizes([40, 30, 1])
    with pytest.warns(UserWarning, match=r"May not flag all label issues in class 2"):
        mask = find_label_issues(labels, pred_probs, filter_by=filter_by)
    assert not mask[labels == 2].any()


# --------------------------------------------------------------------------------------------------
# Bad options
# --------------------------------------------------------------------------------------------------


BAD_OPTIONS: list[tuple[str, dict[str, Any], str]] = [
    (
        "filter_by",
        {"filter_by": "nope"},
        r"filter_by must be one of prune_by_noise_rate, prune_by_class, both, confident_learning, "
        r"predicted_neq_given, low_normalized_margin, low_self_confidence, but received 'nope'",
    ),
    ("filter_by-none", {"filter_by": None}, r"filter_by must be one of .*but received None"),
    ("filter_by-list", {"filter_by": ["both"]}, r"filter_by must be one of .*\['both'\]"),
    (
        "ranked_by",
        {"return_indices_ranked_by": "entropy"},
        r"return_indices_ranked_by must be None or one of self_confidence, normalized_margin, "
        r"confidence_weighted_entropy, but received 'entropy'",
    ),
    (
        "ranked_by-true",
        {"return_indices_ranked_by": True},
        r"return_indices_ranked_by must be None or one of .*but received True",
    ),
    ("frac_noise-high", {"frac_noise": 1.5}, r"frac_noise must be in \[0, 1\], but received 1\.5"),
    (
        "frac_noise-negative",
        {"frac_noise": -0.1},
        r"frac_noise must be in \[0, 1\], but received -0\.1\. Use 1\.0 \(the default\)",
    ),
    (
        "frac_noise-nan",
        {"frac_noise": float("nan")},
        r"frac_noise must be in \[0, 1\], but received nan",
    ),
    (
        "frac_noise-string",
        {"frac_noise": "0.5"},
        r"frac_noise must be in \[0, 1\], but received '0\.5'",
    ),
    (
        "min_examples-negative",
        {"min_examples_per_class": -1},
        r"min_examples_per_class must be a non-negative integer, but received -1\. The default is 1",
    ),
    (
        "min_examples-fraction",
        {"min_examples_per_class": 2.5},
        r"min_examples_per_class must be a non-negative integer, but received 2\.5",
    ),
    (
        "min_examples-string",
        {"min_examples_per_class": "2"},
        r"min_examples_per_class must be a non-negative integer, but received '2'",
    ),
    (
        "n_jobs-zero",
        {"n_jobs": 0},
        r"n_jobs must be a positive integer or None, but received 0\. Use None for every",
    ),
    (
        "n_jobs-negative",
        {"n_jobs": -2},
        r"n_jobs must be a positive integer or None, but received -2",
    ),
    (
        "n_jobs-float",
        {"n_jobs": 1.5},
        r"n_jobs must be a positive integer or None, but received 1\.5",
    ),
    (
        "num_to_remove-shape",
        {"num_to_remove_per_class": [1, 1]},
        r"num_to_remove_per_class must have one entry per class, shape \(3,\), but received shape "
        r"\(2,\)",
    ),
    (
        "num_to_remove-negative",
        {"num_to_remove_per_class": [1, -1, 0]},
        r"num_to_remove_per_class must hold non-negative counts, one per class, but received "
        r"\[1, -1, 0\]",
    ),
    (
        "num_to_remove-outside-pruning",
        {"num_to_remove_per_class": [1, 1, 1], "filter_by": "confident_learning"},
        r"num_to_remove_per_class cannot be used with filter_by='confident_learning'; use "
        r"'prune_by_noise_rate', 'prune_by_class' or 'both'",
    ),
    (
        "confident_joint-shape",
        {"confident_joint": np.ones((2, 2), dtype=int)},
        r"confident_joint must be a \(3, 3\) matrix for 3 classes, but received shape \(2, 2\)",
    ),
    (
        "rank_by_kwargs-cwe-adjust",
        {
            "return_indices_ranked_by": "confidence_weighted_entropy",
            "rank_by_kwargs": {"adjust_pred_probs": True},
        },
        r"adjust_pred_probs=True is not supported with method='confidence_weighted_entropy'",
    ),
]


@pytest.mark.filterwarnings("ignore:frac_noise and num_to_remove_per_class apply only")
@pytest.mark.parametrize(
    ("kwargs", "match"), [case[1:] for case in BAD_OPTIONS], ids=[case[0] for case in BAD_OPTIONS]
)
@pytest.mark.parametrize(
    "find", [find_label_issues, find_label_issues_streaming], ids=["memory", "streaming"]
)
def test_bad_options_are_refused(
    find: Callable[..., Any], kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(InvalidOptionError, match=match) as info:
        if find is find_label_issues_streaming:
            find(PRED_PROBS, LABELS, **kwargs)
        else:
            find(LABELS, PRED_PROBS, **kwargs)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, exceptions.GoldlabelError)


# (id, call, message pattern): option errors of the other entry points
OTHER_BAD_OPTIONS: list[tuple[str, Callable[[], Any], str]] = [
    (
        "count-estimation_method",
        lambda: count_label_issues(LABELS, PRED_PROBS, estimation_method="diag"),
        r"estimation_method must be one of off_diagonal, off_diagonal_calibrated, "
        r"off_diagonal_custom, but received 'diag'",
    ),
    (
        "count-custom-without-joint",
        lambda: count_label_issues(LABELS, PRED_PROBS, estimation_method="off_diagonal_custom"),
        r"counts from the confident_joint you pass, but confident_joint is None",
    ),
    (
        "joint-thresholds-shape",
        lambda: compute_confident_joint(LABELS, PRED_PROBS, thresholds=[0.5, 0.5]),
        r"thresholds must have one value per class, shape \(3,\), but received shape \(2,\)",
    ),
    (
        "joint-n_jobs",
        lambda: compute_confident_joint(LABELS, PRED_PROBS, n_jobs=0),
        r"n_jobs must be a positive integer or None, but received 0",
    ),
    (
        "scores-method",
        lambda: compute_label_quality_scores(LABELS, PRED_PROBS, method="margin"),
        r"method must be one of self_confidence, normalized_margin, confidence_weighted_entropy, "
        r"but received 'margin'",
    ),
    (
        "scores-cwe-adjust",
        lambda: compute_label_quality_scores(
            LABELS, PRED_PROBS, method="confidence_weighted_entropy", adjust_pred_probs=True
        ),
        r"adjust_pred_probs=True is not supported with method='confidence_weighted_entropy'",
    ),
    (
        "order-rank_by",
        lambda: order_label_issues(np.ones(6, dtype=bool), LABELS, PRED_PROBS, rank_by="worst"),
        r"method must be one of self_confidence, .*but received 'worst'",
    ),
    (
        "latent-py_method",
        lambda: estimate_py_and_noise_matrices_from_probabilities(
            LABELS, PRED_PROBS, py_method="prior"
        ),
        r"py_method must be one of .*but received 'prior'",
    ),
]


@pytest.mark.parametrize(
    ("call", "match"),
    [case[1:] for case in OTHER_BAD_OPTIONS],
    ids=[case[0] for case in OTHER_BAD_OPTIONS],
)
def test_bad_options_of_other_entry_points_are_refused(call: Callable[[], Any], match: str) -> None:
    with pytest.raises(InvalidOptionError, match=match):
        call()


# --------------------------------------------------------------------------------------------------
# What validation accepts, and how it converts
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [
        LABELS.tolist(),
        LABELS.astype(np.int8),
        LABELS.astype(np.uint16),
        LABELS.astype(float),
        LABELS.astype(object),
        tuple(LABELS.tolist()),
    ],
    ids=["list", "int8", "uint16", "whole-floats", "object-ints", "tuple"],
)
def test_labels_in_any_integer_form_are_accepted(labels: Any) -> None:
    checked = check_labels(labels, n_classes=3, n_examples=6)
    assert checked.dtype == np.int64
    np.testing.assert_array_equal(checked, LABELS)
    np.testing.assert_array_equal(
        find_label_issues(labels, PRED_PROBS), find_label_issues(LABELS, PRED_PROBS)
    )


def test_boolean_labels_become_zero_and_one() -> None:
    checked = check_labels(np.array([True, False, True]), n_classes=2)
    assert checked.dtype == np.int64
    assert checked.tolist() == [1, 0, 1]


def test_pandas_labels_are_accepted() -> None:
    pd = pytest.importorskip("pandas")
    np.testing.assert_array_equal(check_labels(pd.Series(LABELS)), LABELS)
    np.testing.assert_array_equal(check_labels(pd.DataFrame({"label": LABELS})), LABELS)


def test_valid_float_pred_probs_are_returned_without_a_copy() -> None:
    for dtype in (np.float32, np.float64):
        pred_probs = PRED_PROBS.astype(dtype)
        assert check_pred_probs(pred_probs) is pred_probs


@pytest.mark.parametrize(
    ("pred_probs", "dtype"),
    [
        (np.eye(3, dtype=np.int64)[LABELS], np.float64),
        (np.eye(3, dtype=bool)[LABELS], np.float64),
        (np.eye(3, dtype=np.float16)[LABELS], np.float32),
        (PRED_PROBS.tolist(), np.float64),
    ],
    ids=["int", "bool", "float16", "nested-list"],
)
def test_pred_probs_are_converted_to_floats(pred_probs: Any, dtype: type) -> None:
    checked = check_pred_probs(pred_probs)
    assert checked.dtype == dtype
    assert checked.shape == (6, 3)
