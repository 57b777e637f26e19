"""The ``goldlabel`` command line: ``goldlabel audit``, ``autolabel``, ``consensus`` and ``serve``.
Also runs as ``python -m goldlabel``.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from goldlabel import __version__
from goldlabel.cli.commands import audit_command, autolabel_command
from goldlabel.cli.consensus import consensus_command
from goldlabel.cli.serve import serve_command
from goldlabel.exceptions import GoldlabelError

__all__ = ["cli", "main"]


class _Group(click.Group):
    """A group that turns goldlabel's errors into a one-line message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GoldlabelError as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="goldlabel")
def cli() -> None:
    """goldlabel: find what is wrong in a labeled dataset, label the rest honestly."""


cli.add_command(audit_command)
cli.add_command(autolabel_command)
cli.add_command(consensus_command)
cli.add_command(serve_command)


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the ``goldlabel`` script)."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="goldlabel")
