"""Named test inputs shared by the parity and property tests: noisy data and the transforms that fill
it with ties (rounded probabilities, duplicated rows, one-hot rows) or odd class layouts."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from tests.conftest import make_noisy_data

Data = tuple[np.ndarray, np.ndarray]

#: (method, adjust_pred_probs) pairs of the label-quality scores; cleanlab refuses the sixth.
SCORINGS = [
    ("self_confidence", False),
    ("self_confidence", True),
    ("normalized_margin", False),
    ("normalized_margin", True),
    ("confidence_weighted_entropy", False),
]
SCORING_IDS = [f"{m}-adjusted" if adj else m for m, adj in SCORINGS]
F64 = {"dtype": np.float64}


def noisy(n: int, k: int, seed: int, **kwargs: Any) -> Data:
    """labels and pred_probs of :func:`tests.conftest.make_noisy_data`."""
    labels, pred_probs, _ = make_noisy_data(n, k, seed=seed, **kwargs)
    return labels, pred_probs


def rounded(data: Data, decimals: int) -> Data:
    """Probabilities rounded to ``decimals`` and renormalised: many exactly equal values."""
    labels, pred_probs = data
    out = np.round(pred_probs.astype(np.float64), decimals)
    empty = np.flatnonzero(out.sum(axis=1) == 0)
    out[empty, pred_probs[empty].argmax(axis=1)] = 1.0
    out /= out.sum(axis=1, keepdims=True)
    return labels, out.astype(pred_probs.dtype)


def duplicated(data: Data, *, seed: int, copies: int, plus_every_other: bool = False) -> Data:
    """Every row ``copies`` times (every other row once more if asked), shuffled: equal margins."""
    labels, pred_probs = data
    parts = [np.arange(labels.size)] * copies
    if plus_every_other:
        parts.append(np.arange(0, labels.size, 2))
    index = np.random.default_rng(seed).permutation(np.concatenate(parts))
    return labels[index], pred_probs[index]


def onehot_rows(data: Data, *, every: int) -> Data:
    """Every ``every``-th row one-hot, alternately on its given label and on the next class."""
    labels, pred_probs = data
    pred_probs = pred_probs.copy()
    rows = np.arange(0, labels.size, every)
    pred_probs[rows] = 0
    pred_probs[rows, (labels[rows] + rows % 2) % pred_probs.shape[1]] = 1
    return labels, pred_probs


def class_absent(data: Data, k: int) -> Data:
    """No example is labeled ``k`` (its examples are relabeled 0); pred_probs keeps its column."""
    labels, pred_probs = data
    labels = labels.copy()
    labels[labels == k] = 0
    return labels, pred_probs


def single_example(data: Data, k: int, *, others_to: int | None = None) -> Data:
    """Exactly one example is labeled ``k``; the others become ``others_to`` (default ``k + 1``)."""
    labels, pred_probs = data
    labels = labels.copy()
    rows = np.flatnonzero(labels == k)
    labels[rows[1:]] = (k + 1) % pred_probs.shape[1] if others_to is None else others_to
    return labels, pred_probs


def registry(builders: dict[str, Callable[[], Data]]) -> Callable[[str], Data]:
    """``dataset(name)``: fresh copies of a named input, each built once per test session."""
    cached = functools.cache(lambda name: builders[name]())

    def dataset(name: str) -> Data:
        labels, pred_probs = cached(name)
        return labels.copy(), pred_probs.copy()

    return dataset


def quietly(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` with every warning silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def assert_same(got: Any, expected: Any) -> None:
    """Equal values and equal dtypes; tuples and lists of arrays are compared entry by entry."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(expected)
        for g, e in zip(got, expected, strict=True):
            assert_same(g, e)
        return
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    np.testing.assert_array_equal(got, expected)
