"""Out-of-core confident learning: label issues and label-quality scores for pred_probs too large for memory.

The data come as a ``.npy`` file (read one batch at a time through a short-lived memory map), an array-like
with a shape that slices into numpy arrays (``numpy.memmap``, h5py, zarr), or a re-iterable source of
``(labels_batch, pred_probs_batch)`` pairs (see :mod:`goldlabel.core.batches`). The results are
*identical* to the in-memory :func:`goldlabel.core.filtering.find_label_issues` and
:func:`goldlabel.core.scoring.compute_label_quality_scores` on the concatenated data, unlike cleanlab's
approximate ``find_label_issues_batched``; only the number of passes grows. Memory is one batch plus
``O(K^2 + number of issues)``, and no per-row array is kept but the result:

- confident thresholds are per-class means that reproduce numpy's pairwise summation bit for bit
  (:class:`goldlabel.core.pairwise.PairwiseSum`);
- the confident joint is a K×K count accumulated batch by batch, then calibrated as in memory;
- every pruning selection (the ``c`` rows of a class with the largest margin toward a class, or with the
  smallest self-confidence) keeps a pool of its best candidates so far
  (:class:`goldlabel.core.selection.CandidatePool`) and skips rows whose slack cannot beat the pool's
  cut. Only when equal values straddle a cut at the end, as rounded probabilities make likely, is that
  class's full column gathered in one more pass and ordered by :func:`numpy.argsort`, exactly as the
  in-memory code breaks the tie (an array of one class's size, or of N for the ``low_*`` filters).

Passes over pred_probs: thresholds, confident joint, pruning (or lowest scores), plus one per group of
straddling ties and one to rank the issues when asked; labels given separately are read once more to
count the classes, and a batch iterable is read once more in full (to count rows and fix the dtype).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from goldlabel.core.batches import BatchSource, open_source
from goldlabel.core.calibration import calibrate_joint
from goldlabel.core.counting import (
    _thresholds_from_groups,
    default_jobs,
    group_by_label,
)
from goldlabel.core.filtering import (
    _check_options,
    _prune_matrix,
    _warn_small_class,
    find_label_issues,
)
from goldlabel.core.pairwise import PairwiseSum
from goldlabel.core.scan import scan_chunk, threshold_floor
from goldlabel.core.scoring import (
    _check_method,
    compute_label_quality_scores,
    compute_normalized_margin,
    compute_self_confidence,
)
from goldlabel.core.scoring import adjust_pred_probs as _adjust_probs
from goldlabel.core.selection import CandidatePool
from goldlabel.core.sparse import SparseCounts
from goldlabel.core.validation import warn_missing_classes
from goldlabel.exceptions import InvalidOptionError

__all__ = [
    "compute_label_quality_scores_streaming",
    "find_label_issues_streaming",
]

#: Entries offered to the pools at once are bounded by about this many (rows times classes).
_OFFER_CELLS = 1 << 16
#: Rows per thread below which a batch is scanned on one thread.
_THREAD_ROWS = 1 << 14
_NOISE_FILTERS = ("prune_by_noise_rate", "both")
_LOW_FILTERS = ("low_self_confidence", "low_normalized_margin")
_LOW_SCORERS = (compute_self_confidence, compute_normalized_margin)
_CLASS_FILTERS = ("prune_by_class", "both")
_CHANGED = (
    "The source yielded different data on a later pass ({detail}). Streaming needs several passes; "
    "the batches must be the same, in the same order, on every pass."
)


class _Tie:
    """A selection whose cut falls between equal values, settled from its full column by argsort.

    ``kind`` is ``'noise'`` (the ``count`` largest ``p_j - p_k`` of class ``k``), ``'class'`` (the ``count``
    smallest ``p_k`` of class ``k``) or ``'low'`` (the ``count`` lowest scores of all ``size`` rows, the
    scorer being ``_LOW_SCORERS[j]``). ``rows`` (sorted) and ``flags`` are the pool's entries at or above
    the cut; ``pos`` gets their positions in the column (for ``'low'``, the rows themselves).
    """

    def __init__(
        self, kind: str, k: int, j: int, count: int, size: int, rows: np.ndarray, flags: np.ndarray
    ) -> None:
        self.kind, self.k, self.j, self.count, self.size = kind, k, j, count, size
        self.rows, self.flags = rows, flags
        self.pos = rows.copy() if kind == "low" else np.full(rows.shape[0], -1, dtype=np.int64)

    def locate(self, batch_rows: np.ndarray, first_pos: int) -> None:
        """Record the column positions of the entries among ``batch_rows`` (sorted, consecutive in
        the column from ``first_pos``)."""
        if batch_rows.size == 0:
            return
        a, b = np.searchsorted(self.rows, [batch_rows[0], batch_rows[-1] + 1])
        if a < b:
            self.pos[a:b] = first_pos + np.searchsorted(batch_rows, self.rows[a:b])

    def chosen(self, column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows and flags of the chosen entries, with the tie broken as the in-memory code breaks it."""
        picked = np.argsort(-column if self.kind == "noise" else column)[: self.count]
        keep = np.isin(self.pos, picked)
        return self.rows[keep], self.flags[keep]


