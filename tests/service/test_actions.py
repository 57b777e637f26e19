from __future__ import annotations

import pytest
from sqlalchemy import select

from goldlabel.exceptions import ConflictError, InvalidOptionError, NotFoundError
from goldlabel.service.actions import apply_action, list_actions, undo_action
from goldlabel.service.rows import RowFilter, list_rows
from goldlabel.store import Database
from goldlabel.store.bulk import update_rows
from goldlabel.store.tables import ActionRow, RowState
from tests.service.helpers import make_project
from tests.service.invariants import check_log_accounts_for_state


def _state(db: Database, pid: int, row_id: int) -> dict:
    with db.read() as s:
        return list_rows(s, pid, row_filter=RowFilter(row_ids=[row_id]), with_total=False).rows[0]


def _suggest(db: Database, pid: int, n: int) -> None:
    with db.write() as s:
        update_rows(
            s,
            "row_states",
            ("suggested_label",),
            ("project_id", "row_id"),
            [(1, pid, i) for i in range(n)],
        )


@pytest.mark.parametrize(
    ("kind", "extra", "expected"),
    [
        ("label", {"label": "Business"}, ("Business", "labeled", "human")),
        ("exclude", {}, (None, "excluded", None)),
        ("needs_review", {}, (None, "needs_review", None)),
        ("autofix", {}, ("Sports", "labeled", "auto")),
        ("clear", {}, (None, "unlabeled", None)),
    ],
    ids=["label", "exclude", "needs-review", "autofix", "clear"],
)
def test_each_action_on_an_unlabeled_row(
    database: Database, kind: str, extra: dict, expected: tuple
) -> None:
    _, pid = make_project(database, 12, labeled_fraction=0.0)
    _suggest(database, pid, 12)
    with database.write() as s:
        result = apply_action(s, pid, kind=kind, user="ana", row_ids=[5], **extra)
    assert result.n_rows == 1
    row = _state(database, pid, 5)
    assert (row["label"], row["status"], row["source"]) == expected
    assert row["version"] == 1 and row["updated_by"] == "ana"
    check_log_accounts_for_state(database, pid)


def test_keep_restores_the_given_label_and_include_undoes_exclude(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 12, labeled_fraction=1.0)
    given = _state(sqlite_db, pid, 2)["given_label"]
    other = "World" if given != "World" else "Sports"
    with sqlite_db.write() as s:
        apply_action(s, pid, kind="label", user="a", row_ids=[2], label=other)
        apply_action(s, pid, kind="keep", user="a", row_ids=[2])
        apply_action(s, pid, kind="exclude", user="a", row_ids=[2])
        apply_action(s, pid, kind="include", user="a", row_ids=[2])
    row = _state(sqlite_db, pid, 2)
    assert (row["label"], row["status"], row["source"], row["version"]) == (
        given,
        "labeled",
        "given",
        4,
    )
    check_log_accounts_for_state(sqlite_db, pid)


def test_batch_on_a_filter_logs_every_row_and_undo_restores(database: Database) -> None:
    _, pid = make_project(database, 300, labeled_fraction=0.0)
    with database.write() as s:
        result = apply_action(
            s, pid, kind="label", user="ana", row_filter=RowFilter(unlabeled=True), label="World"
        )
        assert result.n_rows == 300
    with database.read() as s:
        assert list_rows(s, pid, row_filter=RowFilter(label=["World"])).total == 300
    with database.write() as s:
        apply_action(s, pid, kind="label", user="bob", row_ids=[7], label="Sports")
        undo = undo_action(s, pid, result.action_id, user="ana")
    assert (undo.n_rows, undo.n_skipped) == (299, 1)  # bob's later change is not overwritten
    assert _state(database, pid, 7)["label"] == "Sports"
    assert _state(database, pid, 8)["label"] is None
    log = None
    with database.read() as s:
        log = list_actions(s, pid)
    assert [a["kind"] for a in log] == ["undo", "label", "label"]
    assert log[2]["undone_by"] == log[0]["id"]
    check_log_accounts_for_state(database, pid)


