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

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from goldlabel.core.sparse import SparseCounts, concat_ranges

__all__ = [
    "select_largest",
    "select_prune_by_class",
    "select_prune_by_noise_rate",
    "select_prune_by_noise_rate_all",
]


def select_largest(values: np.ndarray, count: int) -> tuple[np.ndarray, bool]:
    """Positions of the ``count`` largest ``values`` and whether the cut falls between equal values.

    When it does not, the set is the one ``numpy.argsort(-values)[:count]`` takes, whatever the sort's
    tie order. When it does, the positions are those of every value at least the cut (more than
    ``count``) and the caller breaks the tie.

    Examples
    --------
    >>> chosen, tied = select_largest(np.array([0.2, 0.9, 0.5, 0.9]), 2)
    >>> sorted(chosen.tolist()), tied
    ([1, 3], False)
    >>> select_largest(np.array([0.2, 0.9, 0.5, 0.5]), 2)[1]
    True
    """
    n = values.shape[0]
    if count >= n:
        return np.arange(n), False
    if count <= 0:
        return np.zeros(0, dtype=np.int64), False
    # The count-th largest value (a partition of the values alone, cheaper than of their indices);
    # exactly count values reach it unless the next one equals it.
    cut = np.partition(values, n - count)[n - count]
    chosen = np.flatnonzero(values >= cut)
    return chosen, chosen.size != count


def _margins(pred_probs: np.ndarray, rows: np.ndarray, j: int, k: int) -> np.ndarray:
    return pred_probs[rows, j] - pred_probs[rows, k]


#: A class's candidates are settled by the block-maximum bound when each block holds this many rows.
_MIN_BLOCK_ROWS = 4


def _select_by_bound(block: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Top ``counts[j]`` rows of every column of ``block``, all columns at once.

    A lower bound of each column's ``counts[j]``-th largest value comes from the maxima of disjoint
    blocks of rows (``c`` distinct rows reach the ``c``-th largest block maximum), so one comparison
    leaves only the few entries that can be chosen; they are sorted, and a column is *decided* when
    its ``counts[j]``-th largest value is positive and not tied with the next one.

    Returns the chosen (position, column) pairs and a mask of the columns left undecided.
    """
    m, k = block.shape
    active = counts > 0
    c_max = int(counts.max())
    n_blocks = min(m, 4 * c_max)
    rows_per_block = m // n_blocks
    maxima = block[: n_blocks * rows_per_block].reshape(n_blocks, rows_per_block, k).max(axis=1)
    maxima.sort(axis=0)
    col = np.arange(k)
    bound = maxima[n_blocks - np.maximum(counts, 1), col]
    # Chosen values must be positive: the bound is raised to the smallest positive value.
    tiny = np.nextafter(block.dtype.type(0), block.dtype.type(1))
    bound = np.where(active, np.maximum(bound, tiny), np.inf).astype(block.dtype)
    flat = np.flatnonzero(block >= bound)
    pos, col_of = np.divmod(flat, k)
    value = block.reshape(-1)[flat]
    order = np.lexsort((-value, col_of))
    pos, col_of, value = pos[order], col_of[order], value[order]
    start = np.searchsorted(col_of, col, side="left")
    size = np.searchsorted(col_of, col, side="right") - start
    decided = active & (size >= counts)
    last = start + np.maximum(counts, 1) - 1
    has_next = decided & (size > counts)
    tie = np.zeros(k, dtype=bool)
    tie[has_next] = value[last[has_next] + 1] == value[last[has_next]]
    decided &= ~tie
    chosen = pos[concat_ranges(start[decided], counts[decided])]
    return chosen, active & ~decided


def select_prune_by_noise_rate(
    pred_probs: np.ndarray,
    rows_k: np.ndarray,
    k: int,
    prune_counts: np.ndarray,
    slack_k: np.ndarray,
) -> np.ndarray:
    """Rows (indices into pred_probs) of class ``k`` selected by prune-by-noise-rate.

    The result is sorted and may repeat a row selected toward several classes.

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

    Examples
    --------
    >>> pred_probs = np.array([[0.7, 0.2, 0.1], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4], [0.1, 0.1, 0.8]])
    >>> rows = np.array([0, 1, 2, 3])
    >>> slack = pred_probs.max(axis=1) - pred_probs[:, 0]
    >>> select_prune_by_noise_rate(pred_probs, rows, 0, np.array([0, 1, 1]), slack).tolist()
    [1, 3]
    """
    out = _select_in_class(pred_probs, rows_k, k, prune_counts, rows_k[slack_k > 0])
    out.sort()
    return out


def _select_in_class(
    pred_probs: np.ndarray,
    rows_k: np.ndarray,
    k: int,
    prune_counts: np.ndarray,
    cand_rows: np.ndarray,
) -> np.ndarray:
    """:func:`select_prune_by_noise_rate` given the candidates: the rows of class ``k`` whose
    slack is positive (the given label is not the most likely), in increasing order. The rows
    selected come unsorted."""
    counts = np.asarray(prune_counts).astype(np.int64)
    counts[k] = 0
    counts[counts < 0] = 0
    if not counts.any() or rows_k.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    selected: list[np.ndarray] = []
    # If, for a target class, the `count` largest candidate margins are positive and not tied with
    # the next, no other row can be chosen: every other row's margin is at most its slack, <= 0.
    pending = counts > 0
    first = pending & (counts <= cand_rows.size)
    if first.any():
        block = pred_probs.take(cand_rows, axis=0)  # several times faster than pred_probs[rows]
        c_max = int(counts[first].max())
        if cand_rows.size >= 4 * c_max * _MIN_BLOCK_ROWS:
            block -= block[:, k].copy()[:, None]
            chosen, undecided = _select_by_bound(block, np.where(first, counts, 0))
            selected.append(cand_rows[chosen])
            pending &= ~first | undecided
        else:
            # Margins column by column (transposed, so each is contiguous); only the positive
            # ones can be chosen, and they are few: mostly the rows whose most likely class is j.
            margins = np.ascontiguousarray(block.T)
            margins -= margins[k].copy()
            for j in np.flatnonzero(first):
                c = int(counts[j])
                positive = np.flatnonzero(margins[j] > 0)
                if positive.size < c:
                    continue
                chosen, tied = select_largest(margins[j][positive], c)
                if tied:
                    continue
                selected.append(cand_rows[positive[chosen]])
                pending[j] = False
    for j in np.flatnonzero(pending):
        c = int(counts[j])
        margin = _margins(pred_probs, rows_k, int(j), k)
        chosen, tied = select_largest(margin, c)
        if tied:
            chosen = np.argsort(-margin)[:c]
        selected.append(rows_k[chosen])
    if not selected:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(selected)


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


#: From this many classes on, pairs are settled together from sorts instead of class by class.
_MANY_CLASSES = 256


def _positive_entries(
    counts: np.ndarray | SparseCounts,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and values of the positive entries of a matrix, in row-major order."""
    if isinstance(counts, SparseCounts):
        rows, cols, values = counts.entries()
        positive = values > 0
        return rows[positive], cols[positive], values[positive]
    flat = np.flatnonzero(counts > 0)
    rows, cols = np.divmod(flat, counts.shape[1])
    return rows, cols, counts[rows, cols]


