"""Opening the studio's database: an embedded SQLite file (WAL) by default, PostgreSQL by URL.

Migrations (Alembic, shipped inside the package) run when the database is opened.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from goldlabel.exceptions import InvalidOptionError

__all__ = ["Database", "default_data_dir", "open_database", "upgrade_database"]

_MIGRATIONS = Path(__file__).parent / "migrations"


def default_data_dir() -> Path:
    """The data directory used when none is given: ``$GOLDLABEL_HOME`` or ``~/.goldlabel``."""
    env = os.environ.get("GOLDLABEL_HOME")
    return Path(env) if env else Path.home() / ".goldlabel"


@dataclass(frozen=True)
class Database:
    """An opened studio database: its engine, its URL and its data directory (for SQLite)."""

    engine: Engine
    url: str
    data_dir: Path | None

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        with _SESSIONS(bind=self.engine) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction, committed on success and rolled back on any error.

        On SQLite the transaction starts with ``BEGIN IMMEDIATE`` so that two writers queue instead of
        failing when the second one upgrades its read lock.
        """
        with _SESSIONS(bind=self.engine) as session:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


_SESSIONS = sessionmaker(expire_on_commit=False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling defers it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=60000",
            "temp_store=MEMORY",
            "cache_size=-65536",
            "mmap_size=1073741824",
        ):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def upgrade_database(engine: Engine) -> None:
    """Run every Alembic migration up to the newest one on ``engine``.

    Parameters
    ----------
    engine
        An engine on an empty or older studio database.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_database(
    *,
    data_dir: str | os.PathLike[str] | None = None,
    database_url: str | None = None,
    migrate: bool = True,
) -> Database:
    """Open (and create, and migrate) the studio's database.

    Parameters
    ----------
    data_dir
        Folder holding the embedded SQLite database ``goldlabel.db``; default :func:`default_data_dir`.
        Ignored when ``database_url`` is given.
    database_url
        A SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/db`` or ``sqlite:///path.db``.
    migrate
        Run the migrations (default ``True``).

    Returns
    -------
    Database

    Raises
    ------
    InvalidOptionError
        If the URL names a database other than SQLite or PostgreSQL.

    Examples
    --------
    >>> import tempfile
    >>> db = open_database(data_dir=tempfile.mkdtemp())
    >>> db.dialect
    'sqlite'
    >>> db.dispose()
    """
    folder: Path | None = None
    if database_url is None:
        folder = Path(data_dir) if data_dir is not None else default_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{folder / 'goldlabel.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 60}
        )
        _configure_sqlite(engine)
    elif database_url.startswith("postgresql"):
        engine = create_engine(database_url, pool_pre_ping=True)
    else:
        raise InvalidOptionError(
            f"database_url must be a sqlite:// or postgresql:// URL; got {database_url!r}. "
            "Leave it out to use the embedded SQLite database in the data directory."
        )
    if migrate:
        upgrade_database(engine)
    return Database(engine=engine, url=database_url, data_dir=folder)
