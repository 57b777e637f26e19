"""Starting the studio server (what ``goldlabel serve`` calls)."""

from __future__ import annotations

import ipaddress
import os

from goldlabel.exceptions import InvalidOptionError
from goldlabel.service.auth import auth_configured
from goldlabel.store.database import open_database

__all__ = ["is_loopback", "run_server"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_server(
    host: str = "127.0.0.1",
    port: int = 8765,
    data_dir: str | os.PathLike[str] | None = None,
    database_url: str | None = None,
    demo: bool = False,
) -> None:
    """Run the studio's server until interrupted.

    Parameters
    ----------
    host
        Address to bind; 127.0.0.1 by default. Any other address is refused unless authentication is
        configured (a user with a password and an API token exist in the database).
    port
        Port to bind.
    data_dir
        Folder of the embedded SQLite database (default ``~/.goldlabel``).
    database_url
        A PostgreSQL (or SQLite) URL instead of the data directory.
    demo
        Start on a fresh embedded database in a temporary folder holding a generated demo project
        (when neither ``data_dir`` nor ``database_url`` is given).

    Raises
    ------
    InvalidOptionError
        If ``host`` is not a loopback address and authentication is not configured.
    """
    import tempfile

    import uvicorn

    from goldlabel.server.app import create_app
    from goldlabel.service.analysis import start_analysis
    from goldlabel.service.demo import create_demo_project

    if demo and data_dir is None and database_url is None:
        data_dir = tempfile.mkdtemp(prefix="goldlabel-demo-")
    db = open_database(data_dir=data_dir, database_url=database_url)
    with db.read() as session:
        configured = auth_configured(session)
    if not is_loopback(host) and not configured:
        raise InvalidOptionError(
            f"refusing to listen on {host!r} without authentication: anyone on the network could "
            "read and change your data. Create a user and an API token first (POST /api/users, "
            "POST /api/auth/tokens on a loopback server), or bind 127.0.0.1."
        )
    if demo:
        project = create_demo_project(db)
        with db.write() as session:  # the job runner picks the queued analysis up at start
            start_analysis(session, project.id, user="demo")
    app = create_app(db, require_auth=configured or not is_loopback(host))
    uvicorn.run(app, host=host, port=port, log_level="info")
