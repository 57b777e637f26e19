"""goldlabel's find_label_issues gives the same masks and ranked indices as cleanlab 2.9's.

Every test runs both libraries on the same input and compares the results exactly (values, dtype and,
for ranked indices, order), across class counts from 2 to 300 (the many-class code path starts at 256),
balanced and imbalanced labels, with and without noise, float32 and float64, and inputs full of ties:
probabilities rounded to one or two decimals, duplicated rows, one-hot rows and discrete probability
levels.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from goldlabel.core import counting, filtering, pruning
from tests.core.datasets import (
    F64,
    SCORING_IDS,
    SCORINGS,
    Data,
    assert_same,
    class_absent,
    duplicated,
    noisy,
    quietly,
    registry,
    rounded,
    single_example,
)

cleanlab_filter = pytest.importorskip("cleanlab.filter")
cleanlab_count = pytest.importorskip("cleanlab.count")

FILTER_BY = filtering.FILTER_BY
PRUNING = ("prune_by_noise_rate", "prune_by_class", "both")


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------


def _with_onehot_rows(
    data: tuple[np.ndarray, np.ndarray], seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """About 5 % of rows replaced by one-hot rows, on the given label or on another class."""
    labels, pred_probs = data
    pred_probs = pred_probs.copy()
    rng = np.random.default_rng(seed)
    n, k = pred_probs.shape
    rows = rng.choice(n, size=max(2, n // 20), replace=False)
    hot = np.where(rng.random(rows.size) < 0.5, labels[rows], rng.integers(0, k, rows.size))
    pred_probs[rows] = 0
    pred_probs[rows, hot] = 1
    return labels, pred_probs


def _discrete(n: int, k: int, seed: int, levels: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Rows made of a few probability levels: the top class gets one of ``levels``, a runner-up a
    fixed share of the rest, the other classes split what is left equally. Ties everywhere."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, k, n)
    second = (first + rng.integers(1, k, n)) % k
    high = rng.choice(levels, n)
    pred_probs = np.zeros((n, k))
    pred_probs[np.arange(n), first] = high
    pred_probs[np.arange(n), second] = (1 - high) * rng.choice([0.5, 0.8, 1.0], n)
    rest = 1 - pred_probs.sum(axis=1)
    pred_probs += (pred_probs == 0) * (rest / (k - 2))[:, None]
    labels = np.where(rng.random(n) < 0.3, second, first)
    relabel = rng.random(n) < 0.05
    labels[relabel] = rng.integers(0, k, int(relabel.sum()))
    return labels, pred_probs


def _near_one(data: tuple[np.ndarray, np.ndarray], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows summing to 1 only within 5e-5: inside the tolerance, so both libraries use them as is."""
    labels, pred_probs = data
    rng = np.random.default_rng(seed)
    scale = 1 + rng.uniform(-5e-5, 5e-5, size=(labels.size, 1))
    return labels, pred_probs * scale


def _frac_noise_layout_case() -> tuple[np.ndarray, np.ndarray]:
    """Crafted so that cleanlab's ``_reduce_prune_counts`` column sum (K = 8 entries, summed
    pairwise over a Fortran-ordered matrix) truncates to a different integer than a sequential
    sum would: a confident joint in the other memory layout prunes one more example of class 0 with
    ``filter_by='prune_by_class', frac_noise=0.3``."""
    k = 8
    row0 = [1, 2, 1, 1, 1, 2, 1, 2]  # examples labeled 0 that are confidently class j
    true = [j for j, count in enumerate(row0) for _ in range(count)] + list(range(1, k))
    labels = np.array([0] * sum(row0) + list(range(1, k)))
    pred_probs = np.full((labels.size, k), 0.01)
    pred_probs[np.arange(labels.size), true] = 0.93
    return labels, pred_probs


