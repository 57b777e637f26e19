"""cleanlab-compatible modules: ``from goldlabel.compat import filter, rank, count, dataset``.

Each module has cleanlab 2.9's public names, signatures, defaults and return types, implemented on
:mod:`goldlabel.core`. Submodules are imported on first access, so importing this package is cheap.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["count", "dataset", "filter", "multiannotator", "multilabel_classification", "rank"]


def __getattr__(name: str) -> ModuleType:
    if name in __all__:
        return importlib.import_module(f"goldlabel.compat.{name}")
    raise AttributeError(f"module 'goldlabel.compat' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
