"""Calibrating a confident joint: rescaling its counts to the label counts and rounding them back.

Row ``i`` of the joint (given label ``i``) is rescaled to sum to the number of examples labeled ``i``,
the whole matrix to sum to N, and each row is rounded to integers that keep its rounded total. The
floats, the order in which they are summed and hence the integers are cleanlab's own.

A joint over many classes is mostly zeros (a class is confused with a few others at most); it is
calibrated from its nonzero entries, with one K x K float array instead of four.
"""

from __future__ import annotations

import numpy as np

from goldlabel.core.latent import TINY_VALUE
from goldlabel.core.rounding import (
    round_preserving_row_totals,
    round_sparse_preserving_row_totals,
    sparse_rows,
)
from goldlabel.core.sparse import SparseCounts

__all__ = ["calibrate_joint", "calibrate_joint_dense", "calibrate_joint_sparse"]

#: Joints of at least this many entries, at most this fraction of them nonzero, are calibrated from
#: their nonzero entries.
_SPARSE_MIN_SIZE = 1 << 12
_SPARSE_MAX_FILL = 0.25
#: Unit roundoff of float64.
_UNIT_ROUNDOFF = 2.0**-53


def calibrate_joint(
    joint: np.ndarray, label_counts: np.ndarray, *, scratch: bool = False
) -> np.ndarray:
    """Calibrated confident joint (int64, C order) of a ``(K, K)`` joint ``[given][true]``.

    cleanlab's ``(joint.T / row_sums * label_counts).T / total * n``, then rounded row by row with
    :func:`~goldlabel.core.rounding.round_preserving_row_totals`. With ``scratch=True`` the joint's
    memory may be used as working space (its values are then lost).

    Examples
    --------
    >>> calibrate_joint(np.array([[2, 1], [0, 1]]), np.array([4, 2])).tolist()
    [[3, 1], [0, 2]]
    """
    calibrated = calibrate_joint_sparse(joint, label_counts, scratch=scratch)
    if calibrated is not None:
        return calibrated.to_dense()
    return calibrate_joint_dense(joint, label_counts)


def calibrate_joint_dense(joint: np.ndarray, label_counts: np.ndarray) -> np.ndarray:
    """:func:`calibrate_joint` computed on the whole matrix, whatever its sparsity."""
    row_sums = np.clip(joint.sum(axis=1), a_min=TINY_VALUE, a_max=None)
    # Computed in place where the dtypes allow: the same floats (and memory layout) without three
    # K x K temporaries.
    calibrated = joint.T / row_sums
    if calibrated.dtype != np.float64 or not _integral(joint, label_counts):
        calibrated = (calibrated * label_counts).T  # in place would round to a narrower dtype
        total = np.clip(np.sum(calibrated), a_min=TINY_VALUE, a_max=None)
        return round_preserving_row_totals(calibrated / total * label_counts.sum())
    calibrated *= label_counts
    calibrated = calibrated.T
    calibrated /= np.clip(np.sum(calibrated), a_min=TINY_VALUE, a_max=None)
    calibrated *= label_counts.sum()
    return round_preserving_row_totals(calibrated)


def _integral(joint: np.ndarray, label_counts: np.ndarray) -> bool:
    return joint.dtype.kind in "iu" and label_counts.dtype.kind in "iu"


def calibrate_joint_sparse(
    joint: np.ndarray, label_counts: np.ndarray, *, scratch: bool = False
) -> SparseCounts | None:
    """:func:`calibrate_joint` as its nonzero entries, computed from the joint's nonzero entries;
    None unless the joint is a large contiguous integer matrix at most a quarter of whose entries
    are nonzero (then :func:`calibrate_joint` computes it densely).

    Each entry goes through the same float operations as in the dense computation. The two sums
    whose order matters are taken as numpy takes them: the total over one dense array laid out as
    the dense computation lays it out (in the joint's own memory with ``scratch=True``), and the row
    totals (which only matter where they round) over the dense rows wherever a row's total lies
    within rounding error of a half.

    Examples
    --------
    >>> joint = np.eye(100, dtype=np.int64) * 3
    >>> calibrated = calibrate_joint_sparse(joint, np.full(100, 2))
    >>> calibrated.values[:3].tolist(), calibrated.shape
    ([2, 2, 2], (100, 100))
    """
    if not (
        _integral(joint, label_counts)
        and joint.ndim == 2
        and joint.size >= _SPARSE_MIN_SIZE
        and (joint.flags.c_contiguous or joint.flags.f_contiguous)
    ):
        return None
    k = joint.shape[0]
    # The dense ``joint.T / row_sums`` keeps joint.T's memory layout; numpy sums it in memory order.
    by_true = joint.T.flags.c_contiguous
    memory = (joint.T if by_true else joint).reshape(-1)
    nonzero = np.flatnonzero(memory != 0)
    if nonzero.size > joint.size * _SPARSE_MAX_FILL:
        return None
    row_sums = np.clip(joint.sum(axis=1), a_min=TINY_VALUE, a_max=None)
    first, second = np.divmod(nonzero, k)
    given, true = (second, first) if by_true else (first, second)
    values = np.true_divide(memory[nonzero], row_sums[given])
    values *= label_counts[given]
    if scratch and memory.flags.writeable and memory.dtype.itemsize == 8:
        # The joint's zeros are float zeros too: only its nonzero entries need overwriting.
        dense = memory.view(np.float64)
    else:
        dense = np.zeros(joint.size)
    dense[nonzero] = values
    values /= np.clip(dense.sum(), a_min=TINY_VALUE, a_max=None)
    values *= label_counts.sum()
    # Row by row ([given][true], row-major) for the rounding.
    flat = given * k + true
    if by_true:
        order = np.argsort(flat)
        flat, values = flat[order], values[order]
    return round_sparse_preserving_row_totals(flat, values, (k, k), _row_totals(flat, values, k))


def _row_totals(flat: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Each row's total rounded to an integer, as ``dense.sum(axis=1).round()`` gives it.

    The sum in any order is within ``2 (k - 1) u sum|v|`` of numpy's pairwise one; only a row whose
    total lies that close to a half can round differently, and it is summed densely.
    """
    row = flat // k
    approx = np.bincount(row, weights=values, minlength=k)
    bound = 4.0 * k * _UNIT_ROUNDOFF * np.bincount(row, weights=np.abs(values), minlength=k)
    near_half = np.abs(approx - np.floor(approx) - 0.5) <= bound
    totals = approx.round()
    rows = np.flatnonzero(near_half)
    if rows.size:
        totals[rows] = sparse_rows(flat, values, k, rows).sum(axis=1).round()
    return totals
