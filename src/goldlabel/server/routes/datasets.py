"""Datasets: upload (multipart), list, show."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from sqlalchemy import select

from goldlabel.exceptions import DataValidationError
from goldlabel.server.deps import CurrentUser, State
from goldlabel.service.importing import MAX_IMPORT_BYTES, get_dataset, import_dataset
from goldlabel.store.tables import Dataset

router = APIRouter(prefix="/api/datasets", tags=["datasets"])


def describe_dataset(d: Dataset) -> dict[str, Any]:
    """A dataset as JSON."""
    return {
        "id": d.id,
        "name": d.name,
        "file_format": d.file_format,
        "encoding": d.encoding,
        "n_rows": d.n_rows,
        "size_bytes": d.size_bytes,
        "columns": d.columns,
        "column_roles": d.column_schema,
        "created_by": d.created_by,
        "created_at": d.created_at.isoformat(),
    }


@router.post("", status_code=201)
def upload_dataset(
    state: State,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="CSV, TSV, JSON, JSONL or Parquet")],
    name: Annotated[str | None, Form()] = None,
    file_format: Annotated[str | None, Form()] = None,
    column_roles: Annotated[str | None, Form(description='JSON object {"column": "role"}')] = None,
) -> dict[str, Any]:
    """Import a file as a dataset (all of it or nothing)."""
    roles = None
    if column_roles:
        try:
            roles = json.loads(column_roles)
        except json.JSONDecodeError as err:
            raise DataValidationError(
                f"column_roles must be a JSON object; got {column_roles!r}."
            ) from err
        if not isinstance(roles, dict):
            raise DataValidationError(f"column_roles must be a JSON object; got {column_roles!r}.")
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    with state.db.write() as session:
        dataset = import_dataset(
            session,
            data,
            filename=file.filename or "upload",
            name=name,
            file_format=file_format,
            column_roles=roles,
            user=user,
        )
        return describe_dataset(dataset)


@router.get("")
def list_datasets(state: State, _user: CurrentUser) -> list[dict[str, Any]]:
    """Every dataset, newest first."""
    with state.db.read() as session:
        return [
            describe_dataset(d)
            for d in session.scalars(select(Dataset).order_by(Dataset.id.desc()))
        ]


@router.get("/{dataset_id}")
def show_dataset(state: State, _user: CurrentUser, dataset_id: int) -> dict[str, Any]:
    """One dataset."""
    with state.db.read() as session:
        return describe_dataset(get_dataset(session, dataset_id))
