"""Synthetic audit data (Gaussian blobs with injected label noise, outliers and near duplicates) and
the Datalab peer run on it."""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Blobs:
    features: np.ndarray
    labels: np.ndarray
    true_labels: np.ndarray
    pred_probs: np.ndarray
    flipped: np.ndarray
    outliers: np.ndarray
    duplicates: np.ndarray


def make_blobs(
    n: int = 1000,
    *,
    n_classes: int = 4,
    n_features: int = 8,
    seed: int = 0,
    noise: float = 0.1,
    n_outliers: int = 10,
    n_duplicates: int = 10,
) -> Blobs:
    """Blobs whose last rows are outliers (far away) and near/exact copies of earlier rows.

    ``pred_probs`` are posterior probabilities of the true generative model, so they do not need a
    fitted classifier (keeps tests fast) and behave like good out-of-sample probabilities.
    """
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 3.0, (n_classes, n_features))
    n_base = n - n_outliers - n_duplicates
    y = rng.integers(0, n_classes, n_base)
    x = centers[y] + rng.normal(0.0, 1.0, (n_base, n_features))
    out_y = rng.integers(0, n_classes, n_outliers)
    direction = rng.normal(size=(n_outliers, n_features))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    out_x = centers[out_y] + direction * 12.0
    src = rng.choice(n_base, n_duplicates, replace=False)
    dup_x = x[src] + rng.normal(0.0, 1e-3, (n_duplicates, n_features))
    dup_x[: n_duplicates // 2] = x[src[: n_duplicates // 2]]  # half are exact copies
    features = np.r_[x, out_x, dup_x]
    true = np.r_[y, out_y, y[src]]
    flip = rng.random(n) < noise
    flip[n_base:] = False
    labels = true.copy()
    labels[flip] = (true[flip] + rng.integers(1, n_classes, flip.sum())) % n_classes
    sq = ((features[:, None, :] - centers[None]) ** 2).sum(-1)
    logits = -0.5 * sq
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    probs = 0.96 * probs + 0.04 / n_classes
    return Blobs(
        features=features,
        labels=labels,
        true_labels=true,
        pred_probs=probs,
        flipped=flip,
        outliers=np.arange(n_base, n_base + n_outliers),
        duplicates=np.r_[src, np.arange(n_base + n_outliers, n)],
    )


AGREEMENT_CASES = [(0, 500), (1, 1500), (2, 1000)]
AGREEMENT_IDS = [f"seed{s}-n{n}" for s, n in AGREEMENT_CASES]
MY_CHECKS = ("label", "outlier", "near_duplicate", "class_imbalance", "null")


@functools.cache
def run_both(seed: int, n: int, inputs: str, metric: str = "auto") -> tuple[Any, Any, Blobs]:
    """Datalab's and our per-example issues on the same blobs, for this directory's five checks.

    ``inputs`` is ``"pred_probs"`` (features and pred_probs), ``"features"`` (features only) or
    ``"probs_only"`` (pred_probs only).
    """
    from cleanlab import Datalab

    from goldlabel.audit import Audit

    data = make_blobs(n, seed=seed)
    frame = pd.DataFrame({"label": data.labels})
    kwargs: dict[str, Any] = {}
    if inputs in ("pred_probs", "features"):
        kwargs["features"] = data.features
    if inputs in ("pred_probs", "probs_only"):
        kwargs["pred_probs"] = data.pred_probs
    names = [
        c for c in MY_CHECKS if not (inputs == "probs_only" and c in ("near_duplicate", "null"))
    ]
    lab = Datalab(frame, label_name="label", verbosity=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lab.find_issues(issue_types={c: {} for c in names}, **kwargs)
    audit = Audit(frame, "label", progress=False).find_issues(
        issue_types={c: {} for c in names}, metric=metric, **kwargs
    )
    return lab, audit, data


def jaccard(a: Any, b: Any) -> float:
    """Jaccard index of two boolean masks (1.0 when both are empty)."""
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else np.count_nonzero(a & b) / union
