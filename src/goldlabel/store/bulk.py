"""Bulk writes that bypass the ORM: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

They run on the session's own connection, inside its transaction, so a bulk write commits or rolls back
together with everything else the caller did.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

__all__ = ["insert_rows", "refresh_statistics", "update_rows"]

_CHUNK = 50_000


def _raw(session: Session) -> Any:
    return session.connection().connection.driver_connection


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterable[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def insert_rows(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert many rows into ``table`` and return how many were written.

    Parameters
    ----------
    session
        A session inside a write transaction.
    table
        Table name (a trusted identifier, never user input).
    columns
        Column names, in the order of each row's values.
    rows
        Tuples of values.
    """
    session.flush()
    raw = _raw(session)
    cols = ", ".join(columns)
    n = 0
    if session.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(columns))})"
    cur = raw.cursor()
    try:
        for chunk in _chunks(rows, _CHUNK):
            cur.executemany(sql, chunk)
            n += len(chunk)
    finally:
        cur.close()
    return n


def update_rows(
    session: Session,
    table: str,
    set_columns: Sequence[str],
    key_columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """Update many rows of ``table`` by key; each row holds the new values then the key values."""
    session.flush()
    raw = _raw(session)
    n = 0
    if session.get_bind().dialect.name == "postgresql":
        cols = [*set_columns, *key_columns]
        with raw.cursor() as cur:
            cur.execute(
                f"CREATE TEMP TABLE _gl_update ON COMMIT DROP AS "
                f"SELECT {', '.join(cols)} FROM {table} WITH NO DATA"
            )
            with cur.copy(f"COPY _gl_update ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            sets = ", ".join(f"{c} = u.{c}" for c in set_columns)
            keys = " AND ".join(f"t.{c} = u.{c}" for c in key_columns)
            cur.execute(f"UPDATE {table} AS t SET {sets} FROM _gl_update AS u WHERE {keys}")
            cur.execute("DROP TABLE _gl_update")
        return n
    sets = ", ".join(f"{c} = ?" for c in set_columns)
    keys = " AND ".join(f"{c} = ?" for c in key_columns)
    sql = f"UPDATE {table} SET {sets} WHERE {keys}"
    cur = raw.cursor()
    try:
        for chunk in _chunks(rows, _CHUNK):
            cur.executemany(sql, chunk)
            n += len(chunk)
    finally:
        cur.close()
    return n


def refresh_statistics(session: Session, *tables: str) -> None:
    """Refresh the query planner's statistics of ``tables`` after a bulk write (``ANALYZE``).

    Without them SQLite cannot tell a selective index from an unselective one and may sort a
    quarter of a million rows to serve a page of 50.
    """
    session.flush()
    for table in tables:
        session.execute(text(f"ANALYZE {table}"))
