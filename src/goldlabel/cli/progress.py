"""A rich progress bar fed by the pipeline's ``progress(stage, fraction)`` callback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = ["show_progress"]


@contextmanager
def show_progress(*, enabled: bool = True) -> Iterator[Callable[[str, float], None]]:
    """Yield a callback that moves a progress bar on stderr (a no-op when disabled)."""
    if not enabled:
        yield lambda stage, fraction: None
        return
    bar = Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task("featurize", total=1.0)

        def update(stage: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=stage)

        yield update
