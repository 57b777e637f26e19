"""Selecting, within each given class, the examples to prune.

Confident learning prunes, from the examples labeled ``k``, the ``c[k][j]`` examples with the largest
margin ``p_j - p_k`` for every other class ``j`` (prune by noise rate), or the ``n_k - c[k][k]`` examples with
the smallest ``p_k`` (prune by class). A full sort per (k, j) pair, as cleanlab does, costs
``O(K^2 N/K log N/K)``; here each pair costs a partial selection over a few candidate rows:

- a row's margins are all at most its *slack* ``max_j p_j - p_k``, so once ``c`` rows with margin above
  some value ``g`` are known, rows with slack at most ``g`` cannot be selected and are never looked at;
- the selected set is decided by :func:`numpy.argpartition`; only when equal margins straddle the cut
  is the tie broken the way cleanlab breaks it (its default :func:`numpy.argsort` over the class), so
  the result is identical.
"""

from __future__ import annotations

import numpy as np

__all__ = ["select_largest", "select_prune_by_class", "select_prune_by_noise_rate"]


def select_largest(values: np.ndarray, count: int) -> tuple[np.ndarray, bool]:
    """Positions of the ``count`` largest ``values`` and whether the cut falls between equal values.

    When it does not, the set is the one ``numpy.argsort(-values)[:count]`` takes, whatever the sort's
    tie order.
    """
    n = values.shape[0]
    if count >= n:
        return np.arange(n), False
    if count <= 0:
        return np.zeros(0, dtype=np.int64), False
    part = np.argpartition(-values, count - 1)
    chosen = part[:count]
    cut = values[part[count - 1]]
    rest = values[part[count:]]
    # The argpartition places the count-th largest at position count-1; a tie exists when any
    # value outside the chosen set equals it.
    tied = bool(np.any(rest == cut))
    return chosen, tied


def _margins(pred_probs: np.ndarray, rows: np.ndarray, j: int, k: int) -> np.ndarray:
    return pred_probs[rows, j] - pred_probs[rows, k]


def select_prune_by_noise_rate(
    pred_probs: np.ndarray,
    rows_k: np.ndarray,
    k: int,
    prune_counts: np.ndarray,
    slack_k: np.ndarray,
) -> np.ndarray:
    """Rows (indices into pred_probs) of class ``k`` selected by prune-by-noise-rate.

    Parameters
    ----------
    pred_probs : numpy.ndarray of shape (N, K)
    rows_k : numpy.ndarray of shape (n_k,)
        The rows labeled ``k``, in increasing order.
    k : int
        The given class.
    prune_counts : numpy.ndarray of shape (K,)
        ``prune_counts[j]``: how many of these rows to prune toward class ``j`` (``j == k`` ignored).
    slack_k : numpy.ndarray of shape (n_k,)
        ``max_j p_j - p_k`` of each row.
    """
    n_k = rows_k.shape[0]
    targets = np.flatnonzero(prune_counts > 0)
    targets = targets[targets != k]
    if targets.size == 0 or n_k == 0:
        return np.zeros(0, dtype=np.int64)
    counts = prune_counts[targets].astype(np.int64)
    need = int(counts.max())
    selected: list[np.ndarray] = []
    # Candidates: the rows with positive slack (the given label is not the most likely). If, for a
    # target class, at least `count` candidates have a positive margin, no other row can be chosen.
    cand_pos = np.flatnonzero(slack_k > 0)
    pending = np.ones(targets.size, dtype=bool)
    if cand_pos.size >= need or cand_pos.size > 0:
        cand_rows = rows_k[cand_pos]
        block = pred_probs[cand_rows][:, targets] - pred_probs[cand_rows, k][:, None]
        for t in range(targets.size):
            c = int(counts[t])
            col = block[:, t]
            if c > col.shape[0]:
                continue
            chosen, tied = select_largest(col, c)
            if tied or not col[chosen].min() > 0:
                continue
            selected.append(cand_rows[chosen])
            pending[t] = False
    for t in np.flatnonzero(pending):
        j, c = int(targets[t]), int(counts[t])
        margin = _margins(pred_probs, rows_k, j, k)
        chosen, tied = select_largest(margin, c)
        if tied:
            chosen = np.argsort(-margin)[:c]
        selected.append(rows_k[chosen])
    if not selected:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(selected))


def select_prune_by_class(
    pred_probs: np.ndarray, rows_k: np.ndarray, k: int, n_remove: int
) -> np.ndarray:
    """Rows of class ``k`` with the ``n_remove`` smallest ``p_k`` (ties as cleanlab breaks them)."""
    if n_remove < 1 or rows_k.size == 0:
        return np.zeros(0, dtype=np.int64)
    probs = pred_probs[rows_k, k]
    chosen, tied = select_largest(-probs, n_remove)
    if tied:
        chosen = np.argsort(probs)[:n_remove]
    return rows_k[chosen]
