"""Every docstring example in goldlabel.core and goldlabel.compat runs and gives what it shows."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import types

import numpy as np
import pytest

import goldlabel.compat
import goldlabel.core


def _modules(package: object) -> list[str]:
    path = package.__path__  # type: ignore[attr-defined]
    prefix = package.__name__ + "."  # type: ignore[attr-defined]
    return sorted(info.name for info in pkgutil.walk_packages(path, prefix))


MODULES = _modules(goldlabel.core) + _modules(goldlabel.compat)


class _Recorder(doctest.DocTestRunner):
    """A doctest runner that records failures instead of printing them."""

    def __init__(self) -> None:
        super().__init__(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        self.problems: list[str] = []

    def report_failure(self, out, test, example, got):  # type: ignore[no-untyped-def]
        self.problems.append(
            f"{test.name}: {example.source.strip()!r} gave {got!r}, not {example.want!r}"
        )

    def report_unexpected_exception(self, out, test, example, exc_info):  # type: ignore[no-untyped-def]
        self.problems.append(f"{test.name}: {example.source.strip()!r} raised {exc_info[1]!r}")


def run_examples(module: object) -> tuple[int, list[str]]:
    """Run a module's docstring examples; return how many ran and what failed."""
    runner = _Recorder()
    name = module.__name__  # type: ignore[attr-defined]
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, name):
        test.globs.setdefault("np", np)
        runner.run(test, out=lambda _: None, clear_globs=True)
    return runner.tries, runner.problems


@pytest.mark.parametrize("name", MODULES, ids=MODULES)
def test_docstring_examples_pass(name: str) -> None:
    _, problems = run_examples(importlib.import_module(name))
    assert not problems, "\n".join(problems)


def test_a_wrong_example_is_caught() -> None:
    module = types.ModuleType("wrong")
    module.__doc__ = ">>> 1 + 1\n3\n"
    tries, problems = run_examples(module)
    assert tries == 1
    assert problems == ["wrong: '1 + 1' gave '2\\n', not '3\\n'"]


def test_modules_are_found() -> None:
    assert "goldlabel.core.filtering" in MODULES
    assert "goldlabel.core.multilabel.issues" in MODULES
    assert "goldlabel.compat.filter" in MODULES
    assert "find_label_issues_streaming" in PUBLIC_FUNCTIONS


PUBLIC_FUNCTIONS = [
    n for n in goldlabel.core.__all__ if inspect.isfunction(getattr(goldlabel.core, n))
]


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS, ids=PUBLIC_FUNCTIONS)
def test_every_public_function_has_a_runnable_example(name: str) -> None:
    doc = inspect.getdoc(getattr(goldlabel.core, name)) or ""
    assert "Examples\n--------\n" in doc and ">>> " in doc, f"{name} has no Examples section"
