"""goldlabel: find what is wrong in a classification dataset, label the rest honestly, ship a model."""

from __future__ import annotations

from goldlabel.exceptions import (
    AuditCheckError,
    ConflictError,
    DataValidationError,
    GoldlabelError,
    InvalidLabelsError,
    InvalidOptionError,
    InvalidPredProbsError,
    MissingDependencyError,
    NotFoundError,
)

__version__ = "0.1.0"

__all__ = [
    "AuditCheckError",
    "ConflictError",
    "DataValidationError",
    "GoldlabelError",
    "InvalidLabelsError",
    "InvalidOptionError",
    "InvalidPredProbsError",
    "MissingDependencyError",
    "NotFoundError",
    "__version__",
]