_BUILDERS: dict[str, Callable[[], Data]] = {
    "k2": lambda: noisy(500, 2, 0),
    "k3-imbalanced": lambda: noisy(600, 3, 1, imbalance=1.0),
    "k5-f64": lambda: noisy(2000, 5, 2, **F64),
    "k7-noiseless": lambda: noisy(700, 7, 3, noise=0.0),
    "k10-imbalanced-f64": lambda: noisy(1500, 10, 4, imbalance=0.3, **F64),
    "k17": lambda: noisy(3000, 17, 5),
    "k30-imbalanced-f64": lambda: noisy(1500, 30, 1, noise=0.2, imbalance=0.3, **F64),
    "k60-noisy": lambda: noisy(1000, 60, 6, noise=0.3),
    "k200": lambda: noisy(4000, 200, 7),
    "k200-imbalanced-noiseless": lambda: noisy(3000, 200, 8, noise=0.0, imbalance=0.02),
    "k300": lambda: noisy(3000, 300, 9, noise=0.2),
    "k300-imbalanced-f64": lambda: noisy(4000, 300, 10, imbalance=0.01, sharpness=2.5, **F64),
    "k4-round2": lambda: rounded(noisy(800, 4, 11, noise=0.2), 2),
    "k20-round2-f64": lambda: rounded(noisy(2000, 20, 12, **F64), 2),
    "k6-round1": lambda: rounded(noisy(600, 6, 13, noise=0.25), 1),
    "k300-round2": lambda: rounded(noisy(3000, 300, 14, sharpness=4.0), 2),
    "k8-duplicated": lambda: duplicated(
        noisy(500, 8, 15, noise=0.2), seed=15, copies=2, plus_every_other=True
    ),
    "k300-duplicated-f64": lambda: duplicated(
        noisy(1500, 300, 16, noise=0.3, **F64), seed=16, copies=2, plus_every_other=True
    ),
    "k5-onehot-rows": lambda: _with_onehot_rows(noisy(1000, 5, 17, noise=0.2), 17),
    "k3-discrete": lambda: _discrete(300, 3, 18, [0.5, 0.6]),
    "k20-discrete": lambda: _discrete(1500, 20, 19, [0.4, 0.5, 0.7, 0.9]),
    "k260-discrete": lambda: _discrete(3000, 260, 20, [0.34, 0.5]),
    "k4-class-absent": lambda: class_absent(noisy(800, 4, 21, noise=0.2), 3),
    "k6-single-example-class": lambda: single_example(noisy(900, 6, 22, noise=0.2), 5),
    "k3-near-one-rows": lambda: _near_one(noisy(600, 3, 23, noise=0.2, **F64), 23),
    "k8-frac-noise-layout": _frac_noise_layout_case,
}
ALL = list(_BUILDERS)
dataset = registry(_BUILDERS)
#: A smaller set, rich in ties and odd shapes, for the option grids.
TIES = [
    "k3-imbalanced",
    "k10-imbalanced-f64",
    "k30-imbalanced-f64",
    "k4-round2",
    "k6-round1",
    "k8-duplicated",
    "k5-onehot-rows",
    "k20-discrete",
    "k4-class-absent",
    "k6-single-example-class",
    "k300-round2",
    "k8-frac-noise-layout",
]


def cleanlab_issues(labels: np.ndarray, pred_probs: np.ndarray, **kwargs: Any) -> np.ndarray:
    return quietly(cleanlab_filter.find_label_issues, labels, pred_probs, n_jobs=1, **kwargs)


def goldlabel_issues(labels: np.ndarray, pred_probs: np.ndarray, **kwargs: Any) -> np.ndarray:
    return quietly(filtering.find_label_issues, labels, pred_probs, **kwargs)


# --------------------------------------------------------------------------------------------------
# Masks
# --------------------------------------------------------------------------------------------------


def test_inputs_are_as_described() -> None:
    """The tie datasets really hold ties, the absent class is absent, the lone class is alone."""
    _, rounded = dataset("k4-round2")
    assert np.unique(rounded).size < rounded.size / 10
    labels, _ = dataset("k4-class-absent")
    assert 3 not in labels
    labels, _ = dataset("k6-single-example-class")
    assert np.count_nonzero(labels == 5) == 1
    _, onehot = dataset("k5-onehot-rows")
    assert np.any(onehot.max(axis=1) == 1)
    _, near = dataset("k3-near-one-rows")
    assert 1e-6 < np.abs(near.sum(axis=1) - 1).max() <= 1e-4


