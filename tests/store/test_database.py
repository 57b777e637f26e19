from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from goldlabel.exceptions import InvalidOptionError
from goldlabel.store import Database, open_database
from goldlabel.store.tables import Base


def _outside_models(diff: object) -> bool:
    """The text index lives outside the models: SQLite's FTS5 tables, PostgreSQL's expression index."""
    obj = diff[1] if isinstance(diff, tuple) else None
    return getattr(obj, "name", "").startswith(("dataset_text", "ix_dataset_rows_text"))


def test_migrations_build_exactly_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if not _outside_models(d)] == []
    assert "row_states" in inspect(database.engine).get_table_names()


def test_sqlite_uses_wal_and_foreign_keys(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert sqlite_db.data_dir is not None
    assert (sqlite_db.data_dir / "goldlabel.db").exists()


def test_reopening_runs_no_migration_twice(tmp_path) -> None:
    first = open_database(data_dir=tmp_path)
    first.dispose()
    again = open_database(data_dir=tmp_path)
    with again.engine.connect() as conn:
        assert conn.execute(text("select count(*) from alembic_version")).scalar() == 1
    again.dispose()


def test_data_dir_defaults_to_goldlabel_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GOLDLABEL_HOME", str(tmp_path / "home"))
    db = open_database()
    assert db.data_dir == tmp_path / "home"
    db.dispose()


@pytest.mark.parametrize("url", ["mysql://u@h/db", "oracle://x"], ids=["mysql", "oracle"])
def test_unknown_database_is_refused(url: str) -> None:
    with pytest.raises(InvalidOptionError, match="must be a sqlite:// or postgresql:// URL"):
        open_database(database_url=url)


def test_write_rolls_back_on_error(database: Database) -> None:
    from goldlabel.store.tables import User

    with pytest.raises(RuntimeError, match="boom"), database.write() as session:
        session.add(User(name="x", password_hash="h"))
        session.flush()
        raise RuntimeError("boom")
    with database.read() as session:
        assert session.query(User).count() == 0


def test_the_text_index_exists(database: Database) -> None:
    query = {
        "sqlite": "SELECT count(*) FROM sqlite_master WHERE name = 'dataset_text'",
        "postgresql": "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_dataset_rows_text' "
        "AND schemaname = current_schema()",
    }[database.dialect]
    with database.engine.connect() as conn:
        assert conn.execute(text(query)).scalar() == 1
