"""goldlabel's counting functions give the same thresholds, confident joints, noise matrices and counts
as cleanlab 2.9's ``cleanlab.count``, exactly (``assert_array_equal``: the same floats, not just close
ones), on balanced, imbalanced, noiseless and tie-heavy inputs in float32 and float64."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from goldlabel.core import counting
from tests.core.datasets import (
    F64,
    Data,
    assert_same,
    class_absent,
    duplicated,
    noisy,
    onehot_rows,
    quietly,
    registry,
    rounded,
    single_example,
)

cleanlab_count = pytest.importorskip("cleanlab.count")

PY_METHODS = ["cnt", "eqn", "marginal", "marginal_ps"]
ESTIMATION_METHODS = ["off_diagonal", "off_diagonal_calibrated", "off_diagonal_custom"]


_BUILDERS: dict[str, Callable[[], Data]] = {
    "k2": lambda: noisy(400, 2, 0),
    "k3-imbalanced-f64": lambda: noisy(600, 3, 1, imbalance=1.0, **F64),
    "k5-noiseless": lambda: noisy(1000, 5, 2, noise=0.0),
    "k9-f64": lambda: noisy(1200, 9, 3, noise=0.2, **F64),
    "k17-imbalanced": lambda: noisy(2000, 17, 4, imbalance=0.2),
    "k30-imbalanced-f64": lambda: noisy(1500, 30, 1, noise=0.2, imbalance=0.3, **F64),
    "k60-noisy": lambda: noisy(1500, 60, 5, noise=0.3),
    "k200": lambda: noisy(3000, 200, 6),
    "k4-round2": lambda: rounded(noisy(800, 4, 7, noise=0.2), 2),
    "k12-round1-f64": lambda: rounded(noisy(900, 12, 8, noise=0.2, **F64), 1),
    "k6-duplicated": lambda: duplicated(noisy(300, 6, 9, noise=0.2), seed=0, copies=3),
    "k5-onehot-rows": lambda: onehot_rows(noisy(700, 5, 10, noise=0.2), every=17),
    "k4-class-absent": lambda: class_absent(noisy(600, 4, 11, noise=0.2), 2),
    "k6-single-example-class": lambda: single_example(noisy(600, 6, 12, noise=0.2), 4, others_to=0),
    # Many classes are averaged by size together: an absent one among them, and classes of a few
    # hundred examples (numpy's pairwise summation splits blocks above 128 values).
    "k60-class-absent": lambda: class_absent(noisy(1500, 60, 13, noise=0.2), 7),
    "k40-large-classes-f64": lambda: noisy(12000, 40, 14, imbalance=0.5, **F64),
}
ALL = list(_BUILDERS)
dataset = registry(_BUILDERS)
SMALL = [
    "k3-imbalanced-f64",
    "k9-f64",
    "k4-round2",
    "k6-duplicated",
    "k4-class-absent",
    "k30-imbalanced-f64",
]


# --------------------------------------------------------------------------------------------------
# Thresholds and the confident joint
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL, ids=ALL)
def test_confident_thresholds_match_cleanlab(name: str) -> None:
    labels, pred_probs = dataset(name)
    expected = cleanlab_count.get_confident_thresholds(labels, pred_probs)
    assert_same(counting.compute_confident_thresholds(labels, pred_probs), expected)


def test_absent_class_threshold_is_two() -> None:
    labels, pred_probs = dataset("k4-class-absent")
    assert counting.compute_confident_thresholds(labels, pred_probs)[2] == 2


@pytest.mark.parametrize("indices", [False, True], ids=["joint", "with-indices"])
@pytest.mark.parametrize("calibrate", [True, False], ids=["calibrated", "raw"])
@pytest.mark.parametrize("name", ALL, ids=ALL)
def test_confident_joint_matches_cleanlab(name: str, calibrate: bool, indices: bool) -> None:
    labels, pred_probs = dataset(name)
    kwargs = {"calibrate": calibrate, "return_indices_of_off_diagonals": indices}
    expected = cleanlab_count.compute_confident_joint(labels, pred_probs, **kwargs)
    assert_same(counting.compute_confident_joint(labels, pred_probs, **kwargs), expected)


@pytest.mark.parametrize("calibrate", [True, False], ids=["calibrated", "raw"])
@pytest.mark.parametrize("name", ["k9-f64", "k30-imbalanced-f64", "k200"])
def test_confident_joint_memory_layout_matches_cleanlab(name: str, calibrate: bool) -> None:
    """Later float sums over the joint (``frac_noise`` in find_label_issues) add in memory order, so
    a joint in the other layout can truncate to another count; it must be laid out as cleanlab's."""
    labels, pred_probs = dataset(name)
    expected = cleanlab_count.compute_confident_joint(labels, pred_probs, calibrate=calibrate)
    got = counting.compute_confident_joint(labels, pred_probs, calibrate=calibrate)
    assert isinstance(got, np.ndarray)
    assert (got.flags.c_contiguous, got.flags.f_contiguous) == (
        expected.flags.c_contiguous,
        expected.flags.f_contiguous,
    )