@pytest.mark.parametrize("filter_by", FILTER_BY, ids=FILTER_BY)
@pytest.mark.parametrize("name", ALL, ids=ALL)
def test_mask_matches_cleanlab(name: str, filter_by: str) -> None:
    labels, pred_probs = dataset(name)
    expected = cleanlab_issues(labels, pred_probs, filter_by=filter_by)
    got = goldlabel_issues(labels, pred_probs, filter_by=filter_by)
    assert_same(got, expected)


@pytest.mark.parametrize("seed", range(40), ids=[f"seed{s}" for s in range(40)])
def test_random_datasets_match_cleanlab_for_every_filter(seed: int) -> None:
    """Many seeds: K, N, noise, imbalance, dtype and a tie-making transform drawn from the seed."""
    rng = np.random.default_rng(1000 + seed)
    k = int(rng.choice([2, 3, 4, 5, 8, 13, 40, 120, 200, 257]))
    n = int(rng.integers(max(20, 3 * k), max(400, 8 * k)))
    data = noisy(
        n,
        k,
        seed,
        noise=float(rng.choice([0.0, 0.1, 0.3])),
        imbalance=float(rng.choice([0.0, 0.5 / np.sqrt(k)])),
        dtype=np.float32 if rng.random() < 0.5 else np.float64,
        sharpness=float(rng.choice([1.0, 3.0, 6.0])),
    )
    transform = int(rng.integers(0, 4))
    if transform == 1:
        data = rounded(data, int(rng.integers(1, 3)))
    elif transform == 2:
        data = duplicated(data, seed=seed, copies=2, plus_every_other=True)
    elif transform == 3:
        data = _with_onehot_rows(data, seed)
    labels, pred_probs = data
    if np.unique(labels).size < 2:
        pytest.skip("cleanlab refuses labels with a single class")
    for filter_by in FILTER_BY:
        expected = cleanlab_issues(labels, pred_probs, filter_by=filter_by)
        got = goldlabel_issues(labels, pred_probs, filter_by=filter_by)
        assert_same(got, expected)


@pytest.mark.parametrize("name", ALL, ids=ALL)
def test_find_predicted_neq_given_matches_cleanlab(name: str) -> None:
    labels, pred_probs = dataset(name)
    expected = cleanlab_filter.find_predicted_neq_given(labels, pred_probs)
    assert_same(filtering.find_predicted_neq_given(labels, pred_probs), expected)


# --------------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rank_by", "adjust"), SCORINGS, ids=SCORING_IDS)
@pytest.mark.parametrize("filter_by", FILTER_BY, ids=FILTER_BY)
@pytest.mark.parametrize("name", TIES, ids=TIES)
def test_ranked_indices_match_cleanlab(
    name: str, filter_by: str, rank_by: str, adjust: bool
) -> None:
    labels, pred_probs = dataset(name)
    kwargs: dict[str, Any] = {
        "filter_by": filter_by,
        "return_indices_ranked_by": rank_by,
        "rank_by_kwargs": {"adjust_pred_probs": adjust},
    }
    expected = cleanlab_issues(labels, pred_probs, **kwargs)
    got = goldlabel_issues(labels, pred_probs, **kwargs)
    assert_same(got, expected)


@pytest.mark.parametrize("filter_by", FILTER_BY, ids=FILTER_BY)
@pytest.mark.parametrize("name", ["k200", "k300", "k300-duplicated-f64"])
def test_ranked_indices_match_cleanlab_many_classes(name: str, filter_by: str) -> None:
    labels, pred_probs = dataset(name)
    for rank_by, adjust in SCORINGS:
        kwargs: dict[str, Any] = {
            "filter_by": filter_by,
            "return_indices_ranked_by": rank_by,
            "rank_by_kwargs": {"adjust_pred_probs": adjust},
        }
        expected = cleanlab_issues(labels, pred_probs, **kwargs)
        assert_same(goldlabel_issues(labels, pred_probs, **kwargs), expected)


