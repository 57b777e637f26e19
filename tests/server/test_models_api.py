"""Model versions through the API: train, deploy and predict, for a multi-class and a multi-label
project; the JSON a caller gets back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from goldlabel.server import create_app
from goldlabel.service.demo import NEWS_CLASSES, generate_news_frame
from goldlabel.store import Database
from tests.learn.test_multilabel_pipeline import TAG_WORDS, generate_tagged_texts
from tests.server.helpers import wait_for_job


def _project(client: TestClient, frame: pd.DataFrame, **fields: object) -> int:
    up = client.post(
        "/api/datasets",
        files={"file": ("rows.csv", frame.to_csv(index=False).encode(), "text/csv")},
    )
    assert up.status_code == 201, up.text
    created = client.post("/api/projects", json={"dataset_id": up.json()["id"], **fields})
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _train_and_deploy(client: TestClient, pid: int) -> dict:
    started = client.post(f"/api/projects/{pid}/models")
    assert started.status_code == 202, started.text
    job = wait_for_job(client, started.json()["id"])
    assert job["status"] == "succeeded", job["error"]
    assert job["runner"] and job["attempts"] == 1
    model_id = job["result"]["model_id"]
    deployed = client.post(f"/api/models/{model_id}/deploy")
    assert deployed.status_code == 200, deployed.text
    return dict(deployed.json())


@pytest.mark.parametrize("task", ["multiclass", "multilabel"])
def test_train_deploy_predict(sqlite_db: Database, task: str) -> None:
    with TestClient(create_app(sqlite_db)) as client:
        if task == "multiclass":
            frame, _ = generate_news_frame(300, labeled_fraction=0.5, noise=0.0, random_state=1)
            pid = _project(client, frame, name="news", classes=list(NEWS_CLASSES))
            rows = [{"title": "Striker scores in the cup final", "description": "the team won"}]
        else:
            texts, given, _, _ = generate_tagged_texts(300, flip=0.0, random_state=6)
            cells = [";".join(g) if g else None for g in given]
            frame = pd.DataFrame({"text": texts, "tags": cells}).dropna().reset_index(drop=True)
            pid = _project(
                client,
                frame,
                name="tags",
                task="multilabel",
                label_column="tags",
                text_columns=["text"],
                classes=list(TAG_WORDS),
            )
            rows = [{"text": "the striker and the coach at the stadium, a pasta recipe"}]
        model = _train_and_deploy(client, pid)
        assert model["deployed"] and model["metrics"]["cv_accuracy"] > 0.7
        got = client.post(f"/api/projects/{pid}/predict", json={"rows": rows})
        assert got.status_code == 200, got.text
        (prediction,) = got.json()["predictions"]
        probs = np.array(list(prediction["probabilities"].values()))
        if task == "multiclass":
            assert prediction["label"] == "Sports"
            assert probs.sum() == pytest.approx(1.0)
        else:
            assert sorted(prediction["label"]) == ["food", "sports"]
            assert set(prediction["probabilities"]) == set(TAG_WORDS)
            assert prediction["confidence"] == pytest.approx(np.prod(np.maximum(probs, 1 - probs)))
