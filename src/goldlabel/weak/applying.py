"""Apply labeling functions to a table and get the label matrix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.weak.functions import LabelingFunction, Row
from goldlabel.weak.validation import ABSTAIN

__all__ = ["apply_lfs", "to_frame"]


def to_frame(data: Any) -> pd.DataFrame:
    """A pandas DataFrame from a pandas or polars DataFrame, a mapping of columns or a list of dicts.

    Examples
    --------
    >>> to_frame({"text": ["a", "b"]}).shape
    (2, 1)
    """
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "to_pandas") and hasattr(data, "columns"):  # polars, pyarrow
        return data.to_pandas()
    if isinstance(data, Mapping) or (
        isinstance(data, Sequence)
        and not isinstance(data, str)
        and all(isinstance(r, Mapping) for r in data)
    ):
        return pd.DataFrame(data)
    raise DataValidationError(
        f"data must be a DataFrame (pandas or polars), a mapping of columns or a list of row dicts, "
        f"but received {type(data).__name__}."
    )


def apply_lfs(
    data: Any,
    lfs: Sequence[LabelingFunction],
    *,
    fault_tolerant: bool = False,
) -> np.ndarray:
    """Run every LF over every row and return the label matrix.

    Built-in LFs and ``@labeling_function(vectorized=True)`` LFs run as column operations; other LFs
    run once per row.

    Parameters
    ----------
    data : DataFrame or mapping of columns or list of dicts
        The rows to label.
    lfs : sequence of LabelingFunction
        Names must be unique.
    fault_tolerant : bool, default=False
        If an LF raises, run it again row by row and let the rows where it raises abstain, instead
        of failing the whole call.

    Returns
    -------
    numpy.ndarray of shape (n_rows, n_lfs), dtype int64
        ``-1`` where the LF abstained.

    Examples
    --------
    >>> from goldlabel.weak import KeywordLF, RegexLF
    >>> lfs = [KeywordLF(["subscribe"], 1), RegexLF(r"\\bsong\\b", 0)]
    >>> apply_lfs({"text": ["Subscribe to me", "nice song", "hello"]}, lfs).tolist()
    [[1, -1], [-1, 0], [-1, -1]]
    """
    frame = to_frame(data)
    lfs = list(lfs)
    if not lfs:
        raise InvalidOptionError("apply_lfs needs at least one labeling function; received none.")
    names = []
    for lf in lfs:
        if not isinstance(lf, LabelingFunction):
            raise InvalidOptionError(
                f"every LF must be a LabelingFunction (use @labeling_function or a built-in), but "
                f"received {type(lf).__name__}."
            )
        names.append(lf.name)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidOptionError(
            f"LF names must be unique, but {duplicates} appear more than once. Pass name=... to "
            "tell them apart."
        )
    out = np.full((len(frame), len(lfs)), ABSTAIN, dtype=np.int64)
    for j, lf in enumerate(lfs):
        try:
            votes = lf.apply(frame)
        except DataValidationError:
            raise
        except Exception:
            if not fault_tolerant:
                raise
            votes = _apply_tolerant(lf, frame)  # retry row by row; failing rows abstain
        votes = np.asarray(votes)
        if votes.shape != (len(frame),):
            raise DataValidationError(
                f"LF {lf.name!r} returned {votes.shape[0] if votes.ndim else 0} votes for "
                f"{len(frame)} rows; it must return one per row."
            )
        if votes.size and int(votes.min()) < ABSTAIN:
            raise DataValidationError(
                f"LF {lf.name!r} returned {int(votes.min())}; LFs return class indices >= 0 or "
                "-1 (ABSTAIN)."
            )
        out[:, j] = votes
    return out


def _apply_tolerant(lf: LabelingFunction, frame: pd.DataFrame) -> np.ndarray:
    columns = list(frame.columns)
    out = np.full(len(frame), ABSTAIN, dtype=np.int64)
    for i, values in enumerate(frame.itertuples(index=False, name=None)):
        try:
            out[i] = lf(Row(zip(columns, values, strict=True)))
        except DataValidationError:
            raise
        except Exception:
            out[i] = ABSTAIN
    return out
