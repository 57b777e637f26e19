"""Finding rows of a project: filters, sorting and server-side paging.

A :class:`RowFilter` becomes SQL conditions on the narrow ``row_states`` table, so the same filter drives a
page of the review table and a batch action on every matching row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    cast,
    column,
    exists,
    false,
    func,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from goldlabel.exceptions import InvalidOptionError
from goldlabel.service.projects import decode_label, get_project
from goldlabel.store.bulk import TEXT_INDEX, text_index_rowid
from goldlabel.store.tables import Annotation, DatasetRow, Project, RowState, RowTag

__all__ = [
    "ISSUE_TYPES",
    "SCORE_FIELDS",
    "SORT_FIELDS",
    "STATUSES",
    "RowFilter",
    "RowPage",
    "describe_row",
    "list_rows",
    "row_conditions",
]

STATUSES = ("unlabeled", "labeled", "excluded", "needs_review")
SOURCES = ("given", "human", "auto", "weak")
ISSUE_TYPES = {
    "label": RowState.is_label_issue,
    "outlier": RowState.is_outlier_issue,
    "near_duplicate": RowState.is_near_duplicate_issue,
}
SCORE_FIELDS = {
    "label_issue_score": RowState.label_issue_score,
    "suggested_label_confidence": RowState.suggested_label_confidence,
    "outlier_score": RowState.outlier_score,
    "near_duplicate_score": RowState.near_duplicate_score,
}
SORT_FIELDS: dict[str, Any] = {
    "row_id": RowState.row_id,
    "version": RowState.version,
    "updated_at": RowState.updated_at,
    "label": RowState.label,
    "status": RowState.status,
    **SCORE_FIELDS,
}
MAX_PAGE = 1000
# A text search matching at most this many rows of the dataset drives the query from the text index
# (then sorts those rows); one matching more is checked row by row while walking the sort key's index.
_TEXT_DRIVE_LIMIT = 20_000
_TEXT_INDEX = table(TEXT_INDEX, column("rowid"), column(TEXT_INDEX))


@dataclass(frozen=True)
class RowFilter:
    """Which rows: every condition given must hold (``None`` = no condition).

    ``updated_by`` names the people who last set a row's label (any of them); a row nobody has changed
    since the import counts as its project creator's, as the analytics page counts it.
    ``label`` and ``suggested_label`` are class names (any of them); ``issue`` is a list of issue types
    (any flagged); ``scores`` maps a score field to ``(min, max)`` with either end ``None``; ``search`` is
    text contained in a text column (ASCII letters case-insensitive, leading and trailing spaces
    ignored) starting at the beginning of a word: ``"strik"`` finds "Striker", ``"trik"`` does not.
    A search holding no letter or digit (``"-"``) is matched anywhere, by a slower scan.
    ``annotated_by`` / ``not_annotated_by`` keep the rows that person has (has not) annotated
    (multi-annotator labels, see :mod:`goldlabel.service.annotations`).
    """

    row_ids: Sequence[int] | None = None
    label: Sequence[str] | None = None
    suggested_label: Sequence[str] | None = None
    status: Sequence[str] | None = None
    source: Sequence[str] | None = None
    updated_by: Sequence[str] | None = None
    tag: str | None = None
    issue: Sequence[str] | None = None
    unlabeled: bool | None = None
    disagrees: bool | None = None
    scores: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    search: str | None = None
    annotated_by: str | None = None
    not_annotated_by: str | None = None


@dataclass(frozen=True)
class RowPage:
    """One page of rows and, when asked for, how many rows match in all.

    ``total`` is exact when ``total_exact``; otherwise at least that many rows match (the count stops
    at ``count_limit`` so that a page stays fast on a million rows).
    """

    total: int | None
    rows: list[dict[str, Any]]
    total_exact: bool = True


def _class_indices(names: Sequence[str], project: Project, what: str) -> list[int]:
    index = {c: i for i, c in enumerate(project.classes)}
    bad = [n for n in names if n not in index]
    if bad:
        raise InvalidOptionError(
            f"{what} filter names {bad}, which are not classes of project {project.id}; "
            f"its classes are {project.classes}."
        )
    return [index[n] for n in names]


def _label_condition(column: Any, indices: list[int], task: str) -> ColumnElement[bool]:
    if task == "multilabel":
        mask = 0
        for i in indices:
            mask |= 1 << i
        return column.op("&")(mask) != 0  # type: ignore[no-any-return]
    return column.in_(indices)  # type: ignore[no-any-return]


def _text_expr(session: Session, column: str) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return cast(DatasetRow.data, postgresql.JSON)[column].astext
    return func.json_extract(DatasetRow.data, f"$.{json.dumps(column)}")


def _text_query(needle: str) -> str | None:
    """The FTS5 query finding every row that contains ``needle`` at the start of a word, or None.

    The needle becomes one phrase whose last token is a prefix: each of its words but the last is then
    a whole word of the row (it is followed by a separator in the needle), in order, and the last one
    starts a word. The index folds case and diacritics; separators are ignored, so the phrase finds a
    superset of the rows, and the exact check on the text columns keeps the right ones.
    """
    if not any(ch.isalnum() for ch in needle):
        return None
    return '"' + needle.replace('"', '""') + '"*'


def _search_condition(
    session: Session, project: Project, needle: str
) -> tuple[ColumnElement[bool], bool]:
    """(condition, drive): the rows whose text columns contain ``needle``; ``drive`` when the
    condition is selective enough that the query should start from the matching rows."""
    columns = list(project.text_columns) or list(project.feature_columns or [])
    if not columns:
        return false(), False
    matches = or_(*[_text_expr(session, c).icontains(needle, autoescape=True) for c in columns])
    same_row = [DatasetRow.dataset_id == project.dataset_id, DatasetRow.row_id == RowState.row_id]
    if session.get_bind().dialect.name == "postgresql":
        # A superset through the trigram index on all of the row's values, then the exact check.
        escaped = needle.replace("/", "//").replace("%", "/%").replace("_", "/_")
        indexed = func.goldlabel_row_text(DatasetRow.data).ilike(f"%{escaped}%", escape="/")
        return exists().where(*same_row, indexed, matches), False
    exact = exists().where(*same_row, matches)
    query = _text_query(needle)
    if query is None:
        return exact, False
    lo = text_index_rowid(project.dataset_id, 0)
    hits = _TEXT_INDEX.c.rowid
    found = select(hits - lo).where(
        _TEXT_INDEX.c[TEXT_INDEX].match(query),
        hits >= lo,
        hits < text_index_rowid(project.dataset_id + 1, 0),
    )
    n = int(
        session.scalar(
            select(func.count()).select_from(found.limit(_TEXT_DRIVE_LIMIT + 1).subquery())
        )
        or 0
    )
    if n == 0:
        return false(), False
    if n <= _TEXT_DRIVE_LIMIT:
        return and_(RowState.row_id.in_(found), exact), True
    # Many matches: probe them while walking another index (``+ 0`` keeps the planner from
    # looking every one of them up and sorting them all).
    return and_((RowState.row_id + 0).in_(found), exact), False


def _conditions(
    session: Session, project: Project, row_filter: RowFilter, sort: str | None
) -> tuple[list[ColumnElement[bool]], bool]:
    f = row_filter
    drive = False
    cond: list[ColumnElement[bool]] = [RowState.project_id == project.id]
    if f.row_ids is not None:
        cond.append(RowState.row_id.in_([int(r) for r in f.row_ids]))
    if f.label:
        cond.append(
            _label_condition(
                RowState.label, _class_indices(f.label, project, "label"), project.task
            )
        )
    if f.suggested_label:
        idx = _class_indices(f.suggested_label, project, "suggested_label")
        cond.append(_label_condition(RowState.suggested_label, idx, project.task))
    for values, allowed, col, what in (
        (f.status, STATUSES, RowState.status, "status"),
        (f.source, SOURCES, RowState.source, "source"),
    ):
        if values:
            bad = [v for v in values if v not in allowed]
            if bad:
                raise InvalidOptionError(f"{what} must be among {list(allowed)}; got {bad}.")
            cond.append(col.in_(list(values)))
    if f.updated_by:
        people = [str(p) for p in f.updated_by]
        by: ColumnElement[bool] = RowState.updated_by.in_(people)
        if project.created_by in people:
            by = or_(by, RowState.updated_by.is_(None))
        cond.append(by)
    if f.issue:
        bad = [i for i in f.issue if i not in ISSUE_TYPES]
        if bad:
            raise InvalidOptionError(f"issue types must be among {sorted(ISSUE_TYPES)}; got {bad}.")
        cond.append(or_(*[ISSUE_TYPES[i] == true() for i in f.issue]))
    if f.unlabeled is not None:
        cond.append(RowState.label.is_(None) if f.unlabeled else RowState.label.is_not(None))
    if f.disagrees is not None:
        differs = and_(
            RowState.label.is_not(None),
            RowState.suggested_label.is_not(None),
            RowState.label != RowState.suggested_label,
        )
        cond.append(differs if f.disagrees else ~differs)
    for name, (lo, hi) in f.scores.items():
        if name not in SCORE_FIELDS:
            raise InvalidOptionError(f"score ranges apply to {sorted(SCORE_FIELDS)}; got {name!r}.")
        score: Any = SCORE_FIELDS[name] if sort in (None, name) else SCORE_FIELDS[name] + 0
        if lo is not None:
            cond.append(score >= lo)
        if hi is not None:
            cond.append(score <= hi)
    if f.tag:
        cond.append(
            exists().where(
                RowTag.project_id == project.id,
                RowTag.tag == f.tag,
                RowTag.row_id == RowState.row_id,
            )
        )
    for who, wanted in ((f.annotated_by, True), (f.not_annotated_by, False)):
        if who is not None:
            annotated = exists().where(
                Annotation.project_id == project.id,
                Annotation.row_id == RowState.row_id,
                Annotation.annotator == str(who),
            )
            cond.append(annotated if wanted else ~annotated)
    needle = (f.search or "").strip()
    if needle:
        text_cond, drive = _search_condition(session, project, needle)
        cond.append(text_cond)
    return cond, drive


def row_conditions(
    session: Session, project: Project, row_filter: RowFilter, *, sort: str | None = None
) -> list[ColumnElement[bool]]:
    """SQL conditions on ``row_states`` selecting the project's rows that match ``row_filter``.

    With ``sort`` (a page's sort key), a score range on another field is written so that it cannot
    drive an index: the planner then walks the sort key's index and stops after one page, instead of
    sorting every row in the range (its range estimates are too crude to choose well).

    A text search uses the text index (SQLite FTS5, PostgreSQL pg_trgm) to find candidate rows, then
    checks each candidate's text columns exactly (see :class:`RowFilter`).

    Raises
    ------
    InvalidOptionError
        If the filter names an unknown class, status, issue type or score field.
    """
    return _conditions(session, project, row_filter, sort)[0]


def describe_row(state: RowState, project: Project) -> dict[str, Any]:
    """A row's label state as a JSON-ready dict (class names, not indices)."""
    classes, task = project.classes, project.task

    def name(v: int | None) -> Any:
        return decode_label(v, classes, task=task)

    updated: datetime | None = state.updated_at
    return {
        "row_id": state.row_id,
        "given_label": name(state.given_label),
        "label": name(state.label),
        "status": state.status,
        "source": state.source,
        "version": state.version,
        "updated_by": state.updated_by,
        "updated_at": updated.isoformat() if updated else None,
        "suggested_label": name(state.suggested_label),
        "suggested_label_confidence": state.suggested_label_confidence,
        "is_label_issue": state.is_label_issue,
        "label_issue_score": state.label_issue_score,
        "is_outlier_issue": state.is_outlier_issue,
        "outlier_score": state.outlier_score,
        "is_near_duplicate_issue": state.is_near_duplicate_issue,
        "near_duplicate_score": state.near_duplicate_score,
    }


def list_rows(
    session: Session,
    project_id: int,
    *,
    row_filter: RowFilter | None = None,
    sort: str = "row_id",
    descending: bool = False,
    limit: int = 50,
    offset: int = 0,
    with_total: bool = True,
    count_limit: int | None = 10_000,
) -> RowPage:
    """One page of a project's rows: filtered, sorted, with their original values and tags.

    Parameters
    ----------
    session
        A session.
    project_id
        The project.
    row_filter
        Which rows; default all.
    sort
        A field of :data:`SORT_FIELDS`; ties are broken by row id.
    descending
        Sort from the highest value.
    limit, offset
        The page (``limit`` at most 1000).
    with_total
        Also count the matching rows (one more query).
    count_limit
        Stop counting there (``None``: count them all); the page says whether the total is exact.

    Returns
    -------
    RowPage

    Raises
    ------
    InvalidOptionError
        If ``sort``, ``limit`` or ``offset`` is invalid, or the filter is.
    """
    if sort not in SORT_FIELDS:
        raise InvalidOptionError(f"sort must be one of {sorted(SORT_FIELDS)}; got {sort!r}.")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidOptionError(
            f"limit must be in [1, {MAX_PAGE}] and offset >= 0; got limit={limit}, offset={offset}."
        )
    project = get_project(session, project_id)
    cond, drive = _conditions(session, project, row_filter or RowFilter(), sort)
    key = SORT_FIELDS[sort]
    pg = session.get_bind().dialect.name == "postgresql"
    if drive and not pg:
        # Few rows match the text: look them up and sort them rather than walk the sort key's index.
        key = func.coalesce(key, key)
    order = key.desc() if descending else key.asc()
    if pg:
        order = order.nulls_last()
    tie = RowState.row_id.desc() if descending and sort != "row_id" else RowState.row_id.asc()
    stmt = select(RowState).where(*cond).order_by(order, tie).limit(limit).offset(offset)
    states = list(session.scalars(stmt))
    total = None
    exact = True
    if with_total:
        matching = select(RowState.row_id).where(*cond)
        if count_limit is not None:
            matching = matching.limit(count_limit + 1)
        total = int(session.scalar(select(func.count()).select_from(matching.subquery())) or 0)
        if count_limit is not None and total > count_limit:
            total, exact = count_limit, False
    ids = [s.row_id for s in states]
    data: dict[int, str] = {}
    tags: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        data = dict(
            session.execute(
                select(DatasetRow.row_id, DatasetRow.data).where(
                    DatasetRow.dataset_id == project.dataset_id, DatasetRow.row_id.in_(ids)
                )
            ).all()
        )
        for row_id, tag in session.execute(
            select(RowTag.row_id, RowTag.tag)
            .where(RowTag.project_id == project.id, RowTag.row_id.in_(ids))
            .order_by(RowTag.tag)
        ):
            tags[row_id].append(tag)
    rows = []
    for s in states:
        row = describe_row(s, project)
        row["data"] = json.loads(data.get(s.row_id, "{}"))
        row["tags"] = tags[s.row_id]
        rows.append(row)
    return RowPage(total=total, rows=rows, total_exact=exact)
