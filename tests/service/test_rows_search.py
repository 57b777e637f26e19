"""Text search over a project's rows: the text index finds candidates, the exact check keeps the right ones."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import text

from goldlabel.service import rows as rows_module
from goldlabel.service.actions import apply_action
from goldlabel.service.importing import import_dataset
from goldlabel.service.projects import create_project
from goldlabel.service.rows import RowFilter, list_rows
from goldlabel.store import Database
from goldlabel.store.bulk import update_rows

TITLES = [
    "Striker scores twice",  # 0
    "the striker's goal",  # 1
    "Red car wins",  # 2
    "red carpet event",  # 3
    "a bored cat",  # 4
    "100% sure_thing",  # 5
    'she said "hello" - twice',  # 6
    "Café crème",  # 7
    "nothing here",  # 8
    "cars and red-car fans",  # 9
]
BODIES = ["body text", "more body", "", "x", "y", "z", "w", "v", "Striker hidden in body", "u"]


def _project(db: Database) -> tuple[int, int]:
    """A project over TITLES (text column ``title``), with ``body`` a column it does not search."""
    frame = pd.DataFrame(
        {
            "title": TITLES,
            "body": BODIES,
            "label": ["Sports" if i % 2 else None for i in range(len(TITLES))],
        }
    )
    with db.write() as s:
        ds = import_dataset(s, frame.to_csv(index=False).encode(), filename="t.csv")
        # A second dataset with the same words must never leak into the first one's results.
        other = import_dataset(s, frame.to_csv(index=False).encode(), filename="u.csv")
        create_project(
            s, other.id, name="other", classes=["Sports", "World"], text_columns=["title"]
        )
        p = create_project(s, ds.id, name="p", classes=["Sports", "World"], text_columns=["title"])
        return ds.id, p.id


def _expected(needle: str, dialect: str = "sqlite") -> list[int]:
    """Rows whose title contains the needle, case-insensitively: on SQLite at the start of a word."""
    n = needle.strip().lower()
    out = []
    anywhere = dialect == "postgresql" or not any(ch.isalnum() for ch in n)
    for i, title in enumerate(TITLES):
        t = title.lower()
        at = [k for k in range(len(t)) if t.startswith(n, k)]
        if any(anywhere or k == 0 or not t[k - 1].isalnum() for k in at):
            out.append(i)
    return out


NEEDLES = {
    "word": "striker",
    "upper": "STRIKER",
    "prefix": "strik",
    "mid-word": "trik",
    "two words": "red car",
    "phrase prefix": "red ca",
    "punctuation in needle": "red-car",
    "apostrophe": "striker's",
    "percent": "100%",
    "underscore": "sure_thing",
    "quotes": '"hello"',
    "no letter": "-",
    "spaces around": "  bored  ",
    "accented": "café",
    "not in title": "hidden",
    "nowhere": "zzzz",
}


@pytest.mark.parametrize("needle", list(NEEDLES.values()), ids=list(NEEDLES))
@pytest.mark.parametrize("drive_limit", [20_000, 0], ids=["from-index", "probe"])
def test_search_finds_text_in_the_text_columns(
    database: Database, needle: str, drive_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rows_module, "_TEXT_DRIVE_LIMIT", drive_limit)
    _, pid = _project(database)
    with database.read() as s:
        page = list_rows(s, pid, row_filter=RowFilter(search=needle), limit=100)
    expected = _expected(needle, database.dialect)
    assert [r["row_id"] for r in page.rows] == expected
    assert page.total == len(expected)


@pytest.mark.parametrize("drive_limit", [20_000, 0], ids=["from-index", "probe"])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_search_combines_with_filters_and_sort(
    database: Database, drive_limit: int, descending: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rows_module, "_TEXT_DRIVE_LIMIT", drive_limit)
    _, pid = _project(database)
    with database.write() as s:
        update_rows(
            s,
            "row_states",
            ("label_issue_score",),
            ("project_id", "row_id"),
            [((i * 7) % 10 / 10, pid, i) for i in range(10)],
        )
    with database.read() as s:
        page = list_rows(
            s,
            pid,
            row_filter=RowFilter(search="red", unlabeled=True),
            sort="label_issue_score",
            descending=descending,
        )
    # "red" starts a word in rows 2, 3, 9 ("bored", row 4, holds it on PostgreSQL); even rows are unlabeled
    matching = [i for i in _expected("red", database.dialect) if i % 2 == 0]
    ordered = sorted(matching, key=lambda i: (i * 7) % 10, reverse=descending)
    assert [r["row_id"] for r in page.rows] == ordered


def test_batch_action_on_a_search(database: Database) -> None:
    _, pid = _project(database)
    with database.write() as s:
        done = apply_action(
            s, pid, kind="tag", user="u", row_filter=RowFilter(search="striker"), tag="s"
        )
    assert done.n_rows == len(_expected("striker")) == 2
    with database.read() as s:
        tagged = list_rows(s, pid, row_filter=RowFilter(tag="s"))
    assert [r["row_id"] for r in tagged.rows] == _expected("striker")


def test_rewritten_rows_are_searched_by_their_new_text(sqlite_db: Database) -> None:
    dataset_id, pid = _project(sqlite_db)
    with sqlite_db.write() as s:
        update_rows(
            s,
            "dataset_rows",
            ("data",),
            ("dataset_id", "row_id"),
            [(json.dumps({"title": "zebra crossing", "body": "", "label": None}), dataset_id, 0)],
        )
    with sqlite_db.read() as s:
        assert [
            r["row_id"] for r in list_rows(s, pid, row_filter=RowFilter(search="zebra")).rows
        ] == [0]
        assert list_rows(s, pid, row_filter=RowFilter(search="scores twice")).total == 0
        # The old document was removed from the index, not left behind.
        n = s.execute(
            text("SELECT count(*) FROM dataset_text WHERE dataset_text MATCH 'scores'")
        ).scalar()
    assert n == 1  # the other dataset's row 0 only


def test_search_without_text_columns_matches_nothing(database: Database) -> None:
    frame = pd.DataFrame({"x": [1.5, 2.5], "label": ["Sports", None]})
    with database.write() as s:
        ds = import_dataset(s, frame.to_csv(index=False).encode(), filename="n.csv")
        pid = create_project(
            s, ds.id, name="n", classes=["Sports"], text_columns=[], feature_columns=[]
        ).id
    with database.read() as s:
        assert list_rows(s, pid, row_filter=RowFilter(search="1")).total == 0
