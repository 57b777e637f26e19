"""Persistence of the studio: SQLAlchemy 2 tables, Alembic migrations, bulk helpers.

SQLite (WAL) in a data directory by default; PostgreSQL by URL.
"""

from __future__ import annotations

from goldlabel.store.database import Database, default_data_dir, open_database, upgrade_database

__all__ = ["Database", "default_data_dir", "open_database", "upgrade_database"]
