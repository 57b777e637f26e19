from tests.store.dbfixtures import database, sqlite_db  # noqa: F401
