"""Importing many people's annotations at once: a table of (row, annotator, label), or a Label Studio
JSON export of tasks that goldlabel exported (each task carries ``data.goldlabel_row_id``).

All of a file or none of it: every line is checked (the row exists, the label names the project's
classes) before anything is written. An annotator's earlier annotation of a row is replaced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import Session

from goldlabel.exceptions import DataValidationError
from goldlabel.service.importing import MAX_IMPORT_BYTES, load_dataset_frame
from goldlabel.service.projects import encode_label, get_project
from goldlabel.store.tables import Annotation, Project, RowState, utcnow
from goldlabel.tables import parse_table

__all__ = ["import_annotations"]

#: The Label Studio task field that holds goldlabel's row id (written by the Label Studio export).
ROW_ID_FIELD = "goldlabel_row_id"
_CHUNK = 500
_ID_CHUNK = 5000


def _label_studio_lines(tasks: list[Any]) -> list[tuple[Any, str, Any]]:
    """(row id, annotator, label) of every finished annotation of goldlabel-exported tasks."""
    lines = []
    for n, task in enumerate(tasks):
        if not isinstance(task, Mapping) or not isinstance(task.get("data"), Mapping):
            raise DataValidationError(
                f"task {n} of the Label Studio file is not an object with 'data'; export the "
                "project from Label Studio as JSON (not JSON_MIN)."
            )
        if ROW_ID_FIELD not in task["data"]:
            raise DataValidationError(
                f"task {n} (Label Studio id {task.get('id')!r}) has no data.{ROW_ID_FIELD}: only tasks "
                "exported by goldlabel can be matched to rows. Import a table of row_id, annotator, "
                "label instead."
            )
        for annotation in task.get("annotations") or []:
            if annotation.get("was_cancelled"):
                continue
            who = annotation.get("completed_by")
            if isinstance(who, Mapping):
                who = who.get("email") or who.get("id")
            choices = [
                c
                for item in annotation.get("result") or []
                if item.get("type") == "choices"
                for c in (item.get("value") or {}).get("choices") or []
            ]
            if choices:
                lines.append((task["data"][ROW_ID_FIELD], f"labelstudio:{who}", choices))
    return lines


def _table_lines(
    frame: pd.DataFrame, *, key_column: str, annotator_column: str, label_column: str
) -> list[tuple[Any, str, Any]]:
    missing = [c for c in (key_column, annotator_column, label_column) if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"the annotations file has no column(s) {missing}; its columns are "
            f"{list(frame.columns)}. It needs the row ({key_column!r}), the annotator "
            f"({annotator_column!r}) and the label ({label_column!r})."
        )
    keep = frame[label_column].notna() & (frame[label_column].astype(str).str.strip() != "")
    return [
        (key, str(who), label)
        for key, who, label in zip(
            frame.loc[keep, key_column],
            frame.loc[keep, annotator_column],
            frame.loc[keep, label_column],
            strict=True,
        )
    ]


def _row_ids(
    session: Session, project: Project, keys: Iterable[Any], key_column: str
) -> dict[Any, int]:
    """Each key's row id: goldlabel's own row ids, or the values of a dataset column (unique)."""
    if key_column == "row_id":
        wanted = set()
        for key in keys:
            try:
                wanted.add(int(key))
            except (TypeError, ValueError) as err:
                raise DataValidationError(
                    f"row_id must be an integer row id, got {key!r}; pass key_column=<a dataset "
                    "column> to match rows by their own ids."
                ) from err
        ordered, found = sorted(wanted), set[int]()
        for start in range(0, len(ordered), _ID_CHUNK):  # SQLite caps the parameters of a query
            found.update(
                session.scalars(
                    select(RowState.row_id).where(
                        RowState.project_id == project.id,
                        RowState.row_id.in_(ordered[start : start + _ID_CHUNK]),
                    )
                )
            )
        return {r: r for r in found}
    frame = load_dataset_frame(session, project.dataset_id)
    if key_column not in frame.columns:
        raise DataValidationError(
            f"the dataset has no column {key_column!r} to match rows by; its columns are "
            f"{list(frame.columns)}."
        )
    values = frame[key_column].astype(str)
    if values.duplicated().any():
        twice = values[values.duplicated()].iloc[0]
        raise DataValidationError(
            f"column {key_column!r} does not identify rows: {twice!r} stands in several; match "
            "by another column or by row_id."
        )
    return dict(zip(values.tolist(), [int(i) for i in frame.index], strict=True))


def import_annotations(
    session: Session,
    project_id: int,
    data: bytes,
    *,
    filename: str,
    key_column: str = "row_id",
    annotator_column: str = "annotator",
    label_column: str = "label",
) -> dict[str, Any]:
    """Import annotations from a file; all of them or, on any error, none.

    Parameters
    ----------
    session
        A session in a write transaction.
    data, filename
        The file: a table (CSV, TSV, JSON, JSONL, Parquet; one annotation per line) or a Label
        Studio JSON export of goldlabel-exported tasks (annotators become ``labelstudio:<user>``).
    key_column
        How a line names its row: ``row_id`` (goldlabel's row ids), or a column that the file and the
        dataset both have, with values unique in the dataset (e.g. the dataset's own id column).
    annotator_column, label_column
        The table's columns for who and what. A label is a class name; in a multi-label project, a
        list or names joined by ``,``, ``;`` or ``|``. Lines with an empty label are skipped.

    Returns
    -------
    dict
        ``n_annotations`` written, ``n_replaced`` (earlier annotations of the same row and
        annotator), ``n_rows``, ``annotators``.

    Raises
    ------
    DataValidationError
        If the file cannot be read, a row does not exist, a label is not one of the project's
        classes, or one annotator labels one row twice in the file.
    """
    project = get_project(session, project_id)
    if len(data) > MAX_IMPORT_BYTES:
        raise DataValidationError(
            f"the file is {len(data):,} bytes, over the limit of {MAX_IMPORT_BYTES:,} bytes."
        )
    lines: list[tuple[Any, str, Any]] | None = None
    if filename.lower().endswith(".json"):
        try:
            parsed = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError):
            parsed = None
        if isinstance(parsed, list) and parsed and isinstance(parsed[0], Mapping):
            if "annotations" in parsed[0] and "data" in parsed[0]:
                lines = _label_studio_lines(parsed)
                key_column = "row_id"
    if lines is None:
        frame = parse_table(data, name=filename).frame
        lines = _table_lines(
            frame,
            key_column=key_column,
            annotator_column=annotator_column,
            label_column=label_column,
        )
    if not lines:
        raise DataValidationError(f"{filename} holds no annotation to import.")
    rows = _row_ids(session, project, (key for key, _, _ in lines), key_column)
    normal = int if key_column == "row_id" else str
    unknown = [key for key, _, _ in lines if normal(key) not in rows]
    if unknown:
        raise DataValidationError(
            f"{len(unknown)} line(s) name rows that project {project.id} does not have, e.g. "
            f"{unknown[:5]} (matched by {key_column!r})."
        )
    records: dict[tuple[int, str], int] = {}
    for n, (key, who, label) in enumerate(lines):
        row_id = rows[normal(key)]
        try:
            value = encode_label(label, project.classes, task=project.task)
        except DataValidationError as err:
            raise DataValidationError(f"line {n + 1} (row {key!r}, {who!r}): {err}") from err
        if value is None:
            continue
        if (row_id, who) in records:
            raise DataValidationError(
                f"{who!r} labels row {key!r} twice in the file; keep one line per row and annotator."
            )
        records[(row_id, who)] = value
    pairs = list(records)
    replaced = 0
    for start in range(0, len(pairs), _CHUNK):
        same = (
            Annotation.project_id == project.id,
            tuple_(Annotation.row_id, Annotation.annotator).in_(pairs[start : start + _CHUNK]),
        )
        replaced += int(
            session.scalar(select(func.count()).select_from(Annotation).where(*same)) or 0
        )
        session.execute(delete(Annotation).where(*same))
    now = utcnow()
    session.add_all(
        Annotation(project_id=project.id, row_id=r, annotator=who, label=v, created_at=now)
        for (r, who), v in records.items()
    )
    session.flush()
    return {
        "n_annotations": len(records),
        "n_replaced": int(replaced),
        "n_rows": len({r for r, _ in records}),
        "annotators": sorted({who for _, who in records}),
    }
