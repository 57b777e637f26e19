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

__all__ = [
    "select_largest",
    "select_prune_by_class",
    "select_prune_by_noise_rate",
    "select_prune_by_noise_rate_all",
]


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
    selected: list[np.ndarray] = []
    pending = np.ones(targets.size, dtype=bool)
    # Candidates: the rows with positive slack (the given label is not the most likely). For a target
    # class with at least `count` candidates of positive margin, no other row can be chosen.
    cand_rows = rows_k[slack_k > 0]
    n_c = cand_rows.shape[0]
    fits = counts <= n_c
    if fits.any():
        cols = np.flatnonzero(fits)
        c = counts[cols]
        block = pred_probs[np.ix_(cand_rows, targets[cols])] - pred_probs[cand_rows, k][:, None]
        c_max = int(c.max())
        if c_max < n_c:
            top_idx = np.argpartition(-block, c_max - 1, axis=0)[:c_max]
            best = np.take_along_axis(block, top_idx, axis=0)
        else:
            best = block
        best = -np.sort(-best, axis=0)
        cut = best[c - 1, np.arange(cols.size)]
        above = block >= cut
        # Resolved: the cut is positive (rows outside the candidates have margins <= 0) and exactly
        # `count` candidates reach it (no tie straddles the cut).
        resolved = (cut > 0) & (above.sum(axis=0) == c)
        if resolved.any():
            rr, _ = np.nonzero(above[:, resolved])
            selected.append(cand_rows[rr])
            pending[cols[resolved]] = False
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


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + n)`` for every (s, n), vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.arange(total, dtype=np.int64) + offsets


def select_prune_by_noise_rate_all(
    pred_probs: np.ndarray,
    labels: np.ndarray,
    top: np.ndarray,
    top_p: np.ndarray,
    given_p: np.ndarray,
    groups: tuple[np.ndarray, np.ndarray],
    prune_matrix: np.ndarray,
    eligible: np.ndarray,
) -> np.ndarray:
    """Mask of the rows prune-by-noise-rate selects, over every eligible given class at once.

    For a pair (given k, target j) the rows labeled ``k`` whose most likely class is ``j`` have margin
    ``p_j - p_k`` equal to their slack; every other row labeled ``k`` has margin at most
    ``min(p_top, 1 - p_top) - p_k`` (the second-largest probability's bound). One sort of the rows with
    positive slack by (given, most likely, slack) therefore settles every pair whose ``count``-th
    largest slack exceeds both 0 and that bound for its class, without a tie at the cut. The few
    remaining pairs go through :func:`select_prune_by_noise_rate`.

    Parameters
    ----------
    pred_probs : numpy.ndarray of shape (N, K)
    labels, top : numpy.ndarray of shape (N,), int
        Given labels and most likely classes.
    top_p, given_p : numpy.ndarray of shape (N,)
        Their probabilities.
    groups : tuple
        ``(order, starts)`` from :func:`goldlabel.core.counting.group_by_label`.
    prune_matrix : numpy.ndarray of shape (K, K)
        ``[target][given]`` counts to prune.
    eligible : numpy.ndarray of shape (K,), bool
        Given classes to prune.
    """
    n, k_classes = pred_probs.shape
    mask = np.zeros(n, dtype=bool)
    counts = np.asarray(prune_matrix).T.copy()  # [given][target]
    np.fill_diagonal(counts, 0)
    counts[~eligible] = 0
    pair_k, pair_j = np.nonzero(counts > 0)
    if pair_k.size == 0:
        return mask
    pair_c = counts[pair_k, pair_j].astype(np.int64)

    slack = top_p - given_p
    cand = np.flatnonzero((slack > 0) & eligible[labels])
    c_lab = labels[cand]
    c_pair = c_lab * k_classes + top[cand]
    c_slack = slack[cand]
    room = 1.0 + 2e-4 + 2e-6 * k_classes - top_p[cand]
    c_other = np.minimum(top_p[cand], room) - given_p[cand]
    other_max = np.full(k_classes, -np.inf)
    np.maximum.at(other_max, c_lab, c_other.astype(np.float64))

    sort = np.lexsort((-c_slack, c_pair))
    s_pair = c_pair[sort]
    s_slack = c_slack[sort]
    s_rows = cand[sort]
    key = pair_k * k_classes + pair_j
    start = np.searchsorted(s_pair, key, side="left")
    size = np.searchsorted(s_pair, key, side="right") - start
    enough = size >= pair_c
    at = np.where(enough, start + pair_c - 1, 0)
    cut = np.where(enough, s_slack[at] if s_slack.size else 0, -np.inf)
    nxt = np.minimum(start + pair_c, max(s_slack.size - 1, 0))
    tie = enough & (size > pair_c) & (s_slack[nxt] == cut if s_slack.size else False)
    resolved = enough & (cut > 0) & ~tie & (cut > other_max[pair_k])
    mask[s_rows[_ranges(start[resolved], pair_c[resolved])]] = True

    order, starts = groups
    left = ~resolved
    for k in np.unique(pair_k[left]):
        sub = left & (pair_k == k)
        remaining = np.zeros(k_classes, dtype=np.int64)
        remaining[pair_j[sub]] = pair_c[sub]
        rows_k = order[starts[k] : starts[k + 1]]
        chosen = select_prune_by_noise_rate(pred_probs, rows_k, int(k), remaining, slack[rows_k])
        mask[chosen] = True
    return mask
