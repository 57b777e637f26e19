"""Database fixtures shared by the studio's tests: SQLite always, PostgreSQL when reachable.

PostgreSQL tests use the server at 127.0.0.1:5432 (trust auth, database ``test``, user postgres or root,
or ``GOLDLABEL_TEST_POSTGRES_URL``); each test gets a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from goldlabel.store import Database, open_database

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@cache
def postgres_url() -> str | None:
    """A reachable PostgreSQL URL, or None."""
    candidates = [os.environ.get("GOLDLABEL_TEST_POSTGRES_URL")] + [
        f"postgresql+psycopg://{user}@127.0.0.1:5432/test" for user in ("postgres", "root")
    ]
    for url in filter(None, candidates):
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            return url
        except OperationalError:
            continue
        finally:
            engine.dispose()
    return None


@cache
def _sqlite_template() -> Path:
    """A migrated, empty SQLite database, made once per test session and copied for each test."""
    folder = Path(tempfile.mkdtemp(prefix="goldlabel-template-"))
    db = open_database(data_dir=folder)
    db.dispose()
    return folder / "goldlabel.db"


def open_test_database(kind: str, tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated database of the given kind; dropped afterwards."""
    if kind == "sqlite":
        folder = tmp_path / "data"
        folder.mkdir()
        shutil.copyfile(_sqlite_template(), folder / "goldlabel.db")
        db = open_database(data_dir=folder, migrate=False)
        yield db
        db.dispose()
        return
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (database 'test', trust auth)")
    schema = f"gl_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    db = open_database(database_url=f"{url}?options=-csearch_path%3D{schema}")
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database, once on SQLite and once on PostgreSQL."""
    yield from open_test_database(request.param, tmp_path)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A fresh SQLite database."""
    yield from open_test_database("sqlite", tmp_path)