def _thresholds(kind: str, k: int, dtype: Any) -> Any:
    if kind == "list":
        return [float(t) for t in np.linspace(0.2, 0.9, k)]
    if kind == "pred-dtype":
        return np.linspace(0.3, 0.6, k).astype(dtype)
    return np.where(np.arange(k) == 0, 2.0, 0.5)  # "class0-never-confident"


@pytest.mark.parametrize("calibrate", [True, False], ids=["calibrated", "raw"])
@pytest.mark.parametrize("kind", ["list", "pred-dtype", "class0-never-confident"])
@pytest.mark.parametrize("name", SMALL, ids=SMALL)
def test_confident_joint_with_given_thresholds_matches_cleanlab(
    name: str, kind: str, calibrate: bool
) -> None:
    labels, pred_probs = dataset(name)
    thresholds = _thresholds(kind, pred_probs.shape[1], pred_probs.dtype)
    kwargs = {
        "thresholds": thresholds,
        "calibrate": calibrate,
        "return_indices_of_off_diagonals": True,
    }
    expected = cleanlab_count.compute_confident_joint(labels, pred_probs, **kwargs)
    assert_same(counting.compute_confident_joint(labels, pred_probs, **kwargs), expected)


@pytest.mark.parametrize("order", ["F", "C"])
@pytest.mark.parametrize("name", ALL, ids=ALL)
def test_calibrate_confident_joint_matches_cleanlab(name: str, order: str) -> None:
    labels, pred_probs = dataset(name)
    raw = cleanlab_count.compute_confident_joint(labels, pred_probs, calibrate=False)
    raw = np.asarray(raw, order=order)
    expected = cleanlab_count.calibrate_confident_joint(raw, labels)
    assert_same(counting.calibrate_confident_joint(raw, labels), expected)


