"""Synthetic label matrices drawn from a known generative model (conditionally independent LFs)."""

from __future__ import annotations

import numpy as np


def make_label_matrix(
    n: int,
    accuracies: np.ndarray,
    coverages: np.ndarray,
    *,
    n_classes: int = 2,
    seed: int = 0,
    balance: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(L, y): LF j fires with probability coverages[j] and is then right with accuracies[j]."""
    rng = np.random.default_rng(seed)
    y = rng.choice(n_classes, n, p=balance)
    m = len(accuracies)
    fire = rng.random((n, m)) < coverages
    right = rng.random((n, m)) < accuracies
    wrong = (y[:, None] + rng.integers(1, n_classes, (n, m))) % n_classes
    votes = np.where(right, y[:, None], wrong)
    return np.where(fire, votes, -1), y
