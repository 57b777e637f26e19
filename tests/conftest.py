"""Shared fixtures: synthetic noisy-label data generated like the benchmarks' (softmax of noisy logits)."""

from __future__ import annotations

import numpy as np
import pytest


def make_noisy_data(
    n: int,
    k: int,
    *,
    seed: int = 0,
    noise: float = 0.1,
    dtype: type = np.float32,
    sharpness: float | None = None,
    imbalance: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """labels (with flips), pred_probs and the flip mask, deterministic in ``seed``.

    ``imbalance`` > 0 draws true classes with weights ``exp(-imbalance * k)``.
    """
    rng = np.random.default_rng(seed)
    if imbalance > 0:
        w = np.exp(-imbalance * np.arange(k))
        y_true = rng.choice(k, n, p=w / w.sum())
    else:
        y_true = rng.integers(0, k, n)
    flip = rng.random(n) < noise
    labels = y_true.copy()
    if k > 1:
        labels[flip] = (y_true[flip] + rng.integers(1, k, flip.sum())) % k
    margin = sharpness if sharpness is not None else 1.5 + np.sqrt(2 * np.log(max(k, 2)))
    logits = rng.standard_normal((n, k))
    logits[np.arange(n), y_true] += margin
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    return labels.astype(np.int64), probs.astype(dtype), flip & (labels != y_true)


@pytest.fixture
def noisy_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return make_noisy_data(2000, 5, seed=1)
