"""The package's layers (DESIGN.md): which of goldlabel's own packages each one may import, and what
importing the confident-learning core loads."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import goldlabel

PACKAGE = Path(goldlabel.__file__).parent

#: goldlabel's own packages each layer may import (besides itself); arrows point down only.
ALLOWED = {
    "core": {"exceptions"},
    "knn": {"exceptions"},
    "compat": {"core", "exceptions"},
    "audit": {"core", "knn", "tables", "exceptions"},
    "learn": {"audit", "core", "exceptions"},
    "weak": {"exceptions"},
    "tables": {"exceptions"},
    "store": {"exceptions"},
    "service": {"core", "learn", "weak", "store", "tables", "exceptions"},
    "server": {"<top>", "service", "store", "exceptions"},
    "client": {"exceptions"},
    # the command line drives the pipeline (learn) and, for `goldlabel consensus`, CROWDLAB (core)
    "cli": {"<top>", "server", "learn", "core", "tables", "exceptions"},
}


def _imports_of(layer: str) -> set[str]:
    """goldlabel's packages imported anywhere under ``layer`` (``<top>`` for ``goldlabel`` itself)."""
    found: set[str] = set()
    path = PACKAGE / layer
    files = list(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                if name == "goldlabel":
                    found.add("<top>")
                elif name.startswith("goldlabel."):
                    found.add(name.split(".")[1])
    return found - {layer}


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_lies_below_it(layer: str) -> None:
    extra = _imports_of(layer) - ALLOWED[layer]
    assert not extra, f"goldlabel.{layer} imports {sorted(extra)}, which DESIGN.md does not allow"


@pytest.mark.parametrize("layer", sorted(set(ALLOWED) - {"cli"}))
def test_nothing_but_the_command_line_imports_the_server_or_the_command_line(layer: str) -> None:
    assert not {"server", "cli"} & _imports_of(layer)


def test_importing_the_core_loads_neither_pandas_nor_tqdm_nor_scikit_learn() -> None:
    """goldlabel.core is numpy and scipy only: the tables some functions return load pandas when
    asked for, and progress bars load tqdm when a pass over batches starts."""
    code = (
        "import sys, goldlabel.core, goldlabel.compat.filter;"
        "print(sorted(m for m in ('pandas', 'tqdm', 'sklearn', 'torch') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
