"""Streaming (out-of-core) label issues and scores equal the in-memory results exactly."""

from __future__ import annotations

import functools
import itertools
import json
import re
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goldlabel.core import streaming
from goldlabel.core.counting import compute_confident_joint
from goldlabel.core.filtering import FILTER_BY, find_label_issues
from goldlabel.core.pairwise import PairwiseSum, block_sums
from goldlabel.core.scoring import compute_label_quality_scores
from goldlabel.core.selection import CandidatePool
from goldlabel.core.streaming import (
    compute_label_quality_scores_streaming,
    find_label_issues_streaming,
)
from goldlabel.exceptions import InvalidLabelsError, InvalidPredProbsError
from tests.conftest import make_noisy_data

F32, F64 = np.float32, np.float64


# --- Data --------------------------------------------------------------------------------------------


@functools.cache
def _dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Named datasets; 'tied' ones have probabilities in steps of 1/20 and duplicated rows."""
    kind, k, n, dtype, seed = _DATASETS[name]
    labels, probs, _ = make_noisy_data(n, k, seed=seed, noise=0.15, dtype=F64, imbalance=0.0)
    rng = np.random.default_rng(seed + 1000)
    if kind == "tied":
        probs = rng.multinomial(20, probs) / 20.0
        src = rng.choice(n, n // 5)
        dst = rng.choice(n, n // 5, replace=False)
        probs[dst], labels[dst] = probs[src], labels[src]
    elif kind == "absent":
        labels, probs, _ = make_noisy_data(n, k, seed=seed, noise=0.1, dtype=F64, imbalance=0.3)
        labels[labels == k - 1] = 0  # the last class never appears as a given label
    elif kind == "repaired":
        off = rng.random(n) < 0.05
        probs[off] *= 1.005  # rows that sum to 1 only within 5e-3: clipped and renormalised
    probs = probs.astype(dtype)
    labels.setflags(write=False)
    probs.setflags(write=False)
    return labels, probs


_DATASETS: dict[str, tuple[str, int, int, type, int]] = {
    "k2-noisy-f32": ("noisy", 2, 300, F32, 0),
    "k3-tied-f64": ("tied", 3, 400, F64, 1),
    "k5-tied-f32": ("tied", 5, 2500, F32, 2),
    "k17-noisy-f64": ("noisy", 17, 3000, F64, 3),
    "k100-tied-f32": ("tied", 100, 3000, F32, 4),
    "k100-noisy-f64": ("noisy", 100, 2000, F64, 5),
    "k12-absent-f32": ("absent", 12, 2000, F32, 6),
    "k4-repaired-f32": ("repaired", 4, 1200, F32, 7),
}


def _source(
    labels: np.ndarray, probs: np.ndarray, kind: str, batch: int, tmp_path: Path
) -> tuple[Any, Any]:
    """(source, labels) arguments of the streaming functions for each kind of source."""
    n = labels.shape[0]
    if kind == "array":
        return probs, labels
    if kind == "npy":
        np.save(tmp_path / "probs.npy", probs)
        np.save(tmp_path / "labels.npy", labels)
        return str(tmp_path / "probs.npy"), tmp_path / "labels.npy"
    if kind == "callable":
        return (
            lambda: ((labels[a : a + batch], probs[a : a + batch]) for a in range(0, n, batch))
        ), None
    # A list (re-iterable) of uneven batches, lists of labels included.
    cuts = np.unique(np.random.default_rng(n).integers(0, n, max(1, n // batch)))
    bounds = [0, *cuts.tolist(), n]
    return [(labels[a:b].tolist(), probs[a:b]) for a, b in itertools.pairwise(bounds)], None


def _quiet(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _assert_identical(got: np.ndarray, expected: np.ndarray) -> None:
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


# --- find_label_issues_streaming ------------------------------------------------------------------------

CASES = [
    ("k2-noisy-f32", "array", 1),
    ("k3-tied-f64", "npy", 7),
    ("k5-tied-f32", "callable", 1000),
    ("k17-noisy-f64", "list", 97),
    ("k100-tied-f32", "callable", 10**6),
    ("k100-noisy-f64", "npy", 333),
    ("k12-absent-f32", "npy", 250),
    ("k4-repaired-f32", "array", 50),
]


@pytest.mark.parametrize(
    ("name", "kind", "batch"), CASES, ids=[f"{c[0]}-{c[1]}-b{c[2]}" for c in CASES]
)
@pytest.mark.parametrize("filter_by", FILTER_BY, ids=FILTER_BY)
def test_mask_equals_in_memory(
    filter_by: str, name: str, kind: str, batch: int, tmp_path: Path
) -> None:
    labels, probs = _dataset(name)
    source, labs = _source(labels, probs, kind, batch, tmp_path)
    expected = _quiet(find_label_issues, labels, probs, filter_by=filter_by)
    got = _quiet(find_label_issues_streaming, source, labs, batch_size=batch, filter_by=filter_by)
    _assert_identical(got, expected)


JOINT = "confident_joint"
OPTIONS = [
    ("frac_noise", {"frac_noise": 0.5}),
    ("frac_noise-both", {"frac_noise": 0.3, "filter_by": "both"}),
    ("remove-per-class", {"num_to_remove_per_class": 40}),
    ("remove-per-class-by-class", {"num_to_remove_per_class": 25, "filter_by": "prune_by_class"}),
    ("min-examples-60", {"min_examples_per_class": 60}),
    ("min-examples-huge", {"min_examples_per_class": 10**4, "filter_by": "both"}),
    ("rank-self_confidence", {"return_indices_ranked_by": "self_confidence"}),
    (
        "rank-normalized_margin-adjusted",
        {
            "return_indices_ranked_by": "normalized_margin",
            "rank_by_kwargs": {"adjust_pred_probs": True},
        },
    ),
    ("rank-entropy", {"return_indices_ranked_by": "confidence_weighted_entropy"}),
    (
        "rank-adjusted-predicted_neq_given",
        {
            "filter_by": "predicted_neq_given",
            "return_indices_ranked_by": "self_confidence",
            "rank_by_kwargs": {"adjust_pred_probs": True},
        },
    ),
    (
        "rank-low_normalized_margin",
        {"filter_by": "low_normalized_margin", "return_indices_ranked_by": "normalized_margin"},
    ),
    ("given-joint", {JOINT: True}),
    ("given-joint-by-class", {JOINT: True, "filter_by": "prune_by_class"}),
]
OPTION_DATA = [("k5-tied-f32", "npy", 300), ("k12-absent-f32", "callable", 500)]


@pytest.mark.parametrize(("name", "kind", "batch"), OPTION_DATA, ids=[c[0] for c in OPTION_DATA])
@pytest.mark.parametrize("options", [o[1] for o in OPTIONS], ids=[o[0] for o in OPTIONS])
def test_options_equal_in_memory(
    options: dict[str, Any], name: str, kind: str, batch: int, tmp_path: Path
) -> None:
    labels, probs = _dataset(name)
    k = probs.shape[1]
    options = dict(options)
    if options.pop(JOINT, False):
        options[JOINT] = compute_confident_joint(labels, probs)
    if "num_to_remove_per_class" in options:
        options["num_to_remove_per_class"] = [options["num_to_remove_per_class"]] * k
    source, labs = _source(labels, probs, kind, batch, tmp_path)
    expected = _quiet(find_label_issues, labels, probs, **options)
    got = _quiet(find_label_issues_streaming, source, labs, batch_size=batch, **options)
    _assert_identical(got, expected)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("k4-repaired-f32", {}),
        ("k12-absent-f32", {"min_examples_per_class": 60}),
        ("k5-tied-f32", {"filter_by": "confident_learning", "frac_noise": 0.5}),
    ],
    ids=["repaired-rows", "small-classes", "ignored-option"],
)
def test_warnings_equal_in_memory(name: str, options: dict[str, Any]) -> None:
    labels, probs = _dataset(name)
    with warnings.catch_warnings(record=True) as expected:
        warnings.simplefilter("always")
        find_label_issues(labels, probs, **options)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        find_label_issues_streaming(probs, labels, batch_size=100, **options)
    assert expected
    assert sorted(str(w.message) for w in got) == sorted(str(w.message) for w in expected)
    assert all(w.filename == __file__ for w in got)


def test_ties_straddling_a_cut_are_settled_from_full_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    labels, probs = _dataset("k5-tied-f32")
    settled: list[str] = []
    original = streaming._settle_ties

    def spy(data: Any, ties: list[Any]) -> Any:
        settled.extend(t.kind for t in ties)
        return original(data, ties)

    monkeypatch.setattr(streaming, "_settle_ties", spy)
    for filter_by in ("both", "low_self_confidence"):
        expected = _quiet(find_label_issues, labels, probs, filter_by=filter_by)
        got = _quiet(
            find_label_issues_streaming, probs, labels, batch_size=128, filter_by=filter_by
        )
        _assert_identical(got, expected)
    assert {"noise", "class", "low"} <= set(settled)


def _edge_case(name: str) -> tuple[np.ndarray, Any, dict[str, Any]]:
    labels, probs = _dataset("k3-tied-f64")
    labels, probs = labels[:120].copy(), probs[:120]
    if name == "remove-everything":
        return labels, probs, {"num_to_remove_per_class": np.bincount(labels, minlength=3)}
    if name == "one-class":
        return np.zeros(120, dtype=np.int64), probs, {}
    if name == "singleton-class":
        labels[labels == 2] = 1
        labels[7] = 2
        return labels, probs, {}
    if name == "one-column":
        return np.zeros(120, dtype=np.int64), np.ones((120, 1)), {}
    if name == "uniform":
        return np.arange(120) % 3, np.full((120, 3), 1 / 3, dtype=F32), {}
    if name == "negative-zeros":
        return labels, np.where(probs == 0, -0.0, probs), {}
    if name == "float16":
        return labels, probs.astype(np.float16), {}
    return labels, np.eye(3, dtype=np.int64)[(labels + np.arange(120) % 2) % 3], {}  # integers


EDGE_CASES = [
    "remove-everything",
    "one-class",
    "singleton-class",
    "one-column",
    "uniform",
    "negative-zeros",
    "float16",
    "integers",
]


@pytest.mark.parametrize("name", EDGE_CASES, ids=EDGE_CASES)
def test_edge_cases_equal_in_memory(name: str) -> None:
    labels, probs, options = _edge_case(name)
    for filter_by in FILTER_BY:
        opts = options if filter_by in FILTER_BY[:3] else {}
        try:
            expected = _quiet(find_label_issues, labels, probs, filter_by=filter_by, **opts)
        except ValueError as exc:
            with pytest.raises(type(exc), match=re.escape(str(exc))):
                _quiet(
                    find_label_issues_streaming,
                    probs,
                    labels,
                    batch_size=7,
                    filter_by=filter_by,
                    **opts,
                )
            continue
        got = _quiet(
            find_label_issues_streaming, probs, labels, batch_size=7, filter_by=filter_by, **opts
        )
        _assert_identical(got, expected)


def test_mixed_batch_dtypes_are_promoted_like_concatenate() -> None:
    labels, probs = _dataset("k17-noisy-f64")
    batches = [(labels[:1000], probs[:1000].astype(F32)), (labels[1000:], probs[1000:])]
    expected = find_label_issues(labels, np.concatenate([b[1] for b in batches]))
    _assert_identical(find_label_issues_streaming(batches), expected)


def test_empty_data_equals_in_memory() -> None:
    labels, probs = np.zeros(0, dtype=np.int64), np.zeros((0, 3), dtype=F32)
    expected = _quiet(find_label_issues, labels, probs)
    _assert_identical(_quiet(find_label_issues_streaming, probs, labels), expected)
    _assert_identical(
        compute_label_quality_scores_streaming(probs, labels),
        compute_label_quality_scores(labels, probs),
    )


def test_progress_bar_is_shown(capsys: pytest.CaptureFixture[str]) -> None:
    labels, probs = _dataset("k2-noisy-f32")
    find_label_issues_streaming(probs, labels, batch_size=50, progress=True)
    err = capsys.readouterr().err
    assert "confident thresholds" in err and "pruning" in err


# --- compute_label_quality_scores_streaming ---------------------------------------------------------------

SCORE_OPTIONS = [
    ("self_confidence", {"method": "self_confidence"}),
    ("self_confidence-adjusted", {"method": "self_confidence", "adjust_pred_probs": True}),
    ("normalized_margin", {"method": "normalized_margin"}),
    ("normalized_margin-adjusted", {"method": "normalized_margin", "adjust_pred_probs": True}),
    ("entropy", {"method": "confidence_weighted_entropy"}),
    (
        "given-thresholds",
        {"method": "normalized_margin", "adjust_pred_probs": True, "confident_thresholds": True},
    ),
]
SCORE_DATA = [
    ("k5-tied-f32", "npy", 77),
    ("k17-noisy-f64", "callable", 500),
    ("k4-repaired-f32", "array", 1),
]


@pytest.mark.parametrize(("name", "kind", "batch"), SCORE_DATA, ids=[c[0] for c in SCORE_DATA])
@pytest.mark.parametrize(
    "options", [o[1] for o in SCORE_OPTIONS], ids=[o[0] for o in SCORE_OPTIONS]
)
def test_scores_equal_in_memory(
    options: dict[str, Any], name: str, kind: str, batch: int, tmp_path: Path
) -> None:
    labels, probs = _dataset(name)
    options = dict(options)
    if options.get("confident_thresholds"):
        options["confident_thresholds"] = np.linspace(0.2, 0.6, probs.shape[1])
    source, labs = _source(labels, probs, kind, batch, tmp_path)
    expected = _quiet(compute_label_quality_scores, labels, probs, **options)
    got = _quiet(compute_label_quality_scores_streaming, source, labs, batch_size=batch, **options)
    _assert_identical(got, expected)


# --- Pairwise summation -------------------------------------------------------------------------------


def _bits(x: Any) -> bytes:
    return np.asarray(x).tobytes()


@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_pairwise_sum_and_mean_equal_numpy_bit_for_bit(dtype: type) -> None:
    rng = np.random.default_rng(42)
    sizes = [*range(1, 300), 1023, 1024, 1025, 65535, 65536, 65537]
    sizes += rng.integers(300, 300_000, 20).tolist()
    for n in sizes:
        values = (rng.random(n) ** rng.integers(1, 6) * 10.0 ** rng.integers(-3, 3)).astype(dtype)
        acc = PairwiseSum(n, dtype)
        a = 0
        while a < n:
            b = a + int(rng.integers(1, 3000 if n > 2000 else 40))
            acc.add(values[a:b])
            a = b
        assert _bits(acc.total()) == _bits(np.add.reduce(values)), n
        assert _bits(acc.mean()) == _bits(np.mean(values)), n


@pytest.mark.parametrize("n", [1, 5, 8, 100, 1000], ids=lambda n: f"n{n}")
def test_pairwise_sum_of_negative_zeros_is_numpys(n: int) -> None:
    values = np.full(n, -0.0, dtype=F32)
    acc = PairwiseSum(n, F32)
    acc.add(values)
    assert _bits(acc.total()) == _bits(np.add.reduce(values))


def test_block_sums_equal_numpy_for_every_block_length() -> None:
    rng = np.random.default_rng(7)
    lengths = np.arange(8, 129)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    values = rng.random(int(lengths.sum()), dtype=F32)
    sums = block_sums(values, starts, lengths)
    expected = [np.add.reduce(values[s : s + n]) for s, n in zip(starts, lengths, strict=True)]
    assert _bits(sums) == _bits(np.array(expected, dtype=F32))


@given(
    values=st.lists(st.floats(0, 1, width=32), max_size=700),
    pieces=st.lists(st.integers(1, 150), min_size=1, max_size=30),
)
@settings(max_examples=60, deadline=None)
def test_pairwise_sum_is_independent_of_the_pieces(values: list[float], pieces: list[int]) -> None:
    array = np.array(values, dtype=F32)
    acc = PairwiseSum(array.shape[0], F32)
    a, i = 0, 0
    while a < array.shape[0]:
        b = a + pieces[i % len(pieces)]
        acc.add(array[a:b])
        a, i = b, i + 1
    assert _bits(acc.total()) == _bits(np.add.reduce(array))


def test_pairwise_sum_refuses_values_beyond_n() -> None:
    acc = PairwiseSum(3, F64)
    with pytest.raises(ValueError, match="expect 3 values but received 4"):
        acc.add(np.ones(4))
    with pytest.raises(ValueError, match="received only 0"):
        acc.total()


@pytest.mark.parametrize("seed", range(4), ids=lambda s: f"seed{s}")
def test_candidate_pool_keeps_exactly_the_keys_at_or_above_each_cut(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, n_targets = 4000, 5
    keys = (rng.integers(0, 40, n) / 40).astype(F32)  # many ties
    targets = rng.integers(0, n_targets, n)
    counts = np.array([0, 1, 37, 400, 2000])
    pool = CandidatePool(counts, np.empty(n_targets, dtype=F32), n)
    a = 0
    while a < n:
        b = a + int(rng.integers(1, 300))
        sel = np.flatnonzero(keys[a:b] >= pool.cut[targets[a:b]]) + a
        pool.offer(targets[sel], keys[sel], sel, sel % 2 == 0)
        a = b
    _, rows, flags, bounds, decided = pool.finish()
    np.testing.assert_array_equal(flags, rows % 2 == 0)
    for t, c in enumerate(counts):
        mine = np.flatnonzero(targets == t)
        got = rows[bounds[t] : bounds[t + 1]]
        if c == 0:
            assert got.size == 0 and decided[t]
            continue
        cut = np.sort(keys[mine])[::-1][c - 1] if mine.size >= c else -np.inf
        np.testing.assert_array_equal(got, mine[keys[mine] >= cut])
        assert decided[t] == (got.size <= c)


# --- Errors --------------------------------------------------------------------------------------------


def _corrupt(what: str) -> tuple[np.ndarray, np.ndarray]:
    labels, probs = _dataset("k3-tied-f64")
    labels, probs = labels.copy(), probs.copy()
    if what == "nan":
        probs[234, 1] = np.nan
    elif what == "negative":
        probs[155, 2] = -0.5
    elif what == "row-sum":
        probs[377] *= 1.5
    elif what == "label-high":
        labels[321] = 7
    elif what == "label-negative":
        labels[45] = -1
    elif what == "label-fraction":
        labels = labels.astype(float)
        labels[99] = 1.5
    return labels, probs


@pytest.mark.parametrize(
    ("what", "error", "match"),
    [
        ("nan", InvalidPredProbsError, r"NaN or infinite values \(first in row 234"),
        ("negative", InvalidPredProbsError, r"row 155, column 2 holds -0.5"),
        ("row-sum", InvalidPredProbsError, r"row 377 sums to 1.5"),
        ("label-high", InvalidLabelsError, r"must be in \[0, 3\).*row 321 holds 7"),
        ("label-negative", InvalidLabelsError, r"row 45 holds -1"),
        ("label-fraction", InvalidLabelsError, r"row 99 holds 1.5"),
    ],
    ids=["nan", "negative", "row-sum", "label-high", "label-negative", "label-fraction"],
)
@pytest.mark.parametrize("kind", ["npy", "callable"], ids=["npy", "callable"])
def test_bad_values_name_the_global_row(
    kind: str, what: str, error: type[Exception], match: str, tmp_path: Path
) -> None:
    labels, probs = _corrupt(what)
    source, labs = _source(labels, probs, kind, 50, tmp_path)
    with pytest.raises(error, match=match):
        find_label_issues_streaming(source, labs, batch_size=50)
    with pytest.raises(error, match=match):
        compute_label_quality_scores_streaming(source, labs, batch_size=50)


def _batches_of(*items: Any) -> Callable[[], Any]:
    return lambda: iter(items)


_P3 = np.full((4, 3), 1 / 3)
_L4 = np.zeros(4, dtype=np.int64)
BAD_SOURCES = [
    ("one-shot", (iter([(_L4, _P3)]), None), TypeError, "one-shot iterator"),
    ("labels-missing", (_P3, None), TypeError, "labels is None"),
    (
        "not-a-pair",
        (_batches_of((_L4, _P3), _P3), None),
        TypeError,
        r"batch 1 \(counting from 0\) is",
    ),
    (
        "columns",
        (_batches_of((_L4, _P3), (_L4, np.full((4, 2), 0.5))), None),
        InvalidPredProbsError,
        r"3 columns in every batch.*rows 4\.\.7 has 2",
    ),
    (
        "short-labels",
        (_batches_of((_L4[:3], _P3)), None),
        InvalidLabelsError,
        "has 3 labels but 4 rows",
    ),
    ("one-dimensional", (_batches_of((_L4, _P3[0])), None), InvalidPredProbsError, "must be 2-D"),
    ("no-batches", (_batches_of(), None), InvalidPredProbsError, "yielded no batches"),
    (
        "ragged",
        (_batches_of((_L4[:2], [[0.5, 0.5, 0.0], [1.0]])), None),
        InvalidPredProbsError,
        "Ragged rows",
    ),
    ("not-iterable", (42, None), TypeError, "source must be a .npy path"),
    (
        "length",
        (_P3, _L4[:3]),
        InvalidLabelsError,
        "labels has 3 entries but pred_probs has 4 rows",
    ),
    ("strings", (_P3, np.array(["a"] * 4)), InvalidLabelsError, "integer class indices"),
    ("npz", ("npz", _L4), InvalidPredProbsError, "several arrays"),
    ("not-npy", ("txt", _L4), InvalidPredProbsError, "cannot be memory-mapped"),
]


@pytest.mark.parametrize(
    ("args", "error", "match"), [b[1:] for b in BAD_SOURCES], ids=[b[0] for b in BAD_SOURCES]
)
def test_bad_sources_are_refused(
    args: tuple[Any, Any], error: type[Exception], match: str, tmp_path: Path
) -> None:
    source, labels = args
    if isinstance(source, str) and source == "npz":
        np.savez(tmp_path / "p.npz", a=_P3)
        source = tmp_path / "p.npz"
    elif isinstance(source, str) and source == "txt":
        (tmp_path / "p.npy").write_text("not an array")
        source = tmp_path / "p.npy"
    with pytest.raises(error, match=match):
        find_label_issues_streaming(source, labels)


def test_a_source_that_changes_between_passes_is_refused() -> None:
    labels, probs = _dataset("k3-tied-f64")
    calls = iter(range(100))

    def batches() -> Any:
        stop = 400 if next(calls) == 0 else 300
        return ((labels[a : a + 100], probs[a : a + 100]) for a in range(0, stop, 100))

    with pytest.raises(ValueError, match="same, in the same order, on every pass"):
        find_label_issues_streaming(batches)


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"batch_size": 0}, ValueError, "batch_size must be a positive integer"),
        ({"filter_by": "nope"}, ValueError, "filter_by must be one of"),
        (
            {"return_indices_ranked_by": "self_confidence", "rank_by_kwargs": {"x": 1}},
            TypeError,
            "accepts only",
        ),
        ({"n_jobs": 0}, ValueError, "n_jobs must be a positive integer"),
        ({"confident_joint": np.eye(2)}, ValueError, r"must be a \(3, 3\) matrix"),
    ],
    ids=["batch-size", "filter-by", "rank-kwargs", "n-jobs", "joint-shape"],
)
def test_bad_options_are_refused(
    options: dict[str, Any], error: type[Exception], match: str
) -> None:
    labels, probs = _dataset("k3-tied-f64")
    with pytest.raises(error, match=match):
        find_label_issues_streaming(probs, labels, **options)


def test_scores_bad_options_are_refused() -> None:
    labels, probs = _dataset("k3-tied-f64")
    with pytest.raises(ValueError, match="method must be one of"):
        compute_label_quality_scores_streaming(probs, labels, method="nope")
    with pytest.raises(ValueError, match="not supported with method='confidence_weighted_entropy'"):
        compute_label_quality_scores_streaming(
            probs, labels, method="confidence_weighted_entropy", adjust_pred_probs=True
        )


# --- Memory ----------------------------------------------------------------------------------------------

_MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from goldlabel.core.streaming import find_label_issues_streaming

    def status(field):
        # VmHWM is this process's own peak; ru_maxrss would include the parent's at fork time.
        with open("/proc/self/status") as f:
            line = next(line for line in f if line.startswith(field + ":"))
        return int(line.split()[1]) * 1024

    probs_path, labels_path, out_path = sys.argv[1:4]
    before = status("VmRSS")
    mask = find_label_issues_streaming(probs_path, labels_path, n_jobs=1)
    peak = status("VmHWM")
    np.save(out_path, mask)
    print(json.dumps({"growth": peak - before}))
    """
)


