from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goldlabel.core import summary
from goldlabel.core.filtering import find_label_issues
from goldlabel.core.rare_classes import (
    OTHER,
    RareClassMapping,
    merge_rare_classes,
    restore_original_classes,
)
from goldlabel.exceptions import DataValidationError, InvalidLabelsError, InvalidPredProbsError
from tests.conftest import make_noisy_data


def rare_data(seed: int = 0, dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Six classes: 2 and 4 are rare (3 and 1 examples), 5 never occurs."""
    labels, pred_probs, _ = make_noisy_data(600, 6, seed=seed, dtype=dtype)
    labels = np.where(np.isin(labels, [2, 4, 5]), 0, labels)
    labels[[10, 20, 30]] = 2
    labels[40] = 4
    return labels, pred_probs


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_merge_folds_rare_classes_into_other(dtype: type) -> None:
    labels, pred_probs = rare_data(dtype=dtype)
    new_labels, new_probs, mapping = merge_rare_classes(labels, pred_probs, min_examples=5)
    assert mapping.rare_classes.tolist() == [2, 4, 5]
    assert mapping.merged_to_original.tolist() == [0, 1, 3, OTHER]
    assert mapping.original_to_merged.tolist() == [0, 1, 3, 2, 3, 3]
    assert mapping.other_class == 3
    assert (mapping.num_original_classes, mapping.num_merged_classes) == (6, 4)
    assert new_probs.dtype == pred_probs.dtype and new_probs.shape == (600, 4)
    np.testing.assert_array_equal(new_probs[:, :3], pred_probs[:, [0, 1, 3]])
    np.testing.assert_allclose(new_probs[:, 3], pred_probs[:, [2, 4, 5]].sum(axis=1), rtol=1e-6)
    np.testing.assert_allclose(new_probs.sum(axis=1), 1, rtol=1e-5)
    assert (new_labels[[10, 20, 30, 40]] == 3).all()
    assert np.bincount(new_labels).tolist() == [
        int((labels == 0).sum()),
        int((labels == 1).sum()),
        int((labels == 3).sum()),
        4,
    ]


def test_nothing_rare_is_the_identity() -> None:
    labels, pred_probs, _ = make_noisy_data(300, 3, seed=1)
    new_labels, new_probs, mapping = merge_rare_classes(labels, pred_probs, min_examples=2)
    np.testing.assert_array_equal(new_labels, labels)
    np.testing.assert_array_equal(new_probs, pred_probs)
    assert mapping.other_class is None and mapping.rare_classes.size == 0
    assert restore_original_classes(np.array([2, 0]), mapping).tolist() == [2, 0]


def test_mapping_is_read_only() -> None:
    _, _, mapping = merge_rare_classes(*rare_data(), min_examples=5)
    with pytest.raises(ValueError, match="read-only"):
        mapping.merged_to_original[0] = 5


def test_restore_masks_indices_and_tables() -> None:
    labels, pred_probs = rare_data(seed=3)
    new_labels, new_probs, mapping = merge_rare_classes(labels, pred_probs, min_examples=5)
    mask = find_label_issues(new_labels, new_probs)
    restored_mask = restore_original_classes(mask, mapping)
    np.testing.assert_array_equal(restored_mask, mask)

    suggested = new_probs.argmax(axis=1)
    plain = restore_original_classes(suggested, mapping)
    kept = suggested != mapping.other_class
    np.testing.assert_array_equal(plain[kept], mapping.merged_to_original[suggested[kept]])
    assert (plain[~kept] == OTHER).all()
    resolved = restore_original_classes(suggested, mapping, pred_probs=pred_probs)
    np.testing.assert_array_equal(resolved[kept], plain[kept])
    rare_cols = mapping.rare_classes
    expected_rare = rare_cols[pred_probs[~kept][:, rare_cols].argmax(axis=1)]
    np.testing.assert_array_equal(resolved[~kept], expected_rare)
    # Given labels go back exactly, except the merged ones (which become "other").
    back = restore_original_classes(new_labels, mapping)
    is_rare = np.isin(labels, rare_cols)
    np.testing.assert_array_equal(back[~is_rare], labels[~is_rare])

    table = summary.rank_classes_by_label_quality(new_labels, new_probs)
    restored = restore_original_classes(table, mapping)
    assert sorted(restored["Class Index"]) == [OTHER, 0, 1, 3]
    pd.testing.assert_frame_equal(
        restored.drop(columns="Class Index"), table.drop(columns="Class Index")
    )
    pairs = restore_original_classes(
        summary.find_overlapping_classes(new_labels, new_probs, asymmetric=True), mapping
    )
    assert set(pairs["Class Index A"]) == set(pairs["Class Index B"]) == {OTHER, 0, 1, 3}


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(0, 12), min_size=2, max_size=8),
    min_examples=st.integers(1, 8),
    seed=st.integers(0, 1000),
)
def test_merge_invariants(counts: list[int], min_examples: int, seed: int) -> None:
    k = len(counts)
    labels = np.repeat(np.arange(k), counts)
    if labels.size == 0:
        return
    rng = np.random.default_rng(seed)
    pred_probs = rng.dirichlet(np.ones(k), size=labels.size)
    counts_arr = np.array(counts)
    kept = counts_arr >= min_examples
    rare_total = counts_arr[~kept].sum()
    if (~kept).any() and (kept.sum() == 0 or (kept.sum() == 1 and rare_total == 0)):
        with pytest.raises(DataValidationError, match="fewer than two classes"):
            merge_rare_classes(labels, pred_probs, min_examples=min_examples)
        return
    new_labels, new_probs, mapping = merge_rare_classes(
        labels, pred_probs, min_examples=min_examples
    )
    np.testing.assert_allclose(new_probs.sum(axis=1), pred_probs.sum(axis=1))
    assert new_probs.shape[1] == mapping.num_merged_classes
    assert (mapping.original_to_merged[labels] == new_labels).all()
    kept_back = restore_original_classes(new_labels, mapping)
    is_kept = np.isin(labels, np.flatnonzero(kept))
    np.testing.assert_array_equal(kept_back[is_kept], labels[is_kept])
    resolved = restore_original_classes(new_labels, mapping, pred_probs=pred_probs)
    assert np.isin(resolved[~is_kept], mapping.rare_classes).all()


LABELS = np.array([0, 0, 0, 1, 1, 1, 2])
PROBS = np.full((7, 3), 1 / 3)
MERGE_ERRORS = [
    (
        "float",
        {"min_examples": 2.5},
        DataValidationError,
        "min_examples must be a positive integer",
    ),
    (
        "bool",
        {"min_examples": True},
        DataValidationError,
        "min_examples must be a positive integer",
    ),
    ("zero", {"min_examples": 0}, DataValidationError, "With min_examples=1 no class is merged"),
    ("all-rare", {"min_examples": 10}, DataValidationError, "would leave fewer than two classes"),
    (
        "bad-labels",
        {"labels": np.array([0, 0, 0, 1, 1, 1, 5]), "min_examples": 2},
        InvalidLabelsError,
        "must be in \\[0, 3\\)",
    ),
    (
        "bad-probs",
        {"pred_probs": np.full((7, 3), 0.5), "min_examples": 2},
        InvalidPredProbsError,
        "must sum to 1",
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"), [e[1:] for e in MERGE_ERRORS], ids=[e[0] for e in MERGE_ERRORS]
)
def test_merge_errors(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    args = {"labels": LABELS, "pred_probs": PROBS, **kwargs}
    with pytest.raises(error, match=match):
        merge_rare_classes(args.pop("labels"), args.pop("pred_probs"), **args)


def test_one_populated_class_is_refused() -> None:
    with pytest.raises(DataValidationError, match="would leave fewer than two classes"):
        merge_rare_classes([0, 0, 0, 0], np.full((4, 3), 1 / 3), min_examples=2)


@pytest.fixture
def mapping() -> RareClassMapping:
    return merge_rare_classes(LABELS, PROBS, min_examples=2)[2]


RESTORE_ERRORS = [
    (
        "out-of-range",
        {"result": np.array([0, 3])},
        InvalidLabelsError,
        "merged class indices in \\[0, 3\\)",
    ),
    ("negative", {"result": np.array([-1])}, InvalidLabelsError, "from -1 to -1"),
    (
        "probs-shape",
        {"result": np.array([0, 2, 1]), "pred_probs": np.full((2, 3), 1 / 3)},
        InvalidPredProbsError,
        "original \\(N, K\\) probabilities, shape \\(3, 3\\)",
    ),
    (
        "floats",
        {"result": np.array([0.5, 0.2])},
        DataValidationError,
        "result must be a boolean mask",
    ),
    (
        "2d",
        {"result": np.zeros((2, 2), dtype=int)},
        DataValidationError,
        "1-D array of merged class",
    ),
    (
        "table-no-columns",
        {"result": pd.DataFrame({"score": [0.1]})},
        DataValidationError,
        "none of the class-index columns",
    ),
    (
        "table-float-column",
        {"result": pd.DataFrame({"Class Index": [0.0, 1.0]})},
        DataValidationError,
        "Column 'Class Index' must hold integer class indices",
    ),
    (
        "table-out-of-range",
        {"result": pd.DataFrame({"Class Index A": [0], "Class Index B": [7]})},
        InvalidLabelsError,
        "column 'Class Index B' must hold merged class indices",
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [e[1:] for e in RESTORE_ERRORS],
    ids=[e[0] for e in RESTORE_ERRORS],
)
def test_restore_errors(
    mapping: RareClassMapping, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    assert mapping.other_class == 2  # classes 0, 1 kept; 2 merged into "other"
    with pytest.raises(error, match=match):
        restore_original_classes(kwargs.pop("result"), mapping, **kwargs)


def test_restore_refuses_a_foreign_mapping() -> None:
    with pytest.raises(TypeError, match="mapping must be the RareClassMapping"):
        restore_original_classes(np.array([0]), {"0": 0})
