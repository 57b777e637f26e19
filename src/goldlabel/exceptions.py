"""The errors goldlabel raises.

Every error subclasses :class:`GoldlabelError` and the builtin a user already catches, so
``except ValueError`` keeps working. Messages say what is wrong, what was received and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "DataValidationError",
    "GoldlabelError",
    "InvalidLabelsError",
    "InvalidPredProbsError",
    "MissingDependencyError",
]


class GoldlabelError(Exception):
    """Base class of every error raised by goldlabel."""


class DataValidationError(GoldlabelError, ValueError):
    """Input data has the wrong shape, type or values."""


class InvalidLabelsError(DataValidationError):
    """Labels are not zero-indexed integer class indices of the right length."""


class InvalidPredProbsError(DataValidationError):
    """Predicted probabilities are not an (N, K) array of probabilities."""


class MissingDependencyError(GoldlabelError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""