# --- Passes ------------------------------------------------------------------------------------------


def _stream_thresholds(data: BatchSource, label_counts: np.ndarray) -> np.ndarray:
    """Per-class confident thresholds, identical to the in-memory ones."""
    k_classes = label_counts.shape[0]
    sums = [PairwiseSum(int(n), data.dtype) for n in label_counts]
    for _, labels, probs in data.batches("confident thresholds"):
        order, starts = group_by_label(labels, k_classes)
        values = probs[order, labels[order]]
        for k in np.flatnonzero(np.diff(starts)):
            a, b = int(starts[k]), int(starts[k + 1])
            if b - a > sums[k].remaining:
                raise ValueError(_CHANGED.format(detail=f"more rows of class {k} than before"))
            sums[k].add(values[a:b])
    present = label_counts > 0
    if any(s.remaining for s in sums):
        raise ValueError(_CHANGED.format(detail="fewer rows than before"))
    means = np.array([s.mean() for s, p in zip(sums, present, strict=True) if p], dtype=data.dtype)
    # One mean per present class, as a one-value group: the shared helper applies the clipping and the
    # dtype rules for absent classes, and the mean of one value is that value.
    starts = np.zeros(k_classes + 1, dtype=np.int64)
    np.cumsum(present, out=starts[1:])
    return _thresholds_from_groups(means, starts, data.dtype)


