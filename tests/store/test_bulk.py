from __future__ import annotations

from sqlalchemy import select

from goldlabel.store import Database
from goldlabel.store.bulk import insert_rows, update_rows
from goldlabel.store.tables import Dataset, DatasetRow


def test_insert_then_update_many_rows(database: Database) -> None:
    with database.write() as session:
        ds = Dataset(name="d", file_format="csv", n_rows=3, columns=[], column_schema={})
        session.add(ds)
        session.flush()
        n = insert_rows(
            session,
            "dataset_rows",
            ("dataset_id", "row_id", "data"),
            ((ds.id, i, f'{{"x": {i}}}') for i in range(60_000)),
        )
        assert n == 60_000
        m = update_rows(
            session, "dataset_rows", ("data",), ("dataset_id", "row_id"), [("{}", ds.id, 7)]
        )
        assert m == 1
    with database.read() as session:
        rows = session.execute(
            select(DatasetRow.row_id, DatasetRow.data).where(DatasetRow.row_id.in_([6, 7]))
        ).all()
        assert sorted(rows) == [(6, '{"x": 6}'), (7, "{}")]
        assert session.query(DatasetRow).count() == 60_000
