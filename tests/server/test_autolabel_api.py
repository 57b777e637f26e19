"""Auto-labeling a multi-label project through the API: the proposal, applying it, and the count the
batch confirmation shows (rows whose suggestion is the empty set are never auto-labeled)."""

from __future__ import annotations

import pandas as pd
from fastapi.testclient import TestClient

from goldlabel.server import create_app
from goldlabel.store import Database
from tests.learn.test_multilabel_pipeline import TAG_WORDS, generate_tagged_texts
from tests.server.helpers import wait_for_job


def test_multilabel_autolabel_through_the_api(sqlite_db: Database) -> None:
    texts, given, _, _ = generate_tagged_texts(600, flip=0.05, unlabeled=0.3, random_state=9)
    frame = pd.DataFrame({"text": texts, "tags": [";".join(g) if g else None for g in given]})
    with TestClient(create_app(sqlite_db)) as client:
        up = client.post(
            "/api/datasets", files={"file": ("tags.csv", frame.to_csv(index=False).encode())}
        )
        assert up.status_code == 201, up.text
        created = client.post(
            "/api/projects",
            json={
                "dataset_id": up.json()["id"],
                "name": "tags",
                "task": "multilabel",
                "label_column": "tags",
                "text_columns": ["text"],
                "classes": list(TAG_WORDS),
            },
        )
        assert created.status_code == 201, created.text
        pid = created.json()["id"]
        job = wait_for_job(client, client.post(f"/api/projects/{pid}/analyses").json()["id"])
        assert job["status"] == "succeeded", job["error"]

        got = client.get(f"/api/projects/{pid}/autolabel", params={"target_accuracy": 0.7})
        assert got.status_code == 200, got.text
        proposal = got.json()
        assert proposal["promised_accuracy"] == 0.7 and proposal["n_to_label"] > 0
        assert set(proposal["counts"]) == set(TAG_WORDS) and not proposal["per_class"]
        threshold = next(iter(proposal["thresholds"].values()))

        # the batch confirmation counts what a wizard threshold would label: never an empty set
        scores = {"suggested_label_confidence": [0.0, None]}
        count = client.post(
            f"/ui-api/projects/{pid}/count",
            json={"kind": "autolabel", "filter": {"status": ["unlabeled"], "scores": scores}},
        ).json()["n_rows"]
        rows = client.get(
            f"/api/projects/{pid}/rows", params={"status": "unlabeled", "limit": 1000}
        ).json()["rows"]
        assert count == sum(1 for r in rows if r["suggested_label"])
        assert count < len(rows)  # some unlabeled rows have no tag at p >= 0.5

        applied = client.post(
            f"/api/projects/{pid}/autolabel",
            json={"analysis_id": proposal["analysis_id"], "target_accuracy": 0.7},
        )
        assert applied.status_code == 200, applied.text
        assert applied.json()["action"]["n_rows"] == proposal["n_to_label"]
        auto = client.get(
            f"/api/projects/{pid}/rows", params={"source": "auto", "limit": 1000}
        ).json()["rows"]
        assert len(auto) == proposal["n_to_label"]
        assert all(r["label"] and r["suggested_label_confidence"] >= threshold - 1e-6 for r in auto)