def _write_large(tmp_path: Path, n: int, k: int) -> tuple[Path, Path]:
    """An (n, k) float32 .npy of noisy pred_probs and its labels, written in chunks."""
    rng = np.random.default_rng(0)
    probs_path, labels_path = tmp_path / "probs.npy", tmp_path / "labels.npy"
    out = np.lib.format.open_memmap(probs_path, mode="w+", dtype=F32, shape=(n, k))
    labels = np.empty(n, dtype=np.int64)
    step = 250_000
    for a in range(0, n, step):
        m = min(step, n - a)
        y = rng.integers(0, k, m)
        logits = rng.standard_normal((m, k), dtype=F32)
        logits[np.arange(m), y] += 2.5
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        out[a : a + m] = p
        flip = rng.random(m) < 0.1
        y[flip] = rng.integers(0, k, int(flip.sum()))
        labels[a : a + m] = y
    out.flush()
    del out
    np.save(labels_path, labels)
    return probs_path, labels_path


def test_memory_stays_far_below_the_file_size(tmp_path: Path) -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("peak memory is read from /proc/self/status (Linux only)")
    probs_path, labels_path = _write_large(tmp_path, 2_000_000, 10)
    file_size = probs_path.stat().st_size
    out_path = tmp_path / "mask.npy"
    run = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(probs_path), str(labels_path), str(out_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    growth = json.loads(run.stdout.strip().splitlines()[-1])["growth"]
    assert growth < 0.4 * file_size, f"peak RSS grew by {growth / 2**20:.1f} MiB"
    expected = find_label_issues(np.load(labels_path), np.load(probs_path))
    _assert_identical(np.load(out_path), expected)
