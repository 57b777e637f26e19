"""Importing many annotations at once: tables by row id or by a dataset column, Label Studio exports of
goldlabel's own tasks, all or nothing, and the HTTP route."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from goldlabel.exceptions import DataValidationError
from goldlabel.server import create_app
from goldlabel.service.annotation_import import import_annotations
from goldlabel.service.annotations import (
    compute_project_consensus,
    list_annotations,
    set_annotation,
)
from goldlabel.service.exporting import export_project
from goldlabel.service.importing import import_dataset
from goldlabel.service.projects import create_project
from goldlabel.store import Database
from tests.service.helpers import make_project


def _csv(lines: list[tuple]) -> bytes:
    return (
        pd.DataFrame(lines, columns=["row_id", "annotator", "label"]).to_csv(index=False).encode()
    )


def _annotations(db: Database, pid: int) -> dict[tuple[int, str], object]:
    with db.read() as s:
        return {(a["row_id"], a["annotator"]): a["label"] for a in list_annotations(s, pid)}


def test_a_table_by_row_id_and_replacing_earlier_annotations(database: Database) -> None:
    _, pid = make_project(database, 20, labeled_fraction=0.0)
    with database.write() as s:
        set_annotation(s, pid, 3, annotator="ana", label="Sports")
    lines = [(1, "ana", "World"), (1, "bob", "World"), (3, "ana", "Business"), (4, "bob", "")]
    with database.write() as s:
        got = import_annotations(s, pid, _csv(lines), filename="votes.csv")
    assert got == {"n_annotations": 3, "n_replaced": 1, "n_rows": 2, "annotators": ["ana", "bob"]}
    assert _annotations(database, pid) == {
        (1, "ana"): "World",
        (1, "bob"): "World",
        (3, "ana"): "Business",  # replaced; the empty label of row 4 was skipped
    }
    with database.read() as s:
        assert compute_project_consensus(s, pid)["method"] == "crowdlab"


def test_a_table_matched_by_a_dataset_column(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 20, labeled_fraction=0.0)
    votes = pd.DataFrame(
        {"id": [5, 5, 9], "worker": ["w1", "w2", "w1"], "answer": ["Sports", "World", "Sports"]}
    )
    with sqlite_db.write() as s:
        got = import_annotations(
            s,
            pid,
            votes.to_json(orient="records", lines=True).encode(),
            filename="votes.jsonl",
            key_column="id",
            annotator_column="worker",
            label_column="answer",
        )
    assert got["n_annotations"] == 3
    # the demo's id column counts from 1: id 5 is row 4
    assert _annotations(sqlite_db, pid) == {
        (4, "w1"): "Sports",
        (4, "w2"): "World",
        (8, "w1"): "Sports",
    }


@pytest.mark.parametrize(
    ("lines", "kwargs", "match"),
    [
        (
            [(1, "ana", "World"), (99, "bob", "World")],
            {},
            r"name rows that project .* does not have, e.g. \[99\]",
        ),
        (
            [(1, "ana", "World"), (2, "bob", "Weather")],
            {},
            r"line 2 \(row 2, 'bob'\): label 'Weather'",
        ),
        ([(1, "ana", "World"), (1, "ana", "Sports")], {}, "'ana' labels row 1 twice"),
        ([(1, "ana", "World")], {"label_column": "answer"}, r"no column\(s\) \['answer'\]"),
        ([(1, "ana", "World")], {"key_column": "nope"}, r"no column\(s\) \['nope'\]"),
        ([(1, "ana", "")], {}, "holds no annotation"),
    ],
    ids=["unknown-row", "unknown-class", "twice", "missing-column", "unknown-key", "empty"],
)
def test_bad_files_write_nothing(
    sqlite_db: Database, lines: list[tuple], kwargs: dict, match: str
) -> None:
    _, pid = make_project(sqlite_db, 20, labeled_fraction=0.0)
    with pytest.raises(DataValidationError, match=match), sqlite_db.write() as s:
        import_annotations(s, pid, _csv(lines), filename="votes.csv", **kwargs)
    assert _annotations(sqlite_db, pid) == {}


def test_a_label_studio_export_of_goldlabel_tasks(sqlite_db: Database) -> None:
    csv = b"text,tags\na b,x\nc d,\ne f,y\n"
    with sqlite_db.write() as s:
        ds = import_dataset(s, csv, filename="t.csv")
        pid = create_project(
            s, ds.id, name="t", task="multilabel", label_column="tags", classes=["x", "y"]
        ).id
        tasks = json.loads(export_project(s, pid, file_format="label-studio")[0])
    assert [t["data"]["goldlabel_row_id"] for t in tasks] == [0, 1, 2]
    # Label Studio renumbers the tasks and adds its users' annotations
    for n, task in enumerate(tasks):
        task["id"] = 1000 + n
        task["annotations"] = [
            {
                "completed_by": 3,
                "was_cancelled": False,
                "result": [
                    {
                        "type": "choices",
                        "from_name": "label",
                        "to_name": "text",
                        "value": {"choices": ["x", "y"]},
                    }
                ],
            },
            {
                "completed_by": {"id": 4, "email": "lee@example.org"},
                "was_cancelled": n == 2,
                "result": [
                    {
                        "type": "choices",
                        "from_name": "label",
                        "to_name": "text",
                        "value": {"choices": ["y"]},
                    }
                ],
            },
        ]
    with sqlite_db.write() as s:
        got = import_annotations(s, pid, json.dumps(tasks).encode(), filename="export.json")
    assert got["annotators"] == ["labelstudio:3", "labelstudio:lee@example.org"]
    assert got["n_annotations"] == 5  # the cancelled annotation is left out
    found = _annotations(sqlite_db, pid)
    assert (
        found[(1, "labelstudio:3")] == ["x", "y"]
        and (2, "labelstudio:lee@example.org") not in found
    )
    tasks[0]["data"].pop("goldlabel_row_id")
    with pytest.raises(DataValidationError, match="only tasks exported by goldlabel"):
        with sqlite_db.write() as s:
            import_annotations(s, pid, json.dumps(tasks).encode(), filename="export.json")


def test_the_import_route(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 10, labeled_fraction=0.0)
    with TestClient(create_app(sqlite_db)) as client:
        ok = client.post(
            f"/api/projects/{pid}/annotations/import",
            files={"file": ("votes.csv", _csv([(2, "ana", "World"), (2, "bob", "Sports")]))},
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["n_annotations"] == 2
        bad = client.post(
            f"/api/projects/{pid}/annotations/import",
            files={"file": ("votes.csv", _csv([(2, "ana", "Weather")]))},
        )
        assert bad.status_code == 400 and "Weather" in bad.json()["error"]


def test_a_large_file_in_one_go(database: Database) -> None:
    _, pid = make_project(database, 6_000, labeled_fraction=0.0)
    lines = [(r, who, "World") for r in range(6_000) for who in ("ana", "bob")]
    with database.write() as s:
        got = import_annotations(s, pid, _csv(lines), filename="votes.csv")
    assert got["n_annotations"] == 12_000 and got["n_rows"] == 6_000
    with database.write() as s:  # again: every one replaced
        assert import_annotations(s, pid, _csv(lines), filename="votes.csv")["n_replaced"] == 12_000