@pytest.mark.parametrize("dtype", ["int64", "float32", "float64"])
@pytest.mark.parametrize("seed", range(12), ids=[f"seed{s}" for s in range(12)])
def test_calibrate_arbitrary_counts_matches_cleanlab(seed: int, dtype: str) -> None:
    """Matrices that do not agree with the label counts, with zero rows and big entries; from seed
    8 on wide and mostly zero, as confident joints over many classes are."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 40)) if seed < 8 else int(rng.integers(200, 400))
    joint = rng.integers(0, int(rng.choice([3, 50, 5000])), size=(k, k))
    if dtype != "float32":  # in float32 cleanlab's tiny row sum underflows: 0 / 0 (both tools)
        joint[rng.random(k) < 0.1] = 0
    if seed >= 8:
        joint[rng.random((k, k)) < 0.9] = 0
        joint[np.diag_indices(k)] += 100
    joint = joint.astype(dtype)
    labels = rng.integers(0, k, int(rng.integers(k, 50 * k)))
    expected = cleanlab_count.calibrate_confident_joint(joint, labels)
    assert_same(counting.calibrate_confident_joint(joint, labels), expected)


# --------------------------------------------------------------------------------------------------
# Joint distribution and counts
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL, ids=ALL)
def test_estimate_joint_matches_cleanlab(name: str) -> None:
    labels, pred_probs = dataset(name)
    expected = cleanlab_count.estimate_joint(labels, pred_probs)
    assert_same(counting.estimate_joint(labels, pred_probs), expected)


@pytest.mark.parametrize("with_labels", [True, False], ids=["calibrated-with-labels", "used-as-is"])
@pytest.mark.parametrize("name", SMALL, ids=SMALL)
def test_estimate_joint_from_given_joint_matches_cleanlab(name: str, with_labels: bool) -> None:
    labels, pred_probs = dataset(name)
    raw = cleanlab_count.compute_confident_joint(labels, pred_probs, calibrate=False)
    given = labels if with_labels else None
    expected = cleanlab_count.estimate_joint(given, pred_probs, confident_joint=raw)
    assert_same(counting.estimate_joint(given, pred_probs, confident_joint=raw), expected)


@pytest.mark.parametrize("method", ESTIMATION_METHODS)
@pytest.mark.parametrize("name", ALL, ids=ALL)
def test_count_label_issues_matches_cleanlab(name: str, method: str) -> None:
    labels, pred_probs = dataset(name)
    kwargs: dict[str, Any] = {"estimation_method": method}
    if method == "off_diagonal_custom":
        kwargs["confident_joint"] = cleanlab_count.compute_confident_joint(
            labels, pred_probs, calibrate=False
        )
    expected = cleanlab_count.num_label_issues(labels, pred_probs, **kwargs)
    got = counting.count_label_issues(labels, pred_probs, **kwargs)
    assert isinstance(got, int)
    assert got == int(expected)


@pytest.mark.parametrize("method", ["off_diagonal", "off_diagonal_calibrated"])
def test_count_label_issues_warns_that_a_given_joint_is_ignored(method: str) -> None:
    labels, pred_probs = dataset("k9-f64")
    joint = np.ones((9, 9), dtype=np.int64)
    expected = quietly(
        cleanlab_count.num_label_issues,
        labels,
        pred_probs,
        confident_joint=joint,
        estimation_method=method,
    )
    with pytest.warns(UserWarning, match="confident_joint you passed is ignored"):
        got = counting.count_label_issues(
            labels, pred_probs, confident_joint=joint, estimation_method=method
        )
    assert got == int(expected)


def test_count_label_issues_custom_without_joint_is_refused() -> None:
    labels, pred_probs = dataset("k2")
    with pytest.raises(ValueError, match="confident_joint is None"):
        counting.count_label_issues(labels, pred_probs, estimation_method="off_diagonal_custom")


def test_count_label_issues_unknown_method_is_refused() -> None:
    labels, pred_probs = dataset("k2")
    with pytest.raises(ValueError, match="estimation_method must be one of"):
        counting.count_label_issues(labels, pred_probs, estimation_method="diagonal")


# --------------------------------------------------------------------------------------------------
# Latent estimates
# --------------------------------------------------------------------------------------------------


def _same_or_same_error(ours: Callable[[], Any], theirs: Callable[[], Any]) -> None:
    """Equal results, or the same exception type from both (e.g. a singular noise matrix)."""
    try:
        expected = quietly(theirs)
    except np.linalg.LinAlgError:
        with pytest.raises(np.linalg.LinAlgError):
            ours()
        return
    assert_same(ours(), expected)


@pytest.mark.parametrize("converge", [False, True], ids=["once", "converged"])
@pytest.mark.parametrize("py_method", PY_METHODS)
@pytest.mark.parametrize("name", ALL, ids=ALL)
def test_estimate_latent_matches_cleanlab(name: str, py_method: str, converge: bool) -> None:
    labels, pred_probs = dataset(name)
    joint = cleanlab_count.compute_confident_joint(labels, pred_probs)
    kwargs = {"py_method": py_method, "converge_latent_estimates": converge}
    _same_or_same_error(
        lambda: counting.estimate_latent(joint, labels, **kwargs),
        lambda: cleanlab_count.estimate_latent(joint, labels, **kwargs),
    )


@pytest.mark.parametrize("calibrate", [True, False], ids=["calibrated", "raw"])
@pytest.mark.parametrize("converge", [True, False], ids=["converged", "once"])
@pytest.mark.parametrize("py_method", PY_METHODS)
@pytest.mark.parametrize("name", SMALL, ids=SMALL)
def test_py_and_noise_matrices_match_cleanlab(
    name: str, py_method: str, converge: bool, calibrate: bool
) -> None:
    labels, pred_probs = dataset(name)
    kwargs = {"py_method": py_method, "converge_latent_estimates": converge, "calibrate": calibrate}
    _same_or_same_error(
        lambda: counting.estimate_py_and_noise_matrices_from_probabilities(
            labels, pred_probs, **kwargs
        ),
        lambda: cleanlab_count.estimate_py_and_noise_matrices_from_probabilities(
            labels, pred_probs, **kwargs
        ),
    )


@pytest.mark.parametrize("name", ["k4-round2", "k9-f64"])
def test_py_and_noise_matrices_with_thresholds_match_cleanlab(name: str) -> None:
    labels, pred_probs = dataset(name)
    thresholds = np.linspace(0.3, 0.7, pred_probs.shape[1])
    expected = cleanlab_count.estimate_py_and_noise_matrices_from_probabilities(
        labels, pred_probs, thresholds=thresholds
    )
    got = counting.estimate_py_and_noise_matrices_from_probabilities(
        labels, pred_probs, thresholds=thresholds
    )
    assert_same(got, expected)


def test_unknown_py_method_is_refused() -> None:
    labels, pred_probs = dataset("k2")
    joint = counting.compute_confident_joint(labels, pred_probs)
    with pytest.raises(ValueError, match="py_method must be one of"):
        counting.estimate_latent(joint, labels, py_method="median")


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 2, 2)], ids=["1d", "2x3", "3d"])
def test_non_square_joint_is_refused(shape: tuple[int, ...]) -> None:
    joint = np.ones(shape, dtype=np.int64)
    with pytest.raises(ValueError, match="must be a square"):
        counting.calibrate_confident_joint(joint, [0, 1])
    with pytest.raises(ValueError, match="must be a square"):
        counting.estimate_latent(joint, [0, 1])


def test_thresholds_of_the_wrong_length_are_refused() -> None:
    labels, pred_probs = dataset("k2")
    with pytest.raises(ValueError, match=r"one value per class, shape \(2,\)"):
        counting.compute_confident_joint(labels, pred_probs, thresholds=[0.5, 0.5, 0.5])
