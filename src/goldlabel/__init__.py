"""goldlabel: find what is wrong in a classification dataset, label the rest honestly, ship a model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from goldlabel.exceptions import (
    ApiError,
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
    UnknownFileFormatError,
)

if TYPE_CHECKING:
    from goldlabel.audit import Audit
    from goldlabel.learn.cleanlearning import CleanLearning

__version__ = "0.1.0"

# The heavy entry points load on first use, so `import goldlabel.core` stays light.
_LAZY = {"Audit": "goldlabel.audit", "CleanLearning": "goldlabel.learn.cleanlearning"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'goldlabel' has no attribute {name!r}")


__all__ = [
    "ApiError",
    "Audit",
    "AuditCheckError",
    "CleanLearning",
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
    "__version__",
]
