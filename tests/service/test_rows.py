from __future__ import annotations

import pytest

from goldlabel.exceptions import InvalidOptionError
from goldlabel.service.actions import apply_action
from goldlabel.service.rows import RowFilter, list_rows
from goldlabel.store import Database
from goldlabel.store.bulk import update_rows
from tests.service.helpers import make_project


def _scored(db: Database) -> int:
    """A 40-row project with made-up but deterministic scores (no model needed to test SQL)."""
    _, pid = make_project(db, 40, labeled_fraction=0.5)
    with db.write() as session:
        update_rows(
            session,
            "row_states",
            (
                "suggested_label",
                "suggested_label_confidence",
                "is_label_issue",
                "label_issue_score",
            ),
            ("project_id", "row_id"),
            [(i % 4, 1 - i / 40, i % 5 == 0, i / 40, pid, i) for i in range(40)],
        )
        apply_action(session, pid, kind="tag", user="u", row_ids=[3, 4], tag="check")
    return pid


def test_filters_sort_and_paging(database: Database) -> None:
    pid = _scored(database)
    with database.read() as s:
        page = list_rows(s, pid, sort="label_issue_score", descending=True, limit=5, offset=2)
        assert page.total == 40
        assert [r["row_id"] for r in page.rows] == [37, 36, 35, 34, 33]
        assert page.rows[0]["data"]["id"] == 38
        issues = list_rows(s, pid, row_filter=RowFilter(issue=["label"]), limit=100)
        assert [r["row_id"] for r in issues.rows] == list(range(0, 40, 5))
        band = list_rows(s, pid, row_filter=RowFilter(scores={"label_issue_score": (0.1, 0.2)}))
        assert [r["row_id"] for r in band.rows] == [4, 5, 6, 7, 8]
        sug = list_rows(s, pid, row_filter=RowFilter(suggested_label=["Sports"]), limit=100)
        assert {r["suggested_label"] for r in sug.rows} == {"Sports"} and sug.total == 10
        tagged = list_rows(s, pid, row_filter=RowFilter(tag="check"))
        assert [(r["row_id"], r["tags"]) for r in tagged.rows] == [(3, ["check"]), (4, ["check"])]
        unl = list_rows(s, pid, row_filter=RowFilter(unlabeled=True), limit=100)
        assert unl.total == 20 and all(r["label"] is None for r in unl.rows)
        lab = list_rows(
            s, pid, row_filter=RowFilter(label=["World"], status=["labeled"]), limit=100
        )
        assert all(r["label"] == "World" for r in lab.rows)
        dis = list_rows(s, pid, row_filter=RowFilter(disagrees=True), limit=100)
        assert all(r["label"] != r["suggested_label"] for r in dis.rows)
        text = list_rows(
            s, pid, row_filter=RowFilter(search=page.rows[0]["data"]["title"][:12].upper())
        )
        assert 37 in [r["row_id"] for r in text.rows]
        none = list_rows(s, pid, row_filter=RowFilter(search="zzzz-nothing"), with_total=True)
        assert none.total == 0 and none.rows == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sort": "colour"}, "sort must be one of"),
        ({"limit": 0}, r"limit must be in \[1, 1000\]"),
        ({"offset": -1}, "offset >= 0"),
        ({"row_filter": RowFilter(label=["Cooking"])}, "label filter names"),
        ({"row_filter": RowFilter(status=["done"])}, "status must be among"),
        ({"row_filter": RowFilter(issue=["typo"])}, "issue types must be among"),
        ({"row_filter": RowFilter(scores={"beauty": (0, 1)})}, "score ranges apply to"),
    ],
    ids=["sort", "limit", "offset", "label", "status", "issue", "score"],
)
def test_bad_queries_are_refused(sqlite_db: Database, kwargs: dict, match: str) -> None:
    _, pid = make_project(sqlite_db, 8)
    with pytest.raises(InvalidOptionError, match=match), sqlite_db.read() as s:
        list_rows(s, pid, **kwargs)


def test_rows_filter_by_who_last_labeled_them(sqlite_db: Database) -> None:
    """updated_by selects the rows each person last labeled; rows nobody changed since the import
    count as the project creator's, as the analytics page counts them."""
    _, pid = make_project(sqlite_db, 40, labeled_fraction=0.5)
    with sqlite_db.write() as session:
        apply_action(session, pid, kind="label", user="ana", row_ids=[1, 2, 3], label="Sports")
        apply_action(session, pid, kind="label", user="bo", row_ids=[3, 4], label="World")
    with sqlite_db.read() as session:

        def ids(**kw: object) -> list[int]:
            page = list_rows(session, pid, row_filter=RowFilter(**kw), limit=100)  # type: ignore[arg-type]
            return [r["row_id"] for r in page.rows]

        assert ids(updated_by=["ana"]) == [1, 2]
        assert ids(updated_by=["ana", "bo"]) == [1, 2, 3, 4]
        creator = ids(updated_by=["local"])
        assert creator and not {1, 2, 3, 4} & set(creator)
        assert len(creator) == 40 - 4
        assert ids(updated_by=["nobody"]) == []
