"""Synthetic data shared by the knn tests."""

from __future__ import annotations

import numpy as np


def make_blobs(
    n: int, d: int, *, centers: int = 10, spread: float = 4.0, seed: int = 0
) -> np.ndarray:
    """Gaussian blobs: unit-variance clusters around ``centers`` random centres, float64."""
    rng = np.random.default_rng(seed)
    middle = spread * rng.standard_normal((centers, d))
    return middle[rng.integers(0, centers, n)] + rng.standard_normal((n, d))
