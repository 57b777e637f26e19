"""Inter-annotator agreement: Krippendorff's alpha for nominal labels, overall and one class at a time.

Alpha compares the disagreement observed between annotators of the same example with the
disagreement expected if labels were paired at random: ``alpha = 1 - D_o / D_e``. It is 1 for perfect
agreement, about 0 for agreement at chance level, and negative for systematic disagreement. Unlike
Cohen's or Fleiss' kappa it takes any number of annotators, examples labeled by different subsets of
them, and missing labels; examples with a single label are not pairable and do not count.

With the coincidence matrix ``o[c, k]`` (each ordered pair of labels ``(c, k)`` given to one example
by two different annotators, weighted ``1 / (m_u - 1)`` for an example with ``m_u`` labels) and its
marginals ``n_c``: ``alpha = 1 - (n - 1) * sum_{c != k} o[c, k] / sum_{c != k} n_c * n_k``
(Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from goldlabel.core.multiannotator_votes import check_multiannotator_labels, compute_vote_counts

__all__ = ["compute_krippendorff_alpha", "compute_krippendorff_alpha_per_class"]


def _alpha(counts: np.ndarray) -> float:
    """Nominal alpha from per-example label counts of shape (N, K); NaN when nothing is pairable
    or only one class is ever given."""
    m = counts.sum(axis=1)
    keep = m >= 2
    if not keep.any():
        return float("nan")
    c, m = counts[keep], m[keep]
    weighted = c / (m - 1)[:, None]
    coincidence = weighted.T @ c - np.diag(weighted.sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    expected = n * n - float(np.sum(n_c * n_c))
    if expected <= 0:
        return float("nan")
    observed = coincidence.sum() - np.trace(coincidence)
    return float(1.0 - (n - 1) * observed / expected)


def _vote_counts(labels_multiannotator: np.ndarray, n_classes: int | None) -> np.ndarray:
    """Validated (N, M) class indices as per-example label counts of shape (N, K), float64."""
    labels, _ = check_multiannotator_labels(labels_multiannotator, n_classes=n_classes)
    k = int(n_classes) if n_classes is not None else int(np.nanmax(labels)) + 1
    return compute_vote_counts(labels, k).astype(np.float64)


def compute_krippendorff_alpha(
    labels_multiannotator: Any, *, n_classes: int | None = None
) -> float:
    """Krippendorff's alpha (nominal) of a wide label matrix.

    Parameters
    ----------
    labels_multiannotator : array-like of shape (N, M), or (N, M, K) for multi-label sets
        Class indices, NaN where an annotator did not label an example (as for
        :func:`~goldlabel.core.multiannotator.compute_consensus`); or the 0/1 array of
        :func:`~goldlabel.core.multiannotator_multilabel.compute_multilabel_consensus`, where
        every distinct set counts as one value (agreement on whole sets).
    n_classes : int, optional
        K (default: the largest label + 1); ignored for sets.

    Returns
    -------
    float
        In [-1, 1] (1: perfect agreement, 0: chance); NaN when no example has two labels or every
        label is the same class.

    Examples
    --------
    Krippendorff's (2011) example C: 4 coders, 12 units, missing values.

    >>> nan = np.nan
    >>> coders = np.array([
    ...     [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...     [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...     [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...     [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ... ])
    >>> round(compute_krippendorff_alpha(coders.T), 3)
    0.743
    """
    arr = np.asarray(labels_multiannotator, dtype=np.float64)
    if arr.ndim == 3:  # multi-label: every distinct set is one nominal value
        given = ~np.isnan(arr[:, :, 0])
        sets, codes = np.unique(arr[given], axis=0, return_inverse=True)
        if sets.shape[0] < 2:
            return float("nan")
        wide = np.full(given.shape, np.nan)
        wide[given] = codes.ravel()
        return compute_krippendorff_alpha(wide, n_classes=sets.shape[0])
    return _alpha(_vote_counts(arr, n_classes))


def compute_krippendorff_alpha_per_class(
    labels_multiannotator: Any, *, n_classes: int | None = None
) -> np.ndarray:
    """Krippendorff's alpha of each class as a yes/no question (did the annotator choose it?).

    For multi-class labels, pass the (N, M) class indices; for multi-label sets, the (N, M, K) 0/1
    array of :func:`~goldlabel.core.multiannotator_multilabel.compute_multilabel_consensus`.

    Returns
    -------
    numpy.ndarray of shape (K,)
        NaN for a class nobody or everybody chose on every pairable example.

    Examples
    --------
    >>> labels = np.array([[0, 0], [1, 1], [2, 1], [2, 2]], dtype=float)
    >>> compute_krippendorff_alpha_per_class(labels, n_classes=3).round(2).tolist()
    [1.0, 0.53, 0.53]
    """
    arr = np.asarray(labels_multiannotator, dtype=np.float64)
    if arr.ndim == 3:
        k = arr.shape[2]
        given = ~np.isnan(arr[:, :, 0])
        yes = np.nan_to_num(arr).sum(axis=1)
        no = given.sum(axis=1)[:, None] - yes
        return np.array([_alpha(np.column_stack([no[:, c], yes[:, c]])) for c in range(k)])
    counts = _vote_counts(arr, n_classes)
    total = counts.sum(axis=1)
    return np.array(
        [
            _alpha(np.column_stack([total - counts[:, c], counts[:, c]]))
            for c in range(counts.shape[1])
        ]
    )
