"""The studio's tables: SQLAlchemy 2 declarative models shared by SQLite and PostgreSQL.

Per-row state lives in narrow, indexed tables keyed by ``(project_id, row_id)`` so that paging, filtering,
sorting and batch actions over a million rows are set-based SQL. A row's label is an integer: the class index
for a multi-class project, a bit mask of class indices for a multi-label one (``None`` = unlabeled).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Action",
    "ActionRow",
    "Analysis",
    "AnalysisRow",
    "Annotation",
    "ApiToken",
    "Base",
    "Dataset",
    "DatasetRow",
    "Job",
    "ModelVersion",
    "Project",
    "ProjectLF",
    "RowState",
    "RowTag",
    "User",
    "utcnow",
]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every studio table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    """A person who can sign in; the password is stored as a salted scrypt hash."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """An API token of a user; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Dataset(Base):
    """An imported file. Its rows are never modified."""

    __tablename__ = "datasets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    file_format: Mapped[str] = mapped_column(String(20))
    encoding: Mapped[str] = mapped_column(String(40), default="utf-8")
    n_rows: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    columns: Mapped[list[Any]] = mapped_column(JSON)
    column_schema: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200), default="local")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DatasetRow(Base):
    """One original row of a dataset, its values as a JSON object."""

    __tablename__ = "dataset_rows"
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[str] = mapped_column(Text)


class Project(Base):
    """A dataset with a task, its columns, its ordered classes and its labeling instructions."""

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"))
    task: Mapped[str] = mapped_column(String(20))
    text_columns: Mapped[list[Any]] = mapped_column(JSON)
    feature_columns: Mapped[list[Any]] = mapped_column(JSON)
    image_column: Mapped[str | None] = mapped_column(String(300), nullable=True)
    label_column: Mapped[str | None] = mapped_column(String(300), nullable=True)
    classes: Mapped[list[Any]] = mapped_column(JSON)
    instructions: Mapped[dict[str, Any]] = mapped_column(JSON)
    current_analysis_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), default="local")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RowState(Base):
    """The current label state of one row of a project, with the current analysis's scores."""

    __tablename__ = "row_states"
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    given_label: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    label: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(8), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    suggested_label: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    suggested_label_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_label_issue: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    label_issue_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_outlier_issue: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    outlier_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_near_duplicate_issue: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    near_duplicate_score: Mapped[float | None] = mapped_column(Float, nullable=True)

    __table_args__ = (
        Index("ix_row_states_label", "project_id", "label"),
        Index("ix_row_states_status", "project_id", "status", "label", "suggested_label"),
        Index(
            "ix_row_states_suggested", "project_id", "suggested_label", "suggested_label_confidence"
        ),
        Index("ix_row_states_confidence", "project_id", "suggested_label_confidence"),
        Index("ix_row_states_label_issue", "project_id", "label_issue_score"),
        Index("ix_row_states_outlier", "project_id", "outlier_score"),
        Index("ix_row_states_near_duplicate", "project_id", "near_duplicate_score"),
        Index("ix_row_states_is_label_issue", "project_id", "is_label_issue", "label_issue_score"),
        Index("ix_row_states_is_outlier", "project_id", "is_outlier_issue", "outlier_score"),
        Index(
            "ix_row_states_is_near_duplicate",
            "project_id",
            "is_near_duplicate_issue",
            "near_duplicate_score",
        ),
        {"sqlite_with_rowid": False},
    )


class RowTag(Base):
    """A free-form tag on a row of a project."""

    __tablename__ = "row_tags"
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(100), primary_key=True)
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)

    __table_args__ = ({"sqlite_with_rowid": False},)


class Action(Base):
    """One entry of the append-only action log: who did what, when, to how many rows."""

    __tablename__ = "actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    user: Mapped[str] = mapped_column(String(200))
    n_rows: Mapped[int] = mapped_column(Integer, default=0)
    undo_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_actions_project", "project_id", "id"),)


class ActionRow(Base):
    """The before and after state of one row changed by an action."""

    __tablename__ = "action_rows"
    action_id: Mapped[int] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True
    )
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    before_label: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    before_status: Mapped[str] = mapped_column(String(16))
    before_source: Mapped[str | None] = mapped_column(String(8), nullable=True)
    before_version: Mapped[int] = mapped_column(Integer)
    before_tagged: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    after_label: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    after_status: Mapped[str] = mapped_column(String(16))
    after_source: Mapped[str | None] = mapped_column(String(8), nullable=True)
    after_tagged: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    __table_args__ = ({"sqlite_with_rowid": False},)


class Analysis(Base):
    """One model run over a project: metrics, the fitted model, and per-row results."""

    __tablename__ = "analyses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    engine: Mapped[str] = mapped_column(String(100), default="")
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    extra_columns: Mapped[list[Any]] = mapped_column(JSON, default=list)
    model: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AnalysisRow(Base):
    """Per-row results of an analysis.

    ``label`` is the label the model was trained with (None: unlabeled or excluded then), ``pred_probs``
    a float32 vector (out-of-sample for labeled rows), ``extra`` a JSON object of the export columns.
    """

    __tablename__ = "analysis_rows"
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True
    )
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    label: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    pred_probs: Mapped[bytes] = mapped_column(LargeBinary)
    extra: Mapped[str] = mapped_column(Text, default="{}")


class Annotation(Base):
    """One annotator's label for one row; consensus is computed from these, never stored over them."""

    __tablename__ = "annotations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    row_id: Mapped[int] = mapped_column(Integer)
    annotator: Mapped[str] = mapped_column(String(200))
    label: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("project_id", "row_id", "annotator"),)


class ModelVersion(Base):
    """A model trained on a project's cleanset, with its metrics; at most one per project is deployed."""

    __tablename__ = "model_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    classes: Mapped[list[Any]] = mapped_column(JSON)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    artifact: Mapped[bytes] = mapped_column(LargeBinary)
    deployed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(200), default="local")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Job(Base):
    """A background job; its state is in the database so that it survives a server restart."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    project_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(200), default="local")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: the server process running the job (host:pid:token) and when it last reported in
    runner: Mapped[str | None] = mapped_column(String(120), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_jobs_status", "status"),)


class ProjectLF(Base):
    """A keyword or regular-expression labeling function of a project, voting one class.

    ``kind`` is ``"keyword"`` (``keywords`` holds the words) or ``"regex"`` (``pattern``); ``label`` is
    the voted class index; inactive LFs are kept but left out of the label model.
    """

    __tablename__ = "project_lfs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    pattern: Mapped[str | None] = mapped_column(Text, nullable=True)
    keywords: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    label: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200), default="local")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_project_lfs_name"),)
