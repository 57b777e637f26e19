"""Consensus of stored annotations (CROWDLAB), accepting it as label actions, and the HTTP routes."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from goldlabel.core.agreement import (
    compute_krippendorff_alpha,
    compute_krippendorff_alpha_per_class,
)
from goldlabel.core.multiannotator import compute_consensus
from goldlabel.core.multiannotator_multilabel import compute_multilabel_consensus
from goldlabel.exceptions import InvalidOptionError
from goldlabel.server import create_app
from goldlabel.service.actions import undo_action
from goldlabel.service.analysis import build_analysis_input, save_analysis
from goldlabel.service.annotations import (
    accept_consensus,
    compute_project_consensus,
    list_annotations,
    remove_annotation,
    set_annotation,
)
from goldlabel.service.demo import NEWS_CLASSES
from goldlabel.service.engines import AnalysisOutput
from goldlabel.service.importing import import_dataset
from goldlabel.service.projects import create_project, get_project
from goldlabel.service.rows import RowFilter, list_rows
from goldlabel.store import Database
from tests.core.test_multiannotator import make_crowd
from tests.core.test_multiannotator_multilabel import make_tag_crowd
from tests.service.helpers import make_project

K = len(NEWS_CLASSES)
WHO = ["ana", "bob", "cy", "dee", "eve"]


def _annotate(db: Database, n: int = 40, *, seed: int = 0) -> tuple[int, np.ndarray, np.ndarray]:
    """A project whose first n rows carry crowd labels; (project id, row ids, wide labels)."""
    _, pid = make_project(db, n, labeled_fraction=0.0)
    labels, _ = make_crowd(seed, n=n, m=len(WHO), k=K, missing=0.4)
    with db.write() as s:
        row_ids = np.array(
            sorted(r["row_id"] for r in list_rows(s, pid, limit=n, with_total=False).rows)
        )
        for i, row_id in enumerate(row_ids):
            for j, who in enumerate(WHO):
                if not np.isnan(labels[i, j]):
                    label = NEWS_CLASSES[int(labels[i, j])]
                    set_annotation(s, pid, int(row_id), annotator=who, label=label)
    return pid, row_ids, labels


def _add_analysis(db: Database, pid: int, seed: int = 0) -> np.ndarray:
    with db.write() as s:
        project = get_project(s, pid)
        data = build_analysis_input(s, project)
        n = len(data.frame)
        probs = np.random.default_rng(seed).dirichlet(np.ones(K), n)
        columns = {
            "suggested_label": probs.argmax(axis=1),
            "suggested_label_confidence": probs.max(axis=1),
            "is_label_issue": np.zeros(n, dtype=bool),
            "label_issue_score": np.zeros(n),
        }
        save_analysis(s, project, data, AnalysisOutput(probs, columns), job_id=None)
    return probs


def _by_row(consensus: dict) -> dict[int, dict]:
    return {r["row_id"]: r for r in consensus["rows"]}


@pytest.mark.parametrize("with_model", [False, True], ids=["annotators-only", "with-analysis"])
def test_consensus_matches_core(sqlite_db: Database, with_model: bool) -> None:
    pid, row_ids, labels = _annotate(sqlite_db)
    probs = _add_analysis(sqlite_db, pid)[: len(row_ids)] if with_model else None
    with sqlite_db.read() as s:
        got = compute_project_consensus(s, pid)
    if probs is not None:
        probs = probs.astype(np.float32).astype(np.float64)
        probs /= probs.sum(axis=1, keepdims=True)
    expected = compute_consensus(labels, probs, n_classes=K, random_state=0)
    assert got["method"] == "crowdlab"
    assert (got["analysis_id"] is not None) == with_model
    assert (got["model_weight"] > 0) == with_model
    rows = _by_row(got)
    assert sorted(rows) == row_ids.tolist()
    for i, row_id in enumerate(row_ids):
        row = rows[int(row_id)]
        assert row["consensus_label"] == NEWS_CLASSES[expected.consensus_label[i]]
        assert row["consensus_quality_score"] == pytest.approx(
            expected.consensus_quality_score[i], abs=1e-9
        )
        assert row["num_annotations"] == int((~np.isnan(labels[i])).sum())
    people = {p["annotator"]: p for p in got["annotators"]}
    for j, who in enumerate(WHO):
        assert people[who]["annotator_quality"] == pytest.approx(
            expected.annotator_quality[j], abs=1e-9
        )
        assert people[who]["num_examples_labeled"] == int(expected.num_examples_labeled[j])
        # disagreements: (gave, consensus) pairs counted on the rows this annotator labeled
        rows_j = ~np.isnan(labels[:, j])
        pairs: dict[tuple[str, str], int] = {}
        for gave, agreed in zip(labels[rows_j, j], expected.consensus_label[rows_j], strict=True):
            if int(gave) != int(agreed):
                key = (NEWS_CLASSES[int(gave)], NEWS_CLASSES[int(agreed)])
                pairs[key] = pairs.get(key, 0) + 1
        listed = people[who]["disagreements"]
        assert len(listed) == min(5, len(pairs))
        assert all(pairs[(d["gave"], d["consensus"])] == d["rows"] for d in listed)
        assert [d["rows"] for d in listed] == sorted(pairs.values(), reverse=True)[: len(listed)]
    qualities = [p["annotator_quality"] for p in got["annotators"]]
    assert qualities == sorted(qualities)
    agreement = got["agreement"]
    assert agreement["krippendorff_alpha"] == pytest.approx(
        compute_krippendorff_alpha(labels, n_classes=K)
    )
    per_class = compute_krippendorff_alpha_per_class(labels, n_classes=K)
    assert list(agreement["per_class"]) == list(NEWS_CLASSES)
    assert list(agreement["per_class"].values()) == pytest.approx(per_class.tolist())


def test_ignoring_the_model_gives_the_annotators_consensus(sqlite_db: Database) -> None:
    pid, _, labels = _annotate(sqlite_db, seed=1)
    _add_analysis(sqlite_db, pid)
    with sqlite_db.read() as s:
        got = compute_project_consensus(s, pid, use_model=False)
    assert got["analysis_id"] is None and got["model_weight"] == 0.0
    expected = compute_consensus(labels, None, n_classes=K, random_state=0)
    assert [r["consensus_label"] for r in got["rows"]] == [
        NEWS_CLASSES[c] for c in expected.consensus_label
    ]


def test_single_annotations_fall_back_to_majority_vote(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 6, labeled_fraction=0.0)
    with sqlite_db.write() as s:
        set_annotation(s, pid, 1, annotator="ana", label="World")
        set_annotation(s, pid, 2, annotator="bob", label="Sports")
    with sqlite_db.read() as s:
        got = compute_project_consensus(s, pid)
    assert got["method"] == "majority_vote"
    assert [(r["row_id"], r["consensus_label"], r["annotator_agreement"]) for r in got["rows"]] == [
        (1, "World", 1.0),
        (2, "Sports", 1.0),
    ]
    assert all(p["annotator_quality"] is None for p in got["annotators"])


def test_no_annotations_no_consensus(sqlite_db: Database) -> None:
    _, pid = make_project(sqlite_db, 6)
    with sqlite_db.read() as s:
        got = compute_project_consensus(s, pid)
    assert got == {
        "method": None,
        "analysis_id": None,
        "model_weight": None,
        "agreement": None,
        "rows": [],
        "annotators": [],
    }


def test_accepting_consensus_labels_rows_and_keeps_annotations(sqlite_db: Database) -> None:
    pid, row_ids, _ = _annotate(sqlite_db, 30, seed=2)
    with sqlite_db.read() as s:
        before = list_annotations(s, pid)
        consensus = _by_row(compute_project_consensus(s, pid))
    threshold = float(np.median([r["consensus_quality_score"] for r in consensus.values()]))
    with sqlite_db.write() as s:
        results = accept_consensus(s, pid, user="lead", min_quality=threshold)
    accepted = [r for r in consensus.values() if r["consensus_quality_score"] >= threshold]
    assert sum(r.n_rows for r in results) == len(accepted) > 0
    assert {r.kind for r in results} == {"label"}
    with sqlite_db.read() as s:
        assert list_annotations(s, pid) == before
        state = {
            r["row_id"]: r
            for r in list_rows(s, pid, row_filter=RowFilter(row_ids=row_ids.tolist())).rows
        }
    for row in consensus.values():
        if row["consensus_quality_score"] >= threshold:
            assert (state[row["row_id"]]["label"], state[row["row_id"]]["source"]) == (
                row["consensus_label"],
                "human",
            )
        else:
            assert state[row["row_id"]]["label"] is None
    with sqlite_db.write() as s:
        for result in results:
            undo_action(s, pid, result.action_id, user="lead")
    with sqlite_db.read() as s:
        rows = list_rows(s, pid, row_filter=RowFilter(row_ids=row_ids.tolist())).rows
    assert all(r["label"] is None for r in rows)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"min_quality": 1.5}, r"min_quality must be in \[0, 1\]; got 1.5"),
        ({"row_ids": [3, 10_000]}, r"rows \[10000\] have no annotations"),
    ],
    ids=["quality", "unannotated-row"],
)
def test_accept_consensus_errors(sqlite_db: Database, kwargs: dict, match: str) -> None:
    pid, _, _ = _annotate(sqlite_db, 10)
    with pytest.raises(InvalidOptionError, match=match), sqlite_db.write() as s:
        accept_consensus(s, pid, user="lead", **kwargs)


TAGS = ["x", "y", "z"]


def _tag_project(db: Database, n: int = 60) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """A multi-label project whose rows carry 4 annotators' tag sets and an analysis; (project id,
    row ids, annotations (N, M, K) with NaN, stored per-class probabilities)."""
    labels, _, _, _ = make_tag_crowd(7, n=n, m=4, k=len(TAGS), missing=0.3)
    labels[np.nansum(labels, axis=2) == 0] = np.nan  # the studio stores no empty annotation
    keep = ~np.isnan(labels[:, :, 0]).all(axis=1)
    labels = labels[keep]
    csv = "text,tags\n" + "".join(f"row {i},\n" for i in range(len(labels)))
    with db.write() as s:
        ds = import_dataset(s, csv.encode(), filename="t.csv")
        project = create_project(
            s,
            ds.id,
            name="t",
            task="multilabel",
            label_column="tags",
            classes=TAGS,
            text_columns=["text"],
        )
        pid = project.id
        row_ids = np.array(sorted(r["row_id"] for r in list_rows(s, pid, limit=n).rows))
        for i, row_id in enumerate(row_ids):
            for j, who in enumerate(WHO[:4]):
                if not np.isnan(labels[i, j, 0]):
                    tags = [t for t, on in zip(TAGS, labels[i, j], strict=True) if on == 1]
                    set_annotation(s, pid, int(row_id), annotator=who, label=tags)
        data = build_analysis_input(s, project)
        probs = np.random.default_rng(1).random((len(data.frame), len(TAGS)))
        columns = {
            "suggested_label": (probs >= 0.5) @ (1 << np.arange(len(TAGS))),
            "suggested_label_confidence": np.maximum(probs, 1 - probs).prod(axis=1),
            "is_label_issue": np.zeros(len(probs), dtype=bool),
            "label_issue_score": np.zeros(len(probs)),
        }
        save_analysis(s, project, data, AnalysisOutput(probs, columns), job_id=None)
    return pid, row_ids, labels, probs.astype(np.float32).astype(np.float64)


def test_multilabel_consensus_matches_core_and_is_accepted_as_sets(sqlite_db: Database) -> None:
    pid, row_ids, labels, probs = _tag_project(sqlite_db)
    with sqlite_db.read() as s:
        got = compute_project_consensus(s, pid)
    expected = compute_multilabel_consensus(labels, probs[: len(row_ids)], random_state=0)
    assert got["method"] == "crowdlab" and got["analysis_id"] is not None
    assert got["model_weight"] == pytest.approx(expected.model_weight)
    rows = _by_row(got)
    assert sorted(rows) == row_ids.tolist()
    for i, row_id in enumerate(row_ids):
        row = rows[int(row_id)]
        sets = [t for t, on in zip(TAGS, expected.consensus_labels[i], strict=True) if on]
        assert row["consensus_label"] == sets
        assert row["consensus_quality_score"] == pytest.approx(
            expected.consensus_quality_score[i], abs=1e-9
        )
        assert row["annotator_agreement"] == pytest.approx(expected.annotator_agreement[i])
        assert all(isinstance(v, list) and v for v in row["labels"].values())
    people = {p["annotator"]: p for p in got["annotators"]}
    for j, who in enumerate(WHO[:4]):
        assert people[who]["annotator_quality"] == pytest.approx(expected.annotator_quality[j])
        assert people[who]["worst_class"] in TAGS
    for j, who in enumerate(WHO[:4]):
        mine = ~np.isnan(labels[:, j, 0])
        diff = labels[mine, j] - expected.consensus_labels[mine]
        want = {
            t: (int((diff[:, c] > 0).sum()), int((diff[:, c] < 0).sum()))
            for c, t in enumerate(TAGS)
            if (diff[:, c] != 0).any()
        }
        listed = {d["class"]: (d["extra"], d["missing"]) for d in people[who]["disagreements"]}
        assert listed == want
    per_tag = compute_krippendorff_alpha_per_class(labels)
    assert list(got["agreement"]["per_class"].values()) == pytest.approx(per_tag.tolist())
    codes = labels @ np.array([1, 2, 4])  # each whole set as one nominal value
    given = ~np.isnan(codes)
    sets = np.full(codes.shape, np.nan)
    sets[given] = np.unique(codes[given], return_inverse=True)[1]
    assert got["agreement"]["krippendorff_alpha"] == pytest.approx(compute_krippendorff_alpha(sets))
    # accepting: one action per distinct set, rows with an empty consensus are left alone
    empty = {r for r, row in rows.items() if not row["consensus_label"]}
    assert empty, "the crowd should leave some rows with no tag"
    with sqlite_db.write() as s:
        actions = accept_consensus(s, pid, user="lead")
    assert sum(a.n_rows for a in actions) == len(rows) - len(empty)
    with sqlite_db.read() as s:
        after = {r["row_id"]: r for r in list_rows(s, pid, limit=1000).rows}
    for row_id, row in rows.items():
        if row_id in empty:
            assert after[row_id]["label"] is None
        else:
            assert after[row_id]["label"] == row["consensus_label"]
    with sqlite_db.write() as s:
        for a in actions:
            undo_action(s, pid, a.action_id, user="lead")
    with sqlite_db.read() as s:
        assert all(r["label"] is None for r in list_rows(s, pid, limit=1000).rows)


def test_consensus_over_http(sqlite_db: Database) -> None:
    pid, row_ids, _ = _annotate(sqlite_db, 12, seed=3)
    with TestClient(create_app(sqlite_db)) as client:
        got = client.get(f"/api/projects/{pid}/consensus")
        assert got.status_code == 200
        body = got.json()
        assert body["method"] == "crowdlab" and len(body["rows"]) == len(row_ids)
        first = int(row_ids[0])
        accepted = client.post(
            f"/api/projects/{pid}/consensus/accept",
            params={"row_id": [first]},
            headers={"X-Goldlabel-User": "lead"},
        )
        assert accepted.status_code == 200 and accepted.json()["n_rows"] == 1
        row = client.get(f"/api/projects/{pid}/rows/{first}").json()
        assert row["label"] == _by_row(body)[first]["consensus_label"]
        bad = client.post(f"/api/projects/{pid}/consensus/accept", params={"min_quality": 2})
        assert bad.status_code in (400, 422) and "min_quality" in bad.json()["error"]


def test_rows_by_annotator_and_taking_an_annotation_back(database: Database) -> None:
    _, pid = make_project(database, 10, labeled_fraction=0.0)
    with database.write() as s:
        for row_id in (1, 2, 3):
            set_annotation(s, pid, row_id, annotator="ana", label="World")
        set_annotation(s, pid, 3, annotator="bob", label="Sports")

    def ids(**who: str) -> list[int]:
        with database.read() as s:
            page = list_rows(s, pid, row_filter=RowFilter(**who), limit=100)
        return sorted(r["row_id"] for r in page.rows)

    assert ids(annotated_by="ana") == [1, 2, 3]
    assert ids(annotated_by="bob") == [3]
    assert ids(not_annotated_by="ana") == [0, 4, 5, 6, 7, 8, 9]  # row ids start at 0
    assert ids(annotated_by="ana", not_annotated_by="bob") == [1, 2]
    with database.write() as s:
        assert remove_annotation(s, pid, 2, annotator="ana")
        assert not remove_annotation(s, pid, 2, annotator="ana")
        assert not remove_annotation(s, pid, 3, annotator="cy")
    assert ids(annotated_by="ana") == [1, 3]
    with database.read() as s:
        assert [a["annotator"] for a in list_annotations(s, pid, row_id=3)] == ["ana", "bob"]
        assert get_project(s, pid).id == pid  # rows and labels untouched
        assert all(r["label"] is None for r in list_rows(s, pid, limit=100).rows)
