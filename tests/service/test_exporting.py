from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from label_studio_sdk.label_interface import LabelInterface

from goldlabel.exceptions import InvalidOptionError
from goldlabel.service.actions import apply_action
from goldlabel.service.analysis import ANALYSIS_JOB, make_analysis_handler, start_analysis
from goldlabel.service.annotations import compute_project_consensus, set_annotation
from goldlabel.service.engines import BaselineEngine
from goldlabel.service.exporting import build_label_studio_config, export_project
from goldlabel.service.jobs import JobRunner
from goldlabel.service.projects import get_project
from goldlabel.store import Database
from tests.service.helpers import make_project

ANALYSIS_COLUMNS = [
    "suggested_label",
    "suggested_label_confidence",
    "is_label_issue",
    "label_issue_score",
]


def _analysed(db: Database) -> int:
    _, pid = make_project(db, 80, labeled_fraction=0.5, noise=0.1)
    with db.write() as s:
        job_id = start_analysis(s, pid, user="a").id
    runner = JobRunner(db, {ANALYSIS_JOB: make_analysis_handler(BaselineEngine)})
    runner.start()
    runner.wait(job_id, timeout=120)
    with db.write() as s:
        apply_action(s, pid, kind="label", user="ana", row_ids=[0], label="Sports")
        apply_action(s, pid, kind="exclude", user="ana", row_ids=[1])
    return pid


def _read(content: bytes, fmt: str) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(content))
    if fmt == "jsonl":
        return pd.read_json(io.BytesIO(content), lines=True)
    return pd.read_parquet(io.BytesIO(content))


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_cleanset_columns_and_labels(sqlite_db: Database, fmt: str) -> None:
    pid = _analysed(sqlite_db)
    with sqlite_db.read() as s:
        content, _media, name = export_project(s, pid, file_format=fmt)
    frame = _read(content, fmt)
    assert name.endswith(f".{fmt}")
    assert list(frame.columns) == [
        "id",
        "title",
        "description",
        "given_label",
        "label",
        "label_source",
        "label_status",
        *ANALYSIS_COLUMNS,
    ]
    assert len(frame) == 79  # the excluded row is left out
    first = frame.iloc[0]
    assert (first["label"], first["label_source"], first["label_status"]) == (
        "Sports",
        "human",
        "labeled",
    )
    assert frame["label_issue_score"].between(0, 1).all() or frame["label_issue_score"].isna().any()
    assert set(frame["suggested_label"]) <= {"World", "Sports", "Business", "Sci/Tech"}
    with sqlite_db.read() as s:
        everything = _read(export_project(s, pid, file_format=fmt, include_excluded=True)[0], fmt)
    assert len(everything) == 80 and everything.iloc[1]["label_status"] == "excluded"


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_cleanset_carries_annotations_and_their_consensus(sqlite_db: Database, fmt: str) -> None:
    pid = _analysed(sqlite_db)
    with sqlite_db.write() as s:
        for who, labels in {"ana": ["World", "Sports"], "bob": ["World", "Business"]}.items():
            for row_id, label in zip([5, 6], labels, strict=True):
                set_annotation(s, pid, row_id, annotator=who, label=label)
        set_annotation(s, pid, 7, annotator="cy", label="Sci/Tech")
    with sqlite_db.read() as s:
        # with the excluded row kept, row i of the file is row id i
        frame = _read(export_project(s, pid, file_format=fmt, include_excluded=True)[0], fmt)
        expected = {r["row_id"]: r for r in compute_project_consensus(s, pid)["rows"]}
    extra = ["annotations", "consensus_label", "consensus_quality_score", "annotator_agreement"]
    assert list(frame.columns[-4:]) == extra
    annotated = frame[frame["annotations"].notna()]
    assert len(annotated) == 3
    for row in annotated.itertuples():
        want = expected[int(row.Index)]
        assert json.loads(row.annotations) == want["labels"]
        assert row.consensus_label == want["consensus_label"]
        assert row.consensus_quality_score == pytest.approx(want["consensus_quality_score"])
    assert frame.loc[frame["annotations"].isna(), "consensus_label"].isna().all()
    assert json.loads(frame.loc[5, "annotations"]) == {"ana": "World", "bob": "World"}


def test_label_studio_export_validates_with_the_sdk(sqlite_db: Database) -> None:
    pid = _analysed(sqlite_db)
    with sqlite_db.read() as s:
        content, media, _ = export_project(s, pid, file_format="label-studio")
        config = build_label_studio_config(get_project(s, pid))
    tasks = json.loads(content)
    assert media == "application/json" and len(tasks) == 80
    interface = LabelInterface(config)
    interface.validate()
    with sqlite_db.read() as s:
        cleanset = _read(export_project(s, pid, file_format="csv")[0], "csv")
    annotated = [t for t in tasks if t["annotations"]]
    assert len(annotated) == cleanset["label"].notna().sum() > 30
    for task in tasks:
        assert task["data"]["text"]
        for annotation in task["annotations"]:
            assert interface.validate_annotation(annotation)
        for prediction in task["predictions"]:
            assert interface.validate_prediction(prediction)
            assert 0 <= prediction["score"] <= 1
    assert tasks[0]["annotations"][0]["result"][0]["value"]["choices"] == ["Sports"]
    assert tasks[1]["annotations"] == []  # excluded


def test_label_studio_rejects_an_unknown_class(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 8)
    with sqlite_db.read() as s:
        interface = LabelInterface(build_label_studio_config(get_project(s, pid)))
    bad = {
        "result": [
            {
                "from_name": "label",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": ["Cooking"]},
            }
        ]
    }
    assert not interface.validate_prediction(bad)


def test_unknown_export_format_is_refused(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 8)
    with pytest.raises(InvalidOptionError, match="format must be one of"), sqlite_db.read() as s:
        export_project(s, pid, file_format="xlsx")
