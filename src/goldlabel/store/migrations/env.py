"""Alembic environment: runs on the connection the caller passes in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from goldlabel.store.tables import Base

target_metadata = Base.metadata


def _run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_object=_include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_object=_include_object,
        )
        with context.begin_transaction():
            context.run_migrations()


def _include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    """Leave out the text index, which lives outside the models (see revision 0001)."""
    return not (name or "").startswith(("dataset_text", "ix_dataset_rows_text"))


def _under_alembic() -> bool:
    try:
        context.config  # noqa: B018 - set only while an Alembic command runs
    except AttributeError:  # imported by something else, e.g. a doctest collector
        return False
    return True


if _under_alembic():
    _run()
