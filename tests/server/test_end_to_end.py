"""The studio's API end to end: import -> analysis -> auto-label -> batch-fix label issues -> export."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
from fastapi.testclient import TestClient
from label_studio_sdk.label_interface import LabelInterface

from goldlabel.server import create_app
from goldlabel.service.demo import NEWS_CLASSES, generate_news_frame
from goldlabel.store import Database
from tests.server.helpers import wait_for_job

N_ROWS = 8000


def test_import_analyse_autolabel_fix_export(database: Database) -> None:
    frame, truth = generate_news_frame(N_ROWS, labeled_fraction=0.005, noise=0.05, random_state=0)
    given = frame["label"].copy()
    with TestClient(create_app(database)) as client:
        up = client.post(
            "/api/datasets",
            files={"file": ("news.csv", frame.to_csv(index=False).encode(), "text/csv")},
        )
        assert up.status_code == 201, up.text
        dataset = up.json()
        assert dataset["n_rows"] == N_ROWS
        assert dataset["column_roles"] == {
            "id": "id",
            "title": "text",
            "description": "text",
            "label": "label",
        }
        created = client.post(
            "/api/projects",
            json={"dataset_id": dataset["id"], "name": "news", "classes": list(NEWS_CLASSES)},
        )
        assert created.status_code == 201, created.text
        project = created.json()
        pid = project["id"]
        assert project["counts"] == {"labeled": 40, "unlabeled": N_ROWS - 40}

        started = client.post(f"/api/projects/{pid}/analyses")
        assert started.status_code == 202
        job = wait_for_job(client, started.json()["id"])
        assert job["status"] == "succeeded", job["error"]
        analysis_id = job["result"]["analysis_id"]

        proposal = client.get(
            f"/api/projects/{pid}/autolabel", params={"target_accuracy": 0.9}
        ).json()
        assert proposal["analysis_id"] == analysis_id
        assert proposal["promised_accuracy"] == 0.9 and proposal["n_to_label"] > 1000
        applied = client.post(
            f"/api/projects/{pid}/autolabel",
            json={"analysis_id": analysis_id, "target_accuracy": 0.9},
        ).json()
        assert applied["action"]["n_rows"] == proposal["n_to_label"]

        issues = client.get(
            f"/api/projects/{pid}/rows",
            params={"issue": "label", "sort": "label_issue_score", "order": "desc", "limit": 10},
        ).json()
        flagged = {r["row_id"]: r for r in issues["rows"]}
        scores = [r["label_issue_score"] for r in issues["rows"]]
        assert scores == sorted(scores, reverse=True)
        fixed = client.post(
            f"/api/projects/{pid}/actions", json={"kind": "autofix", "filter": {"issue": ["label"]}}
        ).json()
        assert fixed["n_rows"] == issues["total"] == len(flagged)

        exported = client.get(f"/api/projects/{pid}/export", params={"format": "csv"})
        assert exported.status_code == 200
        assert "attachment" in exported.headers["content-disposition"]
        out = pd.read_csv(io.BytesIO(exported.content))
        tasks = client.get(f"/api/projects/{pid}/export", params={"format": "label-studio"}).json()
        config = client.get(f"/api/projects/{pid}/label-studio-config").text
        log = client.get(f"/api/projects/{pid}/actions").json()

    assert list(out.columns[:7]) == [
        "id",
        "title",
        "description",
        "given_label",
        "label",
        "label_source",
        "label_status",
    ]
    assert {
        "is_label_issue",
        "label_issue_score",
        "suggested_label",
        "suggested_label_confidence",
    } <= set(out.columns)
    names = np.array(NEWS_CLASSES)
    auto = out["label_source"] == "auto"
    assert auto.sum() == proposal["n_to_label"] + len(flagged)
    for row_id, row in flagged.items():  # the fixed rows now carry the suggestion
        assert out.loc[row_id, "label"] == row["suggested_label"] != given[row_id]
    kept = out["label_source"] == "given"
    assert (out.loc[kept, "label"] == given[kept]).all()
    autolabeled = auto & given.isna()
    accuracy = (
        out.loc[autolabeled, "label"].to_numpy() == names[truth[autolabeled.to_numpy()]]
    ).mean()
    assert accuracy >= 0.9
    assert [a["kind"] for a in log] == ["autofix", "autolabel"]
    interface = LabelInterface(config)
    assert len(tasks) == N_ROWS
    sample = [t for t in tasks if t["annotations"]][:50]
    assert all(interface.validate_annotation(a) for t in sample for a in t["annotations"])
    assert all(interface.validate_prediction(p) for t in tasks[:50] for p in t["predictions"])
    assert json.dumps(tasks[0])  # plain JSON
