from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goldlabel.core import counting, summary
from goldlabel.exceptions import DataValidationError
from tests.conftest import make_noisy_data

cl_dataset = pytest.importorskip("cleanlab.dataset")
cl_count = pytest.importorskip("cleanlab.count")

# (N, K, seed, dtype, imbalance)
CASES = {
    "k2-f64": (300, 2, 0, np.float64, 0.0),
    "k4-f32-imb": (1200, 4, 1, np.float32, 0.4),
    "k12-f64-imb": (2000, 12, 2, np.float64, 0.1),
    "k40-f32": (2500, 40, 3, np.float32, 0.0),
    "k200-f64": (3000, 200, 6, np.float64, 0.0),
}
IDS = list(CASES)


def data(case: str) -> tuple[np.ndarray, np.ndarray]:
    n, k, seed, dtype, imbalance = CASES[case]
    labels, pred_probs, _ = make_noisy_data(n, k, seed=seed, dtype=dtype, imbalance=imbalance)
    return labels, pred_probs


def inputs(case: str, how: str) -> dict[str, Any]:
    labels, pred_probs = data(case)
    if how == "labels-pred-probs":
        return {"labels": labels, "pred_probs": pred_probs}
    if how == "joint":
        return {"joint": cl_count.estimate_joint(labels, pred_probs), "num_examples": len(labels)}
    raw = cl_count.compute_confident_joint(labels, pred_probs, calibrate=False)
    if how == "labels-confident-joint":
        return {"labels": labels, "confident_joint": raw}
    return {"confident_joint": raw, "num_examples": int(raw.sum())}


HOWS = ["labels-pred-probs", "joint", "labels-confident-joint", "confident-joint"]


