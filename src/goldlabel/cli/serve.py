"""``goldlabel serve``: run the labeling studio's server."""

from __future__ import annotations

from pathlib import Path

import click

from goldlabel.exceptions import InvalidOptionError

__all__ = ["serve_command"]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8765, show_default=True, help="Port to bind.")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of the embedded database (default ~/.goldlabel).",
)
@click.option("--database-url", help="A PostgreSQL (or SQLite) URL instead of the data folder.")
@click.option("--demo", is_flag=True, help="Start on a fresh database holding a demo project.")
def serve_command(
    host: str, port: int, data_dir: Path | None, database_url: str | None, demo: bool
) -> None:
    """Run the labeling studio (web app and REST API) until interrupted."""
    from goldlabel.server import run_server  # imported here: the server is heavy to import

    try:
        run_server(host=host, port=port, data_dir=data_dir, database_url=database_url, demo=demo)
    except InvalidOptionError as error:  # e.g. a non-loopback --host without authentication
        raise click.UsageError(str(error), ctx=click.get_current_context()) from error
