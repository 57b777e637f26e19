"""Calibrating a confident joint from its nonzero entries gives the dense computation's integers
(and cleanlab's) exactly, in either memory layout, with or without scratch memory."""

from __future__ import annotations

import numpy as np
import pytest

from goldlabel.core import calibration
from goldlabel.core.calibration import (
    calibrate_joint,
    calibrate_joint_dense,
    calibrate_joint_sparse,
)

cleanlab_count = pytest.importorskip("cleanlab.count")


def _sparse_joint(seed: int, order: str) -> tuple[np.ndarray, np.ndarray]:
    """A mostly-zero integer joint over 64-400 classes, some rows empty, and label counts that do
    not agree with it (some zero)."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(64, 400))
    joint = rng.integers(0, int(rng.choice([3, 40, 3000])), size=(k, k))
    joint[rng.random((k, k)) < rng.uniform(0.8, 0.99)] = 0
    joint[np.diag_indices(k)] += rng.integers(0, 200, size=k)
    joint[rng.random(k) < 0.05] = 0
    label_counts = rng.integers(0, 500, size=k)
    label_counts[rng.random(k) < 0.05] = 0
    return np.asarray(joint, order=order), label_counts


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("seed", range(16), ids=[f"seed{s}" for s in range(16)])
def test_sparse_calibration_equals_the_dense_one(seed: int, order: str) -> None:
    joint, label_counts = _sparse_joint(seed, order)
    expected = calibrate_joint_dense(joint, label_counts)
    sparse = calibrate_joint_sparse(joint, label_counts)
    assert sparse is not None
    np.testing.assert_array_equal(np.asarray(sparse), expected)
    np.testing.assert_array_equal(calibrate_joint(joint, label_counts), expected)
    assert calibrate_joint(joint, label_counts).flags.c_contiguous


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("seed", range(6), ids=[f"seed{s}" for s in range(6)])
def test_sparse_calibration_matches_cleanlab(seed: int, order: str) -> None:
    joint, _ = _sparse_joint(seed, order)
    labels = np.random.default_rng(seed).integers(0, joint.shape[0], 30 * joint.shape[0])
    expected = cleanlab_count.calibrate_confident_joint(joint, labels)
    label_counts = np.bincount(labels, minlength=joint.shape[0])
    np.testing.assert_array_equal(np.asarray(calibrate_joint_sparse(joint, label_counts)), expected)


@pytest.mark.parametrize("order", ["C", "F"])
def test_scratch_memory_changes_the_result_not(order: str) -> None:
    joint, label_counts = _sparse_joint(3, order)
    kept = joint.copy(order="K")
    plain = calibrate_joint_sparse(joint, label_counts)
    np.testing.assert_array_equal(joint, kept)  # without scratch the joint is left alone
    from_scratch = calibrate_joint_sparse(joint, label_counts, scratch=True)
    assert plain is not None and from_scratch is not None
    np.testing.assert_array_equal(np.asarray(from_scratch), np.asarray(plain))


def test_read_only_joint_is_never_written() -> None:
    joint, label_counts = _sparse_joint(5, "F")
    kept = joint.copy(order="K")
    joint.flags.writeable = False
    calibrate_joint_sparse(joint, label_counts, scratch=True)
    np.testing.assert_array_equal(joint, kept)


def test_row_totals_near_a_half_are_summed_densely(monkeypatch: pytest.MonkeyPatch) -> None:
    """With an absurd error bound every row counts as near a half and is summed densely: the
    integers stay the same (both ways give numpy's sums where they matter)."""
    joint, label_counts = _sparse_joint(7, "F")
    expected = calibrate_joint_dense(joint, label_counts)
    monkeypatch.setattr(calibration, "_UNIT_ROUNDOFF", 1.0)
    np.testing.assert_array_equal(np.asarray(calibrate_joint_sparse(joint, label_counts)), expected)


@pytest.mark.parametrize(
    ("joint", "why"),
    [
        (np.ones((100, 100), dtype=np.int64), "more than a quarter nonzero"),
        (np.eye(100), "floats"),
        (np.eye(10, dtype=np.int64), "small"),
        (np.eye(200, dtype=np.int64)[::2, ::2], "not contiguous"),
    ],
    ids=["dense", "float", "small", "strided"],
)
def test_joints_calibrated_densely(joint: np.ndarray, why: str) -> None:
    label_counts = np.full(joint.shape[0], 3)
    assert calibrate_joint_sparse(joint, label_counts) is None, why
    np.testing.assert_array_equal(
        calibrate_joint(joint, label_counts), calibrate_joint_dense(joint, label_counts)
    )
