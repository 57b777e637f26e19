"""Reading a check's options: defaults filled in, unknown names and bad values refused."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from goldlabel.exceptions import InvalidOptionError

__all__ = ["collect_warnings", "read_options", "require_fraction", "require_positive_int"]


def read_options(
    options: Mapping[str, Any], defaults: Mapping[str, Any], *, check: str
) -> dict[str, Any]:
    """``defaults`` updated with ``options``; an option the check does not know is an error.

    Examples
    --------
    >>> read_options({"k": 5}, {"k": 10, "threshold": 0.1}, check="outlier")
    {'k': 5, 'threshold': 0.1}
    """
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise InvalidOptionError(
            f"check {check!r} got unknown options {unknown}; its options are {sorted(defaults)}."
        )
    return {**defaults, **options}


def require_positive_int(value: Any, *, name: str, check: str) -> int:
    """``value`` as an int >= 1, or an error naming the option."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidOptionError(
            f"option {name!r} of check {check!r} must be an integer >= 1; got {value!r}."
        )
    return int(value)


def require_fraction(value: Any, *, name: str, check: str, upper: float | None = 1.0) -> float:
    """``value`` as a float in [0, upper] (no upper bound when ``upper`` is None)."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not (0.0 <= float(value) and (upper is None or float(value) <= upper)):
        bound = f"[0, {upper:g}]" if upper is not None else ">= 0"
        raise InvalidOptionError(
            f"option {name!r} of check {check!r} must be a number in {bound}; got {value!r}."
        )
    return float(value)


@contextmanager
def collect_warnings(into: list[str]) -> Iterator[None]:
    """Record the warnings raised inside the block as strings in ``into`` instead of showing them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    into.extend(f"{w.category.__name__}: {w.message}" for w in caught)