def quiet(fn: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(**kwargs)


@pytest.mark.parametrize("how", HOWS, ids=HOWS)
@pytest.mark.parametrize("case", IDS, ids=IDS)
def test_rank_classes_matches_cleanlab(case: str, how: str) -> None:
    kwargs = inputs(case, how)
    names = [f"class {i}" for i in range(CASES[case][1])]
    expected = quiet(cl_dataset.rank_classes_by_label_quality, class_names=names, **kwargs)
    got = summary.rank_classes_by_label_quality(class_names=names, **kwargs)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


@pytest.mark.parametrize("asymmetric", [False, True], ids=["symmetric", "asymmetric"])
@pytest.mark.parametrize("how", HOWS, ids=HOWS)
@pytest.mark.parametrize("case", IDS, ids=IDS)
def test_find_overlapping_classes_matches_cleanlab(case: str, how: str, asymmetric: bool) -> None:
    kwargs = inputs(case, how)
    names = [f"c{i}" for i in range(CASES[case][1])]
    expected = quiet(
        cl_dataset.find_overlapping_classes, asymmetric=asymmetric, class_names=names, **kwargs
    )
    got = summary.find_overlapping_classes(asymmetric=asymmetric, class_names=names, **kwargs)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    k = CASES[case][1]
    assert len(got) == (k * (k - 1) if asymmetric else k * (k - 1) // 2)


@pytest.mark.parametrize("how", HOWS, ids=HOWS)
@pytest.mark.parametrize("case", IDS, ids=IDS)
def test_overall_health_score_matches_cleanlab(case: str, how: str) -> None:
    kwargs = inputs(case, how)
    expected = quiet(cl_dataset.overall_label_health_score, verbose=False, **kwargs)
    got = summary.compute_overall_label_health_score(**kwargs)
    assert type(got) is float
    assert got == expected


@pytest.mark.parametrize("how", ["labels-pred-probs", "labels-confident-joint"])
@pytest.mark.parametrize("case", IDS, ids=IDS)
def test_summarize_label_health_matches_cleanlab(case: str, how: str) -> None:
    kwargs = inputs(case, how)
    expected = quiet(cl_dataset.health_summary, verbose=False, **kwargs)
    got = summary.summarize_label_health(**kwargs)
    assert got["overall_label_health_score"] == expected["overall_label_health_score"]
    np.testing.assert_array_equal(got["joint"], expected["joint"])
    for key in ("classes_by_label_quality", "overlapping_classes"):
        pd.testing.assert_frame_equal(got[key], expected[key], check_exact=True)
    n = got["num_examples"]
    assert n == len(kwargs["labels"])
    assert got["num_label_issues"] == round(n * (1 - got["overall_label_health_score"]))


def test_summary_from_joint_alone_uses_the_trace() -> None:
    labels, pred_probs = data("k4-f32-imb")
    joint = counting.estimate_joint(labels, pred_probs)
    got = summary.summarize_label_health(joint=joint, num_examples=len(labels))
    assert got["overall_label_health_score"] == pytest.approx(np.trace(joint), abs=0)
    assert got["num_label_issues"] == round(len(labels) * (1 - np.trace(joint)))
    ranked = got["classes_by_label_quality"]
    assert ranked["Label Quality Score"].is_monotonic_increasing
    assert sorted(ranked["Class Index"]) == [0, 1, 2, 3]


def test_confident_joint_alone_infers_num_examples() -> None:
    labels, pred_probs = data("k12-f64-imb")
    raw = counting.compute_confident_joint(labels, pred_probs, calibrate=False)
    implicit = summary.rank_classes_by_label_quality(confident_joint=raw)
    explicit = summary.rank_classes_by_label_quality(
        confident_joint=raw, num_examples=int(raw.sum())
    )
    pd.testing.assert_frame_equal(implicit, explicit)


def test_joint_takes_precedence_over_other_inputs() -> None:
    labels, pred_probs = data("k4-f32-imb")
    joint = np.full((4, 4), 1 / 16)
    got = summary.rank_classes_by_label_quality(labels, pred_probs, joint=joint)
    np.testing.assert_allclose(got["Label Noise"], 0.75)
    assert got["Label Issues"].tolist() == [225] * 4  # 1200 * 3 / 16


@settings(max_examples=30, deadline=None)
@given(
    k=st.integers(2, 8),
    seed=st.integers(0, 10_000),
    n=st.integers(50, 400),
)
def test_dataset_level_invariants(k: int, seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    joint = rng.random((k, k)) + np.eye(k) * rng.uniform(0, 5)
    joint /= joint.sum()
    ranked = summary.rank_classes_by_label_quality(joint=joint, num_examples=n)
    assert len(ranked) == k and ranked["Label Quality Score"].is_monotonic_increasing
    noise = ranked["Label Noise"].to_numpy()
    assert ((noise >= 0) & (noise <= 1)).all()
    np.testing.assert_allclose(ranked["Label Quality Score"], 1 - noise)
    overlap = summary.find_overlapping_classes(joint=joint, num_examples=n)
    total_off = joint.sum() - np.trace(joint)
    assert overlap["Joint Probability"].sum() == pytest.approx(total_off)
    assert overlap["Joint Probability"].is_monotonic_decreasing
    asym = summary.find_overlapping_classes(joint=joint, num_examples=n, asymmetric=True)
    assert asym["Joint Probability"].sum() == pytest.approx(total_off)
    score = summary.compute_overall_label_health_score(joint=joint, num_examples=n)
    assert score == pytest.approx(np.trace(joint))


J2 = np.array([[0.5, 0.1], [0.1, 0.3]])
ERRORS = [
    (
        "joint-1d",
        {"joint": np.ones(4) / 4, "num_examples": 4},
        "must be a square \\(K, K\\) numeric",
    ),
    ("joint-strings", {"joint": [["a", "b"], ["c", "d"]], "num_examples": 4}, "numeric matrix"),
    ("joint-empty", {"joint": np.zeros((0, 0)), "num_examples": 4}, "joint is empty"),
    ("joint-nan", {"joint": np.array([[0.5, np.nan], [0, 0.5]]), "num_examples": 4}, "finite"),
    (
        "joint-negative",
        {"joint": np.array([[0.6, -0.1], [0, 0.5]]), "num_examples": 4},
        "non-negative",
    ),
    ("joint-counts", {"joint": np.array([[40, 2], [3, 55]]), "num_examples": 100}, "summing to 1"),
    ("n-float", {"joint": J2, "num_examples": 10.0}, "num_examples must be a positive integer"),
    ("n-bool", {"joint": J2, "num_examples": True}, "num_examples must be a positive integer"),
    ("n-zero", {"joint": J2, "num_examples": 0}, "received 0"),
    (
        "joint-vs-cj",
        {"joint": J2, "confident_joint": np.ones((3, 3)), "num_examples": 5},
        "joint has shape \\(2, 2\\) but confident_joint has shape \\(3, 3\\)",
    ),
    (
        "cj-vs-pred-probs",
        {"confident_joint": np.ones((3, 3)), "pred_probs": np.full((4, 2), 0.5)},
        "confident_joint is \\(3, 3\\) but pred_probs has shape \\(4, 2\\)",
    ),
    ("nothing", {}, "labels is None and neither joint nor confident_joint"),
    ("labels-only", {"labels": [0, 1]}, "pred_probs is None and neither joint"),
    ("joint-without-n", {"joint": J2}, "num_examples is None and cannot be inferred"),
    ("names-string", {"joint": J2, "num_examples": 4, "class_names": "ab"}, "the string 'ab'"),
    ("names-length", {"joint": J2, "num_examples": 4, "class_names": ["a"]}, "1 entries but there"),
]


@pytest.mark.parametrize(
    "fn",
    [
        summary.rank_classes_by_label_quality,
        summary.find_overlapping_classes,
        summary.summarize_label_health,
    ],
    ids=["rank", "overlap", "summarize"],
)
@pytest.mark.parametrize(("kwargs", "match"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors(fn: Any, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(DataValidationError, match=match):
        fn(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [e[1:] for e in ERRORS if "class_names" not in e[1]],
    ids=[e[0] for e in ERRORS if "class_names" not in e[1]],
)
def test_health_score_errors(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(DataValidationError, match=match):
        summary.compute_overall_label_health_score(**kwargs)


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="summing to 1"):
        summary.find_overlapping_classes(joint=np.ones((2, 2)), num_examples=4)
