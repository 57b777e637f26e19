from __future__ import annotations

import pytest

from goldlabel.exceptions import InvalidOptionError, NotFoundError
from goldlabel.service.annotations import list_annotations, set_annotation
from goldlabel.service.rows import RowFilter, list_rows
from goldlabel.store import Database
from tests.service.helpers import make_project


def test_one_annotation_per_annotator_per_row(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 6, labeled_fraction=0.0)
    with sqlite_db.write() as s:
        set_annotation(s, pid, 1, annotator="ana", label="World")
        set_annotation(s, pid, 1, annotator="bob", label="Sports")
        set_annotation(s, pid, 1, annotator="ana", label="Business")  # ana changes her mind
        set_annotation(s, pid, 2, annotator="bob", label="World")
    with sqlite_db.read() as s:
        assert [(a["row_id"], a["annotator"], a["label"]) for a in list_annotations(s, pid)] == [
            (1, "ana", "Business"),
            (1, "bob", "Sports"),
            (2, "bob", "World"),
        ]
        assert len(list_annotations(s, pid, row_id=2)) == 1
        row = list_rows(s, pid, row_filter=RowFilter(row_ids=[1])).rows[0]
        assert row["label"] is None and row["version"] == 0  # the row itself is untouched


@pytest.mark.parametrize(
    ("row_id", "label", "error", "match"),
    [
        (99, "World", NotFoundError, "row 99 does not exist"),
        (1, "", InvalidOptionError, "an annotation needs a label"),
        (1, "Food", Exception, "label 'Food' is not one of"),
    ],
    ids=["row", "empty", "class"],
)
def test_bad_annotations_are_refused(
    sqlite_db: Database, row_id: int, label: str, error: type, match: str
) -> None:
    _, pid = make_project(sqlite_db, 6)
    with pytest.raises(error, match=match), sqlite_db.write() as s:
        set_annotation(s, pid, row_id, annotator="ana", label=label)
