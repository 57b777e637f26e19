"""Labeling functions: the base class, the decorator, and the row object a row-wise LF receives.

An LF looks at one data point and returns a class index or :data:`ABSTAIN` (-1). Row-wise LFs are
arbitrary Python and run once per row; *vectorised* LFs receive the whole DataFrame and return one vote
per row, which is what makes applying LFs to 1e5+ rows fast (see :func:`goldlabel.weak.apply_lfs`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from goldlabel.exceptions import DataValidationError, InvalidOptionError
from goldlabel.weak.validation import ABSTAIN

__all__ = ["ABSTAIN", "FunctionLF", "LabelingFunction", "Row", "labeling_function"]


class Row(dict):  # type: ignore[type-arg]
    """One data point: a dict of column values that also answers attribute access (``x.text``).

    Examples
    --------
    >>> Row(text="hi").text
    'hi'
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(
                f"the row has no column {name!r}; its columns are {list(self)}"
            ) from None


class LabelingFunction:
    """Base class: a named rule returning a class index or ``ABSTAIN`` for each row.

    Subclasses implement :meth:`__call__` (one row) and may override :meth:`apply` with a vectorised
    version that must agree with it row by row.
    """

    name: str

    def __call__(self, row: Mapping[str, Any]) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def apply(self, frame: pd.DataFrame) -> np.ndarray:
        """Votes for every row of ``frame``: an int64 array of shape (n_rows,).

        The default calls the LF once per row; built-ins override it with column operations.
        """
        columns = list(frame.columns)
        out = np.empty(len(frame), dtype=np.int64)
        for i, values in enumerate(frame.itertuples(index=False, name=None)):
            out[i] = self(Row(zip(columns, values, strict=True)))
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class FunctionLF(LabelingFunction):
    """An LF made from a Python function (usually with :func:`labeling_function`).

    Parameters
    ----------
    name : str
    function : callable
        ``function(row, **resources) -> int`` or, with ``vectorized=True``,
        ``function(frame, **resources) -> array-like of shape (n_rows,)``.
    vectorized : bool, default=False
    resources : mapping, optional
        Extra keyword arguments passed to every call (lookup tables, models).
    """

    def __init__(
        self,
        name: str,
        function: Callable[..., Any],
        *,
        vectorized: bool = False,
        resources: Mapping[str, Any] | None = None,
    ) -> None:
        if not callable(function):
            raise InvalidOptionError(
                f"a labeling function needs a callable, but received {type(function).__name__}."
            )
        self.name = name
        self.function = function
        self.vectorized = vectorized
        self.resources = dict(resources or {})

    def __call__(self, row: Mapping[str, Any]) -> int:
        if self.vectorized:
            frame = pd.DataFrame([dict(row)])
            return int(self.apply(frame)[0])
        return _as_vote(self.function(row, **self.resources), self.name)

    def apply(self, frame: pd.DataFrame) -> np.ndarray:
        if not self.vectorized:
            return super().apply(frame)
        votes = np.asarray(self.function(frame, **self.resources))
        if votes.shape != (len(frame),):
            raise DataValidationError(
                f"vectorised LF {self.name!r} returned shape {votes.shape} for {len(frame)} rows. It "
                "must return one vote per row, e.g. np.where(frame.text.str.contains('x'), 1, -1)."
            )
        if votes.dtype.kind not in "iu" and not (
            votes.dtype.kind in "fb" and np.array_equal(votes, np.floor(votes))
        ):
            raise DataValidationError(
                f"vectorised LF {self.name!r} returned dtype {votes.dtype}; it must return class "
                "indices and -1 for abstain."
            )
        return votes.astype(np.int64)


def _as_vote(value: Any, name: str) -> int:
    if value is None:
        return ABSTAIN
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise DataValidationError(
            f"LF {name!r} returned {value!r} ({type(value).__name__}); an LF must return a class "
            "index (int) or ABSTAIN (-1)."
        )
    return int(value)


def labeling_function(
    name: str | None = None,
    *,
    vectorized: bool = False,
    resources: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], FunctionLF]:
    """Decorator that turns a function into a :class:`FunctionLF`.

    Parameters
    ----------
    name : str, optional
        Defaults to the function's name.
    vectorized : bool, default=False
        The function takes the whole DataFrame and returns one vote per row.
    resources : mapping, optional
        Keyword arguments passed to every call.

    Examples
    --------
    >>> @labeling_function()
    ... def says_check_out(x):
    ...     return 1 if "check out" in x.text.lower() else ABSTAIN
    >>> says_check_out(Row(text="Check out my channel"))
    1
    >>> import pandas as pd
    >>> @labeling_function(vectorized=True)
    ... def short(frame):
    ...     return np.where(frame.text.str.split().str.len() < 3, 0, ABSTAIN)
    >>> short.apply(pd.DataFrame({"text": ["nice song", "subscribe to my channel please"]})).tolist()
    [0, -1]
    """

    def wrap(function: Callable[..., Any]) -> FunctionLF:
        return FunctionLF(
            name or function.__name__, function, vectorized=vectorized, resources=resources
        )

    return wrap