@pytest.mark.parametrize("frac_noise", [0.0, 0.3, 0.5, 0.77, 0.9], ids=lambda f: f"frac{f}")
@pytest.mark.parametrize("filter_by", PRUNING, ids=PRUNING)
@pytest.mark.parametrize("name", [*TIES, "k200", "k300-imbalanced-f64"])
def test_frac_noise_matches_cleanlab(name: str, filter_by: str, frac_noise: float) -> None:
    labels, pred_probs = dataset(name)
    expected = cleanlab_issues(labels, pred_probs, filter_by=filter_by, frac_noise=frac_noise)
    got = goldlabel_issues(labels, pred_probs, filter_by=filter_by, frac_noise=frac_noise)
    assert_same(got, expected)


def test_frac_noise_layout_case_flags_what_cleanlab_flags() -> None:
    """The crafted case on its own, with the counts spelled out: 11 examples labeled 0, and
    cleanlab keeps 7 of them, so exactly 4 (rows 1-4, the smallest p_0 among the tied 0.01s) go."""
    labels, pred_probs = dataset("k8-frac-noise-layout")
    expected = cleanlab_issues(labels, pred_probs, filter_by="prune_by_class", frac_noise=0.3)
    got = goldlabel_issues(labels, pred_probs, filter_by="prune_by_class", frac_noise=0.3)
    assert np.flatnonzero(expected).tolist() == [1, 2, 3, 4]
    assert_same(got, expected)


def _removals(labels: np.ndarray, k: int, kind: str) -> Any:
    counts = np.bincount(labels, minlength=k)
    if kind == "tenth":
        return counts // 10
    if kind == "upto3-list":
        return [int(c) for c in np.minimum(counts, 3)]
    return np.where(np.arange(k) == 0, np.minimum(counts, 5), 0)  # "class0-only"


@pytest.mark.parametrize("kind", ["tenth", "upto3-list", "class0-only"])
@pytest.mark.parametrize("filter_by", PRUNING, ids=PRUNING)
@pytest.mark.parametrize(
    "name", ["k3-imbalanced", "k5-f64", "k6-round1", "k8-duplicated", "k20-discrete", "k60-noisy"]
)
def test_num_to_remove_per_class_matches_cleanlab(name: str, filter_by: str, kind: str) -> None:
    labels, pred_probs = dataset(name)
    remove = _removals(labels, pred_probs.shape[1], kind)
    expected = cleanlab_issues(
        labels, pred_probs, filter_by=filter_by, num_to_remove_per_class=remove
    )
    got = goldlabel_issues(labels, pred_probs, filter_by=filter_by, num_to_remove_per_class=remove)
    assert_same(got, expected)


@pytest.mark.parametrize("minimum", [0, 1, 5, 50], ids=lambda m: f"min{m}")
@pytest.mark.parametrize("filter_by", PRUNING, ids=PRUNING)
@pytest.mark.parametrize(
    "name",
    [
        "k3-imbalanced",
        "k60-noisy",
        "k200",
        "k300",
        "k4-class-absent",
        "k6-single-example-class",
        "k8-frac-noise-layout",
    ],
)
def test_min_examples_per_class_matches_cleanlab(name: str, filter_by: str, minimum: int) -> None:
    labels, pred_probs = dataset(name)
    expected = cleanlab_issues(
        labels, pred_probs, filter_by=filter_by, min_examples_per_class=minimum
    )
    got = goldlabel_issues(labels, pred_probs, filter_by=filter_by, min_examples_per_class=minimum)
    assert_same(got, expected)


def _warned_classes(record: list[warnings.WarningMessage]) -> set[int]:
    found = set()
    for w in record:
        match = re.search(r"May not flag all label issues in class:? (\d+)", str(w.message))
        if match:
            found.add(int(match.group(1)))
    return found


