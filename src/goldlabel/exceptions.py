"""The errors goldlabel raises.

Every error subclasses :class:`GoldlabelError` and the builtin a user already catches, so
``except ValueError`` keeps working. Messages say what is wrong, what was received and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "AuditCheckError",
    "ConflictError",
    "DataFileNotFoundError",
    "DataValidationError",
    "GoldlabelError",
    "InvalidLabelsError",
    "InvalidOptionError",
    "InvalidPredProbsError",
    "MissingDependencyError",
    "NotFoundError",
    "UnknownFileFormatError",
]


class GoldlabelError(Exception):
    """Base class of every error raised by goldlabel."""


class DataValidationError(GoldlabelError, ValueError):
    """Input data has the wrong shape, type or values."""


class DataFileNotFoundError(DataValidationError, FileNotFoundError):
    """A data file the caller named does not exist."""


class InvalidLabelsError(DataValidationError):
    """Labels are not zero-indexed integer class indices of the right length."""


class InvalidPredProbsError(DataValidationError):
    """Predicted probabilities are not an (N, K) array of probabilities."""


class MissingDependencyError(GoldlabelError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


class InvalidOptionError(GoldlabelError, ValueError):
    """An option or argument has a value goldlabel does not support; the message lists the valid ones."""


class UnknownFileFormatError(InvalidOptionError, DataValidationError):
    """A file's extension, or the format named for it, is not one goldlabel reads or writes.

    Both an :class:`InvalidOptionError` (a bad ``file_format``) and a :class:`DataValidationError`
    (a file goldlabel cannot take); the message lists the extensions and formats it knows.
    """


class AuditCheckError(GoldlabelError, RuntimeError):
    """An audit check failed; ``check`` names it and the original error is chained as ``__cause__``."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(f"audit check {check!r} failed: {message}")
        self.check = check


class NotFoundError(GoldlabelError, KeyError):
    """A dataset, project, row, job or model the caller named does not exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ConflictError(GoldlabelError):
    """Someone else changed the object since the caller read it; ``current`` holds its state now."""

    def __init__(self, message: str, current: object = None) -> None:
        super().__init__(message)
        self.current = current


class ApiError(GoldlabelError):
    """The studio server answered with an unexpected HTTP error; status and body say which."""

    def __init__(self, message: str, *, status: int, body: object = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
