from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pandas as pd
import pytest

from goldlabel.compat import multilabel_classification as compat
from goldlabel.compat.multilabel_classification import dataset, rank
from goldlabel.compat.multilabel_classification import filter as ml_filter
from goldlabel.core.multilabel import MULTILABEL_FILTER_BY, MULTILABEL_SCORE_METHODS
from goldlabel.exceptions import InvalidLabelsError
from tests.core.test_multilabel import make_multilabel_data, quietly

cleanlab_ml = pytest.importorskip("cleanlab.multilabel_classification")
from cleanlab.multilabel_classification import dataset as cl_dataset  # noqa: E402
from cleanlab.multilabel_classification import filter as cl_filter  # noqa: E402
from cleanlab.multilabel_classification import rank as cl_rank  # noqa: E402

CASES = {
    "k2-f32": {"n": 300, "k": 2, "seed": 10, "dtype": np.float32},
    "k6-f64": {"n": 400, "k": 6, "seed": 11},
    "k15-f64-dense": {"n": 400, "k": 15, "seed": 12, "max_prior": 0.8},
    "k40-f32": {"n": 300, "k": 40, "seed": 13, "dtype": np.float32},
}
FILTER_BY = MULTILABEL_FILTER_BY
METHODS = MULTILABEL_SCORE_METHODS


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def data(request: pytest.FixtureRequest) -> tuple[list[list[int]], np.ndarray]:
    return make_multilabel_data(**CASES[request.param])


PUBLIC = {
    "filter.find_label_issues": (ml_filter.find_label_issues, cl_filter.find_label_issues),
    "filter.find_multilabel_issues_per_class": (
        ml_filter.find_multilabel_issues_per_class,
        cl_filter.find_multilabel_issues_per_class,
    ),
    "rank.get_label_quality_scores": (
        rank.get_label_quality_scores,
        cl_rank.get_label_quality_scores,
    ),
    "rank.get_label_quality_scores_per_class": (
        rank.get_label_quality_scores_per_class,
        cl_rank.get_label_quality_scores_per_class,
    ),
    "dataset.common_multilabel_issues": (
        dataset.common_multilabel_issues,
        cl_dataset.common_multilabel_issues,
    ),
    "dataset.rank_classes_by_multilabel_quality": (
        dataset.rank_classes_by_multilabel_quality,
        cl_dataset.rank_classes_by_multilabel_quality,
    ),
    "dataset.overall_multilabel_health_score": (
        dataset.overall_multilabel_health_score,
        cl_dataset.overall_multilabel_health_score,
    ),
    "dataset.multilabel_health_summary": (
        dataset.multilabel_health_summary,
        cl_dataset.multilabel_health_summary,
    ),
}


@pytest.mark.parametrize(("ours", "theirs"), list(PUBLIC.values()), ids=list(PUBLIC))
def test_signature_matches_cleanlab(ours: Any, theirs: Any) -> None:
    def shape(fn: Any) -> list[tuple[str, Any, Any]]:
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    assert shape(ours) == shape(theirs)


def test_package_exports_like_cleanlab() -> None:
    assert compat.get_label_quality_scores is rank.get_label_quality_scores
    for name in ("filter", "rank", "dataset", "get_label_quality_scores"):
        assert hasattr(cleanlab_ml, name) and hasattr(compat, name)


# --- filter ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rank_by", [None, *METHODS], ids=["mask", *METHODS])
@pytest.mark.parametrize("filter_by", FILTER_BY, ids=FILTER_BY)
def test_find_label_issues_matches_cleanlab(data, filter_by: str, rank_by: str | None) -> None:
    labels, pred_probs = data
    kwargs = {"filter_by": filter_by, "return_indices_ranked_by": rank_by}
    got = quietly(ml_filter.find_label_issues, labels, pred_probs, **kwargs)
    expected = quietly(cl_filter.find_label_issues, labels, pred_probs, n_jobs=1, **kwargs)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == expected.dtype