def _pick(pred_probs: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``pred_probs[rows, cols]`` (one flat take when pred_probs is C-contiguous: several times
    faster than two-array indexing)."""
    if pred_probs.flags.c_contiguous:
        return pred_probs.reshape(-1).take(rows * pred_probs.shape[1] + cols)
    return pred_probs[rows, cols]


def _select_over_classes(
    pred_probs: np.ndarray,
    groups: tuple[np.ndarray, np.ndarray],
    pair_k: np.ndarray,
    pair_j: np.ndarray,
    pair_c: np.ndarray,
    which: np.ndarray,
) -> np.ndarray:
    """Rows selected for the pairs ``which`` (a mask over the pairs), each over every row of its given
    class ``k``: the ``c`` largest margins ``p_j - p_k``, ties broken by cleanlab's argsort.

    The margins of all these pairs are sorted together; a pair whose cut falls among equal (float32-
    rounded) margins is settled on its own with :func:`numpy.argsort`, as cleanlab settles it.
    """
    order, starts = groups
    idx = np.flatnonzero(which)
    if idx.size == 0:
        return np.zeros(0, dtype=np.int64)
    k, j, c = pair_k[idx], pair_j[idx], pair_c[idx]
    size = starts[k + 1] - starts[k]
    rows = order[concat_ranges(starts[k], size)]
    pair = np.repeat(np.arange(idx.size), size)
    margin = _pick(pred_probs, rows, j[pair]) - _pick(pred_probs, rows, k[pair])
    ranked, value = _sort_by_group_then_descending(pair, margin)
    first = np.concatenate(([0], np.cumsum(size)[:-1]))
    everything = c >= size
    cut_at = first + np.minimum(c, size) - 1
    tied = ~everything & (value[np.minimum(cut_at + 1, max(value.size - 1, 0))] == value[cut_at])
    settled = ~tied
    chosen = [rows[ranked[concat_ranges(first[settled], np.minimum(c, size)[settled])]]]
    for p in np.flatnonzero(tied).tolist():
        segment = slice(int(first[p]), int(first[p] + size[p]))
        chosen.append(rows[segment][np.argsort(-margin[segment])[: int(c[p])]])
    return np.concatenate(chosen)


def _sort_by_group_then_descending(
    group: np.ndarray, value: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Order of the entries by ``group``, then by ``value`` from largest to smallest, and the values
    in that order rounded to float32.

    The values are sorted as float32 inside one integer key (group in the high bits), which is several
    times faster than :func:`numpy.lexsort` and, the input being mostly runs already in order, a
    stable (run-merging) sort. Rounding to float32 keeps the order of distinct values or makes them
    equal, never swaps them; so a cut between two different rounded values is a cut between the same
    entries exactly, and a cut between equal rounded values is treated as a tie (the exact path).
    """
    rounded = value.astype(np.float32) + np.float32(0.0)  # and -0.0 becomes 0.0
    bits = rounded.view(np.uint32).astype(np.int64)
    # IEEE bits, made to increase with the value: negative values reversed below positive ones.
    ascending = np.where(bits >> 31 == 1, bits ^ 0xFFFFFFFF, bits | 0x80000000)
    key = (group.astype(np.int64) << 32) | (0xFFFFFFFF - ascending)
    order = np.argsort(key, kind="stable")
    return order, rounded[order]


def select_prune_by_noise_rate_all(
    pred_probs: np.ndarray,
    labels: np.ndarray,
    top: np.ndarray,
    top_p: np.ndarray,
    given_p: np.ndarray,
    groups: tuple[np.ndarray, np.ndarray],
    prune_matrix: np.ndarray | SparseCounts,
    eligible: np.ndarray,
    *,
    n_jobs: int = 1,
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
    prune_matrix : numpy.ndarray or SparseCounts of shape (K, K)
        ``[target][given]`` counts to prune.
    eligible : numpy.ndarray of shape (K,), bool
        Given classes to prune.
    n_jobs : int
        Threads (below 256 classes, where classes are settled one by one); results do not depend
        on it.
    """
    n, k_classes = pred_probs.shape
    mask = np.zeros(n, dtype=bool)
    order, starts = groups
    if k_classes < _MANY_CLASSES:
        prune_matrix = np.asarray(prune_matrix)
        # Few, large classes: the candidates of each class (positive slack), then a selection per
        # class, the classes spread over threads.
        positive = top_p > given_p  # slack > 0, without an N-long float temporary
        if not eligible.all():
            positive &= eligible[labels]
        cand = np.flatnonzero(positive)
        cand_labels = labels[cand]
        # Fewer than 256 classes: a one-pass radix sort of 8-bit keys.
        cand = cand[np.argsort(cand_labels.astype(np.uint8), kind="stable")]
        c_starts = np.zeros(k_classes + 1, dtype=np.int64)
        np.cumsum(np.bincount(cand_labels, minlength=k_classes), out=c_starts[1:])
        classes = np.flatnonzero(eligible)
        classes = classes[np.argsort(-(starts[classes + 1] - starts[classes]), kind="stable")]

        def one(k: int) -> np.ndarray:
            return _select_in_class(
                pred_probs,
                order[starts[k] : starts[k + 1]],
                k,
                prune_matrix[:, k],
                cand[c_starts[k] : c_starts[k + 1]],
            )

        if n_jobs > 1 and classes.size > 1:
            with ThreadPoolExecutor(max_workers=min(n_jobs, classes.size)) as pool:
                chosen = list(pool.map(one, classes.tolist()))
        else:
            chosen = [one(k) for k in classes.tolist()]
        if chosen:
            mask[np.concatenate(chosen)] = True
        return mask
    slack = top_p - given_p
    # The (given, target) pairs with something to prune, in order, from the nonzero counts.
    # (read [given][target]: in the layout the joint usually has, row by row in memory, and the
    # pairs come out sorted by given class, then target)
    pair_k, pair_j, pair_c = _positive_entries(prune_matrix.T)
    wanted = (pair_j != pair_k) & eligible[pair_k]
    pair_j, pair_k, pair_c = pair_j[wanted], pair_k[wanted], pair_c[wanted].astype(np.int64)
    if pair_k.size == 0:
        return mask

    cand = np.flatnonzero((slack > 0) & eligible[labels])
    c_lab = labels[cand]
    c_top = top[cand]
    c_slack = slack[cand]
    # Bound of the margin toward any class other than the row's most likely one.
    room = 1.0 + 2e-4 + 2e-6 * k_classes - top_p[cand]
    c_other = np.minimum(top_p[cand], room) - given_p[cand]

    # Groups: candidates by (given, most likely), largest slack first. (The sort rounds float64
    # slacks to float32: equal rounded slacks may come in any order, which can move the cut by a
    # float32 rounding at most, well inside the 1e-6 below, and leaves the exact ordering and tie
    # detection to the candidates' own sort further down.)
    g_group = c_lab.astype(np.int64) * k_classes + c_top
    g_sort, _ = _sort_by_group_then_descending(g_group, c_slack)
    g_pair = g_group[g_sort]
    key = pair_k * k_classes + pair_j
    g_start = np.searchsorted(g_pair, key, side="left")
    g_size = np.searchsorted(g_pair, key, side="right") - g_start
    enough = g_size >= pair_c
    g_cut = np.zeros(pair_c.size, dtype=np.float64)
    if g_sort.size:
        g_cut[enough] = c_slack[g_sort[g_start[enough] + pair_c[enough] - 1]]
    # Intruders: rows of the class whose most likely class is another one but whose margin bound
    # reaches the group's cut (or 0). Candidates by (given, bound), largest bound first; the bounds
    # are compared rounded to float32, at most 3e-8 below the exact ones, inside the 1e-6 slack.
    i_sort, i_bound = _sort_by_group_then_descending(c_lab, c_other)
    i_lab = c_lab[i_sort]
    seg_start = np.searchsorted(i_lab, pair_k, side="left")
    seg_end = np.searchsorted(i_lab, pair_k, side="right")
    floor = np.maximum(g_cut, 0.0) - 1e-6
    neg_sorted = -i_bound.astype(np.float64)
    n_intr = np.zeros(pair_c.size, dtype=np.int64)
    for_pairs = np.flatnonzero(seg_end > seg_start)
    if for_pairs.size:
        # within each class segment neg_sorted ascends; count entries with -bound <= -floor
        offset = pair_k[for_pairs].astype(np.float64) * 8.0
        seg_key = neg_sorted + np.repeat(
            np.arange(k_classes, dtype=np.float64) * 8.0, np.bincount(i_lab, minlength=k_classes)
        )
        pos = np.searchsorted(seg_key, offset - floor[for_pairs], side="right")
        n_intr[for_pairs] = pos - seg_start[for_pairs]

    # Pairs with many intruders are settled per class below (a dense block is cheaper there).
    crowded = n_intr > 4 * pair_c + 64
    n_intr[crowded] = 0
    take_g = np.where(crowded, 0, np.minimum(g_size, pair_c + 1))
    e_pair = np.concatenate(
        [np.repeat(np.arange(pair_c.size), take_g), np.repeat(np.arange(pair_c.size), n_intr)]
    )
    e_idx = np.concatenate(
        [g_sort[concat_ranges(g_start, take_g)], i_sort[concat_ranges(seg_start, n_intr)]]
    ).astype(np.int64)
    e_rows = cand[e_idx]
    e_target = pair_j[e_pair]
    e_value = _pick(pred_probs, e_rows, e_target) - given_p[e_rows]
    is_group = np.arange(e_pair.size) < int(take_g.sum())
    keep = is_group | (c_top[e_idx] != e_target)
    e_pair, e_rows, e_value = e_pair[keep], e_rows[keep], e_value[keep]

    e_sort, e_value = _sort_by_group_then_descending(e_pair, e_value)
    e_pair, e_rows = e_pair[e_sort], e_rows[e_sort]
    p_start = np.searchsorted(e_pair, np.arange(pair_c.size), side="left")
    p_size = np.searchsorted(e_pair, np.arange(pair_c.size), side="right") - p_start
    ok = p_size >= pair_c
    cut = np.full(pair_c.size, -np.inf)
    if e_value.size:
        cut[ok] = e_value[p_start[ok] + pair_c[ok] - 1]
    has_next = ok & (p_size > pair_c)
    tie = np.zeros(pair_c.size, dtype=bool)
    if e_value.size:
        tie[has_next] = e_value[p_start[has_next] + pair_c[has_next]] == cut[has_next]
    resolved = ok & (cut > 0) & ~tie & ~crowded
    mask[e_rows[concat_ranges(p_start[resolved], pair_c[resolved])]] = True

    # A pair whose cut is not positive or falls among equal margins is settled on its own two
    # columns over the whole class (what the per-class selection below would come to for it, without
    # reading the class's rows whole); crowded pairs are settled per class, on a dense block.
    unsettled = ~resolved & ~crowded
    mask[_select_over_classes(pred_probs, groups, pair_k, pair_j, pair_c, unsettled)] = True
    left = crowded
    for k in np.unique(pair_k[left]):
        sub = left & (pair_k == k)
        remaining = np.zeros(k_classes, dtype=np.int64)
        remaining[pair_j[sub]] = pair_c[sub]
        rows_k = order[starts[k] : starts[k + 1]]
        picked = _select_in_class(pred_probs, rows_k, int(k), remaining, rows_k[slack[rows_k] > 0])
        mask[picked] = True
    return mask
