from __future__ import annotations

import pytest
from sqlalchemy import select

from goldlabel.exceptions import DataValidationError, InvalidOptionError, NotFoundError
from goldlabel.service.importing import import_dataset
from goldlabel.service.projects import (
    create_project,
    decode_label,
    encode_label,
    get_project,
    split_multilabel,
)
from goldlabel.store import Database
from goldlabel.store.tables import RowState

CSV = (
    b"text,topic\nthe market rallied on strong earnings,business\nthe team won,sports\nnew chip,\n"
)


def _dataset(db: Database, data: bytes = CSV) -> int:
    with db.write() as session:
        return import_dataset(session, data, filename="d.csv", column_roles={"topic": "label"}).id


def test_project_gets_classes_and_row_states(database: Database) -> None:
    ds = _dataset(database)
    with database.write() as session:
        project = create_project(
            session, ds, name="p", instructions="pick one", examples={"sports": "a match"}
        )
        assert project.classes == ["business", "sports"]
        assert project.text_columns == ["text"]
        assert project.label_column == "topic"
        states = session.scalars(select(RowState).order_by(RowState.row_id)).all()
    assert [(s.given_label, s.label, s.status, s.source, s.version) for s in states] == [
        (0, 0, "labeled", "given", 0),
        (1, 1, "labeled", "given", 0),
        (None, None, "unlabeled", None, 0),
    ]


def test_multilabel_project_stores_bit_masks(sqlite_db: Database) -> None:
    ds = _dataset(sqlite_db, b"text,topic\nstocks and football,business;sports\nquiet day,\n")
    with sqlite_db.write() as session:
        project = create_project(session, ds, name="p", task="multilabel")
        labels = session.scalars(select(RowState.label).order_by(RowState.row_id)).all()
    assert project.classes == ["business", "sports"]
    assert labels == [3, None]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"task": "regression"}, InvalidOptionError, "task must be one of"),
        ({"text_columns": ["nope"]}, InvalidOptionError, "column 'nope' is not in dataset"),
        (
            {"classes": ["business"]},
            DataValidationError,
            "label 'sports' is not one of the project's classes",
        ),
        ({"classes": ["a", "a"]}, DataValidationError, "the class list has duplicates"),
        ({"examples": {"tech": "x"}}, DataValidationError, r"examples name classes \['tech'\]"),
    ],
    ids=["task", "column", "unknown-label", "duplicate-class", "example-class"],
)
def test_bad_projects_are_refused(
    sqlite_db: Database, kwargs: dict, error: type, match: str
) -> None:
    ds = _dataset(sqlite_db)
    with pytest.raises(error, match=match), sqlite_db.write() as session:
        create_project(session, ds, name="p", **kwargs)


def test_no_labels_and_no_classes_is_refused(sqlite_db: Database) -> None:
    ds = _dataset(sqlite_db, b"text,topic\nhello there,\n")
    with pytest.raises(DataValidationError, match="has no classes"), sqlite_db.write() as session:
        create_project(session, ds, name="p")


def test_missing_dataset_and_project_are_not_found(sqlite_db: Database) -> None:
    with sqlite_db.write() as session:
        with pytest.raises(NotFoundError, match="dataset 9 does not exist"):
            create_project(session, 9, name="p")
        with pytest.raises(NotFoundError, match="project 9 does not exist"):
            get_project(session, 9)


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("a;b", ["a", "b"]),
        (["a"], ["a"]),
        ('["b", "a"]', ["b", "a"]),
        ("a|b", ["a", "b"]),
        (None, []),
        ("", []),
    ],
    ids=["semicolon", "list", "json", "pipe", "none", "empty"],
)
def test_split_multilabel(cell: object, names: list[str]) -> None:
    assert split_multilabel(cell) == names


def test_encode_decode_roundtrip() -> None:
    classes = ["a", "b", "c"]
    assert decode_label(
        encode_label("c;a", classes, task="multilabel"), classes, task="multilabel"
    ) == ["a", "c"]
    assert (
        decode_label(
            encode_label(2.0, ["0", "1", "2"], task="multiclass"),
            ["0", "1", "2"],
            task="multiclass",
        )
        == "2"
    )
    with pytest.raises(DataValidationError, match="label 'z' is not one of"):
        encode_label("z", classes, task="multiclass")