def test_undo_twice_conflicts_and_undo_of_undo_redoes(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 10, labeled_fraction=0.0)
    with sqlite_db.write() as s:
        first = apply_action(s, pid, kind="exclude", user="a", row_ids=[1, 2])
        undo = undo_action(s, pid, first.action_id, user="a")
        with pytest.raises(ConflictError, match=f"action {first.action_id} was already undone"):
            undo_action(s, pid, first.action_id, user="a")
        undo_action(s, pid, undo.action_id, user="a")
    assert _state(sqlite_db, pid, 1)["status"] == "excluded"
    with pytest.raises(NotFoundError, match="action 99 does not exist"), sqlite_db.write() as s:
        undo_action(s, pid, 99, user="a")


def test_tags_and_their_undo(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 10, labeled_fraction=0.0)
    with sqlite_db.write() as s:
        tag = apply_action(s, pid, kind="tag", user="a", row_ids=[1, 2], tag="odd")
        apply_action(s, pid, kind="untag", user="a", row_ids=[2], tag="odd")
    assert _state(sqlite_db, pid, 1)["tags"] == ["odd"] and _state(sqlite_db, pid, 2)["tags"] == []
    with sqlite_db.write() as s:
        undo = undo_action(s, pid, tag.action_id, user="a")
    assert (undo.n_rows, undo.n_skipped) == (1, 1)
    assert _state(sqlite_db, pid, 1)["tags"] == []
    check_log_accounts_for_state(sqlite_db, pid)


def test_stale_version_is_a_conflict_with_the_current_state(database: Database) -> None:
    _, pid = make_project(database, 10, labeled_fraction=0.0)
    with database.write() as s:
        apply_action(
            s, pid, kind="label", user="ana", row_ids=[3], label="World", expected_versions={3: 0}
        )
    with (
        pytest.raises(ConflictError, match="changed since you loaded them") as info,
        database.write() as s,
    ):
        apply_action(
            s,
            pid,
            kind="label",
            user="bob",
            row_ids=[3, 4],
            label="Sports",
            expected_versions={3: 0, 4: 0},
        )
    assert info.value.current[0]["label"] == "World"
    assert info.value.current[0]["version"] == 1
    assert _state(database, pid, 4)["version"] == 0  # nothing of bob's action was applied


def test_many_ids_are_chunked(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 12_000, labeled_fraction=0.0)
    with sqlite_db.write() as s:
        result = apply_action(s, pid, kind="exclude", user="a", row_ids=list(range(11_000)))
    assert result.n_rows == 11_000
    with sqlite_db.read() as s:
        assert (
            s.scalar(select(ActionRow.row_id).order_by(ActionRow.row_id.desc()).limit(1)) == 10_999
        )
        assert s.query(RowState).filter(RowState.status == "excluded").count() == 11_000


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"kind": "paint", "row_ids": [1]}, InvalidOptionError, "action kind must be one of"),
        ({"kind": "exclude"}, InvalidOptionError, "pass exactly one of them"),
        ({"kind": "label", "row_ids": [1]}, InvalidOptionError, "needs the label to set"),
        ({"kind": "tag", "row_ids": [1]}, InvalidOptionError, "needs a tag of 1 to 100 characters"),
        ({"kind": "exclude", "row_ids": [1, 500]}, NotFoundError, r"rows \[500\] do not exist"),
        (
            {"kind": "label", "row_ids": [1], "label": "Food"},
            Exception,
            "label 'Food' is not one of",
        ),
    ],
    ids=["kind", "no-selection", "no-label", "no-tag", "missing-row", "unknown-class"],
)
def test_bad_actions_are_refused(
    sqlite_db: Database, kwargs: dict, error: type, match: str
) -> None:
    _, pid = make_project(sqlite_db, 10)
    with pytest.raises(error, match=match), sqlite_db.write() as s:
        apply_action(s, pid, user="a", **kwargs)
