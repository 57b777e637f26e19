"""Actions on rows — label, keep, exclude, needs review, auto-fix, tag — and undo.

Every action is one transaction of set-based SQL: the changed rows' before and after states are first
written to the append-only log (``action_rows``), then ``row_states`` is updated from exactly those log
rows and each row's version goes up by one. So a row's version always equals the number of log rows that
touched it, and a process killed half-way leaves neither the log nor the state half-written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    String,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from goldlabel.exceptions import ConflictError, InvalidOptionError, NotFoundError
from goldlabel.service.projects import encode_label, get_project
from goldlabel.service.rows import RowFilter, describe_row, row_conditions
from goldlabel.store.tables import Action, ActionRow, Project, RowState, RowTag, utcnow

__all__ = [
    "ACTION_KINDS",
    "LOG_COLUMNS",
    "ActionResult",
    "apply_action",
    "has_suggestion",
    "list_actions",
    "undo_action",
    "write_logged_rows",
]

ACTION_KINDS = (
    "label",
    "keep",
    "exclude",
    "include",
    "needs_review",
    "autofix",
    "autolabel",
    "clear",
    "tag",
    "untag",
)
_ID_CHUNK = 5000
#: Columns of ``action_rows`` in the order an action writes them.
LOG_COLUMNS = (
    "action_id",
    "row_id",
    "before_label",
    "before_status",
    "before_source",
    "before_version",
    "before_tagged",
    "after_label",
    "after_status",
    "after_source",
    "after_tagged",
)


@dataclass(frozen=True)
class ActionResult:
    """What an action did: its log id, its kind, how many rows it changed and how many it skipped."""

    action_id: int
    kind: str
    n_rows: int
    n_skipped: int = 0


def _tagged(project_id: int, tag: str | None) -> ColumnElement[Any]:
    if tag is None:
        return null()
    return exists().where(
        RowTag.project_id == project_id, RowTag.tag == tag, RowTag.row_id == RowState.row_id
    )


def _s(value: str) -> Any:
    return literal(value, String)


def has_suggestion(project: Project) -> list[ColumnElement[bool]]:
    """Conditions for a row to have a suggestion that ``autofix`` / ``autolabel`` can apply: one
    exists and, in a multi-label project, names at least one class (an empty set is how the studio
    writes "unlabeled", so it is never given as a label)."""
    conditions: list[ColumnElement[bool]] = [RowState.suggested_label.is_not(None)]
    if project.task == "multilabel":
        conditions.append(RowState.suggested_label != 0)
    return conditions


def _after(
    kind: str, project: Project, label: Any
) -> tuple[Any, Any, Any, Any, list[ColumnElement[bool]]]:
    """(after_label, after_status, after_source, after_tagged, extra conditions) of an action kind."""
    if kind == "label":
        if label is None:
            raise InvalidOptionError(
                "a 'label' action needs the label to set; pass label=<class name>."
            )
        value = encode_label(label, project.classes, task=project.task)
        if value is None:
            raise InvalidOptionError(f"a 'label' action needs a non-empty label; got {label!r}.")
        return literal(value, Integer), _s("labeled"), _s("human"), null(), []
    if kind == "keep":
        return (
            RowState.given_label,
            _s("labeled"),
            _s("given"),
            null(),
            [RowState.given_label.is_not(None)],
        )
    if kind in ("exclude", "needs_review"):
        status = "excluded" if kind == "exclude" else "needs_review"
        return RowState.label, _s(status), RowState.source, null(), []
    if kind == "include":
        restored = case((RowState.label.is_(None), "unlabeled"), else_="labeled")
        return RowState.label, restored, RowState.source, null(), [RowState.status == "excluded"]
    if kind in ("autofix", "autolabel"):
        return (
            RowState.suggested_label,
            _s("labeled"),
            _s("auto"),
            null(),
            has_suggestion(project),
        )
    if kind == "clear":
        return null(), _s("unlabeled"), null(), null(), []
    # tag / untag: the label state is unchanged
    return RowState.label, RowState.status, RowState.source, literal(kind == "tag", Boolean), []


def _check_ids(
    session: Session,
    project: Project,
    row_ids: Sequence[int],
    expected_versions: Mapping[int, int] | None,
) -> None:
    wanted = {int(r) for r in row_ids}
    found: dict[int, RowState] = {}
    ids = sorted(wanted)
    pg = session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(ids), _ID_CHUNK):
        stmt = select(RowState).where(
            RowState.project_id == project.id, RowState.row_id.in_(ids[start : start + _ID_CHUNK])
        )
        if pg:
            stmt = stmt.with_for_update()
        found.update({s.row_id: s for s in session.scalars(stmt)})
    missing = sorted(wanted - set(found))
    if missing:
        raise NotFoundError(
            f"rows {missing[:10]} do not exist in project {project.id} "
            f"({len(missing)} missing); row ids run from 0 to the dataset's row count - 1."
        )
    stale = [
        found[r]
        for r, v in (expected_versions or {}).items()
        if int(r) in found and found[int(r)].version != int(v)
    ]
    if stale:
        current = [describe_row(s, project) for s in stale]
        raise ConflictError(
            f"{len(stale)} row(s) changed since you loaded them (e.g. row {stale[0].row_id} is now "
            f"at version {stale[0].version}, you had {expected_versions[stale[0].row_id]}"  # type: ignore[index]
            "); reload them and act again.",
            current=current,
        )


def write_logged_rows(
    session: Session,
    project: Project,
    action: Action,
    selects: list[Any],
    user: str,
    tag: str | None,
) -> int:
    """Log an action's rows, then bring their state (and ``tag``) up to the logged after-values.

    Parameters
    ----------
    session
        A session in a write transaction.
    project
        The project the action belongs to.
    action
        The action, already flushed so that it has an id; its ``n_rows`` is set here.
    selects
        ``SELECT`` statements yielding rows for ``action_rows`` in the log's column order
        (``action_id``, ``row_id``, ``before_*``, ``after_*``); may be empty when the caller has
        inserted the log rows itself.
    user
        Who acts; written to each changed row's state.
    tag
        The tag whose membership follows ``after_tagged``; None leaves tags alone.

    Returns
    -------
    int
        How many rows the action logged (each row's version went up by one).
    """
    for sel in selects:
        session.execute(insert(ActionRow).from_select(LOG_COLUMNS, sel))
    n = int(
        session.scalar(
            select(func.count()).select_from(ActionRow).where(ActionRow.action_id == action.id)
        )
        or 0
    )
    logged = select(ActionRow.row_id).where(ActionRow.action_id == action.id)
    # Driven by the action's own log rows (``row_id IN``): primary-key lookups of exactly those rows,
    # so one row costs one lookup and a batch one pass, whatever the project's size.
    session.execute(
        update(RowState)
        .where(
            RowState.project_id == project.id,
            RowState.row_id.in_(logged),
            RowState.row_id == ActionRow.row_id,
            ActionRow.action_id == action.id,
        )
        .values(
            label=ActionRow.after_label,
            status=ActionRow.after_status,
            source=ActionRow.after_source,
            version=RowState.version + 1,
            updated_by=user,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if tag is not None:
        session.execute(
            delete(RowTag)
            .where(RowTag.project_id == project.id, RowTag.tag == tag, RowTag.row_id.in_(logged))
            .execution_options(synchronize_session=False)
        )
        session.execute(
            insert(RowTag).from_select(
                ("project_id", "tag", "row_id"),
                select(literal(project.id, Integer), literal(tag, String), ActionRow.row_id).where(
                    ActionRow.action_id == action.id, ActionRow.after_tagged == true()
                ),
            )
        )
    action.n_rows = n
    session.flush()
    return n


def apply_action(
    session: Session,
    project_id: int,
    *,
    kind: str,
    user: str,
    row_ids: Sequence[int] | None = None,
    row_filter: RowFilter | None = None,
    label: Any = None,
    tag: str | None = None,
    expected_versions: Mapping[int, int] | None = None,
    note: str | None = None,
) -> ActionResult:
    """Apply one action to a list of rows or to every row matching a filter, and log it.

    Parameters
    ----------
    session
        A session in a write transaction.
    project_id
        The project.
    kind
        One of :data:`ACTION_KINDS`: ``label`` (set ``label``), ``keep`` (keep the given label),
        ``exclude``, ``include`` (undo an exclusion), ``needs_review``, ``autofix`` (accept the
        suggestion), ``autolabel``, ``clear``, ``tag`` / ``untag`` (``tag``).
    user
        Who acts (logged).
    row_ids, row_filter
        The rows: exactly one of a list of ids or a filter.
    label
        The class name (multi-label: a list of names) for ``label``.
    tag
        The tag for ``tag`` / ``untag``.
    expected_versions
        ``{row_id: version}`` the caller loaded; if any row has moved on, nothing is changed and a
        :class:`~goldlabel.exceptions.ConflictError` holds the rows' current state.
    note
        Free text kept in the log.

    Returns
    -------
    ActionResult

    Raises
    ------
    InvalidOptionError
        If the kind, the selection or the label/tag is invalid.
    NotFoundError
        If the project or a listed row does not exist.
    ConflictError
        If a row changed since the caller loaded it.
    """
    if kind not in ACTION_KINDS:
        raise InvalidOptionError(f"action kind must be one of {list(ACTION_KINDS)}; got {kind!r}.")
    if (row_ids is None) == (row_filter is None):
        raise InvalidOptionError(
            "an action applies to either row_ids or a row_filter; pass exactly one of them."
        )
    if kind in ("tag", "untag") and (not tag or len(tag) > 100):
        raise InvalidOptionError(
            f"a {kind!r} action needs a tag of 1 to 100 characters; got {tag!r}."
        )
    project = get_project(session, project_id)
    after_label, after_status, after_source, after_tagged, extra = _after(kind, project, label)
    row_tag = tag if kind in ("tag", "untag") else None
    if row_ids is not None:
        _check_ids(session, project, row_ids, expected_versions)
        ids = sorted({int(r) for r in row_ids})
        conditions = [
            [RowState.project_id == project.id, RowState.row_id.in_(ids[i : i + _ID_CHUNK])]
            for i in range(0, len(ids), _ID_CHUNK)
        ]
    else:
        conditions = [row_conditions(session, project, row_filter or RowFilter())]
    params: dict[str, Any] = {"label": label, "tag": row_tag, "note": note}
    if row_filter is not None:
        params["filter"] = {k: v for k, v in vars(row_filter).items() if v not in (None, {}, [])}
    elif row_ids is not None:
        params["n_ids"] = len(row_ids)
    action = Action(project_id=project.id, kind=kind, params=params, user=user, n_rows=0)
    session.add(action)
    session.flush()
    selects = [
        select(
            literal(action.id, Integer),
            RowState.row_id,
            RowState.label,
            RowState.status,
            RowState.source,
            RowState.version,
            _tagged(project.id, row_tag),
            after_label,
            after_status,
            after_source,
            after_tagged,
        ).where(*cond, *extra)
        for cond in conditions
    ]
    n = write_logged_rows(session, project, action, selects, user, row_tag)
    return ActionResult(action_id=action.id, kind=kind, n_rows=n)


def undo_action(session: Session, project_id: int, action_id: int, *, user: str) -> ActionResult:
    """Undo an action by logging a new ``undo`` action that restores each row's earlier state.

    Rows whose label state (or, for a tag action, tag) changed again since the action are left alone
    (counted in ``n_skipped``): undo never overwrites someone's later work. Undoing an ``undo`` redoes the action.

    Raises
    ------
    NotFoundError
        If the action does not exist in this project.
    ConflictError
        If the action was already undone.
    """
    project = get_project(session, project_id)
    target = session.get(Action, action_id)
    if target is None or target.project_id != project.id:
        raise NotFoundError(f"action {action_id} does not exist in project {project_id}.")
    already = session.scalar(
        select(Action.id).where(
            Action.project_id == project.id, Action.id > target.id, Action.undo_of == target.id
        )
    )
    if already is not None:
        raise ConflictError(
            f"action {action_id} was already undone by action {already}; undo action {already} to redo it.",
            current={"undone_by": already},
        )
    tag = target.params.get("tag")
    action = Action(
        project_id=project.id,
        kind="undo",
        params={"undo_of": target.id, "tag": tag},
        user=user,
        undo_of=target.id,
    )
    session.add(action)
    session.flush()
    prev = ActionRow.__table__.alias("prev")
    sel = select(
        literal(action.id, Integer),
        RowState.row_id,
        RowState.label,
        RowState.status,
        RowState.source,
        RowState.version,
        prev.c.after_tagged,
        prev.c.before_label,
        prev.c.before_status,
        prev.c.before_source,
        prev.c.before_tagged,
    ).where(
        RowState.project_id == project.id,
        prev.c.action_id == target.id,
        RowState.row_id == prev.c.row_id,
        RowState.label.is_not_distinct_from(prev.c.after_label),
        RowState.status == prev.c.after_status,
        RowState.source.is_not_distinct_from(prev.c.after_source),
        *([_tagged(project.id, tag) == prev.c.after_tagged] if tag else []),
    )
    n = write_logged_rows(session, project, action, [sel], user, tag)
    return ActionResult(action_id=action.id, kind="undo", n_rows=n, n_skipped=target.n_rows - n)


def list_actions(
    session: Session, project_id: int, *, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """The project's action log, newest first."""
    get_project(session, project_id)
    undone = {
        u: a
        for a, u in session.execute(
            select(Action.id, Action.undo_of).where(
                Action.project_id == project_id, Action.undo_of.is_not(None)
            )
        )
    }
    stmt = (
        select(Action)
        .where(Action.project_id == project_id)
        .order_by(Action.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        {
            "id": a.id,
            "kind": a.kind,
            "user": a.user,
            "created_at": a.created_at.isoformat(),
            "n_rows": a.n_rows,
            "params": a.params,
            "undo_of": a.undo_of,
            "undone_by": undone.get(a.id),
        }
        for a in session.scalars(stmt)
    ]
