"""The action log accounts for every change: a check shared by the action and crash tests."""

from __future__ import annotations

from sqlalchemy import text

from goldlabel.store import Database


def check_log_accounts_for_state(db: Database, project_id: int) -> None:
    """Every row's version is the number of log rows that touched it, and its state is the last one's after."""
    with db.read() as s:
        bad_versions = s.execute(
            text(
                "SELECT rs.row_id, rs.version, COUNT(ar.row_id) FROM row_states rs "
                "LEFT JOIN actions a ON a.project_id = rs.project_id "
                "LEFT JOIN action_rows ar ON ar.action_id = a.id AND ar.row_id = rs.row_id "
                "WHERE rs.project_id = :p GROUP BY rs.row_id, rs.version "
                "HAVING rs.version != COUNT(ar.row_id)"
            ),
            {"p": project_id},
        ).all()
        assert bad_versions == []
        bad_states = s.execute(
            text(
                "SELECT rs.row_id FROM row_states rs JOIN action_rows ar ON ar.row_id = rs.row_id "
                "JOIN actions a ON a.id = ar.action_id AND a.project_id = rs.project_id "
                "WHERE rs.project_id = :p AND ar.before_version = rs.version - 1 AND NOT ("
                "(rs.label = ar.after_label OR (rs.label IS NULL AND ar.after_label IS NULL)) "
                "AND rs.status = ar.after_status "
                "AND (rs.source = ar.after_source OR (rs.source IS NULL AND ar.after_source IS NULL)))"
            ),
            {"p": project_id},
        ).all()
        assert bad_states == []
        sums = s.execute(
            text(
                "SELECT a.id, a.n_rows, (SELECT COUNT(*) FROM action_rows ar WHERE ar.action_id = a.id) "
                "FROM actions a WHERE a.project_id = :p"
            ),
            {"p": project_id},
        ).all()
        assert all(n == m for _, n, m in sums)
