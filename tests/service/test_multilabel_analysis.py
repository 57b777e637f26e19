from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from goldlabel.service.analysis import (
    ANALYSIS_JOB,
    get_analysis,
    load_analysis_probs,
    make_analysis_handler,
    start_analysis,
)
from goldlabel.service.autolabeling import apply_autolabel, propose_autolabel
from goldlabel.service.engines import default_engine
from goldlabel.service.exporting import build_cleanset
from goldlabel.service.importing import import_dataset
from goldlabel.service.jobs import JobRunner, describe_job, get_job
from goldlabel.service.modeling import (
    TRAIN_JOB,
    deploy_model,
    make_train_handler,
    predict_rows,
    start_training,
)
from goldlabel.service.projects import create_project
from goldlabel.service.rows import RowFilter, list_rows
from goldlabel.store import Database
from goldlabel.store.tables import AnalysisRow, RowState
from tests.learn.test_multilabel_pipeline import TAG_WORDS, generate_tagged_texts

CLASSES = list(TAG_WORDS)


def _tagged_project(db: Database, n_rows: int = 500) -> tuple[int, list[list[str]], np.ndarray]:
    """(project id, true tags, flipped rows) of a multi-label project over generated tagged texts."""
    texts, given, truth, flipped = generate_tagged_texts(
        n_rows, flip=0.1, unlabeled=0.15, random_state=4
    )
    frame = pd.DataFrame({"text": texts, "tags": [";".join(g) if g else None for g in given]})
    # a labeled row with no tag cannot be written as an empty cell (that is unlabeled): keep them out
    keep = np.array([g is None or len(g) > 0 for g in given])
    frame = frame[keep].reset_index(drop=True)
    with db.write() as session:
        ds = import_dataset(session, frame.to_csv(index=False).encode(), filename="tags.csv")
        project = create_project(
            session,
            ds.id,
            name="tags",
            task="multilabel",
            label_column="tags",
            text_columns=["text"],
            classes=CLASSES,
        )
        pid = project.id
    return pid, [t for t, k in zip(truth, keep, strict=True) if k], flipped[keep]


def _analyse(db: Database, pid: int) -> dict:
    with db.write() as s:
        job_id = start_analysis(s, pid, user="ana").id
    runner = JobRunner(db, {ANALYSIS_JOB: make_analysis_handler(default_engine)})
    runner.start()
    runner.wait(job_id, timeout=120)
    runner.shutdown()
    with db.read() as s:
        return describe_job(get_job(s, job_id))


@pytest.fixture
def analysed(sqlite_db: Database) -> tuple[Database, int, list[list[str]], np.ndarray]:
    pid, truth, flipped = _tagged_project(sqlite_db)
    job = _analyse(sqlite_db, pid)
    assert job["status"] == "succeeded", job["error"]
    return sqlite_db, pid, truth, flipped


def test_multilabel_analysis_stores_suggestions_and_flags(analysed: tuple) -> None:
    db, pid, truth, flipped = analysed
    with db.read() as s:
        analysis = get_analysis(s, pid)
        _ids, labels_at, probs = load_analysis_probs(s, analysis, len(CLASSES))
        page = list_rows(s, pid, limit=1000)
        masks = dict(s.execute(select(RowState.row_id, RowState.suggested_label)).all())
        extra = s.scalars(select(AnalysisRow.extra).where(AnalysisRow.analysis_id == analysis.id))
        first_extra = next(iter(extra))
    assert analysis.engine == "goldlabel-pipeline:one_vs_rest_logistic_regression"
    metrics = analysis.metrics
    # against the given labels, 10 % of which have a flipped tag
    assert metrics["cv_accuracy"] > 0.65 and metrics["cv_hamming_accuracy"] > 0.9
    assert 0.8 < metrics["cv_micro_f1"] <= 1.0
    assert metrics["n_rows"] == len(truth) and metrics["n_labeled"] == int((labels_at >= 0).sum())
    assert probs.shape == (len(truth), 5) and ((probs >= 0) & (probs <= 1)).all()
    rows = sorted(page.rows, key=lambda r: r["row_id"])
    # suggestions: every class with p >= 0.5, stored as a bit mask, listed as class names
    for row, p in zip(rows, probs, strict=True):
        expected = [c for c, q in zip(CLASSES, p, strict=True) if q >= 0.5]
        assert row["suggested_label"] == expected
        bits = sum(1 << CLASSES.index(c) for c in expected)
        assert masks[row["row_id"]] == bits
        # the probability of exactly that set, classes taken as independent
        assert row["suggested_label_confidence"] == pytest.approx(np.prod(np.maximum(p, 1 - p)))
    exact = np.mean(
        [sorted(r["suggested_label"]) == sorted(t) for r, t in zip(rows, truth, strict=True)]
    )
    assert exact > 0.85  # predicting no tag at all gets about 0.25
    assert '"suggested_label": [' in first_extra
    # issues: flipped tags found, only on labeled rows, scores in [0, 1]
    labeled = np.array([r["label"] is not None for r in rows])
    issues = np.array([bool(r["is_label_issue"]) for r in rows])
    assert not issues[~labeled].any()
    recall, precision = issues[flipped].mean(), flipped[issues].mean()
    assert recall > 0.7 and precision > 0.7, (recall, precision)  # chance is about 0.1
    scores = [r["label_issue_score"] for r in rows]
    assert all(0 <= v <= 1 for v, ok in zip(scores, labeled, strict=True) if ok)
    assert all(v is None for v, ok in zip(scores, labeled, strict=True) if not ok)
    assert any(r["is_outlier_issue"] is not None for r in rows)


