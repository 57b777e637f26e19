"""Batch sources for the streaming (out-of-core) algorithms.

A source is read pass after pass as validated ``(offset, labels, pred_probs)`` batches: ``offset`` is the
global index of the batch's first row, ``labels`` an int64 array, ``pred_probs`` a float array in one dtype
for the whole source. Every batch is checked with the rules of
:func:`goldlabel.core.validation.check_labels` and :func:`~goldlabel.core.validation.check_pred_probs`
(including the repair of rows that sum to 1 only approximately), and errors name global row indices.

``.npy`` files are memory-mapped afresh for every batch and the map is dropped once the batch is copied,
so pages already read do not stay mapped: resident memory stays at about one batch.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from goldlabel.core.validation import (
    ROW_SUM_REFUSE,
    ROW_SUM_TOLERANCE,
    VALUE_TOLERANCE,
    _describe,
)
from goldlabel.exceptions import InvalidLabelsError, InvalidPredProbsError

__all__ = ["BatchSource", "check_labels_batch", "check_pred_probs_batch", "open_source"]

#: Default batch: about this many bytes of pred_probs, and between these many rows (per-row
#: temporaries of the algorithms cost about 100 bytes, whatever K).
DEFAULT_BATCH_BYTES = 1 << 22
DEFAULT_BATCH_ROWS = (64, 1 << 15)
_MIN_BUDGET = 1 << 20
_CHANGED = (
    "The source yielded {got} rows on a later pass but {expected} on the first. Streaming needs several "
    "passes; the batches must be the same, in the same order, on every pass."
)


def _float_dtype(dtype: np.dtype, where: str) -> np.dtype:
    """The dtype check_pred_probs converts ``dtype`` to (integers to float64, float16 to float32)."""
    if dtype.kind in "biu":
        return np.dtype(np.float64)
    if dtype.kind == "f":
        return dtype if dtype.itemsize >= 4 else np.dtype(np.float32)
    raise InvalidPredProbsError(
        f"pred_probs must hold real numbers, but {where} has dtype {dtype}."
    )


def _rows(offset: int, n: int) -> str:
    return (
        f"the batch of rows {offset}..{offset + n - 1}" if n else f"the empty batch at row {offset}"
    )


def check_pred_probs_batch(
    raw: Any, offset: int, n_classes: int | None, dtype: np.dtype | None
) -> tuple[np.ndarray, int, float]:
    """Validate one batch of pred_probs; return it (in ``dtype``), the rows repaired and the worst sum error.

    Rows whose sum is off by more than ``ROW_SUM_TOLERANCE`` (but at most ``ROW_SUM_REFUSE``) are clipped
    and renormalised in a copy, exactly as check_pred_probs does.
    """
    try:
        arr = raw if isinstance(raw, np.ndarray) else np.asarray(raw)
    except ValueError as exc:  # ragged nested lists
        raise InvalidPredProbsError(
            f"pred_probs must be a numeric (N, K) array, but the batch starting at row {offset} "
            f"could not be read as one ({exc}). Ragged rows? Every row needs one probability per class."
        ) from exc
    n = arr.shape[0] if arr.ndim else 0
    if arr.dtype == object:
        raise InvalidPredProbsError(
            f"pred_probs must be a numeric (N, K) array, but {_rows(offset, n)} is "
            f"{_describe(raw)}. Ragged rows? Every row needs one probability per class."
        )
    if arr.ndim != 2:
        raise InvalidPredProbsError(
            f"pred_probs must be 2-D (num_examples, num_classes), but {_rows(offset, n)} is "
            f"{_describe(raw)}. For a binary task with one probability per row, pass "
            "np.column_stack([1 - p, p])."
        )
    if arr.shape[1] < 1 or (n_classes is not None and arr.shape[1] != n_classes):
        expected = "at least one column" if n_classes is None else f"{n_classes} columns"
        raise InvalidPredProbsError(
            f"pred_probs must have {expected} in every batch (one per class), but "
            f"{_rows(offset, n)} has {arr.shape[1]}."
        )
    target = _float_dtype(arr.dtype, _rows(offset, n))
    arr = arr.astype(dtype if dtype is not None else target, copy=False)
    if n == 0:
        return arr, 0, 0.0
    row_sums = arr.sum(axis=1, dtype=np.float64)
    if not np.isfinite(row_sums).all():
        bad = int(np.flatnonzero(~np.isfinite(row_sums))[0])
        raise InvalidPredProbsError(
            f"pred_probs contains NaN or infinite values (first in row {offset + bad}: "
            f"{np.array2string(arr[bad], threshold=8)}). Check the model that produced them; drop or "
            "re-predict those rows."
        )
    if arr.min() < -VALUE_TOLERANCE:
        bad_row, bad_col = (int(v[0]) for v in np.nonzero(arr < -VALUE_TOLERANCE))
        raise InvalidPredProbsError(
            f"pred_probs must be probabilities in [0, 1], but row {offset + bad_row}, column {bad_col} "
            f"holds {float(arr[bad_row, bad_col])!r}. Looks like logits or scores: apply a softmax first."
        )
    deviation = np.abs(row_sums - 1.0)
    worst = float(deviation.max())
    if worst > ROW_SUM_REFUSE:
        bad = int(deviation.argmax())
        raise InvalidPredProbsError(
            f"Each row of pred_probs must sum to 1, but row {offset + bad} sums to "
            f"{row_sums[bad]:.6g}. These look like scores or logits rather than probabilities: apply a "
            "softmax, or divide each row by its sum if they are unnormalised probabilities."
        )
    if worst <= ROW_SUM_TOLERANCE:
        return arr, 0, worst
    off = deviation > ROW_SUM_TOLERANCE
    arr = np.array(arr, copy=True)
    fixed = np.clip(arr[off], 0.0, 1.0)
    fixed /= fixed.sum(axis=1, keepdims=True)
    arr[off] = fixed
    return arr, int(off.sum()), worst


def check_labels_batch(raw: Any, offset: int, n_classes: int, n_rows: int) -> np.ndarray:
    """Validate one batch of labels (``n_rows`` of them, in ``[0, n_classes)``); return them as int64."""
    arr = raw.to_numpy() if hasattr(raw, "to_numpy") and not isinstance(raw, np.ndarray) else raw
    arr = np.asarray(arr)
    if arr.dtype == object:
        try:
            arr = np.asarray(arr.tolist())
        except (TypeError, ValueError):
            pass
    where = _rows(offset, arr.shape[0] if arr.ndim else 0)
    if arr.ndim != 1:
        raise InvalidLabelsError(
            f"labels must be a 1-D array of class indices, but {where} is {_describe(raw)}."
        )
    kind = arr.dtype.kind
    if kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            bad = int(np.flatnonzero(~finite)[0])
            raise InvalidLabelsError(
                f"labels contains a missing or infinite value at row {offset + bad} ({float(arr[bad])!r}). "
                "Drop unlabeled rows before calling this."
            )
        whole = arr == np.floor(arr)
        if not whole.all():
            bad = int(np.flatnonzero(~whole)[0])
            raise InvalidLabelsError(
                f"labels must be whole-number class indices, but row {offset + bad} holds "
                f"{float(arr[bad])!r}. Pass integer class indices, not probabilities or scores."
            )
    elif kind not in "biu":
        raise InvalidLabelsError(
            f"labels must be integer class indices 0..K-1, but {where} is {_describe(raw)}. Map "
            "class names to indices first, e.g. codes, classes = pandas.factorize(names, sort=True)."
        )
    arr = arr.astype(np.int64, copy=False)
    if arr.shape[0] != n_rows:
        raise InvalidLabelsError(
            f"{where} has {arr.shape[0]} labels but {n_rows} rows of pred_probs. Pass exactly one "
            "label per row of pred_probs, in the same order."
        )
    if n_rows:
        bad_mask = (arr < 0) | (arr >= n_classes)
        if bad_mask.any():
            bad = int(np.flatnonzero(bad_mask)[0])
            raise InvalidLabelsError(
                f"labels must be in [0, {n_classes}) because pred_probs has {n_classes} columns, but "
                f"row {offset + bad} holds {int(arr[bad])}. Unlabeled rows (e.g. -1) must be removed; "
                "otherwise give pred_probs one column per class."
            )
    return arr


class _NpyFile:
    """A ``.npy`` file read by row ranges, each through its own short-lived memory map."""

    def __init__(self, path: str | os.PathLike[str], error: type[Exception], name: str) -> None:
        self.path = os.fspath(path)
        try:
            probe = np.load(self.path, mmap_mode="r")
        except ValueError as exc:
            raise error(
                f"{name} file {self.path!r} cannot be memory-mapped ({exc}). Save a numeric array "
                "with numpy.save."
            ) from exc
        if not isinstance(probe, np.ndarray):
            raise error(
                f"{name} file {self.path!r} holds several arrays (.npz); pass a single-array .npy file."
            )
        self.shape: tuple[int, ...] = probe.shape
        self.dtype = probe.dtype
        self.ndim = len(self.shape)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: slice) -> np.ndarray:
        # The map (and its resident pages) goes away with the temporary memmap once copied.
        return np.array(np.load(self.path, mmap_mode="r")[rows])


class BatchSource:
    """Validated batches of one dataset, readable several times. Use :func:`open_source`."""

    n_classes: int
    dtype: np.dtype

    def __init__(self, progress: bool) -> None:
        self._n_rows: int | None = None
        self.progress = progress
        self.n_batches: int | None = None
        self.max_batch_rows = 1
        self._repair: tuple[int, float] | None = None

    @property
    def n_rows(self) -> int:
        """N, the number of rows (known once :meth:`count_labels` has run for a batch iterable)."""
        if self._n_rows is None:
            raise RuntimeError("The number of rows is known only after count_labels().")
        return self._n_rows

    @property
    def rows_known(self) -> bool:
        return self._n_rows is not None

    @property
    def budget(self) -> int:
        """How many values a pass may gather at once (to settle ties): about one batch."""
        return max(self.max_batch_rows * self.n_classes, _MIN_BUDGET)

    def count_labels(self) -> np.ndarray:
        """Per-class counts of the labels, shape (K,), int64 (one pass; fixes N and the dtype)."""
        raise NotImplementedError

    def _raw_batches(self) -> Iterator[tuple[Any, Any]]:
        """``(labels_batch, pred_probs_batch)`` as the source holds them, in order."""
        raise NotImplementedError

    def batches(self, desc: str) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """One pass over the data: ``(offset, labels, pred_probs)`` per batch, validated."""
        repaired, worst, rows = 0, 0.0, 0
        from tqdm.auto import tqdm  # progress bars, loaded when a pass starts

        with tqdm(
            total=self.n_batches, desc=desc, unit="batch", disable=not self.progress, leave=False
        ) as bar:
            for raw_labels, raw_probs in self._raw_batches():
                probs, fixed, err = check_pred_probs_batch(
                    raw_probs, rows, self.n_classes, self.dtype
                )
                labels = check_labels_batch(raw_labels, rows, self.n_classes, probs.shape[0])
                repaired += fixed
                worst = max(worst, err)
                yield rows, labels, probs
                rows += probs.shape[0]
                bar.update(1)
        if rows != self.n_rows:
            raise ValueError(_CHANGED.format(got=rows, expected=self.n_rows))
        if self._repair is None:
            self._repair = (repaired, worst)

    def warn_repaired(self, stacklevel: int = 2) -> None:
        """Warn once, as check_pred_probs does, if rows were clipped and renormalised."""
        if self._repair is not None and self._repair[0]:
            count, worst = self._repair
            warnings.warn(
                f"{count} rows of pred_probs sum to 1 only within {worst:.2g}; they were clipped to "
                "[0, 1] and renormalised. Pass exact probabilities to silence this warning.",
                UserWarning,
                stacklevel=stacklevel + 1,
            )
            self._repair = (0, worst)


class _ArraySource(BatchSource):
    """pred_probs as a ``.npy`` path or an array-like with ``shape``; labels as an array or ``.npy`` path."""

    def __init__(
        self, pred_probs: Any, labels: Any, batch_size: int | None, progress: bool
    ) -> None:
        super().__init__(progress)
        probs: Any
        if isinstance(pred_probs, (str, os.PathLike)):
            probs = _NpyFile(pred_probs, InvalidPredProbsError, "pred_probs")
        elif hasattr(pred_probs, "shape") and hasattr(pred_probs, "dtype"):
            probs = pred_probs
        else:
            probs = np.asarray(pred_probs)
        shape = tuple(probs.shape)
        if len(shape) != 2 or shape[1] < 1:
            raise InvalidPredProbsError(
                f"pred_probs must be 2-D (num_examples, num_classes) with at least one column, but "
                f"received shape {shape}."
            )
        self.dtype = _float_dtype(np.dtype(probs.dtype), "pred_probs")
        self._n_rows, self.n_classes = int(shape[0]), int(shape[1])
        if isinstance(labels, (str, os.PathLike)):
            labs: Any = _NpyFile(labels, InvalidLabelsError, "labels")
        elif hasattr(labels, "shape") and hasattr(labels, "dtype"):
            labs = labels.to_numpy() if hasattr(labels, "to_numpy") else labels
        else:
            labs = np.asarray(labels)
        if len(labs.shape) != 1:
            raise InvalidLabelsError(
                f"labels must be a 1-D array of class indices, but received shape {tuple(labs.shape)}."
            )
        if labs.shape[0] != self.n_rows:
            raise InvalidLabelsError(
                f"labels has {labs.shape[0]} entries but pred_probs has {self.n_rows} rows. Pass "
                "exactly one label per row of pred_probs, in the same order."
            )
        if batch_size is None:
            low, high = DEFAULT_BATCH_ROWS
            per_row = self.n_classes * self.dtype.itemsize
            batch_size = max(low, min(high, DEFAULT_BATCH_BYTES // per_row))
        self._probs, self._labels, self._step = probs, labs, int(batch_size)
        self.n_batches = -(-self.n_rows // self._step)
        self.max_batch_rows = min(self._step, max(self.n_rows, 1))

    def count_labels(self) -> np.ndarray:
        counts = np.zeros(self.n_classes, dtype=np.int64)
        for a in range(0, self.n_rows, self._step):
            b = min(a + self._step, self.n_rows)
            labels = check_labels_batch(self._labels[a:b], a, self.n_classes, b - a)
            counts += np.bincount(labels, minlength=self.n_classes)
        return counts

    def _raw_batches(self) -> Iterator[tuple[Any, Any]]:
        for a in range(0, self.n_rows, self._step):
            b = min(a + self._step, self.n_rows)
            yield self._labels[a:b], self._probs[a:b]


class _IterableSource(BatchSource):
    """Batches ``(labels_batch, pred_probs_batch)`` from a function returning an iterator, or a re-iterable."""

    def __init__(self, source: Any, progress: bool) -> None:
        super().__init__(progress)
        if isinstance(source, Iterator):
            raise TypeError(
                f"source is a one-shot iterator ({type(source).__name__}), but streaming reads the data "
                "several times. Pass a function returning a fresh iterator, e.g. the generator function "
                "itself (my_batches, not my_batches()) or lambda: iter(...)."
            )
        if callable(source):
            self._open: Callable[[], Iterable[Any]] = source
        elif isinstance(source, Iterable):
            self._open = lambda: source
        else:
            raise TypeError(
                "source must be a .npy path or an array of pred_probs (with labels=...), or batches "
                f"(labels_batch, pred_probs_batch) from a function or re-iterable, but received "
                f"{_describe(source)}."
            )

    def _raw_batches(self) -> Iterator[tuple[Any, Any]]:
        opened = self._open()
        if not isinstance(opened, Iterable):
            raise TypeError(
                f"source() must return an iterable of (labels_batch, pred_probs_batch) pairs, but "
                f"returned {_describe(opened)}."
            )
        for i, item in enumerate(opened):
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise TypeError(
                    f"each batch must be a pair (labels_batch, pred_probs_batch), but batch {i} "
                    f"(counting from 0) is {_describe(item)}."
                )
            yield item[0], item[1]

    def count_labels(self) -> np.ndarray:
        counts: np.ndarray | None = None
        dtype: np.dtype | None = None
        rows = n_batches = 0
        repaired, worst = 0, 0.0
        from tqdm.auto import tqdm  # progress bars, loaded when a pass starts

        with tqdm(
            desc="reading batches", unit="batch", disable=not self.progress, leave=False
        ) as bar:
            for raw_labels, raw_probs in self._raw_batches():
                k = None if counts is None else counts.shape[0]
                probs, fixed, err = check_pred_probs_batch(raw_probs, rows, k, None)
                if counts is None:
                    counts = np.zeros(probs.shape[1], dtype=np.int64)
                labels = check_labels_batch(raw_labels, rows, counts.shape[0], probs.shape[0])
                counts += np.bincount(labels, minlength=counts.shape[0])
                dtype = probs.dtype if dtype is None else np.result_type(dtype, probs.dtype)
                rows += probs.shape[0]
                n_batches += 1
                repaired += fixed
                worst = max(worst, err)
                self.max_batch_rows = max(self.max_batch_rows, probs.shape[0])
                bar.update(1)
        if counts is None or dtype is None:
            raise InvalidPredProbsError(
                "source yielded no batches; it must yield (labels_batch, pred_probs_batch) pairs."
            )
        self._n_rows, self.n_classes, self.dtype, self.n_batches = (
            rows,
            counts.shape[0],
            dtype,
            n_batches,
        )
        self._repair = (repaired, worst)
        return counts


def open_source(
    source: Any, labels: Any = None, *, batch_size: int | None = None, progress: bool = False
) -> BatchSource:
    """Wrap ``source`` (and ``labels``) as a :class:`BatchSource`.

    With ``labels`` given, ``source`` is pred_probs: a ``.npy`` path or an array-like with ``shape``
    (numpy array or memmap, h5py or zarr dataset, nested lists). Without, ``source`` yields
    ``(labels_batch, pred_probs_batch)`` pairs: a function returning a fresh iterator, or a re-iterable.
    """
    if batch_size is not None and (
        isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1
    ):
        raise ValueError(
            f"batch_size must be a positive integer or None, but received {batch_size!r}."
        )
    if labels is not None:
        return _ArraySource(source, labels, batch_size, progress)
    if isinstance(source, (str, os.PathLike)) or isinstance(source, np.ndarray):
        raise TypeError(
            "labels is None, but source is pred_probs (a path or an array), which holds no labels. "
            "Pass labels=... (an array or a .npy path), or make source yield "
            "(labels_batch, pred_probs_batch) pairs."
        )
    return _IterableSource(source, progress)