@pytest.mark.parametrize("filter_by", ["low_self_confidence", "low_normalized_margin"])
def test_low_filters_reproduce_cleanlabs_adjusted_ranking(filter_by: str) -> None:
    labels, pred_probs = make_multilabel_data(**CASES["k6-f64"])
    kwargs = {
        "filter_by": filter_by,
        "return_indices_ranked_by": "normalized_margin",
        "rank_by_kwargs": {"adjust_pred_probs": True},
        # cleanlab ignores these with the low_* filters
        "frac_noise": 0.5,
        "num_to_remove_per_class": [1] * 6,
        "min_examples_per_class": 30,
    }
    got = quietly(ml_filter.find_label_issues, labels, pred_probs, **kwargs)
    expected = quietly(cl_filter.find_label_issues, labels, pred_probs, n_jobs=1, **kwargs)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    "rank_by_kwargs", [{}, {"adjust_pred_probs": True}], ids=["plain", "adjusted"]
)
@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "confident_learning"])
def test_issues_per_class_ranked_match_cleanlab(data, filter_by, rank_by_kwargs) -> None:
    labels, pred_probs = data
    kwargs = {
        "filter_by": filter_by,
        "return_indices_ranked_by": "normalized_margin",
        "rank_by_kwargs": rank_by_kwargs,
    }
    ranked, labels_list, probs_list = quietly(
        ml_filter.find_multilabel_issues_per_class, labels, pred_probs, **kwargs
    )
    expected = quietly(
        cl_filter.find_multilabel_issues_per_class, labels, pred_probs, n_jobs=1, **kwargs
    )
    assert len(ranked) == len(expected[0]) == pred_probs.shape[1]
    for ours, theirs in zip(ranked, expected[0], strict=True):
        np.testing.assert_array_equal(ours, theirs)
    for ours, theirs in zip(labels_list, expected[1], strict=True):
        np.testing.assert_array_equal(ours, theirs)
    for ours, theirs in zip(probs_list, expected[2], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_issues_per_class_mask_with_options_matches_cleanlab(data) -> None:
    labels, pred_probs = data
    kwargs = {
        "filter_by": "prune_by_class",
        "num_to_remove_per_class": [2] * pred_probs.shape[1],
        "min_examples_per_class": 3,
    }
    got = quietly(ml_filter.find_multilabel_issues_per_class, labels, pred_probs, **kwargs)
    expected = quietly(
        cl_filter.find_multilabel_issues_per_class, labels, pred_probs, n_jobs=1, **kwargs
    )
    np.testing.assert_array_equal(got, expected)
    assert got.shape == pred_probs.shape and got.dtype == bool


def test_low_memory_is_refused() -> None:
    labels, pred_probs = make_multilabel_data(50, 3, seed=1)
    with pytest.raises(NotImplementedError, match=r"low_memory=True .* is not available"):
        ml_filter.find_label_issues(labels, pred_probs, low_memory=True)
    with pytest.raises(NotImplementedError, match="call with low_memory=False"):
        ml_filter.find_multilabel_issues_per_class(labels, pred_probs, low_memory=True)


def test_bad_labels_raise_a_value_error() -> None:
    with pytest.raises(InvalidLabelsError, match=r"labels\[0\] must be a list"):
        ml_filter.find_label_issues([1, 0], np.array([[0.2, 0.9], [0.8, 0.1]]))


# --- rank ------------------------------------------------------------------------------------

AGGREGATOR_KWARGS = {
    "default": {"method": "exponential_moving_average", "alpha": 0.8},
    "empty": {},
    "ema-no-alpha": {"method": "exponential_moving_average"},
    "ema-alpha-0.5": {"method": "exponential_moving_average", "alpha": 0.5},
    "softmin": {"method": "softmin"},
    "softmin-t0.3": {"method": "softmin", "temperature": 0.3},
    "callable-min": {"method": np.min},
    "callable-with-kwargs": {"method": np.percentile, "q": 20},
}


@pytest.mark.parametrize("adjust", [False, True], ids=["plain", "adjusted"])
@pytest.mark.parametrize(
    "aggregator_kwargs", list(AGGREGATOR_KWARGS.values()), ids=list(AGGREGATOR_KWARGS)
)
def test_label_quality_scores_match_cleanlab(data, aggregator_kwargs, adjust) -> None:
    labels, pred_probs = data
    for method in METHODS[: 2 if adjust else 3]:
        kwargs = {"method": method, "adjust_pred_probs": adjust}
        got = rank.get_label_quality_scores(
            labels, pred_probs, aggregator_kwargs=aggregator_kwargs, **kwargs
        )
        expected = cl_rank.get_label_quality_scores(
            labels, pred_probs, aggregator_kwargs=aggregator_kwargs, **kwargs
        )
        np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize(("method", "adjust"), [(m, False) for m in METHODS] + [(METHODS[1], True)])
def test_label_quality_scores_per_class_match_cleanlab(data, method: str, adjust: bool) -> None:
    labels, pred_probs = data
    got = rank.get_label_quality_scores_per_class(
        labels, pred_probs, method=method, adjust_pred_probs=adjust
    )
    expected = cl_rank.get_label_quality_scores_per_class(
        labels, pred_probs, method=method, adjust_pred_probs=adjust
    )
    assert isinstance(got, np.ndarray) and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_aggregator_without_method_is_refused() -> None:
    with pytest.raises(TypeError, match="aggregator_kwargs needs a 'method'"):
        rank.get_label_quality_scores([[0], [1]], np.eye(2), aggregator_kwargs={"alpha": 0.5})
    with pytest.raises(ValueError, match="Invalid aggregation method 'mean'"):
        rank.get_label_quality_scores([[0], [1]], np.eye(2), aggregator_kwargs={"method": "mean"})


# --- dataset ---------------------------------------------------------------------------------

DATASET_CASES = {name: CASES[name] for name in ("k2-f32", "k15-f64-dense")}


@pytest.fixture(scope="module", params=list(DATASET_CASES), ids=list(DATASET_CASES))
def joint_case(request: pytest.FixtureRequest) -> tuple[list, np.ndarray, np.ndarray, list]:
    labels, pred_probs = make_multilabel_data(**DATASET_CASES[request.param])
    from goldlabel.core.multilabel import compute_multilabel_confident_joint

    joint = compute_multilabel_confident_joint(labels, pred_probs)
    joint[:, 0, 1] += 5
    names = [f"c{i}" for i in range(pred_probs.shape[1])]
    return labels, pred_probs, joint, names


def test_dataset_functions_match_cleanlab(joint_case) -> None:
    labels, pred_probs, joint, names = joint_case
    pd.testing.assert_frame_equal(
        quietly(dataset.common_multilabel_issues, labels, pred_probs, confident_joint=joint),
        quietly(cl_dataset.common_multilabel_issues, labels, pred_probs, confident_joint=joint),
    )
    pd.testing.assert_frame_equal(
        quietly(dataset.rank_classes_by_multilabel_quality, labels, pred_probs, class_names=names),
        quietly(
            cl_dataset.rank_classes_by_multilabel_quality, labels, pred_probs, class_names=names
        ),
    )
    for key in ("joint", "confident_joint"):  # cleanlab prunes with joint only
        pd.testing.assert_frame_equal(
            quietly(dataset.rank_classes_by_multilabel_quality, labels, pred_probs, **{key: joint}),
            quietly(
                cl_dataset.rank_classes_by_multilabel_quality, labels, pred_probs, **{key: joint}
            ),
        )
    got = quietly(dataset.overall_multilabel_health_score, labels, pred_probs)
    expected = quietly(cl_dataset.overall_multilabel_health_score, labels, pred_probs)
    assert got == expected and type(got) is type(expected)


def test_health_summary_matches_cleanlab(joint_case, capsys: pytest.CaptureFixture) -> None:
    labels, pred_probs, joint, names = joint_case
    kwargs = {"class_names": names, "confident_joint": joint}
    got = quietly(dataset.multilabel_health_summary, labels, pred_probs, verbose=False, **kwargs)
    assert capsys.readouterr().out == ""
    expected = quietly(
        cl_dataset.multilabel_health_summary, labels, pred_probs, verbose=False, **kwargs
    )
    assert list(got) == list(expected)
    assert got["overall_multilabel_health_score"] == expected["overall_multilabel_health_score"]
    for key in ("classes_by_multilabel_quality", "common_multilabel_issues"):
        pd.testing.assert_frame_equal(got[key], expected[key])


def test_health_summary_prints_when_verbose(capsys: pytest.CaptureFixture) -> None:
    labels, pred_probs = make_multilabel_data(80, 3, seed=5)
    quietly(dataset.multilabel_health_summary, labels, pred_probs, verbose=True)
    out = capsys.readouterr().out
    assert "Multi-label dataset health (80 examples)" in out
    assert "Overall multi-label health score" in out
