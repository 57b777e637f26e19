"""goldlabel: find what is wrong in a classification dataset, label the rest honestly, ship a model."""

from __future__ import annotations

from goldlabel.exceptions import (
    DataValidationError,
    GoldlabelError,
    InvalidLabelsError,
    InvalidPredProbsError,
    MissingDependencyError,
)

__version__ = "0.1.0"

__all__ = [
    "DataValidationError",
    "GoldlabelError",
    "InvalidLabelsError",
    "InvalidPredProbsError",
    "MissingDependencyError",
    "__version__",
]
