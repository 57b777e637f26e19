"""Binomial risk control: exact bounds on an error rate and fixed-sequence testing of thresholds.

These are the statistics behind :func:`goldlabel.learn.autolabel.find_auto_labels`. A threshold is
*certified* when the hypothesis "the error rate of the rows it accepts is above ``max_error``" is rejected
at level ``delta`` by an exact binomial test. Testing candidate thresholds one after another in an order
fixed before looking at the labels, and stopping at the first one that is not rejected
(fixed-sequence testing), keeps the probability of certifying any bad threshold at most ``delta`` with
no correction for the number of candidates (Learn then Test, Angelopoulos et al. 2021).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from goldlabel.exceptions import DataValidationError, InvalidOptionError

__all__ = [
    "compute_binomial_p_values",
    "compute_clopper_pearson_upper",
    "compute_exchangeable_p_values",
    "count_rows_needed",
    "select_by_fixed_sequence",
]


def _check_rate(value: Any, name: str, *, hint: str) -> float:
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise InvalidOptionError(
            f"{name} must be a number strictly between 0 and 1, but received {value!r}. {hint}"
        ) from None
    if not 0.0 < rate < 1.0:
        raise InvalidOptionError(
            f"{name} must be strictly between 0 and 1, but received {value!r}. {hint}"
        )
    return rate


def _check_counts(n_errors: Any, n_rows: Any) -> tuple[np.ndarray, np.ndarray]:
    errors = np.asarray(n_errors)
    rows = np.asarray(n_rows)
    if errors.dtype.kind not in "iuf" or rows.dtype.kind not in "iuf":
        raise DataValidationError(
            f"n_errors and n_rows must be counts, but received dtypes {errors.dtype} and "
            f"{rows.dtype}. Pass integer arrays of equal shape."
        )
    errors, rows = np.broadcast_arrays(errors, rows)
    if (errors < 0).any() or (errors > rows).any():
        raise DataValidationError(
            "n_errors must lie in [0, n_rows] element-wise, but received n_errors="
            f"{np.array2string(errors, threshold=8)} and n_rows={np.array2string(rows, threshold=8)}."
        )
    return errors.astype(np.float64), rows.astype(np.float64)


def compute_clopper_pearson_upper(n_errors: Any, n_rows: Any, *, confidence: float = 0.9) -> Any:
    """Exact (Clopper-Pearson) one-sided upper confidence bounds on error rates.

    Parameters
    ----------
    n_errors : int or array-like of int
        Errors observed.
    n_rows : int or array-like of int
        Rows observed, same shape as ``n_errors`` (or broadcastable).
    confidence : float
        Probability that the bound holds, in (0, 1).

    Returns
    -------
    float or numpy.ndarray
        The upper bounds; 1.0 where ``n_rows`` is 0.

    Examples
    --------
    >>> round(float(compute_clopper_pearson_upper(0, 45, confidence=0.9)), 4)
    0.0499
    """
    level = _check_rate(confidence, "confidence", hint="For a 90 % bound pass confidence=0.9.")
    errors, rows = _check_counts(n_errors, n_rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        upper = stats.beta.ppf(level, errors + 1.0, np.maximum(rows - errors, 1e-300))
    upper = np.where((rows == 0) | (errors >= rows), 1.0, upper)
    return float(upper) if upper.ndim == 0 else upper


def compute_binomial_p_values(n_errors: Any, n_rows: Any, *, max_error: float) -> Any:
    """p-values of the hypotheses "the error rate exceeds ``max_error``", by the exact binomial test.

    The p-value is ``P(Binomial(n_rows, max_error) <= n_errors)``; a small value is evidence that the
    error rate is at most ``max_error``. It is 1 where ``n_rows`` is 0.

    Parameters
    ----------
    n_errors : int or array-like of int
        Errors observed.
    n_rows : int or array-like of int
        Rows observed.
    max_error : float
        The error rate to beat, in (0, 1).

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> round(float(compute_binomial_p_values(0, 45, max_error=0.05)), 4)
    0.0994
    """
    alpha = _check_rate(max_error, "max_error", hint="For 95 % accuracy pass max_error=0.05.")
    errors, rows = _check_counts(n_errors, n_rows)
    p_values = stats.binom.cdf(errors, rows, alpha)
    p_values = np.where(rows == 0, 1.0, p_values)
    return float(p_values) if p_values.ndim == 0 else p_values


def _check_new_rows(n_new: Any, shape: tuple[int, ...]) -> np.ndarray:
    new = np.asarray(n_new)
    if new.dtype.kind not in "iu" or (new < 0).any():
        raise DataValidationError(
            f"n_new must be non-negative integer counts, but received {np.asarray(n_new)!r:.80}."
        )
    return np.broadcast_to(new, shape).astype(np.int64)


def compute_exchangeable_p_values(
    n_errors: Any, n_rows: Any, n_new: Any, *, max_error: float
) -> Any:
    """p-values of "more than ``max_error`` of the ``n_new`` new rows are wrong", by exchangeability.

    Unlike :func:`compute_binomial_p_values`, which is about the error *rate* of the population, this is
    about the errors among the given new rows themselves (the rows that will be auto-labeled). If the
    ``n_rows`` labelled rows and the ``n_new`` new rows are exchangeable, then given the total number of
    errors ``E`` among all of them, the labelled errors follow a hypergeometric law. The null hypothesis
    says the new rows hold at least ``m = floor(max_error * n_new) + 1`` errors, so ``E >= n_errors + m``;
    the p-value is the hypergeometric probability of at most ``n_errors`` labelled errors with
    ``E = n_errors + m``, the largest over the null. It is 0 where ``n_new`` is 0 (nothing can be wrong).

    Parameters
    ----------
    n_errors : int or array-like of int
        Errors among the labelled rows.
    n_rows : int or array-like of int
        Labelled rows.
    n_new : int or array-like of int
        New rows whose errors are bounded.
    max_error : float
        The largest allowed share of wrong new rows, in (0, 1).

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> round(float(compute_exchangeable_p_values(0, 45, 5000, max_error=0.05)), 3)
    0.1
    >>> float(compute_exchangeable_p_values(0, 9, 1, max_error=0.05))  # the one error lands there
    0.1
    """
    alpha = _check_rate(max_error, "max_error", hint="For 95 % accuracy pass max_error=0.05.")
    errors, rows = _check_counts(n_errors, n_rows)
    new = _check_new_rows(n_new, errors.shape)
    wrong_new = np.floor(alpha * new + 1e-12).astype(np.int64) + 1
    p_values = stats.hypergeom.cdf(errors, rows + new, errors + wrong_new, rows)
    p_values = np.where(new == 0, 0.0, np.where(rows == 0, 1.0, p_values))
    return float(p_values) if p_values.ndim == 0 else p_values


def count_rows_needed(*, max_error: float, confidence: float = 0.9) -> int:
    """The fewest error-free rows that certify an error rate of at most ``max_error``.

    With fewer labelled rows than this, no threshold can be certified at all: ``(1 - max_error) ** n``
    (the chance that ``n`` rows of a population exactly at the limit are all correct) stays above
    ``1 - confidence``.

    Examples
    --------
    >>> count_rows_needed(max_error=0.05, confidence=0.9)
    45
    >>> count_rows_needed(max_error=0.01, confidence=0.9)
    230
    """
    alpha = _check_rate(max_error, "max_error", hint="For 95 % accuracy pass max_error=0.05.")
    level = _check_rate(confidence, "confidence", hint="For a 90 % bound pass confidence=0.9.")
    needed = math.log(1.0 - level) / math.log1p(-alpha)
    # Guard against float rounding right at an integer (e.g. 44.99999999).
    return math.ceil(needed - 1e-9)


def select_by_fixed_sequence(p_values: Any, *, delta: float) -> int:
    """Test hypotheses in the given order, stop at the first not rejected; return the last rejected.

    Parameters
    ----------
    p_values : array-like of shape (M,)
        p-values in the testing order, which must be fixed without looking at the outcomes.
    delta : float
        Family-wise error rate, in (0, 1).

    Returns
    -------
    int
        The position of the last rejected hypothesis, or -1 when the first one is not rejected.

    Examples
    --------
    >>> select_by_fixed_sequence([0.01, 0.05, 0.2, 0.01], delta=0.1)
    1
    """
    level = _check_rate(delta, "delta", hint="For 90 % confidence pass delta=0.1.")
    values = np.asarray(p_values, dtype=np.float64)
    if values.ndim != 1:
        raise DataValidationError(
            f"p_values must be one-dimensional, but received shape {values.shape}."
        )
    failed = np.flatnonzero(~(values <= level))
    return int(failed[0]) - 1 if failed.size else values.size - 1
