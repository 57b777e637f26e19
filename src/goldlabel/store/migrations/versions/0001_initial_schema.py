"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 06:02:50.920225
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("file_format", sa.String(length=20), nullable=False),
        sa.Column("encoding", sa.String(length=40), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("column_schema", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_status", ["status"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "dataset_rows",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dataset_id", "row_id"),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=20), nullable=False),
        sa.Column("text_columns", sa.JSON(), nullable=False),
        sa.Column("feature_columns", sa.JSON(), nullable=False),
        sa.Column("image_column", sa.String(length=300), nullable=True),
        sa.Column("label_column", sa.String(length=300), nullable=True),
        sa.Column("classes", sa.JSON(), nullable=False),
        sa.Column("instructions", sa.JSON(), nullable=False),
        sa.Column("current_analysis_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("user", sa.String(length=200), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("undo_of", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index("ix_actions_project", ["project_id", "id"], unique=False)

    op.create_table(
        "analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("engine", sa.String(length=100), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("extra_columns", sa.JSON(), nullable=False),
        sa.Column("model", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("annotator", sa.String(length=200), nullable=False),
        sa.Column("label", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "row_id", "annotator"),
    )
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("classes", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("artifact", sa.LargeBinary(), nullable=False),
        sa.Column("deployed", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "row_states",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("given_label", sa.BigInteger(), nullable=True),
        sa.Column("label", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("suggested_label", sa.BigInteger(), nullable=True),
        sa.Column("suggested_label_confidence", sa.Float(), nullable=True),
        sa.Column("is_label_issue", sa.Boolean(), nullable=True),
        sa.Column("label_issue_score", sa.Float(), nullable=True),
        sa.Column("is_outlier_issue", sa.Boolean(), nullable=True),
        sa.Column("outlier_score", sa.Float(), nullable=True),
        sa.Column("is_near_duplicate_issue", sa.Boolean(), nullable=True),
        sa.Column("near_duplicate_score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("project_id", "row_id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("row_states", schema=None) as batch_op:
        batch_op.create_index(
            "ix_row_states_confidence", ["project_id", "suggested_label_confidence"], unique=False
        )
        batch_op.create_index("ix_row_states_label", ["project_id", "label"], unique=False)
        batch_op.create_index(
            "ix_row_states_label_issue", ["project_id", "label_issue_score"], unique=False
        )
        batch_op.create_index(
            "ix_row_states_near_duplicate", ["project_id", "near_duplicate_score"], unique=False
        )
        batch_op.create_index(
            "ix_row_states_outlier", ["project_id", "outlier_score"], unique=False
        )
        batch_op.create_index(
            "ix_row_states_status",
            ["project_id", "status", "label", "suggested_label"],
            unique=False,
        )
        batch_op.create_index(
            "ix_row_states_is_label_issue",
            ["project_id", "is_label_issue", "label_issue_score"],
            unique=False,
        )
        batch_op.create_index(
            "ix_row_states_is_outlier",
            ["project_id", "is_outlier_issue", "outlier_score"],
            unique=False,
        )
        batch_op.create_index(
            "ix_row_states_is_near_duplicate",
            ["project_id", "is_near_duplicate_issue", "near_duplicate_score"],
            unique=False,
        )
        batch_op.create_index(
            "ix_row_states_suggested",
            ["project_id", "suggested_label", "suggested_label_confidence"],
            unique=False,
        )

    op.create_table(
        "row_tags",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.Column("row_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("project_id", "tag", "row_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "action_rows",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("before_label", sa.BigInteger(), nullable=True),
        sa.Column("before_status", sa.String(length=16), nullable=False),
        sa.Column("before_source", sa.String(length=8), nullable=True),
        sa.Column("before_version", sa.Integer(), nullable=False),
        sa.Column("before_tagged", sa.Boolean(), nullable=True),
        sa.Column("after_label", sa.BigInteger(), nullable=True),
        sa.Column("after_status", sa.String(length=16), nullable=False),
        sa.Column("after_source", sa.String(length=8), nullable=True),
        sa.Column("after_tagged", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["action_id"], ["actions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("action_id", "row_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "analysis_rows",
        sa.Column("analysis_id", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("label", sa.BigInteger(), nullable=True),
        sa.Column("pred_probs", sa.LargeBinary(), nullable=False),
        sa.Column("extra", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["analysis_id"], ["analyses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("analysis_id", "row_id"),
    )
    _create_text_index()


# The text index of dataset rows (what the rows' ``search`` filter uses), outside the SQLAlchemy models:
# * SQLite: a contentless FTS5 table ``dataset_text``, one document per row (rowid =
#   dataset_id * 2**32 + row_id) holding the row's values; goldlabel.store.bulk fills it whenever
#   ``dataset_rows`` is written, in the same transaction.
# * PostgreSQL: a pg_trgm GIN index on ``goldlabel_row_text(data)`` (the row's values joined), kept up to
#   date by PostgreSQL itself; without the pg_trgm extension (not installed, no privilege) searches scan.
def _create_text_index() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE dataset_text USING fts5("
            "body, content='', columnsize=0, detail=full, tokenize='unicode61')"
        )
        return
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION goldlabel_row_text(data text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        "$$ SELECT coalesce(string_agg(value, ' '), '') FROM json_each_text(data::json) $$"
    )
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    except DBAPIError:
        pass  # no privilege or not installed: fall through and use it only if it exists elsewhere
    schema = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    ).scalar()
    if schema is not None:
        op.execute(
            "CREATE INDEX ix_dataset_rows_text ON dataset_rows "
            f'USING gin (goldlabel_row_text(data) "{schema}".gin_trgm_ops)'
        )


def _drop_text_index() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS dataset_text")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_dataset_rows_text")
        op.execute("DROP FUNCTION IF EXISTS goldlabel_row_text(text)")


def downgrade() -> None:
    _drop_text_index()
    op.drop_table("analysis_rows")
    op.drop_table("action_rows")
    op.drop_table("row_tags")
    with op.batch_alter_table("row_states", schema=None) as batch_op:
        batch_op.drop_index("ix_row_states_suggested")
        batch_op.drop_index("ix_row_states_is_near_duplicate")
        batch_op.drop_index("ix_row_states_is_outlier")
        batch_op.drop_index("ix_row_states_is_label_issue")
        batch_op.drop_index("ix_row_states_status")
        batch_op.drop_index("ix_row_states_outlier")
        batch_op.drop_index("ix_row_states_near_duplicate")
        batch_op.drop_index("ix_row_states_label_issue")
        batch_op.drop_index("ix_row_states_label")
        batch_op.drop_index("ix_row_states_confidence")

    op.drop_table("row_states")
    op.drop_table("model_versions")
    op.drop_table("annotations")
    op.drop_table("analyses")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_project")

    op.drop_table("actions")
    op.drop_table("projects")
    op.drop_table("dataset_rows")
    op.drop_table("api_tokens")
    op.drop_table("users")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status")

    op.drop_table("jobs")
    op.drop_table("datasets")
