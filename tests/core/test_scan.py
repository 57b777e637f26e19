"""The fused scan gives, row for row, what plain numpy gives: the first index of each row's maximum,
the confident guess of the true label (cleanlab's rule), the given label's tie-bonus check, the
(guess, label) pair counts and the value checks. Both scans (transposed bit codes for narrow arrays,
row-by-row argmax otherwise) are checked, on inputs full of ties and on odd values."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from goldlabel.core.scan import (
    FLOATING_POINT_COMPARISON,
    gather_given,
    given_label_is_top,
    scan_rows,
    threshold_floor,
)
from goldlabel.exceptions import InvalidOptionError

Case = tuple[np.ndarray, np.ndarray, np.ndarray]


def _dirichlet(
    n: int, k: int, seed: int, dtype: type = np.float32
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(k, 0.5), size=n).astype(dtype)
    probs /= probs.sum(axis=1, keepdims=True)
    labels = np.where(rng.random(n) < 0.8, probs.argmax(axis=1), rng.integers(0, k, n))
    return labels.astype(np.int64), probs


def _class_floor(labels: np.ndarray, probs: np.ndarray) -> np.ndarray:
    k = probs.shape[1]
    given = probs[np.arange(labels.size), labels]
    means = [given[labels == c].mean() if (labels == c).any() else 2 for c in range(k)]
    return threshold_floor(np.asarray(means))


def _noisy(n: int, k: int, seed: int, dtype: type = np.float32) -> Case:
    labels, probs = _dirichlet(n, k, seed, dtype)
    return labels, probs, _class_floor(labels, probs)


def _rounded(n: int, k: int, seed: int) -> Case:
    """Probabilities with one decimal: ties at the maximum in most rows."""
    labels, probs = _dirichlet(n, k, seed)
    probs = np.round(probs, 1)
    probs[:, 0] += 1 - probs.sum(axis=1)
    return labels, probs, _class_floor(labels, probs)


def _uniform_and_onehot(n: int, k: int, seed: int) -> Case:
    labels, probs = _dirichlet(n, k, seed)
    probs[::3] = 1.0 / k
    probs[1::3] = 0.0
    probs[1::3, (np.arange(1, n, 3) % k)] = 1.0
    return labels, probs, _class_floor(labels, probs)


def _float64_floor_on_float32(n: int, k: int, seed: int) -> Case:
    labels, probs = _dirichlet(n, k, seed)
    floor = np.linspace(0.05, 0.6, k)  # float64 floors compared with float32 values
    return labels, probs, floor


def _low_floors(n: int, k: int, seed: int) -> Case:
    """Floors so low that most rows have several confident classes."""
    labels, probs = _dirichlet(n, k, seed)
    return labels, probs, np.full(k, 0.1, dtype=np.float32)


def _absent_class(n: int, k: int, seed: int) -> Case:
    labels, probs = _dirichlet(n, k, seed)
    labels[labels == k - 1] = 0
    return labels, probs, _class_floor(labels, probs)


def _negative_zero(n: int, k: int, seed: int) -> Case:
    labels, probs = _dirichlet(n, k, seed, np.float64)
    probs[::5] = 0.0
    probs[::5, 0] = -0.0
    probs[::5, 1] = 1.0
    probs[::10] = -0.0
    probs[::10, -1] = 1.0
    probs[7::50] = 0.0  # the maximum, 0, tied between 0.0 and -0.0 (an invalid row, scanned anyway)
    probs[7::50, 0] = -0.0
    return labels, probs, _class_floor(labels, probs)


def _bonus_ties(n: int, k: int, seed: int) -> Case:
    """The given label 1e-6 (in float32) below the maximum, on either side of the argmax."""
    labels, probs = _dirichlet(n, k, seed)
    rows = np.arange(n)
    top = probs.argmax(axis=1)
    other = (top + 1 + rows % (k - 1)) % k
    probs[rows, other] = probs[rows, top] - np.float32(FLOATING_POINT_COMPARISON)
    labels[::2] = other[::2]
    return labels, probs, _class_floor(labels, probs)


BUILDERS: dict[str, Callable[[], Case]] = {
    "k1": lambda: _noisy(500, 1, 0),
    "k2": lambda: _noisy(3000, 2, 1),
    "k10": lambda: _noisy(5000, 10, 2),
    "k10-f64": lambda: _noisy(5000, 10, 3, np.float64),
    "k16": lambda: _noisy(4000, 16, 4),
    "k17": lambda: _noisy(4000, 17, 5),
    "k10-rounded": lambda: _rounded(5000, 10, 6),
    "k4-rounded": lambda: _rounded(5000, 4, 7),
    "k5-uniform-onehot": lambda: _uniform_and_onehot(3000, 5, 8),
    "k6-f64-floor": lambda: _float64_floor_on_float32(3000, 6, 9),
    "k8-low-floors": lambda: _low_floors(3000, 8, 10),
    "k5-absent-class": lambda: _absent_class(3000, 5, 11),
    "k4-negative-zero": lambda: _negative_zero(3000, 4, 12),
    "k7-bonus-ties": lambda: _bonus_ties(4000, 7, 13),
    # Several chunks of several transposed blocks each, on two threads.
    "k4-f64-many-chunks": lambda: _noisy(300_001, 4, 14, np.float64),
    "k12-rounded-many-blocks": lambda: _rounded(120_003, 12, 15),
}
NAMES = list(BUILDERS)
NARROW = [name for name in NAMES if name != "k17"]


def _expected(labels: np.ndarray, probs: np.ndarray, floor: np.ndarray) -> dict[str, np.ndarray]:
    """Plain numpy, row by row semantics: what the scan must reproduce."""
    n, k = probs.shape
    rows = np.arange(n)
    top = probs.argmax(axis=1)
    top_p = probs[rows, top]
    given_p = probs[rows, labels]
    confident = probs >= floor
    n_confident = confident.sum(axis=1)
    guess = np.where(n_confident > 1, top, np.where(n_confident == 1, confident.argmax(axis=1), -1))
    bumped = given_p + given_p.dtype.type(FLOATING_POINT_COMPARISON)
    is_top = (
        (top == labels) | ((top < labels) & (bumped > top_p)) | ((top > labels) & (bumped >= top_p))
    )
    counted = guess >= 0
    pairs = np.bincount(guess[counted] * k + labels[counted], minlength=k * k)
    return {
        "top": top,
        "top_p": top_p,
        "given_p": given_p,
        "guess": guess,
        "is_top": is_top,
        "pairs": pairs,
    }


@pytest.mark.parametrize("narrow", [None, True, False], ids=["auto", "narrow", "row-by-row"])
@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_scan_matches_plain_numpy(name: str, narrow: bool | None) -> None:
    if narrow and name not in NARROW:
        pytest.skip("more than 16 classes: only the row-by-row scan applies")
    labels, probs, floor = BUILDERS[name]()
    want = _expected(labels, probs, floor)
    scan = scan_rows(labels, probs, floor, n_jobs=2, narrow=narrow)
    np.testing.assert_array_equal(scan.top, want["top"])
    np.testing.assert_array_equal(scan.top_p, want["top_p"])
    np.testing.assert_array_equal(scan.given_p, want["given_p"])
    np.testing.assert_array_equal(scan.guess, want["guess"])
    np.testing.assert_array_equal(given_label_is_top(labels, scan), want["is_top"])
    np.testing.assert_array_equal(scan.pair_counts, want["pairs"])
    # Class indices are int8 for the narrow scan (up to 16 classes), else int64.
    index_dtype = np.int8 if (narrow is None and probs.shape[1] <= 16) or narrow else np.int64
    assert scan.top.dtype == scan.guess.dtype == index_dtype
    assert scan.top_p.dtype == probs.dtype
    assert scan.finite
    assert scan.min_value == probs.min()
    sums = probs.sum(axis=1, dtype=np.float64)
    assert scan.max_row_error == pytest.approx(np.abs(sums - 1).max(), abs=1e-6)


@pytest.mark.parametrize("narrow", [True, False], ids=["narrow", "row-by-row"])
@pytest.mark.parametrize(
    ("bad", "field"),
    [(np.nan, "finite"), (np.inf, "finite"), (-0.25, "min_value"), (0.75, "max_row_error")],
    ids=["nan", "inf", "negative", "row-sum"],
)
def test_scan_reports_bad_values(bad: float, field: str, narrow: bool) -> None:
    labels, probs, floor = _noisy(70_000, 6, 16)
    probs[54_321, 2] = bad
    scan = scan_rows(labels, probs, floor, n_jobs=2, narrow=narrow)
    if field == "finite":
        assert not scan.finite
    elif field == "min_value":
        assert scan.finite and scan.min_value == np.float32(-0.25)
    else:
        assert scan.finite and scan.max_row_error > 0.5


@pytest.mark.parametrize("narrow", [True, False], ids=["narrow", "row-by-row"])
def test_scan_of_no_rows(narrow: bool) -> None:
    scan = scan_rows(np.zeros(0, dtype=np.int64), np.zeros((0, 3)), np.full(3, 0.5), narrow=narrow)
    assert scan.top.shape == scan.guess.shape == (0,)
    assert scan.pair_counts is not None and scan.pair_counts.tolist() == [0] * 9
    assert scan.finite and scan.min_value == 0.0


def test_scan_of_a_non_contiguous_array_matches_its_copy() -> None:
    labels, probs, floor = _noisy(5000, 10, 17)
    wide = np.zeros((5000, 20), dtype=probs.dtype)
    wide[:, ::2] = probs
    view = wide[:, ::2]
    scan, copy = scan_rows(labels, view, floor), scan_rows(labels, probs, floor)
    np.testing.assert_array_equal(scan.guess, copy.guess)
    np.testing.assert_array_equal(scan.top, copy.top)
    np.testing.assert_array_equal(gather_given(labels, view), copy.given_p)


def test_narrow_scan_refuses_wide_arrays() -> None:
    labels, probs, floor = _noisy(100, 17, 18)
    with pytest.raises(InvalidOptionError, match=r"at most 16 classes, but pred_probs has 17"):
        scan_rows(labels, probs, floor, narrow=True)
