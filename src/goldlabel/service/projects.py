"""Creating a project: a dataset, a task, its columns, its ordered classes and labeling instructions."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import cast, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from goldlabel.exceptions import DataValidationError, InvalidOptionError, NotFoundError
from goldlabel.service.importing import get_dataset
from goldlabel.store.bulk import insert_rows, refresh_statistics
from goldlabel.store.tables import DatasetRow, Project

__all__ = [
    "MAX_MULTILABEL_CLASSES",
    "TASKS",
    "create_project",
    "decode_label",
    "encode_label",
    "expand_label_masks",
    "get_project",
    "split_multilabel",
]

TASKS = ("multiclass", "multilabel")
MAX_MULTILABEL_CLASSES = 62


def split_multilabel(value: Any) -> list[str]:
    """The class names of one multi-label cell: a list, or a string separated by ``,``, ``;`` or ``|``."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value)
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list):
            return [str(v).strip() for v in parsed if str(v).strip()]
    for sep in (";", "|", ","):
        if sep in text:
            return [p.strip() for p in text.split(sep) if p.strip()]
    return [text.strip()] if text.strip() else []


def _cell_name(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def encode_label(value: Any, classes: Sequence[str], *, task: str) -> int | None:
    """A cell's label as stored: the class index (multi-class) or a bit mask (multi-label); None if empty.

    Raises
    ------
    DataValidationError
        If the value names a class not in ``classes``.

    Examples
    --------
    >>> encode_label("b", ["a", "b"], task="multiclass")
    1
    >>> encode_label("a;b", ["a", "b"], task="multilabel")
    3
    """
    index = {c: i for i, c in enumerate(classes)}
    names = (
        split_multilabel(value) if task == "multilabel" else [n for n in [_cell_name(value)] if n]
    )
    if not names:
        return None
    unknown = [n for n in names if n not in index]
    if unknown:
        raise DataValidationError(
            f"label {unknown[0]!r} is not one of the project's classes {list(classes)}; "
            "add it to the class list or correct the label."
        )
    if task == "multilabel":
        mask = 0
        for n in names:
            mask |= 1 << index[n]
        return mask
    return index[names[0]]


def expand_label_masks(masks: Any, n_classes: int) -> np.ndarray:
    """Stored multi-label labels (bit masks, any shape) as 0/1 per class: shape ``(*masks.shape, K)``.

    Examples
    --------
    >>> expand_label_masks([5, 2], 3).tolist()
    [[1, 0, 1], [0, 1, 0]]
    """
    values = np.asarray(masks, dtype=np.int64)
    return (values[..., None] >> np.arange(n_classes, dtype=np.int64)) & 1


def decode_label(value: int | None, classes: Sequence[str], *, task: str) -> str | list[str] | None:
    """The class name(s) of a stored label (the inverse of :func:`encode_label`)."""
    if value is None:
        return None
    if task == "multilabel":
        return [c for i, c in enumerate(classes) if (int(value) >> i) & 1]
    return classes[int(value)]


def _label_cells(session: Session, dataset_id: int, column: str) -> list[tuple[int, Any]]:
    expr: Any
    if session.get_bind().dialect.name == "postgresql":
        expr = cast(DatasetRow.data, postgresql.JSON)[column]
    else:
        expr = func.json_extract(DatasetRow.data, f"$.{json.dumps(column)}")
    stmt = select(DatasetRow.row_id, expr).where(DatasetRow.dataset_id == dataset_id)
    return [(r, v) for r, v in session.execute(stmt)]


def create_project(
    session: Session,
    dataset_id: int,
    *,
    name: str,
    task: str = "multiclass",
    label_column: str | None = None,
    text_columns: Sequence[str] | None = None,
    feature_columns: Sequence[str] | None = None,
    image_column: str | None = None,
    classes: Sequence[str] | None = None,
    instructions: str = "",
    examples: Mapping[str, str] | None = None,
    user: str = "local",
) -> Project:
    """Create a project over a dataset and the label state of each of its rows.

    Parameters
    ----------
    session
        A session in a write transaction.
    dataset_id
        The imported dataset.
    name
        The project's name.
    task
        ``"multiclass"`` or ``"multilabel"``.
    label_column, text_columns, feature_columns, image_column
        Columns; default from the dataset's column roles.
    classes
        The ordered class list; default the sorted distinct given labels.
    instructions, examples
        Labeling instructions and an example per class (``{class: example}``).
    user
        Who creates it.

    Returns
    -------
    Project

    Raises
    ------
    InvalidOptionError
        If ``task`` is unknown or a column is not in the dataset.
    DataValidationError
        If there are no classes, a given label is not a class, or an example names an unknown class.
    """
    if task not in TASKS:
        raise InvalidOptionError(f"task must be one of {list(TASKS)}; got {task!r}.")
    dataset = get_dataset(session, dataset_id)
    roles: dict[str, str] = dict(dataset.column_schema)
    if label_column is None:
        label_column = next((c for c, r in roles.items() if r == "label"), None)
    if text_columns is None:
        text_columns = [c for c, r in roles.items() if r == "text"]
    if feature_columns is None:
        feature_columns = [c for c, r in roles.items() if r == "feature"]
    if image_column is None:
        image_column = next((c for c, r in roles.items() if r == "image"), None)
    named = [label_column, image_column, *text_columns, *feature_columns]
    for column in named:
        if column is not None and column not in roles:
            raise InvalidOptionError(
                f"column {column!r} is not in dataset {dataset_id}; its columns are {sorted(roles)}."
            )
    cells = _label_cells(session, dataset_id, label_column) if label_column else []
    if classes is None:
        found: set[str] = set()
        for _, value in cells:
            if task == "multilabel":
                found.update(split_multilabel(value))
            elif (cell := _cell_name(value)) is not None:
                found.add(cell)
        classes = sorted(found)
    classes = [str(c) for c in classes]
    if not classes:
        raise DataValidationError(
            f"project {name!r} has no classes: the label column {label_column!r} is empty; "
            "pass the class list."
        )
    if len(set(classes)) != len(classes):
        raise DataValidationError(
            f"the class list has duplicates: {classes}; list each class once."
        )
    if task == "multilabel" and len(classes) > MAX_MULTILABEL_CLASSES:
        raise DataValidationError(
            f"a multi-label project holds at most {MAX_MULTILABEL_CLASSES} classes; got {len(classes)}."
        )
    unknown = sorted(set(examples or {}) - set(classes))
    if unknown:
        raise DataValidationError(
            f"instruction examples name classes {unknown} that are not in the class list {classes}."
        )
    project = Project(
        name=name,
        dataset_id=dataset_id,
        task=task,
        label_column=label_column,
        text_columns=list(text_columns),
        feature_columns=[c for c in feature_columns if c != label_column],
        image_column=image_column,
        classes=classes,
        instructions={"text": instructions, "examples": dict(examples or {})},
        created_by=user,
    )
    session.add(project)
    session.flush()
    seen: dict[str, int | None] = {}
    given: dict[int, int | None] = {}
    for r, v in cells:
        key = v if isinstance(v, str) else repr(v)
        if key not in seen:
            seen[key] = encode_label(v, classes, task=task)
        given[r] = seen[key]
    row_ids = session.scalars(
        select(DatasetRow.row_id).where(DatasetRow.dataset_id == dataset_id)
    ).all()
    pid = project.id
    insert_rows(
        session,
        "row_states",
        ("project_id", "row_id", "given_label", "label", "status", "source", "version"),
        (
            (
                pid,
                r,
                g := given.get(r),
                g,
                "unlabeled" if g is None else "labeled",
                None if g is None else "given",
                0,
            )
            for r in row_ids
        ),
    )
    refresh_statistics(session, "row_states")
    return project


def get_project(session: Session, project_id: int) -> Project:
    """The project with this id.

    Raises
    ------
    NotFoundError
        If there is none.
    """
    project = session.get(Project, project_id)
    if project is None:
        raise NotFoundError(
            f"project {project_id} does not exist; list projects with GET /api/projects."
        )
    return project
