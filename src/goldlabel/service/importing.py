"""Importing a dataset from CSV, TSV, JSON, JSONL or Parquet into the studio's database.

The file is read by :mod:`goldlabel.tables`, as everywhere else; this module adds the size limits,
the column roles and the transaction.

The whole import is one transaction: a malformed file, a file over the size limit or a process killed
half-way leaves no dataset behind, never half of one.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from goldlabel.exceptions import DataValidationError, NotFoundError
from goldlabel.service.column_roles import infer_column_roles, merge_column_roles
from goldlabel.store.bulk import insert_rows
from goldlabel.store.tables import Dataset, DatasetRow
from goldlabel.tables import parse_table

__all__ = [
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "import_dataset",
    "load_dataset_frame",
]

MAX_IMPORT_BYTES = 2 * 1024**3
MAX_IMPORT_ROWS = 5_000_000


def _plain_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as Python strings with None for a missing value, as the rows are stored."""
    for name in frame.columns:
        if pd.api.types.is_string_dtype(frame[name]):
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame


def import_dataset(
    session: Session,
    data: bytes,
    *,
    filename: str,
    name: str | None = None,
    file_format: str | None = None,
    column_roles: Mapping[str, str] | None = None,
    user: str = "local",
    max_bytes: int = MAX_IMPORT_BYTES,
    max_rows: int = MAX_IMPORT_ROWS,
) -> Dataset:
    """Import a file as a new dataset; all of it or (on any error) none of it.

    Parameters
    ----------
    session
        A session in a write transaction (e.g. ``Database.write()``); the caller commits.
    data
        The file's bytes.
    filename
        Its name (gives the format and the default dataset name).
    name
        The dataset's name; default the file name.
    file_format
        One of :data:`goldlabel.tables.TABLE_FORMATS`; default from the extension (which may add a
        compression, e.g. ``.csv.gz``). The file is read by :func:`goldlabel.tables.parse_table`.
    column_roles
        Corrections to the inferred roles, ``{column: role}``.
    user
        Who imports it.
    max_bytes, max_rows
        Size limits; a larger file is refused.

    Returns
    -------
    Dataset
        With ``column_schema`` holding the roles (inferred, then corrected).

    Raises
    ------
    UnknownFileFormatError
        If neither ``file_format`` nor the extension gives a format goldlabel reads.
    DataValidationError
        If the file is too large (also once decompressed), empty, undecodable or malformed.
    """
    if len(data) > max_bytes:
        raise DataValidationError(
            f"the file is {len(data):,} bytes, over the import limit of {max_bytes:,} bytes; "
            "split it or raise the limit."
        )
    parsed = parse_table(data, name=filename, file_format=file_format, max_bytes=max_bytes)
    frame, fmt, encoding = _plain_strings(parsed.frame), parsed.file_format, parsed.encoding
    if len(frame) > max_rows:
        raise DataValidationError(
            f"the file has {len(frame):,} rows, over the import limit of {max_rows:,}; "
            "split it or raise the limit."
        )
    roles = merge_column_roles(infer_column_roles(frame), column_roles)
    dataset = Dataset(
        name=name or filename,
        file_format=fmt,
        encoding=encoding,
        n_rows=len(frame),
        size_bytes=len(data),
        columns=[{"name": str(c), "dtype": str(frame[c].dtype)} for c in frame.columns],
        column_schema=roles,
        created_by=user,
    )
    session.add(dataset)
    session.flush()
    lines = frame.to_json(
        orient="records", lines=True, force_ascii=False, date_format="iso", double_precision=15
    )
    rows = lines.rstrip("\n").split("\n") if lines else []
    if len(rows) != len(frame):
        raise DataValidationError(
            f"the file's rows could not be serialised one per line ({len(rows)} lines for "
            f"{len(frame)} rows); report this file."
        )
    dataset_id = dataset.id
    insert_rows(
        session,
        "dataset_rows",
        ("dataset_id", "row_id", "data"),
        ((dataset_id, i, line) for i, line in enumerate(rows)),
    )
    return dataset


def get_dataset(session: Session, dataset_id: int) -> Dataset:
    """The dataset with this id.

    Raises
    ------
    NotFoundError
        If there is none.
    """
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise NotFoundError(
            f"dataset {dataset_id} does not exist; list datasets with GET /api/datasets."
        )
    return dataset


def load_dataset_frame(session: Session, dataset_id: int) -> pd.DataFrame:
    """A dataset's rows as a DataFrame indexed by row id, values as imported."""
    dataset = get_dataset(session, dataset_id)
    ids: list[int] = []
    lines: list[str] = []
    stmt = (
        select(DatasetRow.row_id, DatasetRow.data)
        .where(DatasetRow.dataset_id == dataset_id)
        .order_by(DatasetRow.row_id)
    )
    for row_id, line in session.execute(stmt):
        ids.append(row_id)
        lines.append(line)
    columns = [c["name"] for c in dataset.columns]
    if not lines:
        return pd.DataFrame(columns=columns)
    frame = pd.read_json(io.StringIO("\n".join(lines)), lines=True, dtype=False)
    frame.index = pd.Index(ids, name="row_id")
    return frame.reindex(columns=columns)