def _scan(
    labels: np.ndarray, probs: np.ndarray, floor: np.ndarray, jobs: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Guess, given-label-is-top flag and slack of every row of a batch (scan.scan_chunk), on threads."""
    n = labels.shape[0]
    if jobs <= 1 or n < 2 * _THREAD_ROWS:
        return scan_chunk(labels, probs, floor)
    step = max(_THREAD_ROWS, -(-n // jobs))
    bounds = [(a, min(a + step, n)) for a in range(0, n, step)]
    with ThreadPoolExecutor(max_workers=len(bounds)) as pool:
        parts = list(
            pool.map(
                lambda ab: scan_chunk(labels[ab[0] : ab[1]], probs[ab[0] : ab[1]], floor), bounds
            )
        )
    guess, top, slack = (np.concatenate(col) for col in zip(*parts, strict=True))
    return guess, top, slack


def _stream_scan(
    data: BatchSource, thresholds: np.ndarray, filter_by: str, jobs: int, mask: np.ndarray
) -> tuple[np.ndarray, int]:
    """One pass of per-row statistics: confident-joint counts and the off-diagonal issue count;
    rows flagged directly (confident_learning, predicted_neq_given) are marked in ``mask``."""
    k_classes = data.n_classes
    floor = threshold_floor(thresholds)
    pair_counts = np.zeros(k_classes * k_classes, dtype=np.int64)
    n_issues = 0
    for offset, labels, probs in data.batches("confident joint"):
        guess, given_is_top, _ = _scan(labels, probs, floor, jobs)
        counted = guess >= 0
        if filter_by == "predicted_neq_given":
            hit = (np.argmax(probs, axis=1) != labels) & ~given_is_top
            mask[offset + np.flatnonzero(hit)] = True
        elif filter_by == "confident_learning":
            hit = counted & (guess != labels) & ~given_is_top
            mask[offset + np.flatnonzero(hit)] = True
        elif filter_by in _LOW_FILTERS:
            n_issues += int(np.count_nonzero(counted & (guess != labels) & ~given_is_top))
        else:
            pair_counts += np.bincount(
                guess[counted].astype(np.int64) * k_classes + labels[counted],
                minlength=k_classes * k_classes,
            )
    return pair_counts, n_issues


def _joint_from_pair_counts(pair_counts: np.ndarray, k_classes: int) -> np.ndarray:
    """The uncalibrated confident joint, built as counting._confident_counts builds it.

    Counted ``[true][given]`` and transposed: the memory layout, and so the float summation order in
    calibration, is the in-memory one.
    """
    joint = pair_counts.reshape(k_classes, k_classes).astype(np.int64).T
    np.fill_diagonal(joint, joint.diagonal().clip(min=1))
    return joint


class _PrunePlan:
    """Every selection of the pruning filters, fed batch by batch to one candidate pool per class.

    In class ``k``'s pool, target ``j < K`` takes the ``matrix[j, k]`` rows with the largest margin
    ``p_j - p_k`` (prune by noise rate) and target ``K`` the ``n_k - matrix[k, k]`` rows with the smallest
    ``p_k`` (prune by class). ``cuts[k]`` holds that pool's cuts, so a batch is filtered against every
    class at once. Classes with at most ``minimum`` rows, or one row, are not pruned; each gets the
    in-memory code's warning.
    """

    def __init__(
        self,
        filter_by: str,
        matrix: np.ndarray | SparseCounts,
        label_counts: np.ndarray,
        minimum: int,
        data: BatchSource,
    ) -> None:
        k_classes = label_counts.shape[0]
        for k in np.flatnonzero(label_counts <= minimum):
            _warn_small_class(int(k), int(label_counts[k]), minimum)
        eligible = (label_counts > minimum) & (label_counts >= 2)
        counts = np.zeros((k_classes, k_classes + 1), dtype=np.int64)
        if filter_by in _NOISE_FILTERS:
            counts[:, :k_classes] = np.asarray(matrix).T  # [given][target]
            np.fill_diagonal(counts, 0)
        if filter_by in _CLASS_FILTERS:
            counts[:, k_classes] = label_counts - np.diagonal(matrix)
        counts[~eligible] = 0
        counts[counts < 0] = 0
        self.n_classes = k_classes
        self.has_noise = bool(counts[:, :k_classes].any())
        self.has_class = bool(counts[:, k_classes].any())
        self.cuts = np.full((k_classes, k_classes + 1), np.inf, dtype=data.dtype)
        self.pools = {
            int(k): CandidatePool(counts[k], self.cuts[k], data.n_rows)
            for k in np.flatnonzero(counts.any(axis=1))
        }
        self._min_noise_cut = self.cuts[:, :k_classes].min(axis=1)

    def offer(
        self,
        offset: int,
        labels: np.ndarray,
        probs: np.ndarray,
        slack: np.ndarray,
        given_is_top: np.ndarray,
    ) -> None:
        """Offer a batch's rows that can still beat a cut of their class (in chunks of rows)."""
        step = max(1, _OFFER_CELLS // (self.n_classes + 1))
        for a in range(0, labels.shape[0], step):
            b = a + step
            self._offer(offset + a, labels[a:b], probs[a:b], slack[a:b], given_is_top[a:b])

    def _offer(
        self,
        offset: int,
        labels: np.ndarray,
        probs: np.ndarray,
        slack: np.ndarray,
        given_is_top: np.ndarray,
    ) -> None:
        k_classes = self.n_classes
        given_p = probs[np.arange(labels.shape[0]), labels]
        useful = np.zeros(labels.shape[0], dtype=bool)
        if self.has_noise:
            # Every margin p_j - p_k of a row is at most its slack max_j p_j - p_k.
            useful |= slack >= self._min_noise_cut[labels]
        if self.has_class:
            useful |= -given_p >= self.cuts[labels, k_classes]
        rows = np.flatnonzero(useful)
        if rows.size == 0:
            return
        labs, given_p = labels[rows], given_p[rows]
        parts: list[tuple[np.ndarray, ...]] = []
        if self.has_noise:
            margins = probs[rows] - given_p[:, None]
            r, j = np.nonzero(margins >= self.cuts[labs, :k_classes])
            parts.append((labs[r], j, margins[r, j], rows[r]))
        if self.has_class:
            (r,) = np.nonzero(-given_p >= self.cuts[labs, k_classes])
            parts.append((labs[r], np.full(r.shape[0], k_classes), -given_p[r], rows[r]))
        cls, target, key, row = (np.concatenate(col) for col in zip(*parts, strict=True))
        order = np.argsort(cls, kind="stable")
        cls, target, key, row = cls[order], target[order], key[order], row[order]
        bounds = np.searchsorted(cls, np.arange(k_classes + 1))
        for k in np.flatnonzero(np.diff(bounds)):
            a, b = bounds[k], bounds[k + 1]
            raised = self.pools[int(k)].offer(
                target[a:b], key[a:b], offset + row[a:b], given_is_top[row[a:b]]
            )
            if raised:
                self._min_noise_cut[k] = self.cuts[k, :k_classes].min()


def _stream_prune(
    data: BatchSource,
    thresholds: np.ndarray,
    plan: _PrunePlan,
    filter_by: str,
    jobs: int,
    label_counts: np.ndarray,
) -> np.ndarray:
    """Mask of the rows flagged by the pruning filters, given-is-top rows already left out."""
    floor = threshold_floor(thresholds)
    for offset, labels, probs in data.batches("pruning"):
        _, given_is_top, slack = _scan(labels, probs, floor, jobs)
        plan.offer(offset, labels, probs, slack, given_is_top)
    k_classes = data.n_classes
    mask = np.zeros(data.n_rows, dtype=bool)
    by_class: list[np.ndarray] = []
    ties: list[_Tie] = []
    for given in list(plan.pools):
        pool = plan.pools.pop(given)
        target, rows, flags, bounds, decided = pool.finish()
        # Decided selections keep every entry left; the others are settled from full columns.
        keep = decided[target] & ~flags
        mask[rows[keep & (target < k_classes)]] = True
        by_class.append(rows[keep & (target == k_classes)])
        for t in np.flatnonzero(~decided):
            a, b = bounds[t], bounds[t + 1]
            kind, j = ("noise", int(t)) if t < k_classes else ("class", given)
            size = int(label_counts[given])
            ties.append(_Tie(kind, given, j, int(pool.counts[t]), size, rows[a:b], flags[a:b]))
    for tie, (rows, flags) in zip(ties, _settle_ties(data, ties), strict=True):
        if tie.kind == "noise":
            mask[rows[~flags]] = True
        else:
            by_class.append(rows[~flags])
    class_rows = np.concatenate(by_class) if by_class else np.zeros(0, dtype=np.int64)
    if filter_by == "both":
        class_rows = class_rows[mask[class_rows]]
        mask[:] = False
    mask[class_rows] = True
    return mask


def _settle_ties(data: BatchSource, ties: list[_Tie]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Gather the full column of each tie (in groups of about a batch) and settle it by argsort."""
    results: list[tuple[np.ndarray, np.ndarray]] = []
    start = 0
    while start < len(ties):
        stop, used = start, 0
        while stop < len(ties) and (stop == start or used + ties[stop].size <= data.budget):
            used += ties[stop].size
            stop += 1
        group = ties[start:stop]
        columns: list[np.ndarray | None] = [None] * len(group)
        seen = np.zeros(data.n_classes, dtype=np.int64)
        for offset, labels, probs in data.batches("settling ties"):
            order, starts = group_by_label(labels, data.n_classes)
            for i, tie in enumerate(group):
                if tie.kind == "low":
                    values, first = _LOW_SCORERS[tie.j](labels, probs), offset
                else:
                    rows = order[starts[tie.k] : starts[tie.k + 1]]
                    p_k = probs[rows, tie.k]
                    values = probs[rows, tie.j] - p_k if tie.kind == "noise" else p_k
                    first = int(seen[tie.k])
                    tie.locate(offset + rows, first)
                column = columns[i]
                if column is None:
                    column = columns[i] = np.empty(tie.size, dtype=values.dtype)
                column[first : first + values.shape[0]] = values
            seen += np.diff(starts)
        for tie, column in zip(group, columns, strict=True):
            results.append(tie.chosen(column if column is not None else np.zeros(0)))
        start = stop
    return results


def _stream_lowest_scores(data: BatchSource, filter_by: str, n_issues: int) -> np.ndarray:
    """Rows with the ``n_issues`` lowest scores, ties broken as ``np.argsort(scores)[:n_issues]``."""
    which = _LOW_FILTERS.index(filter_by)
    scorer = _LOW_SCORERS[which]
    if n_issues <= 0:
        scorer(np.zeros(0, dtype=np.int64), np.zeros((0, data.n_classes), dtype=data.dtype))
        return np.zeros(0, dtype=np.int64)
    pool = CandidatePool(np.array([n_issues]), np.empty(1, dtype=data.dtype), data.n_rows)
    for offset, labels, probs in data.batches("lowest scores"):
        keys = -scorer(labels, probs)
        (r,) = np.nonzero(keys >= pool.cut[0])
        pool.offer(
            np.zeros(r.shape[0], dtype=np.int32), keys[r], offset + r, np.zeros(r.shape, bool)
        )
    _, rows, flags, _, decided = pool.finish()
    if decided[0]:
        return rows
    tie = _Tie("low", -1, which, n_issues, data.n_rows, rows, flags)
    ((chosen, _),) = _settle_ties(data, [tie])
    return chosen


def _stream_rank(
    data: BatchSource,
    rows: np.ndarray,
    rank_by: str,
    adjust: bool,
    thresholds: np.ndarray | None,
) -> np.ndarray:
    """``rows`` (sorted) ordered by ascending label-quality score, as scoring.rank_indices orders them."""
    scorer = _check_method(rank_by)
    if rows.size == 0:
        return rows
    parts: list[np.ndarray] = []
    for offset, labels, probs in data.batches("ranking"):
        a = np.searchsorted(rows, offset)
        b = np.searchsorted(rows, offset + labels.shape[0])
        if a == b:
            continue
        local = rows[a:b] - offset
        sub = probs[local]
        if adjust:
            sub = _adjust_probs(None, sub, confident_thresholds=thresholds)
        parts.append(scorer(labels[local], sub))
    return rows[np.argsort(np.concatenate(parts))]


def _check_rank_kwargs(rank_by: str | None, rank_by_kwargs: dict[str, Any] | None) -> bool:
    """Validate the ranking options up front (the in-memory code checks them at the end)."""
    kwargs = rank_by_kwargs or {}
    if rank_by is None:
        return False
    unknown = set(kwargs) - {"adjust_pred_probs"}
    if unknown:
        raise TypeError(
            f"rank_by_kwargs accepts only 'adjust_pred_probs', but received {sorted(unknown)}."
        )
    adjust = bool(kwargs.get("adjust_pred_probs", False))
    if adjust and rank_by == "confidence_weighted_entropy":
        raise InvalidOptionError(
            "adjust_pred_probs=True is not supported with method='confidence_weighted_entropy'."
        )
    return adjust


# --- Public API --------------------------------------------------------------------------------------


def find_label_issues_streaming(
    source: Any,
    labels: Any = None,
    *,
    batch_size: int | None = None,
    return_indices_ranked_by: str | None = None,
    rank_by_kwargs: dict[str, Any] | None = None,
    filter_by: str = "prune_by_noise_rate",
    frac_noise: float = 1.0,
    num_to_remove_per_class: Any = None,
    min_examples_per_class: int = 1,
    confident_joint: Any = None,
    n_jobs: int | None = None,
    progress: bool = False,
) -> np.ndarray:
    """Flag likely label errors in data too large for memory; identical to the in-memory result.

    Gives exactly what :func:`goldlabel.core.filtering.find_label_issues` gives on the concatenated
    data, for every option, while holding one batch of pred_probs plus ``O(K^2 + number of issues)``
    and the result. Equal values straddling a selection's cut (likely with rounded probabilities)
    are settled from that class's full column (N values for the ``low_*`` filters), gathered in one
    more pass. pred_probs is read 3 to 5 times; see the module docstring.

    Parameters
    ----------
    source : str, os.PathLike, array-like of shape (N, K), or re-iterable of batches
        With ``labels`` given: pred_probs, as the path of a ``.npy`` file (read batch by batch through
        a memory map) or an object with ``shape`` whose row slices are arrays (numpy array or memmap,
        h5py or zarr dataset). With ``labels=None``: batches ``(labels_batch, pred_probs_batch)`` of
        shapes (n_b,) and (n_b, K), from a function returning a fresh iterator (e.g. a generator
        function) or a re-iterable such as a list; a one-shot iterator is refused, since several
        passes are needed. Batches of different float dtypes are promoted to a common dtype, as
        :func:`numpy.concatenate` would.
    labels : array-like of shape (N,), str or os.PathLike, optional
        Given labels, integers in [0, K), or the path of a ``.npy`` file holding them.
    batch_size : int, optional
        Rows per batch when reading a file or array; default about 4 MiB of pred_probs, at most
        32,768 rows. Ignored for an iterable source, whose batches are used as they come.
    return_indices_ranked_by, rank_by_kwargs, filter_by, frac_noise, num_to_remove_per_class, \
min_examples_per_class, confident_joint, n_jobs
        As in :func:`goldlabel.core.filtering.find_label_issues`; ``n_jobs`` threads work within
        each batch.
    progress : bool
        Show a tqdm progress bar over the batches of each pass.

    Returns
    -------
    numpy.ndarray
        A boolean mask of shape (N,), or the flagged indices sorted by the ranking score when
        ``return_indices_ranked_by`` is set.

    Examples
    --------
    >>> labels = np.array([0, 0, 0, 1, 1, 1])
    >>> pred_probs = np.array([[.9, .1], [.8, .2], [.1, .9], [.2, .8], [.3, .7], [.9, .1]])
    >>> def batches():
    ...     for a in range(0, 6, 4):
    ...         yield labels[a:a + 4], pred_probs[a:a + 4]
    >>> find_label_issues_streaming(batches).tolist()
    [False, False, True, False, False, True]
    """
    _check_options(
        filter_by,
        return_indices_ranked_by,
        frac_noise,
        num_to_remove_per_class,
        min_examples_per_class,
        confident_joint,
    )
    adjust = _check_rank_kwargs(return_indices_ranked_by, rank_by_kwargs)
    jobs = default_jobs(n_jobs)
    data = open_source(source, labels, batch_size=batch_size, progress=progress)
    label_counts = data.count_labels()
    n, k = data.n_rows, data.n_classes
    warn_missing_classes(label_counts)
    if n == 0:
        return find_label_issues(
            np.zeros(0, dtype=np.int64),
            np.zeros((0, k), dtype=data.dtype),
            return_indices_ranked_by=return_indices_ranked_by,
            rank_by_kwargs=rank_by_kwargs,
            filter_by=filter_by,
            frac_noise=frac_noise,
            num_to_remove_per_class=num_to_remove_per_class,
            min_examples_per_class=min_examples_per_class,
            confident_joint=confident_joint,
            n_jobs=jobs,
        )
    needs_thresholds = filter_by != "predicted_neq_given" or adjust
    if needs_thresholds:
        thresholds = _stream_thresholds(data, label_counts)
    else:
        # predicted_neq_given uses no confident class; a threshold no probability reaches skips that work.
        thresholds = np.full(k, 2.0, dtype=data.dtype)
    pruning = filter_by in ("prune_by_noise_rate", "prune_by_class", "both")
    mask = np.zeros(n, dtype=bool)
    pair_counts: np.ndarray | None = None
    n_issues = 0
    if pruning and confident_joint is not None:
        joint = np.asarray(confident_joint)
        if joint.shape != (k, k):
            raise InvalidOptionError(
                f"confident_joint must be a ({k}, {k}) matrix for {k} classes, but received "
                f"shape {joint.shape}."
            )
    else:
        pair_counts, n_issues = _stream_scan(data, thresholds, filter_by, jobs, mask)
    if pruning:
        if pair_counts is not None:
            counts = _joint_from_pair_counts(pair_counts, k)
            joint = calibrate_joint(counts, label_counts, scratch=True)  # the counts are ours
        minimum = int(min_examples_per_class)
        matrix = _prune_matrix(joint, label_counts, minimum, frac_noise, num_to_remove_per_class)
        plan = _PrunePlan(filter_by, matrix, label_counts, minimum, data)
        mask = _stream_prune(data, thresholds, plan, filter_by, jobs, label_counts)
    elif filter_by in _LOW_FILTERS:
        mask[_stream_lowest_scores(data, filter_by, n_issues)] = True
    result = mask
    if return_indices_ranked_by is not None:
        rows = np.flatnonzero(mask)
        del mask, result
        result = _stream_rank(
            data, rows, return_indices_ranked_by, adjust, thresholds if adjust else None
        )
    data.warn_repaired(stacklevel=2)
    return result


def compute_label_quality_scores_streaming(
    source: Any,
    labels: Any = None,
    *,
    method: str = "self_confidence",
    adjust_pred_probs: bool = False,
    confident_thresholds: np.ndarray | None = None,
    batch_size: int | None = None,
    progress: bool = False,
) -> np.ndarray:
    """Label-quality scores of data too large for memory; identical to the in-memory scores.

    Gives exactly what :func:`goldlabel.core.scoring.compute_label_quality_scores` gives on the
    concatenated data. The result (N floats) is the only array of size N held; with
    ``adjust_pred_probs`` the confident thresholds are computed exactly first (two more passes).

    Parameters
    ----------
    source : str, os.PathLike, array-like of shape (N, K), or re-iterable of batches
        As in :func:`find_label_issues_streaming`.
    labels : array-like of shape (N,), str or os.PathLike, optional
        Given labels, or the path of a ``.npy`` file holding them; None when ``source`` yields batches.
    method : {'self_confidence', 'normalized_margin', 'confidence_weighted_entropy'}
    adjust_pred_probs : bool
        Subtract per-class confident thresholds first (not with confidence_weighted_entropy).
    confident_thresholds : numpy.ndarray of shape (K,), optional
        Thresholds to adjust with, instead of computing them from the data.
    batch_size : int, optional
        Rows per batch for a file or array source; default about 4 MiB of pred_probs, at most
        32,768 rows.
    progress : bool
        Show a tqdm progress bar over the batches.

    Returns
    -------
    numpy.ndarray of shape (N,)

    Examples
    --------
    >>> batches = [(np.array([1, 0]), np.array([[0.3, 0.7], [0.6, 0.4]])),
    ...            (np.array([0]), np.array([[0.2, 0.8]]))]
    >>> compute_label_quality_scores_streaming(batches).tolist()
    [0.7, 0.6, 0.2]
    """
    scorer = _check_method(method)
    if adjust_pred_probs and method == "confidence_weighted_entropy":
        raise InvalidOptionError(
            "adjust_pred_probs=True is not supported with method='confidence_weighted_entropy'; "
            "use self_confidence or normalized_margin, or set adjust_pred_probs=False."
        )
    data = open_source(source, labels, batch_size=batch_size, progress=progress)
    needs_thresholds = adjust_pred_probs and confident_thresholds is None
    label_counts = data.count_labels() if needs_thresholds or not data.rows_known else None
    if data.n_rows == 0:
        return compute_label_quality_scores(
            np.zeros(0, dtype=np.int64),
            np.zeros((0, data.n_classes), dtype=data.dtype),
            method=method,
            adjust_pred_probs=adjust_pred_probs,
            confident_thresholds=confident_thresholds,
        )
    thresholds: np.ndarray | None = None
    if label_counts is not None and needs_thresholds:
        thresholds = _stream_thresholds(data, label_counts)
    elif adjust_pred_probs:
        thresholds = np.asarray(confident_thresholds)
    out: np.ndarray | None = None
    for offset, labs, probs in data.batches("scores"):
        if thresholds is not None:
            probs = _adjust_probs(None, probs, confident_thresholds=thresholds)
        part = scorer(labs, probs)
        if out is None:
            out = np.empty(data.n_rows, dtype=part.dtype)
        out[offset : offset + part.shape[0]] = part
    data.warn_repaired(stacklevel=2)
    return out if out is not None else np.zeros(0)
