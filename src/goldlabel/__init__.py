"""goldlabel: find what is wrong in a classification dataset, label the rest honestly, ship a model."""

from __future__ import annotations

from goldlabel.audit import Audit
from goldlabel.exceptions import (
    AuditCheckError,
    ConflictError,
    DataFileNotFoundError,
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
    "Audit",
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
    "__version__",
]
