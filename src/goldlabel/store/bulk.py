"""Bulk writes that bypass the ORM: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

They run on the session's own connection, inside its transaction, so a bulk write commits or rolls back
together with everything else the caller did.

On SQLite, writing ``dataset_rows`` also fills the rows' full-text index (the FTS5 table ``dataset_text``,
see :data:`TEXT_INDEX`) in the same transaction; on PostgreSQL its trigram index is maintained by the
server.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

__all__ = ["TEXT_INDEX", "insert_rows", "refresh_statistics", "text_index_rowid", "update_rows"]

_CHUNK = 50_000
TEXT_INDEX = "dataset_text"
"""SQLite's FTS5 table over every dataset row's values (contentless, ``unicode61`` tokens)."""
_ROWID_SHIFT = 32
# One document per row: its top-level values joined by spaces, exactly as SQLite's JSON functions
# render them (so that a search's exact check on a column sees the text that was indexed).
_INDEX_SQL = (
    f"INSERT INTO {TEXT_INDEX} (rowid, body) SELECT (? << {_ROWID_SHIFT}) + ?, "
    "(SELECT coalesce(group_concat(value, ' '), '') FROM json_each(?) WHERE value IS NOT NULL)"
)


def text_index_rowid(dataset_id: int, row_id: int) -> int:
    """The rowid of a dataset row's document in SQLite's text index.

    Examples
    --------
    >>> text_index_rowid(2, 5)
    8589934597
    """
    return (int(dataset_id) << _ROWID_SHIFT) + int(row_id)


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
    key = (
        [columns.index(c) for c in ("dataset_id", "row_id", "data")]
        if table == "dataset_rows"
        else None
    )
    cur = raw.cursor()
    try:
        for chunk in _chunks(rows, _CHUNK):
            cur.executemany(sql, chunk)
            if key is not None:
                cur.executemany(_INDEX_SQL, ([row[i] for i in key] for row in chunk))
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
    reindex = table == "dataset_rows" and "data" in set_columns
    cur = raw.cursor()
    try:
        for chunk in _chunks(rows, _CHUNK):
            if reindex:
                _unindex_text(cur, chunk, key_columns, len(set_columns))
            cur.executemany(sql, chunk)
            if reindex:
                _reindex_text(cur, chunk, key_columns, len(set_columns))
            n += len(chunk)
    finally:
        cur.close()
    return n


def _keys(
    chunk: list[Sequence[Any]], key_columns: Sequence[str], n_set: int
) -> list[tuple[Any, Any]]:
    at = {c: n_set + i for i, c in enumerate(key_columns)}
    return [(row[at["dataset_id"]], row[at["row_id"]]) for row in chunk]


_ROW_TEXT = (
    f"(dataset_id << {_ROWID_SHIFT}) + row_id, (SELECT coalesce(group_concat(value, ' '), '') "
    "FROM json_each(data) WHERE value IS NOT NULL) FROM dataset_rows WHERE dataset_id = ? AND row_id = ?"
)


def _unindex_text(
    cur: Any, chunk: list[Sequence[Any]], key_columns: Sequence[str], n_set: int
) -> None:
    # A contentless FTS5 document is removed by handing back the exact text it was indexed with.
    cur.executemany(
        f"INSERT INTO {TEXT_INDEX} ({TEXT_INDEX}, rowid, body) SELECT 'delete', {_ROW_TEXT}",
        _keys(chunk, key_columns, n_set),
    )


def _reindex_text(
    cur: Any, chunk: list[Sequence[Any]], key_columns: Sequence[str], n_set: int
) -> None:
    cur.executemany(
        f"INSERT INTO {TEXT_INDEX} (rowid, body) SELECT {_ROW_TEXT}",
        _keys(chunk, key_columns, n_set),
    )


def refresh_statistics(session: Session, *tables: str) -> None:
    """Refresh the query planner's statistics of ``tables`` after a bulk write (``ANALYZE``).

    Without them SQLite cannot tell a selective index from an unselective one and may sort a
    quarter of a million rows to serve a page of 50.
    """
    session.flush()
    for table in tables:
        session.execute(text(f"ANALYZE {table}"))