def test_multilabel_rows_filter_and_export(analysed: tuple) -> None:
    db, pid, _, _ = analysed
    with db.read() as s:
        travel = list_rows(s, pid, row_filter=RowFilter(suggested_label=["travel"]), limit=1000)
        issues = list_rows(s, pid, row_filter=RowFilter(issue=["label"]), limit=1000)
        frame = build_cleanset(s, pid)
    assert travel.rows and all("travel" in r["suggested_label"] for r in travel.rows)
    assert issues.rows and all(r["is_label_issue"] for r in issues.rows)
    assert {"suggested_label", "is_label_issue", "label_issue_score"} <= set(frame.columns)
    assert frame["suggested_label"].map(lambda v: isinstance(v, list | str)).all()


def test_autolabel_gives_unlabeled_rows_their_suggested_sets(analysed: tuple) -> None:
    db, pid, truth, _ = analysed
    with db.read() as s:
        proposals = [propose_autolabel(s, pid, target_accuracy=t) for t in (0.6, 0.75, 0.9)]
        unlabeled = {
            r["row_id"]: r
            for r in list_rows(s, pid, row_filter=RowFilter(status=["unlabeled"]), limit=1000).rows
        }
    counts = [p["n_to_label"] for p in proposals]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0, counts
    proposal = proposals[0]
    assert proposal["n_unlabeled"] == len(unlabeled) and not proposal["per_class"]
    assert len(set(proposal["thresholds"].values())) == 1
    with db.write() as s:
        applied, action = apply_autolabel(
            s, pid, analysis_id=proposal["analysis_id"], user="ana", target_accuracy=0.6
        )
    assert action.n_rows == proposal["n_to_label"] == applied["n_to_label"]
    with db.read() as s:
        labeled = list_rows(
            s, pid, row_filter=RowFilter(row_ids=list(unlabeled), status=["labeled"]), limit=1000
        ).rows
    assert len(labeled) == action.n_rows
    per_class = dict.fromkeys(CLASSES, 0)
    for row in labeled:
        assert row["source"] == "auto" and row["label"]  # never the empty set
        assert row["label"] == unlabeled[row["row_id"]]["suggested_label"]
        for c in row["label"]:
            per_class[c] += 1
    assert per_class == proposal["counts"]
    right = np.mean([sorted(r["label"]) == sorted(truth[r["row_id"]]) for r in labeled])
    assert right >= 0.6, right


def test_a_multilabel_model_is_trained_deployed_and_predicts_label_sets(
    sqlite_db: Database,
) -> None:
    pid, _, _ = _tagged_project(sqlite_db, 400)
    with sqlite_db.write() as s:
        job_id = start_training(s, pid, user="ana").id
    runner = JobRunner(sqlite_db, {TRAIN_JOB: make_train_handler(default_engine)})
    runner.start()
    runner.wait(job_id, timeout=120)
    runner.shutdown()
    with sqlite_db.write() as s:
        job = get_job(s, job_id)
        assert job.status == "succeeded", job.error
        model = deploy_model(s, job.result["model_id"])
        assert model.metrics["task"] == "multilabel"
        assert model.metrics["cv_hamming_accuracy"] > 0.9
    rows = [
        {"text": "the striker and the coach at the stadium"},
        {"text": "new software chip for the cloud, and a pasta recipe"},
        {"text": "the a of and to in"},
    ]
    with sqlite_db.read() as s:
        out = predict_rows(s, pid, rows)
    assert [sorted(p["label"]) for p in out[:2]] == [["sports"], ["food", "tech"]]
    for p in out:
        assert set(p["probabilities"]) == set(CLASSES)
        probs = np.array(list(p["probabilities"].values()))
        assert ((probs >= 0) & (probs <= 1)).all()
        assert p["confidence"] == pytest.approx(np.prod(np.maximum(probs, 1 - probs)))
    assert out[2]["label"] == [] or len(out[2]["label"]) <= 1


def test_too_few_labels_fail_the_job_with_a_message(sqlite_db: Database) -> None:
    frame = pd.DataFrame(
        {"text": [f"row {i}" for i in range(12)], "tags": ["sports"] * 3 + [None] * 9}
    )
    with sqlite_db.write() as s:
        ds = import_dataset(s, frame.to_csv(index=False).encode(), filename="few.csv")
        pid = create_project(
            s,
            ds.id,
            name="few",
            task="multilabel",
            label_column="tags",
            text_columns=["text"],
            classes=CLASSES,
        ).id
    job = _analyse(sqlite_db, pid)
    assert job["status"] == "failed"
    assert "only 3 rows are labeled" in job["error"] and "Label more rows" in job["error"]