@pytest.mark.parametrize("minimum", [0, 1, 5, 50], ids=lambda m: f"min{m}")
@pytest.mark.parametrize("filter_by", PRUNING, ids=PRUNING)
@pytest.mark.parametrize("name", ["k60-noisy", "k4-class-absent", "k6-single-example-class"])
def test_small_class_warnings_name_the_classes_cleanlab_names(
    name: str, filter_by: str, minimum: int
) -> None:
    labels, pred_probs = dataset(name)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        cleanlab_filter.find_label_issues(
            labels, pred_probs, filter_by=filter_by, min_examples_per_class=minimum, n_jobs=1
        )
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        filtering.find_label_issues(
            labels, pred_probs, filter_by=filter_by, min_examples_per_class=minimum
        )
    assert _warned_classes(ours) == _warned_classes(theirs)
    assert all(issubclass(w.category, UserWarning) for w in ours)


@pytest.mark.parametrize("source", ["cleanlab-joint", "own-joint", "uncalibrated"])
@pytest.mark.parametrize("filter_by", FILTER_BY, ids=FILTER_BY)
@pytest.mark.parametrize(
    "name", ["k3-imbalanced", "k6-round1", "k8-duplicated", "k20-discrete", "k200", "k300"]
)
def test_precomputed_confident_joint_matches_cleanlab(
    name: str, filter_by: str, source: str
) -> None:
    """A confident joint passed in is used as is (or ignored, for 'confident_learning') by both."""
    labels, pred_probs = dataset(name)
    theirs = cleanlab_count.compute_confident_joint(
        labels, pred_probs, calibrate=source != "uncalibrated"
    )
    ours = theirs.copy(order="K")
    if source == "own-joint":
        ours = counting.compute_confident_joint(labels, pred_probs)
    expected = cleanlab_issues(labels, pred_probs, filter_by=filter_by, confident_joint=theirs)
    got = goldlabel_issues(labels, pred_probs, filter_by=filter_by, confident_joint=ours)
    assert_same(got, expected)


def test_confident_joint_is_ignored_with_confident_learning_with_a_warning() -> None:
    labels, pred_probs = dataset("k5-f64")
    joint = np.ones((5, 5), dtype=np.int64)
    with pytest.warns(UserWarning, match="confident_joint you passed is ignored"):
        got = filtering.find_label_issues(
            labels, pred_probs, filter_by="confident_learning", confident_joint=joint
        )
    assert_same(got, cleanlab_issues(labels, pred_probs, filter_by="confident_learning"))


@pytest.mark.parametrize("filter_by", [f for f in FILTER_BY if f not in PRUNING])
def test_frac_noise_is_ignored_with_a_warning_outside_pruning(filter_by: str) -> None:
    labels, pred_probs = dataset("k5-f64")
    with pytest.warns(UserWarning, match="frac_noise and num_to_remove_per_class apply only"):
        got = filtering.find_label_issues(labels, pred_probs, filter_by=filter_by, frac_noise=0.5)
    assert_same(got, cleanlab_issues(labels, pred_probs, filter_by=filter_by, frac_noise=0.5))


@pytest.mark.parametrize("filter_by", [f for f in FILTER_BY if f not in PRUNING])
def test_num_to_remove_per_class_is_refused_outside_pruning(filter_by: str) -> None:
    labels, pred_probs = dataset("k5-f64")
    remove = [1, 1, 1, 1, 1]
    with pytest.raises(ValueError, match="not supported"):
        cleanlab_issues(labels, pred_probs, filter_by=filter_by, num_to_remove_per_class=remove)
    with pytest.raises(ValueError, match="num_to_remove_per_class cannot be used"):
        goldlabel_issues(labels, pred_probs, filter_by=filter_by, num_to_remove_per_class=remove)


def test_adjusted_confidence_weighted_entropy_ranking_is_refused_like_cleanlab() -> None:
    labels, pred_probs = dataset("k5-f64")
    kwargs: dict[str, Any] = {
        "return_indices_ranked_by": "confidence_weighted_entropy",
        "rank_by_kwargs": {"adjust_pred_probs": True},
    }
    with pytest.raises(ValueError, match="not currently supported"):
        cleanlab_issues(labels, pred_probs, **kwargs)
    with pytest.raises(ValueError, match="not supported with method='confidence_weighted_entropy'"):
        goldlabel_issues(labels, pred_probs, **kwargs)


