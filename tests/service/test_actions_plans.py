"""Small actions are primary-key work: no statement of a one-row action scans the project's rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from goldlabel.service.actions import apply_action, undo_action
from goldlabel.store import Database
from tests.service.helpers import make_project


@pytest.mark.parametrize("kind", ["label", "exclude", "tag"], ids=["label", "exclude", "tag"])
def test_a_one_row_action_scans_no_table(sqlite_db: Database, kind: str) -> None:
    _, pid = make_project(sqlite_db, 300)
    statements: list[tuple[str, Any]] = []

    def record(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        if statement.startswith(("UPDATE", "INSERT", "DELETE", "SELECT")) and not many:
            statements.append((statement, params))

    event.listen(sqlite_db.engine, "before_cursor_execute", record)
    try:
        with sqlite_db.write() as s:
            done = apply_action(
                s,
                pid,
                kind=kind,
                user="u",
                row_ids=[7],
                label="World",
                tag="t",
                expected_versions={7: 0},
            )
            undo_action(s, pid, done.action_id, user="u")
            plans = [
                str(row[3])
                for statement, params in statements
                for row in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
            ]
    finally:
        event.remove(sqlite_db.engine, "before_cursor_execute", record)
    assert done.n_rows == 1
    scans = [p for p in plans if p.startswith("SCAN") and "CONSTANT ROW" not in p]
    assert scans == []