@pytest.mark.parametrize("as_type", ["list", "int32", "series"])
def test_label_containers_give_the_same_mask(as_type: str) -> None:
    pd = pytest.importorskip("pandas")
    labels, pred_probs = dataset("k6-round1")
    expected = cleanlab_issues(labels, pred_probs)
    converted: Any = {
        "list": labels.tolist(),
        "int32": labels.astype(np.int32),
        "series": pd.Series(labels),
    }[as_type]
    assert_same(goldlabel_issues(converted, pred_probs), expected)


@pytest.mark.parametrize("n_jobs", [None, 2, 3], ids=lambda j: f"jobs{j}")
@pytest.mark.parametrize("filter_by", FILTER_BY, ids=FILTER_BY)
@pytest.mark.parametrize("name", ["k200", "k300-imbalanced-f64", "k300-duplicated-f64"])
def test_threaded_scan_matches_cleanlab(name: str, filter_by: str, n_jobs: int | None) -> None:
    """These datasets span several 2 MiB chunks, so the scan really runs on several threads."""
    labels, pred_probs = dataset(name)
    expected = cleanlab_issues(labels, pred_probs, filter_by=filter_by)
    got = goldlabel_issues(labels, pred_probs, filter_by=filter_by, n_jobs=n_jobs)
    assert_same(got, expected)


@pytest.mark.parametrize("filter_by", FILTER_BY, ids=FILTER_BY)
def test_inputs_are_not_modified(filter_by: str) -> None:
    labels, pred_probs = dataset("k6-round1")
    labels_before, pred_probs_before = labels.copy(), pred_probs.copy()
    goldlabel_issues(
        labels,
        pred_probs,
        filter_by=filter_by,
        return_indices_ranked_by="normalized_margin",
        rank_by_kwargs={"adjust_pred_probs": True},
    )
    np.testing.assert_array_equal(labels, labels_before)
    np.testing.assert_array_equal(pred_probs, pred_probs_before)


# --------------------------------------------------------------------------------------------------
# The block-maximum bound of prune_by_noise_rate (many candidates per class, few to prune per pair)
# --------------------------------------------------------------------------------------------------

BOUND_CASES: dict[str, Callable[[], Data]] = {
    "k40-f32": lambda: noisy(20000, 40, 30, noise=0.15),
    "k25-imbalanced-f64": lambda: noisy(15000, 25, 31, imbalance=0.05, **F64),
    "k40-round2": lambda: rounded(noisy(20000, 40, 32, noise=0.15), 2),
    "k30-round3-f64": lambda: rounded(noisy(12000, 30, 33, noise=0.2, **F64), 3),
    "k40-duplicated": lambda: duplicated(
        noisy(10000, 40, 34, noise=0.1), seed=34, copies=2, plus_every_other=True
    ),
    "k12-low-noise": lambda: noisy(30000, 12, 35, noise=0.01),
    "k8-low-noise-f64": lambda: noisy(20000, 8, 36, noise=0.005, **F64),
}
bound_dataset = registry(BOUND_CASES)


@pytest.mark.parametrize("block_rows", [1, 4], ids=["blocks-of-1", "blocks-of-4"])
@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "both"])
@pytest.mark.parametrize("name", list(BOUND_CASES), ids=list(BOUND_CASES))
def test_block_maximum_bound_matches_cleanlab(
    name: str, filter_by: str, block_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels, pred_probs = bound_dataset(name)
    calls: list[int] = []
    real = pruning._select_by_bound

    def spy(block: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        calls.append(block.shape[0])
        return real(block, counts)

    monkeypatch.setattr(pruning, "_MIN_BLOCK_ROWS", block_rows)
    monkeypatch.setattr(pruning, "_select_by_bound", spy)
    expected = cleanlab_issues(labels, pred_probs, filter_by=filter_by)
    assert_same(goldlabel_issues(labels, pred_probs, filter_by=filter_by), expected)
    assert calls, "the bound was never used: the case does not test it"
